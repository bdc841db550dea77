//! Parallel tempering on a 32×32 Ising lattice, side by side with single-spin Metropolis: the
//! two measurements of issue #31 (results in docs/results/parallel-tempering.md).
//!
//! 1. h = 0, T = 2.0: the bottom rung's energy per spin against Kaufman's exact finite-lattice
//!    value, with swap acceptance per pair and round trips across the ladder.
//! 2. h = 0.05, T = 2.0, every spin starting down (the wrong phase): the bottom rung's
//!    magnetisation under replica exchange and under Metropolis alone, same sweeps.
//!
//! Run: `cargo run --release -p entropic --example parallel_tempering [ROUNDS] [SEED]`
//! (defaults 20000 and 1).
use entropic::lattice::{Ising, IsingState, Square, Temperature, kaufman};
use entropic::model::{Model, Sampler};
use entropic::rng::from_seed;
use entropic::sampler::{ReplicaExchange, SingleFlip};
use entropic::stats::MeanEstimate;

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
    let thermalize = rounds / 10;

    // 1. Zero field: energies against Kaufman.
    let model = Ising::new(square, 1.0, 0.0)?;
    let temps = ladder(2.0, 2.6, 12)?;
    let mut pt = tempering(&model, &temps, &model.ordered_state())?;
    let mut rng = from_seed(seed);
    let clock = std::time::Instant::now();
    for _ in 0..thermalize {
        pt.round(&model, &mut rng);
    }
    let mut series = vec![Vec::with_capacity(rounds); temps.len()];
    for _ in 0..rounds {
        pt.round(&model, &mut rng);
        for (s, e) in series.iter_mut().zip(pt.energies()) {
            s.push(e / n);
        }
    }
    println!(
        "32×32 Ising, h = 0: {} rungs T = 2.0 … 2.6 (geometric), checkerboard Metropolis, {rounds} rounds after {thermalize} ({:.1} s)",
        temps.len(),
        clock.elapsed().as_secs_f64()
    );
    println!(
        "{:>7} {:>10} {:>9} {:>10} {:>7} {:>7}",
        "T", "e PT", "± err", "Kaufman", "z", "τ_int"
    );
    for (t, s) in temps.iter().zip(&series) {
        let e = MeanEstimate::from_series(s)?;
        let exact = kaufman::exact(&model, *t)?.energy_per_spin;
        println!(
            "{:>7.4} {:>10.5} {:>9.5} {:>10.5} {:>+7.2} {:>7.1}",
            t.value(),
            e.value,
            e.std_error,
            exact,
            (e.value - exact) / e.std_error,
            e.autocorrelation.tau
        );
    }
    let acceptance: Vec<String> = pt
        .swap_acceptance()
        .iter()
        .map(|a| format!("{a:.2}"))
        .collect();
    println!("swap acceptance per pair: {}", acceptance.join(" "));
    println!("round trips (all replicas): {}", pt.round_trips());

    // 2. A field h = 0.05 and a start in the wrong phase (every spin down).
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
        "\n32×32 Ising, h = 0.05, T = 2.0, start: every spin down; {rounds} sweeps of the T = 2.0 replica each"
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
