"""Entropy and mutual-information estimators on numpy arrays (nats).

Single estimators return an :class:`entropic.Estimate`; ``compare`` and ``mutual_information``
run every estimator side by side and return :class:`entropic.EstimatorRow` objects, as the CLI's
``entropy compare`` and ``entropy mi`` do.
"""

from entropic._entropic import entropy as _entropy

gaussian_fit = _entropy.gaussian_fit
knn = _entropy.knn
plug_in = _entropy.plug_in
minde = _entropy.minde
mice = _entropy.mice
compare = _entropy.compare
gaussian_mi = _entropy.gaussian_mi
ksg = _entropy.ksg
mine = _entropy.mine
minde_c = _entropy.minde_c
mutual_information = _entropy.mutual_information
lattice = _entropy.lattice

__all__ = [
    "gaussian_fit",
    "knn",
    "plug_in",
    "minde",
    "mice",
    "compare",
    "gaussian_mi",
    "ksg",
    "mine",
    "minde_c",
    "mutual_information",
    "lattice",
]
