//! `entropic lattice sample`: flags → [`LatticeSampleConfig`] → [`LatticeSample`] →
//! [`LatticeSampleReport`] (table, metadata.json, pictures) and the dataset's arrays.
use super::{chain_config, chain_flags};
use crate::Global;
use crate::config::{Flag, Flags, Settings};
use crate::output::Output;
use crate::runtime::Threads;
use anyhow::{Result, bail};
use entropic::experiment::{LatticeSample, LatticeSampleConfig, LatticeSampleReport};

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
    let Some(config) = chain_config(&args.settings, out)? else {
        return Ok(());
    };
    if !out.keeps_files() {
        bail!("lattice sample writes a dataset: give --out DIR");
    }
    let experiment = LatticeSample::new(config)?;
    let chains = experiment.run(global.seed, &Threads::new(global.quiet))?;
    let report = LatticeSampleReport::new(&experiment, &chains);
    let metadata = report.json(global.seed);
    let temperatures = &experiment.config().temperatures;
    let dataset = (report.shape(), report.configs());
    super::write_dataset(out, dataset, temperatures, &metadata)?;
    for (name, svg) in report.figures()? {
        out.file(&name, svg.as_bytes())?;
    }
    out.result(&report.text(), &metadata)
}
