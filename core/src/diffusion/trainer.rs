use super::DiffusionError;
use crate::nn::optim::{Adam, Ema, Optimizer};
use crate::rng::{Xoshiro256PlusPlus, from_seed};
use alloc::vec::Vec;
use rand_core::Rng;

/// Settings of a denoising-score-matching run ([`Trainer`], [`super::ScoreNet::train`]).
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ScoreTrainParams {
    /// Adam steps.
    pub steps: usize,
    /// Samples per step.
    pub batch: usize,
    /// Adam learning rate (cosine-decayed to 0).
    pub learning_rate: f64,
    /// EMA decay of the weights used for inference.
    pub ema_decay: f64,
}

impl Default for ScoreTrainParams {
    fn default() -> Self {
        Self {
            steps: 4000,
            batch: 256,
            learning_rate: 2e-3,
            ema_decay: 0.995,
        }
    }
}

impl ScoreTrainParams {
    /// # Errors
    /// [`DiffusionError::Parameter`] for zero steps or batch, a non-positive rate or a decay
    /// outside [0, 1).
    pub fn check(&self) -> Result<(), DiffusionError> {
        if self.steps == 0
            || self.batch == 0
            || !(self.learning_rate.is_finite() && self.learning_rate > 0.0)
            || !(0.0..1.0).contains(&self.ema_decay)
        {
            return Err(DiffusionError::Parameter(
                "training needs steps ≥ 1, batch ≥ 1, a positive learning rate and an EMA decay in [0, 1)",
            ));
        }
        Ok(())
    }
}

/// A model trained by a denoising objective. One step draws a batch ([`Trainable::draw_batch`]:
/// the random draws and every feature that does not depend on the trainable weights), then computes
/// the loss and leaves its gradient in the network ([`Trainable::loss_and_gradient`]); the
/// optimiser, learning-rate schedule and EMA live in [`Trainer`]. Because drawing never reads the
/// weights, [`Trainer::run`] (with `std`) draws the next batch on another thread while the current
/// one is optimised, with the same RNG stream, so the result is bit-identical to drawing in turn.
pub trait Trainable: Clone + Send + Sync + Sized {
    /// What the model is trained on.
    type Data: ?Sized + Sync;
    /// One drawn batch, ready for the network.
    type Batch: Send;

    /// # Errors
    /// [`DiffusionError::Shape`] if `data` does not fit the model.
    fn check_data(&self, data: &Self::Data) -> Result<(), DiffusionError>;

    /// Draw a batch of `batch` from `data` and compute everything of the step that does not
    /// depend on the trainable weights. Must not read them: the [`Trainer`] may call it on a
    /// copy of the model taken before the previous batch's update.
    ///
    /// # Errors
    /// [`DiffusionError::Temperature`] or [`DiffusionError::Shape`] for data the model does not
    /// fit.
    fn draw_batch<R: Rng + ?Sized>(
        &self,
        data: &Self::Data,
        batch: usize,
        rng: &mut R,
    ) -> Result<Self::Batch, DiffusionError>;

    /// Zero the gradients and accumulate the gradient of the loss of `batch`; returns the loss.
    ///
    /// # Errors
    /// [`DiffusionError::Shape`] on an internal shape mismatch.
    fn loss_and_gradient(&mut self, batch: &Self::Batch) -> Result<f64, DiffusionError>;

    /// The trainable parameters with their gradients, one pair per tensor.
    fn params_and_grads(&mut self) -> Vec<(&mut [f64], &mut [f64])>;

    /// Serialise as versioned JSON.
    ///
    /// # Errors
    /// [`DiffusionError::Malformed`] for non-finite weights.
    #[cfg(feature = "serde")]
    fn to_json(&self) -> Result<Vec<u8>, DiffusionError>;

    /// Restore what [`Trainable::to_json`] wrote, checking every shape.
    ///
    /// # Errors
    /// [`DiffusionError::Malformed`] for anything that is not a consistent saved model.
    #[cfg(feature = "serde")]
    fn from_json(bytes: &[u8]) -> Result<Self, DiffusionError>;
}

/// One optimiser step of `model` on a drawn `batch` (number `step` of `params.steps`, for the
/// cosine learning-rate decay); returns the loss.
pub(super) fn apply_step<M: Trainable>(
    model: &mut M,
    batch: &M::Batch,
    params: &ScoreTrainParams,
    step: usize,
    (adam, ema): (&mut Adam<f64>, &mut Ema<f64>),
) -> Result<f64, DiffusionError> {
    let loss = model.loss_and_gradient(batch)?;
    if !loss.is_finite() {
        return Err(DiffusionError::NotFinite("the denoising loss"));
    }
    let lr = 0.5
        * params.learning_rate
        * (1.0 + libm::cos(core::f64::consts::PI * step as f64 / params.steps as f64));
    let mut pairs = model.params_and_grads();
    adam.step(lr, &mut pairs);
    ema.update(&pairs);
    Ok(loss)
}

