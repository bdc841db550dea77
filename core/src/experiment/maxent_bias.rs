//! Generation from a trained digits model without retraining (paper Sec. I.3, Fig. 6–7):
//! steering towards a digit with an independent classifier (Eq. 22–23) and biasing by a
//! discriminator between real and generated digits (Eq. 20–21). The library side of `entropic
//! maxent digits sample` and `discriminator`. Walkers start from the trained model's persistent
//! walkers (samples of H₀) and are run under H = [H₀] + H′.
use super::maxent_digits::{DigitsScore, DigitsScorer, DigitsTrainer, trained_classifier};
use super::{ClassifierRole, ExperimentError, Runtime};
use crate::experiment::check_cancelled;
use crate::maxent::digits::{PIXELS, digit_sets, digits_observables, steering_field};

use crate::maxent::{Energy, MaxEntError, Moves, Walkers, check_batch};
use crate::nn::classifier::DigitClassifier;
use crate::nn::loss::bce_with_logits;
use crate::nn::optim::{Adam, Optimizer};
use crate::nn::{Network, NnError};
use crate::rng::{Xoshiro256PlusPlus, stream, uniform_index};
use alloc::vec::Vec;

/// The biased energy H = H₀ + H′_steer(α_s) + α_g g of a batch of images.
#[derive(Clone, Debug)]
pub struct BiasedEnergy {
    /// The steering classifier, its copies for threads 1, 2, … (the weights never change while
    /// sampling), the digit and the strength.
    steer: Option<(DigitClassifier, Vec<DigitClassifier>, usize, f64)>,
    discriminator: Option<(Network<f64>, f64)>,
    with_model: bool,
    scratch: Scratch,
}

/// Buffers reused across the 64 energy evaluations of every sweep.
#[derive(Clone, Debug, Default)]
struct Scratch {
    observables: Vec<f64>,
    pixels_f32: Vec<f32>,
    probabilities: Vec<f64>,
    field: Vec<f64>,
    weights: Vec<f32>,
    gradient: Vec<f64>,
}

/// Refuse a strength that is not a finite number ≥ 0.
fn check_strength(field: &'static str, alpha: f64) -> Result<(), ExperimentError> {
    if alpha.is_finite() && alpha >= 0.0 {
        Ok(())
    } else {
        Err(ExperimentError::config(
            field,
            alloc::format!("must be a finite number ≥ 0, got {alpha}"),
        ))
    }
}

impl BiasedEnergy {
    /// H₀ alone: the trained model.
    pub fn model() -> Self {
        Self {
            steer: None,
            discriminator: None,
            with_model: true,
            scratch: Scratch::default(),
        }
    }

    /// Add the steering field H′ of Eq. 23 towards `digit` with strength `alpha`, from
    /// `classifier` (the steering one, not the one that scores).
    ///
    /// # Errors
    /// [`ExperimentError::Config`] for a digit above 9 or a strength that is not finite and
    /// ≥ 0.
    pub fn steered(
        mut self,
        classifier: DigitClassifier,
        digit: usize,
        alpha: f64,
    ) -> Result<Self, ExperimentError> {
        if digit > 9 {
            return Err(ExperimentError::config(
                "steer",
                alloc::format!("takes a digit 0–9, got {digit}"),
            ));
        }
        check_strength("alpha", alpha)?;
        self.steer = Some((classifier, Vec::new(), digit, alpha));
        Ok(self)
    }

    /// Add α g(x) for a discriminator `g` (8×8 images → one logit of "generated").
    ///
    /// # Errors
    /// [`ExperimentError::Config`] for a network of other shape or a strength that is not
    /// finite and ≥ 0.
    pub fn with_discriminator(
        mut self,
        g: Network<f64>,
        alpha: f64,
    ) -> Result<Self, ExperimentError> {
        if g.inputs() != PIXELS || g.outputs() != 1 {
            return Err(ExperimentError::config(
                "discriminator",
                "is not a discriminator of 8×8 images",
            ));
        }
        check_strength("disc_alpha", alpha)?;
        self.discriminator = Some((g, alpha));
        Ok(self)
    }

