//! One latent-cycle training run with diagnostics after every epoch (nonequilibrium latent
//! cycles paper, Sec. IV.1): the library side of `entropic latent train`, `report` and the runs
//! of `sweep`.
use super::{ExperimentError, Runtime, check_memory};
use crate::estimate::Estimate;
use crate::experiment::unless_cancelled;
use crate::latent::{
    BinaryData, ClassBalance, CountedEntropyProduction, Dynamics, LatentError, LatentStatistics,
    LogLikelihoodTable, ModelEntropyProduction, NearestCentroid, Rule, TrainParams, Trainer,
    model_entropy_production, tied_log_likelihood,
};
use crate::rng::stream;
use crate::stats::Uncertain;
use crate::train::Executor;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// Jackknife blocks of the log-likelihood estimate.
const BLOCKS: usize = 10;
/// Burn-in double steps before a diagnostic trajectory (the copied chains start in the steady
/// state of the slightly older parameters).
const BURN_IN: usize = 50;
/// Fewest double steps of a diagnostic trajectory.
pub const MIN_DIAGNOSTIC_STEPS: usize = 100;

impl From<LatentError> for ExperimentError {
    fn from(e: LatentError) -> Self {
        Self::Latent(e)
    }
}

/// Settings of a [`LatentTrain`].
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct LatentTrainConfig {
    /// The model and its training (defaults: the paper's).
    pub training: TrainParams,
    /// Images per digit class of the embedded MNIST 0/1/2 (1 to 980). Default 980.
    pub per_class: usize,
    /// Chain double steps of the diagnostics after every epoch (≥ 100). Default 5000.
    pub diagnostic_steps: usize,
    /// Chain double steps of the final diagnostics (≥ 100). Default 100 000.
    pub final_steps: usize,
}

impl Default for LatentTrainConfig {
    fn default() -> Self {
        Self {
            training: TrainParams::default(),
            per_class: 980,
            diagnostic_steps: 5_000,
            final_steps: 100_000,
        }
    }
}

/// Binary images with class labels: what the model trains on and how generated states are
/// classified (Eq. 22).
#[derive(Clone, Debug)]
pub struct LabelledImages {
    /// The images.
    pub data: BinaryData,
    /// Their classes.
    pub labels: Vec<u8>,
    /// Nearest-centroid classifier fitted on them.
    pub classifier: NearestCentroid,
    /// Class proportions P^D(k) of Eq. 22.
    pub target: Vec<f64>,
}

impl LabelledImages {
    /// Images with labels in `0..classes`.
    ///
    /// # Errors
    /// [`ExperimentError::Latent`] for labels and images that do not match.
    pub fn new(data: BinaryData, labels: Vec<u8>, classes: u8) -> Result<Self, ExperimentError> {
        let classifier = NearestCentroid::fit(&data, &labels, usize::from(classes))?;
        let target = (0..classes)
            .map(|k| labels.iter().filter(|&&l| l == k).count() as f64 / labels.len() as f64)
            .collect();
        Ok(Self {
            data,
            labels,
            classifier,
            target,
        })
    }

    /// The first `per_class` images of each digit 0, 1, 2 of the embedded binarised MNIST test
    /// set ([`crate::data::MNIST012`]).
    ///
    /// # Errors
    /// [`ExperimentError::Config`] (field `per_class`) outside 1 to 980.
    #[cfg(feature = "data")]
    pub fn mnist012(per_class: usize) -> Result<Self, ExperimentError> {
        use crate::data::{MNIST012, Mnist012};
        if per_class == 0 || per_class > Mnist012::PER_CLASS {
            return Err(ExperimentError::config(
                "per_class",
                alloc::format!(
                    "must be between 1 and {}, got {per_class}",
                    Mnist012::PER_CLASS
                ),
            ));
        }
        let mut seen = [0usize; 3];
        let (mut x, mut labels) = (Vec::new(), Vec::new());
        for i in 0..MNIST012.len() {
            let label = MNIST012.label(i);
            if seen[usize::from(label)] < per_class {
                seen[usize::from(label)] += 1;
                x.extend(MNIST012.image(i).map(f64::from));
                labels.push(label);
            }
        }
        Self::new(BinaryData::new(x, Mnist012::PIXELS)?, labels, 3)
    }
}

