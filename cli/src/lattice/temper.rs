//! `entropic lattice temper`: flags → [`LatticeTemperConfig`] → [`LatticeTemper`] →
//! [`LatticeTemperReport`] (table, CSV, JSON) and plots.
use super::{chain_config, chain_flags};
use crate::Global;
use crate::config::{Flag, Flags, Settings};
use crate::output::Output;
use crate::runtime::Threads;
use anyhow::Result;
use entropic::experiment::{
    LatticeTemper, LatticeTemperConfig, LatticeTemperReport, dataset_shape, temper_figures,
};

/// Options of `entropic lattice temper`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    settings: Settings<Self>,
}

impl Flags for Args {
    type Config = LatticeTemperConfig;
    #[rustfmt::skip]
    fn flags() -> Vec<Flag> {
        let mut flags = chain_flags();
        flags.extend([
            Flag::new("rounds", "rounds", "N", "Measured rounds (each: one sampler step at every rung, then one sweep of swap proposals; ≥ 2)."),
            Flag::switch("hot", "cold_start", false, "Start every replica from independent random spins instead of all spins up."),
            Flag::new("keep", "keep", "N", "Keep N configurations per rung (one every ⌊rounds/N⌋ measured rounds) and write them as a dataset: configs.npy (temperatures × N × L × L), temperatures.npy, metadata.json."),
        ]);
        flags
    }
}

pub fn run(args: &Args, global: &Global, out: &mut Output<'_>) -> Result<()> {
    let Some(config) = chain_config(&args.settings, out)? else {
        return Ok(());
    };
    let experiment = LatticeTemper::new(config)?;
    let config = experiment.config();
    let rt = Threads::new(global.quiet);
    let result = experiment.run(global.seed, &rt)?;
    rt.finish();
    let report = LatticeTemperReport::new(&experiment, &result);
    let doc = report.json(global.seed);
    if out.keeps_files() {
        out.file("temper.csv", report.csv().as_bytes())?;
        out.json("temper.json", &doc)?;
        for (name, svg) in temper_figures::figures(&result)? {
            out.file(name, svg.as_bytes())?;
        }
        if let (Some(configs), Some(metadata)) = (&result.configs, report.dataset_json(global.seed))
        {
            let temps: Vec<f64> = result.rungs.iter().map(|r| r.temperature).collect();
            let shape = dataset_shape(&config.chain, temps.len(), configs);
            super::write_dataset(out, (shape, configs), &temps, &metadata)?;
        }
    }
    out.result(&report.text(global.seed), &doc)
}
