use super::trainer::{RowBatch, ScoreTrainParams, Trainable};
use super::{DiffusionError, GaussianScore, LambdaDensity, Score, VpSde};
#[cfg(feature = "serde")]
use crate::diffusion::SavedModel;
use crate::nn::embed::{SinusoidalEmbedding, concat_rows};
use crate::nn::loss::mse;
use crate::nn::{ActivationKind, Network};
use crate::rng::{uniform_f64, uniform_index};
use crate::samples::Samples;
use alloc::vec;
use alloc::vec::Vec;
use rand_core::Rng;

/// A learned score on top of a Gaussian base: s(x, t) = s_G(x, t) + n_θ(x, t), where s_G is the
/// exact diffused score of the Gaussian G = N(m̂, Σ̂) with the data's moments and n_θ an MLP of
/// [x, embed(t)] (SiLU, output layer initialised to zero, so training starts at s = s_G).
///
/// Trained by denoising score matching with the usual noise weighting λ(t) = 1 − k_t²:
/// E‖√(1 − k_t²) s(x_t, t) + ε‖² = E‖√(1 − k_t²) n_θ − (−ε − √(1 − k_t²) s_G(x_t, t))‖², t uniform
/// on [ε, T]. The residual form is our choice beyond the thesis (which learns the whole score): the
/// network only learns how the data differ from their Gaussian fit (nothing, for Gaussian data),
/// and MINDE with the fit as reference integrates (g²/2)|n_θ|² — the network's error is not
/// amplified by 1/(1 − k_t²) at small t, as it is when the noise ε is predicted instead.
///
/// Optional importance sampling of t ([`ScoreNet::with_importance`]): t is drawn through its
/// log-SNR from a [`LambdaDensity`] q_λ and each term is weighted by p(t)/q(t) =
/// σ_t² / ((T − ε) β(t) q_λ(λ(t))) (|dλ/dt| = β(t)/σ_t²), so the expected loss — and its
/// minimiser — is the uniform-t objective above; only the variance of the estimate changes.
#[derive(Clone, Debug)]
pub struct ScoreNet {
    sde: VpSde,
    base: GaussianScore,
    net: Network<f64>,
    embed: SinusoidalEmbedding,
    importance: Option<LambdaDensity>,
    input_scale: f64,
    sigma_power: f64,
}

impl ScoreNet {
    /// Multiply x_t by `scale` where it enters the network (equivalently: initialise the input
    /// layer's x columns `scale` times larger). At data of unit spread (whitened samples) a
    /// scale of 1 leaves the SiLU layers in their near-affine regime, where the residual's
    /// target — orthogonal to every affine function of x_t by Stein's identity — gives no
    /// gradient: training stalls with n_θ ≈ 0. Default 1.
    ///
    /// # Errors
    /// [`DiffusionError::Parameter`] unless `scale` is finite and positive.
    pub fn with_input_scale(mut self, scale: f64) -> Result<Self, DiffusionError> {
        check_readout(scale, self.sigma_power)?;
        self.input_scale = scale;
        Ok(self)
    }

    /// Read the network's output o as n_θ = o/σ_t^α: α = 0 makes o the score residual itself,
    /// α = 1 the residual of the noise prediction (o = σ_t n_θ, O(1) where the score has sharp
    /// features of width σ_t, as at the edge of a bounded support, but with the network's
    /// errors amplified by 1/σ_t² in MINDE's integral). Default 0.
    ///
    /// # Errors
    /// [`DiffusionError::Parameter`] unless 0 ≤ α ≤ 1.
    pub fn with_sigma_power(mut self, alpha: f64) -> Result<Self, DiffusionError> {
        check_readout(self.input_scale, alpha)?;
        self.sigma_power = alpha;
        Ok(self)
    }

