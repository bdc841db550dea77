//! One Ising chain at one temperature with error bars and the exact values beside them: the
//! library side of `entropic ising` (and the quick-start job).
use super::chain::run_checked;
use super::{ExperimentError, Runtime, check_memory, where_defined};
use crate::lattice::{Ising, IsingState, Square, Temperature, enumeration, kaufman, onsager};
use crate::rng::from_seed;
use crate::sampler::SingleFlip;
use crate::stats::{MeanEstimate, SeriesRecorder};
use alloc::vec::Vec;

/// Initial state of the chain.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Start {
    /// All spins up.
    #[default]
    Cold,
    /// Independent random spins.
    Hot,
}

/// Settings of an [`IsingRun`]: checkerboard Metropolis on a periodic L×L lattice.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct IsingConfig {
    /// Linear size L (even, ≥ 4). Default 32.
    pub size: usize,
    /// Temperature in units of J/k_B (T_c ≈ 2.269 for J = 1). Default 2.
    pub temperature: f64,
    /// Measured sweeps (one sweep = one attempted flip per spin; ≥ 2). Default 5000.
    pub sweeps: usize,
    /// Sweeps discarded for equilibration before measuring. Default 1000.
    pub thermalize: usize,
    /// Coupling J. Default 1.
    pub coupling: f64,
    /// External field h. Default 0.
    pub field: f64,
    /// Initial state. Default cold.
    pub start: Start,
}

impl Default for IsingConfig {
    fn default() -> Self {
        Self {
            size: 32,
            temperature: 2.0,
            sweeps: 5000,
            thermalize: 1000,
            coupling: 1.0,
            field: 0.0,
            start: Start::Cold,
        }
    }
}

/// Exact values for the simulated model, where they exist.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct IsingReference {
    /// Energy per spin of the same finite lattice: Kaufman at h = 0, enumeration for at most
    /// [`enumeration::MAX_SITES`] sites (any field).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub exact_energy: Option<f64>,
    /// ⟨|m|⟩ of the same finite lattice (enumeration only).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub exact_abs_m: Option<f64>,
    /// Onsager's infinite-lattice energy per spin (h = 0).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub onsager_energy: Option<f64>,
    /// Onsager–Yang spontaneous magnetisation of the infinite lattice (h = 0).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub onsager_m: Option<f64>,
}

impl IsingReference {
    /// The exact values for `model` at `t` (all `None` where none exists): Kaufman and Onsager
    /// for the zero-field nearest-neighbour model, enumeration for any small one.
    ///
    /// # Errors
    /// The lattice layer's error where a reference cannot be evaluated.
    pub fn for_model(model: &Ising, t: Temperature) -> Result<Self, ExperimentError> {
        let mut r = Self::default();
        let small = model.lattice().sites() <= enumeration::MAX_SITES;
        if model.field() == 0.0 && model.next_nearest() == 0.0 && model.coupling() != 0.0 {
            if !small {
                let finite = where_defined(kaufman::exact(model, t))?;
                r.exact_energy = finite.map(|f| f.energy_per_spin);
            }
            r.onsager_energy = Some(onsager::energy_per_spin(model.coupling(), t)?);
            r.onsager_m = Some(onsager::spontaneous_magnetization(model.coupling(), t)?);
        }
        if small {
            let exact = enumeration::exact(model, t)?;
            r.exact_energy = Some(exact.energy_per_spin);
            r.exact_abs_m = Some(exact.abs_magnetization);
        }
        Ok(r)
    }
}

/// What an [`IsingRun`] measured.
#[derive(Clone, Debug, PartialEq)]
pub struct IsingResult {
    /// Energy per spin with its autocorrelation-corrected error bar.
    pub energy: MeanEstimate,
    /// |m| per spin with its autocorrelation-corrected error bar.
    pub abs_m: MeanEstimate,
    /// Acceptance over the measured sweeps.
    pub acceptance: f64,
    /// Energy per spin after each measured sweep.
    pub energy_series: Vec<f64>,
    /// |m| per spin after each measured sweep.
    pub abs_m_series: Vec<f64>,
    /// The state after the last sweep.
    pub final_state: IsingState,
    /// Exact values to compare with.
    pub reference: IsingReference,
}