/// Fresh Adam and EMA states for `params`.
pub(super) fn optimisers(
    params: &ScoreTrainParams,
) -> Result<(Adam<f64>, Ema<f64>), DiffusionError> {
    params.check()?;
    let ema =
        Ema::new(params.ema_decay).map_err(|_| DiffusionError::Parameter("EMA decay in [0, 1)"))?;
    Ok((Adam::default_params(), ema))
}

/// Replace the weights of `model` by their exponential moving average.
pub(super) fn load_average<M: Trainable>(model: &mut M, ema: &Ema<f64>) {
    for ((p, _), avg) in model.params_and_grads().iter_mut().zip(ema.averaged()) {
        p.copy_from_slice(avg);
    }
}

/// A denoising training run that can be checkpointed and resumed bit-identically: the model's
/// training weights, Adam and EMA states, RNG and step count. [`ScoreTrainer`] trains a
/// [`super::ScoreNet`], `Trainer<LatticeDenoiser>` a [`super::LatticeDenoiser`].
///
/// # Examples
/// ```
/// use entropic::diffusion::{ScoreNet, ScoreTrainParams, ScoreTrainer, VpSde};
/// use entropic::samples::Samples;
/// let mut rng = entropic::rng::from_seed(0);
/// let x: Vec<f64> = (0..400).map(|_| entropic::rng::normal_pair(&mut rng).0).collect();
/// let samples = Samples::new(x, 2).expect("400 values in rows of 2");
/// let net = ScoreNet::new(VpSde::default(), &samples, &[16], &mut rng)?;
/// let params = ScoreTrainParams { steps: 20, batch: 16, ..ScoreTrainParams::default() };
/// let mut run = ScoreTrainer::new(net, &samples, params, 1)?;
/// while !run.is_done() {
///     run.run(&samples, 5)?; // e.g. checkpoint with `run.to_json()` between chunks
/// }
/// let trained: ScoreNet = run.finish();
/// # let _ = trained;
/// # Ok::<(), entropic::diffusion::DiffusionError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Trainer<M> {
    model: M,
    params: ScoreTrainParams,
    adam: Adam<f64>,
    ema: Ema<f64>,
    rng: Xoshiro256PlusPlus,
    step: usize,
}

/// A resumable denoising-score-matching run of a [`super::ScoreNet`].
pub type ScoreTrainer = Trainer<super::ScoreNet>;

impl<M: Trainable> Trainer<M> {
    /// Start training `model` on `data` with RNG seed `seed`.
    ///
    /// # Errors
    /// [`DiffusionError::Parameter`] for bad settings ([`ScoreTrainParams::check`]);
    /// [`DiffusionError::Shape`] if `data` does not fit the model.
    pub fn new(
        model: M,
        data: &M::Data,
        params: ScoreTrainParams,
        seed: u64,
    ) -> Result<Self, DiffusionError> {
        model.check_data(data)?;
        let (adam, ema) = optimisers(&params)?;
        Ok(Self {
            model,
            params,
            adam,
            ema,
            rng: from_seed(seed),
            step: 0,
        })
    }

    /// Steps done.
    pub fn step(&self) -> usize {
        self.step
    }

    /// The settings.
    pub fn params(&self) -> &ScoreTrainParams {
        &self.params
    }

    /// The model with its current (not averaged) training weights.
    pub fn model(&self) -> &M {
        &self.model
    }

    /// Whether all steps are done.
    pub fn is_done(&self) -> bool {
        self.step >= self.params.steps
    }

    /// Run up to `steps` more steps (never past the total); returns their losses.
    ///
    /// # Errors
    /// [`DiffusionError::Shape`] if `data` does not fit the model;
    /// [`DiffusionError::NotFinite`] if a loss is NaN/∞. After an error the run is not meant to
    /// go on (the next batch may already have been drawn): resume from the last checkpoint.
    pub fn run(&mut self, data: &M::Data, steps: usize) -> Result<Vec<f64>, DiffusionError> {
        self.model.check_data(data)?;
        let end = self.step.saturating_add(steps).min(self.params.steps);
        let mut losses = Vec::with_capacity(end - self.step);
        let batch = self.params.batch;
        let mut next = if self.step < end {
            Some(self.model.draw_batch(data, batch, &mut self.rng)?)
        } else {
            None
        };
        // Drawing never reads the weights, so a copy taken now draws every later batch.
        #[cfg(feature = "std")]
        let drawer = self.model.clone();
        while let Some(current) = next.take() {
            let more = self.step + 1 < end;
            let optimisers = (&mut self.adam, &mut self.ema);
            #[cfg(feature = "std")]
            let (loss, drawn) = {
                let (model, rng) = (&mut self.model, &mut self.rng);
                let (params, step, drawer) = (&self.params, self.step, &drawer);
                std::thread::scope(|scope| {
                    let helper = more.then(|| scope.spawn(|| drawer.draw_batch(data, batch, rng)));
                    let loss = apply_step(model, &current, params, step, optimisers);
                    let drawn = helper.map(|h| {
                        h.join()
                            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                    });
                    (loss, drawn)
                })
            };
            #[cfg(not(feature = "std"))]
            let (loss, drawn) = {
                let loss = apply_step(
                    &mut self.model,
                    &current,
                    &self.params,
                    self.step,
                    optimisers,
                );
                let drawn = more.then(|| self.model.draw_batch(data, batch, &mut self.rng));
                (loss, drawn)
            };
            losses.push(loss?);
            self.step += 1;
            next = drawn.transpose()?;
        }
        Ok(losses)
    }

