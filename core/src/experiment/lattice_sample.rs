//! Equilibrium datasets of spin configurations on a temperature grid: the library side of
//! `entropic lattice sample` (the data the entropy estimators train on).
use super::chain::{Chain, ChainConfig, Configs, Plan, check_pilot};
use super::{ExperimentError, Runtime, temperatures};
use crate::lattice::Temperature;
use crate::rng::stream;
use alloc::vec::Vec;

/// Settings of a [`LatticeSample`].
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct LatticeSampleConfig {
    /// Model and algorithm.
    pub chain: ChainConfig,
    /// Temperatures (each positive and finite; at least one). Default [2.0].
    pub temperatures: Vec<f64>,
    /// Configurations per temperature (≥ 1). Default 1000.
    pub samples: usize,
    /// Steps of the pilot run that measures τ_int, which sets the spacing of the samples
    /// (≥ [`MIN_PILOT`](super::MIN_PILOT)). Default 2000.
    pub pilot: usize,
}

impl Default for LatticeSampleConfig {
    fn default() -> Self {
        Self {
            chain: ChainConfig::default(),
            temperatures: alloc::vec![2.0],
            samples: 1000,
            pilot: 2000,
        }
    }
}

/// Per temperature: equilibrate, measure τ_int in a pilot run, then record `samples`
/// configurations ⌈2τ_int⌉ steps apart. Temperature k draws from [`stream`]`(seed, k)`, so the
/// result does not depend on how the runtime schedules the temperatures.
///
/// # Examples
/// ```
/// use entropic::experiment::{LatticeSample, LatticeSampleConfig, Sequential, Configs};
///
/// let mut config = LatticeSampleConfig::default();
/// config.chain.size = 4;
/// config.temperatures = vec![1.5, 3.0];
/// config.samples = 10;
/// config.pilot = 200;
/// let chains = LatticeSample::new(config)?.run(1, &Sequential)?;
/// assert_eq!(chains.len(), 2);
/// match &chains[0].configs {
///     Some(Configs::Spins(s)) => assert_eq!(s.len(), 10 * 16),
///     other => panic!("{other:?}"),
/// }
/// # Ok::<(), entropic::experiment::ExperimentError>(())
/// ```
#[derive(Clone, Debug)]
pub struct LatticeSample {
    config: LatticeSampleConfig,
    temperatures: Vec<Temperature>,
}

impl LatticeSample {
    /// Check every setting (at every temperature) before any work.
    ///
    /// # Errors
    /// [`ExperimentError::Config`] for no temperatures, no samples or a pilot shorter than
    /// [`MIN_PILOT`](super::MIN_PILOT); [`ExperimentError::TooLarge`] when the dataset would exceed
    /// [`MAX_STORED_BYTES`](super::MAX_STORED_BYTES); the lattice layer's errors for a bad
    /// model, temperature or algorithm.
    pub fn new(config: LatticeSampleConfig) -> Result<Self, ExperimentError> {
        let temperatures = temperatures(&config.temperatures)?;
        if config.samples == 0 {
            return Err(ExperimentError::config("samples", "must be at least 1"));
        }
        check_pilot(config.pilot)?;
        config.chain.check_dataset_memory(
            "the configurations",
            temperatures.len(),
            config.samples,
        )?;
        for &t in &temperatures {
            config.chain.validate_at(t)?;
        }
        Ok(Self {
            config,
            temperatures,
        })
    }

    /// The settings.
    pub fn config(&self) -> &LatticeSampleConfig {
        &self.config
    }

    /// The validated temperatures, in the config's order.
    pub fn temperatures(&self) -> &[Temperature] {
        &self.temperatures
    }

    /// One chain per temperature, in the config's order (stage "temperatures").
    ///
    /// # Errors
    /// [`ExperimentError::Cancelled`] when `rt` says so; [`ExperimentError::TooLarge`] when a
    /// temperature's configurations cannot be allocated.
    pub fn run<R: Runtime>(&self, seed: u64, rt: &R) -> Result<Vec<Chain>, ExperimentError> {
        let plan = Plan::Samples {
            count: self.config.samples,
            pilot: self.config.pilot,
        };
        rt.map("temperatures", self.temperatures.len(), |k| {
            let mut rng = stream(seed, k);
            self.config
                .chain
                .run(self.temperatures[k], plan, &mut rng, rt)
        })
        .into_iter()
        .collect()
    }
}

/// All chains' configurations in one flat array (temperature-major), as the dataset stores them.
pub fn concatenate(chains: &[Chain]) -> Configs {
    concatenate_configs(chains.iter().filter_map(|c| c.configs.as_ref()))
}

/// Datasets one after another (angles if any holds angles, else spins).
pub(super) fn concatenate_configs<'a>(sets: impl Iterator<Item = &'a Configs>) -> Configs {
    let mut spins = Vec::new();
    let mut angles = Vec::new();
    for set in sets {
        match set {
            Configs::Spins(v) => spins.extend_from_slice(v),
            Configs::Angles(v) => angles.extend_from_slice(v),
        }
    }
    if angles.is_empty() {
        Configs::Spins(spins)
    } else {
        Configs::Angles(angles)
    }
}
