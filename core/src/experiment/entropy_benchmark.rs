//! The entropy benchmark: every sample-based estimator on the ground-truth tasks of
//! [`entropy_suite`], at several sample sizes; the library side of `entropic entropy benchmark`.
use super::estimators::{EstimatorConfig, EstimatorRow, TimedEstimate};
use super::runtime::timed;
use super::{ExperimentError, Runtime, check_memory};
use crate::entropy::tasks::{
    EntropyTask, MutualInformationTask, entropy_suite, mutual_information_suite,
};
use crate::entropy::{EntropyEstimator, GaussianFit, Whitened};
use crate::experiment::check_cancelled;
use crate::rng::substream;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use rand_xoshiro::Xoshiro256PlusPlus;

/// Settings of an [`EntropyBenchmark`].
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct EntropyBenchmarkConfig {
    /// Sample sizes; every task runs at each (each ≥ 2 + the task's dimension). Default
    /// [5000, 20000].
    pub samples: Vec<usize>,
    /// Which suites run. Default both.
    pub suites: Suites,
    /// Names of the tasks to run (as the tasks' `name` spells them); empty runs every task of
    /// the chosen suites. Default empty.
    pub tasks: Vec<String>,
    /// The estimators.
    pub estimators: EstimatorConfig,
}

impl Default for EntropyBenchmarkConfig {
    fn default() -> Self {
        Self {
            samples: vec![5000, 20_000],
            suites: Suites::Both,
            tasks: Vec::new(),
            estimators: EstimatorConfig::default(),
        }
    }
}

/// The suites of an [`EntropyBenchmark`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Suites {
    /// [`entropy_suite`] only.
    #[cfg_attr(feature = "clap", value(help = "The entropy tasks"))]
    Entropy,
    /// [`mutual_information_suite`] only.
    #[cfg_attr(feature = "clap", value(name = "mi"))]
    #[cfg_attr(feature = "clap", value(help = "The mutual-information tasks"))]
    MutualInformation,
    /// Both.
    #[default]
    Both,
}

/// One task of either suite.
enum Task {
    Entropy(Box<dyn EntropyTask>),
    Mutual(Box<dyn MutualInformationTask>),
}

impl Task {
    fn name(&self) -> String {
        match self {
            Self::Entropy(t) => t.name(),
            Self::Mutual(t) => t.name(),
        }
    }

    /// d, or d_x + d_y.
    fn dim(&self) -> usize {
        match self {
            Self::Entropy(t) => t.dim(),
            Self::Mutual(t) => t.dims().0 + t.dims().1,
        }
    }

    /// The exact value and its standard error.
    fn exact(&self) -> (f64, f64) {
        match self {
            Self::Entropy(t) => (t.entropy(), t.entropy_error()),
            Self::Mutual(t) => (t.mutual_information(), 0.0),
        }
    }
}

/// One estimator on one task at one sample size.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BenchmarkRow {
    /// The task's name.
    pub task: String,
    /// What is estimated: "entropy" or "mutual-information".
    pub quantity: &'static str,
    /// Its dimension d (d_x + d_y for mutual information).
    pub dim: usize,
    /// Samples the estimator saw.
    pub samples: usize,
    /// The exact entropy or mutual information (nats).
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

