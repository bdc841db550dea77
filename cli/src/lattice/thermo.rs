//! `entropic lattice thermo`: flags → [`LatticeThermoConfig`] → [`LatticeThermo`] → table,
//! CSV, JSON and plots.
use super::ModelArgs;
use crate::Global;
use crate::output::Output;
use crate::runtime::Threads;
use anyhow::Result;
use entropic::experiment::{
    ChainConfig, LatticeThermo, LatticeThermoConfig, SpinModel, ThermoResult,
};
use entropic::lattice::{Ising, Temperature, kaufman, onsager, xy_limits};
use entropic::plot::{self, Series};
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
        "coupling": spec.coupling, "field": spec.field, "sweeps": config.sweeps, "seed": global.seed,
        "entropy_unit": if is_ising { "nats per spin" } else { "nats per spin, excess s − ln 2π" },
        "rows": rows, "integration_curve_beta_u_err": curve_rows,
    });
    if out.keeps_files() {
        out.file("thermo.csv", csv.as_bytes())?;
        out.json("thermo.json", &doc)?;
        write_plots(out, spec, &result, exact_ising)?;
    }
    out.result(&text, &doc)
}

fn write_plots(
    out: &mut Output<'_>,
    spec: &ChainConfig,
    result: &ThermoResult,
    exact_ising: bool,
) -> Result<()> {
    let model = Ising::new(spec.square()?, spec.coupling, 0.0)?;
    let model = &model;
    let xs: Vec<f64> = result.rows.iter().map(|r| r.temperature.value()).collect();
    let (t_lo, t_hi) = xs
        .iter()
        .fold((f64::INFINITY, 0.0f64), |(a, b), &t| (a.min(t), b.max(t)));
    let fine: Vec<Temperature> = (0..=200)
        .filter_map(|k| Temperature::new(t_lo + (t_hi - t_lo) * k as f64 / 200.0).ok())
        .collect();
    let mc = |name: &'static str, f: &dyn Fn(usize) -> (f64, f64)| Series {
        name,
        points: (0..xs.len()).map(|k| (xs[k], f(k).0)).collect(),
        errors: (0..xs.len()).map(|k| f(k).1).collect(),
    };
    let curve = |name: &'static str, f: &dyn Fn(Temperature) -> Option<f64>| Series {
        name,
        points: fine
            .iter()
            .filter_map(|&t| f(t).map(|v| (t.value(), v)))
            .collect(),
        errors: vec![],
    };
    let rows = &result.rows;
    let mut s_series = vec![mc("Monte Carlo + TI", &|k| {
        (rows[k].entropy.value, rows[k].entropy.std_error)
    })];
    let mut u_series = vec![mc("Monte Carlo", &|k| {
        let e = &rows[k].point.thermo.energy;
        (e.value, e.std_error)
    })];
    let mut c_series = vec![mc("Monte Carlo", &|k| {
        let c = &rows[k].point.thermo.specific_heat;
        (c.value, c.std_error)
    })];
    if exact_ising {
        s_series.push(curve("Kaufman (L×L)", &|t| {
            kaufman::exact(model, t).ok().map(|f| f.entropy_per_spin)
        }));
        s_series.push(curve("Onsager (L=∞)", &|t| {
            onsager::entropy_per_spin(spec.coupling, t).ok()
        }));
        u_series.push(curve("Kaufman (L×L)", &|t| {
            kaufman::exact(model, t).ok().map(|f| f.energy_per_spin)
        }));
        c_series.push(curve("Kaufman (L×L)", &|t| {
            kaufman::exact(model, t).ok().map(|f| f.specific_heat)
        }));
    } else if spec.model == SpinModel::Xy && spec.field == 0.0 && spec.coupling > 0.0 {
        let sq = spec.square()?;
        s_series.push(curve("high-T series", &|t| {
            (t.value() >= 1.5 * spec.coupling)
                .then(|| {
                    xy_limits::high_temperature(spec.coupling, t)
                        .ok()
                        .map(|v| v.1)
                })
                .flatten()
        }));
        s_series.push(curve("spin waves", &|t| {
            (t.value() <= 0.5 * spec.coupling)
                .then(|| {
                    xy_limits::spin_wave(spec.coupling, t, &sq)
                        .ok()
                        .map(|v| v.1)
                })
                .flatten()
        }));
    }
    let s_label = if spec.model == SpinModel::Ising {
        "s (nats/spin)"
    } else {
        "s − ln 2π (nats/spin)"
    };
    out.file(
        "entropy.svg",
        plot::line_chart("Entropy per spin", "T", s_label, &s_series)?.as_bytes(),
    )?;
    out.file(
        "energy.svg",
        plot::line_chart("Energy per spin", "T", "u", &u_series)?.as_bytes(),
    )?;
    out.file(
        "specific_heat.svg",
        plot::line_chart("Specific heat per spin", "T", "c", &c_series)?.as_bytes(),
    )?;
    Ok(())
}
