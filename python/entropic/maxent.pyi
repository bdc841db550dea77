"""Min-MaxEnt experiments of the paper: PCA (Fig. 2) and 1D bimodal data vs a VAE (Fig. 3-4)."""

import os
from typing import Any, Callable, Dict, Optional, Union, final

import numpy as np
import numpy.typing as npt

__all__ = ["pca", "bimodal", "digits", "DigitsModel"]

_Progress = Callable[[str, int, int], object]

def pca(*, seed: int = 0, progress: Optional[_Progress] = None, **config: Any) -> Dict[str, Any]:
    """PCA as a Min-MaxEnt solution. Config: sigma ([3, 2, 1] = [S11, S22, S12]), samples
    (20000), walkers (4000), iterations (600), leapfrog (0)."""

def bimodal(
    *, seed: int = 0, progress: Optional[_Progress] = None, **config: Any
) -> Dict[str, Any]:
    """Min-MaxEnt vs VAE vs mean + variance MaxEnt on 1D bimodal data. Config: case
    ("gaussian" | "gaussian10" | "cauchy"), seeds (5), epochs (1000), vae_epochs, walkers
    (1000), grid (2001), leapfrog (0)."""

@final
class DigitsModel:
    """A Min-MaxEnt digits run (trained or paused)."""

    @property
    def epoch(self) -> int: ...
    @property
    def config(self) -> Dict[str, Any]: ...
    @property
    def history(self) -> Dict[str, Any]:
        """Per-epoch arrays: epoch, chi2, acceptance, theta_gradient_norm, lambda_norm, entropy."""
    def samples(self) -> npt.NDArray[np.float64]:
        """The walkers as generated digits, shape (walkers, 8, 8), values in [0, 1]."""
    def score(self) -> Dict[str, Any]:
        """The generated digits scored by an independently trained classifier."""
    def save(self, path: Union[str, os.PathLike[str]]) -> None:
        """Write the run as a checkpoint (atomically)."""

def digits(
    *,
    seed: int = 0,
    checkpoint: Optional[Union[str, os.PathLike[str]]] = None,
    resume: bool = False,
    pause_after: Optional[int] = None,
    progress: Optional[_Progress] = None,
    **config: Any,
) -> DigitsModel:
    """Min-MaxEnt with CNN observables on the 8x8 digits. Config: images (200), walkers (400),
    epochs (600), sweeps (4), leapfrog, precondition, lambda_rate, theta_rate, channels,
    outputs, entropy_every."""
