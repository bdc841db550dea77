//! A [`GaussianTable`] run's outputs as text, CSV, JSON and SVG: what `entropic entropy
//! gaussian` prints and writes, for any front end to write the same. Writing to a `String`
//! cannot fail, so the `fmt::Write` results below are discarded.
use super::{GaussianRow, GaussianTable, gaussian_summary};
use alloc::format;
use alloc::string::String;
#[cfg(feature = "plot")]
use alloc::string::ToString;
use alloc::vec::Vec;
use core::fmt::Write as _;

/// The estimators of the Gaussian table, in the order of its rows.
pub const GAUSSIAN_ESTIMATORS: [&str; 4] =
    ["gaussian-fit", "knn", "minde-exact-score", "minde-learned"];

/// The rows of a [`GaussianTable`] run shown as a table, CSV, JSON and an error chart.
///
/// # Examples
/// ```
/// use entropic::experiment::{GaussianReport, GaussianTable, GaussianTableConfig, Sequential};
/// let mut config = GaussianTableConfig::default();
/// config.dims = vec![2];
/// config.samples = 500;
/// config.cases = 1;
/// config.estimators.train_steps = 0;
/// config.estimators.draws = 2000;
/// let table = GaussianTable::new(config)?;
/// let rows = table.run(1, &Sequential)?;
/// let report = GaussianReport::new(&table, &rows);
/// assert_eq!(report.csv().lines().count(), 1 + rows.len());
/// assert!(report.text().contains("mean |error|"));
/// # Ok::<(), entropic::experiment::ExperimentError>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct GaussianReport<'a> {
    table: &'a GaussianTable,
    rows: &'a [GaussianRow],
}

impl<'a> GaussianReport<'a> {
    /// The report of `rows`, what `table` returned.
    pub fn new(table: &'a GaussianTable, rows: &'a [GaussianRow]) -> Self {
        Self { table, rows }
    }

    /// Every row as CSV: dimension, case, exact entropy, estimator, value, error bar, error and
    /// seconds.
    pub fn csv(&self) -> String {
        let mut csv = String::from("dim,case,exact,estimator,value,std_error,error,seconds\n");
        for r in self.rows {
            let (e, seconds) = (r.result.estimate, r.result.seconds.unwrap_or(f64::NAN));
            let _ = writeln!(
                csv,
                "{},{},{},{},{},{},{},{seconds}",
                r.dim,
                r.case,
                r.exact,
                r.result.estimator,
                e.value,
                e.std_error,
                r.error()
            );
        }
        csv
    }

    /// Each estimator's mean |error| and mean error per dimension, as
    /// (dimension, estimator, mean |error|, mean error).
    pub fn summary(&self) -> Vec<(usize, &'static str, f64, f64)> {
        let mut lines = Vec::new();
        for &d in &self.table.config().dims {
            for name in GAUSSIAN_ESTIMATORS {
                if let Some((mean_abs, bias)) = gaussian_summary(self.rows, d, name) {
                    lines.push((d, name, mean_abs, bias));
                }
            }
        }
        lines
    }

    /// The table: one line per row, then the [`Self::summary`] lines.
    pub fn text(&self) -> String {
        let mut text = format!(
            "Gaussian sanity check: {} samples per case, nats\n{:>4} {:>4} {:>9} {:>18} {:>9} {:>7} {:>8} {:>7}\n",
            self.table.config().samples,
            "d",
            "case",
            "exact",
            "estimator",
            "value",
            "±",
            "error",
            "time s"
        );
        for r in self.rows {
            let (e, seconds) = (r.result.estimate, r.result.seconds.unwrap_or(f64::NAN));
            let _ = writeln!(
                text,
                "{:>4} {:>4} {:>9.4} {:>18} {:>9.4} {:>7.4} {:>+8.4} {seconds:>7.2}",
                r.dim,
                r.case,
                r.exact,
                r.result.estimator,
                e.value,
                e.std_error,
                r.error()
            );
        }
        for (d, name, mean_abs, bias) in self.summary() {
            let _ = writeln!(
                text,
                "d = {d:>3} {name:>18}: mean |error| {mean_abs:.4}, mean error {bias:+.4}"
            );
        }
        text
    }

    /// The run as one JSON document: the config, the rows and the summary.
    #[cfg(feature = "serde")]
    pub fn json(&self) -> serde_json::Value {
        use serde_json::json;
        json!({
            "config": self.table.config(),
            "rows": self.rows.iter().map(|r| json!({
                "dim": r.dim, "case": r.case, "exact": r.exact, "estimator": r.result.estimator,
                "value": r.result.estimate.value, "std_error": r.result.estimate.std_error,
                "error": r.error(), "seconds": r.result.seconds,
            })).collect::<Vec<_>>(),
            "summary": self.summary().iter().map(|&(d, name, mean_abs, bias)| json!({
                "dim": d, "estimator": name, "mean_abs_error": mean_abs, "mean_error": bias,
            })).collect::<Vec<_>>(),
        })
    }

    /// `errors.svg`: estimate − exact with its error bar per case, one series per estimator.
    ///
    /// # Errors
    /// [`PlotError`](crate::plot::PlotError) if drawing fails.
    #[cfg(feature = "plot")]
    pub fn errors_svg(&self) -> Result<String, crate::plot::PlotError> {
        let groups: Vec<(String, Vec<(f64, f64)>)> = GAUSSIAN_ESTIMATORS
            .into_iter()
            .map(|name| {
                let errors = self
                    .rows
                    .iter()
                    .filter(|r| r.result.estimator == name)
                    .map(|r| (r.error(), r.result.estimate.std_error))
                    .collect();
                (name.to_string(), errors)
            })
            .collect();
        crate::plot::error_chart(
            "Entropy estimate − exact, Gaussian cases (dimensions in order of --dims)",
            "case",
            "error (nats)",
            &groups,
        )
    }
}
