"""Min-MaxEnt experiments of the paper: PCA (Fig. 2), 1D bimodal data vs a VAE (Fig. 3-4) and the
8x8 digits with CNN observables (Fig. 5; checkpointed, resumable).

Configured by keywords named as the core's config fields (``entropic maxent pca
--print-config`` shows them); results are dicts of numpy arrays.
"""

from entropic._entropic import maxent as _maxent

pca = _maxent.pca
bimodal = _maxent.bimodal
digits = _maxent.digits
DigitsModel = _maxent.DigitsModel

__all__ = ["pca", "bimodal", "digits", "DigitsModel"]