    /// Drop H₀ and keep only the biases (the Fig. 7d ablation).
    ///
    /// # Errors
    /// [`ExperimentError::Config`] without a steering field.
    pub fn without_model(mut self) -> Result<Self, ExperimentError> {
        if self.steer.is_none() {
            return Err(ExperimentError::config(
                "classifier_only",
                "needs a digit to steer to",
            ));
        }
        self.with_model = false;
        Ok(self)
    }

    /// The energy of `n` images `x` (64 pixels each) under `trainer`'s model, into `out`.
    ///
    /// # Errors
    /// [`MaxEntError::Shape`] unless `x` is `n` images of 64 pixels.
    fn energy(
        &mut self,
        trainer: &mut DigitsTrainer,
        x: &[f64],
        n: usize,
        out: &mut Vec<f64>,
    ) -> Result<(), MaxEntError> {
        check_batch(x, n, PIXELS, None)?;
        let s = &mut self.scratch;
        out.clear();
        if self.with_model {
            trainer.model_mut().energy(x, n, &mut s.observables, out)?;
        } else {
            out.resize(n, 0.0);
        }
        if let Some((clf, copies, target, alpha)) = &mut self.steer {
            s.pixels_f32.clear();
            s.pixels_f32.extend(x.iter().map(|&v| v as f32));
            let p = classify((clf, copies), &s.pixels_f32, n, None).map_err(not_images)?;
            s.probabilities.clear();
            s.probabilities.extend(p.iter().map(|&v| f64::from(v)));
            steering_field(&s.probabilities, *target, *alpha, &mut s.field);
            for (e, h) in out.iter_mut().zip(&s.field) {
                *e += h;
            }
        }
        if let Some((g, alpha)) = &mut self.discriminator {
            let logits = g.forward(x, n).map_err(not_images)?;
            for (e, l) in out.iter_mut().zip(logits) {
                *e += *alpha * l;
            }
        }
        Ok(())
    }

    /// ∇ₓH of `n` images into `out` (n × 64): ∇H₀ (the observables' input gradients), the
    /// steering field's Σᵢ wᵢ ∇hᵢ with w = α for the other classes and −α for the target (the
    /// gradient of [`steering_field`]'s −α h_J + α Σ_{i≠J} hᵢ, through the classifier in f32),
    /// and α_g ∇g.
    ///
    /// # Errors
    /// [`MaxEntError::Shape`] unless `x` is `n` images of 64 pixels.
    fn gradient(
        &mut self,
        trainer: &mut DigitsTrainer,
        x: &[f64],
        n: usize,
        out: &mut Vec<f64>,
    ) -> Result<(), MaxEntError> {
        check_batch(x, n, PIXELS, None)?;
        let s = &mut self.scratch;
        out.clear();
        if self.with_model {
            trainer.model_mut().energy_gradient(x, n, out)?;
        } else {
            out.resize(x.len(), 0.0);
        }
        if let Some((clf, copies, target, alpha)) = &mut self.steer {
            s.pixels_f32.clear();
            s.pixels_f32.extend(x.iter().map(|&v| v as f32));
            s.weights.clear();
            s.weights.extend((0..n * 10).map(|k| {
                if k % 10 == *target {
                    -*alpha as f32
                } else {
                    *alpha as f32
                }
            }));
            let g =
                classify((clf, copies), &s.pixels_f32, n, Some(&s.weights)).map_err(not_images)?;
            out.iter_mut().zip(g).for_each(|(o, g)| *o += f64::from(g));
        }
        if let Some((g, alpha)) = &mut self.discriminator {
            let w = alloc::vec![*alpha; n];
            crate::maxent::Observables::input_grad(g, x, n, &w, &mut s.gradient)?;
            out.iter_mut().zip(&s.gradient).for_each(|(o, g)| *o += g);
        }
        Ok(())
    }

