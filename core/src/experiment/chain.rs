//! One Markov chain at one temperature for any spin model × algorithm: the unit of work of the
//! lattice experiments ([`LatticeSample`](super::LatticeSample), [`LatticeThermo`](super::LatticeThermo)).
use super::{ExperimentError, Runtime};
use crate::experiment::check_cancelled;
use crate::lattice::{
    Ising, IsingState, LatticeError, PackedIsing, PackedState, REPLICAS, Square, Temperature, Xy,
    XyState,
};
use crate::model::{Model, Observer, Sampler, StepStats, run};
use crate::rng::Xoshiro256PlusPlus;
use crate::sampler::{
    FlipRule, MultiSpin, SingleFlip, SweepOrder, SwendsenWang, Wolff, XyMetropolis,
};
use crate::stats::{MeanEstimate, SeriesRecorder};
use alloc::boxed::Box;
use alloc::vec::Vec;

/// Steps run between two looks at [`Runtime::cancelled`].
const CHUNK: usize = 256;

/// Fewest pilot steps [`Plan::Samples`] accepts: with fewer, Sokal's window closes on noise and
/// τ_int (hence the spacing) is meaningless.
pub const MIN_PILOT: usize = 100;

/// Spin model.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum SpinModel {
    /// ±1 spins.
    #[default]
    Ising,
    /// Planar rotors, angles in [0, 2π).
    Xy,
}

impl SpinModel {
    /// Spin components (the Binder cumulant's normalisation).
    pub fn components(self) -> u8 {
        match self {
            Self::Ising => 1,
            Self::Xy => 2,
        }
    }
}

/// Monte Carlo algorithm.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Algorithm {
    /// Checkerboard Metropolis (Ising) or Metropolis with a tuned proposal width (XY).
    #[default]
    Metropolis,
    /// Checkerboard heat bath (Ising only).
    HeatBath,
    /// Wolff single-cluster updates (h = 0; J < 0 on even sides only).
    Wolff,
    /// Swendsen–Wang multi-cluster updates, one per step (Ising, h = 0, either sign of J).
    SwendsenWang,
    /// Multi-spin coded Metropolis over 64 independent replicas (Ising, h = 0).
    Multispin,
}

impl Algorithm {
    /// Every algorithm.
    pub const ALL: [Self; 5] = [
        Self::Metropolis,
        Self::HeatBath,
        Self::Wolff,
        Self::SwendsenWang,
        Self::Multispin,
    ];

    /// The algorithm of a name ([`Algorithm::name`]), if there is one.
    ///
    /// # Examples
    /// ```
    /// use entropic::experiment::Algorithm;
    /// assert_eq!(Algorithm::named("heat-bath"), Some(Algorithm::HeatBath));
    /// assert_eq!(Algorithm::named("gibbs"), None);
    /// ```
    pub fn named(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }

    /// The name used in configs and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Metropolis => "metropolis",
            Self::HeatBath => "heat-bath",
            Self::Wolff => "wolff",
            Self::SwendsenWang => "swendsen-wang",
            Self::Multispin => "multispin",
        }
    }
}

/// The model and algorithm of a chain.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct ChainConfig {
    /// Spin model. Default Ising.
    pub model: SpinModel,
    /// Linear size L of the periodic L×L lattice (≥ 2; even for checkerboard and multispin).
    /// Default 20.
    pub size: usize,
    /// Coupling J (positive: ferromagnet). Default 1.
    pub coupling: f64,
    /// External field h. Default 0.
    pub field: f64,
    /// Next-nearest-neighbour (diagonal) coupling J₂ of the Ising model
    /// ([`Ising::with_next_nearest`]; Metropolis and heat bath only). Default 0.
    pub next_nearest: f64,
    /// End every sweep with a global spin flip of probability ½ (Metropolis and heat bath at
    /// h = 0, [`SingleFlip::with_global_flip`]), so that a dataset below T_c holds both ordered
    /// phases in equal parts, as the equilibrium distribution does. Default false.
    pub global_flip: bool,
    /// Monte Carlo algorithm. Default Metropolis.
    pub algorithm: Algorithm,
    /// Equilibration steps per chain (Wolff: sweep-equivalents; XY Metropolis: the proposal width
    /// is tuned during these only). Default 1000.
    pub thermalize: usize,
}

impl Default for ChainConfig {
    fn default() -> Self {
        Self {
            model: SpinModel::Ising,
            size: 20,
            coupling: 1.0,
            field: 0.0,
            next_nearest: 0.0,
            global_flip: false,
            algorithm: Algorithm::Metropolis,
            thermalize: 1000,
        }
    }
}