/// What a run measured after one epoch.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct EpochRow {
    /// Epoch (from 0).
    pub epoch: usize,
    /// Its minibatch size.
    pub batch: usize,
    /// Fast log-likelihood estimate (App. A.3), mean over the epoch's updates.
    #[cfg_attr(feature = "serde", serde(with = "crate::float_json"))]
    pub fast_ll: f64,
    /// Precise log-likelihood (Eq. 5 with the trajectory's occupancy).
    #[cfg_attr(feature = "serde", serde(with = "crate::float_json"))]
    pub ll: f64,
    /// Its error bar.
    #[cfg_attr(feature = "serde", serde(with = "crate::float_json"))]
    pub ll_err: f64,
    /// Entropy production σ (Eq. 21) from the Rao-Blackwellised chain counts
    /// ([`EntropyProductions::rao_blackwell`]).
    #[cfg_attr(feature = "serde", serde(with = "crate::float_json"))]
    pub sigma: f64,
    /// σ from the hard counts, the paper's way ([`EntropyProductions::counted`]; NaN in
    /// histories saved before it was recorded).
    #[cfg_attr(
        feature = "serde",
        serde(with = "crate::float_json", default = "not_recorded")
    )]
    pub sigma_counted: f64,
    /// σ of the model's own M ([`EntropyProductions::model`]; NaN in histories saved before it
    /// was recorded).
    #[cfg_attr(
        feature = "serde",
        serde(with = "crate::float_json", default = "not_recorded")
    )]
    pub sigma_model: f64,
    /// Decorrelation time τ (Eq. 23).
    #[cfg_attr(feature = "serde", serde(with = "crate::float_json"))]
    pub tau: f64,
    /// Mean diagonal of M (Eq. 24).
    #[cfg_attr(feature = "serde", serde(with = "crate::float_json"))]
    pub mean_diagonal: f64,
    /// Class KL (Eq. 22).
    #[cfg_attr(feature = "serde", serde(with = "crate::float_json"))]
    pub kl: f64,
}

impl EpochRow {
    /// The header of a history CSV, one [`EpochRow::csv_row`] per epoch.
    pub const CSV_HEADER: &'static str =
        "epoch,batch,fast_ll,ll,ll_err,sigma,sigma_counted,sigma_model,tau,mean_diagonal,kl";

    /// The row's values in the order of [`EpochRow::CSV_HEADER`].
    pub fn csv_row(&self) -> String {
        format!(
            "{},{},{},{},{},{},{},{},{},{},{}",
            self.epoch,
            self.batch,
            self.fast_ll,
            self.ll,
            self.ll_err,
            self.sigma,
            self.sigma_counted,
            self.sigma_model,
            self.tau,
            self.mean_diagonal,
            self.kl
        )
    }
}

#[cfg(feature = "serde")]
fn not_recorded() -> f64 {
    f64::NAN
}

/// The entropy production σ (Eq. 21) three ways, in nats per double step, each with its
/// jackknife error.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct EntropyProductions {
    /// The paper's: hard transition counts of the trajectory with the empirical occupancy, over
    /// the pairs of states seen both ways; pairs seen one way only are counted, not summed
    /// ([`LatentStatistics::counted_entropy_production`]).
    pub counted: CountedEntropyProduction,
    /// Rao-Blackwellised transition counts of the same trajectory, p̄ the stationary vector of
    /// their M ([`LatentStatistics::rao_blackwell_entropy_production`]).
    pub rao_blackwell: Uncertain,
    /// The model's own M, exact or sampled row by row independently of the chain
    /// ([`model_entropy_production`]).
    pub model: ModelEntropyProduction,
}

/// Diagnostics of a model from one long trajectory of (a copy of) its chains.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Diagnosis {
    /// Log-likelihood per image with its jackknife error bar.
    pub ll: Estimate,
    /// σ, τ, M and its spectrum from the Rao-Blackwellised transition counts.
    pub dynamics: Dynamics,
    /// σ three ways, with error bars.
    pub sigma: EntropyProductions,
    /// Occupancy of the latent states along the trajectory.
    pub occupancy: Vec<f64>,
    /// Generated class proportions and their KL from the data's.
    pub balance: ClassBalance,
    /// The exact log-likelihood, for the tied equilibrium counterpart.
    pub tied_ll: Option<f64>,
    /// The latent state after every double step.
    pub path: Vec<usize>,
}

