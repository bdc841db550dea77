//! `entropic ising`: flags → [`IsingConfig`] → [`IsingRun`] → text, JSON, arrays and plots.
use crate::Global;
use crate::config::{ConfigArgs, Overlay};
use crate::output::Output;
use crate::runtime::Threads;
use anyhow::Result;
use entropic::experiment::{IsingConfig, IsingRun, Start};
use entropic::plot::{self, Series};
use serde_json::json;
use std::fmt::Write as _;

fn defaults() -> IsingConfig {
    IsingConfig::default()
}

/// Options of `entropic ising`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Linear size L of the periodic L×L lattice (even, ≥ 4).
    #[arg(long, short = 'L', value_name = "L", default_value_t = defaults().size)]
    size: usize,
    /// Temperature T in units of J/k_B (T_c ≈ 2.269 for J = 1).
    #[arg(
        long,
        short = 'T',
        value_name = "T",
        default_value_t = defaults().temperature,
        allow_negative_numbers = true
    )]
    temperature: f64,
    /// Measured sweeps (one sweep = one attempted flip per spin).
    #[arg(long, value_name = "N", default_value_t = defaults().sweeps)]
    sweeps: usize,
    /// Sweeps discarded for equilibration before measuring.
    #[arg(long, value_name = "N", default_value_t = defaults().thermalize)]
    thermalize: usize,
    #[command(flatten)]
    couplings: crate::Couplings,
    /// Initial state: all spins up (cold) or random (hot).
    #[arg(long, value_enum, default_value_t = StartArg::Cold)]
    start: StartArg,
    #[command(flatten)]
    config: ConfigArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum StartArg {
    Cold,
    Hot,
}

impl Args {
    fn config(&self, global: &Global) -> Result<IsingConfig> {
        let (mut c, o): (IsingConfig, _) = Overlay::load(&self.config, &global.explicit)?;
        o.set("size", &mut c.size, self.size);
        o.set("temperature", &mut c.temperature, self.temperature);
        o.set("sweeps", &mut c.sweeps, self.sweeps);
        o.set("thermalize", &mut c.thermalize, self.thermalize);
        o.set("coupling", &mut c.coupling, self.couplings.coupling);
        o.set("field", &mut c.field, self.couplings.field);
        let start = match self.start {
            StartArg::Cold => Start::Cold,
            StartArg::Hot => Start::Hot,
        };
        o.set("start", &mut c.start, start);
        Ok(c)
    }
}

pub fn run(args: &Args, global: &Global, out: &mut Output<'_>) -> Result<()> {
    let config = args.config(global)?;
    if args.config.print_config {
        return out.print_config(&config);
    }
    let experiment = IsingRun::new(config.clone())?;
    let rt = Threads::new(global.quiet);
    let r = experiment.run(global.seed, &rt)?;
    rt.finish();

    let n = config.size;
    let mut text = String::new();
    writeln!(
        text,
        "Ising {n}×{n}, T = {}, J = {}, h = {}: {} sweeps after {} thermalisation sweeps (seed {})",
        config.temperature,
        config.coupling,
        config.field,
        config.sweeps,
        config.thermalize,
        global.seed
    )?;
    for (name, est) in [("energy per spin", &r.energy), ("|m| per spin", &r.abs_m)] {
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
    writeln!(text, "{:<16} {:>10.4}", "acceptance", r.acceptance)?;
    let reference = serde_json::to_value(r.reference)?;
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
        "temperature": config.temperature,
        "coupling": config.coupling,
        "field": config.field,
        "seed": global.seed,
        "sweeps": config.sweeps,
        "thermalize": config.thermalize,
        "acceptance": r.acceptance,
        "energy_per_spin": r.energy,
        "abs_magnetization": r.abs_m,
        "reference": reference,
    });
    if out.keeps_files() {
        let (energy, abs_m) = (&r.energy_series, &r.abs_m_series);
        let steps = energy.len() as u64;
        out.npy("energy.npy", &[steps], energy)?;
        out.npy("abs_magnetization.npy", &[steps], abs_m)?;
        let spins = r.final_state.spins();
        out.npy("final_spins.npy", &[n as u64, n as u64], spins)?;
        let sweeps: Vec<f64> = (1..=energy.len()).map(|k| k as f64).collect();
        let trace = plot::line_chart(
            &format!("Ising {n}×{n} at T = {}", config.temperature),
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
            plot::spin_lattice(n, n, spins)?.as_bytes(),
        )?;
        out.json("metadata.json", &document)?;
    }
    out.result(&text, &document)
}
