"""Min-MaxEnt experiments of the paper: PCA (Fig. 2) and 1D bimodal data vs a VAE (Fig. 3-4)."""

from typing import Any, Callable, Dict, Optional

__all__ = ["pca", "bimodal"]

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