/// A finished run.
#[derive(Clone, Debug)]
pub struct LatentOutcome {
    /// The run's seed.
    pub seed: u64,
    /// One row per epoch.
    pub history: Vec<EpochRow>,
    /// The trained run (model, chains, optimiser).
    pub trainer: Trainer,
    /// The final diagnostics.
    pub last: Diagnosis,
}

/// A validated latent-cycle training run on labelled images.
///
/// # Examples
/// Two short epochs on 20 images per class:
/// ```
/// use entropic::experiment::{LabelledImages, LatentTrain, LatentTrainConfig, Sequential};
/// let mut config = LatentTrainConfig::default();
/// config.per_class = 20;
/// config.training.epochs = 2;
/// config.training.updates_per_epoch = 3;
/// config.training.batch_end = 16;
/// config.diagnostic_steps = 200;
/// config.final_steps = 500;
/// let images = LabelledImages::mnist012(config.per_class)?;
/// let outcome = LatentTrain::new(config, images)?.run(3, &Sequential)?;
/// assert_eq!(outcome.history.len(), 2);
/// assert!(outcome.last.ll.value < 0.0 && outcome.last.dynamics.entropy_production >= 0.0);
/// # Ok::<(), entropic::experiment::ExperimentError>(())
/// ```
#[derive(Clone, Debug)]
pub struct LatentTrain {
    config: LatentTrainConfig,
    images: LabelledImages,
}

impl LatentTrain {
    /// # Errors
    /// [`ExperimentError::Latent`] for training settings out of range
    /// ([`TrainParams::check`]); [`ExperimentError::Config`] for diagnostics shorter than
    /// [`MIN_DIAGNOSTIC_STEPS`]; [`ExperimentError::TooLarge`] for a model that cannot be held.
    pub fn new(config: LatentTrainConfig, images: LabelledImages) -> Result<Self, ExperimentError> {
        let p = &config.training;
        // Two L×L transition matrices and the L×D coupling with its optimiser state.
        check_memory(
            "the latent model",
            &[p.hidden, p.hidden.saturating_add(4 * images.data.dim()), 8],
        )?;
        p.check()?;
        for (field, steps) in [
            ("diagnostic_steps", config.diagnostic_steps),
            ("final_steps", config.final_steps),
        ] {
            if steps < MIN_DIAGNOSTIC_STEPS {
                return Err(ExperimentError::config(
                    field,
                    alloc::format!("must be at least {MIN_DIAGNOSTIC_STEPS}"),
                ));
            }
        }
        Ok(Self { config, images })
    }

    /// The settings.
    pub fn config(&self) -> &LatentTrainConfig {
        &self.config
    }

    /// The images.
    pub fn images(&self) -> &LabelledImages {
        &self.images
    }

    /// A fresh training run seeded with `seed`.
    ///
    /// # Errors
    /// [`ExperimentError::Latent`] from the model's initialisation.
    pub fn trainer(&self, seed: u64) -> Result<Trainer, ExperimentError> {
        Ok(Trainer::new(
            self.config.training.clone(),
            &self.images.data,
            seed,
        )?)
    }

