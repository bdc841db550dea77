//! The entropy benchmark: every sample-based estimator on the ground-truth tasks of
//! [`entropy_suite`], at several sample sizes; the library side of `entropic entropy benchmark`.
use super::estimators::{EstimatorConfig, EstimatorRow};
use super::runtime::timed;
use super::{ExperimentError, Runtime, check_memory};
use crate::entropy::tasks::{EntropyTask, entropy_suite};
use crate::entropy::{EntropyEstimator, GaussianFit, Whitened};
use crate::estimate::Estimate;
use crate::experiment::check_cancelled;
use crate::rng::stream;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

/// Settings of an [`EntropyBenchmark`].
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct EntropyBenchmarkConfig {
    /// Sample sizes; every task runs at each (each ≥ 2 + the task's dimension). Default
    /// [5000, 20000].
    pub samples: Vec<usize>,
    /// Names of the tasks to run (as [`EntropyTask::name`] spells them); empty runs all of
    /// [`entropy_suite`]. Default empty.
    pub tasks: Vec<String>,
    /// The estimators.
    pub estimators: EstimatorConfig,
}

impl Default for EntropyBenchmarkConfig {
    fn default() -> Self {
        Self {
            samples: vec![5000, 20_000],
            tasks: Vec::new(),
            estimators: EstimatorConfig::default(),
        }
    }
}

/// One estimator on one task at one sample size.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BenchmarkRow {
    /// The task's name.
    pub task: String,
    /// Its dimension d.
    pub dim: usize,
    /// Samples the estimator saw.
    pub samples: usize,
    /// The exact entropy (nats).
    pub exact: f64,
    /// The standard error of `exact` (0 for a closed form; a Monte Carlo integral otherwise).
    pub exact_error: f64,
    /// The estimator's result.
    pub result: EstimatorRow,
}

impl BenchmarkRow {
    /// Estimate − exact (nats).
    pub fn error(&self) -> f64 {
        self.result.estimate.value - self.exact
    }
}

/// Every task of [`entropy_suite`] (or the named ones) at every sample size, with the Gaussian fit
/// (an upper bound), Kozachenko–Leonenko kNN on the raw and on the whitened samples and, unless `train_steps` is 0, MINDE with a learned
/// score; each row against the task's exact entropy. Job j (task-major, then sample size) draws
/// its samples from seed `stream(seed, j)` and its estimators from [`stream`]`(seed, j)`; the
/// tasks' random matrices come from `seed`.
///
/// # Examples
/// ```
/// use entropic::experiment::{EntropyBenchmark, EntropyBenchmarkConfig, Sequential};
/// let mut config = EntropyBenchmarkConfig::default();
/// config.samples = vec![2000];
/// config.tasks = vec!["uniform-mix-d2".into()];
/// config.estimators.train_steps = 0;
/// let rows = EntropyBenchmark::new(config, 1)?.run(1, &Sequential)?;
/// assert_eq!(rows.len(), 3); // fit, kNN, whitened kNN
/// // The fit is an upper bound; kNN is close on a 2D uniform parallelogram.
/// assert!(rows[0].error() > 0.2 && rows[1].error().abs() < 0.1, "{rows:?}");
/// # Ok::<(), entropic::experiment::ExperimentError>(())
/// ```
pub struct EntropyBenchmark {
    config: EntropyBenchmarkConfig,
    tasks: Vec<Box<dyn EntropyTask>>,
}