/// Every task of [`entropy_suite`] and [`mutual_information_suite`] (or the chosen suites or
/// named tasks) at every sample size; each row against the task's exact value. Entropy tasks get
/// the Gaussian fit (an upper bound), Kozachenko–Leonenko kNN on the raw and on the whitened
/// samples and, unless `train_steps` is 0, MINDE with a learned score; mutual-information tasks
/// get the Gaussian (CCA) estimate, KSG (both variants, k as for kNN) and, unless `train_steps`
/// is 0, MINE and MINDE-C (`train_steps` Adam steps). The job of the task at position p of its suite with n
/// samples draws its samples and estimators from [`substream`]`(seed, 2p + s, n)` (s = 0 for the
/// entropy suite, 1 for mutual information), so a task's numbers do not depend on which other
/// tasks or sample sizes are selected; the entropy tasks' random matrices come from `suite_seed`.
///
/// # Examples
/// ```
/// use entropic::experiment::{EntropyBenchmark, EntropyBenchmarkConfig, Sequential};
/// let mut config = EntropyBenchmarkConfig::default();
/// config.samples = vec![2000];
/// config.tasks = vec!["uniform-mix-d2".into()];
/// config.suites = entropic::experiment::Suites::Entropy;
/// config.estimators.train_steps = 0;
/// let rows = EntropyBenchmark::new(config, 1)?.run(1, &Sequential)?;
/// assert_eq!(rows.len(), 3); // fit, kNN, whitened kNN
/// // The fit is an upper bound; kNN is close on a 2D uniform parallelogram.
/// assert!(rows[0].error() > 0.2 && rows[1].error().abs() < 0.1, "{rows:?}");
/// # Ok::<(), entropic::experiment::ExperimentError>(())
/// ```
pub struct EntropyBenchmark {
    config: EntropyBenchmarkConfig,
    /// Each task with its stream index 2p + s.
    tasks: Vec<(usize, Task)>,
}

impl core::fmt::Debug for EntropyBenchmark {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EntropyBenchmark")
            .field("config", &self.config)
            .field("tasks", &self.task_names())
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
        let mut tasks = Vec::new();
        if config.suites != Suites::MutualInformation {
            let suite = entropy_suite(suite_seed)?.into_iter().enumerate();
            tasks.extend(suite.map(|(p, t)| (2 * p, Task::Entropy(t))));
        }
        if config.suites != Suites::Entropy {
            let suite = mutual_information_suite()?.into_iter().enumerate();
            tasks.extend(suite.map(|(p, t)| (2 * p + 1, Task::Mutual(t))));
        }
        if !config.tasks.is_empty() {
            for name in &config.tasks {
                if !tasks.iter().any(|(_, t)| t.name() == *name) {
                    let known: Vec<String> = tasks.iter().map(|(_, t)| t.name()).collect();
                    return Err(ExperimentError::config(
                        "tasks",
                        alloc::format!("no task '{name}' (known: {})", known.join(", ")),
                    ));
                }
            }
            tasks.retain(|(_, t)| config.tasks.contains(&t.name()));
        }
        if config.samples.is_empty() {
            return Err(ExperimentError::config(
                "samples",
                "needs at least one size",
            ));
        }
        let largest = tasks.iter().map(|(_, t)| t.dim()).max().unwrap_or(1);
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

    /// The names of the tasks that will run, in order.
    pub fn task_names(&self) -> Vec<String> {
        self.tasks.iter().map(|(_, t)| t.name()).collect()
    }

    /// Run every (task, sample size) job, in parallel where the runtime allows; rows in job order
    /// and, within a job, in the order of the type's documentation.
    ///
    /// # Errors
    /// [`ExperimentError::Cancelled`]; an estimator's error.
    pub fn run<R: Runtime>(&self, seed: u64, rt: &R) -> Result<Vec<BenchmarkRow>, ExperimentError> {
        let sizes = &self.config.samples;
        let jobs = self.tasks.len() * sizes.len();
        let rows = rt.map("tasks", jobs, |j| {
            check_cancelled(rt)?;
            let (stream, task) = &self.tasks[j / sizes.len()];
            let n = sizes[j % sizes.len()];
            self.job(task, n, substream(seed, *stream, n), rt)
        });
        let mut all = Vec::new();
        for r in rows {
            all.extend(r?);
        }
        Ok(all)
    }

