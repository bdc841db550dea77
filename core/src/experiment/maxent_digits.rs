//! Min-MaxEnt image generation on the 8×8 digits with CNN observables (paper Sec. I.3, Fig. 5):
//! the library side of `entropic maxent digits train`, and the scoring of generated digits that
//! `sample` and `discriminator` share.
use super::{ExperimentError, Runtime};
use crate::maxent::digits::{PIXELS, digit_sets, digits_observables, nearest_distances};
use crate::maxent::{
    EntropySettings, IterationReport, MaxEnt, Moves, Reference, RowParallel, TrainParams, Trainer,
    Walkers, maxent_entropy,
};
use crate::nn::Network;
use crate::nn::classifier::{ClassifierParams, DigitClassifier};
use crate::rng::{stream, uniform_f64};
use crate::stats::mean_and_sd;
use crate::train::{Executor, Stopped};
use alloc::vec;
use alloc::vec::Vec;

/// A Min-MaxEnt run on the digits: CNN observables (evaluated on the runtime's threads), walkers on
/// [0, 1]⁶⁴.
pub type DigitsTrainer = Trainer<RowParallel<Network<f64>>>;

/// Settings of a [`MaxentDigits`] run.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct MaxentDigitsConfig {
    /// Training images: the first N of the held-out split, labels discarded (1 to 359).
    /// Default 200.
    pub images: usize,
    /// Persistent MCMC walkers, each one generated image (≥ 1). Default 400.
    pub walkers: usize,
    /// Epochs: one λ step, one θ step and `sweeps` MCMC sweeps each (≥ 1). Default 600.
    pub epochs: usize,
    /// MCMC sweeps (64 single-pixel Metropolis moves per walker, or one HMC trajectory with
    /// `leapfrog` > 0) per epoch. Default 4.
    pub sweeps: usize,
    /// Leapfrog steps of a Hamiltonian Monte Carlo trajectory ([`Moves::Hamiltonian`]) as the
    /// walkers' move, using the networks' input gradients and reflecting at the pixel box;
    /// 0 keeps single-pixel random-walk Metropolis. Default 0.
    pub leapfrog: usize,
    /// Scale each pixel's moves by the walkers' spread along it before every epoch
    /// ([`Walkers::precondition`](crate::maxent::Walkers::precondition)). Default false.
    pub precondition: bool,
    /// Adam rate of the λ step. Default 0.05.
    pub lambda_rate: f64,
    /// Adam rate of the θ step (cosine-decayed to 1 %). Default 0.001.
    pub theta_rate: f64,
    /// Channels of the two convolutions (1 to 64 each). Default [4, 8].
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "super::exact_length::array")
    )]
    pub channels: [usize; 2],
    /// Observables, the network's outputs (≥ 1). Default 16.
    pub outputs: usize,
    /// Estimate the model entropy every N epochs (and at the end) by thermodynamic
    /// integration from the uniform distribution on [0, 1]⁶⁴; 0 never. Default 100.
    pub entropy_every: usize,
}

impl Default for MaxentDigitsConfig {
    fn default() -> Self {
        Self {
            images: 200,
            walkers: 400,
            epochs: 600,
            sweeps: 4,
            leapfrog: 0,
            precondition: false,
            lambda_rate: 0.05,
            theta_rate: 0.001,
            channels: [4, 8],
            outputs: 16,
            entropy_every: 100,
        }
    }
}

/// What one epoch reports.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DigitsRow {
    /// Epoch (from 0).
    pub epoch: usize,
    /// χ² of the moment match.
    pub chi2: f64,
    /// Metropolis acceptance.
    pub acceptance: f64,
    /// |dS/dθ|.
    pub theta_gradient_norm: f64,
    /// |λ|.
    pub lambda_norm: f64,
    /// Model entropy (nats) and its error bar, on the epochs where it was estimated.
    pub entropy: Option<(f64, f64)>,
}

impl From<&IterationReport> for DigitsRow {
    fn from(r: &IterationReport) -> Self {
        Self {
            epoch: r.iteration,
            chi2: r.chi2,
            acceptance: r.acceptance,
            theta_gradient_norm: r.theta_gradient_norm,
            lambda_norm: libm::sqrt(r.lambda.iter().map(|l| l * l).sum::<f64>()),
            entropy: None,
        }
    }
}

