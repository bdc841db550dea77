//! Estimator rows ([`EstimatorRow`]) as the table and JSON rows `entropic entropy compare` and
//! `entropy mi` print: every estimator's value and error bar in a unit, optionally per coordinate
//! and against a known value. Writing to a `String` cannot fail, so the `fmt::Write` results
//! below are discarded.
use super::EstimatorRow;
use crate::estimate::Unit;
use alloc::format;
use alloc::string::{String, ToString};
#[cfg(feature = "serde")]
use alloc::vec::Vec;
use core::fmt::Write as _;

/// The rows as an aligned table in `unit`: estimator, value, error bar, the value per
/// coordinate when `per_value` gives the dimension, the error against `exact` when given, and
/// seconds; then, for learned estimators, the fitted KL(data ‖ Gaussian fit) and a warning when
/// it is indistinguishable from zero (the score network learned nothing).
///
/// # Examples
/// ```
/// use entropic::estimate::{Estimate, Unit};
/// use entropic::experiment::{EstimatorRow, estimator_table};
/// let rows = [EstimatorRow::new("knn", Estimate::new(1.40, 0.01, Unit::Nats, 1000), Some(0.5))];
/// let table = estimator_table(&rows, Unit::Nats, Some(1.4189), Some(1));
/// assert!(table.contains("knn") && table.contains("-0.0189"));
/// ```
pub fn estimator_table(
    rows: &[EstimatorRow],
    unit: Unit,
    exact: Option<f64>,
    per_value: Option<usize>,
) -> String {
    let per_header = if per_value.is_some() { "per value" } else { "" };
    let mut text = format!(
        "{:>30} {:>11} {:>9} {per_header:>10} {:>9} {:>8}\n",
        "estimator", "value", "±", "error", "time s"
    );
    for row in rows {
        let e = row.estimate.to_unit(unit);
        let err = exact.map(|h| e.value - h);
        let per = per_value.map(|d| e.value / d as f64);
        let _ = writeln!(
            text,
            "{:>30} {:>11.4} {:>9.4} {:>10} {:>9} {:>8.2}",
            row.estimator,
            e.value,
            e.std_error,
            per.map_or(String::new(), |v| format!("{v:.5}")),
            err.map_or("—".to_string(), |v| format!("{v:+.4}")),
            row.seconds.unwrap_or(f64::NAN)
        );
    }
    for row in rows {
        if let Some(kl) = row.divergence {
            let kl = kl.to_unit(unit);
            let _ = writeln!(
                text,
                "{}: KL(data ‖ Gaussian fit) = {:.4} ± {:.4} (the score's non-Gaussian part)",
                row.estimator, kl.value, kl.std_error
            );
            if row.learned_nothing() {
                let _ = writeln!(
                    text,
                    "warning: {} equals the Gaussian fit (KL below 2σ + 0.001 nats) — Gaussian \
                     data, or a score network that learned nothing (try more --train-steps)",
                    row.estimator
                );
            }
        }
    }
    text
}

/// The rows as JSON objects in `unit` (value, error bar, error against `exact`, seconds, the
/// value per coordinate when `per_value` is given, and for learned estimators the fitted KL and
/// whether it is zero): the `rows` of `entropy compare` and `entropy mi`'s JSON.
#[cfg(feature = "serde")]
pub fn estimator_rows_json(
    rows: &[EstimatorRow],
    unit: Unit,
    exact: Option<f64>,
    per_value: Option<usize>,
) -> Vec<serde_json::Value> {
    use serde_json::json;
    rows.iter()
        .map(|row| {
            let e = row.estimate.to_unit(unit);
            let err = exact.map(|h| e.value - h);
            let mut j = json!({"estimator": row.estimator, "value": e.value,
                "std_error": e.std_error, "error": err, "seconds": row.seconds});
            if let Some(d) = per_value {
                j["per_value"] = json!(e.value / d as f64);
            }
            if let Some(kl) = row.divergence {
                let kl = kl.to_unit(unit);
                j["divergence_from_fit"] = json!({"value": kl.value, "std_error": kl.std_error});
                j["learned_nothing"] = json!(row.learned_nothing());
            }
            j
        })
        .collect()
}