    /// Run `sweeps` sweeps of a copy of `trainer`'s walkers under this energy (a
    /// [`BiasedChain`] planned for `sweeps`, with `leapfrog` and `seed`; the model's network
    /// and the steering classifier on [`Runtime::threads`], same bits on any number); returns
    /// the final positions (64 pixels each).
    ///
    /// # Errors
    /// [`ExperimentError::Cancelled`] between sweeps.
    pub fn generate<R: Runtime>(
        &mut self,
        trainer: &mut DigitsTrainer,
        sweeps: usize,
        leapfrog: usize,
        seed: u64,
        rt: &R,
    ) -> Result<Vec<f64>, ExperimentError> {
        trainer
            .model_mut()
            .observables_mut()
            .set_threads(rt.threads());
        if let Some((clf, copies, _, _)) = &mut self.steer {
            *copies = alloc::vec![clf.clone(); rt.threads().max(1) - 1];
        }
        let mut chain = BiasedChain::new(trainer.walkers().clone(), leapfrog, sweeps, seed)?;
        for k in 0..sweeps {
            check_cancelled(rt)?;
            chain.sweep(self, trainer)?;
            rt.progress("sweeps", k as u64 + 1, sweeps as u64);
        }
        Ok(chain.positions().to_vec())
    }
}

/// Walkers sampling a [`BiasedEnergy`] of a trained model, a sweep at a time (what
/// [`BiasedEnergy::generate`] runs; a live view draws the walkers between sweeps).
#[derive(Clone, Debug)]
pub struct BiasedChain {
    walkers: Walkers,
    rng: Xoshiro256PlusPlus,
    adapt: usize,
    done: usize,
}

impl BiasedChain {
    /// Walkers starting from `start` (samples of H₀: the trained model's walkers, or the first
    /// few of them, [`Walkers::first`]), drawing from [`stream`]`(seed, 3)`. `leapfrog` 0 keeps
    /// `start`'s own moves and width (random-walk Metropolis for a model trained with it);
    /// L ≥ 1 runs HMC trajectories of L steps on H and its gradient (1 = MALA) with the mass
    /// matrix preconditioned by `start`'s spread ([`Walkers::precondition`]), the step
    /// starting at 0.02 and adapted toward 65 % acceptance over the first quarter of
    /// `planned` sweeps, frozen after (those sweeps are burn-in).
    ///
    /// # Errors
    /// [`ExperimentError::MaxEnt`] for a leapfrog count [`Walkers::with_moves`] refuses.
    pub fn new(
        start: Walkers,
        leapfrog: usize,
        planned: usize,
        seed: u64,
    ) -> Result<Self, ExperimentError> {
        let mut walkers = start;
        let mut adapt = 0;
        if leapfrog > 0 {
            walkers = Walkers::new(
                walkers.dim(),
                walkers.positions().to_vec(),
                HMC_START_STEP,
                walkers.bounds(),
            )?
            .with_moves(Moves::Hamiltonian(leapfrog))?;
            walkers.precondition();
            adapt = planned / 4;
        }
        Ok(Self {
            walkers,
            rng: stream(seed, 3),
            adapt,
            done: 0,
        })
    }

    /// One sweep of every walker under `energy` biasing `trainer`'s model; returns the
    /// acceptance.
    ///
    /// # Errors
    /// [`MaxEntError::Shape`] for walkers that are not 8×8 images (a chain started from another
    /// model's walkers).
    pub fn sweep(
        &mut self,
        energy: &mut BiasedEnergy,
        trainer: &mut DigitsTrainer,
    ) -> Result<f64, MaxEntError> {
        let a = self.walkers.sweep(
            &mut Biased {
                bias: energy,
                trainer,
            },
            &mut self.rng,
        )?;
        if self.done < self.adapt {
            self.walkers.adapt(a, 0.65);
        }
        self.done += 1;
        Ok(a)
    }

    /// Sweeps done.
    pub fn sweeps(&self) -> usize {
        self.done
    }

    /// The walkers' positions (64 pixels each).
    pub fn positions(&self) -> &[f64] {
        self.walkers.positions()
    }
}

/// Rows below which a batch of images is not split between classifiers.
#[cfg(feature = "std")]
const MIN_IMAGES_PER_THREAD: usize = 32;