/// A validated digits run.
///
/// # Examples
/// Three epochs on 20 digits (a real run trains 600):
/// ```
/// use entropic::experiment::{MaxentDigits, MaxentDigitsConfig, Sequential};
/// let config = MaxentDigitsConfig { images: 20, walkers: 20, epochs: 3, entropy_every: 0, ..Default::default() };
/// let run = MaxentDigits::new(config)?;
/// let mut trainer = run.trainer(1)?;
/// let mut history = Vec::new();
/// run.train(&mut trainer, &mut history, entropic::train::Executor::default(), 1, &Sequential,
///     |_, _, _| Ok::<_, entropic::experiment::ExperimentError>(()))?;
/// assert_eq!(history.len(), 3);
/// # Ok::<(), entropic::experiment::ExperimentError>(())
/// ```
#[derive(Clone, Debug)]
pub struct MaxentDigits {
    config: MaxentDigitsConfig,
    data: Vec<f64>,
}

impl MaxentDigits {
    /// # Errors
    /// [`ExperimentError::Config`] naming the setting.
    pub fn new(config: MaxentDigitsConfig) -> Result<Self, ExperimentError> {
        if config.channels.iter().any(|c| !(1..=64).contains(c)) {
            return Err(ExperimentError::config("channels", "each must be 1 to 64"));
        }
        for (field, value) in [
            ("outputs", config.outputs),
            ("walkers", config.walkers),
            ("epochs", config.epochs),
        ] {
            if value == 0 {
                return Err(ExperimentError::config(field, "must be at least 1"));
            }
        }
        super::maxent_mixing::check_leapfrog(config.leapfrog)?;
        super::check_memory("the walkers", &[config.walkers, PIXELS, 8])?;
        let data = digit_sets(config.images)
            .map_err(|_| ExperimentError::config("images", "must be 1 to 359"))?
            .train;
        let run = Self { config, data };
        run.params().check()?;
        Ok(run)
    }

    /// The settings.
    pub fn config(&self) -> &MaxentDigitsConfig {
        &self.config
    }

    /// The training images (64 pixels each, row-major).
    pub fn data(&self) -> &[f64] {
        &self.data
    }

    fn params(&self) -> TrainParams {
        let c = &self.config;
        TrainParams {
            iterations: c.epochs,
            sweeps: c.sweeps,
            lambda_rate: c.lambda_rate,
            theta_rate: c.theta_rate,
            warmup: 20,
            adaptation: c.epochs,
            precondition: c.precondition,
            ..TrainParams::default()
        }
    }

    /// A fresh run: the observables' weights and the walkers (uniform noise in [0, 1]⁶⁴) from
    /// [`stream`]`(seed, 0)`, the training's draws from `seed`.
    ///
    /// # Errors
    /// [`ExperimentError::Nn`] or [`ExperimentError::MaxEnt`] from the set-up.
    pub fn trainer(&self, seed: u64) -> Result<DigitsTrainer, ExperimentError> {
        let c = &self.config;
        let mut rng = stream(seed, 0);
        let net = digits_observables((c.channels[0], c.channels[1]), c.outputs, &mut rng)?;
        let start: Vec<f64> = (0..c.walkers * PIXELS)
            .map(|_| uniform_f64(&mut rng))
            .collect();
        let mut walkers = Walkers::new(PIXELS, start, 0.3, Some((0.0, 1.0)))?;
        if c.leapfrog > 0 {
            walkers = walkers.with_moves(Moves::Hamiltonian(c.leapfrog))?;
        }
        let model = MaxEnt::new(RowParallel::new(net, 1), vec![0.0; c.outputs])?;
        Ok(Trainer::new(
            model,
            walkers,
            &self.data,
            self.params(),
            seed,
        )?)
    }

    /// Train `trainer` with `executor` (one epoch per chunk is forced, so every epoch is
    /// reported; the walkers' network evaluations on [`Runtime::threads`], same bits on any
    /// number), appending a row per epoch to `history` (with the model entropy every
    /// `entropy_every` epochs and at the end, [`Self::model_entropy`]); `on_chunk` sees the
    /// run, the history and whether a checkpoint is due.
    ///
    /// # Errors
    /// The model's or `on_chunk`'s error; [`ExperimentError::Cancelled`] is not an error here
    /// but the returned [`Stopped`].
    pub fn train<R: Runtime, E: From<ExperimentError> + From<crate::maxent::MaxEntError>>(
        &self,
        trainer: &mut DigitsTrainer,
        history: &mut Vec<DigitsRow>,
        executor: Executor,
        seed: u64,
        rt: &R,
        mut on_chunk: impl FnMut(&DigitsTrainer, &[DigitsRow], bool) -> Result<(), E>,
    ) -> Result<Stopped, E> {
        let executor = Executor {
            chunk: 1,
            ..executor
        };
        trainer
            .model_mut()
            .observables_mut()
            .set_threads(rt.threads());
        let (every, epochs) = (self.config.entropy_every, trainer.params().iterations);
        executor.run(trainer, &self.data[..], rt, |t, reports, due| {
            let done = t.iteration();
            for report in reports {
                let mut row = DigitsRow::from(report);
                if every > 0 && (done % every == 0 || done == epochs) {
                    row.entropy = Some(Self::model_entropy(t, seed, done)?);
                }
                history.push(row);
            }
            on_chunk(t, history, due)
        })
    }