    /// A zero-residual network for `samples` with the given hidden widths.
    ///
    /// # Errors
    /// [`DiffusionError::Shape`] for too few samples or a singular sample covariance, or empty
    /// hidden widths.
    pub fn new<R: Rng + ?Sized>(
        sde: VpSde,
        samples: &Samples,
        hidden: &[usize],
        rng: &mut R,
    ) -> Result<Self, DiffusionError> {
        let d = samples.dim();
        let (mean, cov) = samples
            .mean_and_covariance()
            .map_err(|_| DiffusionError::Shape("need more samples than dimensions"))?;
        let base = GaussianScore::new(sde, &mean, &cov)?;
        let embed = SinusoidalEmbedding::new(16, 1.0, 1000.0)
            .map_err(|_| DiffusionError::Parameter("time embedding"))?;
        if hidden.is_empty() || hidden.contains(&0) {
            return Err(DiffusionError::Shape(
                "the score network needs hidden widths ≥ 1",
            ));
        }
        let widths: Vec<usize> = core::iter::once(d + embed.dim())
            .chain(hidden.iter().copied())
            .chain(core::iter::once(d))
            .collect();
        let mut net = Network::mlp(&widths, ActivationKind::Silu, rng)
            .map_err(|_| DiffusionError::Shape("score network widths"))?;
        // The output layer's weights and bias (one (params, grads) pair per dense layer).
        if let Some((p, _)) = net.params_and_grads().last_mut() {
            p.iter_mut().for_each(|v| *v = 0.0);
        }
        Ok(Self {
            sde,
            base,
            net,
            embed,
            importance: None,
            input_scale: 1.0,
            sigma_power: 0.0,
        })
    }

    /// Draw the training times by importance sampling from `density` in log-SNR (see the type's
    /// documentation); `LambdaDensity::Uniform` spreads them evenly in λ.
    ///
    /// # Errors
    /// [`DiffusionError::Parameter`] for a density whose settings are out of range.
    pub fn with_importance(mut self, density: LambdaDensity) -> Result<Self, DiffusionError> {
        self.importance = Some(density.check()?);
        Ok(self)
    }

    /// The importance density of the training times, if any ([`Self::with_importance`]).
    pub fn importance(&self) -> Option<LambdaDensity> {
        self.importance
    }

    /// A training time and the weight p(t)/q(t) of its loss term.
    fn draw_time<R: Rng + ?Sized>(&self, rng: &mut R) -> (f64, f64) {
        match self.importance {
            None => {
                let (eps, t_end) = (self.sde.eps(), self.sde.t_end());
                (eps + (t_end - eps) * uniform_f64(rng), 1.0)
            }
            Some(density) => density.draw_time(&self.sde, rng),
        }
    }

    fn input(&self, x: &[f64], t: &[f64], batch: usize) -> Result<Vec<f64>, DiffusionError> {
        let emb = self.embed.embed(t);
        let scaled: Vec<f64>;
        let x = if self.input_scale == 1.0 {
            x
        } else {
            scaled = x.iter().map(|v| v * self.input_scale).collect();
            &scaled
        };
        concat_rows(x, &emb, batch)
            .map_err(|_| DiffusionError::Shape("rows of x and t do not match the score network"))
    }

    /// Train by denoising score matching; returns the loss of every step. `stop` is asked
    /// before every step (`&|| false` to run to the end). (For checkpoints and resume, drive a
    /// [`super::ScoreTrainer`] instead.)
    ///
    /// # Errors
    /// [`DiffusionError::Parameter`] for zero steps or batch, a bad rate or decay;
    /// [`DiffusionError::Shape`] if the samples' dimension differs from the network's;
    /// [`DiffusionError::NotFinite`] if a loss is NaN/∞; [`DiffusionError::Cancelled`] when
    /// `stop` said so.
    pub fn train<R: Rng + ?Sized>(
        &mut self,
        samples: &Samples,
        params: &ScoreTrainParams,
        rng: &mut R,
        stop: &dyn Fn() -> bool,
    ) -> Result<Vec<f64>, DiffusionError> {
        super::trainer::train_model(self, samples, params, rng, stop)
    }
}

#[cfg(feature = "serde")]
const FORMAT: &str = "entropic-score-net";
#[cfg(feature = "serde")]
const VERSION: u32 = 1;

#[cfg(feature = "serde")]
fn unit_scale() -> f64 {
    1.0
}

