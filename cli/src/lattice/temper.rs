//! `entropic lattice temper`: flags → [`LatticeTemperConfig`] → [`LatticeTemper`] → table, CSV,
//! JSON and plots.
use super::ModelArgs;
use crate::Global;
use crate::output::Output;
use crate::runtime::Threads;
use anyhow::Result;
use entropic::experiment::{
    Configs, LatticeTemper, LatticeTemperConfig, LatticeTemperResult, temper_figures,
};
use serde_json::json;
use std::fmt::Write as _;

fn defaults() -> LatticeTemperConfig {
    LatticeTemperConfig::default()
}

/// Options of `entropic lattice temper`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    model: ModelArgs,
    /// Measured rounds (each: one sampler step at every rung, then one sweep of swap
    /// proposals; ≥ 2).
    #[arg(long, value_name = "N", default_value_t = defaults().rounds)]
    rounds: usize,
    /// Start every replica from independent random spins instead of all spins up.
    #[arg(long)]
    hot: bool,
    /// Keep N configurations per rung (one every ⌊rounds/N⌋ measured rounds) and write them as
    /// a dataset: configs.npy (temperatures × N × L × L), temperatures.npy, metadata.json.
    #[arg(long, value_name = "N", default_value_t = defaults().keep)]
    keep: usize,
}

impl Args {
    fn config(&self, global: &Global) -> Result<LatticeTemperConfig> {
        let (mut c, o) = self.model.overlay(global, |c: &mut LatticeTemperConfig| {
            (&mut c.chain, &mut c.temperatures)
        })?;
        o.set("rounds", &mut c.rounds, self.rounds);
        o.set("cold_start", &mut c.cold_start, !self.hot);
        o.set("keep", &mut c.keep, self.keep);
        Ok(c)
    }
}

pub fn run(args: &Args, global: &Global, out: &mut Output<'_>) -> Result<()> {
    let config = args.config(global)?;
    if args.model.config.print_config {
        return out.print_config(&config);
    }
    let experiment = LatticeTemper::new(config)?;
    let config = experiment.config();
    let rt = Threads::new(global.quiet);
    let result = experiment.run(global.seed, &rt)?;
    rt.finish();
    let spec = &config.chain;
    let mut text = format!(
        "{:?} {}×{}, J = {}, h = {}: replica exchange over {} temperatures, {} per rung, {} rounds after {} (seed {})\n{:>8} {:>10} {:>9} {:>10} {:>7} {:>9} {:>9} {:>7} {:>10} {:>9}\n",
        spec.model,
        spec.size,
        spec.size,
        spec.coupling,
        spec.field,
        result.rungs.len(),
        spec.algorithm.name(),
        config.rounds,
        spec.thermalize,
        global.seed,
        "T",
        "e",
        "± err",
        "exact e",
        "z",
        "|m|",
        "± err",
        "τ_int(e)",
        "acceptance",
        "ESS/s"
    );
    let xy = result.rungs.iter().any(|r| r.helicity.is_some());
    if xy {
        // The helicity modulus Υ (XY), after the other columns.
        text.pop();
        writeln!(text, " {:>9} {:>9}", "Υ", "± err")?;
    }
    let mut csv =
        String::from("T,e,e_err,exact_e,abs_m,abs_m_err,exact_abs_m,tau_int_e,acceptance\n");
    let opt = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
    for r in &result.rungs {
        let exact = r.reference.exact_energy;
        write!(
            text,
            "{:>8.4} {:>10.5} {:>9.5} {:>10} {:>7} {:>9.5} {:>9.5} {:>7.1} {:>10.3} {:>9}",
            r.temperature,
            r.energy.value,
            r.energy.std_error,
            exact.map_or("—".into(), |x| format!("{x:.5}")),
            exact.map_or("—".into(), |x| format!(
                "{:+.2}",
                (r.energy.value - x) / r.energy.std_error
            )),
            r.abs_m.value,
            r.abs_m.std_error,
            r.energy.autocorrelation.tau,
            r.acceptance,
            r.effective_samples_per_second
                .map_or("—".into(), |v| format!("{v:.0}"))
        )?;
        match r.helicity {
            Some(y) => writeln!(text, " {:>9.5} {:>9.5}", y.value, y.std_error)?,
            None => writeln!(text)?,
        }
        writeln!(
            csv,
            "{},{},{},{},{},{},{},{},{},{},{},{}",
            r.temperature,
            r.energy.value,
            r.energy.std_error,
            opt(exact),
            r.abs_m.value,
            r.abs_m.std_error,
            opt(r.reference.exact_abs_m),
            r.energy.autocorrelation.tau,
            r.acceptance,
            opt(r.effective_samples_per_second),
            opt(r.helicity.map(|y| y.value)),
            opt(r.helicity.map(|y| y.std_error))
        )?;
    }
    let swaps: Vec<String> = result
        .swap_acceptance
        .iter()
        .map(|a| format!("{a:.2}"))
        .collect();
    writeln!(
        text,
        "swap acceptance per pair: {}\nround trips (all replicas): {}",
        swaps.join(" "),
        result.round_trips
    )?;
    let doc = json!({
        "command": "lattice temper", "model": spec.model, "algorithm": spec.algorithm,
        "size": spec.size, "coupling": spec.coupling, "field": spec.field, "next_nearest": spec.next_nearest,
        "rounds": config.rounds, "thermalize": spec.thermalize, "cold_start": config.cold_start,
        "seed": global.seed, "rungs": result.rungs, "swap_acceptance": result.swap_acceptance,
        "round_trips": result.round_trips, "seconds_per_round": result.seconds_per_round,
    });
    if out.keeps_files() {
        out.file("temper.csv", csv.as_bytes())?;
        out.json("temper.json", &doc)?;
        for (name, svg) in temper_figures::figures(&result)? {
            out.file(name, svg.as_bytes())?;
        }
        if let Some(configs) = &result.configs {
            write_dataset(out, config, &result, configs, global.seed)?;
        }
    }
    out.result(&text, &doc)
}

/// The kept configurations in `lattice sample`'s format, so the entropy commands read them.
fn write_dataset(
    out: &mut Output<'_>,
    config: &LatticeTemperConfig,
    result: &LatticeTemperResult,
    configs: &Configs,
    seed: u64,
) -> Result<()> {
    let temps: Vec<f64> = result.rungs.iter().map(|r| r.temperature).collect();
    let mut doc = super::write_dataset(
        out,
        ("lattice temper", seed),
        &config.chain,
        &temps,
        configs,
    )?;
    doc["rounds"] = config.rounds.into();
    doc["samples"] = config.keep.into();
    doc["spacing_rounds"] = (config.rounds / config.keep.max(1)).into();
    doc["temperatures"] = result
        .rungs
        .iter()
        .map(|r| json!({"temperature": r.temperature, "acceptance": r.acceptance}))
        .collect::<Vec<_>>()
        .into();
    out.json("metadata.json", &doc)
}
