//! `entropic lattice exact`: flags → an Ising model and temperatures → [`ExactReport`] (table
//! and JSON).
use crate::Global;
use crate::output::Output;
use anyhow::Result;
use entropic::estimate::Unit;
use entropic::experiment::ExactReport;
use entropic::lattice::{Ising, Square};

/// Options of `entropic lattice exact`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Linear size L of the periodic L×L lattice (2 to 46340).
    #[arg(long, short = 'L', value_name = "L", default_value_t = 20)]
    size: usize,
    /// Temperatures: a value, a list, START:STOP:STEP or START:STOP:nCOUNT.
    #[arg(long, value_name = "GRID", allow_hyphen_values = true)]
    temps: String,
    /// Coupling J (≠ 0; J < 0 needs even L).
    #[arg(
        long,
        value_name = "J",
        default_value_t = 1.0,
        allow_negative_numbers = true
    )]
    coupling: f64,
    /// Report entropies in bits instead of nats.
    #[arg(long)]
    bits: bool,
}

pub fn run(args: &Args, _global: &Global, out: &mut Output<'_>) -> Result<()> {
    let temps = super::parse_temperatures(&args.temps)?;
    let model = Ising::new(Square::with_side(args.size)?, args.coupling, 0.0)?;
    let unit = if args.bits { Unit::Bits } else { Unit::Nats };
    let report = ExactReport::new(&model, &temps, unit)?;
    let doc = report.json();
    out.json("exact.json", &doc)?;
    out.result(&report.text(), &doc)
}
