//! The settings of the sample-based entropy estimators an experiment runs side by side, and one
//! row of their results.
use super::ExperimentError;
use super::Runtime;
use super::runtime::timed;
use crate::diffusion::{ConditionalScoreConfig, LambdaDensity, ScoreNet, ScoreTrainParams, VpSde};
use crate::entropy::{
    GaussianMutualInformation, KozachenkoLeonenko, Ksg, KsgVariant, Minde, MindeMutualInformation,
    Mine, MutualInformation, Reference, Whitening,
};
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
    /// Train the learned MINDE entropy's score network with t importance-sampled uniformly in
    /// log-SNR (the loss is reweighted, so the objective is unchanged; MINDE-C always trains
    /// with uniform t). Default false.
    pub importance: bool,
    /// Factor on the whitened x_t where it enters the score network (see
    /// [`ScoreNet::with_input_scale`]; > 0). Default 8.
    pub input_scale: f64,
    /// The score network's output is the residual score times σ_t^α (see
    /// [`ScoreNet::with_sigma_power`]; 0 ≤ α ≤ 1). Default 0.5.
    pub sigma_power: f64,
    /// Data-parallel parts of each training batch of the score network
    /// ([`ScoreTrainParams::parts`]; 1 ≤ parts ≤ 256). Default 1.
    pub parts: usize,
}

impl Default for EstimatorConfig {
    fn default() -> Self {
        Self {
            k: 5,
            draws: 100_000,
            train_steps: 4000,
            hidden: vec![128, 128],
            importance: false,
            input_scale: 8.0,
            sigma_power: 0.5,
            parts: 1,
        }
    }
}

/// Fewest integral draws: two per λ-cell of the lattice I-MMSE integral's 40 strata.
const MIN_DRAWS: usize = 80;

