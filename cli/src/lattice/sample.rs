//! `entropic lattice sample`.
use super::ModelArgs;
use super::chain::{Configs, Plan};
use crate::Global;
use crate::output::Output;
use crate::plot;
use anyhow::{Result, bail};
use rayon::prelude::*;
use serde_json::json;
use std::fmt::Write as _;

/// Options of `entropic lattice sample`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    model: ModelArgs,
    /// Configurations per temperature.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    samples: usize,
    /// Steps of the pilot run that measures τ_int (which sets the spacing of samples).
    #[arg(long, value_name = "N", default_value_t = 2000)]
    pilot: usize,
}

pub fn run(args: &Args, global: &Global, out: &mut Output<'_>) -> Result<()> {
    if !out.keeps_files() {
        bail!("lattice sample writes a dataset: give --out DIR");
    }
    if args.samples == 0 {
        bail!("--samples must be at least 1");
    }
    let spec = args.model.spec()?;
    let temps = args.model.temperatures()?;
    let progress = crate::progress::Progress::new(temps.len() as u64, "temperatures", global.quiet);
    let chains: Vec<_> = temps
        .par_iter()
        .enumerate()
        .map(|(k, &t)| {
            let mut rng = entropic::rng::stream(global.seed, k);
            let chain = spec.run(
                t,
                Plan::Samples {
                    count: args.samples,
                    pilot: args.pilot,
                },
                &mut rng,
            );
            progress.tick();
            chain
        })
        .collect::<Result<_>>()?;
    progress.finish();

    let (l, n) = (spec.size as u64, args.samples as u64);
    let shape = [temps.len() as u64, n, l, l];
    let mut per_t = Vec::new();
    let mut text = format!(
        "{:>8} {:>8} {:>10} {:>10} {:>10}\n",
        "T", "spacing", "τ_int(e)", "τ_int(|m|)", "acceptance"
    );
    let (mut spins, mut angles) = (Vec::new(), Vec::new());
    for (t, chain) in temps.iter().zip(&chains) {
        let info = &chain.info;
        writeln!(
            text,
            "{:>8.4} {:>8} {:>10.2} {:>10.2} {:>10.3}",
            t.value(),
            info["spacing_steps"],
            info["tau_int_energy"].as_f64().unwrap_or(f64::NAN),
            info["tau_int_abs_m"].as_f64().unwrap_or(f64::NAN),
            chain.acceptance
        )?;
        let mut entry = info.clone();
        entry["temperature"] = t.value().into();
        entry["acceptance"] = chain.acceptance.into();
        per_t.push(entry);
        match &chain.configs {
            Some(Configs::Spins(v)) => spins.extend_from_slice(v),
            Some(Configs::Angles(v)) => angles.extend_from_slice(v),
            None => {}
        }
    }
    let sites = (l * l) as usize;
    if !spins.is_empty() {
        out.npy("configs.npy", &shape, &spins)?;
    } else {
        out.npy("configs.npy", &shape, &angles)?;
    }
    let tvals: Vec<f64> = temps.iter().map(|t| t.value()).collect();
    out.npy("temperatures.npy", &[tvals.len() as u64], &tvals)?;
    // One picture per temperature: its first configuration.
    for (k, t) in tvals.iter().enumerate() {
        let first = k * args.samples * sites;
        let svg = if !spins.is_empty() {
            plot::spin_lattice(spec.size, spec.size, &spins[first..first + sites])?
        } else {
            plot::angle_lattice(spec.size, spec.size, &angles[first..first + sites])?
        };
        out.file(&format!("config_T{t:.4}.svg"), svg.as_bytes())?;
    }
    let doc = json!({
        "command": "lattice sample",
        "model": spec.model,
        "algorithm": spec.algorithm,
        "size": spec.size,
        "coupling": spec.coupling,
        "field": spec.field,
        "thermalize": spec.thermalize,
        "pilot": args.pilot,
        "samples": args.samples,
        "seed": global.seed,
        "configs_shape": shape,
        "configs_dtype": if spins.is_empty() { "float64 angles in [0, 2π)" } else { "int8 spins ±1" },
        "temperatures": per_t,
    });
    out.json("metadata.json", &doc)?;
    out.result(&text, &doc)
}
