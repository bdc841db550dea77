//! [`ReplicaExchange`]: parallel tempering over a ladder of temperatures.
use crate::lattice::{LatticeError, Temperature};
use crate::model::{Model, Sampler, StepStats};
use crate::rng::uniform_f64;
use alloc::vec::Vec;
use rand_core::Rng;

/// Replica exchange (parallel tempering, Swendsen & Wang 1986; Hukushima & Nemoto 1996): one
/// replica of a model at each temperature T₀ < T₁ < … of a ladder, each moved by its own
/// [`Sampler`] built for that temperature. A [`Self::round`] advances every replica by one
/// sampler step and then proposes to exchange the configurations of neighbouring rungs
/// (k, k+1), alternately the even pairs (0,1), (2,3), … and the odd pairs (1,2), (3,4), …
/// (the deterministic even–odd scheme), accepting with the Metropolis probability
///
/// min(1, exp((β_k − β_{k+1})(E_k − E_{k+1}))) ([`swap_probability`]),
///
/// which keeps the product of the Boltzmann distributions at every rung invariant (detailed
/// balance of each swap). A low-temperature rung thereby inherits configurations that crossed
/// barriers at high temperature.
///
/// Bookkeeping: per pair, swaps attempted and accepted; per replica (a configuration followed
/// through its swaps), the last end of the ladder it visited, counting a **round trip** each
/// time a replica that last touched the top reaches the bottom again (after having gone from the
/// bottom to the top).
///
/// # Examples
/// ```
/// use entropic::lattice::{Ising, Square, Temperature};
/// use entropic::sampler::{ReplicaExchange, SingleFlip};
/// let model = Ising::new(Square::with_side(8)?, 1.0, 0.0)?;
/// let ladder: Vec<Temperature> =
///     [2.0, 2.3, 2.6].iter().map(|&t| Temperature::new(t)).collect::<Result<_, _>>()?;
/// let samplers = ladder
///     .iter()
///     .map(|&t| SingleFlip::checkerboard_metropolis(&model, t))
///     .collect::<Result<Vec<_>, _>>()?;
/// let states = vec![model.ordered_state(); 3];
/// let mut pt = ReplicaExchange::new(&ladder, samplers, states)?;
/// let mut rng = entropic::rng::from_seed(1);
/// for _ in 0..200 {
///     pt.round(&model, &mut rng);
/// }
/// assert!(pt.swap_acceptance().iter().all(|&a| a > 0.0));
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
pub struct ReplicaExchange<M: Model, S> {
    betas: Vec<f64>,
    samplers: Vec<S>,
    states: Vec<M::State>,
    energies: Vec<f64>,
    /// Which replica is at each rung.
    replicas: Vec<usize>,
    /// Per replica: the last end of the ladder it visited (`None` before it touched either).
    last_end: Vec<Option<End>>,
    round_trips: u64,
    attempted: Vec<u64>,
    accepted: Vec<u64>,
    /// Counts of each rung's sampler.
    stats: Vec<StepStats>,
    rounds: u64,
}

impl<M: Model, S: Clone> Clone for ReplicaExchange<M, S>
where
    M::State: Clone,
{
    fn clone(&self) -> Self {
        Self {
            betas: self.betas.clone(),
            samplers: self.samplers.clone(),
            states: self.states.clone(),
            energies: self.energies.clone(),
            replicas: self.replicas.clone(),
            last_end: self.last_end.clone(),
            round_trips: self.round_trips,
            attempted: self.attempted.clone(),
            accepted: self.accepted.clone(),
            stats: self.stats.clone(),
            rounds: self.rounds,
        }
    }
}

impl<M: Model, S> core::fmt::Debug for ReplicaExchange<M, S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ReplicaExchange")
            .field("betas", &self.betas)
            .field("replicas", &self.replicas)
            .field("round_trips", &self.round_trips)
            .field("attempted", &self.attempted)
            .field("accepted", &self.accepted)
            .field("rounds", &self.rounds)
            .finish_non_exhaustive()
    }
}

/// An end of the temperature ladder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum End {
    Bottom,
    Top,
}

/// The probability of exchanging the configurations of two rungs at inverse temperatures
/// `beta_a` and `beta_b` with energies `e_a` and `e_b`: min(1, exp((β_a − β_b)(E_a − E_b))).
pub fn swap_probability(beta_a: f64, beta_b: f64, e_a: f64, e_b: f64) -> f64 {
    let x = (beta_a - beta_b) * (e_a - e_b);
    if x >= 0.0 { 1.0 } else { libm::exp(x) }
}

