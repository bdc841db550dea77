//! [`LatticeTemper`]: replica exchange (parallel tempering) over a ladder of temperatures, the
//! library side of `entropic lattice temper`.
use super::chain::{Configs, per_step};
use super::ising::IsingReference;
use super::lattice_sample::concatenate_configs;
use super::{
    Algorithm, ChainConfig, ExperimentError, Runtime, SpinModel, check_cancelled, check_memory,
    temperatures,
};
use crate::lattice::{Ising, Temperature, Xy};
use crate::model::{Model, Sampler};
use crate::rng::{Xoshiro256PlusPlus, from_seed};
use crate::sampler::{ReplicaExchange, Wolff, XyMetropolis};
use crate::stats::MeanEstimate;
use alloc::vec::Vec;

/// Settings of a [`LatticeTemper`] run.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct LatticeTemperConfig {
    /// Model, lattice, couplings and the sampler of every rung (Metropolis, heat bath, Wolff or
    /// Swendsen–Wang; not multispin), and the thermalisation rounds.
    pub chain: ChainConfig,
    /// The ladder: strictly increasing temperatures, at least two. Default 12 temperatures
    /// spaced geometrically from 2.0 to 2.6.
    pub temperatures: Vec<f64>,
    /// Measured rounds (each: one sampler step at every rung, then one sweep of swap proposals;
    /// ≥ 2). Default 20 000.
    pub rounds: usize,
    /// Every replica starts with all spins up (θ = 0), else with independent random spins.
    /// Default true (cold).
    pub cold_start: bool,
    /// Configurations kept per rung as a dataset (the state at that rung's temperature after
    /// every ⌊rounds / keep⌋-th measured round; 0 keeps none; at most `rounds`). Default 0.
    pub keep: usize,
}

impl Default for LatticeTemperConfig {
    fn default() -> Self {
        let (lo, hi, n) = (2.0f64, 2.6f64, 12);
        Self {
            chain: ChainConfig {
                size: 32,
                ..ChainConfig::default()
            },
            temperatures: (0..n)
                .map(|k| lo * libm::pow(hi / lo, k as f64 / (n - 1) as f64))
                .collect(),
            rounds: 20_000,
            cold_start: true,
            keep: 0,
        }
    }
}

/// What one rung measured.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct TemperRung {
    /// Its temperature.
    pub temperature: f64,
    /// Energy per spin with its autocorrelation-corrected error bar.
    pub energy: MeanEstimate,
    /// |m| per spin with its autocorrelation-corrected error bar.
    pub abs_m: MeanEstimate,
    /// Acceptance of the rung's sampler over the measured rounds (cluster samplers: the
    /// fraction of spins flipped per step).
    pub acceptance: f64,
    /// Exact values (Ising: Kaufman or enumeration), where they exist.
    pub reference: IsingReference,
    /// XY: the helicity modulus Υ ([`Xy::helicity_sample`]) with its error bar; `None` for
    /// Ising.
    pub helicity: Option<MeanEstimate>,
    /// Effective samples per second at this rung, 1 / (2 τ_int · seconds per round) with the
    /// larger τ_int of e and |m| and the cost of a whole round (every rung moves, and the rung's
    /// samples need them all): the number to set against one chain's
    /// (`lattice sample`'s ESS/s). `None` if the runtime tells no time.
    pub effective_samples_per_second: Option<f64>,
}

/// What a [`LatticeTemper`] run measured.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LatticeTemperResult {
    /// Every rung, in the ladder's order.
    pub rungs: Vec<TemperRung>,
    /// Fraction of accepted swaps of each neighbouring pair (k, k + 1).
    pub swap_acceptance: Vec<f64>,
    /// Completed round trips bottom → top → bottom over the measured rounds, summed over
    /// replicas.
    pub round_trips: u64,
    /// Energy per spin of the bottom rung after each measured round.
    pub bottom_energy_series: Vec<f64>,
    /// Wall seconds per measured round, if the runtime tells time.
    pub seconds_per_round: Option<f64>,
    /// The kept configurations (`keep` per rung, rung-major, as `lattice sample` stores them);
    /// `None` when `keep` is 0.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub configs: Option<Configs>,
}

