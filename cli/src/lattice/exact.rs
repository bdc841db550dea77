//! `entropic lattice exact`.
use crate::Global;
use crate::output::Output;
use anyhow::Result;
use entropic::lattice::{ExactRow, Ising, Square};
use serde_json::json;
use std::fmt::Write as _;

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
    let (unit, scale) = if args.bits {
        ("bits", std::f64::consts::LOG2_E)
    } else {
        ("nats", 1.0)
    };
    let mut rows = Vec::new();
    let mut text = format!(
        "Exact zero-field Ising, J = {}, entropy in {unit}\n{:>8} {:>14} {:>14} {:>14} {:>14} {:>14}\n",
        args.coupling, "T", "u (L×L)", "s (L×L)", "c (L×L)", "u (L=∞)", "s (L=∞)"
    );
    for row in ExactRow::table(&model, &temps)? {
        let finite = row.finite;
        let (u_inf, s_inf) = (row.onsager_energy, row.onsager_entropy);
        writeln!(
            text,
            "{:>8.4} {:>14.10} {:>14.10} {:>14.10} {:>14.10} {:>14.10}",
            row.temperature.value(),
            finite.energy_per_spin,
            finite.entropy_per_spin * scale,
            finite.specific_heat,
            u_inf,
            s_inf * scale
        )?;
        rows.push(json!({
            "temperature": row.temperature.value(),
            "finite": {
                "energy_per_spin": finite.energy_per_spin,
                "entropy_per_spin": finite.entropy_per_spin * scale,
                "specific_heat": finite.specific_heat,
                "ln_z": finite.ln_z,
            },
            "infinite": { "energy_per_spin": u_inf, "entropy_per_spin": s_inf * scale },
        }));
    }
    let doc = json!({ "command": "lattice exact", "size": args.size, "coupling": args.coupling, "unit": unit, "rows": rows });
    out.json("exact.json", &doc)?;
    out.result(&text, &doc)
}
