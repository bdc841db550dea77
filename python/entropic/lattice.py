"""Equilibrium configurations, thermodynamics and exact values of Ising and XY lattices.

Same seed, same numbers as the CLI: ``lattice.sample(..., seed=s)`` returns the configurations
``entropic --seed s lattice sample`` writes.
"""

from entropic._entropic import lattice as _lattice

sample = _lattice.sample
thermo = _lattice.thermo
exact = _lattice.exact

__all__ = ["sample", "thermo", "exact"]
