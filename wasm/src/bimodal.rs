//! [`BimodalRun`]: one seed of the 1D bimodal experiment ([`MaxentBimodal`], paper Fig. 3–4)
//! stepped an epoch at a time: Min-MaxEnt, the VAE and the mean + variance MaxEnt model on the
//! same data.
use entropic::experiment::{
    BimodalCase, BimodalSeedRun, ExperimentError, MaxentBimodal, MaxentBimodalConfig,
};
use wasm_bindgen::prelude::*;

/// A Min-MaxEnt model and a VAE trained side by side on 1D bimodal data, scored on the
/// quadrature grid after every epoch.
#[wasm_bindgen]
#[derive(Debug)]
pub struct BimodalRun {
    run: BimodalSeedRun,
    epochs: usize,
}

impl BimodalRun {
    /// A run on `case` ("gaussian", "gaussian-10" or "cauchy") with `walkers` walkers, `epochs`
    /// epochs of each model and `grid` quadrature nodes, from `seed`.
    ///
    /// # Errors
    /// [`ExperimentError::Config`] for an unknown case or settings [`MaxentBimodal::new`]
    /// refuses.
    pub fn try_new(
        case: &str,
        walkers: usize,
        epochs: usize,
        grid: usize,
        seed: u64,
    ) -> Result<Self, ExperimentError> {
        let case = [
            BimodalCase::Gaussian,
            BimodalCase::Gaussian10,
            BimodalCase::Cauchy,
        ]
        .into_iter()
        .find(|c| c.name() == case)
        .ok_or_else(|| {
            ExperimentError::config(
                "case",
                format!("must be gaussian, gaussian-10 or cauchy, got {case:?}"),
            )
        })?;
        let experiment = MaxentBimodal::new(MaxentBimodalConfig {
            case,
            seeds: 1,
            epochs,
            walkers,
            grid,
            ..MaxentBimodalConfig::default()
        })?;
        Ok(Self {
            run: experiment.seed_run(seed)?,
            epochs,
        })
    }

    /// Up to `epochs` more epochs of each model (never past the planned number).
    ///
    /// # Errors
    /// A model's error (the run should be restarted).
    pub fn try_step(&mut self, epochs: usize) -> Result<(), ExperimentError> {
        for _ in 0..epochs {
            let minmaxent = self.run.minmaxent_epoch()?;
            let vae = self.run.vae_epoch()?;
            if !minmaxent && !vae {
                break;
            }
        }
        Ok(())
    }
}

#[wasm_bindgen]
impl BimodalRun {
    /// Create a run; throws a readable message for bad settings.
    #[wasm_bindgen(constructor)]
    pub fn new(
        case: &str,
        walkers: usize,
        epochs: usize,
        grid: usize,
        seed: u64,
    ) -> Result<BimodalRun, JsError> {
        Self::try_new(case, walkers, epochs, grid, seed).map_err(|e| JsError::new(&e.to_string()))
    }

    /// Up to `epochs` more epochs of each model; throws if training failed.
    pub fn step(&mut self, epochs: usize) -> Result<(), JsError> {
        self.try_step(epochs)
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// [epochs done, planned epochs, KL(real ‖ Min-MaxEnt), KL(real ‖ VAE),
    /// KL(real ‖ mean + variance MaxEnt), Min-MaxEnt entropy (nats)]; NaN before the first
    /// epoch.
    pub fn state(&self) -> Vec<f64> {
        let r = self.run.result();
        let last = |v: &[f64]| v.last().copied().unwrap_or(f64::NAN);
        vec![
            r.minmaxent_kl.len() as f64,
            self.epochs as f64,
            last(&r.minmaxent_kl),
            last(&r.vae_kl),
            r.gaussian_kl,
            last(&r.minmaxent_entropy),
        ]
    }

    /// KL(real ‖ Min-MaxEnt) after each epoch so far.
    pub fn minmaxent_kl(&self) -> Vec<f64> {
        self.run.result().minmaxent_kl.clone()
    }

    /// KL(real ‖ VAE) after each epoch so far.
    pub fn vae_kl(&self) -> Vec<f64> {
        self.run.result().vae_kl.clone()
    }

    /// The quadrature nodes.
    pub fn grid(&self) -> Vec<f64> {
        self.run.grid().0.to_vec()
    }

    /// The data's density on the grid.
    pub fn real_density(&self) -> Vec<f64> {
        self.run.grid().1.to_vec()
    }

    /// The Min-MaxEnt density on the grid (empty before the first epoch).
    pub fn minmaxent_density(&self) -> Vec<f64> {
        self.run.result().minmaxent_density.clone()
    }

    /// The VAE density on the grid (empty before the first epoch).
    pub fn vae_density(&self) -> Vec<f64> {
        self.run.result().vae_density.clone()
    }

    /// The mean + variance MaxEnt density on the grid.
    pub fn gaussian_density(&self) -> Vec<f64> {
        self.run.result().gaussian_density.clone()
    }

    /// The training data.
    pub fn data(&self) -> Vec<f64> {
        self.run.data().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use entropic::experiment::Sequential;

    /// Stepped in pieces, the run gives the one-call run's curves bit for bit.
    #[test]
    fn stepped_run_matches_the_one_call_run() {
        let mut run = BimodalRun::try_new("gaussian", 100, 12, 101, 5).unwrap();
        assert!(run.state()[2].is_nan());
        for _ in 0..5 {
            run.try_step(3).unwrap();
        }
        let state = run.state();
        assert_eq!(state[0], 12.0);
        let whole = MaxentBimodal::new(MaxentBimodalConfig {
            seeds: 1,
            epochs: 12,
            walkers: 100,
            grid: 101,
            ..MaxentBimodalConfig::default()
        })
        .unwrap()
        .run(5, &Sequential)
        .unwrap();
        assert_eq!(run.minmaxent_kl(), whole.seeds[0].minmaxent_kl);
        assert_eq!(run.vae_kl(), whole.seeds[0].vae_kl);
        assert_eq!(run.minmaxent_density(), whole.seeds[0].minmaxent_density);
        assert_eq!(run.grid(), whole.grid);
        assert_eq!(run.data().len(), 1000);
    }

    #[test]
    fn bad_settings_are_refused() {
        let e = BimodalRun::try_new("laplace", 100, 10, 101, 0).unwrap_err();
        assert!(e.to_string().contains("case"), "{e}");
        assert!(BimodalRun::try_new("cauchy", 0, 10, 101, 0).is_err());
        assert!(BimodalRun::try_new("cauchy", 10, 0, 101, 0).is_err());
        assert!(BimodalRun::try_new("cauchy", 10, 10, 5, 0).is_err());
    }
}
