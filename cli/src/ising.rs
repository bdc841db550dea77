//! `entropic ising`: the first slice through every layer.
use crate::Global;
use crate::output::Output;
use crate::plot::{self, Series};
use crate::progress::Progress;
use anyhow::{Context, Result, bail};
use entropic::lattice::{Ising, IsingState, Square, Temperature, enumeration, kaufman, onsager};
use entropic::model::run as run_chain;
use entropic::sampler::SingleFlip;
use entropic::stats::{MeanEstimate, SeriesRecorder};
use serde_json::json;
use std::fmt::Write as _;

/// Options of `entropic ising`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Linear size L of the periodic L×L lattice (even, ≥ 2).
    #[arg(long, short = 'L', value_name = "L", default_value_t = 32)]
    size: usize,
    /// Temperature T in units of J/k_B (T_c ≈ 2.269 for J = 1).
    #[arg(
        long,
        short = 'T',
        value_name = "T",
        default_value_t = 2.0,
        allow_negative_numbers = true
    )]
    temperature: f64,
    /// Measured sweeps (one sweep = one attempted flip per spin).
    #[arg(long, value_name = "N", default_value_t = 5000)]
    sweeps: usize,
    /// Sweeps discarded for equilibration before measuring.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    thermalize: usize,
    #[command(flatten)]
    couplings: crate::Couplings,
    /// Initial state: all spins up (cold) or random (hot).
    #[arg(long, value_enum, default_value_t = Start::Cold)]
    start: Start,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Start {
    Cold,
    Hot,
}

pub fn run(args: &Args, global: &Global, out: &mut Output<'_>) -> Result<()> {
    if args.sweeps < 2 {
        bail!(
            "--sweeps must be at least 2 to give an error bar, got {}",
            args.sweeps
        );
    }
    let t = Temperature::new(args.temperature)?;
    let model = Ising::new(
        Square::with_side(args.size)?,
        args.couplings.coupling,
        args.couplings.field,
    )?;
    let mut sampler = SingleFlip::checkerboard_metropolis(&model, t)?;
    let mut rng = entropic::rng::from_seed(global.seed);
    let mut state = match args.start {
        Start::Cold => model.ordered_state(),
        Start::Hot => model.random_state(&mut rng),
    };

    let mut progress = Progress::new(args.thermalize as u64, "thermalize", global.quiet);
    run_chain(
        &model,
        &mut sampler,
        &mut state,
        args.thermalize,
        &mut rng,
        &mut progress,
    );
    progress.restart(args.sweeps as u64, "measure");
    let mut observers = (
        (
            SeriesRecorder::new(|s: &IsingState| model.energy_per_spin(s)),
            SeriesRecorder::new(|s: &IsingState| model.abs_magnetization_per_spin(s)),
        ),
        &mut progress,
    );
    let stats = run_chain(
        &model,
        &mut sampler,
        &mut state,
        args.sweeps,
        &mut rng,
        &mut observers,
    );
    let ((energy, abs_m), _) = observers;
    progress.finish();
    let (energy, abs_m) = (energy.into_series(), abs_m.into_series());
    let e = MeanEstimate::from_series(&energy).context("energy series")?;
    let m = MeanEstimate::from_series(&abs_m).context("|m| series")?;

    let reference = reference(&model, t)?;
    let n = args.size;
    let mut text = String::new();
    writeln!(
        text,
        "Ising {n}×{n}, T = {}, J = {}, h = {}: {} sweeps after {} thermalisation sweeps (seed {})",
        args.temperature,
        args.couplings.coupling,
        args.couplings.field,
        args.sweeps,
        args.thermalize,
        global.seed
    )?;
    for (name, est) in [("energy per spin", &e), ("|m| per spin", &m)] {
        writeln!(
            text,
            "{name:<16} {:>10.6} ± {:.6}   (τ_int = {:.2} sweeps{})",
            est.value,
            est.std_error,
            est.autocorrelation.tau,
            if est.autocorrelation.converged {
                ""
            } else {
                "; window did not close: run longer"
            }
        )?;
    }
    writeln!(text, "{:<16} {:>10.4}", "acceptance", stats.acceptance())?;
    for (label, value) in reference.as_object().into_iter().flatten() {
        writeln!(
            text,
            "{label:<16} {:>10.6}",
            value.as_f64().unwrap_or(f64::NAN)
        )?;
    }

    let document = json!({
        "command": "ising",
        "size": n,
        "temperature": args.temperature,
        "coupling": args.couplings.coupling,
        "field": args.couplings.field,
        "seed": global.seed,
        "sweeps": args.sweeps,
        "thermalize": args.thermalize,
        "acceptance": stats.acceptance(),
        "energy_per_spin": e,
        "abs_magnetization": m,
        "reference": reference,
    });
    if out.keeps_files() {
        let steps = energy.len() as u64;
        out.npy("energy.npy", &[steps], &energy)?;
        out.npy("abs_magnetization.npy", &[steps], &abs_m)?;
        out.npy("final_spins.npy", &[n as u64, n as u64], state.spins())?;
        let sweeps: Vec<f64> = (1..=energy.len()).map(|k| k as f64).collect();
        let trace = plot::line_chart(
            &format!("Ising {n}×{n} at T = {}", args.temperature),
            "sweep",
            "per spin",
            &[
                Series {
                    name: "energy",
                    points: sweeps.iter().copied().zip(energy.iter().copied()).collect(),
                    errors: vec![],
                },
                Series {
                    name: "|m|",
                    points: sweeps.iter().copied().zip(abs_m.iter().copied()).collect(),
                    errors: vec![],
                },
            ],
        )?;
        out.file("trace.svg", trace.as_bytes())?;
        out.file(
            "final_spins.svg",
            plot::spin_lattice(n, n, state.spins())?.as_bytes(),
        )?;
        out.json("metadata.json", &document)?;
    }
    out.result(&text, &document)
}

/// Exact values to compare with: at h = 0 Kaufman's finite lattice (the same L×L torus) and
/// Onsager's infinite lattice; with a field, enumeration of lattices of at most 25 sites.
fn reference(model: &Ising, t: Temperature) -> Result<serde_json::Value> {
    let mut map = serde_json::Map::new();
    if model.field() == 0.0 && model.coupling() != 0.0 {
        map.insert(
            "exact_energy".into(),
            kaufman::exact(model, t)?.energy_per_spin.into(),
        );
        map.insert(
            "onsager_energy".into(),
            onsager::energy_per_spin(model.coupling(), t)?.into(),
        );
        map.insert(
            "onsager_m".into(),
            onsager::spontaneous_magnetization(model.coupling(), t)?.into(),
        );
    }
    if model.lattice().sites() <= enumeration::MAX_SITES {
        let exact = enumeration::exact(model, t)?;
        map.insert("exact_energy".into(), exact.energy_per_spin.into());
        map.insert("exact_abs_m".into(), exact.abs_magnetization.into());
    }
    Ok(map.into())
}
