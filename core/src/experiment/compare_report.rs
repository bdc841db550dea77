//! What `entropic entropy compare` and `entropy mi` print and write: every estimator's value on a
//! user's samples as a table ([`estimator_table`]) under a line saying what was estimated, and
//! as JSON with the settings.
use super::{EntropyCompare, EstimatorRow, MutualInformationCompare, estimator_table};
use crate::estimate::Unit;
use alloc::format;
use alloc::string::String;

/// An estimator comparison shown as a table and JSON: the entropy of samples
/// ([`CompareReport::entropy`]) or the mutual information of paired samples
/// ([`CompareReport::mutual_information`]), in `unit`, against a known value where one is given.
///
/// # Examples
/// ```
/// use entropic::estimate::Unit;
/// use entropic::experiment::{CompareReport, EntropyCompare, EntropyCompareConfig, Sequential};
/// use entropic::samples::Samples;
/// let mut config = EntropyCompareConfig::default();
/// config.estimators.train_steps = 0;
/// let x: Vec<f64> = (0..400).map(|i| ((i * 37) % 400) as f64 / 400.0).collect();
/// let run = EntropyCompare::new(config, Samples::new(x, 1)?)?;
/// let rows = run.run(1, &Sequential)?;
/// let report = CompareReport::entropy(&run, &rows, Unit::Nats, Some(0.0));
/// assert!(report.text().starts_with("400 samples × 1 values; entropy in nats"));
/// assert!(report.text().ends_with("exact (given)      0.0000\n"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct CompareReport<'a> {
    rows: &'a [EstimatorRow],
    unit: Unit,
    exact: Option<f64>,
    /// The line above the table.
    title: String,
    /// The dimension for per-coordinate values (entropies only).
    per_value: Option<usize>,
    #[cfg(feature = "serde")]
    json: serde_json::Value,
}

impl<'a> CompareReport<'a> {
    /// The entropies of `run`'s samples (`rows`, what it returned), with `exact` their known
    /// total entropy in `unit`.
    pub fn entropy(
        run: &EntropyCompare,
        rows: &'a [EstimatorRow],
        unit: Unit,
        exact: Option<f64>,
    ) -> Self {
        let (n, d, spins) = (run.samples().len(), run.samples().dim(), run.config().spins);
        let note = if spins {
            " (±1 spins, dequantised; absolute discrete entropy)"
        } else {
            ""
        };
        Self {
            rows,
            unit,
            exact,
            title: format!("{n} samples × {d} values{note}; entropy in {unit}\n"),
            per_value: Some(d),
            #[cfg(feature = "serde")]
            json: serde_json::json!({"samples": n, "dim": d, "spins": spins,
                "unit": format!("{unit}"), "exact": exact, "config": run.config()}),
        }
    }

    /// The mutual information of `run`'s pairs (`rows`, what it returned), with `exact` its
    /// known value in `unit`.
    pub fn mutual_information(
        run: &MutualInformationCompare,
        rows: &'a [EstimatorRow],
        unit: Unit,
        exact: Option<f64>,
    ) -> Self {
        let (x, y) = run.samples();
        let (n, dx, dy) = (x.len(), x.dim(), y.dim());
        Self {
            rows,
            unit,
            exact,
            title: format!("{n} pairs, d_x = {dx}, d_y = {dy}; mutual information in {unit}\n"),
            per_value: None,
            #[cfg(feature = "serde")]
            json: serde_json::json!({"pairs": n, "dim_x": dx, "dim_y": dy,
                "unit": format!("{unit}"), "metric": "maximum norm (KSG)", "exact": exact,
                "config": run.config()}),
        }
    }

    /// The title line, the table and, for an entropy with a known value, that value.
    pub fn text(&self) -> String {
        let mut text = self.title.clone();
        text += &estimator_table(self.rows, self.unit, self.exact, self.per_value);
        if let (Some(h), Some(_)) = (self.exact, self.per_value) {
            text += &format!("{:>30} {h:>11.4}\n", "exact (given)");
        }
        text
    }

    /// The JSON document: what was estimated, the settings and the rows
    /// ([`super::estimator_rows_json`]).
    #[cfg(feature = "serde")]
    pub fn json(&self) -> serde_json::Value {
        let mut doc = self.json.clone();
        doc["rows"] =
            super::estimator_rows_json(self.rows, self.unit, self.exact, self.per_value).into();
        doc
    }
}