/// A validated replica-exchange run: every rung's sampler is built (and so checked) before any
/// work.
///
/// # Examples
/// ```
/// use entropic::experiment::{LatticeTemper, LatticeTemperConfig, Sequential};
/// let mut config = LatticeTemperConfig::default();
/// config.chain.size = 4;
/// config.temperatures = vec![2.0, 2.5, 3.0];
/// config.rounds = 2000;
/// config.chain.thermalize = 200;
/// let result = LatticeTemper::new(config)?.run(1, &Sequential)?;
/// let bottom = &result.rungs[0];
/// let exact = bottom.reference.exact_energy.expect("enumeration of 4×4");
/// assert!((bottom.energy.value - exact).abs() < 5.0 * bottom.energy.std_error);
/// # Ok::<(), entropic::experiment::ExperimentError>(())
/// ```
#[derive(Clone, Debug)]
pub struct LatticeTemper {
    config: LatticeTemperConfig,
    ladder: Vec<Temperature>,
}

impl LatticeTemper {
    /// Check every setting before any work.
    ///
    /// # Errors
    /// [`ExperimentError::Config`] naming the setting (`rounds` below 2, `temperatures` not
    /// strictly increasing or fewer than two, `chain.algorithm` multispin);
    /// [`ExperimentError::TooLarge`] when the series cannot be held; the lattice layer's error
    /// for a model or sampler refused at any rung.
    pub fn new(config: LatticeTemperConfig) -> Result<Self, ExperimentError> {
        if config.rounds < 2 {
            return Err(ExperimentError::config(
                "rounds",
                "must be at least 2 to give an error bar",
            ));
        }
        let ladder = temperatures(&config.temperatures)?;
        if ladder.len() < 2 || ladder.windows(2).any(|w| w[0].value() >= w[1].value()) {
            return Err(ExperimentError::config(
                "temperatures",
                "a ladder needs at least two strictly increasing temperatures",
            ));
        }
        if config.chain.algorithm == Algorithm::Multispin {
            return Err(ExperimentError::config(
                "chain.algorithm",
                "replica exchange swaps single configurations; multispin runs 64 at once (use metropolis or heat-bath)",
            ));
        }
        check_memory(
            "the energy and |m| series",
            &[2, ladder.len(), config.rounds, 8],
        )?;
        if config.keep > config.rounds {
            return Err(ExperimentError::config(
                "keep",
                alloc::format!(
                    "keeps one configuration per round at most ({} rounds)",
                    config.rounds
                ),
            ));
        }
        config
            .chain
            .check_dataset_memory("the kept configurations", ladder.len(), config.keep)?;
        for &t in &ladder {
            config.chain.validate_at(t)?;
        }
        Ok(Self { config, ladder })
    }

    /// The settings.
    pub fn config(&self) -> &LatticeTemperConfig {
        &self.config
    }

    /// Thermalise (`chain.thermalize` rounds, swaps included; XY Metropolis tunes each rung's
    /// proposal width first), then measure. Progress per 1 % of the rounds under the stages
    /// "thermalize" and "measure".
    ///
    /// # Errors
    /// [`ExperimentError::Cancelled`] when `rt` says so; the statistics layer's error if a
    /// series is too short for an error bar.
    pub fn run<R: Runtime>(
        &self,
        seed: u64,
        rt: &R,
    ) -> Result<LatticeTemperResult, ExperimentError> {
        let c = &self.config.chain;
        let sq = c.square()?;
        let mut rng = from_seed(seed);
        let ladder = &self.ladder;
        match (c.model, c.algorithm) {
            (SpinModel::Ising, algorithm) => {
                let m = c.ising()?;
                let start = |rng: &mut Xoshiro256PlusPlus| {
                    if self.config.cold_start {
                        m.ordered_state()
                    } else {
                        m.random_state(rng)
                    }
                };
                let states = (0..ladder.len()).map(|_| start(&mut rng)).collect();
                match algorithm {
                    Algorithm::Wolff => {
                        let s = ladder.iter().map(|&t| Wolff::ising(&m, t)).collect();
                        self.exchange(&m, s, states, &mut rng, rt)
                    }
                    Algorithm::SwendsenWang => {
                        let s = ladder
                            .iter()
                            .map(|&t| crate::sampler::SwendsenWang::new(&m, t))
                            .collect();
                        self.exchange(&m, s, states, &mut rng, rt)
                    }
                    _ => {
                        let s = ladder.iter().map(|&t| c.single_flip(&m, t)).collect();
                        self.exchange(&m, s, states, &mut rng, rt)
                    }
                }
            }
            (SpinModel::Xy, algorithm) => {
                let m = Xy::new(sq, c.coupling, c.field)?;
                let mut states: Vec<_> = (0..ladder.len())
                    .map(|_| {
                        if self.config.cold_start {
                            m.ordered_state()
                        } else {
                            m.random_state(&mut rng)
                        }
                    })
                    .collect();
                if algorithm == Algorithm::Wolff {
                    let s = ladder.iter().map(|&t| Wolff::xy(&m, t)).collect();
                    self.exchange(&m, s, states, &mut rng, rt)
                } else {
                    // Each rung's proposal width is tuned on its own replica before the ladder
                    // forms (tuning is not a Markov kernel; the swaps start afterwards).
                    let mut samplers = Vec::with_capacity(ladder.len());
                    for (&t, state) in ladder.iter().zip(&mut states) {
                        check_cancelled(rt)?;
                        let mut s = XyMetropolis::new(t);
                        s.tune(&m, state, c.thermalize, &mut rng);
                        samplers.push(Ok(s));
                    }
                    self.exchange(&m, samplers, states, &mut rng, rt)
                }
            }
        }
    }

