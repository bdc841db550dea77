//! An [`EntropyBenchmark`] run's outputs as text, CSV, JSON and SVG: what
//! `entropic entropy benchmark` prints and writes, for any front end to write the same. Writing
//! to a `String` cannot fail, so the `fmt::Write` results below are discarded.
use super::{BenchmarkRow, EntropyBenchmark, benchmark_summary};
use crate::estimate::Unit;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::Write as _;

/// The estimators of the benchmark, in the order of its rows.
pub const BENCHMARK_ESTIMATORS: [&str; 9] = [
    "gaussian-fit",
    "knn",
    "knn-whitened",
    "minde-learned",
    "gaussian-cca",
    "ksg-1",
    "ksg-2",
    "mine",
    "minde-c",
];

/// Largest dimension of the benchmark's headline summary (the goals of issue #26 are stated for
/// d ≤ 16).
pub const SUMMARY_MAX_DIM: usize = 16;

/// One line of a [`BenchmarkReport`]'s summary: an estimator's mean and largest |error| at one
/// sample size, over the tasks up to a dimension (`None`: all).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SummaryLine {
    /// Samples per task.
    pub samples: usize,
    /// The estimator.
    pub estimator: &'static str,
    /// Largest task dimension included, or `None` for every task.
    pub max_dim: Option<usize>,
    /// Mean |estimate − exact| (nats).
    pub mean_abs_error: f64,
    /// Largest |estimate − exact| (nats).
    pub max_abs_error: f64,
}

/// The rows of an [`EntropyBenchmark`] run shown as a table, CSV, JSON and an error chart.
///
/// # Examples
/// ```
/// use entropic::experiment::{BenchmarkReport, EntropyBenchmark, EntropyBenchmarkConfig, Sequential};
/// let config = EntropyBenchmarkConfig {
///     samples: vec![500],
///     tasks: vec!["laplace-mix-d1".into()],
///     estimators: entropic::experiment::EstimatorConfig { train_steps: 0, ..Default::default() },
///     ..Default::default()
/// };
/// let run = EntropyBenchmark::new(config, 0)?;
/// let rows = run.run(1, &Sequential)?;
/// let report = BenchmarkReport::new(&run, 0, &rows);
/// assert_eq!(report.csv().lines().count(), 1 + rows.len());
/// assert!(report.summary().iter().any(|s| s.estimator == "knn" && s.samples == 500));
/// # Ok::<(), entropic::experiment::ExperimentError>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct BenchmarkReport<'a> {
    run: &'a EntropyBenchmark,
    suite_seed: u64,
    rows: &'a [BenchmarkRow],
}

impl<'a> BenchmarkReport<'a> {
    /// The report of `rows`, what `run` (made with `suite_seed`) returned.
    pub fn new(run: &'a EntropyBenchmark, suite_seed: u64, rows: &'a [BenchmarkRow]) -> Self {
        Self {
            run,
            suite_seed,
            rows,
        }
    }

    /// The seed of the entropy tasks' random matrices the run was made with.
    pub fn suite_seed(&self) -> u64 {
        self.suite_seed
    }

    /// Every row as CSV: task, quantity, dimension, samples, the exact value with its error,
    /// the estimate with its error bar, error, seconds and, for learned MINDE, the fitted
    /// KL(data ‖ Gaussian fit) and whether it is indistinguishable from zero.
    pub fn csv(&self) -> String {
        let mut csv = String::from(
            "task,quantity,dim,samples,exact,exact_error,estimator,value,std_error,error,seconds,\
             divergence,divergence_error,learned_nothing\n",
        );
        for r in self.rows {
            let (e, seconds) = (r.result.estimate, r.result.seconds.unwrap_or(f64::NAN));
            let (kl, kl_error, nothing) =
                r.result
                    .divergence
                    .map_or((String::new(), String::new(), String::new()), |kl| {
                        let kl = kl.to_unit(Unit::Nats);
                        (
                            kl.value.to_string(),
                            kl.std_error.to_string(),
                            r.result.learned_nothing().to_string(),
                        )
                    });
            let _ = writeln!(
                csv,
                "{},{},{},{},{},{},{},{},{},{},{seconds},{kl},{kl_error},{nothing}",
                r.task,
                r.quantity,
                r.dim,
                r.samples,
                r.exact,
                r.exact_error,
                r.result.estimator,
                e.value,
                e.std_error,
                r.error()
            );
        }
        csv
    }

