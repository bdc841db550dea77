"""Entropy and mutual-information estimators on numpy arrays (nats)."""

import os
from typing import Any, Callable, Dict, List, Literal, Mapping, Optional, Sequence, Union

import numpy.typing as npt

from entropic._entropic import Estimate, EstimatorRow

__all__ = ["gaussian_fit", "knn", "plug_in", "minde", "mice", "compare", "gaussian_mi", "ksg", "mine", "minde_c", "mutual_information", "lattice"]

_ArrayLike = npt.ArrayLike
_Progress = Callable[[str, int, int], object]
_Setting = Union[int, float, bool, Sequence[int]]

def gaussian_fit(x: _ArrayLike) -> Estimate:
    """h of the Gaussian with the samples' mean and covariance: an upper bound."""

def knn(x: _ArrayLike, k: int = 5, *, whiten: bool = False) -> Estimate:
    """Kozachenko-Leonenko kNN entropy (maximum norm); whiten=True whitens first."""

def plug_in(x: _ArrayLike) -> Estimate:
    """Plug-in entropy of discrete rows (each distinct row one symbol), Miller-Madow corrected."""

def minde(x: _ArrayLike, *, seed: int = 0, **settings: _Setting) -> EstimatorRow:
    """MINDE with a learned residual score; settings: train_steps (4000), draws (100000),
    hidden ([128, 128]), importance (False), input_scale (8), sigma_power (0.5), parts (1)."""

def mice(
    x: _ArrayLike,
    *,
    steps: int = 3000,
    seed: int = 0,
    k: int = 5,
    leaf: Literal["knn", "plug-in"] = "knn",
) -> Estimate:
    """MICE: recursive halves, each split's I by MINE, 1D leaves by kNN or plug-in."""

def compare(
    x: _ArrayLike,
    *,
    spins: bool = False,
    temperature: Optional[float] = None,
    coupling: Optional[float] = None,
    mice_steps: int = 0,
    seed: int = 0,
    progress: Optional[_Progress] = None,
    **settings: _Setting,
) -> List[EstimatorRow]:
    """Every entropy estimator side by side (the CLI's `entropy compare`); settings as minde
    plus k (5)."""

def gaussian_mi(x: _ArrayLike, y: _ArrayLike) -> Estimate:
    """I(X; Y) of the Gaussian with the pairs' covariance (canonical correlations)."""

def ksg(x: _ArrayLike, y: _ArrayLike, k: int = 5, variant: Literal[1, 2] = 1) -> Estimate:
    """Kraskov-Stoegbauer-Grassberger I(X; Y), maximum norm."""

def mine(x: _ArrayLike, y: _ArrayLike, *, steps: int = 3000, seed: int = 0) -> Estimate:
    """MINE (Donsker-Varadhan bound) with a critic trained for `steps` Adam steps."""

def minde_c(x: _ArrayLike, y: _ArrayLike, *, seed: int = 0, **settings: _Setting) -> Estimate:
    """MINDE-C I(X; Y) from a conditional score network; settings as minde."""

def mutual_information(
    x: _ArrayLike,
    y: _ArrayLike,
    *,
    seed: int = 0,
    progress: Optional[_Progress] = None,
    **settings: _Setting,
) -> List[EstimatorRow]:
    """Every MI estimator side by side (the CLI's `entropy mi`): CCA, KSG 1 and 2, MINE,
    MINDE-C."""

def lattice(
    configs: _ArrayLike,
    temperatures: Union[float, Sequence[float]],
    *,
    kind: Optional[Literal["ising", "xy"]] = None,
    coupling: Optional[float] = None,
    field: Optional[float] = None,
    next_nearest: Optional[float] = None,
    references: Optional[Mapping[str, Any]] = None,
    model_file: Optional[
        Union[str, os.PathLike[str], Sequence[Union[str, os.PathLike[str]]]]
    ] = None,
    save_model: Optional[Union[str, os.PathLike[str]]] = None,
    seed: int = 0,
    progress: Optional[_Progress] = None,
    **config: Any,
) -> Dict[str, Any]:
    """Entropy per spin of (temperatures, samples, L, L) configurations from a
    temperature-conditioned denoiser (I-MMSE), with the generation check; config as the core's
    LatticeEntropyConfig (model "site" | "conv", training, draws, generation, ...).
    model_file evaluates a saved model instead of training (a list of files: their ensemble, the
    mean of their denoisers); save_model writes the trained one."""
