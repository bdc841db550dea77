//! Every mutual-information estimator on paired samples a user brings; the library side of
//! `entropic entropy mi`.
use super::estimators::{EstimatorConfig, EstimatorRow};
use super::{ExperimentError, Runtime, check_cancelled};
use crate::entropy::{Ksg, KsgVariant};
use crate::samples::Samples;
use alloc::vec::Vec;

/// I(X; Y) by every mutual-information estimator (see [`MutualInformationCompare::run`]).
///
/// # Examples
/// Two independent uniform columns and a copy of the first with noise: I = ε − ln 2ε for noise
/// U(−ε, ε).
/// ```
/// use entropic::experiment::{EstimatorConfig, MutualInformationCompare, Sequential};
/// use entropic::samples::Samples;
/// let mut rng = entropic::rng::from_seed(1);
/// let (mut x, mut y) = (Vec::new(), Vec::new());
/// for _ in 0..3000 {
///     let u = entropic::rng::uniform_f64(&mut rng);
///     x.push(u);
///     y.push(u + 0.2 * (entropic::rng::uniform_f64(&mut rng) - 0.5));
/// }
/// let mut config = EstimatorConfig::default();
/// config.train_steps = 0; // skip MINE and MINDE-C
/// let run = MutualInformationCompare::new(config, Samples::new(x, 1)?, Samples::new(y, 1)?)?;
/// let rows = run.run(1, &Sequential)?;
/// let exact = 0.1 - (0.2f64).ln();
/// let ksg = rows.iter().find(|r| r.estimator == "ksg-1").expect("always runs");
/// assert!((ksg.estimate.value - exact).abs() < 0.05, "{ksg:?} vs {exact}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct MutualInformationCompare {
    config: EstimatorConfig,
    x: Samples,
    y: Samples,
}

impl MutualInformationCompare {
    /// Check the settings against the paired samples.
    ///
    /// # Errors
    /// [`ExperimentError::Config`] naming the setting, or `data` for different row counts or
    /// fewer rows than KSG's 2 (k + 2) or d_x + d_y + 2; [`ExperimentError::TooLarge`] for a
    /// score network (MINDE-C) whose weights cannot be held.
    pub fn new(config: EstimatorConfig, x: Samples, y: Samples) -> Result<Self, ExperimentError> {
        config.check()?;
        if x.len() != y.len() {
            return Err(ExperimentError::config(
                "data",
                alloc::format!(
                    "x has {} rows and y {}; the samples must be paired",
                    x.len(),
                    y.len()
                ),
            ));
        }
        let ksg = Ksg::new(config.k, KsgVariant::First)?;
        let min = ksg.min_samples().max(x.dim() + y.dim() + 2);
        if x.len() < min {
            return Err(ExperimentError::config(
                "data",
                alloc::format!("{} pairs given; at least {min} needed", x.len()),
            ));
        }
        if config.train_steps > 0 {
            config.check_memory(x.dim() + y.dim())?;
        }
        Ok(Self { config, x, y })
    }

    /// The settings.
    pub fn config(&self) -> &EstimatorConfig {
        &self.config
    }

    /// The paired samples (x, y).
    pub fn samples(&self) -> (&Samples, &Samples) {
        (&self.x, &self.y)
    }

    /// The Gaussian (CCA) value, KSG (both variants, k = `k`, maximum norm) and, unless
    /// `train_steps` is 0, MINE and MINDE-C (`train_steps` Adam steps, from `seed`); every
    /// estimate in nats.
    ///
    /// # Errors
    /// [`ExperimentError::Cancelled`]; an estimator's error.
    pub fn run<R: Runtime>(&self, seed: u64, rt: &R) -> Result<Vec<EstimatorRow>, ExperimentError> {
        check_cancelled(rt)?;
        self.config
            .mutual_information(&self.x, &self.y, seed, rt)?
            .into_iter()
            .map(|(estimator, (estimate, seconds))| {
                Ok(EstimatorRow::new(estimator, estimate?, seconds))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A score network for MINDE-C that cannot be held is refused before any work, and not when
    /// the learned estimators are skipped.
    #[test]
    fn an_impossible_score_network_is_refused_up_front() {
        let x = Samples::new((0..40).map(f64::from).collect(), 1).unwrap();
        let y = Samples::new((0..40).map(|i| f64::from(i % 7)).collect(), 1).unwrap();
        let config = EstimatorConfig {
            hidden: alloc::vec![1 << 40, 1 << 40],
            ..EstimatorConfig::default()
        };
        let err = MutualInformationCompare::new(config.clone(), x.clone(), y.clone());
        assert!(
            matches!(err, Err(ExperimentError::TooLarge { .. })),
            "{err:?}"
        );
        let skipped = EstimatorConfig {
            train_steps: 0,
            ..config
        };
        assert!(MutualInformationCompare::new(skipped, x, y).is_ok());
    }

    /// A runtime that says stop after its first look: the learned estimators' training ends
    /// with `Cancelled` at its next step, and the run reports it as such (not as a failure).
    #[test]
    fn cancellation_reaches_into_training() {
        use core::sync::atomic::{AtomicUsize, Ordering};
        #[derive(Debug, Default)]
        struct StopSoon(AtomicUsize);
        impl Runtime for StopSoon {
            fn map<T, F>(&self, _: &str, tasks: usize, f: F) -> Vec<T>
            where
                T: Send,
                F: Fn(usize) -> T + Sync + Send,
            {
                (0..tasks).map(f).collect()
            }
            fn cancelled(&self) -> bool {
                self.0.fetch_add(1, Ordering::Relaxed) > 3
            }
        }
        let x = Samples::new((0..400).map(|i| f64::from(i % 17)).collect(), 1).unwrap();
        let y = Samples::new((0..400).map(|i| f64::from(i % 5)).collect(), 1).unwrap();
        let config = EstimatorConfig {
            train_steps: 1_000_000,
            ..EstimatorConfig::default()
        };
        let run = MutualInformationCompare::new(config, x, y).unwrap();
        let err = run.run(1, &StopSoon::default()).unwrap_err();
        assert_eq!(err, ExperimentError::Cancelled);
        let mine = crate::entropy::Mine {
            steps: 1_000_000,
            ..crate::entropy::Mine::default()
        };
        let (a, b) = (
            Samples::new((0..40).map(f64::from).collect(), 1).unwrap(),
            Samples::new((0..40).map(|i| f64::from(i % 3)).collect(), 1).unwrap(),
        );
        let stopped = crate::entropy::MutualInformation::estimate_until(&mine, &a, &b, &|| true);
        assert_eq!(stopped, Err(crate::entropy::EntropyError::Cancelled));
    }
}
