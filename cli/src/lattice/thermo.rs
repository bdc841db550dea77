//! `entropic lattice thermo`.
use super::ModelArgs;
use super::chain::{ModelKind, Plan};
use crate::Global;
use crate::output::Output;
use crate::plot::{self, Series};
use anyhow::{Result, bail};
use entropic::entropy::{EnergyCurve, ThermodynamicIntegration};
use entropic::lattice::{Ising, Temperature, kaufman, onsager, xy_limits};
use entropic::stats::Thermodynamics;
use rayon::prelude::*;
use serde_json::json;
use std::fmt::Write as _;

/// Options of `entropic lattice thermo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    model: ModelArgs,
    /// Measured sweeps per temperature (and per integration point).
    #[arg(long, value_name = "N", default_value_t = 5000)]
    sweeps: usize,
    /// Spacing of the initial β grid for thermodynamic integration.
    #[arg(long, value_name = "DB", default_value_t = 0.05)]
    ti_step: f64,
    /// Refine intervals whose trapezoid error estimate exceeds this (per spin, nats).
    #[arg(long, value_name = "TOL", default_value_t = 2e-4)]
    ti_tolerance: f64,
    /// Most integration points in total.
    #[arg(long, value_name = "N", default_value_t = 400)]
    ti_max_points: usize,
}

struct Point {
    beta: f64,
    thermo: Thermodynamics,
    acceptance: f64,
}

pub fn run(args: &Args, global: &Global, out: &mut Output<'_>) -> Result<()> {
    if args.sweeps < 20 {
        bail!("--sweeps must be at least 20, got {}", args.sweeps);
    }
    let positive = |x: f64| x.is_finite() && x > 0.0;
    if !positive(args.ti_step) || !positive(args.ti_tolerance) {
        bail!("--ti-step and --ti-tolerance must be positive");
    }
    let spec = args.model.spec()?;
    let temps = args.model.temperatures()?;
    let sites = spec.size * spec.size;
    let max_beta = temps.iter().map(|t| t.beta()).fold(0.0, f64::max);

    // Initial grid: the requested β (kept bit-exact, they are looked up later) plus a uniform
    // grid from ti_step to max β without the points that coincide with a requested one.
    let mut betas: Vec<f64> = temps.iter().map(|t| t.beta()).collect();
    betas.sort_by(f64::total_cmp);
    betas.dedup();
    let requested = betas.clone();
    let mut k = 1;
    while (k as f64) * args.ti_step < max_beta {
        let b = k as f64 * args.ti_step;
        if requested.iter().all(|r| (b - r).abs() > 1e-9 * r) {
            betas.push(b);
        }
        k += 1;
    }
    betas.sort_by(f64::total_cmp);
    let progress = crate::progress::Progress::new(betas.len() as u64, "β points", global.quiet);
    let mut points: Vec<Point> = Vec::new();
    let mut todo = betas;
    let ti = match spec.model {
        ModelKind::Ising => ThermodynamicIntegration::ising(),
        ModelKind::Xy => ThermodynamicIntegration::xy_excess(),
    };
    loop {
        let offset = points.len();
        let new: Vec<Point> = todo
            .par_iter()
            .enumerate()
            .map(|(k, &beta)| {
                let mut rng = entropic::rng::stream(global.seed, offset + k);
                let t = Temperature::new(1.0 / beta)?;
                let chain = spec.run(
                    t,
                    Plan::Series {
                        sweeps: args.sweeps,
                    },
                    &mut rng,
                )?;
                let thermo = Thermodynamics::from_series(
                    &chain.energy,
                    &chain.abs_m,
                    beta,
                    sites,
                    spec.components(),
                )?;
                progress.tick();
                Ok(Point {
                    beta,
                    thermo,
                    acceptance: chain.acceptance,
                })
            })
            .collect::<Result<_>>()?;
        points.extend(new);
        points.sort_by(|a, b| a.beta.total_cmp(&b.beta));
        let curve = energy_curve(&points)?;
        let room = args.ti_max_points.saturating_sub(points.len());
        todo = ti
            .refinement(&curve, args.ti_tolerance)
            .into_iter()
            .take(room)
            .collect();
        if todo.is_empty() {
            break;
        }
        progress.extend((points.len() + todo.len()) as u64, points.len() as u64);
    }
    progress.finish();
    let curve = energy_curve(&points)?;
    let entropies = ti.entropies(&curve);

    let is_ising = spec.model == ModelKind::Ising;
    let exact_ising = is_ising && spec.field == 0.0;
    let model = Ising::new(spec.square()?, spec.coupling, 0.0)?;
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
        args.sweeps,
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
    for t in &temps {
        let k = points
            .iter()
            .position(|p| p.beta == t.beta())
            .expect("every requested β is a point");
        let (p, s) = (&points[k], entropies[k]);
        let th = &p.thermo;
        let (mut exact_u, mut exact_c, mut exact_s, mut onsager_s, mut high_t, mut spin_wave) =
            (None, None, None, None, None, None);
        if exact_ising {
            let f = kaufman::exact(&model, *t)?;
            (exact_u, exact_c, exact_s) = (
                Some(f.energy_per_spin),
                Some(f.specific_heat),
                Some(f.entropy_per_spin),
            );
            onsager_s = Some(onsager::entropy_per_spin(spec.coupling, *t)?);
        }
        if !is_ising && spec.field == 0.0 && spec.coupling > 0.0 {
            high_t = Some(xy_limits::high_temperature(spec.coupling, *t)?.1);
            spin_wave = Some(xy_limits::spin_wave(spec.coupling, *t, &spec.square()?)?.1);
        }
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
        if let Some(e) = exact_s {
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
            opt(exact_u),
            opt(exact_c),
            opt(exact_s),
            opt(onsager_s),
            opt(high_t),
            opt(spin_wave)
        )?;
        rows.push(json!({
            "temperature": t.value(), "thermodynamics": th, "entropy": s, "acceptance": p.acceptance,
            "exact": { "energy_per_spin": exact_u, "specific_heat": exact_c, "entropy_per_spin": exact_s,
                       "onsager_entropy_per_spin": onsager_s, "xy_high_temperature_entropy": high_t, "xy_spin_wave_entropy": spin_wave },
        }));
    }
    let curve_rows: Vec<_> = curve
        .points()
        .iter()
        .map(|&(b, u, e)| json!([b, u, e]))
        .collect();
    let doc = json!({
        "command": "lattice thermo", "model": spec.model, "algorithm": spec.algorithm, "size": spec.size,
        "coupling": spec.coupling, "field": spec.field, "sweeps": args.sweeps, "seed": global.seed,
        "entropy_unit": if is_ising { "nats per spin" } else { "nats per spin, excess s − ln 2π" },
        "rows": rows, "integration_curve_beta_u_err": curve_rows,
    });
    if out.keeps_files() {
        out.file("thermo.csv", csv.as_bytes())?;
        out.json("thermo.json", &doc)?;
        write_plots(out, &spec, &temps, &points, &entropies, &model, exact_ising)?;
    }
    out.result(&text, &doc)
}