/// What a chain should produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plan {
    /// Record e and |m| after each of `sweeps` steps.
    Series {
        /// Measured steps.
        sweeps: usize,
    },
    /// Measure τ_int in a pilot run of `pilot` steps, then take `count` configurations spaced by
    /// ⌈2 τ_int⌉ steps (the larger τ of e and |m|), so they are nearly independent.
    Samples {
        /// Configurations to record.
        count: usize,
        /// Pilot steps (at least [`MIN_PILOT`]).
        pilot: usize,
    },
}

/// Recorded configurations, flattened (configuration-major, row-major sites).
#[derive(Clone, Debug, PartialEq)]
pub enum Configs {
    /// ±1 spins.
    Spins(Vec<i8>),
    /// Angles in [0, 2π).
    Angles(Vec<f64>),
}

/// What the algorithm tuned or measured while equilibrating.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Tuning {
    /// Nothing to tune (checkerboard Metropolis and heat bath).
    None,
    /// Wolff: clusters per step, chosen so a step flips about one lattice of spins.
    ClustersPerStep(usize),
    /// Multispin: independent replicas per state.
    Replicas(usize),
    /// XY Metropolis: the proposal width tuned during equilibration.
    ProposalWidth(f64),
}

/// How [`Plan::Samples`] spaced its configurations.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spacing {
    /// Steps between two recorded configurations, ⌈2 max(τ_e, τ_|m|)⌉.
    pub steps: usize,
    /// τ_int of the energy in the pilot run.
    pub tau_energy: f64,
    /// τ_int of |m| in the pilot run.
    pub tau_abs_m: f64,
    /// Whether both autocorrelation windows closed.
    pub converged: bool,
}

/// What one chain produced.
#[derive(Clone, Debug, PartialEq)]
pub struct Chain {
    /// Energy per spin after each measured (or pilot) step.
    pub energy: Vec<f64>,
    /// |m| per spin after each measured (or pilot) step.
    pub abs_m: Vec<f64>,
    /// The recorded configurations ([`Plan::Samples`] only).
    pub configs: Option<Configs>,
    /// Acceptance over the measured (or spaced) steps.
    pub acceptance: f64,
    /// What the algorithm tuned.
    pub tuning: Tuning,
    /// The spacing ([`Plan::Samples`] only).
    pub spacing: Option<Spacing>,
    /// Wall seconds per step of the measured (or spaced) steps, if the runtime tells time.
    pub seconds_per_step: Option<f64>,
}

impl Chain {
    /// Effective samples per second of the slower of the two recorded observables (energy and
    /// |m| per spin): r / (2 τ_int · seconds per step) for r independent replicas per step
    /// (64 with multispin, whose recorded series are replica means with the τ_int of one
    /// replica; else 1), τ_int from the pilot ([`Plan::Samples`] only, and only if the runtime
    /// tells time). The number that compares samplers: cost per step against steps per
    /// independent sample.
    pub fn effective_samples_per_second(&self) -> Option<f64> {
        let tau = self.spacing.map(|s| s.tau_energy.max(s.tau_abs_m))?;
        let seconds = self.seconds_per_step.filter(|s| *s > 0.0)?;
        let replicas = match self.tuning {
            Tuning::Replicas(r) => r as f64,
            _ => 1.0,
        };
        Some(replicas / (2.0 * tau * seconds))
    }
}

impl ChainConfig {
    /// Refuse `temperatures` × `per_temperature` stored configurations of this chain's lattice
    /// (1 byte per Ising spin, 8 per XY angle) that cannot be held.
    ///
    /// # Errors
    /// [`ExperimentError::TooLarge`] naming `what`.
    pub(super) fn check_dataset_memory(
        &self,
        what: &'static str,
        temperatures: usize,
        per_temperature: usize,
    ) -> Result<(), ExperimentError> {
        let bytes = match self.model {
            SpinModel::Ising => 1,
            SpinModel::Xy => 8,
        };
        let sites = self.size.saturating_mul(self.size);
        super::check_memory(what, &[temperatures, per_temperature, sites, bytes])
    }

    /// The lattice.
    ///
    /// # Errors
    /// [`LatticeError`](crate::lattice::LatticeError) for a side below 2.
    pub fn square(&self) -> Result<Square, ExperimentError> {
        Ok(Square::with_side(self.size)?)
    }

