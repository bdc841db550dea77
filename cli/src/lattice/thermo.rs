//! `entropic lattice thermo`: flags → [`LatticeThermoConfig`] → [`LatticeThermo`] →
//! [`LatticeThermoReport`] (table, CSV, JSON and plots).
use super::ModelArgs;
use crate::Global;
use crate::output::Output;
use crate::runtime::Threads;
use anyhow::Result;
use entropic::experiment::{LatticeThermo, LatticeThermoConfig, LatticeThermoReport};

fn defaults() -> LatticeThermoConfig {
    LatticeThermoConfig::default()
}

/// Options of `entropic lattice thermo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    model: ModelArgs,
    /// Measured sweeps per temperature (and per integration point; ≥ 20).
    #[arg(long, value_name = "N", default_value_t = defaults().sweeps)]
    sweeps: usize,
    /// Spacing of the initial β grid for thermodynamic integration.
    #[arg(long, value_name = "DB", default_value_t = defaults().ti_step, allow_negative_numbers = true)]
    ti_step: f64,
    /// Refine intervals whose trapezoid error estimate exceeds this (per spin, nats).
    #[arg(long, value_name = "TOL", default_value_t = defaults().ti_tolerance, allow_negative_numbers = true)]
    ti_tolerance: f64,
    /// Most integration points in total (at least the initial grid).
    #[arg(long, value_name = "N", default_value_t = defaults().ti_max_points)]
    ti_max_points: usize,
}

impl Args {
    fn config(&self, global: &Global) -> Result<LatticeThermoConfig> {
        let (mut c, o) = self.model.overlay(global, |c: &mut LatticeThermoConfig| {
            (&mut c.chain, &mut c.temperatures)
        })?;
        o.set("sweeps", &mut c.sweeps, self.sweeps);
        o.set("ti_step", &mut c.ti_step, self.ti_step);
        o.set("ti_tolerance", &mut c.ti_tolerance, self.ti_tolerance);
        o.set("ti_max_points", &mut c.ti_max_points, self.ti_max_points);
        Ok(c)
    }
}

pub fn run(args: &Args, global: &Global, out: &mut Output<'_>) -> Result<()> {
    let config = args.config(global)?;
    if args.model.config.print_config {
        return out.print_config(&config);
    }
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
