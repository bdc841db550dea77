//! One Markov chain at one temperature, for any model × algorithm the CLI offers.
use anyhow::{Result, bail};
use entropic::lattice::{
    Ising, IsingState, PackedIsing, PackedState, REPLICAS, Square, Temperature, Xy, XyState,
};
use entropic::model::{Model, Sampler, run};
use entropic::rng::Xoshiro256PlusPlus;
use entropic::sampler::{FlipRule, MultiSpin, SingleFlip, SweepOrder, Wolff, XyMetropolis};
use entropic::stats::{MeanEstimate, SeriesRecorder};
use serde_json::json;

/// Spin model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// ±1 spins.
    Ising,
    /// Planar rotors, angles in [0, 2π).
    Xy,
}

/// Monte Carlo algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Algorithm {
    /// Checkerboard Metropolis (Ising) or Metropolis with a tuned proposal width (XY).
    Metropolis,
    /// Checkerboard heat bath (Ising only).
    HeatBath,
    /// Wolff single-cluster updates (J > 0, h = 0).
    Wolff,
    /// Multi-spin coded Metropolis over 64 independent replicas (Ising, h = 0).
    Multispin,
}

/// The model and algorithm of a run.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    pub model: ModelKind,
    pub size: usize,
    pub coupling: f64,
    pub field: f64,
    pub algorithm: Algorithm,
    pub thermalize: usize,
}

/// What a chain should produce.
#[derive(Clone, Copy, Debug)]
pub enum Plan {
    /// Record e and |m| after each of `sweeps` steps.
    Series { sweeps: usize },
    /// Measure τ_int in a pilot run of `pilot` steps, then take `count` configurations spaced by
    /// ⌈2 τ_int⌉ steps (the larger τ of e and |m|), so they are nearly independent.
    Samples { count: usize, pilot: usize },
}

/// Flattened configurations.
#[derive(Debug)]
pub enum Configs {
    Spins(Vec<i8>),
    Angles(Vec<f64>),
}

/// What one chain produced.
#[derive(Debug)]
pub struct Chain {
    pub energy: Vec<f64>,
    pub abs_m: Vec<f64>,
    pub configs: Option<Configs>,
    pub acceptance: f64,
    pub info: serde_json::Value,
}

impl Spec {
    pub fn square(&self) -> Result<Square> {
        Ok(Square::with_side(self.size)?)
    }

    /// Spin components (Binder normalisation).
    pub fn components(&self) -> u8 {
        match self.model {
            ModelKind::Ising => 1,
            ModelKind::Xy => 2,
        }
    }

    /// Validate the combination before any work starts.
    pub fn check(&self) -> Result<()> {
        let t = Temperature::new(1.0)?;
        let sq = self.square()?;
        match self.model {
            ModelKind::Ising => {
                let m = Ising::new(sq, self.coupling, self.field)?;
                match self.algorithm {
                    Algorithm::Metropolis => {
                        SingleFlip::checkerboard_metropolis(&m, t)?;
                    }
                    Algorithm::HeatBath => {
                        SingleFlip::new(&m, t, FlipRule::HeatBath, SweepOrder::Checkerboard)?;
                    }
                    Algorithm::Wolff => {
                        Wolff::ising(&m, t)?;
                    }
                    Algorithm::Multispin => {
                        PackedIsing::new(m)?;
                    }
                }
            }
            ModelKind::Xy => {
                let m = Xy::new(sq, self.coupling, self.field)?;
                match self.algorithm {
                    Algorithm::Metropolis => {}
                    Algorithm::Wolff => {
                        Wolff::xy(&m, t)?;
                    }
                    other => bail!(
                        "--algorithm {} is not available for the XY model (use metropolis or wolff)",
                        name(other)
                    ),
                }
            }
        }
        Ok(())
    }

    /// Run one chain at temperature `t`.
    pub fn run(&self, t: Temperature, plan: Plan, rng: &mut Xoshiro256PlusPlus) -> Result<Chain> {
        let sq = self.square()?;
        let warm = self.thermalize;
        match (self.model, self.algorithm) {
            (ModelKind::Ising, Algorithm::Metropolis | Algorithm::HeatBath) => {
                let m = Ising::new(sq, self.coupling, self.field)?;
                let rule = if self.algorithm == Algorithm::HeatBath {
                    FlipRule::HeatBath
                } else {
                    FlipRule::Metropolis
                };
                let mut s = SingleFlip::new(&m, t, rule, SweepOrder::Checkerboard)?;
                let mut state = m.random_state(rng);
                run(&m, &mut s, &mut state, warm, rng, &mut ());
                drive(&m, &mut s, &mut state, plan, rng, json!({}))
            }
            (ModelKind::Ising, Algorithm::Wolff) => {
                let m = Ising::new(sq, self.coupling, self.field)?;
                let mut s = Wolff::ising(&m, t)?;
                let mut state = m.random_state(rng);
                let per_step = s.calibrate(&m, &mut state, warm, rng);
                drive(
                    &m,
                    &mut s,
                    &mut state,
                    plan,
                    rng,
                    json!({ "clusters_per_step": per_step }),
                )
            }
            (ModelKind::Ising, Algorithm::Multispin) => {
                let m = PackedIsing::new(Ising::new(sq, self.coupling, self.field)?)?;
                let mut s = MultiSpin::new(&m, t)?;
                let mut state = m.random_state(rng);
                run(&m, &mut s, &mut state, warm, rng, &mut ());
                drive(&m, &mut s, &mut state, plan, rng, json!({ "replicas": 64 }))
            }
            (ModelKind::Xy, Algorithm::Metropolis) => {
                let m = Xy::new(sq, self.coupling, self.field)?;
                let mut s = XyMetropolis::new(t);
                let mut state = m.random_state(rng);
                let width = s.tune(&m, &mut state, warm, rng);
                drive(
                    &m,
                    &mut s,
                    &mut state,
                    plan,
                    rng,
                    json!({ "proposal_width": width }),
                )
            }
            (ModelKind::Xy, Algorithm::Wolff) => {
                let m = Xy::new(sq, self.coupling, self.field)?;
                let mut s = Wolff::xy(&m, t)?;
                let mut state = m.random_state(rng);
                let per_step = s.calibrate(&m, &mut state, warm, rng);
                drive(
                    &m,
                    &mut s,
                    &mut state,
                    plan,
                    rng,
                    json!({ "clusters_per_step": per_step }),
                )
            }
            (ModelKind::Xy, other) => bail!(
                "--algorithm {} is not available for the XY model",
                name(other)
            ),
        }
    }
}