/// The class probabilities of `n` images `x` (n × 10), or with weights `w` (n × 10) the input
/// gradient of Σ w·p (n × 64), the rows split between the classifier and its `copies` (same
/// weights) on threads of their own; every image's output depends on that image alone, so the
/// result is the same bits for any number of copies.
fn classify(
    (clf, copies): (&mut DigitClassifier, &mut [DigitClassifier]),
    x: &[f32],
    n: usize,
    w: Option<&[f32]>,
) -> Result<Vec<f32>, NnError> {
    let one = |c: &mut DigitClassifier, x: &[f32], n: usize, w: Option<&[f32]>| match w {
        None => c.probabilities(x, n),
        Some(w) => c.probability_gradient(x, n, w),
    };
    #[cfg(feature = "std")]
    {
        let parts = (1 + copies.len()).min(n / MIN_IMAGES_PER_THREAD);
        if parts > 1 && x.len() == n * PIXELS && w.is_none_or(|w| w.len() == n * 10) {
            let mut workers: Vec<&mut DigitClassifier> = core::iter::once(&mut *clf)
                .chain(copies.iter_mut())
                .take(parts)
                .collect();
            let ranges = crate::rows_on_threads::ranges(n, parts);
            return crate::rows_on_threads::concatenated(&mut workers, &ranges, |c, r| {
                let rows = &x[r.start * PIXELS..r.end * PIXELS];
                one(c, rows, r.len(), w.map(|w| &w[r.start * 10..r.end * 10]))
            });
        }
    }
    let _ = copies;
    one(clf, x, n, w)
}

/// A classifier or discriminator refused a batch: it was not whole 8×8 images.
fn not_images(_: NnError) -> MaxEntError {
    MaxEntError::Shape("a batch of walkers is not whole 8×8 images")
}

/// The leapfrog step HMC generation starts its warm-up from (pixels live in [0, 1]).
const HMC_START_STEP: f64 = 0.02;

/// A [`BiasedEnergy`] with the trained model it biases: what the walkers sample.
struct Biased<'a> {
    bias: &'a mut BiasedEnergy,
    trainer: &'a mut DigitsTrainer,
}

impl Energy for Biased<'_> {
    fn energies(&mut self, x: &[f64], batch: usize, out: &mut Vec<f64>) -> Result<(), MaxEntError> {
        self.bias.energy(self.trainer, x, batch, out)
    }

    fn gradients(
        &mut self,
        x: &[f64],
        batch: usize,
        out: &mut Vec<f64>,
    ) -> Result<bool, MaxEntError> {
        self.bias.gradient(self.trainer, x, batch, out)?;
        Ok(true)
    }
}

/// Settings of a [`DigitsSampling`].
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct DigitsSamplingConfig {
    /// Steer towards this digit with the steering classifier (Eq. 23). Default none.
    pub steer: Option<usize>,
    /// Strength α of the steering field. Default 20.
    pub alpha: f64,
    /// Strength α_g of a discriminator's bias (1 makes H₀ + g the log-density-ratio
    /// correction for a calibrated discriminator). Default 1.
    pub disc_alpha: f64,
    /// Drop H₀ and sample from the steering field alone (the Fig. 7d ablation). Default false.
    pub classifier_only: bool,
    /// MCMC sweeps under the biased energy (≥ 1). Default 200.
    pub sweeps: usize,
    /// 0: the trained walkers' own moves; L ≥ 1: HMC with L leapfrog steps per sweep on the
    /// biased energy and its gradient (1 = MALA; at most 1000). Default 0.
    pub leapfrog: usize,
}

impl Default for DigitsSamplingConfig {
    fn default() -> Self {
        Self {
            steer: None,
            alpha: 20.0,
            disc_alpha: 1.0,
            classifier_only: false,
            sweeps: 200,
            leapfrog: 0,
        }
    }
}

/// What a [`DigitsSampling`] produced.
#[derive(Clone, Debug, PartialEq)]
pub struct DigitsSamples {
    /// The trained model's walkers (samples of H₀).
    pub unbiased: Vec<f64>,
    /// The samples under the biased energy.
    pub samples: Vec<f64>,
    /// The score of the unbiased ones.
    pub before: DigitsScore,
    /// The score of the biased ones.
    pub after: DigitsScore,
}

/// Biased generation from a trained model (Fig. 7, and Fig. 6's final step with a
/// discriminator).
#[derive(Clone, Debug)]
pub struct DigitsSampling {
    config: DigitsSamplingConfig,
}

