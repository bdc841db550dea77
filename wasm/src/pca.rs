//! [`PcaRun`]: the Min-MaxEnt PCA experiment ([`MaxentPca`], paper Fig. 2) stepped a few
//! iterations per frame.
use entropic::experiment::{ExperimentError, MaxentPca, MaxentPcaConfig};
use entropic::maxent::{IterationReport, RotatedVariances, Trainer};
use entropic::train::Iterative;
use wasm_bindgen::prelude::*;

/// A Min-MaxEnt PCA training run on 2D Gaussian data: the walkers, the learned direction θ and
/// the principal axis it should turn to.
#[wasm_bindgen]
#[derive(Debug)]
pub struct PcaRun {
    run: MaxentPca,
    data: Vec<f64>,
    moments: [[f64; 2]; 2],
    trainer: Trainer<RotatedVariances>,
    reports: Vec<IterationReport>,
}

impl PcaRun {
    /// A run with `samples` data points, `walkers` walkers and `iterations` iterations of the
    /// paper's covariance [3, 2, 1], from `seed`.
    ///
    /// # Errors
    /// [`ExperimentError::Config`] for settings [`MaxentPca::new`] refuses.
    pub fn try_new(
        samples: usize,
        walkers: usize,
        iterations: usize,
        seed: u64,
    ) -> Result<Self, ExperimentError> {
        let run = MaxentPca::new(MaxentPcaConfig {
            samples,
            walkers,
            iterations,
            ..MaxentPcaConfig::default()
        })?;
        let (data, moments) = run.data(seed);
        let trainer = run.trainer(&data, moments, seed)?;
        Ok(Self {
            run,
            data,
            moments,
            trainer,
            reports: Vec::new(),
        })
    }

    /// Advance up to `iterations` iterations (never past the planned number).
    ///
    /// # Errors
    /// [`ExperimentError::MaxEnt`] if training failed (the run should be restarted).
    pub fn try_step(&mut self, iterations: usize) -> Result<(), ExperimentError> {
        let reports = self.trainer.advance(&self.data[..], iterations)?;
        self.reports.extend(reports);
        Ok(())
    }
}

#[wasm_bindgen]
impl PcaRun {
    /// Create a run; throws a readable message for bad settings.
    #[wasm_bindgen(constructor)]
    pub fn new(
        samples: usize,
        walkers: usize,
        iterations: usize,
        seed: u64,
    ) -> Result<PcaRun, JsError> {
        Self::try_new(samples, walkers, iterations, seed).map_err(|e| JsError::new(&e.to_string()))
    }

    /// Advance up to `iterations` iterations; throws if training failed.
    pub fn step(&mut self, iterations: usize) -> Result<(), JsError> {
        self.try_step(iterations)
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// [iteration, planned iterations, θ, the sample's principal angle, angle error (rad),
    /// χ² of the last iteration (NaN before the first), walkers' acceptance].
    pub fn state(&self) -> Vec<f64> {
        let r = self.run.result(&self.trainer, self.moments, Vec::new());
        let last = self.reports.last();
        vec![
            self.trainer.completed() as f64,
            self.trainer.planned() as f64,
            r.theta,
            r.pca_angle_sample,
            r.angle_error,
            last.map_or(f64::NAN, |l| l.chi2),
            last.map_or(f64::NAN, |l| l.acceptance),
        ]
    }

    /// χ² of every iteration so far.
    pub fn chi2(&self) -> Vec<f64> {
        self.reports.iter().map(|r| r.chi2).collect()
    }

    /// The walkers' positions (x, y pairs).
    pub fn walkers(&self) -> Vec<f64> {
        self.trainer.walkers().positions().to_vec()
    }

    /// The first `n` data points (x, y pairs).
    pub fn data(&self, n: usize) -> Vec<f64> {
        self.data[..(2 * n).min(self.data.len())].to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stepped in pieces, the run finds the principal axis as the one-call run does.
    #[test]
    fn stepped_run_turns_theta_to_the_principal_axis() {
        let mut run = PcaRun::try_new(4000, 1000, 300, 1).unwrap();
        while run.trainer.completed() < run.trainer.planned() {
            run.try_step(7).unwrap();
        }
        let state = run.state();
        assert_eq!(state[0], 300.0);
        assert!(state[4] < 0.05, "angle error {}", state[4]);
        assert_eq!(run.chi2().len(), 300);
        assert_eq!(run.walkers().len(), 2000);
        let whole = MaxentPca::new(MaxentPcaConfig {
            samples: 4000,
            walkers: 1000,
            iterations: 300,
            ..MaxentPcaConfig::default()
        })
        .unwrap()
        .run(1, &entropic::experiment::Sequential)
        .unwrap();
        assert_eq!(whole.theta, state[2], "same bits as one call");
    }

    #[test]
    fn bad_settings_are_refused() {
        assert!(PcaRun::try_new(5, 1, 10, 0).is_err());
        assert!(PcaRun::try_new(100, 200, 10, 0).is_err());
        assert!(PcaRun::try_new(100, 10, 0, 0).is_err());
    }
}