impl<M: Model, S: Sampler<M>> ReplicaExchange<M, S> {
    /// A ladder of `temperatures` (strictly increasing, at least two), the sampler of each rung
    /// and its starting configuration.
    ///
    /// # Errors
    /// [`LatticeError::Unsupported`] for fewer than two rungs, temperatures that do not
    /// increase, or as many samplers or states as rungs.
    pub fn new(
        temperatures: &[Temperature],
        samplers: Vec<S>,
        states: Vec<M::State>,
    ) -> Result<Self, LatticeError>
    where
        M: Model,
    {
        let n = temperatures.len();
        let bad = |needs| {
            Err(LatticeError::Unsupported {
                algorithm: "replica exchange",
                needs,
            })
        };
        if n < 2 {
            return bad("a ladder of at least two temperatures");
        }
        if temperatures
            .windows(2)
            .any(|w| w[0].value() >= w[1].value())
        {
            return bad("strictly increasing temperatures");
        }
        if samplers.len() != n || states.len() != n {
            return bad("one sampler and one starting state per temperature");
        }
        Ok(Self {
            betas: temperatures.iter().map(|t| t.beta()).collect(),
            samplers,
            states,
            energies: Vec::new(),
            replicas: (0..n).collect(),
            last_end: vec_of(n, None),
            round_trips: 0,
            attempted: vec_of(n - 1, 0),
            accepted: vec_of(n - 1, 0),
            stats: vec_of(n, StepStats::default()),
            rounds: 0,
        })
    }

    /// One sampler step at every rung, then one sweep of swap proposals over the even pairs
    /// (even rounds) or the odd pairs (odd rounds). Returns the samplers' summed counts.
    ///
    /// # Panics
    /// If the states do not fit `model` (a programming error, as for [`Sampler::step`]).
    pub fn round<R: Rng + ?Sized>(&mut self, model: &M, rng: &mut R) -> StepStats {
        let mut stats = StepStats::default();
        for ((sampler, state), counts) in self
            .samplers
            .iter_mut()
            .zip(&mut self.states)
            .zip(&mut self.stats)
        {
            let step = sampler.step(model, state, rng);
            *counts += step;
            stats += step;
        }
        self.energies.clear();
        self.energies
            .extend(self.states.iter().map(|s| model.energy(s)));
        let first = (self.rounds % 2) as usize;
        for k in (first..self.betas.len() - 1).step_by(2) {
            self.attempted[k] += 1;
            let p = swap_probability(
                self.betas[k],
                self.betas[k + 1],
                self.energies[k],
                self.energies[k + 1],
            );
            if p >= 1.0 || uniform_f64(rng) < p {
                self.accepted[k] += 1;
                self.states.swap(k, k + 1);
                self.energies.swap(k, k + 1);
                self.replicas.swap(k, k + 1);
            }
        }
        self.track_ends();
        self.rounds += 1;
        stats
    }

    /// Update the ends last visited by the replicas at the bottom and top rungs.
    fn track_ends(&mut self) {
        let top = self.replicas[self.replicas.len() - 1];
        self.last_end[top] = Some(End::Top);
        let bottom = self.replicas[0];
        if self.last_end[bottom] == Some(End::Top) {
            self.round_trips += 1;
        }
        self.last_end[bottom] = Some(End::Bottom);
    }

    /// Rungs in the ladder.
    pub fn len(&self) -> usize {
        self.betas.len()
    }

    /// Always false: a ladder has at least two rungs.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The configuration at rung `k` (temperature `temperatures[k]`).
    ///
    /// # Panics
    /// If `k` is not a rung.
    pub fn state(&self, k: usize) -> &M::State {
        &self.states[k]
    }

    /// Energies of the rungs' configurations after the last round's swaps (empty before the
    /// first round).
    pub fn energies(&self) -> &[f64] {
        &self.energies
    }

    /// The sampler of rung `k`.
    ///
    /// # Panics
    /// If `k` is not a rung.
    pub fn sampler(&self, k: usize) -> &S {
        &self.samplers[k]
    }

    /// Which replica (numbered by its starting rung) is at each rung.
    pub fn replicas(&self) -> &[usize] {
        &self.replicas
    }

    /// Fraction of accepted swaps of each pair (k, k+1) (0 for a pair not yet proposed).
    pub fn swap_acceptance(&self) -> Vec<f64> {
        self.attempted
            .iter()
            .zip(&self.accepted)
            .map(|(&a, &b)| if a == 0 { 0.0 } else { b as f64 / a as f64 })
            .collect()
    }

    /// Summed counts of each rung's sampler.
    pub fn sampler_stats(&self) -> &[StepStats] {
        &self.stats
    }

    /// Zero the counters (swaps, round trips, sampler counts), e.g. after thermalisation; the
    /// replicas keep their states and the ends they last visited.
    pub fn reset_counts(&mut self) {
        self.attempted.iter_mut().for_each(|a| *a = 0);
        self.accepted.iter_mut().for_each(|a| *a = 0);
        self.stats
            .iter_mut()
            .for_each(|s| *s = StepStats::default());
        self.round_trips = 0;
    }

    /// Completed round trips bottom → top → bottom, summed over replicas.
    pub fn round_trips(&self) -> u64 {
        self.round_trips
    }

    /// Rounds run.
    pub fn rounds(&self) -> u64 {
        self.rounds
    }
}