impl DigitsSampling {
    /// # Errors
    /// [`ExperimentError::Config`] naming the setting.
    pub fn new(config: DigitsSamplingConfig) -> Result<Self, ExperimentError> {
        check_strength("alpha", config.alpha)?;
        check_strength("disc_alpha", config.disc_alpha)?;
        if config.steer.is_some_and(|d| d > 9) {
            return Err(ExperimentError::config("steer", "takes a digit 0–9"));
        }
        if config.classifier_only && config.steer.is_none() {
            return Err(ExperimentError::config(
                "classifier_only",
                "needs a digit to steer to",
            ));
        }
        if config.sweeps == 0 {
            return Err(ExperimentError::config("sweeps", "must be at least 1"));
        }
        super::maxent_mixing::check_leapfrog(config.leapfrog)?;
        Ok(Self { config })
    }

    /// The settings.
    pub fn config(&self) -> &DigitsSamplingConfig {
        &self.config
    }

    /// Sample `trainer`'s model (trained on `images` digits) under the configured bias plus an
    /// optional `discriminator`, and score both sample sets.
    ///
    /// # Errors
    /// [`ExperimentError::Cancelled`]; the classifiers' or the discriminator's errors.
    pub fn run<R: Runtime>(
        &self,
        trainer: &mut DigitsTrainer,
        images: usize,
        discriminator: Option<Network<f64>>,
        seed: u64,
        rt: &R,
    ) -> Result<DigitsSamples, ExperimentError> {
        let c = &self.config;
        let mut energy = BiasedEnergy::model();
        if let Some(d) = c.steer {
            let classifier = trained_classifier(seed, ClassifierRole::Steering)?;
            energy = energy.steered(classifier, d, c.alpha)?;
        }
        if let Some(g) = discriminator {
            energy = energy.with_discriminator(g, c.disc_alpha)?;
        }
        if c.classifier_only {
            energy = energy.without_model()?;
        }
        let unbiased = trainer.walkers().positions().to_vec();
        let samples = energy.generate(trainer, c.sweeps, c.leapfrog, seed, rt)?;
        let mut scorer = DigitsScorer::new(images, seed)?;
        Ok(DigitsSamples {
            before: scorer.score(&unbiased)?,
            after: scorer.score(&samples)?,
            unbiased,
            samples,
        })
    }
}

/// Train g (logit of "generated") on real (label 0) vs generated (label 1) images with Adam
/// (rate 10⁻³) and balanced minibatches of 32 + 32; weights and draws from
/// [`stream`]`(seed, 5)`.
///
/// # Errors
/// [`ExperimentError::Nn`] if the loss diverges.
pub fn train_discriminator(
    real: &[f64],
    generated: &[f64],
    epochs: usize,
    seed: u64,
) -> Result<Network<f64>, ExperimentError> {
    let mut rng = stream(seed, 5);
    let mut g = digits_observables((4, 8), 1, &mut rng)?;
    let mut adam = Adam::default_params();
    let (nr, ng) = (real.len() / PIXELS, generated.len() / PIXELS);
    let steps = epochs * nr.max(ng).div_ceil(32);
    let (mut x, mut y, mut grad) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..steps {
        x.clear();
        y.clear();
        for (set, n, label) in [(real, nr, 0.0), (generated, ng, 1.0)] {
            for _ in 0..32 {
                let i = uniform_index(&mut rng, n);
                x.extend_from_slice(&set[i * PIXELS..(i + 1) * PIXELS]);
                y.push(label);
            }
        }
        g.zero_grad();
        let logits = g.forward(&x, 64)?.to_vec();
        let loss = bce_with_logits(&logits, &y, &mut grad)?;
        if !loss.is_finite() {
            return Err(NnError::NotFinite("the discriminator's loss").into());
        }
        g.backward(&grad)?;
        adam.step(1e-3, &mut g.params_and_grads());
    }
    Ok(g)
}

/// Settings of a [`DigitsDiscriminator`].
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct DigitsDiscriminatorConfig {
    /// Discriminator rounds (≥ 1). Default 3.
    pub rounds: usize,
    /// Strength α of the bias α g(x) (1: g is the log-odds of "generated"). Default 1.
    pub alpha: f64,
    /// MCMC sweeps under the biased energy per round (≥ 1). Default 200.
    pub sweeps: usize,
    /// Training epochs of each discriminator (≥ 1). Default 200.
    pub epochs: usize,
    /// 0: the trained walkers' own moves; L ≥ 1: HMC with L leapfrog steps per sweep (see
    /// [`DigitsSamplingConfig::leapfrog`]). Default 0.
    pub leapfrog: usize,
}