    /// Entropy (nats) of the current MaxEnt model, S = ln Z + ⟨H⟩, by thermodynamic integration
    /// from the uniform distribution on the pixel box, with 100 of the walkers (copied; training
    /// is not disturbed) and RNG [`stream`]`(seed, 1000 + epoch)`, so resumed runs reproduce it.
    ///
    /// # Errors
    /// [`ExperimentError::MaxEnt`] from the integration.
    pub fn model_entropy(
        trainer: &mut DigitsTrainer,
        seed: u64,
        epoch: usize,
    ) -> Result<(f64, f64), ExperimentError> {
        let mut walkers = trainer.walkers().first(100);
        let reference = Reference::uniform_box(PIXELS, 0.0, 1.0)?;
        let settings = EntropySettings {
            intervals: 10,
            burn_in: 10,
            sweeps: 20,
        };
        let mut rng = stream(seed, 1000 + epoch);
        let e = maxent_entropy(
            trainer.model_mut(),
            &reference,
            &mut walkers,
            settings,
            &mut rng,
        )?;
        Ok((e.value, e.std_error))
    }
}

/// A digits run in progress: the trainer and the curves so far.
#[cfg(feature = "serde")]
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct DigitsCheckpoint {
    /// Always [`DigitsCheckpoint::FORMAT`].
    pub format: alloc::string::String,
    /// Training images.
    pub images: usize,
    /// One row per finished epoch.
    pub history: Vec<DigitsRow>,
    /// The trainer (versioned JSON of [`Trainer::to_json`]).
    pub trainer: serde_json::Value,
}

#[cfg(feature = "serde")]
impl DigitsCheckpoint {
    /// The format tag.
    pub const FORMAT: &'static str = "entropic-maxent-digits";

    /// The checkpoint of `trainer` with `history` on `images` training images.
    ///
    /// # Errors
    /// [`ExperimentError::MaxEnt`] for a model that cannot be serialised.
    pub fn new(
        images: usize,
        trainer: &DigitsTrainer,
        history: &[DigitsRow],
    ) -> Result<Self, ExperimentError> {
        let trainer = serde_json::from_slice(&trainer.to_json()?)
            .map_err(|_| ExperimentError::Checkpoint("could not be serialised"))?;
        Ok(Self {
            format: Self::FORMAT.into(),
            images,
            history: history.to_vec(),
            trainer,
        })
    }

    /// Read a checkpoint and its trainer, checking it is a model of 8×8 images (the
    /// observables' layers and the walkers' moves of [`MaxentDigits::trainer`]).
    ///
    /// # Errors
    /// [`ExperimentError::Checkpoint`] for anything else.
    pub fn read(bytes: &[u8]) -> Result<(Self, DigitsTrainer), ExperimentError> {
        let c: Self = serde_json::from_slice(bytes)
            .ok()
            .filter(|c: &Self| c.format == Self::FORMAT)
            .ok_or(ExperimentError::Checkpoint("is not a digits checkpoint"))?;
        let trainer = serde_json::to_vec(&c.trainer)
            .ok()
            .and_then(|b| DigitsTrainer::from_json(&b).ok())
            .ok_or(ExperimentError::Checkpoint("holds an invalid model"))?;
        architecture(&trainer)?;
        Ok((c, trainer))
    }

