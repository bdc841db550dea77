//! The vocabulary shared by every model and sampler: a [`Model`] scores states, a [`Sampler`]
//! moves a state, an [`Observer`] watches a run. Model, state and sampler are kept apart so one
//! model can be driven by several samplers and one sampler can serve many chains.
use rand_core::Rng;

/// A distribution over states, P(s) ∝ exp(−β E(s)), known through its energy function.
pub trait Model {
    /// A configuration of the model.
    type State;
    /// Energy E(s) of a state, in units of the model's couplings.
    fn energy(&self, state: &Self::State) -> f64;
}

/// Counts from one sampler step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct StepStats {
    /// Elementary moves attempted (single-spin proposals; for cluster moves, spins flipped).
    pub attempted: u64,
    /// Elementary moves accepted (spins changed).
    pub accepted: u64,
    /// Clusters built (cluster samplers only; 0 otherwise).
    pub clusters: u64,
}

impl StepStats {
    /// Fraction of attempted moves that were accepted (0 when nothing was attempted).
    pub fn acceptance(&self) -> f64 {
        if self.attempted == 0 {
            0.0
        } else {
            self.accepted as f64 / self.attempted as f64
        }
    }
}

impl core::ops::AddAssign for StepStats {
    fn add_assign(&mut self, rhs: Self) {
        self.attempted += rhs.attempted;
        self.accepted += rhs.accepted;
        self.clusters += rhs.clusters;
    }
}

/// A Markov-chain kernel that leaves its model's distribution invariant.
///
/// One `step` is the sampler's natural unit of work (a sweep for single-spin samplers, one
/// cluster for Wolff). A sampler is built for one model; passing a state whose shape differs from
/// that model's is a programming error and panics.
///
/// # Examples
/// A model and a sampler of one's own: a two-level system (energies 0 and Δ) and a heat-bath
/// kernel, which draws the level afresh each step, so the steps are independent and the excited
/// fraction has the binomial error bar; exact: e^{−βΔ}/(1 + e^{−βΔ}).
/// ```
/// use entropic::model::{Model, Observer, Sampler, StepStats, run};
/// use entropic::rng::{from_seed, uniform_f64};
/// use rand_core::Rng;
///
/// struct TwoLevel { gap: f64 }
/// impl Model for TwoLevel {
///     type State = bool; // excited?
///     fn energy(&self, excited: &bool) -> f64 { if *excited { self.gap } else { 0.0 } }
/// }
///
/// struct HeatBath { beta: f64 }
/// impl Sampler<TwoLevel> for HeatBath {
///     fn step<R: Rng + ?Sized>(&mut self, m: &TwoLevel, s: &mut bool, rng: &mut R) -> StepStats {
///         let w = libm::exp(-self.beta * m.gap);
///         let next = uniform_f64(rng) < w / (1.0 + w);
///         let changed = next != *s;
///         *s = next;
///         StepStats { attempted: 1, accepted: u64::from(changed), clusters: 0 }
///     }
/// }
///
/// struct Count(u64);
/// impl Observer<bool> for Count {
///     fn on_step(&mut self, _step: usize, excited: &bool) { self.0 += u64::from(*excited); }
/// }
///
/// let (model, beta, n) = (TwoLevel { gap: 1.0 }, 1.0, 100_000);
/// let (mut state, mut count) = (false, Count(0));
/// run(&model, &mut HeatBath { beta }, &mut state, n, &mut from_seed(7), &mut count);
/// let exact = libm::exp(-beta) / (1.0 + libm::exp(-beta));
/// let p = count.0 as f64 / n as f64;
/// let error = libm::sqrt(exact * (1.0 - exact) / n as f64);
/// assert!((p - exact).abs() < 4.0 * error, "{p} vs {exact} ± {error}");
/// ```
pub trait Sampler<M: Model> {
    /// Advance `state` by one step.
    fn step<R: Rng + ?Sized>(&mut self, model: &M, state: &mut M::State, rng: &mut R) -> StepStats;
}

/// Watches a run or a training loop; every method has a no-op default.
pub trait Observer<S: ?Sized> {
    /// Called after step `step` (counting from 0) with the current state.
    fn on_step(&mut self, _step: usize, _state: &S) {}
}

impl<S: ?Sized> Observer<S> for () {}

impl<S: ?Sized, A: Observer<S>, B: Observer<S>> Observer<S> for (A, B) {
    fn on_step(&mut self, step: usize, state: &S) {
        self.0.on_step(step, state);
        self.1.on_step(step, state);
    }
}

impl<S: ?Sized, O: Observer<S> + ?Sized> Observer<S> for &mut O {
    fn on_step(&mut self, step: usize, state: &S) {
        (**self).on_step(step, state);
    }
}

/// Run `steps` sampler steps, calling `observer` after each, and return the summed counts.
///
/// # Examples
/// ```
/// use entropic::prelude::*;
/// use entropic::lattice::{Ising, Square, Temperature};
/// use entropic::sampler::SingleFlip;
/// let model = Ising::new(Square::new(8, 8)?, 1.0, 0.0)?;
/// let mut sampler = SingleFlip::checkerboard_metropolis(&model, Temperature::new(3.0)?)?;
/// let mut state = model.ordered_state();
/// let stats = run(&model, &mut sampler, &mut state, 10, &mut entropic::rng::from_seed(1), &mut ());
/// assert_eq!(stats.attempted, 640);
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
pub fn run<M, S, R, O>(
    model: &M,
    sampler: &mut S,
    state: &mut M::State,
    steps: usize,
    rng: &mut R,
    observer: &mut O,
) -> StepStats
where
    M: Model,
    S: Sampler<M> + ?Sized,
    R: Rng + ?Sized,
    O: Observer<M::State> + ?Sized,
{
    let mut total = StepStats::default();
    for k in 0..steps {
        total += sampler.step(model, state, rng);
        observer.on_step(k, state);
    }
    total
}
