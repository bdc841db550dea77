//! `entropic lattice thermo`: flags → [`LatticeThermoConfig`] → [`LatticeThermo`] → table,
//! CSV, JSON and plots.
use super::ModelArgs;
use crate::Global;
use crate::output::Output;
use crate::runtime::Threads;
use anyhow::Result;
use entropic::experiment::{LatticeThermo, LatticeThermoConfig, SpinModel, thermo_figures};
use serde_json::json;
use std::fmt::Write as _;

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
    let config = experiment.config();
    let result = experiment.run(global.seed, &Threads::new(global.quiet))?;
    let spec = &config.chain;
    let points = &result.points;

    let is_ising = spec.model == SpinModel::Ising;
    let exact_ising = is_ising && spec.field == 0.0;
    let mut rows = Vec::new();
    let unit_note = if is_ising {
        "s in nats per spin"
    } else {
        "s is the excess entropy s − ln 2π, nats per spin"
    };
    let mut text = format!(
        "{} {}×{}, {} sweeps per point, {} integration points; {unit_note}\n{:>7} {:>22} {:>20} {:>20} {:>22}{}\n",
        if is_ising { "Ising" } else { "XY" },
        spec.size,
        spec.size,
        config.sweeps,
        points.len(),
        "T",
        "u",
        "c",
        "|m|",
        "s (MC + TI)",
        if exact_ising {
            format!("{:>14} {:>10}", "s exact (L×L)", "|Δ|/σ")
        } else {
            String::new()
        }
    );
    let mut csv = String::from(
        "T,beta,u,u_err,c,c_err,abs_m,abs_m_err,chi,chi_err,binder,binder_err,s,s_err,tau_int_energy,drift_sigmas,acceptance,exact_u,exact_c,exact_s,onsager_s,xy_high_t_s,xy_spin_wave_s\n",
    );
    for row in &result.rows {
        let (t, p, s, x) = (row.temperature, &row.point, row.entropy, &row.exact);
        let th = &p.thermo;
        let pm = |v: f64, e: f64| format!("{v:>10.5} ± {e:<8.5}");
        write!(
            text,
            "{:>7.4} {} {} {} {}",
            t.value(),
            pm(th.energy.value, th.energy.std_error),
            pm(th.specific_heat.value, th.specific_heat.std_error),
            pm(th.abs_magnetization.value, th.abs_magnetization.std_error),
            pm(s.value, s.std_error)
        )?;
        if let Some(e) = x.entropy_per_spin {
            write!(
                text,
                " {e:>14.6} {:>10.2}",
                (s.value - e).abs() / s.std_error
            )?;
        }
        writeln!(
            text,
            "{}",
            if th.is_equilibrated() {
                ""
            } else {
                "  (energy drifts: run longer)"
            }
        )?;
        let opt = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
        writeln!(
            csv,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            t.value(),
            p.beta,
            th.energy.value,
            th.energy.std_error,
            th.specific_heat.value,
            th.specific_heat.std_error,
            th.abs_magnetization.value,
            th.abs_magnetization.std_error,
            th.susceptibility.value,
            th.susceptibility.std_error,
            th.binder.value,
            th.binder.std_error,
            s.value,
            s.std_error,
            th.energy.autocorrelation.tau,
            th.energy_drift_sigmas,
            p.acceptance,
            opt(x.energy_per_spin),
            opt(x.specific_heat),
            opt(x.entropy_per_spin),
            opt(x.onsager_entropy_per_spin),
            opt(x.xy_high_temperature_entropy),
            opt(x.xy_spin_wave_entropy)
        )?;
        rows.push(json!({
            "temperature": t.value(), "thermodynamics": th, "entropy": s, "acceptance": p.acceptance,
            "exact": x,
        }));
    }
    let curve_rows: Vec<_> = points
        .iter()
        .map(|p| json!([p.beta, p.thermo.energy.value, p.thermo.energy.std_error]))
        .collect();
    let doc = json!({
        "command": "lattice thermo", "model": spec.model, "algorithm": spec.algorithm, "size": spec.size,
        "coupling": spec.coupling, "field": spec.field, "next_nearest": spec.next_nearest, "sweeps": config.sweeps, "seed": global.seed,
        "entropy_unit": if is_ising { "nats per spin" } else { "nats per spin, excess s − ln 2π" },
        "rows": rows, "integration_curve_beta_u_err": curve_rows,
    });
    if out.keeps_files() {
        out.file("thermo.csv", csv.as_bytes())?;
        out.json("thermo.json", &doc)?;
        for (name, svg) in thermo_figures::figures(spec, &result, exact_ising)? {
            out.file(name, svg.as_bytes())?;
        }
    }
    out.result(&text, &doc)
}