fn name(a: Algorithm) -> String {
    clap::ValueEnum::to_possible_value(&a)
        .map(|v| v.get_name().to_string())
        .unwrap_or_default()
}

/// What a chain records of a model's state: e and |m| per spin, and configurations.
trait Measured: Model {
    /// Sites per configuration.
    fn sites(&self) -> usize;
    /// (energy per spin, |m| per spin); replica means for packed models.
    fn measure(&self, state: &Self::State) -> (f64, f64);
    /// Append the state's configuration(s).
    fn snapshot(&self, state: &Self::State, configs: &mut Option<Configs>);
}

impl Measured for Ising {
    fn sites(&self) -> usize {
        self.lattice().sites()
    }
    fn measure(&self, s: &IsingState) -> (f64, f64) {
        (self.energy_per_spin(s), self.abs_magnetization_per_spin(s))
    }
    fn snapshot(&self, s: &IsingState, c: &mut Option<Configs>) {
        push_spins(c, s.spins());
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
    fn snapshot(&self, s: &PackedState, c: &mut Option<Configs>) {
        for r in 0..REPLICAS {
            push_spins(c, self.replica(s, r).spins());
        }
    }
}

impl Measured for Xy {
    fn sites(&self) -> usize {
        self.lattice().sites()
    }
    fn measure(&self, s: &XyState) -> (f64, f64) {
        (self.energy_per_spin(s), self.abs_magnetization_per_spin(s))
    }
    fn snapshot(&self, s: &XyState, c: &mut Option<Configs>) {
        match c.get_or_insert_with(|| Configs::Angles(Vec::new())) {
            Configs::Angles(v) => v.extend_from_slice(s.angles()),
            Configs::Spins(_) => unreachable!("one chain records one kind of configuration"),
        }
    }
}

fn push_spins(c: &mut Option<Configs>, spins: &[i8]) {
    match c.get_or_insert_with(|| Configs::Spins(Vec::new())) {
        Configs::Spins(v) => v.extend_from_slice(spins),
        Configs::Angles(_) => unreachable!("one chain records one kind of configuration"),
    }
}

/// Number of configurations recorded so far (`sites` values each).
fn recorded(c: &Option<Configs>, sites: usize) -> usize {
    match c {
        None => 0,
        Some(Configs::Spins(v)) => v.len() / sites,
        Some(Configs::Angles(v)) => v.len() / sites,
    }
}

fn drive<M, S>(
    model: &M,
    sampler: &mut S,
    state: &mut M::State,
    plan: Plan,
    rng: &mut Xoshiro256PlusPlus,
    mut info: serde_json::Value,
) -> Result<Chain>
where
    M: Measured,
    S: Sampler<M>,
{
    let series =
        |sampler: &mut S, state: &mut M::State, rng: &mut Xoshiro256PlusPlus, steps: usize| {
            let mut rec = (
                SeriesRecorder::new(|x: &M::State| model.measure(x).0),
                SeriesRecorder::new(|x: &M::State| model.measure(x).1),
            );
            let stats = run(model, sampler, state, steps, rng, &mut rec);
            (rec.0.into_series(), rec.1.into_series(), stats)
        };
    match plan {
        Plan::Series { sweeps } => {
            let (energy, abs_m, stats) = series(sampler, state, rng, sweeps);
            Ok(Chain {
                energy,
                abs_m,
                configs: None,
                acceptance: stats.acceptance(),
                info,
            })
        }
        Plan::Samples { count, pilot } => {
            let (energy, abs_m, _) = series(sampler, state, rng, pilot.max(20));
            let (te, tm) = (
                MeanEstimate::from_series(&energy)?.autocorrelation,
                MeanEstimate::from_series(&abs_m)?.autocorrelation,
            );
            let spacing = (2.0 * te.tau.max(tm.tau)).ceil() as usize;
            let mut configs = None;
            let mut stats = entropic::model::StepStats::default();
            let sites = model.sites();
            while recorded(&configs, sites) < count {
                stats += run(model, sampler, state, spacing, rng, &mut ());
                model.snapshot(state, &mut configs);
            }
            // A packed snapshot adds 64 configurations at once: keep exactly `count`.
            match &mut configs {
                Some(Configs::Spins(v)) => v.truncate(count * sites),
                Some(Configs::Angles(v)) => v.truncate(count * sites),
                None => {}
            }
            if let Some(map) = info.as_object_mut() {
                map.insert("spacing_steps".into(), spacing.into());
                map.insert("tau_int_energy".into(), te.tau.into());
                map.insert("tau_int_abs_m".into(), tm.tau.into());
                map.insert(
                    "tau_converged".into(),
                    (te.converged && tm.converged).into(),
                );
            }
            Ok(Chain {
                energy,
                abs_m,
                configs,
                acceptance: stats.acceptance(),
                info,
            })
        }
    }
}
