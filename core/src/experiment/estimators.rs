//! The settings of the sample-based entropy estimators an experiment runs side by side, and one
//! row of their results.
use super::ExperimentError;
use crate::diffusion::{LambdaDensity, ScoreNet, ScoreTrainParams, VpSde};
use crate::entropy::{EntropyEstimator, KozachenkoLeonenko, Minde, Reference};
use crate::estimate::Estimate;
use crate::samples::Samples;
use alloc::vec;
use alloc::vec::Vec;
use rand_core::Rng;

/// Settings of the estimators of [`GaussianTable`](super::GaussianTable) and
/// [`EntropyCompare`](super::EntropyCompare).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct EstimatorConfig {
    /// Neighbour order k of the Kozachenko–Leonenko estimator (≥ 1). Default 5.
    pub k: usize,
    /// Monte Carlo draws of the MINDE time integral and of the I-MMSE λ integral (≥ 80).
    /// Default 100 000.
    pub draws: usize,
    /// Adam steps of the learned score network and of the lattice denoiser; 0 skips both.
    /// Default 4000.
    pub train_steps: usize,
    /// Hidden widths of the score network (and of the lattice denoiser's field network).
    /// Default [128, 128].
    pub hidden: Vec<usize>,
    /// Train the score network with t importance-sampled uniformly in log-SNR (the loss is
    /// reweighted, so the objective is unchanged). Default false.
    pub importance: bool,
}

impl Default for EstimatorConfig {
    fn default() -> Self {
        Self {
            k: 5,
            draws: 100_000,
            train_steps: 4000,
            hidden: vec![128, 128],
            importance: false,
        }
    }
}

/// Fewest integral draws: two per λ-cell of the lattice I-MMSE integral's 40 strata.
const MIN_DRAWS: usize = 80;

impl EstimatorConfig {
    /// Check every setting.
    ///
    /// # Errors
    /// [`ExperimentError::Config`] naming the setting.
    pub fn check(&self) -> Result<(), ExperimentError> {
        KozachenkoLeonenko::new(self.k)
            .map_err(|_| ExperimentError::config("k", "must be at least 1"))?;
        if self.draws < MIN_DRAWS {
            return Err(ExperimentError::config(
                "draws",
                alloc::format!("must be at least {MIN_DRAWS}"),
            ));
        }
        if self.hidden.is_empty() || self.hidden.contains(&0) {
            return Err(ExperimentError::config(
                "hidden",
                "needs at least one width, each at least 1",
            ));
        }
        Ok(())
    }

    /// Refuse a score network for `d`-dimensional samples whose weights cannot be held (the
    /// input is at most d + 64 features with the time embedding).
    ///
    /// # Errors
    /// [`ExperimentError::TooLarge`].
    pub fn check_memory(&self, d: usize) -> Result<(), ExperimentError> {
        let widths: Vec<usize> = core::iter::once(d.saturating_add(64))
            .chain(self.hidden.iter().copied())
            .chain(core::iter::once(d))
            .collect();
        super::check_network("the score network", &widths)
    }

    /// The kNN estimator.
    pub(super) fn knn(&self) -> Result<KozachenkoLeonenko, ExperimentError> {
        Ok(KozachenkoLeonenko::new(self.k)?)
    }

    /// MINDE with a residual score network over the Gaussian fit, trained by denoising score
    /// matching on `x` (weights and training draws from `rng`), with the Gaussian fit as
    /// reference; the integral draws from `seed`.
    pub(super) fn learned_minde<R: Rng + ?Sized>(
        &self,
        x: &Samples,
        seed: u64,
        rng: &mut R,
    ) -> Result<Estimate, ExperimentError> {
        let sde = VpSde::default();
        let mut net = ScoreNet::new(sde, x, &self.hidden, rng)?;
        if self.importance {
            net = net.with_importance(LambdaDensity::Uniform)?;
        }
        let params = ScoreTrainParams {
            steps: self.train_steps,
            ..ScoreTrainParams::default()
        };
        net.train(x, &params, rng)?;
        Ok(Minde::new(sde, net, Reference::GaussianFit, self.draws, seed)?.estimate(x)?)
    }
}

/// One estimator's result.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct EstimatorRow {
    /// Which estimator.
    pub estimator: &'static str,
    /// Its estimate (total entropy of a sample, nats).
    pub estimate: Estimate,
    /// Seconds it took, if the runtime tells time.
    pub seconds: Option<f64>,
}