    /// Diagnose `trainer`'s model over `steps` double steps of a copy of its chains, drawing
    /// from [`stream`]`(seed, k)`; the model's own M is sampled with ⌈steps / K⌉ draws per row
    /// (as many draws in all as the trajectory has steps).
    ///
    /// # Errors
    /// [`ExperimentError::Latent`] from the statistics.
    pub fn diagnose(
        &self,
        trainer: &Trainer,
        steps: usize,
        seed: u64,
        k: usize,
    ) -> Result<Diagnosis, ExperimentError> {
        let (model, ds) = (trainer.model(), &self.images);
        let mut rng = stream(seed, k);
        let mut chains = trainer.chains().clone();
        let stats =
            LatentStatistics::sample(model, &mut chains, BURN_IN, steps, BLOCKS, 32, &mut rng)?;
        let table = LogLikelihoodTable::new(model, &ds.data)?;
        let ll = stats.log_likelihood(&table)?;
        let occupancy = stats.occupancy();
        // A stuck equilibrium chain can leave M numerically reducible: fall back to the
        // occupancy.
        let dynamics = Dynamics::stationary_or(stats.log_matrix(), &occupancy)?;
        let draws = steps.div_ceil(model.states()).max(BLOCKS);
        let sigma = EntropyProductions {
            counted: stats.counted_entropy_production()?,
            rao_blackwell: stats.rao_blackwell_entropy_production()?,
            model: model_entropy_production(model, draws, BLOCKS, &occupancy, &mut rng)?,
        };
        let balance = ClassBalance::new(model, &occupancy, &ds.classifier, &ds.target)?;
        let tied_ll = match trainer.params().rule {
            Rule::Contrastive => Some(tied_log_likelihood(model, &ds.data)?),
            Rule::TwoStep => None,
        };
        Ok(Diagnosis {
            ll,
            dynamics,
            sigma,
            occupancy,
            balance,
            tied_ll,
            path: stats.path().to_vec(),
        })
    }

    /// Refuse a model whose log-likelihood per image is below that of fair coins, −D ln 2, by
    /// more than five error bars (or not finite): every model of this family starts above it
    /// (App. A.1 initialises w from data means), so falling below means training diverged.
    ///
    /// # Errors
    /// [`ExperimentError::OutOfRange`].
    fn check_fits(&self, d: &Diagnosis) -> Result<(), ExperimentError> {
        let floor = -(self.images.data.dim() as f64) * core::f64::consts::LN_2;
        let ll = d.ll;
        let margin = if ll.std_error.is_finite() {
            5.0 * ll.std_error
        } else {
            0.0
        };
        if ll.value.is_finite() && ll.value + margin >= floor {
            return Ok(());
        }
        Err(ExperimentError::OutOfRange {
            what: "the log-likelihood per image (floor: fair coins, −D ln 2)",
            value: ll.value,
            std_error: ll.std_error,
            low: floor,
            high: 0.0,
        })
    }

    /// Train until `until` epochs are complete, diagnosing after every epoch (diagnostics of
    /// epoch e draw from [`stream`]`(seed, e + 1)`); `after_epoch` sees the trainer and history
    /// after each (for checkpoints and progress). Stops early, between epochs, when `rt` is
    /// cancelled.
    ///
    /// # Errors
    /// [`ExperimentError::Cancelled`]; [`ExperimentError::OutOfRange`] once the model's
    /// log-likelihood falls below fair coins (training diverged); the model's, the diagnostics'
    /// or `after_epoch`'s error (the last checkpoint taken is then the one to resume from).
    pub fn train_until<R: Runtime, E: From<ExperimentError> + From<LatentError>>(
        &self,
        trainer: &mut Trainer,
        history: &mut Vec<EpochRow>,
        until: usize,
        seed: u64,
        rt: &R,
        mut after_epoch: impl FnMut(&Trainer, &[EpochRow]) -> Result<(), E>,
    ) -> Result<(), E> {
        // One epoch per chunk (a checkpoint is due every epoch), so each report is diagnosed
        // at the state right after its epoch.
        let executor = Executor {
            chunk: 1,
            checkpoint_every: 1,
            pause_after: Some(until),
        };
        let steps = self.config.diagnostic_steps;
        let stopped = executor.run(trainer, &self.images.data, rt, |t, reports, due| {
            for report in reports {
                let d = self.diagnose(t, steps, seed, report.epoch + 1)?;
                self.check_fits(&d)?;
                history.push(EpochRow {
                    epoch: report.epoch,
                    batch: report.batch,
                    fast_ll: report.fast_log_likelihood,
                    ll: d.ll.value,
                    ll_err: d.ll.std_error,
                    sigma: d.sigma.rao_blackwell.value,
                    sigma_counted: d.sigma.counted.sigma.value,
                    sigma_model: d.sigma.model.sigma.value,
                    tau: d.dynamics.decorrelation_time,
                    mean_diagonal: d.dynamics.mean_diagonal,
                    kl: d.balance.kl,
                });
            }
            if due { after_epoch(t, history) } else { Ok(()) }
        })?;
        unless_cancelled(stopped)?;
        Ok(())
    }

