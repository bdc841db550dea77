//! Many independent latent-cycle runs beside their baselines (nonequilibrium latent cycles
//! paper, Sec. IV.2, Fig. 2 and 4): the library side of `entropic latent sweep`.
//!
//! A sweep trains `runs` nonequilibrium models and `baseline_runs` equilibrium counterparts
//! (w̄ tied to wᵀ, PCD; with a one-hot encoding the counterpart's kernel is the softmax, an
//! RBM's), and fits `baseline_runs` Bernoulli mixtures with L components by EM (the likelihood
//! ceiling of the model class). Every run's seed is fixed by its family and index
//! ([`SweepJob::seed`]), so a sweep split into shards or resumed gives the same runs.
use super::{ExperimentError, LatentOutcome, LatentTrain, Runtime, check_cancelled};
use crate::latent::{
    BernoulliMixture, EmParams, Encoding, LatentError, Rule, TrainParams, Trainer,
};
use crate::rng::stream;
use alloc::vec::Vec;
use rand_core::Rng;

/// Salts that separate the seed families of a sweep.
const EQUILIBRIUM_SALT: u64 = 0x9E37_79B9_7F4A_7C15;
const EM_SALT: u64 = 0xD1B5_4A32_D192_ED03;

/// Fewest nonequilibrium runs: the claims correlate σ with other indicators over runs.
pub const MIN_SWEEP_RUNS: usize = 3;

/// One training run of a sweep: its learning rule and its index within that rule's family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SweepJob {
    /// [`Rule::TwoStep`] for the nonequilibrium runs, [`Rule::Contrastive`] for the
    /// equilibrium counterparts.
    pub rule: Rule,
    /// Index within the family (from 0).
    pub index: usize,
}

impl SweepJob {
    /// The family's name: "nonequilibrium" or "equilibrium".
    pub fn family(&self) -> &'static str {
        match self.rule {
            Rule::TwoStep => "nonequilibrium",
            Rule::Contrastive => "equilibrium",
        }
    }

    /// The run's seed: the first word of [`stream`]`(base, index)`, where base is the sweep's
    /// seed for the nonequilibrium runs and the seed XOR a fixed salt for the equilibrium ones.
    pub fn seed(&self, sweep_seed: u64) -> u64 {
        let base = match self.rule {
            Rule::TwoStep => sweep_seed,
            Rule::Contrastive => sweep_seed ^ EQUILIBRIUM_SALT,
        };
        stream(base, self.index).next_u64()
    }
}

/// One Bernoulli-mixture baseline fitted by EM.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EmBaseline {
    /// Exact log-likelihood per image.
    pub log_likelihood: f64,
    /// EM iterations until convergence.
    pub iterations: usize,
}

/// A validated sweep: the run settings shared by every run, and how many runs of each family.
///
/// # Examples
/// Three nonequilibrium runs and one baseline of each kind, two short epochs each:
/// ```
/// use entropic::experiment::{LabelledImages, LatentSweep, LatentTrain, LatentTrainConfig, Sequential};
/// let mut config = LatentTrainConfig::default();
/// config.per_class = 10;
/// config.training.epochs = 2;
/// config.training.updates_per_epoch = 2;
/// config.training.batch_end = 8;
/// config.diagnostic_steps = 100;
/// config.final_steps = 200;
/// let train = LatentTrain::new(config, LabelledImages::mnist012(10)?)?;
/// let sweep = LatentSweep::new(train, 3, 1)?;
/// let jobs = sweep.jobs(0, 1);
/// assert_eq!(jobs.len(), 4);
/// let run = sweep.run_job(jobs[3], 7, &Sequential, |_, _| Ok::<_, entropic::experiment::ExperimentError>(()))?;
/// assert!(run.last.tied_ll.is_some()); // the equilibrium counterpart's exact likelihood
/// let em = sweep.em_baselines(7, &Sequential)?;
/// assert!(em[0].log_likelihood < 0.0);
/// # Ok::<(), entropic::experiment::ExperimentError>(())
/// ```
#[derive(Clone, Debug)]
pub struct LatentSweep {
    train: LatentTrain,
    runs: usize,
    baseline_runs: usize,
}

impl LatentSweep {
    /// A sweep of `runs` nonequilibrium runs and `baseline_runs` of each baseline.
    ///
    /// # Errors
    /// [`ExperimentError::Config`] for fewer than [`MIN_SWEEP_RUNS`] runs.
    pub fn new(
        train: LatentTrain,
        runs: usize,
        baseline_runs: usize,
    ) -> Result<Self, ExperimentError> {
        if runs < MIN_SWEEP_RUNS {
            return Err(ExperimentError::Config {
                field: "runs",
                reason: alloc::format!(
                    "must be at least {MIN_SWEEP_RUNS} (the report correlates σ with other \
                     indicators), got {runs}"
                ),
            });
        }
        Ok(Self {
            train,
            runs,
            baseline_runs,
        })
    }