    /// The Ising model of this chain (J, h, J₂).
    ///
    /// # Errors
    /// The lattice layer's error for a bad size or coupling.
    pub fn ising(&self) -> Result<Ising, ExperimentError> {
        Ok(Ising::new(self.square()?, self.coupling, self.field)?
            .with_next_nearest(self.next_nearest)?)
    }

    /// The single-spin sampler of this chain's Ising model at `t` (checkerboard order, the
    /// chain's rule, the global flip if asked for).
    ///
    /// # Errors
    /// The sampler's errors.
    pub(crate) fn single_flip(
        &self,
        m: &Ising,
        t: Temperature,
    ) -> Result<SingleFlip, LatticeError> {
        let s = SingleFlip::new(m, t, self.flip_rule(), SweepOrder::Checkerboard)?;
        if self.global_flip {
            s.with_global_flip(m)
        } else {
            Ok(s)
        }
    }

    /// Validate the model × algorithm combination (at T = 1) before any work starts.
    ///
    /// # Errors
    /// The lattice layer's error for a bad size, coupling or field or an algorithm that cannot
    /// sample the model; [`ExperimentError::Config`] for an algorithm the XY model lacks.
    pub fn validate(&self) -> Result<(), ExperimentError> {
        self.validate_at(Temperature::new(1.0)?)
    }

    /// As [`validate`](Self::validate), at temperature `t` (samplers refuse some temperatures).
    ///
    /// # Errors
    /// As [`validate`](Self::validate).
    pub fn validate_at(&self, t: Temperature) -> Result<(), ExperimentError> {
        let sq = self.square()?;
        let single_flip = matches!(self.algorithm, Algorithm::Metropolis | Algorithm::HeatBath);
        if self.global_flip && !(self.model == SpinModel::Ising && single_flip) {
            return Err(ExperimentError::config(
                "global_flip",
                "applies to the Ising model's metropolis and heat-bath chains (cluster updates change phase by themselves)",
            ));
        }
        if self.next_nearest != 0.0 && self.model == SpinModel::Xy {
            return Err(ExperimentError::config(
                "next_nearest",
                "the XY model has nearest-neighbour couplings only",
            ));
        }
        match self.model {
            SpinModel::Ising => {
                let m = self.ising()?;
                match self.algorithm {
                    Algorithm::Metropolis | Algorithm::HeatBath => {
                        self.single_flip(&m, t)?;
                    }
                    Algorithm::Wolff => {
                        Wolff::ising(&m, t)?;
                    }
                    Algorithm::SwendsenWang => {
                        SwendsenWang::new(&m, t)?;
                    }
                    Algorithm::Multispin => {
                        MultiSpin::new(&PackedIsing::new(m)?, t)?;
                    }
                }
            }
            SpinModel::Xy => {
                let m = Xy::new(sq, self.coupling, self.field)?;
                match self.algorithm {
                    Algorithm::Metropolis => {}
                    Algorithm::Wolff => {
                        Wolff::xy(&m, t)?;
                    }
                    other => return Err(xy_lacks(other)),
                }
            }
        }
        Ok(())
    }

    pub(crate) fn flip_rule(&self) -> FlipRule {
        if self.algorithm == Algorithm::HeatBath {
            FlipRule::HeatBath
        } else {
            FlipRule::Metropolis
        }
    }

