"""The latent-cycle generative model: train, diagnose, generate."""

import os
from typing import Any, Callable, Dict, Optional, Tuple, Union, final

import numpy as np
import numpy.typing as npt

__all__ = ["train", "LatentModel"]

_Progress = Callable[[str, int, int], object]

@final
class LatentModel:
    """A trained (or paused) latent-cycle run."""

    @property
    def epoch(self) -> int: ...
    @property
    def seed(self) -> int: ...
    @property
    def config(self) -> Dict[str, Any]: ...
    @property
    def history(self) -> Dict[str, npt.NDArray[Any]]:
        """Per-epoch columns: epoch, batch, fast_ll, ll, ll_err, sigma, sigma_counted,
        sigma_model, tau, mean_diagonal, kl."""
    @property
    def diagnosis(self) -> Optional[Dict[str, Any]]:
        """Final diagnostics (None for a paused run)."""
    def generate(
        self, steps: int = 13, seed: int = 0
    ) -> Tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
        """(x of shape (chains, steps, 28, 28), z of shape (chains, steps))."""
    def save(self, path: Union[str, os.PathLike[str]]) -> None:
        """Write the run as a checkpoint (atomically)."""

def train(
    *,
    seed: int = 0,
    checkpoint: Optional[Union[str, os.PathLike[str]]] = None,
    resume: bool = False,
    pause_after: Optional[int] = None,
    progress: Optional[_Progress] = None,
    **config: Any,
) -> LatentModel:
    """Train on the embedded binarised MNIST 0/1/2. Config: training (dict), per_class,
    diagnostic_steps, final_steps; checkpoint written after every epoch (a new run refuses an
    existing file); resume=True continues it."""