/// A validated [`IsingConfig`], ready to run.
///
/// # Examples
/// ```
/// use entropic::experiment::{IsingConfig, IsingRun, Sequential};
///
/// let config = IsingConfig { size: 8, sweeps: 2000, thermalize: 200, ..IsingConfig::default() };
/// let result = IsingRun::new(config)?.run(7, &Sequential)?;
/// let exact = result.reference.exact_energy.unwrap(); // Kaufman, same 8×8 torus
/// assert!((result.energy.value - exact).abs() < 5.0 * result.energy.std_error);
/// # Ok::<(), entropic::experiment::ExperimentError>(())
/// ```
#[derive(Clone, Debug)]
pub struct IsingRun {
    config: IsingConfig,
    model: Ising,
    temperature: Temperature,
}

impl IsingRun {
    /// Check every setting before any work.
    ///
    /// # Errors
    /// [`ExperimentError::Config`] for fewer than 2 sweeps; [`ExperimentError::TooLarge`] when
    /// the two series would exceed [`MAX_STORED_BYTES`](super::MAX_STORED_BYTES); the lattice
    /// layer's errors for a bad size, temperature, coupling or field, or one at which
    /// checkerboard Metropolis is refused.
    pub fn new(config: IsingConfig) -> Result<Self, ExperimentError> {
        if config.sweeps < 2 {
            return Err(ExperimentError::config(
                "sweeps",
                alloc::format!(
                    "must be at least 2 to give an error bar, got {}",
                    config.sweeps
                ),
            ));
        }
        check_memory("the energy and |m| series", &[2, config.sweeps, 8])?;
        let temperature = Temperature::new(config.temperature)?;
        let model = Ising::new(
            Square::with_side(config.size)?,
            config.coupling,
            config.field,
        )?;
        SingleFlip::checkerboard_metropolis(&model, temperature)?;
        Ok(Self {
            config,
            model,
            temperature,
        })
    }

    /// The settings.
    pub fn config(&self) -> &IsingConfig {
        &self.config
    }

    /// The model.
    pub fn model(&self) -> &Ising {
        &self.model
    }

    /// Thermalise, measure and compare. Progress is reported per chunk of sweeps under the
    /// stages "thermalize" and "measure".
    ///
    /// # Errors
    /// [`ExperimentError::Cancelled`] when `rt` says so; the statistics layer's error if a
    /// series is too short for an error bar.
    pub fn run<R: Runtime>(&self, seed: u64, rt: &R) -> Result<IsingResult, ExperimentError> {
        let model = &self.model;
        let mut sampler = SingleFlip::checkerboard_metropolis(model, self.temperature)?;
        let mut rng = from_seed(seed);
        let mut state = match self.config.start {
            Start::Cold => model.ordered_state(),
            Start::Hot => model.random_state(&mut rng),
        };
        let mut warm = Progress::new(rt, "thermalize", self.config.thermalize);
        run_checked(
            model,
            &mut sampler,
            &mut state,
            self.config.thermalize,
            &mut rng,
            &mut warm,
            rt,
        )?;
        let mut observers = (
            (
                SeriesRecorder::new(|s: &IsingState| model.energy_per_spin(s)),
                SeriesRecorder::new(|s: &IsingState| model.abs_magnetization_per_spin(s)),
            ),
            Progress::new(rt, "measure", self.config.sweeps),
        );
        let stats = run_checked(
            model,
            &mut sampler,
            &mut state,
            self.config.sweeps,
            &mut rng,
            &mut observers,
            rt,
        )?;
        let ((energy, abs_m), _) = observers;
        let (energy_series, abs_m_series) = (energy.into_series(), abs_m.into_series());
        Ok(IsingResult {
            energy: MeanEstimate::from_series(&energy_series)?,
            abs_m: MeanEstimate::from_series(&abs_m_series)?,
            acceptance: stats.acceptance(),
            energy_series,
            abs_m_series,
            final_state: state,
            reference: IsingReference::for_model(model, self.temperature)?,
        })
    }
}

