use super::{
    BinaryData, Chains, Contrastive, Encoding, Gradient, LatentCycle, LatentError, LearningRule,
    Trajectory, TwoStep, model::partial_shuffle,
};
use crate::nn::optim::{Optimizer, RmsProp};
use crate::rng::from_seed;
use alloc::vec::Vec;
use rand_xoshiro::Xoshiro256PlusPlus;

/// Which learning rule a [`Trainer`] uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Rule {
    /// The nonequilibrium model with the paper's approximate gradient ([`TwoStep`]).
    TwoStep,
    /// The equilibrium counterpart: w̄ tied to wᵀ, PCD gradient ([`Contrastive`]).
    Contrastive,
}

impl LearningRule for Rule {
    fn gradient(
        &self,
        model: &LatentCycle,
        cond: &super::Conditionals,
        data: &BinaryData,
        batch: &[usize],
        traj: &Trajectory,
        grad: &mut Gradient,
    ) -> f64 {
        match self {
            Self::TwoStep => TwoStep.gradient(model, cond, data, batch, traj, grad),
            Self::Contrastive => Contrastive.gradient(model, cond, data, batch, traj, grad),
        }
    }

    fn constrain(&self, model: &mut LatentCycle) {
        match self {
            Self::TwoStep => TwoStep.constrain(model),
            Self::Contrastive => Contrastive.constrain(model),
        }
    }
}

/// Training settings; the defaults are the paper's (Sec. IV.1). A setting missing from a
/// serialised form takes its default.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct TrainParams {
    /// Hidden units L (6).
    pub hidden: usize,
    /// Hidden encoding (one-hot with Eq. 19's kernel).
    pub encoding: Encoding,
    /// Double steps T of the persistent chains per update (48).
    pub steps: usize,
    /// Persistent chains (1: the paper runs "a Markov chain").
    pub chains: usize,
    /// RMSprop learning rate η (0.1).
    pub learning_rate: f64,
    /// RMSprop decay ρ of the squared-gradient average (0.99, PyTorch's default; the paper does
    /// not give it).
    pub rms_decay: f64,
    /// Minibatch size at the first epoch (16).
    pub batch_start: usize,
    /// Minibatch size at the last epoch (160); sizes in between are linear in the epoch.
    pub batch_end: usize,
    /// Epochs (120).
    pub epochs: usize,
    /// Gradient-ascent updates per epoch (30).
    pub updates_per_epoch: usize,
    /// Fraction of the data in each hidden unit's initialisation subset (0.1, App. A.1).
    pub init_fraction: f64,
    /// Learning rule (the paper's two-step gradient).
    pub rule: Rule,
}

impl Default for TrainParams {
    fn default() -> Self {
        Self {
            hidden: 6,
            encoding: Encoding::OneHot,
            steps: 48,
            chains: 1,
            learning_rate: 0.1,
            rms_decay: 0.99,
            batch_start: 16,
            batch_end: 160,
            epochs: 120,
            updates_per_epoch: 30,
            init_fraction: 0.1,
            rule: Rule::TwoStep,
        }
    }
}

impl TrainParams {
    /// # Errors
    /// [`LatentError::Parameter`] naming the first out-of-range setting.
    pub fn check(&self) -> Result<(), LatentError> {
        let bad = |why| Err(LatentError::Parameter(why));
        if self.hidden < 2 {
            return bad("L must be at least 2");
        }
        if self.encoding == Encoding::Binary && self.hidden > super::MAX_BINARY_HIDDEN {
            return bad("binary hidden layers are enumerated: L ≤ 12");
        }
        if self.rule == Rule::Contrastive && self.encoding == Encoding::OneHot {
            return bad(
                "the equilibrium counterpart is an RBM, whose one-hot conditional is the softmax: \
                 use the one-hot-softmax (or binary) encoding with it",
            );
        }
        if self.steps == 0 {
            return bad("T (chain double steps per update) must be at least 1");
        }
        if self.chains == 0 {
            return bad("at least one persistent chain is needed");
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return bad("the learning rate must be positive and finite");
        }
        if !(self.rms_decay >= 0.0 && self.rms_decay < 1.0) {
            return bad("the RMSprop decay must be in [0, 1)");
        }
        if self.batch_start == 0 || self.batch_end == 0 {
            return bad("minibatch sizes must be at least 1");
        }
        if self.epochs == 0 || self.updates_per_epoch == 0 {
            return bad("epochs and updates per epoch must be at least 1");
        }
        if !(self.init_fraction > 0.0 && self.init_fraction <= 1.0) {
            return bad("the initialisation subset fraction must be in (0, 1]");
        }
        Ok(())
    }