    fn job<R: Runtime>(
        &self,
        task: &Task,
        n: usize,
        mut rng: Xoshiro256PlusPlus,
        rt: &R,
    ) -> Result<Vec<BenchmarkRow>, ExperimentError> {
        let e = &self.config.estimators;
        let sample_seed = rand_core::Rng::next_u64(&mut rng);
        let learned_seed = rand_core::Rng::next_u64(&mut rng);
        let mut results: Vec<TimedEstimate> = Vec::new();
        // Learned MINDE's KL(data ‖ Gaussian fit), kept on its row as `entropy compare` does.
        let mut divergence = None;
        let quantity = match task {
            Task::Entropy(t) => {
                let x = t.sample(n, sample_seed)?;
                let knn = e.knn()?;
                results.push(("gaussian-fit", timed(rt, || Ok(GaussianFit.estimate(&x)?))));
                results.push(("knn", timed(rt, || Ok(knn.estimate(&x)?))));
                results.push((
                    "knn-whitened",
                    timed(rt, || Ok(Whitened(knn).estimate(&x)?)),
                ));
                if e.train_steps > 0 {
                    let learned = timed(rt, || {
                        let (h, kl) =
                            e.learned_minde(&x, learned_seed, &mut rng, &|| rt.cancelled())?;
                        divergence = Some(kl);
                        Ok(h)
                    });
                    results.push(("minde-learned", learned));
                }
                "entropy"
            }
            Task::Mutual(t) => {
                let (x, y) = t.sample(n, sample_seed)?;
                results.extend(e.mutual_information(&x, &y, learned_seed, rt)?);
                "mutual-information"
            }
        };
        let (exact, exact_error) = task.exact();
        results
            .into_iter()
            .map(|(estimator, (estimate, seconds))| {
                Ok(BenchmarkRow {
                    task: task.name(),
                    quantity,
                    dim: task.dim(),
                    samples: n,
                    exact,
                    exact_error,
                    result: EstimatorRow {
                        divergence: divergence.filter(|_| estimator == "minde-learned"),
                        ..EstimatorRow::new(estimator, estimate?, seconds)
                    },
                })
            })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::Sequential;

    /// A task's rows are the same bits whichever other tasks and sample sizes run beside it.
    #[test]
    fn a_tasks_numbers_do_not_depend_on_the_selection() {
        let run = |tasks: &[&str], samples: Vec<usize>| {
            let mut config = EntropyBenchmarkConfig {
                samples,
                suites: Suites::Both,
                tasks: tasks.iter().map(|t| String::from(*t)).collect(),
                ..EntropyBenchmarkConfig::default()
            };
            config.estimators.train_steps = 0;
            let rows = EntropyBenchmark::new(config, 3)
                .unwrap()
                .run(7, &Sequential)
                .unwrap();
            rows.into_iter()
                .filter(|r| r.samples == 300 && r.task != "laplace-mix-d1")
                .map(|r| (r.task, r.result.estimator, r.result.estimate.value))
                .collect::<Vec<_>>()
        };
        let alone = run(&["uniform-mix-d2", "additive-noise-eps0.1"], vec![300]);
        let among = run(
            &["laplace-mix-d1", "uniform-mix-d2", "additive-noise-eps0.1"],
            vec![200, 300],
        );
        assert_eq!(alone.len(), 6);
        assert_eq!(alone, among);
    }

    /// Learned MINDE's row carries the KL(data ‖ Gaussian fit) it integrated (the learned-nothing
    /// check of `entropy compare`); no other row does.
    #[test]
    fn learned_rows_carry_their_divergence() {
        let mut config = EntropyBenchmarkConfig {
            samples: vec![300],
            tasks: vec![String::from("uniform-mix-d2")],
            ..EntropyBenchmarkConfig::default()
        };
        config.estimators.train_steps = 30;
        config.estimators.hidden = vec![8];
        config.estimators.draws = 200;
        let rows = EntropyBenchmark::new(config, 3)
            .unwrap()
            .run(7, &Sequential)
            .unwrap();
        assert_eq!(rows.len(), 4);
        for r in &rows {
            let learned = r.result.estimator == "minde-learned";
            assert_eq!(
                r.result.divergence.is_some(),
                learned,
                "{}",
                r.result.estimator
            );
        }
    }
}
