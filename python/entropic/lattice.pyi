"""Equilibrium configurations, thermodynamics and exact values of Ising and XY lattices."""

from typing import Callable, Dict, Literal, Optional, Sequence, Union

import numpy as np
import numpy.typing as npt

__all__ = ["sample", "thermo", "exact"]

_Progress = Callable[[str, int, int], object]
_Temperatures = Union[float, Sequence[float]]
_Model = Literal["ising", "xy"]
_Algorithm = Literal["metropolis", "heat-bath", "wolff", "swendsen-wang", "multispin"]

def sample(
    model: _Model = "ising",
    size: Optional[int] = None,
    temperatures: Optional[_Temperatures] = None,
    samples: Optional[int] = None,
    algorithm: _Algorithm = "metropolis",
    coupling: Optional[float] = None,
    field: Optional[float] = None,
    seed: int = 0,
    *,
    pilot: Optional[int] = None,
    thermalize: Optional[int] = None,
    next_nearest: Optional[float] = None,
    global_flip: Optional[bool] = None,
    progress: Optional[_Progress] = None,
) -> Union[npt.NDArray[np.int8], npt.NDArray[np.float64]]:
    """Configurations, shape (temperatures, samples, L, L): int8 ±1 (Ising) or float64 angles
    (XY). Defaults (None): size 20, temperatures [2.0], samples 1000, coupling 1, field 0,
    pilot 2000, thermalize 1000, next_nearest (Ising J₂) 0, global_flip False."""

def thermo(
    model: _Model = "ising",
    size: Optional[int] = None,
    temperatures: Optional[_Temperatures] = None,
    sweeps: Optional[int] = None,
    algorithm: _Algorithm = "metropolis",
    coupling: Optional[float] = None,
    field: Optional[float] = None,
    seed: int = 0,
    *,
    thermalize: Optional[int] = None,
    next_nearest: Optional[float] = None,
    ti_step: Optional[float] = None,
    ti_tolerance: Optional[float] = None,
    ti_max_points: Optional[int] = None,
    progress: Optional[_Progress] = None,
) -> Dict[str, npt.NDArray[np.float64]]:
    """Per temperature: energy, abs_magnetization, specific_heat, susceptibility, binder,
    entropy (each with *_err) and exact_energy, exact_specific_heat, exact_entropy,
    onsager_entropy (NaN where undefined). Defaults (None): sweeps 5000, ti_step 0.05,
    ti_tolerance 2e-4, ti_max_points 400."""

def exact(
    size: int, temperatures: _Temperatures, coupling: float = 1.0
) -> Dict[str, npt.NDArray[np.float64]]:
    """Kaufman's energy, entropy, specific_heat (per spin) and ln_z (whole torus), and
    Onsager's onsager_energy, onsager_entropy (L = infinity)."""