impl Default for DigitsDiscriminatorConfig {
    fn default() -> Self {
        Self {
            rounds: 3,
            alpha: 1.0,
            sweeps: 200,
            epochs: 200,
            leapfrog: 0,
        }
    }
}

/// One round: the discriminator's logits on the real digits, on H₀'s samples and on the
/// samples of H₀ + α g.
#[derive(Clone, Debug, PartialEq)]
pub struct DiscriminatorRound {
    /// g on the real digits.
    pub g_real: Vec<f64>,
    /// g on the trained model's walkers.
    pub g_model: Vec<f64>,
    /// g on the biased samples.
    pub g_biased: Vec<f64>,
}

/// What a [`DigitsDiscriminator`] produced.
#[derive(Clone, Debug)]
pub struct DiscriminatorOutcome {
    /// One entry per round.
    pub rounds: Vec<DiscriminatorRound>,
    /// The last round's discriminator.
    pub discriminator: Network<f64>,
    /// The last round's biased samples.
    pub biased: Vec<f64>,
}

/// Iterated discriminator bias (Eq. 20–21, Fig. 6): each round trains g on the real digits
/// against everything generated so far (round 0: H₀'s walkers), then samples H₀ + α g.
#[derive(Clone, Debug)]
pub struct DigitsDiscriminator {
    config: DigitsDiscriminatorConfig,
}

impl DigitsDiscriminator {
    /// # Errors
    /// [`ExperimentError::Config`] naming the setting.
    pub fn new(config: DigitsDiscriminatorConfig) -> Result<Self, ExperimentError> {
        check_strength("alpha", config.alpha)?;
        for (field, value) in [
            ("rounds", config.rounds),
            ("sweeps", config.sweeps),
            ("epochs", config.epochs),
        ] {
            if value == 0 {
                return Err(ExperimentError::config(field, "must be at least 1"));
            }
        }
        super::maxent_mixing::check_leapfrog(config.leapfrog)?;
        Ok(Self { config })
    }

    /// The settings.
    pub fn config(&self) -> &DigitsDiscriminatorConfig {
        &self.config
    }

