//! [`LiveChain`]: a chain the caller steps a little at a time (a browser frame, an interactive
//! session), with the temperature changeable between steps and running error bars.
use super::ExperimentError;
use super::chain::{ChainConfig, Engine};
use super::lattice_thermo::ThermoExact;
use crate::lattice::{Temperature, vortex_density};
use crate::model::{Sampler, StepStats, run};
use crate::rng::{Xoshiro256PlusPlus, from_seed};
use crate::sampler::{SwendsenWang, Wolff, XyMetropolis};

use crate::stats::MeanEstimate;
use alloc::vec::Vec;

/// Steps a [`LiveChain`] keeps of each series (the most recent; older halves are dropped).
pub const LIVE_WINDOW: usize = 20_000;

/// Steps the samplers equilibrate (and tune: the XY Metropolis width, the Wolff clusters per
/// step) for after a start or a temperature change, before anything is recorded.
const SETTLE: usize = 100;

/// The current configuration of a [`LiveChain`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Configuration<'a> {
    /// ±1 spins, row-major.
    Spins(&'a [i8]),
    /// Angles in [0, 2π), row-major.
    Angles(&'a [f64]),
}

/// Running means of a [`LiveChain`] since its last temperature change, each with an error bar
/// corrected for autocorrelation ([`MeanEstimate`]); `None` until 20 steps are recorded.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LiveEstimates {
    /// Energy per spin.
    pub energy: Option<MeanEstimate>,
    /// |m| per spin.
    pub abs_magnetization: Option<MeanEstimate>,
    /// Vortices plus antivortices per site (XY only).
    pub vortex_density: Option<MeanEstimate>,
}

/// A chain of any model × algorithm of a [`ChainConfig`] (multi-spin coding excepted: it runs 64
/// replicas, not one lattice to look at), stepped by the caller. After a start or a temperature
/// change it settles for 100 steps unrecorded; then every step records e, |m| (and the XY
/// vortex density) into series of the last [`LIVE_WINDOW`] steps.
///
/// # Examples
/// ```
/// use entropic::experiment::{ChainConfig, Configuration, LiveChain};
/// let mut config = ChainConfig::default();
/// config.size = 16;
/// let mut chain = LiveChain::new(config, 1.5, 1)?;
/// chain.step(200);
/// let cold = chain.estimates().abs_magnetization.unwrap();
/// assert!(cold.value > 0.9);
/// chain.set_temperature(5.0)?;
/// chain.step(200);
/// assert!(chain.estimates().abs_magnetization.unwrap().value < 0.3);
/// assert!(matches!(chain.configuration(), Configuration::Spins(s) if s.len() == 256));
/// # Ok::<(), entropic::experiment::ExperimentError>(())
/// ```
#[derive(Clone, Debug)]
pub struct LiveChain {
    config: ChainConfig,
    temperature: Temperature,
    engine: Engine,
    rng: Xoshiro256PlusPlus,
    steps: u64,
    energy: Vec<f64>,
    abs_m: Vec<f64>,
    vortices: Vec<f64>,
}

impl LiveChain {
    /// A chain of `config` at temperature `t` from a random start (draws from `seed`).
    ///
    /// # Errors
    /// As [`ChainConfig::validate_at`]; [`ExperimentError::Config`] (field `algorithm`) for
    /// multi-spin coding.
    pub fn new(config: ChainConfig, t: f64, seed: u64) -> Result<Self, ExperimentError> {
        let t = Temperature::new(t)?;
        config.validate_at(t)?;
        let mut rng = from_seed(seed);
        let engine = config.engine(t, &mut rng)?;
        let mut chain = Self {
            config,
            temperature: t,
            engine,
            rng,
            steps: 0,
            energy: Vec::new(),
            abs_m: Vec::new(),
            vortices: Vec::new(),
        };
        chain.settle();
        Ok(chain)
    }