#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
struct Saved {
    format: alloc::string::String,
    version: u32,
    sde: VpSde,
    base: GaussianScore,
    embed: SinusoidalEmbedding,
    /// Absent in files written before importance sampling existed: uniform t.
    #[serde(default)]
    importance: Option<LambdaDensity>,
    /// Absent in files written before it existed: 1.
    #[serde(default = "unit_scale")]
    input_scale: f64,
    /// Absent in files written before it existed: 0 (the score residual).
    #[serde(default)]
    sigma_power: f64,
    network: serde_json::Value,
}

#[cfg(feature = "serde")]
impl ScoreNet {
    /// Save as versioned JSON; [`ScoreNet::from_json`] restores it bit for bit.
    ///
    /// # Errors
    /// [`DiffusionError::Malformed`] if the network cannot be serialised (non-finite weights).
    pub fn to_json(&self) -> Result<Vec<u8>, DiffusionError> {
        let network = super::saved_network::to_value(&self.net)?;
        serde_json::to_vec(&Saved {
            format: FORMAT.into(),
            version: VERSION,
            sde: self.sde,
            base: self.base.clone(),
            embed: self.embed,
            importance: self.importance,
            input_scale: self.input_scale,
            sigma_power: self.sigma_power,
            network,
        })
        .map_err(|_| DiffusionError::Malformed("could not serialise"))
    }

    /// Load a model saved by [`ScoreNet::to_json`], checking every shape.
    ///
    /// # Errors
    /// [`DiffusionError::Malformed`] for anything that is not a consistent saved score model.
    pub fn from_json(bytes: &[u8]) -> Result<Self, DiffusionError> {
        let bad = DiffusionError::Malformed;
        let saved: Saved =
            serde_json::from_slice(bytes).map_err(|_| bad("not a readable score model"))?;
        if saved.format != FORMAT || saved.version != VERSION {
            return Err(bad("unknown format or version"));
        }
        let net = super::saved_network::from_value(&saved.network)?;
        let d = saved.base.dim();
        if saved.sde.check().is_err()
            || !saved.base.is_consistent()
            || Some(net.inputs()) != d.checked_add(saved.embed.dim())
            || net.outputs() != d
            || saved.importance.is_some_and(|q| q.check().is_err())
            || check_readout(saved.input_scale, saved.sigma_power).is_err()
        {
            return Err(bad("inconsistent shapes"));
        }
        Ok(Self {
            sde: saved.sde,
            base: saved.base,
            net,
            embed: saved.embed,
            importance: saved.importance,
            input_scale: saved.input_scale,
            sigma_power: saved.sigma_power,
        })
    }
}

/// A drawn batch of [`ScoreNet`] training: network input [x_t, embed(t)], and per row the target
/// and √(1 − k_t²), both times √w for the importance weight w (1 without importance sampling).
#[derive(Debug)]
pub struct ScoreBatch {
    pub(super) input: Vec<f64>,
    pub(super) target: Vec<f64>,
    pub(super) sv: Vec<f64>,
}

impl RowBatch for ScoreBatch {
    fn rows(&self) -> usize {
        self.sv.len()
    }

    fn part(&self, range: core::ops::Range<usize>) -> Self {
        let n = self.sv.len().max(1);
        let (wi, wt) = (self.input.len() / n, self.target.len() / n);
        Self {
            input: self.input[range.start * wi..range.end * wi].to_vec(),
            target: self.target[range.start * wt..range.end * wt].to_vec(),
            sv: self.sv[range].to_vec(),
        }
    }
}

impl Trainable for ScoreNet {
    type Data = Samples;
    type Batch = ScoreBatch;

    fn check_data(&self, samples: &Samples) -> Result<(), DiffusionError> {
        if samples.dim() != self.base.dim() {
            return Err(DiffusionError::Shape(
                "samples and score network differ in dimension",
            ));
        }
        Ok(())
    }

