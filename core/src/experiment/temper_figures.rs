//! The figures of a [`LatticeTemper`](super::LatticeTemper) run as SVG documents (feature
//! `plot`): what `entropic lattice temper` writes beside its table.
use super::LatticeTemperResult;
use crate::plot::{self, PlotError, Series};
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

/// The figures of a replica-exchange run as (file name, SVG): energy per spin against
/// temperature beside the exact values where known (`energy.svg`), the swap acceptance of
/// neighbouring rungs (`swaps.svg`) and, for XY, the helicity modulus against the
/// Kosterlitz–Thouless line 2T/π (`helicity.svg`).
///
/// # Errors
/// [`PlotError`] if drawing fails.
pub fn figures(result: &LatticeTemperResult) -> Result<Vec<(&'static str, String)>, PlotError> {
    let mut files = Vec::new();
    let rungs = &result.rungs;
    let mut energy = vec![Series {
        name: "replica exchange",
        points: rungs
            .iter()
            .map(|r| (r.temperature, r.energy.value))
            .collect(),
        errors: rungs.iter().map(|r| r.energy.std_error).collect(),
    }];
    let exact: Vec<(f64, f64)> = rungs
        .iter()
        .filter_map(|r| r.reference.exact_energy.map(|e| (r.temperature, e)))
        .collect();
    if !exact.is_empty() {
        energy.push(Series {
            name: "exact",
            points: exact,
            errors: vec![],
        });
    }
    let chart = plot::line_chart("energy per spin", "T", "e", &energy)?;
    files.push(("energy.svg", chart));
    let swaps = Series {
        name: "swap acceptance",
        points: rungs
            .windows(2)
            .zip(&result.swap_acceptance)
            .map(|(w, &a)| (0.5 * (w[0].temperature + w[1].temperature), a))
            .collect(),
        errors: vec![],
    };
    let chart = plot::line_chart(
        "swap acceptance of neighbouring rungs",
        "T (pair midpoint)",
        "acceptance",
        &[swaps],
    )?;
    files.push(("swaps.svg", chart));
    let helicity: Vec<_> = rungs
        .iter()
        .filter_map(|r| r.helicity.map(|y| (r.temperature, y)))
        .collect();
    if !helicity.is_empty() {
        let series = [
            Series {
                name: "helicity modulus Υ",
                points: helicity.iter().map(|(t, y)| (*t, y.value)).collect(),
                errors: helicity.iter().map(|(_, y)| y.std_error).collect(),
            },
            Series {
                name: "2T/π (the Kosterlitz–Thouless jump)",
                points: helicity
                    .iter()
                    .map(|(t, _)| (*t, 2.0 * t / core::f64::consts::PI))
                    .collect(),
                errors: vec![],
            },
        ];
        let chart = plot::line_chart("helicity modulus", "T", "Υ", &series)?;
        files.push(("helicity.svg", chart));
    }
    Ok(files)
}