    /// Minibatch size at `epoch` (0-based): linear from `batch_start` to `batch_end`, rounded.
    pub fn batch_size(&self, epoch: usize) -> usize {
        if self.epochs < 2 {
            return self.batch_start;
        }
        let f = epoch.min(self.epochs - 1) as f64 / (self.epochs - 1) as f64;
        let (a, b) = (self.batch_start as f64, self.batch_end as f64);
        libm::round(a + (b - a) * f) as usize
    }
}

/// What one epoch of training did.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct EpochReport {
    /// The epoch just finished (0-based).
    pub epoch: usize,
    /// Its minibatch size.
    pub batch: usize,
    /// Mean over its updates of the fast log-likelihood estimate of App. A.3 (nats per image).
    pub fast_log_likelihood: f64,
}

/// A training run: model, persistent chains, optimiser state, RNG and position, so that a run
/// can be checkpointed and resumed bit-identically.
///
/// # Examples
/// A few epochs on a toy dataset of two 4-pixel patterns:
/// ```
/// use entropic::latent::{BinaryData, TrainParams, Trainer};
/// let rows = [[1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0]];
/// let data = BinaryData::new(rows.iter().cycle().take(40).flatten().copied().collect(), 4)?;
/// let params = TrainParams { hidden: 2, epochs: 20, batch_start: 8, batch_end: 8, ..TrainParams::default() };
/// let mut trainer = Trainer::new(params, &data, 1)?;
/// let mut last = f64::NEG_INFINITY;
/// while !trainer.is_done() {
///     last = trainer.run_epoch(&data)?.fast_log_likelihood;
/// }
/// assert!(last > -1.0); // ln 2 ≈ 0.69 nats is the optimum (two equiprobable patterns)
/// # Ok::<(), entropic::latent::LatentError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Trainer {
    params: TrainParams,
    model: LatentCycle,
    chains: Chains,
    optimizer: RmsProp<f64>,
    rng: Xoshiro256PlusPlus,
    order: Vec<usize>,
    epoch: usize,
}

impl Trainer {
    /// Initialise (App. A.1) from `data` with RNG seed `seed`.
    ///
    /// # Errors
    /// [`TrainParams::check`]'s errors.
    pub fn new(params: TrainParams, data: &BinaryData, seed: u64) -> Result<Self, LatentError> {
        params.check()?;
        let mut rng = from_seed(seed);
        let mut model = LatentCycle::initialise(
            data,
            params.hidden,
            params.encoding,
            params.init_fraction,
            &mut rng,
        )?;
        params.rule.constrain(&mut model);
        let chains = Chains::from_data(data, params.chains, &mut rng)?;
        let optimizer = RmsProp::new(params.rms_decay, 1e-8)
            .map_err(|_| LatentError::Parameter("the RMSprop decay must be in [0, 1)"))?;
        Ok(Self {
            params,
            model,
            chains,
            optimizer,
            rng,
            order: (0..data.len()).collect(),
            epoch: 0,
        })
    }

    /// The settings.
    pub fn params(&self) -> &TrainParams {
        &self.params
    }

    /// The current model.
    pub fn model(&self) -> &LatentCycle {
        &self.model
    }

    /// The persistent chains.
    pub fn chains(&self) -> &Chains {
        &self.chains
    }

    /// Number of data vectors the run trains on.
    pub fn data_len(&self) -> usize {
        self.order.len()
    }

    /// Epochs completed.
    pub fn epoch(&self) -> usize {
        self.epoch
    }

    /// Whether all epochs are done.
    pub fn is_done(&self) -> bool {
        self.epoch >= self.params.epochs
    }

    /// Run one epoch: `updates_per_epoch` times, draw a minibatch without replacement, run the
    /// persistent chains T double steps (Eq. 18), and take an RMSprop ascent step along the
    /// rule's gradient.
    ///
    /// # Errors
    /// [`LatentError::Dimension`] / [`LatentError::Shape`] if `data` is not the data the run
    /// started with (dimension or size); [`LatentError::NotFinite`] if a gradient or parameter
    /// is NaN/∞ — the model is then left at its last finite parameters.
    pub fn run_epoch(&mut self, data: &BinaryData) -> Result<EpochReport, LatentError> {
        data.expect_dim(self.model.dim())?;
        if data.len() != self.order.len() {
            return Err(LatentError::Shape(
                "the data has a different number of vectors than the run started with",
            ));
        }
        let batch = self.params.batch_size(self.epoch).min(data.len());
        let mut grad = Gradient::zeros(&self.model);
        let mut traj = Trajectory::default();
        let mut fast = 0.0;
        for _ in 0..self.params.updates_per_epoch {
            partial_shuffle(&mut self.order, batch, &mut self.rng);
            let cond = self.model.conditionals();
            traj.clear();
            self.chains
                .run(&self.model, &cond, self.params.steps, &mut self.rng, |v| {
                    traj.push(v)
                });
            let rule = self.params.rule;
            fast += rule.gradient(
                &self.model,
                &cond,
                data,
                &self.order[..batch],
                &traj,
                &mut grad,
            );
            if !grad.is_finite() {
                return Err(LatentError::NotFinite("the gradient"));
            }
            // RMSprop descends: ascend the log-likelihood along −(−g).
            grad.scale(-1.0);
            let before = self.model.clone();
            self.optimizer.step(
                self.params.learning_rate,
                &mut self.model.params_and_grads(&mut grad),
            );
            rule.constrain(&mut self.model);
            if !self.model.is_finite() {
                self.model = before;
                return Err(LatentError::NotFinite("a model parameter"));
            }
        }
        let report = EpochReport {
            epoch: self.epoch,
            batch,
            fast_log_likelihood: fast / self.params.updates_per_epoch as f64,
        };
        self.epoch += 1;
        Ok(report)
    }

