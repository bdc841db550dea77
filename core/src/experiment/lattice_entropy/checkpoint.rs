//! A lattice entropy run's training state as JSON, so training resumes bit for bit.
use super::{ExperimentError, LatticeEntropy, LatticeModel};
use crate::diffusion::{SavedModel, Trainer};
use crate::train::Iterative;
use alloc::vec::Vec;

/// A lattice entropy run's training state between chunks: the trainer, the losses so far and
/// the data split it was made on.

#[derive(serde::Serialize, serde::Deserialize)]
struct Checkpoint {
    trainer: serde_json::Value,
    losses: Vec<f64>,
    holdout: usize,
    side: usize,
    temperatures: Vec<f64>,
}

impl LatticeEntropy {
    /// Serialise a training run of this experiment (JSON); [`Self::resume`] restores it bit for
    /// bit.
    ///
    /// # Errors
    /// [`ExperimentError::Diffusion`] for non-finite weights.
    pub fn checkpoint<M: LatticeModel + SavedModel>(
        &self,
        trainer: &Trainer<M>,
        losses: &[f64],
    ) -> Result<Vec<u8>, ExperimentError> {
        let malformed = |_| ExperimentError::Checkpoint("could not be serialised");
        let c = Checkpoint {
            trainer: serde_json::from_slice(&trainer.to_json()?).map_err(malformed)?,
            losses: losses.to_vec(),
            holdout: self.holdout,
            side: self.data.side(),
            temperatures: self.data.temperatures().to_vec(),
        };
        serde_json::to_vec(&c).map_err(malformed)
    }

    /// Restore a training run written by [`Self::checkpoint`] with its losses. Its model and
    /// training settings are the checkpoint's, whatever this run's config says.
    ///
    /// # Errors
    /// [`ExperimentError::Checkpoint`] for bytes that are not such a checkpoint, or one made
    /// from other data, another split or another kind of spins.
    pub fn resume<M: LatticeModel + SavedModel>(
        &self,
        bytes: &[u8],
    ) -> Result<(Trainer<M>, Vec<f64>), ExperimentError> {
        let c: Checkpoint = serde_json::from_slice(bytes)
            .map_err(|_| ExperimentError::Checkpoint("is not a lattice entropy checkpoint"))?;
        if c.holdout != self.holdout
            || c.side != self.data.side()
            || c.temperatures != self.data.temperatures()
        {
            return Err(ExperimentError::Checkpoint(
                "was made from other data or another holdout",
            ));
        }
        let trainer = serde_json::to_vec(&c.trainer)
            .ok()
            .and_then(|bytes| Trainer::<M>::from_json(&bytes).ok())
            .ok_or(ExperimentError::Checkpoint(
                "holds no readable training run",
            ))?;
        if trainer.model().kind() != self.data.kind() || c.losses.len() != trainer.completed() {
            return Err(ExperimentError::Checkpoint(
                "is for another kind of spins, or its losses do not match its steps",
            ));
        }
        Ok((trainer, c.losses))
    }

    /// A trained model saved by [`SavedModel::to_json`]
    /// (the `model.json` of `entropic entropy ising | xy`), for this run's data: of the same
    /// kind of spins, resized to the data's side (the models are translation-equivariant or
    /// local, so a model trained on one side evaluates another).
    ///
    /// # Errors
    /// [`ExperimentError::Diffusion`] for bytes that are not such a model or a side it cannot
    /// take; [`ExperimentError::Config`] (field `model`) for a model of other spins.
    pub fn load_model<M: LatticeModel + SavedModel>(
        &self,
        bytes: &[u8],
    ) -> Result<M, ExperimentError> {
        let model = M::from_json(bytes)?;
        if model.kind() != self.data.kind() {
            return Err(ExperimentError::config(
                "model",
                "a model of other spins than the data's",
            ));
        }
        Ok(model.with_side(self.data.side())?)
    }
}