fn vec_of<T: Clone>(n: usize, v: T) -> Vec<T> {
    alloc::vec![v; n]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lattice::{Ising, IsingState, Square, enumeration};
    use crate::rng::from_seed;
    use crate::sampler::{FlipRule, SingleFlip, SweepOrder};
    use crate::stats::IndependentMean;
    use alloc::vec;

    /// Every state of a small lattice.
    fn all_states(model: &Ising) -> Vec<IsingState> {
        let n = model.lattice().sites();
        (0..1u32 << n)
            .map(|bits| {
                let spins = (0..n)
                    .map(|i| if bits >> i & 1 == 1 { 1 } else { -1 })
                    .collect();
                model.state_from_spins(spins).unwrap()
            })
            .collect()
    }

    /// Detailed balance of the swap on the product space, pair by pair of configurations:
    /// π_a(x) π_b(y) P(swap) = π_a(y) π_b(x) P(swap back), for every (x, y) of a 2×3 lattice
    /// in a field.
    #[test]
    fn swaps_satisfy_detailed_balance_by_enumeration() {
        let model = Ising::new(Square::new(2, 3).unwrap(), 0.8, 0.3).unwrap();
        let states = all_states(&model);
        let (ba, bb) = (1.0 / 1.7, 1.0 / 2.9);
        let z = |b: f64| {
            states
                .iter()
                .map(|s| libm::exp(-b * model.energy(s)))
                .sum::<f64>()
        };
        let (za, zb) = (z(ba), z(bb));
        let pi = |b: f64, zz: f64, s: &IsingState| libm::exp(-b * model.energy(s)) / zz;
        for x in &states {
            for y in &states {
                let (ex, ey) = (model.energy(x), model.energy(y));
                let forward = pi(ba, za, x) * pi(bb, zb, y) * swap_probability(ba, bb, ex, ey);
                let backward = pi(ba, za, y) * pi(bb, zb, x) * swap_probability(ba, bb, ey, ex);
                assert!((forward - backward).abs() <= 1e-12 * forward);
            }
        }
    }

    /// A 3×3 Ising model in a field over a four-rung ladder, heat-bath moves and swaps: the
    /// mean energy at every rung within error bars of exact enumeration, started from the
    /// wrong phase.
    #[test]
    fn rung_energies_match_enumeration() {
        let model = Ising::new(Square::with_side(3).unwrap(), 1.0, -0.1).unwrap();
        let ladder: Vec<Temperature> = [1.2, 1.8, 2.5, 3.5]
            .iter()
            .map(|&t| Temperature::new(t).unwrap())
            .collect();
        let samplers = ladder
            .iter()
            .map(|&t| {
                SingleFlip::new(&model, t, FlipRule::HeatBath, SweepOrder::RandomSite).unwrap()
            })
            .collect();
        let mut pt =
            ReplicaExchange::new(&ladder, samplers, vec![model.ordered_state(); 4]).unwrap();
        let mut rng = from_seed(3);
        for _ in 0..200 {
            pt.round(&model, &mut rng);
        }
        // Means of blocks of 100 rounds: independent to a good approximation.
        let (blocks, per) = (200, 100);
        let mut block_means = vec![Vec::new(); 4];
        for _ in 0..blocks {
            let mut sums = [0.0; 4];
            for _ in 0..per {
                pt.round(&model, &mut rng);
                for (s, e) in sums.iter_mut().zip(pt.energies()) {
                    *s += e / 9.0;
                }
            }
            for (b, s) in block_means.iter_mut().zip(sums) {
                b.push(s / per as f64);
            }
        }
        for (k, t) in ladder.iter().enumerate() {
            let exact = enumeration::exact(&model, *t).unwrap().energy_per_spin;
            let e = IndependentMean::of(&block_means[k]);
            assert!(
                (e.value - exact).abs() < 4.0 * e.std_error,
                "T = {}: {} ± {} vs {exact}",
                t.value(),
                e.value,
                e.std_error
            );
        }
        assert!(pt.round_trips() > 10, "{}", pt.round_trips());
        assert!(pt.swap_acceptance().iter().all(|&a| a > 0.2 && a < 1.0));
    }

    #[test]
    fn same_seed_same_bits_and_bad_ladders_are_refused() {
        let model = Ising::new(Square::with_side(4).unwrap(), 1.0, 0.0).unwrap();
        let ladder: Vec<Temperature> = [2.0, 2.5]
            .iter()
            .map(|&t| Temperature::new(t).unwrap())
            .collect();
        let build = |ladder: &[Temperature], n: usize| {
            let samplers = ladder
                .iter()
                .take(n)
                .map(|&t| SingleFlip::checkerboard_metropolis(&model, t).unwrap())
                .collect();
            ReplicaExchange::new(ladder, samplers, vec![model.ordered_state(); ladder.len()])
        };
        let run = || {
            let mut pt = build(&ladder, 2).unwrap();
            let mut rng = from_seed(9);
            for _ in 0..50 {
                pt.round(&model, &mut rng);
            }
            (
                pt.state(0).clone(),
                pt.replicas().to_vec(),
                pt.swap_acceptance(),
            )
        };
        assert_eq!(run(), run());
        assert!(build(&ladder[..1], 1).is_err());
        assert!(build(&[ladder[1], ladder[0]], 2).is_err());
        assert!(build(&ladder, 1).is_err());
    }
}