    /// Serialise the whole run (settings, model, chains, optimiser, RNG, position) as JSON.
    ///
    /// # Errors
    /// [`LatentError::Checkpoint`] if serialisation fails (it does not for finite values).
    #[cfg(feature = "serde")]
    pub fn to_json(&self) -> Result<Vec<u8>, LatentError> {
        serde_json::to_vec(&Saved {
            format: FORMAT.into(),
            version: VERSION,
            trainer: self.clone(),
        })
        .map_err(|_| LatentError::Checkpoint("could not serialise the run"))
    }

    /// Restore a run saved by [`Trainer::to_json`], validating every shape.
    ///
    /// # Errors
    /// [`LatentError::Checkpoint`] for anything that is not a consistent checkpoint of this
    /// format and version.
    #[cfg(feature = "serde")]
    pub fn from_json(bytes: &[u8]) -> Result<Self, LatentError> {
        let saved: Saved = serde_json::from_slice(bytes)
            .map_err(|_| LatentError::Checkpoint("not a readable latent-cycle checkpoint"))?;
        if saved.format != FORMAT || !(1..=VERSION).contains(&saved.version) {
            return Err(LatentError::Checkpoint("unknown format or version"));
        }
        let mut t = saved.trainer;
        if saved.version == 1 && t.params.encoding == Encoding::OneHot {
            // Version 1 predates Eq. 19: its one-hot kernel was the softmax.
            t.params.encoding = Encoding::OneHotSoftmax;
            t.model.set_encoding(Encoding::OneHotSoftmax);
        }
        t.params
            .check()
            .map_err(|_| LatentError::Checkpoint("settings out of range"))?;
        let m = &t.model;
        let consistent = m.hidden() == t.params.hidden
            && m.encoding() == t.params.encoding
            && LatentCycle::new(m.dim(), m.hidden(), m.encoding()).is_ok()
            && m.w().len() == m.dim() * m.hidden()
            && m.wbar().len() == m.dim() * m.hidden()
            && m.a().len() == m.dim()
            && m.abar().len() == m.hidden()
            && m.center().len() == m.dim()
            && m.is_finite()
            && t.chains.is_consistent(m.dim())
            && {
                let mut seen = alloc::vec![false; t.order.len()];
                t.order
                    .iter()
                    .all(|&i| i < seen.len() && !core::mem::replace(&mut seen[i], true))
            };
        if !consistent {
            return Err(LatentError::Checkpoint("inconsistent shapes or values"));
        }
        // Only now are the model's shapes known to be sane enough to allocate a gradient.
        let mut probe = t.model.clone();
        let mut grad = Gradient::zeros(&probe);
        let sizes: Vec<usize> = probe
            .params_and_grads(&mut grad)
            .iter()
            .map(|(p, _)| p.len())
            .collect();
        if !t.optimizer.fits(&sizes) {
            return Err(LatentError::Checkpoint(
                "optimiser state does not fit the model",
            ));
        }
        Ok(t)
    }
}

#[cfg(feature = "serde")]
const FORMAT: &str = "entropic-latent-trainer";
#[cfg(feature = "serde")]
/// 2: one-hot models name their kernel (`OneHot` is Eq. 19, `OneHotSoftmax` the softmax);
/// version 1's `OneHot` was the softmax and is read as such.
const VERSION: u32 = 2;

#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
struct Saved {
    format: alloc::string::String,
    version: u32,
    trainer: Trainer,
}

impl crate::train::Iterative for Trainer {
    type Data = BinaryData;
    type Report = EpochReport;
    type Error = LatentError;
    fn completed(&self) -> usize {
        self.epoch
    }
    fn planned(&self) -> usize {
        self.params.epochs
    }
    /// [`Trainer::run_epoch`].
    fn step(&mut self, data: &BinaryData) -> Result<EpochReport, LatentError> {
        self.run_epoch(data)
    }
}