    /// x₀ from the samples, t uniform on [ε, T] (or by importance sampling), x_t and the
    /// denoising target.
    fn draw_batch<R: Rng + ?Sized>(
        &self,
        samples: &Samples,
        batch: usize,
        rng: &mut R,
    ) -> Result<ScoreBatch, DiffusionError> {
        let d = self.base.dim();
        let b = batch;
        let (mut xt, mut t, mut target) = (vec![0.0; b * d], vec![0.0; b], vec![0.0; b * d]);
        let mut sv = vec![0.0; b];
        let mut scratch = ExampleScratch::new(d);
        for i in 0..b {
            let x0 = samples.row(uniform_index(rng, samples.len()));
            let (ti, w) = self.draw_time(rng);
            t[i] = ti;
            sv[i] = denoising_example(
                &self.sde,
                (x0, ti, w),
                self.sigma_power,
                rng,
                &mut xt[i * d..(i + 1) * d],
                &mut target[i * d..(i + 1) * d],
                &mut scratch,
                |x, out| self.base.score_at(x, ti, out),
            );
        }
        Ok(ScoreBatch {
            input: self.input(&xt, &t, b)?,
            target,
            sv,
        })
    }

    /// Denoising score matching on a drawn batch.
    fn loss_and_gradient(&mut self, batch: &ScoreBatch) -> Result<f64, DiffusionError> {
        denoising_loss(&mut self.net, batch, self.base.dim())
    }

    fn params_and_grads(&mut self) -> Vec<(&mut [f64], &mut [f64])> {
        self.net.params_and_grads()
    }
}

#[cfg(feature = "serde")]
impl SavedModel for ScoreNet {
    fn to_json(&self) -> Result<Vec<u8>, DiffusionError> {
        ScoreNet::to_json(self)
    }

    fn from_json(bytes: &[u8]) -> Result<Self, DiffusionError> {
        ScoreNet::from_json(bytes)
    }
}

/// The range of a score network's input scale (finite, > 0; [`ScoreNet::with_input_scale`]) and
/// σ power α (0 ≤ α ≤ 1; [`ScoreNet::with_sigma_power`]).
///
/// # Errors
/// [`DiffusionError::Parameter`] naming the setting out of range.
pub(super) fn check_readout(input_scale: f64, sigma_power: f64) -> Result<(), DiffusionError> {
    if !(input_scale.is_finite() && input_scale > 0.0) {
        return Err(DiffusionError::Parameter(
            "the input scale must be finite and positive",
        ));
    }
    if !(0.0..=1.0).contains(&sigma_power) {
        return Err(DiffusionError::Parameter("the σ power must be in [0, 1]"));
    }
    Ok(())
}

/// Scratch of [`denoising_example`]: the noise drawn and the base score, one row each.
pub(super) struct ExampleScratch {
    noise: Vec<f64>,
    base: Vec<f64>,
}

impl ExampleScratch {
    pub(super) fn new(d: usize) -> Self {
        Self {
            noise: vec![0.0; d],
            base: vec![0.0; d],
        }
    }
}

/// One denoising example: x_t = k_t x₀ + σ_t n written to `xt`, and the target of the residual
/// network, √w (−n − σ_t s_base(x_t)), written to `target`, with `base_score(x_t, out)` the
/// closed-form part of the score at t; returns the example's output scale √w σ_t^(1−α) (the
/// network's output o is read as n_θ = o/σ_t^α, weighted by the importance weight w).
#[allow(clippy::too_many_arguments)]
pub(super) fn denoising_example<R: Rng + ?Sized>(
    sde: &VpSde,
    (x0, t, w): (&[f64], f64, f64),
    sigma_power: f64,
    rng: &mut R,
    xt: &mut [f64],
    target: &mut [f64],
    scratch: &mut ExampleScratch,
    base_score: impl FnOnce(&[f64], &mut [f64]),
) -> f64 {
    sde.perturb(x0, t, rng, xt, &mut scratch.noise);
    base_score(xt, &mut scratch.base);
    let (sd, root_w) = (libm::sqrt(sde.variance(t)), libm::sqrt(w));
    for ((tg, &n), &s) in target.iter_mut().zip(&scratch.noise).zip(&scratch.base) {
        *tg = root_w * (-n - sd * s);
    }
    root_w * libm::pow(sd, 1.0 - sigma_power)
}

