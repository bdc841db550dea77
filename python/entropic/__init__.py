"""entropic: physics-inspired generative modelling and entropy estimation.

A thin Python layer over the entropic Rust core: every function builds the core's config,
runs it with the GIL released (Ctrl-C raises KeyboardInterrupt, an optional
``progress(stage, done, total)`` callable reports progress) and returns numpy arrays or
:class:`Estimate` objects. No numerical code lives in Python.

Modules:
    entropic.lattice   Ising / XY configurations, thermodynamics, exact values
    entropic.entropy   entropy and mutual-information estimators on arrays
    entropic.maxent    Min-MaxEnt: PCA and 1D bimodal data vs a VAE
    entropic.latent    the latent-cycle model: train, checkpoint, resume, generate
    entropic.progress  a tqdm progress callback

Errors: bad arguments raise ``ValueError`` (or ``TypeError`` for a wrong type), a computation
that fails raises :class:`EntropicError`, Ctrl-C raises ``KeyboardInterrupt``.
"""

from entropic._entropic import EntropicError, Estimate, EstimatorRow
from entropic import entropy, latent, lattice, maxent, progress

__all__ = [
    "EntropicError",
    "Estimate",
    "EstimatorRow",
    "entropy",
    "latent",
    "lattice",
    "maxent",
    "progress",
]
__version__ = "0.1.0"
