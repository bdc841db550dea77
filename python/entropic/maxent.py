"""Min-MaxEnt experiments of the paper: PCA (Fig. 2) and 1D bimodal data vs a VAE (Fig. 3-4).

Configured by keywords named as the core's config fields (``entropic maxent pca
--print-config`` shows them); results are dicts of numpy arrays.
"""

from entropic._entropic import maxent as _maxent

pca = _maxent.pca
bimodal = _maxent.bimodal

__all__ = ["pca", "bimodal"]
