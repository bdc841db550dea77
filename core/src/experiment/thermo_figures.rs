//! The figures of a [`LatticeThermo`](super::LatticeThermo) scan as SVG documents (feature
//! `plot`): what `entropic lattice thermo` writes beside its table, with the exact curves the
//! scan is compared with.
use super::{ChainConfig, ExperimentError, SpinModel, ThermoResult};
use crate::lattice::{Ising, Temperature, kaufman, onsager, xy_limits};
use crate::plot::{self, Series};
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

/// The figures of a thermodynamics scan as (file name, SVG): entropy, energy and specific heat
/// per spin against temperature from the Monte Carlo rows (with error bars), beside Kaufman's
/// finite-lattice and Onsager's infinite-lattice curves when `exact_ising`, or the XY high-T
/// series and spin-wave limits for a ferromagnetic XY model without a field
/// (`entropy.svg`, `energy.svg`, `specific_heat.svg`).
///
/// # Errors
/// [`ExperimentError::Plot`] if drawing fails; [`ExperimentError::Lattice`] for a lattice the
/// chain settings do not describe.
pub fn figures(
    spec: &ChainConfig,
    result: &ThermoResult,
    exact_ising: bool,
) -> Result<Vec<(&'static str, String)>, ExperimentError> {
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
        // Kaufman's solution once per temperature, for all three curves.
        let exact: Vec<_> = fine
            .iter()
            .map(|&t| kaufman::exact(model, t).ok())
            .collect();
        let kaufman_curve = |pick: fn(&kaufman::FiniteThermo) -> f64| Series {
            name: "Kaufman (L×L)",
            points: fine
                .iter()
                .zip(&exact)
                .filter_map(|(t, e)| e.as_ref().map(|e| (t.value(), pick(e))))
                .collect(),
            errors: vec![],
        };
        s_series.push(kaufman_curve(|e| e.entropy_per_spin));
        s_series.push(curve("Onsager (L=∞)", &|t| {
            onsager::entropy_per_spin(spec.coupling, t).ok()
        }));
        u_series.push(kaufman_curve(|e| e.energy_per_spin));
        c_series.push(kaufman_curve(|e| e.specific_heat));
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
    Ok(vec![
        (
            "entropy.svg",
            plot::line_chart("Entropy per spin", "T", s_label, &s_series)?,
        ),
        (
            "energy.svg",
            plot::line_chart("Energy per spin", "T", "u", &u_series)?,
        ),
        (
            "specific_heat.svg",
            plot::line_chart("Specific heat per spin", "T", "c", &c_series)?,
        ),
    ])
}
