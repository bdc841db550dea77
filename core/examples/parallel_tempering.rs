//! Parallel tempering against single-spin Metropolis on a 32×32 Ising lattice in a field
//! h = 0.05 at T = 2.0, every spin starting down (the wrong phase): the sweep at which the
//! T = 2.0 replica first reaches the right phase, with and without replica exchange (issue #31;
//! results in docs/results/parallel-tempering.md; the equilibrium table is `entropic lattice
//! temper`).
//!
//! Run: `cargo run --release -p entropic --example parallel_tempering [ROUNDS] [SEED]`
//! (defaults 20000 and 1).
use entropic::lattice::{Ising, IsingState, Square, Temperature};
use entropic::model::{Model, Sampler};
use entropic::rng::from_seed;
use entropic::sampler::{ReplicaExchange, SingleFlip};

type Error = Box<dyn core::error::Error>;

/// A geometric ladder of `n` temperatures from `lo` to `hi`.
fn ladder(lo: f64, hi: f64, n: usize) -> Result<Vec<Temperature>, Error> {
    (0..n)
        .map(|k| Temperature::new(lo * (hi / lo).powf(k as f64 / (n - 1) as f64)))
        .map(|t| t.map_err(Error::from))
        .collect()
}

fn tempering(
    model: &Ising,
    temps: &[Temperature],
    start: &IsingState,
) -> Result<ReplicaExchange<Ising, SingleFlip>, Error> {
    let samplers = temps
        .iter()
        .map(|&t| SingleFlip::checkerboard_metropolis(model, t))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ReplicaExchange::new(
        temps,
        samplers,
        vec![start.clone(); temps.len()],
    )?)
}

fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let rounds: usize = args.next().map_or(Ok(20_000), |a| a.parse())?;
    let seed: u64 = args.next().map_or(Ok(1), |a| a.parse())?;
    let square = Square::with_side(32)?;
    let n = square.sites() as f64;

    let model = Ising::new(square, 1.0, 0.05)?;
    let down = model.state_from_spins(vec![-1; 32 * 32])?;
    let temps = ladder(2.0, 3.0, 12)?;
    let t0 = temps[0];
    let mut pt = tempering(&model, &temps, &down)?;
    let mut alone = SingleFlip::checkerboard_metropolis(&model, t0)?;
    let mut single = down.clone();
    let (mut rng_pt, mut rng_single) = (from_seed(seed + 1), from_seed(seed + 2));
    let (mut first_pt, mut first_single) = (None, None);
    let (mut up_pt, mut up_single) = (0usize, 0usize);
    for round in 0..rounds {
        pt.round(&model, &mut rng_pt);
        alone.step(&model, &mut single, &mut rng_single);
        let m_pt = model.magnetization(pt.state(0)) / n;
        let m_single = model.magnetization(&single) / n;
        if m_pt > 0.0 {
            up_pt += 1;
            first_pt.get_or_insert(round + 1);
        }
        if m_single > 0.0 {
            up_single += 1;
            first_single.get_or_insert(round + 1);
        }
    }
    let e_final = model.energy(pt.state(0)) / n;
    println!(
        "32×32 Ising, h = 0.05, T = 2.0, start: every spin down; {rounds} sweeps of the T = 2.0 replica each"
    );
    let show = |first: Option<usize>| first.map_or("never".to_string(), |r| format!("sweep {r}"));
    println!(
        "replica exchange (12 rungs to T = 3.0): m > 0 first at {}, m > 0 in {:.1} % of sweeps; final e = {e_final:.4}, m = {:.4}",
        show(first_pt),
        100.0 * up_pt as f64 / rounds as f64,
        model.magnetization(pt.state(0)) / n
    );
    println!(
        "Metropolis alone: m > 0 first at {}, m > 0 in {:.1} % of sweeps; final m = {:.4}",
        show(first_single),
        100.0 * up_single as f64 / rounds as f64,
        model.magnetization(&single) / n
    );
    println!(
        "swap acceptance per pair: {}; round trips {}",
        pt.swap_acceptance()
            .iter()
            .map(|a| format!("{a:.2}"))
            .collect::<Vec<_>>()
            .join(" "),
        pt.round_trips()
    );
    Ok(())
}