/// The denoising loss of `batch` for a network whose output rows (width `d`) are read as
/// σ_t^α n_θ: the mean squared error of √(1 − k_t²)·n_θ against the batch's targets, with its
/// gradient accumulated in `net`.
pub(super) fn denoising_loss(
    net: &mut Network<f64>,
    batch: &ScoreBatch,
    d: usize,
) -> Result<f64, DiffusionError> {
    let ScoreBatch { input, target, sv } = batch;
    let mut grad = Vec::new();
    net.zero_grad();
    let out = net
        .forward(input, sv.len())
        .map_err(|_| DiffusionError::Shape("forward"))?;
    // Prediction √(1 − k_t²)·n_θ of the target; chain rule back to n_θ.
    let pred: Vec<f64> = out
        .chunks(d)
        .zip(sv)
        .flat_map(|(row, &s)| row.iter().map(move |&o| s * o))
        .collect();
    let loss = mse(&pred, target, &mut grad).map_err(|_| DiffusionError::Shape("loss"))?;
    for (g, &s) in grad.chunks_mut(d).zip(sv) {
        g.iter_mut().for_each(|g| *g *= s);
    }
    net.backward(&grad)
        .map_err(|_| DiffusionError::Shape("backward"))?;
    Ok(loss)
}

impl Score for ScoreNet {
    fn dim(&self) -> usize {
        self.base.dim()
    }