/// Reports a sequential stage's progress to the runtime every 1 % of its steps.
struct Progress<'a, R> {
    rt: &'a R,
    stage: &'static str,
    total: u64,
    every: u64,
    done: u64,
}

impl<'a, R: Runtime> Progress<'a, R> {
    fn new(rt: &'a R, stage: &'static str, total: usize) -> Self {
        let total = total as u64;
        Self {
            rt,
            stage,
            total,
            every: (total / 100).max(1),
            done: 0,
        }
    }
}

impl<R: Runtime, S: ?Sized> crate::model::Observer<S> for Progress<'_, R> {
    fn on_step(&mut self, _step: usize, _state: &S) {
        self.done += 1;
        if self.done % self.every == 0 || self.done == self.total {
            self.rt.progress(self.stage, self.done, self.total);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::Sequential;

    fn small() -> IsingConfig {
        IsingConfig {
            size: 4,
            sweeps: 20_000,
            thermalize: 500,
            temperature: 2.5,
            field: 0.3,
            ..IsingConfig::default()
        }
    }

    #[test]
    fn matches_enumeration_in_a_field() {
        // 4×4 in a field: no closed form, but enumeration is exact.
        let r = IsingRun::new(small()).unwrap().run(3, &Sequential).unwrap();
        let exact_e = r.reference.exact_energy.unwrap();
        let exact_m = r.reference.exact_abs_m.unwrap();
        assert!(r.reference.onsager_energy.is_none());
        crate::test_util::assert_within_sigmas(&r.energy, exact_e, 4.0);
        crate::test_util::assert_within_sigmas(&r.abs_m, exact_m, 4.0);
        assert_eq!(r.energy_series.len(), 20_000);
    }

    /// A next-nearest coupling: no Kaufman or Onsager value (theirs are the nearest-neighbour
    /// model's), enumeration where the lattice is small.
    #[test]
    fn references_of_a_next_nearest_model() {
        let t = Temperature::new(2.0).unwrap();
        let model = |l| {
            Ising::new(Square::with_side(l).unwrap(), 1.0, 0.0)
                .unwrap()
                .with_next_nearest(-0.25)
                .unwrap()
        };
        assert_eq!(
            IsingReference::for_model(&model(8), t).unwrap(),
            IsingReference::default()
        );
        let small = IsingReference::for_model(&model(4), t).unwrap();
        let exact = enumeration::exact(&model(4), t).unwrap();
        assert_eq!(small.exact_energy, Some(exact.energy_per_spin));
        assert!(small.onsager_energy.is_none() && small.onsager_m.is_none());
    }

    #[test]
    fn refuses_before_work() {
        let bad = |c: IsingConfig| IsingRun::new(c).unwrap_err();
        assert!(matches!(
            bad(IsingConfig {
                sweeps: 1,
                ..small()
            }),
            ExperimentError::Config {
                field: "sweeps",
                ..
            }
        ));
        assert!(matches!(
            bad(IsingConfig {
                sweeps: usize::MAX,
                ..small()
            }),
            ExperimentError::TooLarge { .. }
        ));
        assert!(matches!(
            bad(IsingConfig {
                coupling: 0.0,
                field: 0.0,
                ..small()
            }),
            ExperimentError::Lattice(_)
        ));
        assert!(matches!(
            bad(IsingConfig {
                temperature: f64::NAN,
                ..small()
            }),
            ExperimentError::Lattice(_)
        ));
    }

    #[test]
    fn progress_is_reported_and_cancellation_stops_the_run() {
        let rt = crate::test_util::CancelAfterReports::new(3);
        let err = IsingRun::new(small()).unwrap().run(3, &rt).unwrap_err();
        assert_eq!(err, ExperimentError::Cancelled);
        // Stopped within one chunk of the third report (1 % of 500 thermalisation sweeps each).
        assert!(rt.count() < 3 + 256 / 5 + 1);
    }
}