    /// Run the rounds on `trainer`'s model, trained on `images` digits; round r trains from
    /// `seed + r` and samples from `seed + 100 + r`.
    ///
    /// # Errors
    /// [`ExperimentError::Cancelled`]; the networks' errors.
    pub fn run<R: Runtime>(
        &self,
        trainer: &mut DigitsTrainer,
        images: usize,
        seed: u64,
        rt: &R,
    ) -> Result<DiscriminatorOutcome, ExperimentError> {
        let c = &self.config;
        let real = digit_sets(images)
            .map_err(|_| ExperimentError::config("images", "must be 1 to 359"))?
            .train;
        // The trained model's own walkers: round 0's "generated" set, and the H₀ samples every
        // round's discriminator is evaluated on (biased sampling works on copies of them).
        let plain = trainer.walkers().positions().to_vec();
        let mut pool = plain.clone();
        let mut rounds = Vec::new();
        let mut last = None;
        for round in 0..c.rounds as u64 {
            let mut g = train_discriminator(&real, &pool, c.epochs, seed + round)?;
            let mut logits = |x: &[f64]| -> Result<Vec<f64>, ExperimentError> {
                Ok(g.forward(x, x.len() / PIXELS)?.to_vec())
            };
            let (g_real, g_model) = (logits(&real)?, logits(&plain)?);
            let mut energy = BiasedEnergy::model().with_discriminator(g.clone(), c.alpha)?;
            let biased = energy.generate(trainer, c.sweeps, c.leapfrog, seed + 100 + round, rt)?;
            let g_biased = g.forward(&biased, biased.len() / PIXELS)?.to_vec();
            rounds.push(DiscriminatorRound {
                g_real,
                g_model,
                g_biased,
            });
            // The next discriminator also sees what this round's bias generated.
            pool.extend_from_slice(&biased);
            last = Some((g, biased));
        }
        let (discriminator, biased) =
            last.ok_or(ExperimentError::config("rounds", "must be at least 1"))?;
        Ok(DiscriminatorOutcome {
            rounds,
            discriminator,
            biased,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::{MaxentDigits, MaxentDigitsConfig};
    use crate::nn::ActivationKind;
    use crate::rng::{from_seed, uniform_f64};

    /// The steering classifier split over copies gives the bits of one piece, for the
    /// probabilities and the input gradient, at batch sizes around the split threshold.
    #[test]
    fn classifier_copies_give_the_same_bits() {
        let mut rng = from_seed(8);
        let mut clf =
            DigitClassifier::from_network(DigitClassifier::architecture(&mut rng).unwrap())
                .unwrap();
        for n in [1, 63, 64, 65, 200, 401] {
            let x: Vec<f32> = (0..n * PIXELS)
                .map(|_| uniform_f64(&mut rng) as f32)
                .collect();
            let w: Vec<f32> = (0..n * 10).map(|k| (k % 7) as f32 - 3.0).collect();
            let whole_p = classify((&mut clf, &mut []), &x, n, None).unwrap();
            let whole_g = classify((&mut clf, &mut []), &x, n, Some(&w)).unwrap();
            for threads in 2..5 {
                let mut copies = alloc::vec![clf.clone(); threads - 1];
                assert_eq!(
                    classify((&mut clf, &mut copies), &x, n, None).unwrap(),
                    whole_p
                );
                assert_eq!(
                    classify((&mut clf, &mut copies), &x, n, Some(&w)).unwrap(),
                    whole_g
                );
            }
        }
        assert!(classify((&mut clf, &mut []), &[0.0; 63], 1, None).is_err());
    }

    /// Central differences of H₀ + steering field + α_g g against the gradient HMC uses, with
    /// every part non-zero: random λ for H₀ (f64 CNN observables), a smooth f32 tanh classifier
    /// for the steering (so a step crosses no ReLU kink) and a CNN discriminator. Step 1e-2;
    /// tolerance 1e-3 plus 1 % of the value, above the f32 rounding of the steering
    /// probabilities in the difference quotient (≈ α·1e-7/2e-2) and the O(h²) truncation.
    #[test]
    fn biased_energy_gradient_matches_finite_differences() {
        let run = MaxentDigits::new(MaxentDigitsConfig {
            walkers: 2,
            ..MaxentDigitsConfig::default()
        })
        .unwrap();
        let mut trainer = run.trainer(3).unwrap();
        let mut rng = from_seed(17);
        for l in trainer.model_mut().lambda_mut() {
            *l = 2.0 * uniform_f64(&mut rng) - 1.0;
        }
        let net = Network::<f32>::mlp(&[64, 16, 10], ActivationKind::Tanh, &mut rng).unwrap();
        let classifier = DigitClassifier::from_network(net).unwrap();
        let g = digits_observables((4, 8), 1, &mut rng).unwrap();
        let mut bias = BiasedEnergy::model()
            .steered(classifier, 3, 2.0)
            .unwrap()
            .with_discriminator(g, 0.7)
            .unwrap();
        let x: Vec<f64> = (0..2 * PIXELS)
            .map(|_| 0.2 + 0.6 * uniform_f64(&mut rng))
            .collect();
        let mut grad = Vec::new();
        bias.gradient(&mut trainer, &x, 2, &mut grad).unwrap();
        let scale = grad.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        assert!(scale > 0.1, "gradient scale {scale}");
        let mut e = Vec::new();
        let h = 1e-2;
        for k in (0..2 * PIXELS).step_by(5) {
            let (mut up, mut down) = (x.clone(), x.clone());
            up[k] += h;
            down[k] -= h;
            bias.energy(&mut trainer, &up, 2, &mut e).unwrap();
            let hi = e[k / PIXELS];
            bias.energy(&mut trainer, &down, 2, &mut e).unwrap();
            let fd = (hi - e[k / PIXELS]) / (2.0 * h);
            let tol = 1e-3 + 0.01 * fd.abs();
            assert!((fd - grad[k]).abs() < tol, "{k}: {fd} vs {}", grad[k]);
        }
    }
}