    /// Train `trainer` to its last epoch and run the final diagnostics (from
    /// [`stream`]`(seed, epochs + 1)`).
    ///
    /// # Errors
    /// As [`Self::train_until`].
    pub fn finish<R: Runtime, E: From<ExperimentError> + From<LatentError>>(
        &self,
        mut trainer: Trainer,
        mut history: Vec<EpochRow>,
        seed: u64,
        rt: &R,
        after_epoch: impl FnMut(&Trainer, &[EpochRow]) -> Result<(), E>,
    ) -> Result<LatentOutcome, E> {
        let end = trainer.params().epochs;
        self.train_until(&mut trainer, &mut history, end, seed, rt, after_epoch)?;
        let last = self.diagnose(&trainer, self.config.final_steps, seed, end + 1)?;
        self.check_fits(&last)?;
        Ok(LatentOutcome {
            seed,
            history,
            trainer,
            last,
        })
    }

    /// A whole run from `seed`, without checkpoints.
    ///
    /// # Errors
    /// As [`Self::train_until`].
    pub fn run<R: Runtime>(&self, seed: u64, rt: &R) -> Result<LatentOutcome, ExperimentError> {
        let trainer = self.trainer(seed)?;
        self.finish(trainer, Vec::new(), seed, rt, |_, _| {
            Ok::<_, ExperimentError>(())
        })
    }
}

/// A run in progress, as saved after every epoch: the run's seed and data settings, its
/// history and the trainer (versioned JSON of [`Trainer::to_json`]).
#[cfg(feature = "serde")]
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct LatentCheckpoint {
    /// The run's seed.
    pub seed: u64,
    /// Images per class it trains on.
    pub per_class: usize,
    /// Steps of the per-epoch diagnostics.
    pub diagnostic_steps: usize,
    /// Steps of the final diagnostics.
    pub final_steps: usize,
    /// One row per finished epoch.
    pub history: Vec<EpochRow>,
    /// The trainer.
    pub trainer: serde_json::Value,
}

#[cfg(feature = "serde")]
impl LatentCheckpoint {
    /// The checkpoint of `trainer` with `history` in `run`, made with `seed`.
    ///
    /// # Errors
    /// [`ExperimentError::Latent`] for a model that cannot be serialised.
    pub fn new(
        run: &LatentTrain,
        trainer: &Trainer,
        history: &[EpochRow],
        seed: u64,
    ) -> Result<Self, ExperimentError> {
        let trainer = serde_json::from_slice(&trainer.to_json()?)
            .map_err(|_| ExperimentError::Checkpoint("could not be serialised"))?;
        Ok(Self {
            seed,
            per_class: run.config.per_class,
            diagnostic_steps: run.config.diagnostic_steps,
            final_steps: run.config.final_steps,
            history: history.to_vec(),
            trainer,
        })
    }

    /// Read a checkpoint and its trainer, checking that history and trainer agree.
    ///
    /// # Errors
    /// [`ExperimentError::Checkpoint`] for bytes that are not a consistent checkpoint.
    pub fn read(bytes: &[u8]) -> Result<(Self, Trainer), ExperimentError> {
        let c: Self = serde_json::from_slice(bytes)
            .map_err(|_| ExperimentError::Checkpoint("is not a latent-cycle checkpoint"))?;
        let trainer = serde_json::to_vec(&c.trainer)
            .ok()
            .and_then(|b| Trainer::from_json(&b).ok())
            .ok_or(ExperimentError::Checkpoint(
                "holds no readable latent-cycle run",
            ))?;
        if c.history.len() != trainer.epoch() {
            return Err(ExperimentError::Checkpoint(
                "history and trainer disagree on the epoch",
            ));
        }
        Ok((c, trainer))
    }

    /// The run's config: the trainer's settings and the checkpoint's data settings.
    pub fn config(&self, trainer: &Trainer) -> LatentTrainConfig {
        LatentTrainConfig {
            training: trainer.params().clone(),
            per_class: self.per_class,
            diagnostic_steps: self.diagnostic_steps,
            final_steps: self.final_steps,
        }
    }
}