    /// Run one chain at temperature `t` from a random start, drawing from `rng`.
    ///
    /// # Errors
    /// As [`validate_at`](Self::validate_at); [`ExperimentError::Config`] for a pilot shorter
    /// than [`MIN_PILOT`]; [`ExperimentError::TooLarge`] when the configurations cannot be
    /// stored; [`ExperimentError::Cancelled`] when `rt` says so.
    pub fn run<R: Runtime>(
        &self,
        t: Temperature,
        plan: Plan,
        rng: &mut Xoshiro256PlusPlus,
        rt: &R,
    ) -> Result<Chain, ExperimentError> {
        if let Plan::Samples { pilot, .. } = plan {
            check_pilot(pilot)?;
        }
        let warm = self.thermalize;
        if (self.model, self.algorithm) == (SpinModel::Ising, Algorithm::Multispin) {
            let m = PackedIsing::new(self.ising()?)?;
            let mut s = MultiSpin::new(&m, t)?;
            let mut state = m.random_state(rng);
            run_checked(&m, &mut s, &mut state, warm, rng, &mut (), rt)?;
            return drive(
                &m,
                &mut s,
                &mut state,
                plan,
                rng,
                rt,
                Tuning::Replicas(REPLICAS),
            );
        }
        match self.engine(t, rng)? {
            Engine::IsingFlip(m, mut s, mut state) => {
                run_checked(&m, &mut *s, &mut state, warm, rng, &mut (), rt)?;
                drive(&m, &mut *s, &mut state, plan, rng, rt, Tuning::None)
            }
            Engine::IsingWolff(m, mut s, mut state) => {
                let per_step = s.calibrate(&m, &mut state, warm, rng);
                let tuning = Tuning::ClustersPerStep(per_step);
                drive(&m, &mut s, &mut state, plan, rng, rt, tuning)
            }
            Engine::IsingSwendsenWang(m, mut s, mut state) => {
                run_checked(&m, &mut s, &mut state, warm, rng, &mut (), rt)?;
                drive(&m, &mut s, &mut state, plan, rng, rt, Tuning::None)
            }
            Engine::XyMetropolis(m, mut s, mut state) => {
                let width = s.tune(&m, &mut state, warm, rng);
                let tuning = Tuning::ProposalWidth(width);
                drive(&m, &mut s, &mut state, plan, rng, rt, tuning)
            }
            Engine::XyWolff(m, mut s, mut state) => {
                let per_step = s.calibrate(&m, &mut state, warm, rng);
                let tuning = Tuning::ClustersPerStep(per_step);
                drive(&m, &mut s, &mut state, plan, rng, rt, tuning)
            }
        }
    }

    /// The model, the sampler at `t` and a random start drawn from `rng`, for every model ×
    /// algorithm that runs one lattice (multi-spin coding runs 64 replicas and has its own
    /// path in [`run`](Self::run)).
    ///
    /// # Errors
    /// [`ExperimentError::Config`] (field `algorithm`) for multi-spin coding or an algorithm
    /// the XY model lacks; the model's and the sampler's errors.
    pub(crate) fn engine(
        &self,
        t: Temperature,
        rng: &mut Xoshiro256PlusPlus,
    ) -> Result<Engine, ExperimentError> {
        let sq = self.square()?;
        let (j, h) = (self.coupling, self.field);
        Ok(match (self.model, self.algorithm) {
            (SpinModel::Ising, Algorithm::Metropolis | Algorithm::HeatBath) => {
                let m = self.ising()?;
                let s = self.single_flip(&m, t)?;
                let state = m.random_state(rng);
                Engine::IsingFlip(m, Box::new(s), state)
            }
            (SpinModel::Ising, Algorithm::Wolff) => {
                let m = self.ising()?;
                let s = Wolff::ising(&m, t)?;
                let state = m.random_state(rng);
                Engine::IsingWolff(m, s, state)
            }
            (SpinModel::Ising, Algorithm::SwendsenWang) => {
                let m = self.ising()?;
                let s = SwendsenWang::new(&m, t)?;
                let state = m.random_state(rng);
                Engine::IsingSwendsenWang(m, s, state)
            }
            (SpinModel::Xy, Algorithm::Metropolis) => {
                let m = Xy::new(sq, j, h)?;
                let state = m.random_state(rng);
                Engine::XyMetropolis(m, XyMetropolis::new(t), state)
            }
            (SpinModel::Xy, Algorithm::Wolff) => {
                let m = Xy::new(sq, j, h)?;
                let s = Wolff::xy(&m, t)?;
                let state = m.random_state(rng);
                Engine::XyWolff(m, s, state)
            }
            (SpinModel::Ising, Algorithm::Multispin) => {
                return Err(ExperimentError::config(
                    "algorithm",
                    "multispin runs 64 replicas at once, not one lattice",
                ));
            }
            (SpinModel::Xy, other) => return Err(xy_lacks(other)),
        })
    }
}

/// The model, sampler and state of one running lattice chain ([`ChainConfig::engine`]).
#[derive(Clone, Debug)]
pub(crate) enum Engine {
    /// (The sampler boxed: its flip table of 50 thresholds is most of the enum's size.)
    IsingFlip(Ising, Box<SingleFlip>, IsingState),
    IsingWolff(Ising, Wolff, IsingState),
    IsingSwendsenWang(Ising, SwendsenWang, IsingState),
    XyMetropolis(Xy, XyMetropolis, XyState),
    XyWolff(Xy, Wolff, XyState),
}