impl core::fmt::Debug for EntropyBenchmark {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EntropyBenchmark")
            .field("config", &self.config)
            .field(
                "tasks",
                &self.tasks.iter().map(|t| t.name()).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl EntropyBenchmark {
    /// The suite drawn from `suite_seed`, narrowed to the configured tasks.
    ///
    /// # Errors
    /// [`ExperimentError::Config`] naming the setting (an unknown task name lists the known
    /// ones); [`ExperimentError::TooLarge`] for samples that cannot be held.
    pub fn new(config: EntropyBenchmarkConfig, suite_seed: u64) -> Result<Self, ExperimentError> {
        config.estimators.check()?;
        let mut tasks = entropy_suite(suite_seed)?;
        if !config.tasks.is_empty() {
            for name in &config.tasks {
                if !tasks.iter().any(|t| t.name() == *name) {
                    let known: Vec<String> = tasks.iter().map(|t| t.name()).collect();
                    return Err(ExperimentError::config(
                        "tasks",
                        alloc::format!("no task '{name}' (known: {})", known.join(", ")),
                    ));
                }
            }
            tasks.retain(|t| config.tasks.contains(&t.name()));
        }
        if config.samples.is_empty() {
            return Err(ExperimentError::config(
                "samples",
                "needs at least one size",
            ));
        }
        let largest = tasks.iter().map(|t| t.dim()).max().unwrap_or(1);
        let fewest = config.samples.iter().copied().min().unwrap_or(0);
        if fewest < largest + 2 {
            return Err(ExperimentError::config(
                "samples",
                alloc::format!(
                    "each must be at least {} (the largest dimension + 2)",
                    largest + 2
                ),
            ));
        }
        let most = config.samples.iter().copied().max().unwrap_or(0);
        check_memory("the samples", &[most, largest, 8])?;
        config.estimators.check_memory(largest)?;
        Ok(Self { config, tasks })
    }

    /// The settings.
    pub fn config(&self) -> &EntropyBenchmarkConfig {
        &self.config
    }

    /// The tasks that will run, in order.
    pub fn tasks(&self) -> &[Box<dyn EntropyTask>] {
        &self.tasks
    }

    /// Run every (task, sample size) job, in parallel where the runtime allows; rows in job order
    /// and, within a job, fit, kNN, whitened kNN, learned MINDE.
    ///
    /// # Errors
    /// [`ExperimentError::Cancelled`]; an estimator's error.
    pub fn run<R: Runtime>(&self, seed: u64, rt: &R) -> Result<Vec<BenchmarkRow>, ExperimentError> {
        let sizes = &self.config.samples;
        let jobs = self.tasks.len() * sizes.len();
        let rows = rt.map("tasks", jobs, |j| {
            check_cancelled(rt)?;
            let task = self.tasks[j / sizes.len()].as_ref();
            self.job(task, sizes[j % sizes.len()], j, seed, rt)
        });
        let mut all = Vec::new();
        for r in rows {
            all.extend(r?);
        }
        Ok(all)
    }

    fn job<R: Runtime>(
        &self,
        task: &dyn EntropyTask,
        n: usize,
        j: usize,
        seed: u64,
        rt: &R,
    ) -> Result<Vec<BenchmarkRow>, ExperimentError> {
        let e = &self.config.estimators;
        let mut rng = stream(seed, j);
        let x = task.sample(n, rand_core::Rng::next_u64(&mut rng))?;
        let knn = e.knn()?;
        let mut results = vec![
            ("gaussian-fit", timed(rt, || Ok(GaussianFit.estimate(&x)?))),
            ("knn", timed(rt, || Ok(knn.estimate(&x)?))),
            (
                "knn-whitened",
                timed(rt, || Ok(Whitened(knn).estimate(&x)?)),
            ),
        ];
        if e.train_steps > 0 {
            let minde_seed = rand_core::Rng::next_u64(&mut rng);
            let learned = timed(rt, || e.learned_minde(&x, minde_seed, &mut rng));
            results.push(("minde-learned", learned));
        }
        results
            .into_iter()
            .map(
                |(estimator, (estimate, seconds)): (
                    &'static str,
                    (Result<Estimate, ExperimentError>, Option<f64>),
                )| {
                    Ok(BenchmarkRow {
                        task: task.name(),
                        dim: task.dim(),
                        samples: n,
                        exact: task.entropy(),
                        exact_error: task.entropy_error(),
                        result: EstimatorRow {
                            estimator,
                            estimate: estimate?,
                            seconds,
                        },
                    })
                },
            )
            .collect()
    }
}

/// Mean |error| and largest |error| of one estimator over the rows with `samples` samples and
/// dimension at most `max_dim`, if it ran there.
pub fn benchmark_summary(
    rows: &[BenchmarkRow],
    estimator: &str,
    samples: usize,
    max_dim: usize,
) -> Option<(f64, f64)> {
    let errors: Vec<f64> = rows
        .iter()
        .filter(|r| r.result.estimator == estimator && r.samples == samples && r.dim <= max_dim)
        .map(|r| r.error().abs())
        .collect();
    if errors.is_empty() {
        return None;
    }
    let mean = errors.iter().sum::<f64>() / errors.len() as f64;
    Some((mean, errors.iter().copied().fold(0.0, f64::max)))
}