    /// Equilibrate (tuning what the sampler tunes) and forget the recorded series.
    fn settle(&mut self) {
        let rng = &mut self.rng;
        match &mut self.engine {
            Engine::IsingWolff(m, s, x) => {
                s.calibrate(m, x, SETTLE, rng);
            }
            Engine::XyWolff(m, s, x) => {
                s.calibrate(m, x, SETTLE, rng);
            }
            Engine::XyMetropolis(m, s, x) => {
                s.tune(m, x, SETTLE, rng);
            }
            Engine::IsingFlip(m, s, x) => {
                run(m, &mut **s, x, SETTLE, rng, &mut ());
            }
            Engine::IsingSwendsenWang(m, s, x) => {
                run(m, s, x, SETTLE, rng, &mut ());
            }
        }
        self.energy.clear();
        self.abs_m.clear();
        self.vortices.clear();
    }

    /// Move to temperature `t`, keeping the configuration; settles and restarts the series.
    ///
    /// # Errors
    /// [`ExperimentError::Lattice`] for a temperature that is not finite and positive (the
    /// chain is unchanged).
    pub fn set_temperature(&mut self, t: f64) -> Result<(), ExperimentError> {
        let t = Temperature::new(t)?;
        self.config.validate_at(t)?;
        match &mut self.engine {
            Engine::IsingFlip(m, s, _) => s.set_temperature(m, t)?,
            Engine::IsingWolff(m, s, _) => *s = Wolff::ising(m, t)?,
            Engine::IsingSwendsenWang(m, s, _) => *s = SwendsenWang::new(m, t)?,
            Engine::XyMetropolis(_, s, _) => *s = XyMetropolis::new(t),
            Engine::XyWolff(m, s, _) => *s = Wolff::xy(m, t)?,
        }
        self.temperature = t;
        self.settle();
        Ok(())
    }

    /// Run `n` steps (sweeps; Wolff: sweep-equivalents of clusters), recording after each;
    /// returns their acceptance rate.
    pub fn step(&mut self, n: usize) -> f64 {
        let mut stats = StepStats::default();
        for _ in 0..n {
            let rng = &mut self.rng;
            stats += match &mut self.engine {
                Engine::IsingFlip(m, s, x) => s.step(m, x, rng),
                Engine::IsingWolff(m, s, x) => s.step(m, x, rng),
                Engine::IsingSwendsenWang(m, s, x) => s.step(m, x, rng),
                Engine::XyMetropolis(m, s, x) => s.step(m, x, rng),
                Engine::XyWolff(m, s, x) => s.step(m, x, rng),
            };
            self.record();
        }
        self.steps += n as u64;
        stats.acceptance()
    }

    fn record(&mut self) {
        if self.energy.len() == LIVE_WINDOW {
            for series in [&mut self.energy, &mut self.abs_m, &mut self.vortices] {
                let half = series.len() / 2;
                series.drain(..half);
            }
        }
        let (e, m) = match &self.engine {
            Engine::IsingFlip(m, _, x)
            | Engine::IsingWolff(m, _, x)
            | Engine::IsingSwendsenWang(m, _, x) => {
                (m.energy_per_spin(x), m.abs_magnetization_per_spin(x))
            }
            Engine::XyMetropolis(m, _, x) | Engine::XyWolff(m, _, x) => {
                self.vortices.push(vortex_density(m, x));
                (m.energy_per_spin(x), m.abs_magnetization_per_spin(x))
            }
        };
        self.energy.push(e);
        self.abs_m.push(m);
    }

    /// The running estimates since the last temperature change.
    pub fn estimates(&self) -> LiveEstimates {
        let mean = |s: &[f64]| MeanEstimate::from_series(s).ok();
        LiveEstimates {
            energy: mean(&self.energy),
            abs_magnetization: mean(&self.abs_m),
            vortex_density: mean(&self.vortices),
        }
    }

    /// Exact values at the current temperature, where they exist
    /// ([`ChainConfig::exact`]).
    ///
    /// # Errors
    /// As [`ChainConfig::exact`].
    pub fn exact(&self) -> Result<ThermoExact, ExperimentError> {
        self.config.exact(self.temperature)
    }