    /// The run's config: every setting the run's trajectory depends on, as the checkpoint
    /// stores it (images; from the trainer: walkers, epochs, sweeps, leapfrog, preconditioning,
    /// the two rates, channels, outputs), and from `given` the entropy schedule, which only
    /// reports (its estimates leave the training untouched).
    ///
    /// # Errors
    /// [`ExperimentError::Checkpoint`] for a trainer that is not a digits model's.
    pub fn config(
        &self,
        trainer: &DigitsTrainer,
        given: MaxentDigitsConfig,
    ) -> Result<MaxentDigitsConfig, ExperimentError> {
        let stored = trainer.params();
        let (channels, leapfrog) = architecture(trainer)?;
        Ok(MaxentDigitsConfig {
            images: self.images,
            walkers: trainer.walkers().len(),
            epochs: stored.iterations,
            sweeps: stored.sweeps,
            leapfrog,
            precondition: stored.precondition,
            lambda_rate: stored.lambda_rate,
            theta_rate: stored.theta_rate,
            channels,
            outputs: trainer.model().lambda().len(),
            ..given
        })
    }
}

/// The channels of a digits trainer's two convolutions and its walkers' leapfrog steps (0 for
/// single-pixel Metropolis), checking the network and the walkers are those of
/// [`MaxentDigits::trainer`] on 8×8 images.
#[cfg(feature = "serde")]
fn architecture(trainer: &DigitsTrainer) -> Result<([usize; 2], usize), ExperimentError> {
    use crate::nn::Layer;
    let not_digits = || ExperimentError::Checkpoint("is not a model of 8×8 images");
    let net = trainer.model().observables().inner();
    if net.inputs() != PIXELS || trainer.walkers().dim() != PIXELS {
        return Err(not_digits());
    }
    let channels = match net.layers() {
        [
            Layer::Conv2d(first),
            Layer::Activation(_),
            Layer::Conv2d(second),
            Layer::Activation(_),
            Layer::Dense(_),
        ] if first.channels().0 == 1 => [first.channels().1, second.channels().1],
        _ => return Err(not_digits()),
    };
    let leapfrog = match trainer.walkers().moves() {
        Moves::Coordinate => 0,
        Moves::Hamiltonian(steps) => steps,
        _ => return Err(not_digits()),
    };
    Ok((channels, leapfrog))
}

/// The two independently seeded digit classifiers of the experiment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClassifierRole {
    /// Scores generated digits.
    Scoring,
    /// The h of Eq. 23 that steers generation.
    Steering,
}

/// The digits CNN trained on the training split (never on the Min-MaxEnt training images). The
/// two roles differ only in their RNG streams ([`stream`]`(seed, 7)` and `(seed, 11)`), so the
/// score is not measured by the network that steers.
///
/// # Errors
/// [`ExperimentError::Nn`] from training.
pub fn trained_classifier(
    seed: u64,
    role: ClassifierRole,
) -> Result<DigitClassifier, ExperimentError> {
    let k = match role {
        ClassifierRole::Scoring => 7,
        ClassifierRole::Steering => 11,
    };
    Ok(DigitClassifier::train(
        ClassifierParams::default(),
        &mut stream(seed, k),
        &mut (),
    )?)
}

/// Quality of generated digits.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DigitsScore {
    /// Fraction classified with confidence ≥ 0.9.
    pub confident: f64,
    /// Images per predicted class.
    pub histogram: [usize; 10],
    /// Mean nearest-neighbour distance to the training digits.
    pub to_training: f64,
    /// Mean nearest-neighbour distance to unseen digits.
    pub to_unseen: f64,
    /// Mean over samples of (distance to training − distance to unseen) and its standard
    /// error: clearly negative means the samples sit closer to the training set (memorisation).
    pub gap: (f64, f64),
    /// Real digits' baseline: mean distance of the unseen digits to the training set.
    pub unseen_to_training: f64,
}

/// Scores generated digits: the scoring classifier and the image sets of the memorisation
/// check.
#[derive(Clone, Debug)]
pub struct DigitsScorer {
    classifier: DigitClassifier,
    data: Vec<f64>,
    unseen: Vec<f64>,
    unseen_to_training: f64,
}

impl DigitsScorer {
    /// For a model trained on the first `images` digits of the held-out split.
    ///
    /// # Errors
    /// [`ExperimentError::Config`] for an image count outside 1 to 359;
    /// [`ExperimentError::Nn`] from the classifier's training.
    pub fn new(images: usize, seed: u64) -> Result<Self, ExperimentError> {
        let sets = digit_sets(images)
            .map_err(|_| ExperimentError::config("images", "must be 1 to 359"))?;
        let unseen_to_training = mean_and_sd(&nearest_distances(&sets.unseen, &sets.train)?).0;
        Ok(Self {
            classifier: trained_classifier(seed, ClassifierRole::Scoring)?,
            data: sets.train,
            unseen: sets.unseen,
            unseen_to_training,
        })
    }