    /// Build the ladder from the rungs' samplers and run it.
    fn exchange<M, S, R>(
        &self,
        model: &M,
        samplers: Vec<Result<S, crate::lattice::LatticeError>>,
        states: Vec<M::State>,
        rng: &mut Xoshiro256PlusPlus,
        rt: &R,
    ) -> Result<LatticeTemperResult, ExperimentError>
    where
        M: RungObservables,
        S: Sampler<M>,
        R: Runtime,
    {
        let samplers = samplers.into_iter().collect::<Result<Vec<S>, _>>()?;
        let mut pt = ReplicaExchange::new(&self.ladder, samplers, states)?;
        let n = self.ladder.len();
        let (warm, rounds) = (self.config.chain.thermalize, self.config.rounds);
        advance(&mut pt, model, rng, rt, "thermalize", warm, |_, _| {})?;
        pt.reset_counts();
        let mut energies = alloc::vec![Vec::with_capacity(rounds); n];
        let mut abs_m = alloc::vec![Vec::with_capacity(rounds); n];
        let mut helicity = alloc::vec![Vec::new(); n];
        let keep = self.config.keep;
        let spacing = rounds / keep.max(1);
        let mut kept: Vec<Configs> = (0..n).map(|_| model.no_configs()).collect();
        let sites = model.sites() as f64;
        let start = rt.seconds();
        advance(&mut pt, model, rng, rt, "measure", rounds, |done, pt| {
            if keep > 0 && done % spacing == 0 && done / spacing <= keep {
                for (k, configs) in kept.iter_mut().enumerate() {
                    model.keep(pt.state(k), configs);
                }
            }
            // The round already computed every rung's energy for its swaps.
            for (k, e) in pt.energies().iter().enumerate() {
                energies[k].push(e / sites);
                abs_m[k].push(model.abs_m(pt.state(k)));
                if let Some(y) = model.helicity(pt.state(k), self.ladder[k]) {
                    helicity[k].push(y);
                }
            }
        })?;
        let seconds_per_round = per_step(start, rt.seconds(), rounds);
        let rungs = (0..n)
            .map(|k| {
                let energy = MeanEstimate::from_series(&energies[k])?;
                let abs_m = MeanEstimate::from_series(&abs_m[k])?;
                let tau = energy.autocorrelation.tau.max(abs_m.autocorrelation.tau);
                Ok(TemperRung {
                    temperature: self.ladder[k].value(),
                    effective_samples_per_second: seconds_per_round
                        .filter(|s| *s > 0.0)
                        .map(|s| 1.0 / (2.0 * tau * s)),
                    energy,
                    abs_m,
                    acceptance: pt.sampler_stats()[k].acceptance(),
                    reference: model.reference(self.ladder[k])?,
                    helicity: if helicity[k].is_empty() {
                        None
                    } else {
                        Some(MeanEstimate::from_series(&helicity[k])?)
                    },
                })
            })
            .collect::<Result<Vec<_>, ExperimentError>>()?;
        Ok(LatticeTemperResult {
            rungs,
            swap_acceptance: pt.swap_acceptance(),
            round_trips: pt.round_trips(),
            bottom_energy_series: core::mem::take(&mut energies[0]),
            seconds_per_round,
            configs: (keep > 0).then(|| concatenate_configs(kept.iter())),
        })
    }
}

/// `total` rounds of `pt` under progress `stage` (a report and a cancellation check every 1 %),
/// calling `after` after each with the number of rounds done.
fn advance<M, S, R>(
    pt: &mut ReplicaExchange<M, S>,
    model: &M,
    rng: &mut Xoshiro256PlusPlus,
    rt: &R,
    stage: &str,
    total: usize,
    mut after: impl FnMut(usize, &ReplicaExchange<M, S>),
) -> Result<(), ExperimentError>
where
    M: Model,
    S: Sampler<M>,
    R: Runtime,
{
    let every = (total / 100).max(1);
    for round in 0..total {
        if round % every == 0 {
            check_cancelled(rt)?;
            rt.progress(stage, round as u64, total as u64);
        }
        pt.round(model, rng);
        after(round + 1, pt);
    }
    rt.progress(stage, total as u64, total as u64);
    Ok(())
}