    /// The settings every run shares.
    pub fn train(&self) -> &LatentTrain {
        &self.train
    }

    /// The jobs of shard `shard` of `shards` (every `shards`-th of the list: the nonequilibrium
    /// runs, then the equilibrium counterparts). `shards = 0` is read as 1; a `shard` at or
    /// beyond `shards` has no jobs.
    pub fn jobs(&self, shard: usize, shards: usize) -> Vec<SweepJob> {
        let all = (0..self.runs)
            .map(|index| SweepJob {
                rule: Rule::TwoStep,
                index,
            })
            .chain((0..self.baseline_runs).map(|index| SweepJob {
                rule: Rule::Contrastive,
                index,
            }));
        all.enumerate()
            .filter(|(k, _)| k % shards.max(1) == shard)
            .map(|(_, job)| job)
            .collect()
    }

    /// Train and diagnose one job from its seed ([`SweepJob::seed`] of `sweep_seed`);
    /// `after_epoch` sees the trainer and history after every epoch (for progress).
    ///
    /// # Errors
    /// As [`LatentTrain::finish`].
    pub fn run_job<R: Runtime, E: From<ExperimentError> + From<LatentError>>(
        &self,
        job: SweepJob,
        sweep_seed: u64,
        rt: &R,
        after_epoch: impl FnMut(&Trainer, &[super::EpochRow]) -> Result<(), E>,
    ) -> Result<LatentOutcome, E> {
        let seed = job.seed(sweep_seed);
        let training = &self.train.config().training;
        let encoding = match (job.rule, training.encoding) {
            (Rule::Contrastive, Encoding::OneHot) => Encoding::OneHotSoftmax,
            (_, e) => e,
        };
        let params = TrainParams {
            rule: job.rule,
            encoding,
            ..training.clone()
        };
        let trainer = Trainer::new(params, &self.train.images().data, seed)?;
        self.train
            .finish(trainer, Vec::new(), seed, rt, after_epoch)
    }

    /// Fit the `baseline_runs` Bernoulli mixtures (L components, EM from
    /// [`stream`]`(sweep_seed ^ salt, i)`), in parallel on `rt`.
    ///
    /// # Errors
    /// [`ExperimentError::Cancelled`], or the fit's error.
    pub fn em_baselines<R: Runtime>(
        &self,
        sweep_seed: u64,
        rt: &R,
    ) -> Result<Vec<EmBaseline>, ExperimentError> {
        let data = &self.train.images().data;
        let em = EmParams {
            components: self.train.config().training.hidden,
            ..EmParams::default()
        };
        rt.map("EM baselines", self.baseline_runs, |i| {
            check_cancelled(rt)?;
            let mut rng = stream(sweep_seed ^ EM_SALT, i);
            let (mix, history) = BernoulliMixture::fit(data, &em, &mut rng)?;
            Ok(EmBaseline {
                log_likelihood: mix.log_likelihood(data)?,
                iterations: history.len() - 1,
            })
        })
        .into_iter()
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::{LabelledImages, LatentTrainConfig};

    fn sweep(runs: usize, baselines: usize) -> Result<LatentSweep, ExperimentError> {
        let config = LatentTrainConfig {
            per_class: 5,
            ..LatentTrainConfig::default()
        };
        let train = LatentTrain::new(config, LabelledImages::mnist012(5)?)?;
        LatentSweep::new(train, runs, baselines)
    }

    /// Shards partition the job list whatever their number; seeds depend on the family and
    /// index only, and the two families never share one.
    #[test]
    fn shards_partition_the_jobs_and_seeds_follow_the_job() {
        let s = sweep(5, 3).unwrap();
        let all = s.jobs(0, 1);
        assert_eq!(all.len(), 8);
        for shards in 1..=4 {
            let mut joined: Vec<SweepJob> = (0..shards).flat_map(|k| s.jobs(k, shards)).collect();
            joined.sort_by_key(|j| (j.family(), j.index));
            let mut want = all.clone();
            want.sort_by_key(|j| (j.family(), j.index));
            assert_eq!(joined, want, "{shards} shards");
        }
        let seeds: Vec<u64> = all.iter().map(|j| j.seed(9)).collect();
        let mut unique = seeds.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), seeds.len());
        assert_eq!(
            all[1].seed(9),
            SweepJob {
                rule: Rule::TwoStep,
                index: 1
            }
            .seed(9)
        );
        assert!(matches!(
            sweep(2, 0).unwrap_err(),
            ExperimentError::Config { field: "runs", .. }
        ));
    }
}
