//! `entropic lattice thermo`: flags → [`LatticeThermoConfig`] → [`LatticeThermo`] →
//! [`LatticeThermoReport`] (table, CSV, JSON and plots).
use super::{chain_config, chain_flags};
use crate::Global;
use crate::config::{Flag, Flags, Settings};
use crate::output::Output;
use crate::runtime::Threads;
use anyhow::Result;
use entropic::experiment::{LatticeThermo, LatticeThermoConfig, LatticeThermoReport};

/// Options of `entropic lattice thermo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    settings: Settings<Self>,
}

impl Flags for Args {
    type Config = LatticeThermoConfig;
    #[rustfmt::skip]
    fn flags() -> Vec<Flag> {
        let mut flags = chain_flags();
        flags.extend([
            Flag::new("sweeps", "sweeps", "N", "Measured sweeps per temperature (and per integration point; ≥ 20)."),
            Flag::new("ti-step", "ti_step", "DB", "Spacing of the initial β grid for thermodynamic integration."),
            Flag::new("ti-tolerance", "ti_tolerance", "TOL", "Refine intervals whose trapezoid error estimate exceeds this (per spin, nats)."),
            Flag::new("ti-max-points", "ti_max_points", "N", "Most integration points in total (at least the initial grid)."),
        ]);
        flags
    }
}

pub fn run(args: &Args, global: &Global, out: &mut Output<'_>) -> Result<()> {
    let Some(config) = chain_config(&args.settings, out)? else {
        return Ok(());
    };
    let experiment = LatticeThermo::new(config)?;
    let result = experiment.run(global.seed, &Threads::new(global.quiet))?;
    let report = LatticeThermoReport::new(&experiment, &result);
    let doc = report.json(global.seed);
    if out.keeps_files() {
        out.file("thermo.csv", report.csv().as_bytes())?;
        out.json("thermo.json", &doc)?;
        for (name, svg) in report.figures()? {
            out.file(name, svg.as_bytes())?;
        }
    }
    out.result(&report.text(), &doc)
}