/// What a rung reports besides its energy, per model.
trait RungObservables: Model {
    /// Sites of the lattice.
    fn sites(&self) -> usize;
    /// |m| per spin.
    fn abs_m(&self, state: &Self::State) -> f64;
    /// Exact values to print beside the rung at `t`.
    fn reference(&self, t: Temperature) -> Result<IsingReference, ExperimentError>;
    /// One sample of the helicity-modulus estimator, for planar spins.
    fn helicity(&self, state: &Self::State, t: Temperature) -> Option<f64>;
    /// An empty dataset of this model's configurations.
    fn no_configs(&self) -> Configs;
    /// Append `state` to `configs`.
    fn keep(&self, state: &Self::State, configs: &mut Configs);
}

impl RungObservables for Ising {
    fn sites(&self) -> usize {
        self.lattice().sites()
    }

    fn abs_m(&self, state: &Self::State) -> f64 {
        self.abs_magnetization_per_spin(state)
    }

    fn reference(&self, t: Temperature) -> Result<IsingReference, ExperimentError> {
        IsingReference::for_model(self, t)
    }

    fn helicity(&self, _state: &Self::State, _t: Temperature) -> Option<f64> {
        None
    }

    fn no_configs(&self) -> Configs {
        Configs::Spins(Vec::new())
    }

    fn keep(&self, state: &Self::State, configs: &mut Configs) {
        if let Configs::Spins(v) = configs {
            v.extend_from_slice(state.spins());
        }
    }
}

impl RungObservables for Xy {
    fn sites(&self) -> usize {
        self.lattice().sites()
    }

    fn abs_m(&self, state: &Self::State) -> f64 {
        self.abs_magnetization_per_spin(state)
    }

    fn reference(&self, _t: Temperature) -> Result<IsingReference, ExperimentError> {
        Ok(IsingReference::default())
    }

    fn helicity(&self, state: &Self::State, t: Temperature) -> Option<f64> {
        Some(self.helicity_sample(state, t))
    }

    fn no_configs(&self) -> Configs {
        Configs::Angles(Vec::new())
    }

