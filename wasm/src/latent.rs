//! [`LatentDemo`]: a trained latent-cycle model (a `latent train` checkpoint) generating
//! binarised digits as its visible/latent chain cycles, with its diagnostics.
use entropic::experiment::{
    Diagnosis, EpochRow, ExperimentError, LabelledImages, LatentCheckpoint, LatentTrain,
};
use entropic::latent::{Sequences, Trainer};
use entropic::rng::from_seed;
use wasm_bindgen::prelude::*;

/// A loaded latent-cycle model, its diagnostics and a generated sequence.
#[wasm_bindgen]
#[derive(Debug)]
pub struct LatentDemo {
    trainer: Trainer,
    history: Vec<EpochRow>,
    diagnosis: Diagnosis,
}

/// A generated sequence of one chain.
#[wasm_bindgen]
#[derive(Debug)]
pub struct LatentSequence {
    images: Vec<f64>,
    states: Vec<u32>,
}

#[wasm_bindgen]
impl LatentSequence {
    /// The visible images x(t), steps × 784 pixels (0 or 1), row-major 28 × 28 each.
    pub fn images(&self) -> Vec<f64> {
        self.images.clone()
    }

    /// The latent state z(t) after each double step.
    pub fn states(&self) -> Vec<u32> {
        self.states.clone()
    }
}

impl LatentDemo {
    /// Load the `checkpoint.json` of `entropic latent train` and diagnose the model over the
    /// checkpoint's per-epoch diagnostic steps (drawn as its last epoch's were: from the run's
    /// seed).
    ///
    /// # Errors
    /// [`ExperimentError::Checkpoint`] for bytes that are not a latent-cycle checkpoint; the
    /// run's errors.
    pub fn try_new(checkpoint: &[u8]) -> Result<Self, ExperimentError> {
        let (c, trainer) = LatentCheckpoint::read(checkpoint)?;
        let config = c.config(&trainer);
        let run = LatentTrain::new(config, LabelledImages::mnist012(c.per_class)?)?;
        let diagnosis = run.diagnose(&trainer, c.diagnostic_steps, c.seed, trainer.epoch())?;
        Ok(Self {
            trainer,
            history: c.history,
            diagnosis,
        })
    }

    /// `steps` double steps of a copy of the model's chains, from `seed`.
    pub fn sequences(&self, steps: usize, seed: u64) -> Sequences {
        self.trainer.generate(steps, &mut from_seed(seed))
    }
}

#[wasm_bindgen]
impl LatentDemo {
    /// Load a checkpoint; throws a readable message for a corrupt or foreign file.
    #[wasm_bindgen(constructor)]
    pub fn new(checkpoint: &[u8]) -> Result<LatentDemo, JsError> {
        Self::try_new(checkpoint).map_err(|e| JsError::new(&format!("the model file {e}")))
    }

    /// Generate `steps` double steps of the first chain from `seed`.
    pub fn generate(&self, steps: usize, seed: u64) -> LatentSequence {
        let s = self.sequences(steps, seed);
        let pixels = self.trainer.model().dim();
        LatentSequence {
            images: s.x[..steps * pixels].to_vec(),
            states: s.states[..steps].iter().map(|&k| k as u32).collect(),
        }
    }

    /// Number of latent states K.
    pub fn states(&self) -> usize {
        self.trainer.model().states()
    }

    /// The latent transition matrix M, row-major K × K (row z′ → column z).
    pub fn matrix(&self) -> Vec<f64> {
        self.diagnosis.dynamics.matrix.clone()
    }

    /// Occupancy of each latent state along the diagnostic trajectory.
    pub fn occupancy(&self) -> Vec<f64> {
        self.diagnosis.occupancy.clone()
    }

    /// [log-likelihood per image, its error, entropy production σ (Rao-Blackwellised, nats per
    /// double step), its error, decorrelation time, class KL].
    pub fn summary(&self) -> Vec<f64> {
        let d = &self.diagnosis;
        vec![
            d.ll.value,
            d.ll.std_error,
            d.sigma.rao_blackwell.value,
            d.sigma.rao_blackwell.std_error,
            d.dynamics.decorrelation_time,
            d.balance.kl,
        ]
    }

    /// σ after each training epoch (Rao-Blackwellised).
    #[wasm_bindgen(js_name = sigmaHistory)]
    pub fn sigma_history(&self) -> Vec<f64> {
        self.history.iter().map(|r| r.sigma).collect()
    }

    /// Log-likelihood per image after each training epoch.
    #[wasm_bindgen(js_name = llHistory)]
    pub fn ll_history(&self) -> Vec<f64> {
        self.history.iter().map(|r| r.ll).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use entropic::experiment::{LatentTrainConfig, Sequential};

    /// A checkpoint the CLI would write loads, diagnoses and generates; garbage is refused.
    #[test]
    fn a_checkpoint_loads_and_generates() {
        let mut config = LatentTrainConfig {
            per_class: 30,
            diagnostic_steps: 200,
            final_steps: 500,
            ..LatentTrainConfig::default()
        };
        config.training.epochs = 2;
        config.training.updates_per_epoch = 3;
        let run = LatentTrain::new(config.clone(), LabelledImages::mnist012(30).unwrap()).unwrap();
        let outcome = run.run(4, &Sequential).unwrap();
        let c = LatentCheckpoint::new(&run, &outcome.trainer, &outcome.history, 4).unwrap();
        let demo = LatentDemo::try_new(&serde_json::to_vec(&c).unwrap()).unwrap();
        let k = demo.states();
        assert_eq!(demo.matrix().len(), k * k);
        for row in demo.matrix().chunks(k) {
            assert!(
                (row.iter().sum::<f64>() - 1.0).abs() < 1e-9,
                "rows of M are distributions"
            );
        }
        let s = demo.generate(5, 1);
        assert_eq!(s.images().len(), 5 * 784);
        assert!(s.states().iter().all(|&z| (z as usize) < k));
        assert!(s.images().iter().all(|&p| p == 0.0 || p == 1.0));
        assert_eq!(demo.sigma_history().len(), 2);
        assert!(LatentDemo::try_new(b"{}").is_err());
        assert!(LatentDemo::try_new(b"not json").is_err());
    }
}