fn energy_curve(points: &[Point]) -> Result<EnergyCurve> {
    Ok(EnergyCurve::new(
        points
            .iter()
            .map(|p| (p.beta, p.thermo.energy.value, p.thermo.energy.std_error))
            .collect(),
    )?)
}

fn write_plots(
    out: &mut Output<'_>,
    spec: &super::Spec,
    temps: &[Temperature],
    points: &[Point],
    entropies: &[entropic::estimate::Estimate],
    model: &Ising,
    exact_ising: bool,
) -> Result<()> {
    let pick = |t: &Temperature| {
        points
            .iter()
            .position(|p| p.beta == t.beta())
            .expect("requested β is a point")
    };
    let idx: Vec<usize> = temps.iter().map(pick).collect();
    let xs: Vec<f64> = temps.iter().map(|t| t.value()).collect();
    let (t_lo, t_hi) = xs
        .iter()
        .fold((f64::INFINITY, 0.0f64), |(a, b), &t| (a.min(t), b.max(t)));
    let fine: Vec<Temperature> = (0..=200)
        .filter_map(|k| Temperature::new(t_lo + (t_hi - t_lo) * k as f64 / 200.0).ok())
        .collect();
    let mc = |name: &'static str, f: &dyn Fn(usize) -> (f64, f64)| Series {
        name,
        points: idx.iter().zip(&xs).map(|(&k, &t)| (t, f(k).0)).collect(),
        errors: idx.iter().map(|&k| f(k).1).collect(),
    };
    let curve = |name: &'static str, f: &dyn Fn(Temperature) -> Option<f64>| Series {
        name,
        points: fine
            .iter()
            .filter_map(|&t| f(t).map(|v| (t.value(), v)))
            .collect(),
        errors: vec![],
    };
    let mut s_series = vec![mc("Monte Carlo + TI", &|k| {
        (entropies[k].value, entropies[k].std_error)
    })];
    let mut u_series = vec![mc("Monte Carlo", &|k| {
        (
            points[k].thermo.energy.value,
            points[k].thermo.energy.std_error,
        )
    })];
    let mut c_series = vec![mc("Monte Carlo", &|k| {
        (
            points[k].thermo.specific_heat.value,
            points[k].thermo.specific_heat.std_error,
        )
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
    } else if spec.model == ModelKind::Xy && spec.field == 0.0 && spec.coupling > 0.0 {
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
    let s_label = if spec.model == ModelKind::Ising {
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