    fn keep(&self, state: &Self::State, configs: &mut Configs) {
        if let Configs::Angles(v) = configs {
            v.extend_from_slice(state.angles());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::Sequential;
    use crate::test_util::assert_within_sigmas;

    fn small() -> LatticeTemperConfig {
        LatticeTemperConfig {
            chain: ChainConfig {
                size: 4,
                field: 0.2,
                thermalize: 500,
                ..ChainConfig::default()
            },
            temperatures: alloc::vec![1.5, 2.0, 2.6, 3.4],
            rounds: 20_000,
            cold_start: false,
            keep: 0,
        }
    }

    /// The kept dataset: `keep` configurations per rung, drawn from each rung's distribution
    /// (the mean energy of the 800 kept 4×4 configurations in a field within 4σ of enumeration
    /// at every rung, σ from their spread: kept 25 rounds apart, they are nearly independent),
    /// and keeping them changes no measured bit.
    #[test]
    fn kept_configurations_are_a_dataset_of_each_rung() {
        let keep = 800;
        let with = LatticeTemper::new(LatticeTemperConfig { keep, ..small() })
            .unwrap()
            .run(6, &Sequential)
            .unwrap();
        let without = LatticeTemper::new(small())
            .unwrap()
            .run(6, &Sequential)
            .unwrap();
        assert_eq!(with.rungs, without.rungs);
        assert!(without.configs.is_none());
        let Some(Configs::Spins(spins)) = &with.configs else {
            panic!("{:?}", with.configs.map(|_| ()));
        };
        assert_eq!(spins.len(), 4 * keep * 16);
        let model = Ising::new(crate::lattice::Square::with_side(4).unwrap(), 1.0, 0.2).unwrap();
        for (k, rung) in with.rungs.iter().enumerate() {
            let energies: Vec<f64> = spins[k * keep * 16..(k + 1) * keep * 16]
                .chunks(16)
                .map(|c| {
                    let mut state = model.ordered_state();
                    state.spins_mut().copy_from_slice(c);
                    model.energy_per_spin(&state)
                })
                .collect();
            let mean = energies.iter().sum::<f64>() / keep as f64;
            let var = energies.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / (keep - 1) as f64;
            let exact = rung.reference.exact_energy.unwrap();
            assert!(
                (mean - exact).abs() < 4.0 * libm::sqrt(var / keep as f64),
                "T = {}: {mean} vs {exact}",
                rung.temperature
            );
        }
        let too_many = LatticeTemperConfig {
            keep: 20_001,
            ..small()
        };
        assert!(LatticeTemper::new(too_many).is_err());
    }

    /// 4×4 Ising in a field, heat bath and Wolff-free ladders: every rung's energy and |m|
    /// within error bars of exact enumeration.
    #[test]
    fn every_rung_matches_enumeration_in_a_field() {
        for algorithm in [Algorithm::Metropolis, Algorithm::HeatBath] {
            let mut c = small();
            c.chain.algorithm = algorithm;
            let r = LatticeTemper::new(c).unwrap().run(5, &Sequential).unwrap();
            for rung in &r.rungs {
                assert_within_sigmas(&rung.energy, rung.reference.exact_energy.unwrap(), 4.0);
                assert_within_sigmas(&rung.abs_m, rung.reference.exact_abs_m.unwrap(), 4.0);
            }
            assert!(r.round_trips > 10, "{}", r.round_trips);
            assert_eq!(r.swap_acceptance.len(), 3);
            assert_eq!(r.bottom_energy_series.len(), 20_000);
        }
    }

    /// Same seed, same bits; XY and cluster samplers run too.
    #[test]
    fn same_seed_same_bits_for_every_sampler() {
        for (model, algorithm) in [
            (SpinModel::Ising, Algorithm::Wolff),
            (SpinModel::Ising, Algorithm::SwendsenWang),
            (SpinModel::Xy, Algorithm::Metropolis),
            (SpinModel::Xy, Algorithm::Wolff),
        ] {
            let mut c = small();
            c.chain.field = 0.0;
            c.chain.model = model;
            c.chain.algorithm = algorithm;
            c.rounds = 50;
            c.chain.thermalize = 20;
            let run = || {
                LatticeTemper::new(c.clone())
                    .unwrap()
                    .run(3, &Sequential)
                    .unwrap()
            };
            assert_eq!(run(), run(), "{model:?} {algorithm:?}");
        }
    }

    /// XY rungs report the helicity modulus (J − T/4 from spin waves on the coldest rung);
    /// Ising rungs none.
    #[test]
    fn xy_rungs_report_the_helicity_modulus() {
        let mut c = small();
        c.chain.model = SpinModel::Xy;
        c.chain.field = 0.0;
        c.chain.size = 8;
        c.temperatures = alloc::vec![0.1, 0.15, 0.22, 0.33];
        c.rounds = 5000;
        let r = LatticeTemper::new(c).unwrap().run(4, &Sequential).unwrap();
        let cold = r.rungs[0].helicity.unwrap();
        assert!((cold.value - (1.0 - 0.1 / 4.0)).abs() < 4.0 * cold.std_error + 0.01 / 8.0);
        let ising = LatticeTemper::new(small()).unwrap();
        let mut quick = ising.config().clone();
        quick.rounds = 10;
        let r = LatticeTemper::new(quick)
            .unwrap()
            .run(4, &Sequential)
            .unwrap();
        assert!(r.rungs.iter().all(|rung| rung.helicity.is_none()));
    }

    #[test]
    fn settings_are_refused_before_work() {
        let refused = |edit: fn(&mut LatticeTemperConfig)| {
            let mut c = small();
            edit(&mut c);
            match LatticeTemper::new(c) {
                Err(ExperimentError::Config { field, .. }) => field,
                Err(ExperimentError::Lattice(_)) => "lattice",
                Err(ExperimentError::TooLarge { .. }) => "too large",
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(refused(|c| c.rounds = 1), "rounds");
        assert_eq!(
            refused(|c| c.temperatures = alloc::vec![2.0]),
            "temperatures"
        );
        assert_eq!(
            refused(|c| c.temperatures = alloc::vec![2.0, 1.5]),
            "temperatures"
        );
        assert_eq!(
            refused(|c| c.temperatures = alloc::vec![2.0, -1.0]),
            "lattice"
        );
        assert_eq!(
            refused(|c| c.chain.algorithm = Algorithm::Multispin),
            "chain.algorithm"
        );
        // Wolff needs h = 0: refused at build time, not mid-run.
        assert_eq!(refused(|c| c.chain.algorithm = Algorithm::Wolff), "lattice");
        assert_eq!(refused(|c| c.rounds = usize::MAX), "too large");
    }
}
