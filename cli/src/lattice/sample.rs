//! `entropic lattice sample`: flags → [`LatticeSampleConfig`] → [`LatticeSample`] → dataset.
use super::{chain_config, chain_flags};
use crate::Global;
use crate::config::{Flag, Flags, Settings};
use crate::output::Output;
use crate::runtime::Threads;
use anyhow::{Result, bail};
use entropic::experiment::{Configs, LatticeSample, LatticeSampleConfig, Tuning, concatenate};
use entropic::plot;
use serde_json::json;
use std::fmt::Write as _;

/// Options of `entropic lattice sample`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    settings: Settings<Self>,
}

impl Flags for Args {
    type Config = LatticeSampleConfig;
    #[rustfmt::skip]
    fn flags() -> Vec<Flag> {
        let mut flags = chain_flags();
        flags.extend([
            Flag::new("samples", "samples", "N", "Configurations per temperature."),
            Flag::new("pilot", "pilot", "N", "Steps of the pilot run that measures τ_int (which sets the spacing of samples; ≥ 100)."),
        ]);
        flags
    }
}

pub fn run(args: &Args, global: &Global, out: &mut Output<'_>) -> Result<()> {
    let config = chain_config(&args.settings)?;
    if args.settings.print_config() {
        return out.print_config(&config);
    }
    if !out.keeps_files() {
        bail!("lattice sample writes a dataset: give --out DIR");
    }
    let experiment = LatticeSample::new(config)?;
    let config = experiment.config();
    let chains = experiment.run(global.seed, &Threads::new(global.quiet))?;

    let spec = &config.chain;
    let l = spec.size as u64;
    let temps = &config.temperatures;
    let mut per_t = Vec::new();
    let mut text = format!(
        "{:>8} {:>8} {:>10} {:>10} {:>10} {:>10}\n",
        "T", "spacing", "τ_int(e)", "τ_int(|m|)", "acceptance", "ESS/s"
    );
    for (t, chain) in temps.iter().zip(&chains) {
        let mut entry = match chain.tuning {
            Tuning::None => json!({}),
            Tuning::ClustersPerStep(c) => json!({ "clusters_per_step": c }),
            Tuning::Replicas(r) => json!({ "replicas": r }),
            Tuning::ProposalWidth(w) => json!({ "proposal_width": w }),
        };
        if let Some(s) = chain.spacing {
            let ess = chain.effective_samples_per_second();
            writeln!(
                text,
                "{t:>8.4} {:>8} {:>10.2} {:>10.2} {:>10.3} {:>10}",
                s.steps,
                s.tau_energy,
                s.tau_abs_m,
                chain.acceptance,
                ess.map_or("—".to_string(), |v| format!("{v:.0}"))
            )?;
            entry["effective_samples_per_second"] = ess.into();
            entry["spacing_steps"] = s.steps.into();
            entry["tau_int_energy"] = s.tau_energy.into();
            entry["tau_int_abs_m"] = s.tau_abs_m.into();
            entry["tau_converged"] = s.converged.into();
        }
        entry["temperature"] = (*t).into();
        entry["acceptance"] = chain.acceptance.into();
        per_t.push(entry);
    }
    let sites = (l * l) as usize;
    let configs = concatenate(&chains);
    let mut doc =
        super::write_dataset(out, ("lattice sample", global.seed), spec, temps, &configs)?;
    // One picture per temperature: its first configuration.
    for (k, t) in temps.iter().enumerate() {
        let first = k * config.samples * sites;
        let svg = match &configs {
            Configs::Spins(v) => {
                plot::spin_lattice(spec.size, spec.size, &v[first..first + sites])?
            }
            Configs::Angles(v) => {
                plot::angle_lattice(spec.size, spec.size, &v[first..first + sites])?
            }
        };
        out.file(&format!("config_T{t:.4}.svg"), svg.as_bytes())?;
    }
    doc["pilot"] = config.pilot.into();
    doc["samples"] = config.samples.into();
    doc["temperatures"] = per_t.into();
    out.json("metadata.json", &doc)?;
    out.result(&text, &doc)
}
