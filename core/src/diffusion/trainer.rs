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
    /// Data-parallel parts: each batch is cut into this many row ranges whose gradients are
    /// computed on copies of the model (with `std`, one thread each) and summed in range order,
    /// weighted by their rows. The result depends on `parts`, never on how many threads ran
    /// them; 1 computes the batch in one piece.
    #[cfg_attr(feature = "serde", serde(default = "one_part"))]
    pub parts: usize,
}

#[cfg(feature = "serde")]
fn one_part() -> usize {
    1
}

impl Default for ScoreTrainParams {
    fn default() -> Self {
        Self {
            steps: 4000,
            batch: 256,
            learning_rate: 2e-3,
            ema_decay: 0.995,
            parts: 1,
        }
    }
}

impl ScoreTrainParams {
    /// # Errors
    /// [`DiffusionError::Parameter`] for zero steps or batch, a non-positive rate, a decay
    /// outside [0, 1), or parts outside 1..=batch.
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
        if self.parts == 0 || self.parts > self.batch {
            return Err(DiffusionError::Parameter(
                "data-parallel parts must be between 1 and the batch size",
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
///
/// # Examples
/// A model of one's own: the linear denoiser x̂ = w·y of y = x + σz, with x from the data and
/// z ~ N(0, 1) drawn afresh in every batch. Its loss E(w·y − x)² is least at
/// w* = E x² / (E x² + σ²), here 1/2 for standard normal data and σ = 1 (exactly
/// v/(v + 1) for the data's second moment v), which training reaches; with two data-parallel
/// parts the rows of each batch are split between two copies and their gradients summed.
/// ```
/// use entropic::diffusion::{DiffusionError, RowBatch, ScoreTrainParams, Trainable, Trainer};
/// use entropic::rng::{from_seed, normal_pair, uniform_index};
/// use rand_core::Rng;
///
/// #[derive(Clone)]
/// struct Shrink { w: [f64; 1], grad: [f64; 1] }
///
/// /// Drawn (noisy y, clean x) pairs.
/// struct Pairs(Vec<(f64, f64)>);
/// impl RowBatch for Pairs {
///     fn rows(&self) -> usize { self.0.len() }
///     fn part(&self, range: core::ops::Range<usize>) -> Self { Pairs(self.0[range].to_vec()) }
/// }
///
/// impl Trainable for Shrink {
///     type Data = [f64];
///     type Batch = Pairs;
///     fn check_data(&self, data: &[f64]) -> Result<(), DiffusionError> {
///         if data.is_empty() { Err(DiffusionError::Shape("no data")) } else { Ok(()) }
///     }
///     fn draw_batch<R: Rng + ?Sized>(
///         &self, data: &[f64], batch: usize, rng: &mut R,
///     ) -> Result<Pairs, DiffusionError> {
///         Ok(Pairs((0..batch).map(|_| {
///             let x = data[uniform_index(rng, data.len())];
///             (x + normal_pair(rng).0, x)
///         }).collect()))
///     }
///     fn loss_and_gradient(&mut self, batch: &Pairs) -> Result<f64, DiffusionError> {
///         let n = batch.rows() as f64;
///         let (mut loss, mut grad) = (0.0, 0.0);
///         for &(y, x) in &batch.0 {
///             let r = self.w[0] * y - x;
///             loss += r * r / n;
///             grad += 2.0 * r * y / n;
///         }
///         self.grad = [grad];
///         Ok(loss)
///     }
///     fn params_and_grads(&mut self) -> Vec<(&mut [f64], &mut [f64])> {
///         vec![(&mut self.w[..], &mut self.grad[..])]
///     }
/// }
///
/// let mut rng = from_seed(3);
/// let data: Vec<f64> = (0..10_000).map(|_| normal_pair(&mut rng).0).collect();
/// let v = data.iter().map(|x| x * x).sum::<f64>() / data.len() as f64;
/// let params = ScoreTrainParams { steps: 2000, parts: 2, ..ScoreTrainParams::default() };
/// let mut run = Trainer::new(Shrink { w: [0.0], grad: [0.0] }, &data[..], params, 1)?;
/// run.run(&data, 2000)?;
/// let w = run.finish().w[0];
/// assert!((w - v / (v + 1.0)).abs() < 0.01, "{w}");
/// # Ok::<(), DiffusionError>(())
/// ```
pub trait Trainable: Clone + Send + Sync + Sized {
    /// What the model is trained on.
    type Data: ?Sized + Sync;
    /// One drawn batch, ready for the network: rows whose mean loss is the batch's loss.
    type Batch: RowBatch + Send + Sync;

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
}

/// A [`Trainable`] model saved as versioned JSON: what a [`Trainer`] checkpoint embeds. A trait of
/// its own so that [`Trainable`] has one shape whatever features are enabled; a model without a
/// saved form still trains, it only cannot be checkpointed.
///
/// # Examples
/// A model of one's own saved as its one weight, `{"w":…}`, refusing anything else on load:
/// ```
/// use entropic::diffusion::{DiffusionError, SavedModel};
///
/// #[derive(Debug, PartialEq)]
/// struct Shrink { w: f64 }
/// impl SavedModel for Shrink {
///     fn to_json(&self) -> Result<Vec<u8>, DiffusionError> {
///         if !self.w.is_finite() {
///             return Err(DiffusionError::Malformed("a non-finite weight"));
///         }
///         Ok(format!("{{\"w\":{}}}", self.w).into_bytes())
///     }
///     fn from_json(bytes: &[u8]) -> Result<Self, DiffusionError> {
///         std::str::from_utf8(bytes)
///             .ok()
///             .and_then(|t| t.strip_prefix("{\"w\":")?.strip_suffix('}')?.parse::<f64>().ok())
///             .filter(|w| w.is_finite())
///             .map(|w| Shrink { w })
///             .ok_or(DiffusionError::Malformed("not a saved Shrink"))
///     }
/// }
///
/// let saved = Shrink { w: 0.5 }.to_json()?;
/// assert_eq!(Shrink::from_json(&saved)?, Shrink { w: 0.5 });
/// assert!(Shrink::from_json(b"{\"w\":NaN}").is_err());
/// assert!(Shrink { w: f64::NAN }.to_json().is_err());
/// # Ok::<(), DiffusionError>(())
/// ```
#[cfg(feature = "serde")]
pub trait SavedModel: Sized {
    /// Serialise as versioned JSON.
    ///
    /// # Errors
    /// [`DiffusionError::Malformed`] for non-finite weights.
    fn to_json(&self) -> Result<Vec<u8>, DiffusionError>;

    /// Restore what [`SavedModel::to_json`] wrote, checking every shape.
    ///
    /// # Errors
    /// [`DiffusionError::Malformed`] for anything that is not a consistent saved model.
    fn from_json(bytes: &[u8]) -> Result<Self, DiffusionError>;
}

/// A drawn batch of independent rows (training examples) whose loss is the mean of the rows'
/// losses, so it can be cut into parts for data-parallel gradients.
pub trait RowBatch: Sized {
    /// Rows in the batch.
    fn rows(&self) -> usize;
    /// Rows `range` as a batch of their own.
    fn part(&self, range: core::ops::Range<usize>) -> Self;
}

/// Zero the gradients of `model` and accumulate the gradient of the loss of `batch`; returns
/// the loss. With `parts` > 1 the batch is cut into `parts` row ranges (range c starts at row
/// ⌊c·n/parts⌋); range 0 runs on `model`, range c on `replicas[c − 1]` (copies of `model`'s
/// weights), on threads when `parallel` (and `std`); then loss = Σ_c (n_c/n) L_c and
/// ∇ = Σ_c (n_c/n) ∇_c, summed in range order, so threads never change a bit.
pub(crate) fn batch_gradient<M: Trainable>(
    model: &mut M,
    replicas: &mut Vec<M>,
    batch: &M::Batch,
    parts: usize,
    parallel: bool,
) -> Result<f64, DiffusionError> {
    let n = batch.rows();
    let parts = parts.clamp(1, n.max(1));
    if parts == 1 {
        return model.loss_and_gradient(batch);
    }
    let ranges: Vec<core::ops::Range<usize>> = (0..parts)
        .map(|c| c * n / parts..(c + 1) * n / parts)
        .collect();
    let pieces: Vec<M::Batch> = ranges.iter().map(|r| batch.part(r.clone())).collect();
    replicas.truncate(parts - 1);
    while replicas.len() < parts - 1 {
        replicas.push(model.clone());
    }
    for replica in replicas.iter_mut() {
        crate::nn::copy_parameters(replica.params_and_grads(), model.params_and_grads());
    }
    let mut losses = alloc::vec![0.0; parts];
    #[cfg(feature = "std")]
    let threaded = parallel;
    #[cfg(not(feature = "std"))]
    let threaded = {
        let _ = parallel;
        false
    };
    if threaded {
        #[cfg(feature = "std")]
        std::thread::scope(|scope| -> Result<(), DiffusionError> {
            let (first, rest) = losses.split_at_mut(1);
            let handles: Vec<_> = replicas
                .iter_mut()
                .zip(&pieces[1..])
                .zip(rest.iter_mut())
                .map(|((replica, piece), loss)| {
                    scope.spawn(move || {
                        *loss = replica.loss_and_gradient(piece)?;
                        Ok::<(), DiffusionError>(())
                    })
                })
                .collect();
            first[0] = model.loss_and_gradient(&pieces[0])?;
            for h in handles {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
            }
            Ok(())
        })?;
    } else {
        losses[0] = model.loss_and_gradient(&pieces[0])?;
        for ((replica, piece), loss) in replicas.iter_mut().zip(&pieces[1..]).zip(&mut losses[1..])
        {
            *loss = replica.loss_and_gradient(piece)?;
        }
    }
    let weight = |c: usize| ranges[c].len() as f64 / n as f64;
    let mut master = model.params_and_grads();
    for (_, g) in master.iter_mut() {
        g.iter_mut().for_each(|v| *v *= weight(0));
    }
    for (c, replica) in replicas.iter_mut().enumerate() {
        let w = weight(c + 1);
        for ((_, g), (_, h)) in master.iter_mut().zip(replica.params_and_grads()) {
            g.iter_mut().zip(h.iter()).for_each(|(a, b)| *a += w * b);
        }
    }
    Ok(losses.iter().enumerate().map(|(c, l)| weight(c) * l).sum())
}

/// One optimiser step of `model` on a drawn `batch` (number `step` of `params.steps`, for the
/// cosine learning-rate decay; `params.parts` data-parallel parts on `replicas`, see
/// [`batch_gradient`]); returns the loss.
pub(super) fn apply_step<M: Trainable>(
    (model, replicas): (&mut M, &mut Vec<M>),
    batch: &M::Batch,
    params: &ScoreTrainParams,
    step: usize,
    (adam, ema): (&mut Adam<f64>, &mut Ema<f64>),
) -> Result<f64, DiffusionError> {
    let loss = batch_gradient(model, replicas, batch, params.parts, true)?;
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

/// Train `model` on `data` for `params.steps` steps in one go (no checkpoints: for those drive a
/// [`Trainer`]) and load the EMA weights; returns the loss of every step. `stop` is asked
/// before every step; when it says so, training ends with [`DiffusionError::Cancelled`].
///
/// # Errors
/// As [`Trainable::check_data`], [`Trainable::draw_batch`] and [`ScoreTrainParams::check`];
/// [`DiffusionError::NotFinite`] if a loss is NaN/∞; [`DiffusionError::Cancelled`].
pub(super) fn train_model<M: Trainable, R: Rng + ?Sized>(
    model: &mut M,
    data: &M::Data,
    params: &ScoreTrainParams,
    rng: &mut R,
    stop: &dyn Fn() -> bool,
) -> Result<Vec<f64>, DiffusionError> {
    model.check_data(data)?;
    let (mut adam, mut ema) = optimisers(params)?;
    let mut replicas = Vec::new();
    let losses = (0..params.steps)
        .map(|step| {
            if stop() {
                return Err(DiffusionError::Cancelled);
            }
            let batch = model.draw_batch(data, params.batch, rng)?;
            apply_step(
                (&mut *model, &mut replicas),
                &batch,
                params,
                step,
                (&mut adam, &mut ema),
            )
        })
        .collect::<Result<Vec<f64>, _>>()?;
    load_average(model, &ema);
    Ok(losses)
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
    /// Copies of the model for data-parallel parts (weights copied in every step).
    replicas: Vec<M>,
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
            replicas: Vec::new(),
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
                let (model, rng) = ((&mut self.model, &mut self.replicas), &mut self.rng);
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
                    (&mut self.model, &mut self.replicas),
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
impl<M: Trainable + SavedModel> Trainer<M> {
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
            replicas: Vec::new(),
            params: saved.params,
            adam: saved.adam,
            ema: saved.ema,
            rng: saved.rng,
            step: saved.step,
        })
    }
}
