"""The latent-cycle generative model of the nonequilibrium paper: train (checkpointed, resumable),
diagnose (log-likelihood, entropy production, decorrelation) and generate."""

from entropic._entropic import latent as _latent

train = _latent.train
LatentModel = _latent.LatentModel

__all__ = ["train", "LatentModel"]