    /// The trained model, with the EMA weights.
    pub fn finish(mut self) -> M {
        load_average(&mut self.model, &self.ema);
        self.model
    }
}

impl<M: Trainable> crate::train::Iterative for Trainer<M> {
    type Data = M::Data;
    type Report = f64;
    type Error = DiffusionError;
    fn completed(&self) -> usize {
        self.step
    }
    fn planned(&self) -> usize {
        self.params.steps
    }
    /// One [`Trainer::run`] step: its loss.
    fn step(&mut self, data: &M::Data) -> Result<f64, DiffusionError> {
        let losses = self.run(data, 1)?;
        losses.first().copied().ok_or(DiffusionError::Parameter(
            "the training run is already finished",
        ))
    }
    /// [`Trainer::run`], which draws the next batch while the current one is optimised: the
    /// losses of the steps.
    fn advance(&mut self, data: &M::Data, steps: usize) -> Result<Vec<f64>, DiffusionError> {
        self.run(data, steps)
    }
}

#[cfg(feature = "serde")]
const TRAINER_FORMAT: &str = "entropic-score-trainer";
#[cfg(feature = "serde")]
const TRAINER_VERSION: u32 = 1;

#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
struct SavedTrainer {
    format: alloc::string::String,
    version: u32,
    net: serde_json::Value,
    params: ScoreTrainParams,
    adam: Adam<f64>,
    ema: Ema<f64>,
    rng: Xoshiro256PlusPlus,
    step: usize,
}

#[cfg(feature = "serde")]
impl<M: Trainable> Trainer<M> {
    /// Serialise the run (training weights, optimiser and EMA states, RNG, step) as JSON.
    ///
    /// # Errors
    /// [`DiffusionError::Malformed`] for non-finite weights.
    pub fn to_json(&self) -> Result<Vec<u8>, DiffusionError> {
        let net = serde_json::from_slice(&self.model.to_json()?)
            .map_err(|_| DiffusionError::Malformed("network JSON"))?;
        serde_json::to_vec(&SavedTrainer {
            format: TRAINER_FORMAT.into(),
            version: TRAINER_VERSION,
            net,
            params: self.params,
            adam: self.adam.clone(),
            ema: self.ema.clone(),
            rng: self.rng.clone(),
            step: self.step,
        })
        .map_err(|_| DiffusionError::Malformed("could not serialise"))
    }

    /// Restore a run saved by [`Trainer::to_json`].
    ///
    /// # Errors
    /// [`DiffusionError::Malformed`] for anything that is not a consistent saved run.
    pub fn from_json(bytes: &[u8]) -> Result<Self, DiffusionError> {
        let bad = DiffusionError::Malformed;
        let saved: SavedTrainer =
            serde_json::from_slice(bytes).map_err(|_| bad("not a readable training run"))?;
        if saved.format != TRAINER_FORMAT || saved.version != TRAINER_VERSION {
            return Err(bad("unknown format or version"));
        }
        let net_bytes = serde_json::to_vec(&saved.net).map_err(|_| bad("network JSON"))?;
        let mut model = M::from_json(&net_bytes)?;
        let sizes: Vec<usize> = model
            .params_and_grads()
            .iter()
            .map(|(w, _)| w.len())
            .collect();
        let matches = |state: &[Vec<f64>]| {
            state.is_empty()
                || (state.len() == sizes.len()
                    && state.iter().zip(&sizes).all(|(s, &n)| s.len() == n))
        };
        let consistent = saved.params.check().is_ok()
            && saved.step <= saved.params.steps
            && matches(saved.ema.averaged())
            && saved.adam.is_valid()
            && saved.adam.fits(&sizes);
        if !consistent {
            return Err(bad("inconsistent settings or optimiser state"));
        }
        Ok(Self {
            model,
            params: saved.params,
            adam: saved.adam,
            ema: saved.ema,
            rng: saved.rng,
            step: saved.step,
        })
    }
}