/// [`ExperimentError::Config`] for a pilot run shorter than [`MIN_PILOT`].
pub(crate) fn check_pilot(pilot: usize) -> Result<(), ExperimentError> {
    if pilot < MIN_PILOT {
        return Err(ExperimentError::config(
            "pilot",
            alloc::format!("needs at least {MIN_PILOT} steps to measure τ_int, got {pilot}"),
        ));
    }
    Ok(())
}

fn xy_lacks(algorithm: Algorithm) -> ExperimentError {
    ExperimentError::config(
        "algorithm",
        alloc::format!(
            "{} is not available for the XY model (use metropolis or wolff)",
            algorithm.name()
        ),
    )
}

/// [`run`] in chunks of [`CHUNK`] steps with a look at the runtime between them; the same
/// sequence of sampler steps (and so the same bits) as one call.
pub(crate) fn run_checked<M, S, O, R>(
    model: &M,
    sampler: &mut S,
    state: &mut M::State,
    steps: usize,
    rng: &mut Xoshiro256PlusPlus,
    observer: &mut O,
    rt: &R,
) -> Result<StepStats, ExperimentError>
where
    M: Model,
    S: Sampler<M>,
    O: Observer<M::State>,
    R: Runtime,
{
    let mut stats = StepStats::default();
    let mut done = 0;
    while done < steps {
        check_cancelled(rt)?;
        let n = CHUNK.min(steps - done);
        stats += run(model, sampler, state, n, rng, observer);
        done += n;
    }
    Ok(stats)
}

/// What a chain records of a model's state: e and |m| per spin, and configurations.
trait Measured: Model {
    /// Sites per configuration.
    fn sites(&self) -> usize;
    /// (energy per spin, |m| per spin); replica means for packed models.
    fn measure(&self, state: &Self::State) -> (f64, f64);
    /// An empty store for `count` configurations (and up to one snapshot more).
    fn store(&self, count: usize) -> Result<Configs, ExperimentError>;
    /// Append the state's configuration(s); returns how many.
    fn snapshot(&self, state: &Self::State, configs: &mut Configs) -> usize;
}

/// A vector with room for `n` values, or [`ExperimentError::TooLarge`].
fn reserve<T>(n: Option<usize>) -> Result<Vec<T>, ExperimentError> {
    let too_large = |n: Option<usize>| ExperimentError::TooLarge {
        what: "the configurations",
        bytes: n.map_or(u128::MAX, |n| n as u128 * core::mem::size_of::<T>() as u128),
    };
    let n = n.ok_or(too_large(None))?;
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| too_large(Some(n)))?;
    Ok(v)
}

fn spin_store(count: usize, per_snapshot: usize, sites: usize) -> Result<Configs, ExperimentError> {
    let n = count
        .checked_add(per_snapshot)
        .and_then(|c| c.checked_mul(sites));
    Ok(Configs::Spins(reserve(n)?))
}

fn push(configs: &mut Configs, spins: &[i8]) {
    if let Configs::Spins(v) = configs {
        v.extend_from_slice(spins);
    }
}

impl Measured for Ising {
    fn sites(&self) -> usize {
        self.lattice().sites()
    }
    fn measure(&self, s: &IsingState) -> (f64, f64) {
        (self.energy_per_spin(s), self.abs_magnetization_per_spin(s))
    }
    fn store(&self, count: usize) -> Result<Configs, ExperimentError> {
        spin_store(count, 1, self.sites())
    }
    fn snapshot(&self, s: &IsingState, c: &mut Configs) -> usize {
        push(c, s.spins());
        1
    }
}

impl Measured for PackedIsing {
    fn sites(&self) -> usize {
        self.model().lattice().sites()
    }
    fn measure(&self, s: &PackedState) -> (f64, f64) {
        let mean = |v: [f64; REPLICAS]| v.iter().sum::<f64>() / REPLICAS as f64;
        (
            mean(self.energies_per_spin(s)),
            mean(self.abs_magnetizations(s)),
        )
    }
    fn store(&self, count: usize) -> Result<Configs, ExperimentError> {
        spin_store(count, REPLICAS, self.sites())
    }
    fn snapshot(&self, s: &PackedState, c: &mut Configs) -> usize {
        for r in 0..REPLICAS {
            push(c, self.replica(s, r).spins());
        }
        REPLICAS
    }
}