    /// Score `samples` (64 pixels each in [0, 1]).
    ///
    /// # Errors
    /// [`ExperimentError::MaxEnt`] for samples that are not whole images.
    pub fn score(&mut self, samples: &[f64]) -> Result<DigitsScore, ExperimentError> {
        let n = samples.len() / PIXELS;
        let x: Vec<f32> = samples.iter().map(|&v| v as f32).collect();
        let p = self.classifier.probabilities(&x, n)?;
        let mut histogram = [0usize; 10];
        let mut confident = 0usize;
        for row in p.chunks_exact(10) {
            let best = (0..10).fold(0, |b, c| if row[c] > row[b] { c } else { b });
            histogram[best] += 1;
            if row[best] >= 0.9 {
                confident += 1;
            }
        }
        let to_training = nearest_distances(samples, &self.data)?;
        let to_unseen = nearest_distances(samples, &self.unseen)?;
        let diff: Vec<f64> = to_training
            .iter()
            .zip(&to_unseen)
            .map(|(a, b)| a - b)
            .collect();
        let (m, sd) = mean_and_sd(&diff);
        Ok(DigitsScore {
            confident: confident as f64 / n as f64,
            histogram,
            to_training: mean_and_sd(&to_training).0,
            to_unseen: mean_and_sd(&to_unseen).0,
            gap: (m, sd / libm::sqrt(n as f64)),
            unseen_to_training: self.unseen_to_training,
        })
    }
}

#[cfg(all(test, feature = "serde"))]
mod tests {
    use super::*;
    use crate::nn::ActivationKind;

    fn small() -> MaxentDigitsConfig {
        MaxentDigitsConfig {
            images: 20,
            walkers: 6,
            epochs: 3,
            sweeps: 2,
            leapfrog: 3,
            precondition: true,
            lambda_rate: 0.02,
            theta_rate: 0.002,
            channels: [2, 3],
            outputs: 5,
            entropy_every: 0,
        }
    }

    fn checkpoint(trainer: &DigitsTrainer) -> Vec<u8> {
        serde_json::to_vec(&DigitsCheckpoint::new(20, trainer, &[]).unwrap()).unwrap()
    }

    /// What a resumed run is compared with: every setting the trajectory depends on comes back
    /// from the checkpoint (none of the defaults), the entropy schedule from the caller.
    #[test]
    fn a_checkpoint_gives_back_the_runs_settings() {
        let trainer = MaxentDigits::new(small()).unwrap().trainer(4).unwrap();
        let (c, trainer) = DigitsCheckpoint::read(&checkpoint(&trainer)).unwrap();
        let given = MaxentDigitsConfig {
            entropy_every: 7,
            ..Default::default()
        };
        let expected = MaxentDigitsConfig {
            entropy_every: 7,
            ..small()
        };
        assert_eq!(c.config(&trainer, given).unwrap(), expected);
        let metropolis = MaxentDigitsConfig {
            leapfrog: 0,
            ..small()
        };
        let trainer = MaxentDigits::new(metropolis.clone())
            .unwrap()
            .trainer(4)
            .unwrap();
        let (c, trainer) = DigitsCheckpoint::read(&checkpoint(&trainer)).unwrap();
        assert_eq!(c.config(&trainer, small()).unwrap(), metropolis);
    }

    /// A checkpoint whose observables are not the two-convolution digits network is refused
    /// when read.
    #[test]
    fn a_checkpoint_of_another_network_is_refused() {
        let mut rng = stream(0, 0);
        let net = Network::mlp(&[PIXELS, 8, 5], ActivationKind::Tanh, &mut rng).unwrap();
        let walkers = Walkers::new(PIXELS, vec![0.5; 6 * PIXELS], 0.3, Some((0.0, 1.0))).unwrap();
        let model = MaxEnt::new(RowParallel::new(net, 1), vec![0.0; 5]).unwrap();
        let run = MaxentDigits::new(small()).unwrap();
        let trainer = Trainer::new(model, walkers, &run.data, run.params(), 1).unwrap();
        let e = DigitsCheckpoint::read(&checkpoint(&trainer)).unwrap_err();
        assert!(
            matches!(
                e,
                ExperimentError::Checkpoint("is not a model of 8×8 images")
            ),
            "{e}"
        );
    }
}