/// An estimator's name with its result and the seconds it took.
pub(super) type TimedEstimate = (
    &'static str,
    (Result<Estimate, ExperimentError>, Option<f64>),
);

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
        if !(self.input_scale.is_finite() && self.input_scale > 0.0) {
            return Err(ExperimentError::config(
                "input_scale",
                "must be finite and positive",
            ));
        }
        if !(0.0..=1.0).contains(&self.sigma_power) {
            return Err(ExperimentError::config("sigma_power", "must be in [0, 1]"));
        }
        let batch = ScoreTrainParams::default().batch;
        if !(1..=batch).contains(&self.parts) {
            return Err(ExperimentError::config(
                "parts",
                alloc::format!("must be between 1 and the batch size {batch}"),
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

    /// The Kozachenko–Leonenko kNN estimator with k = `k`.
    ///
    /// # Errors
    /// [`ExperimentError::Entropy`] for k = 0.
    pub fn knn(&self) -> Result<KozachenkoLeonenko, ExperimentError> {
        Ok(KozachenkoLeonenko::new(self.k)?)
    }

    /// MINDE on the whitened samples ([`Whitening`]; ln |det L| added back) with a residual
    /// score network over their Gaussian fit, trained by denoising score matching (weights and
    /// training draws from `rng`), the fit as reference and the integral's times importance-
    /// sampled uniformly in log-SNR (draws from `seed`). Returns the entropy and the KL(data ‖
    /// Gaussian fit) the score integrated ([`Minde::entropy_and_divergence`]): H = H(fit) − KL.
    /// `stop` is asked before every training step.
    ///
    /// # Errors
    /// The whitening's, the network's and the integral's errors (too few samples, training that
    /// diverged); [`ExperimentError::Cancelled`] when `stop` said so.
    pub fn learned_minde<R: Rng + ?Sized>(
        &self,
        x: &Samples,
        seed: u64,
        rng: &mut R,
        stop: &dyn Fn() -> bool,
    ) -> Result<(Estimate, Estimate), ExperimentError> {
        let sde = VpSde::default();
        let whitening = Whitening::of(x)?;
        let z = whitening.apply(x)?;
        let mut net = ScoreNet::new(sde, &z, &self.hidden, rng)?
            .with_input_scale(self.input_scale)?
            .with_sigma_power(self.sigma_power)?;
        if self.importance {
            net = net.with_importance(LambdaDensity::Uniform)?;
        }
        let params = ScoreTrainParams {
            steps: self.train_steps,
            parts: self.parts,
            ..ScoreTrainParams::default()
        };
        net.train(&z, &params, rng, stop)?;
        let (h, kl) = Minde::new(sde, net, Reference::GaussianFit, self.draws, seed)?
            .with_importance(LambdaDensity::Uniform)?
            .entropy_and_divergence(&z)?;
        let h = Estimate::new(
            h.value + whitening.log_det(),
            h.std_error,
            h.unit,
            h.samples,
        );
        Ok((h, kl))
    }

    /// MINE with `train_steps` Adam steps (initialisation, batches and pairings from `seed`; the
    /// critic's other settings are [`Mine`]'s defaults).
    pub fn mine(&self, seed: u64) -> Mine {
        Mine {
            steps: self.train_steps,
            seed,
            ..Mine::default()
        }
    }

    /// MINDE-C ([`MindeMutualInformation`]) with this config's score-network settings, `draws`
    /// and `train_steps` Adam steps (initialisation, batches and draws from `seed`).
    pub fn minde_c(&self, seed: u64) -> MindeMutualInformation {
        MindeMutualInformation {
            network: ConditionalScoreConfig {
                hidden: self.hidden.clone(),
                input_scale: self.input_scale,
                sigma_power: self.sigma_power,
            },
            training: ScoreTrainParams {
                steps: self.train_steps,
                parts: self.parts,
                ..ScoreTrainParams::default()
            },
            draws: self.draws,
            seed,
        }
    }

    /// The mutual-information estimators on paired samples, in order: the Gaussian (CCA)
    /// value, KSG (both variants, k = `k`) and, unless `train_steps` is 0, MINE and MINDE (the
    /// conditional form, [`MindeMutualInformation`], with this config's score-network settings
    /// and `draws`) with `train_steps` Adam steps (initialisation, batches and draws from
    /// `seed`).
    pub(super) fn mutual_information<R: Runtime>(
        &self,
        x: &Samples,
        y: &Samples,
        seed: u64,
        rt: &R,
    ) -> Result<Vec<TimedEstimate>, ExperimentError> {
        let stop = || rt.cancelled();
        let mi = |estimator: &dyn MutualInformation| {
            timed(rt, || Ok(estimator.estimate_until(x, y, &stop)?))
        };
        let mut rows = vec![
            ("gaussian-cca", mi(&GaussianMutualInformation)),
            ("ksg-1", mi(&Ksg::new(self.k, KsgVariant::First)?)),
            ("ksg-2", mi(&Ksg::new(self.k, KsgVariant::Second)?)),
        ];
        if self.train_steps > 0 {
            rows.push(("mine", mi(&self.mine(seed))));
            rows.push(("minde-c", mi(&self.minde_c(seed))));
        }
        Ok(rows)
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
    /// Learned MINDE only: the KL(data ‖ Gaussian fit) its score integrated, with the integral's
    /// Monte Carlo error — how far the data are from Gaussian as the network saw them. A value
    /// compatible with zero means the row equals the Gaussian fit: Gaussian data, or a network
    /// that learned nothing ([`EstimatorRow::learned_nothing`]).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub divergence: Option<Estimate>,
}

impl EstimatorRow {
    /// A row without a divergence.
    pub fn new(estimator: &'static str, estimate: Estimate, seconds: Option<f64>) -> Self {
        Self {
            estimator,
            estimate,
            seconds,
            divergence: None,
        }
    }

    /// Whether the row carries a divergence indistinguishable from zero: below two standard
    /// errors plus 0.001 nats (a residual that stayed at zero leaves 10⁻⁴ nats or less, with a
    /// Monte Carlo error smaller still).
    pub fn learned_nothing(&self) -> bool {
        self.divergence.is_some_and(|kl| {
            let nats = kl.to_unit(crate::estimate::Unit::Nats);
            nats.value <= 2.0 * nats.std_error + 1e-3
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entropy::tasks::{EntropyTask, LinearMix, Univariate};
    use crate::entropy::{EntropyEstimator, GaussianFit};
    use crate::rng::from_seed;

    /// Learned MINDE must learn: on a rotated uniform square and on a 5D Laplace mix, where the
    /// Gaussian fit is far off, it removes most of the fit's bias (with the score network stuck
    /// at zero it would equal the fit).
    #[test]
    fn learned_minde_moves_from_the_fit_towards_the_truth() {
        let config = EstimatorConfig {
            train_steps: 3000,
            draws: 40_000,
            ..EstimatorConfig::default()
        };
        for (law, d) in [(Univariate::Uniform, 2), (Univariate::Laplace, 5)] {
            let task = LinearMix::new(law, d, 2.0, 3).unwrap();
            let x = task.sample(6000, 4).unwrap();
            let fit = GaussianFit.estimate(&x).unwrap().value - task.entropy();
            let mut rng = from_seed(5);
            let (h, kl) = config.learned_minde(&x, 6, &mut rng, &|| false).unwrap();
            let row = EstimatorRow {
                divergence: Some(kl),
                ..EstimatorRow::new("minde-learned", h, None)
            };
            assert!(!row.learned_nothing(), "{kl:?}");
            assert!((GaussianFit.estimate(&x).unwrap().value - kl.value - h.value).abs() < 1e-9);
            let error = h.value - task.entropy();
            std::println!(
                "{}: fit {fit:+.4}, learned MINDE {error:+.4} ± {:.4}",
                task.name(),
                h.std_error
            );
            assert!(
                fit > 0.2,
                "the fit must be visibly off for the test to mean anything"
            );
            assert!(
                error.abs() < 0.5 * fit,
                "{}: {error} vs fit {fit}",
                task.name()
            );
        }
    }

    /// On Gaussian samples the learned residual has nothing to learn: the row is flagged as
    /// equal to the Gaussian fit.
    #[test]
    fn learned_minde_on_gaussian_data_is_flagged_as_the_fit() {
        let config = EstimatorConfig {
            train_steps: 500,
            draws: 5_000,
            ..EstimatorConfig::default()
        };
        let mut rng = from_seed(2);
        let x: Vec<f64> = (0..4000)
            .map(|_| crate::rng::normal_pair(&mut rng).0)
            .collect();
        let x = Samples::new(x, 2).unwrap();
        let (h, kl) = config.learned_minde(&x, 3, &mut rng, &|| false).unwrap();
        let row = EstimatorRow {
            divergence: Some(kl),
            ..EstimatorRow::new("minde-learned", h, None)
        };
        assert!(row.learned_nothing(), "{kl:?}");
        assert!(!EstimatorRow::new("knn", h, None).learned_nothing());
    }
}