impl Measured for Xy {
    fn sites(&self) -> usize {
        self.lattice().sites()
    }
    fn measure(&self, s: &XyState) -> (f64, f64) {
        (self.energy_per_spin(s), self.abs_magnetization_per_spin(s))
    }
    fn store(&self, count: usize) -> Result<Configs, ExperimentError> {
        let n = count
            .checked_add(1)
            .and_then(|c| c.checked_mul(self.sites()));
        Ok(Configs::Angles(reserve(n)?))
    }
    fn snapshot(&self, s: &XyState, c: &mut Configs) -> usize {
        if let Configs::Angles(v) = c {
            v.extend_from_slice(s.angles());
        }
        1
    }
}

/// Seconds per step between two clock readings, if there are both and any steps.
pub(crate) fn per_step(start: Option<f64>, end: Option<f64>, steps: usize) -> Option<f64> {
    Some((end? - start?) / steps.max(1) as f64).filter(|_| steps > 0)
}

fn drive<M, S, R>(
    model: &M,
    sampler: &mut S,
    state: &mut M::State,
    plan: Plan,
    rng: &mut Xoshiro256PlusPlus,
    rt: &R,
    tuning: Tuning,
) -> Result<Chain, ExperimentError>
where
    M: Measured,
    S: Sampler<M>,
    R: Runtime,
{
    let mut series = |sampler: &mut S, state: &mut M::State, steps: usize| {
        let mut rec = (
            SeriesRecorder::new(|x: &M::State| model.measure(x).0),
            SeriesRecorder::new(|x: &M::State| model.measure(x).1),
        );
        let stats = run_checked(model, sampler, state, steps, rng, &mut rec, rt)?;
        Ok::<_, ExperimentError>((rec.0.into_series(), rec.1.into_series(), stats))
    };
    match plan {
        Plan::Series { sweeps } => {
            let start = rt.seconds();
            let (energy, abs_m, stats) = series(sampler, state, sweeps)?;
            Ok(Chain {
                energy,
                abs_m,
                configs: None,
                acceptance: stats.acceptance(),
                tuning,
                spacing: None,
                seconds_per_step: per_step(start, rt.seconds(), sweeps),
            })
        }
        Plan::Samples { count, pilot } => {
            let mut configs = model.store(count)?;
            let (energy, abs_m, _) = series(sampler, state, pilot)?;
            let (te, tm) = (
                MeanEstimate::from_series(&energy)?.autocorrelation,
                MeanEstimate::from_series(&abs_m)?.autocorrelation,
            );
            let spacing = libm::ceil(2.0 * te.tau.max(tm.tau)) as usize;
            let mut stats = StepStats::default();
            let (mut recorded, mut steps, start) = (0, 0, rt.seconds());
            while recorded < count {
                stats += run_checked(model, sampler, state, spacing, rng, &mut (), rt)?;
                recorded += model.snapshot(state, &mut configs);
                steps += spacing;
            }
            let seconds_per_step = per_step(start, rt.seconds(), steps);
            // A packed snapshot adds 64 configurations at once: keep exactly `count`.
            let keep = count * model.sites();
            match &mut configs {
                Configs::Spins(v) => v.truncate(keep),
                Configs::Angles(v) => v.truncate(keep),
            }
            Ok(Chain {
                energy,
                abs_m,
                configs: Some(configs),
                acceptance: stats.acceptance(),
                tuning,
                spacing: Some(Spacing {
                    steps: spacing,
                    tau_energy: te.tau,
                    tau_abs_m: tm.tau,
                    converged: te.converged && tm.converged,
                }),
                seconds_per_step,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ESS/s = r / (2 τ_max · seconds per step), with r = 64 for multispin replicas; absent
    /// without a clock or a pilot.
    #[test]
    fn effective_samples_per_second_counts_replicas() {
        let mut chain = Chain {
            energy: Vec::new(),
            abs_m: Vec::new(),
            configs: None,
            acceptance: 0.5,
            tuning: Tuning::None,
            spacing: Some(Spacing {
                steps: 10,
                tau_energy: 2.5,
                tau_abs_m: 5.0,
                converged: true,
            }),
            seconds_per_step: Some(1e-3),
        };
        assert_eq!(chain.effective_samples_per_second(), Some(100.0));
        chain.tuning = Tuning::Replicas(64);
        assert_eq!(chain.effective_samples_per_second(), Some(6400.0));
        chain.seconds_per_step = None;
        assert_eq!(chain.effective_samples_per_second(), None);
        assert_eq!(per_step(Some(1.0), Some(3.0), 4), Some(0.5));
        assert_eq!(per_step(Some(1.0), Some(3.0), 0), None);
        assert_eq!(per_step(None, Some(3.0), 4), None);
    }
}