    /// The current configuration.
    pub fn configuration(&self) -> Configuration<'_> {
        match &self.engine {
            Engine::IsingFlip(_, _, x)
            | Engine::IsingWolff(_, _, x)
            | Engine::IsingSwendsenWang(_, _, x) => Configuration::Spins(x.spins()),
            Engine::XyMetropolis(_, _, x) | Engine::XyWolff(_, _, x) => {
                Configuration::Angles(x.angles())
            }
        }
    }

    /// The chain's settings.
    pub fn config(&self) -> &ChainConfig {
        &self.config
    }

    /// The current temperature.
    pub fn temperature(&self) -> f64 {
        self.temperature.value()
    }

    /// Steps run since the start (settling excluded).
    pub fn steps(&self) -> u64 {
        self.steps
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::{Algorithm, SpinModel};

    fn config(model: SpinModel, algorithm: Algorithm, size: usize) -> ChainConfig {
        ChainConfig {
            model,
            algorithm,
            size,
            ..ChainConfig::default()
        }
    }

    /// Every Ising algorithm's running energy agrees with Kaufman's on the same 8×8 torus
    /// within five of its error bars, also after moving to the temperature from another.
    #[test]
    fn running_energy_agrees_with_kaufman() {
        for algorithm in [
            Algorithm::Metropolis,
            Algorithm::HeatBath,
            Algorithm::Wolff,
            Algorithm::SwendsenWang,
        ] {
            let mut chain = LiveChain::new(config(SpinModel::Ising, algorithm, 8), 1.5, 3).unwrap();
            chain.step(300);
            chain.set_temperature(2.5).unwrap();
            chain.step(4000);
            let e = chain.estimates().energy.unwrap();
            let exact = chain.exact().unwrap().energy_per_spin.unwrap();
            assert!(
                (e.value - exact).abs() < 5.0 * e.std_error,
                "{algorithm:?}: {} ± {} vs {exact}",
                e.value,
                e.std_error
            );
            assert_eq!(chain.steps(), 4300);
        }
    }

    /// XY: vortices proliferate above T_BKT and are absent deep in the ordered phase; the
    /// series restart at a temperature change.
    #[test]
    fn xy_vortex_density_follows_the_temperature() {
        for algorithm in [Algorithm::Metropolis, Algorithm::Wolff] {
            let mut chain = LiveChain::new(config(SpinModel::Xy, algorithm, 16), 2.0, 1).unwrap();
            chain.step(300);
            let hot = chain.estimates().vortex_density.unwrap().value;
            chain.set_temperature(0.3).unwrap();
            assert!(chain.estimates().vortex_density.is_none(), "restarted");
            chain.step(300);
            let cold = chain.estimates().vortex_density.unwrap().value;
            assert!(hot > 0.05 && cold < 0.01, "{algorithm:?}: {hot} → {cold}");
            assert!(matches!(chain.configuration(), Configuration::Angles(a) if a.len() == 256));
        }
    }

    #[test]
    fn bad_requests_are_refused_and_change_nothing() {
        assert!(LiveChain::new(config(SpinModel::Ising, Algorithm::Multispin, 8), 2.0, 0).is_err());
        assert!(LiveChain::new(config(SpinModel::Xy, Algorithm::HeatBath, 8), 2.0, 0).is_err());
        assert!(
            LiveChain::new(config(SpinModel::Ising, Algorithm::Metropolis, 7), 2.0, 0).is_err()
        );
        let mut chain =
            LiveChain::new(config(SpinModel::Ising, Algorithm::Metropolis, 8), 2.0, 0).unwrap();
        for t in [f64::NAN, 0.0, -1.0, f64::INFINITY] {
            assert!(chain.set_temperature(t).is_err());
        }
        assert_eq!(chain.temperature(), 2.0);
    }

    /// The series keep at most the window's most recent steps.
    #[test]
    fn series_stay_within_the_window() {
        let mut chain =
            LiveChain::new(config(SpinModel::Ising, Algorithm::Metropolis, 4), 2.0, 0).unwrap();
        chain.step(LIVE_WINDOW + 10);
        assert!(chain.energy.len() <= LIVE_WINDOW && chain.energy.len() > LIVE_WINDOW / 2);
        assert_eq!(chain.energy.len(), chain.abs_m.len());
    }
}