    fn score_batch(&mut self, x: &[f64], t: &[f64], out: &mut [f64]) -> Result<(), DiffusionError> {
        self.base.score_batch(x, t, out)?;
        let input = self.input(x, t, t.len())?;
        let r = self
            .net
            .forward(&input, t.len())
            .map_err(|_| DiffusionError::Shape("the score network's input"))?;
        let d = self.base.dim();
        for (i, (o, &r)) in out.iter_mut().zip(r).enumerate() {
            *o += r / libm::pow(self.sde.variance(t[i / d]), 0.5 * self.sigma_power);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(feature = "serde")]
    use crate::diffusion::ScoreTrainer;
    use crate::entropy::{EntropyEstimator, GaussianFit, Minde, Reference};
    use crate::rng::{from_seed, normal_pair, uniform_f64};
    use crate::test_util::{check_data_parallel, check_trainable_gradient};

    /// Entropy of the 1D mixture ½N(−a, s²) + ½N(a, s²) by the trapezoid rule.
    fn mixture_entropy(a: f64, s: f64) -> f64 {
        let pdf = |x: f64| {
            let g = |m: f64| {
                libm::exp(-0.5 * (x - m) * (x - m) / (s * s))
                    / (s * libm::sqrt(2.0 * core::f64::consts::PI))
            };
            0.5 * (g(-a) + g(a))
        };
        let (lo, hi, n) = (-a - 12.0 * s, a + 12.0 * s, 200_000);
        let h = (hi - lo) / n as f64;
        (0..=n)
            .map(|i| {
                let p = pdf(lo + i as f64 * h);
                let w = if i == 0 || i == n { 0.5 } else { 1.0 };
                if p > 0.0 {
                    -w * p * libm::log(p) * h
                } else {
                    0.0
                }
            })
            .sum()
    }

    /// Importance-sampled losses estimate the uniform-t objective: on bimodal 1D data, with the
    /// Gaussian-fit base (a loss far from its minimum), the mean loss over 30 batches of 4000
    /// agrees with uniform t within the batches' standard errors, for densities uniform and
    /// focused in λ.
    #[test]
    fn importance_sampled_loss_estimates_the_uniform_objective() {
        let mut rng = from_seed(12);
        let x: Vec<f64> = (0..2000)
            .map(|i| if i % 2 == 0 { 2.0 } else { -2.0 } + 0.5 * normal_pair(&mut rng).0)
            .collect();
        let samples = Samples::new(x, 1).unwrap();
        let net = ScoreNet::new(VpSde::default(), &samples, &[8], &mut rng).unwrap();
        let focused = LambdaDensity::Focused {
            centre: -1.5,
            scale: 1.5,
            share: 0.7,
        };
        let mut estimate = |importance: Option<LambdaDensity>| {
            let mut net = match importance {
                Some(q) => net.clone().with_importance(q).unwrap(),
                None => net.clone(),
            };
            let losses: Vec<f64> = (0..30)
                .map(|_| {
                    let batch = net.draw_batch(&samples, 4000, &mut rng).unwrap();
                    net.loss_and_gradient(&batch).unwrap()
                })
                .collect();
            let (m, sd) = crate::stats::mean_and_sd(&losses);
            (m, sd / libm::sqrt(losses.len() as f64))
        };
        let (uniform, se) = estimate(None);
        for q in [LambdaDensity::Uniform, focused] {
            let (m, se_q) = estimate(Some(q));
            assert!(
                (m - uniform).abs() < 4.0 * se.hypot(se_q),
                "{q:?}: {m} ± {se_q} vs {uniform} ± {se}"
            );
        }
        assert!(
            net.clone()
                .with_importance(LambdaDensity::Focused {
                    centre: 0.0,
                    scale: -1.0,
                    share: 0.5,
                })
                .is_err()
        );
    }

    /// A batch cut into parts gives the loss and gradient of the whole batch, with the same bits
    /// on threads as in turn.
    #[test]
    fn data_parallel_parts_sum_to_the_batch_gradient() {
        let mut rng = from_seed(22);
        let x: Vec<f64> = (0..300).map(|_| normal_pair(&mut rng).0).collect();
        let samples = Samples::new(x, 3).unwrap();
        let net = ScoreNet::new(VpSde::default(), &samples, &[8], &mut rng).unwrap();
        let batch = net.draw_batch(&samples, 11, &mut rng).unwrap();
        for parts in [2, 3, 11] {
            check_data_parallel(&net, &batch, parts);
        }
        let bad = ScoreTrainParams {
            batch: 4,
            parts: 5,
            ..ScoreTrainParams::default()
        };
        assert!(bad.check().is_err());
    }

    /// The training gradient is the derivative of the loss (central differences, every
    /// parameter tensor), and the score adds the output divided by σ_t^α to the Gaussian base,
    /// for the score (α = 0), noise (α = 1) and in-between read-outs with a scaled input.
    #[test]
    fn loss_gradient_and_read_out_match_for_every_sigma_power() {
        let mut rng = from_seed(21);
        let x: Vec<f64> = (0..300).map(|_| normal_pair(&mut rng).0.abs()).collect();
        let samples = Samples::new(x, 3).unwrap();
        for alpha in [0.0, 0.5, 1.0] {
            let mut net = ScoreNet::new(VpSde::default(), &samples, &[6, 5], &mut rng)
                .unwrap()
                .with_input_scale(8.0)
                .unwrap()
                .with_sigma_power(alpha)
                .unwrap()
                .with_importance(LambdaDensity::Uniform)
                .unwrap();
            // A non-zero output layer, so every tensor has a gradient.
            for (p, _) in net.params_and_grads() {
                p.iter_mut()
                    .for_each(|v| *v += 0.3 * (uniform_f64(&mut rng) - 0.5));
            }
            let batch = net.draw_batch(&samples, 7, &mut rng).unwrap();
            check_trainable_gradient(&mut net, 2, 1e-7, |m| m.loss_and_gradient(&batch).unwrap());
            let (xs, ts) = ([0.3, -1.2, 0.7, 1.0, 0.0, -0.5], [0.01, 0.6]);
            let (mut s, mut base) = ([0.0; 6], [0.0; 6]);
            net.score_batch(&xs, &ts, &mut s).unwrap();
            net.base.score_batch(&xs, &ts, &mut base).unwrap();
            let scaled: Vec<f64> = xs.iter().map(|v| 8.0 * v).collect();
            let input = concat_rows(&scaled, &net.embed.embed(&ts), 2).unwrap();
            let out = net.net.forward(&input, 2).unwrap();
            for i in 0..6 {
                let sigma = libm::sqrt(net.sde.variance(ts[i / 3]));
                let expected = base[i] + out[i] / libm::pow(sigma, alpha);
                assert!(
                    (s[i] - expected).abs() < 1e-12,
                    "α = {alpha}: {} vs {expected}",
                    s[i]
                );
            }
        }
        let net = ScoreNet::new(VpSde::default(), &samples, &[4], &mut rng).unwrap();
        assert!(net.clone().with_sigma_power(1.5).is_err());
        assert!(net.clone().with_input_scale(0.0).is_err());
        assert!(net.with_input_scale(f64::NAN).is_err());
    }

    #[cfg(feature = "serde")]
    #[test]
    fn saved_models_reload_bit_identically() {
        let mut rng = from_seed(9);
        let x: Vec<f64> = (0..600).map(|_| normal_pair(&mut rng).0).collect();
        let samples = Samples::new(x, 3).unwrap();
        let mut net = ScoreNet::new(VpSde::default(), &samples, &[16], &mut rng).unwrap();
        let params = ScoreTrainParams {
            steps: 50,
            batch: 32,
            ..ScoreTrainParams::default()
        };
        net.train(&samples, &params, &mut rng, &|| false).unwrap();
        let bytes = net.to_json().unwrap();
        let mut back = ScoreNet::from_json(&bytes).unwrap();
        assert_eq!(back.to_json().unwrap(), bytes);
        let (xs, ts) = ([0.3, -1.2, 0.7, 1.0, 0.0, -0.5], [0.01, 0.6]);
        let (mut a, mut b) = ([0.0; 6], [0.0; 6]);
        net.score_batch(&xs, &ts, &mut a).unwrap();
        back.score_batch(&xs, &ts, &mut b).unwrap();
        assert_eq!(a.map(f64::to_bits), b.map(f64::to_bits));
        assert!(ScoreNet::from_json(&bytes[..bytes.len() / 2]).is_err());
        assert!(ScoreNet::from_json(b"{}").is_err());
        // The importance density is saved; files from before it train with uniform t.
        let text = alloc::string::String::from_utf8(bytes.clone()).unwrap();
        assert!(text.contains("\"importance\":null,"));
        let old = text.replace("\"importance\":null,", "");
        assert_eq!(
            ScoreNet::from_json(old.as_bytes()).unwrap().importance(),
            None
        );
        // Files from before the read-out settings existed read the score residual itself.
        let old = text.replace("\"input_scale\":1.0,\"sigma_power\":0.0,", "");
        assert_ne!(old, text);
        assert_eq!(
            ScoreNet::from_json(old.as_bytes())
                .unwrap()
                .to_json()
                .unwrap(),
            bytes
        );
        let sampled = net
            .with_importance(LambdaDensity::Uniform)
            .unwrap()
            .with_input_scale(8.0)
            .unwrap()
            .with_sigma_power(0.5)
            .unwrap();
        let saved = sampled.to_json().unwrap();
        let back = ScoreNet::from_json(&saved).unwrap();
        assert_eq!(back.importance(), Some(LambdaDensity::Uniform));
        assert_eq!(back.to_json().unwrap(), saved);
        let text = alloc::string::String::from_utf8(saved).unwrap();
        let bad = text.replace("\"sigma_power\":0.5", "\"sigma_power\":2.0");
        assert!(ScoreNet::from_json(bad.as_bytes()).is_err());
        // The time embedding is checked on load too (found by fuzzing: a width of 2⁶⁴ − 1
        // overflowed the input-width sum; a scale of 0 or −1e308 gave meaningless scores).
        for (from, to) in [
            ("\"dim\":16", "\"dim\":18446744073709551615"),
            ("\"scale\":1.0", "\"scale\":0.0"),
            ("\"scale\":1.0", "\"scale\":-1e308"),
        ] {
            let bad = text.replacen(from, to, 1);
            assert_ne!(bad, text, "{from}");
            assert!(ScoreNet::from_json(bad.as_bytes()).is_err(), "{to}");
        }
    }

    #[cfg(feature = "serde")]
    #[test]
    fn training_resumes_bit_identically_from_a_checkpoint() {
        let mut rng = from_seed(10);
        let x: Vec<f64> = (0..600).map(|_| normal_pair(&mut rng).0).collect();
        let samples = Samples::new(x, 3).unwrap();
        let net = ScoreNet::new(VpSde::default(), &samples, &[16], &mut rng).unwrap();
        let params = ScoreTrainParams {
            steps: 40,
            batch: 16,
            ..ScoreTrainParams::default()
        };
        let mut straight = ScoreTrainer::new(net.clone(), &samples, params, 3).unwrap();
        let all = straight.run(&samples, 100).unwrap();
        assert_eq!((all.len(), straight.is_done()), (40, true));
        let mut first = ScoreTrainer::new(net, &samples, params, 3).unwrap();
        let head = first.run(&samples, 17).unwrap();
        let bytes = first.to_json().unwrap();
        let mut resumed = ScoreTrainer::from_json(&bytes).unwrap();
        assert_eq!(resumed.step(), 17);
        let tail = resumed.run(&samples, 100).unwrap();
        let joined: Vec<u64> = head.iter().chain(&tail).map(|l| l.to_bits()).collect();
        assert_eq!(joined, all.iter().map(|l| l.to_bits()).collect::<Vec<_>>());
        assert_eq!(resumed.to_json().unwrap(), straight.to_json().unwrap());
        let (a, b) = (straight.finish(), resumed.finish());
        assert_eq!(a.to_json().unwrap(), b.to_json().unwrap());
        // Corrupt or inconsistent runs are refused.
        let text = alloc::string::String::from_utf8(bytes).unwrap();
        assert!(ScoreTrainer::from_json(&text.as_bytes()[..text.len() / 2]).is_err());
        assert!(
            ScoreTrainer::from_json(text.replace("\"step\":17", "\"step\":99").as_bytes()).is_err()
        );
        assert!(
            ScoreTrainer::from_json(text.replace("\"batch\":16", "\"batch\":0").as_bytes())
                .is_err()
        );
        // An Adam moment one element short would be reset silently by the optimiser.
        let short = crate::test_util::shorten_optimiser_state(text.as_bytes(), "m");
        assert!(matches!(
            ScoreTrainer::from_json(&short),
            Err(DiffusionError::Malformed(_))
        ));
        let other = Samples::new(alloc::vec![0.0, 1.0, 2.0, 3.0], 2).unwrap();
        let mut wrong = ScoreTrainer::from_json(text.as_bytes()).unwrap();
        assert!(wrong.run(&other, 1).is_err());
    }

    #[test]
    fn learned_residual_score_recovers_a_non_gaussian_entropy() {
        // x = (bimodal mixture, independent standard normal): the Gaussian fit is biased high by
        // KL(mixture ‖ its Gaussian fit); the learned score must remove most of that.
        let (a, s) = (1.5, 0.5);
        let exact = mixture_entropy(a, s)
            + 0.5 * libm::log(2.0 * core::f64::consts::PI * core::f64::consts::E);
        let mut rng = from_seed(7);
        let n = 4000;
        let x: Vec<f64> = (0..n)
            .flat_map(|i| {
                let sign = if i % 2 == 0 { -1.0 } else { 1.0 };
                let (z1, z2) = normal_pair(&mut rng);
                [sign * a + s * z1, z2]
            })
            .collect();
        let samples = Samples::new(x, 2).unwrap();
        let fit = GaussianFit.estimate(&samples).unwrap();
        let sde = VpSde::default();
        let mut net = ScoreNet::new(sde, &samples, &[64, 64], &mut rng).unwrap();
        let params = ScoreTrainParams {
            steps: 6000,
            batch: 128,
            ..ScoreTrainParams::default()
        };
        let losses = net.train(&samples, &params, &mut rng, &|| false).unwrap();
        let minde = Minde::new(sde, net, Reference::GaussianFit, 20_000, 8)
            .unwrap()
            .estimate(&samples)
            .unwrap();
        let early: f64 = losses[..100].iter().sum::<f64>() / 100.0;
        let late: f64 = losses[losses.len() - 100..].iter().sum::<f64>() / 100.0;
        std::println!(
            "exact {exact:.4}; Gaussian fit {:.4} ± {:.4}; learned MINDE {:.4} ± {:.4}; DSM loss {early:.4} → {late:.4}",
            fit.value,
            fit.std_error,
            minde.value,
            minde.std_error
        );
        assert!(late < early);
        assert!(
            fit.value - exact > 0.2,
            "the fit must be visibly biased for this test to mean anything"
        );
        assert!(
            (minde.value - exact).abs() < 0.25 * (fit.value - exact),
            "{minde:?} vs {exact}"
        );
    }
}