    /// Mean and largest |error| of every estimator at every sample size, over the tasks with
    /// d ≤ [`SUMMARY_MAX_DIM`] and over all of them.
    pub fn summary(&self) -> Vec<SummaryLine> {
        let mut lines = Vec::new();
        for &samples in &self.run.config().samples {
            for estimator in BENCHMARK_ESTIMATORS {
                for max_dim in [Some(SUMMARY_MAX_DIM), None] {
                    let limit = max_dim.unwrap_or(usize::MAX);
                    if let Some((mean_abs_error, max_abs_error)) =
                        benchmark_summary(self.rows, estimator, samples, limit)
                    {
                        lines.push(SummaryLine {
                            samples,
                            estimator,
                            max_dim,
                            mean_abs_error,
                            max_abs_error,
                        });
                    }
                }
            }
        }
        lines
    }

    /// The table: one line per row (value ± error, error, seconds; learned MINDE rows that
    /// equal the Gaussian fit flagged), then the [`Self::summary`] lines.
    pub fn text(&self) -> String {
        let mut text = format!(
            "Entropy benchmark: exact entropies, nats\n{:>32} {:>3} {:>6} {:>9} {:>14} {:>9} {:>7} {:>8} {:>7}\n",
            "task", "d", "n", "exact", "estimator", "value", "±", "error", "time s"
        );
        for r in self.rows {
            let (e, seconds) = (r.result.estimate, r.result.seconds.unwrap_or(f64::NAN));
            let _ = writeln!(
                text,
                "{:>40} {:>3} {:>6} {:>9.4} {:>14} {:>9.4} {:>7.4} {:>+8.4} {seconds:>7.2}{}",
                r.task,
                r.dim,
                r.samples,
                r.exact,
                r.result.estimator,
                e.value,
                e.std_error,
                r.error(),
                if r.result.learned_nothing() {
                    "  (= Gaussian fit: learned nothing)"
                } else {
                    ""
                }
            );
        }
        for s in self.summary() {
            let dims = s
                .max_dim
                .map_or_else(|| "all d".to_string(), |d| format!("d ≤ {d}"));
            let _ = writeln!(
                text,
                "n = {:>6} {:>14} ({dims:>6}): mean |error| {:.4}, max |error| {:.4}",
                s.samples, s.estimator, s.mean_abs_error, s.max_abs_error
            );
        }
        text
    }

    /// The run as one JSON document: the config, the suite's seed, the rows and the summary.
    #[cfg(feature = "serde")]
    pub fn json(&self) -> serde_json::Value {
        use serde_json::json;
        json!({
            "config": self.run.config(),
            "suite_seed": self.suite_seed,
            "unit": "nats",
            "rows": self.rows.iter().map(|r| json!({
                "task": r.task, "quantity": r.quantity, "dim": r.dim, "samples": r.samples,
                "exact": r.exact, "exact_error": r.exact_error, "estimator": r.result.estimator,
                "value": r.result.estimate.value, "std_error": r.result.estimate.std_error,
                "error": r.error(), "seconds": r.result.seconds,
            })).collect::<Vec<_>>(),
            "summary": self.summary().iter().map(|s| json!({
                "samples": s.samples, "estimator": s.estimator, "max_dim": s.max_dim,
                "mean_abs_error": s.mean_abs_error, "max_abs_error": s.max_abs_error,
            })).collect::<Vec<_>>(),
        })
    }

    /// `errors.svg`: estimate − exact with its error bar per task, one series per estimator and
    /// sample size.
    ///
    /// # Errors
    /// [`PlotError`](crate::plot::PlotError) if drawing fails.
    #[cfg(feature = "plot")]
    pub fn errors_svg(&self) -> Result<String, crate::plot::PlotError> {
        let groups: Vec<(String, Vec<(f64, f64)>)> = self
            .run
            .config()
            .samples
            .iter()
            .flat_map(|&n| {
                BENCHMARK_ESTIMATORS.into_iter().map(move |name| {
                    let errors = self
                        .rows
                        .iter()
                        .filter(|r| r.samples == n && r.result.estimator == name)
                        .map(|r| (r.error(), r.result.estimate.std_error))
                        .collect();
                    (format!("{name}, n = {n}"), errors)
                })
            })
            .collect();
        crate::plot::error_chart(
            "Estimate − exact per task (task index in the order of benchmark.csv)",
            "task",
            "error (nats)",
            &groups,
        )
    }
}
