use super::score_net::{
    ExampleScratch, ScoreBatch, check_readout, denoising_example, denoising_loss,
};
use super::trainer::{ScoreTrainParams, Trainable};
use super::{DiffusionError, GaussianScore, VpSde};
#[cfg(feature = "serde")]
use crate::diffusion::SavedModel;
use crate::nn::embed::{SinusoidalEmbedding, concat_rows};
use crate::nn::{ActivationKind, Network};
use crate::rng::{uniform_f64, uniform_index};
use crate::samples::Samples;
use alloc::vec;
use alloc::vec::Vec;
use nalgebra::DMatrix;
use rand_core::Rng;

/// Settings of a [`ConditionalScoreNet`].
#[derive(Clone, Debug, PartialEq)]
pub struct ConditionalScoreConfig {
    /// Hidden widths of the residual MLP (SiLU). Default [128, 128].
    pub hidden: Vec<usize>,
    /// Factor on x_t and y where they enter the network (as [`super::ScoreNet::with_input_scale`]:
    /// at unit-spread data a factor of 1 leaves the residual untrained). Default 8.
    pub input_scale: f64,
    /// The network's output o is read as n_θ = o/σ_t^α (as [`super::ScoreNet::with_sigma_power`];
    /// 0 ≤ α ≤ 1). Default 0.5.
    pub sigma_power: f64,
}

impl Default for ConditionalScoreConfig {
    fn default() -> Self {
        Self {
            hidden: vec![128, 128],
            input_scale: 8.0,
            sigma_power: 0.5,
        }
    }
}

impl ConditionalScoreConfig {
    /// # Errors
    /// [`DiffusionError::Parameter`] for empty or zero widths, a scale that is not finite and
    /// positive, or α outside [0, 1].
    pub fn check(&self) -> Result<(), DiffusionError> {
        if self.hidden.is_empty() || self.hidden.contains(&0) {
            return Err(DiffusionError::Parameter(
                "the score network needs hidden widths ≥ 1",
            ));
        }
        check_readout(self.input_scale, self.sigma_power)
    }
}

/// The score of X diffused by a [`VpSde`], conditioned on Y or not, from one network:
///
/// s(x_t | y) = s_G(x_t | y) + n_θ(x_t, y, 1, t),   s(x_t) = s_G(x_t) + n_θ(x_t, 0, 0, t),
///
/// with s_G the exact diffused scores of the Gaussian fit of the pairs (X, Y): X | Y = y ~
/// N(m_x + B(y − m_y), Σ_x|y), B = Σ_xy Σ_yy⁻¹, Σ_x|y = Σ_xx − B Σ_yx, and X ~ N(m_x, Σ_xx). The
/// MLP's input is [a·x_t, a·c·y, c, embed(t)] with c = 1 for the conditional score and 0 for the
/// marginal (classifier-free masking), a the input scale; its output layer starts at zero, so an
/// untrained network is the Gaussian fit. Training is denoising score matching (as
/// [`super::ScoreNet`]) with c drawn 0 or 1 with probability ½ per row; the target of a row is
/// the residual against the base of its c.
///
/// This is the score model of MINDE's conditional mutual-information estimator
/// ([`crate::entropy::MindeMutualInformation`]).
#[derive(Clone, Debug)]
pub struct ConditionalScoreNet {
    sde: VpSde,
    marginal: GaussianScore,
    /// N(0, Σ_x|y): the conditional base is its score at x_t − k_t(m_x + B(y − m_y)).
    conditional: GaussianScore,
    mean_x: Vec<f64>,
    mean_y: Vec<f64>,
    /// B = Σ_xy Σ_yy⁻¹, row-major d_x × d_y.
    regression: Vec<f64>,
    net: Network<f64>,
    embed: SinusoidalEmbedding,
    input_scale: f64,
    sigma_power: f64,
}

impl ConditionalScoreNet {
    /// A zero-residual network for the pairs (row i of `x`, row i of `y`).
    ///
    /// # Errors
    /// [`DiffusionError::Shape`] for unpaired rows, too few samples or a singular joint
    /// covariance; [`DiffusionError::Parameter`] for bad settings.
    pub fn new<R: Rng + ?Sized>(
        sde: VpSde,
        x: &Samples,
        y: &Samples,
        config: &ConditionalScoreConfig,
        rng: &mut R,
    ) -> Result<Self, DiffusionError> {
        config.check()?;
        let (dx, dy) = (x.dim(), y.dim());
        let singular = DiffusionError::Shape("the joint sample covariance is singular");
        if x.len() != y.len() {
            return Err(DiffusionError::Shape("x and y have different row counts"));
        }
        let (mean_x, cxx) = x
            .mean_and_covariance()
            .map_err(|_| DiffusionError::Shape("need more samples than dimensions"))?;
        let (mean_y, cyy) = y
            .mean_and_covariance()
            .map_err(|_| DiffusionError::Shape("need more samples than dimensions"))?;
        let n = x.len();
        let cxy = DMatrix::from_fn(dx, dy, |i, j| {
            (0..n)
                .map(|r| (x.row(r)[i] - mean_x[i]) * (y.row(r)[j] - mean_y[j]))
                .sum::<f64>()
                / (n - 1) as f64
        });
        let syy = DMatrix::from_row_slice(dy, dy, &cyy);
        let syy_inv = syy.cholesky().ok_or(singular.clone())?.inverse();
        let b = &cxy * syy_inv;
        let conditional_cov = DMatrix::from_row_slice(dx, dx, &cxx) - &b * cxy.transpose();
        let conditional_cov = (&conditional_cov + conditional_cov.transpose()) * 0.5;
        let conditional_cov: Vec<f64> = conditional_cov.transpose().iter().copied().collect();
        let marginal = GaussianScore::new(sde, &mean_x, &cxx)?;
        let conditional =
            GaussianScore::new(sde, &vec![0.0; dx], &conditional_cov).map_err(|_| singular)?;
        let embed = SinusoidalEmbedding::new(16, 1.0, 1000.0)
            .map_err(|_| DiffusionError::Parameter("time embedding"))?;
        let widths: Vec<usize> = core::iter::once(dx + dy + 1 + embed.dim())
            .chain(config.hidden.iter().copied())
            .chain(core::iter::once(dx))
            .collect();
        let mut net = Network::mlp(&widths, ActivationKind::Silu, rng)
            .map_err(|_| DiffusionError::Shape("score network widths"))?;
        if let Some((p, _)) = net.params_and_grads().last_mut() {
            p.iter_mut().for_each(|v| *v = 0.0);
        }
        Ok(Self {
            sde,
            marginal,
            conditional,
            mean_x,
            mean_y,
            regression: b.transpose().iter().copied().collect(),
            net,
            embed,
            input_scale: config.input_scale,
            sigma_power: config.sigma_power,
        })
    }

    /// Dimensions (d_x, d_y).
    pub fn dims(&self) -> (usize, usize) {
        (self.mean_x.len(), self.mean_y.len())
    }

    /// The diffusion the scores are of.
    pub fn sde(&self) -> VpSde {
        self.sde
    }

    /// Train by denoising score matching on the pairs (row i of `x`, row i of `y`); returns the
    /// loss of every step. `stop` is asked before every step.
    ///
    /// # Errors
    /// As [`super::ScoreNet::train`], and [`DiffusionError::Shape`] for unpaired rows.
    pub fn train<R: Rng + ?Sized>(
        &mut self,
        x: &Samples,
        y: &Samples,
        params: &ScoreTrainParams,
        rng: &mut R,
        stop: &dyn Fn() -> bool,
    ) -> Result<Vec<f64>, DiffusionError> {
        let pairs = (x.clone(), y.clone());
        super::trainer::train_model(self, &pairs, params, rng, stop)
    }

    /// The Gaussian base score of one row x_t at time t: conditional on `y` if given, else
    /// marginal.
    pub fn base_score(&self, x: &[f64], y: Option<&[f64]>, t: f64, out: &mut [f64]) {
        let Some(y) = y else {
            self.marginal.score_at(x, t, out);
            return;
        };
        let k = self.sde.mean_coefficient(t);
        let dy = self.mean_y.len();
        let shifted: Vec<f64> = x
            .iter()
            .enumerate()
            .map(|(i, &xi)| {
                let b = &self.regression[i * dy..(i + 1) * dy];
                let m = self.mean_x[i]
                    + b.iter()
                        .zip(y.iter().zip(&self.mean_y))
                        .map(|(b, (y, my))| b * (y - my))
                        .sum::<f64>();
                xi - k * m
            })
            .collect();
        self.conditional.score_at(&shifted, t, out);
    }

    /// The residuals n_θ of rows `x` (d_x each) at times `t`, conditioned on the rows of `y`
    /// (d_y each) if given, else marginal.
    ///
    /// # Errors
    /// [`DiffusionError::Shape`] if the lengths do not fit the dimensions and `t`.
    pub fn residuals(
        &mut self,
        x: &[f64],
        y: Option<&[f64]>,
        t: &[f64],
    ) -> Result<Vec<f64>, DiffusionError> {
        let (dx, dy) = self.dims();
        let b = t.len();
        if x.len() != b * dx || y.is_some_and(|y| y.len() != b * dy) {
            return Err(DiffusionError::Shape(
                "rows of x, y and t do not match the network",
            ));
        }
        let mask = if y.is_some() { 1.0 } else { 0.0 };
        let input = self.input(x, y, &vec![mask; b], t)?;
        let out = self
            .net
            .forward(&input, b)
            .map_err(|_| DiffusionError::Shape("forward"))?;
        Ok(out
            .chunks(dx)
            .zip(t)
            .flat_map(|(row, &ti)| {
                let scale = libm::pow(self.sde.variance(ti), -0.5 * self.sigma_power);
                row.iter().map(move |o| o * scale)
            })
            .collect())
    }

    /// Network input [a·x_t, a·c·y, c, embed(t)] for rows with masks `c` (y absent: zeros).
    fn input(
        &self,
        x: &[f64],
        y: Option<&[f64]>,
        c: &[f64],
        t: &[f64],
    ) -> Result<Vec<f64>, DiffusionError> {
        let (dx, dy) = self.dims();
        let a = self.input_scale;
        let rows: Vec<f64> = (0..t.len())
            .flat_map(|i| {
                let xs = x[i * dx..(i + 1) * dx].iter().map(move |v| a * v);
                let ys = (0..dy).map(move |j| y.map_or(0.0, |y| a * c[i] * y[i * dy + j]));
                xs.chain(ys).chain(core::iter::once(c[i]))
            })
            .collect();
        concat_rows(&rows, &self.embed.embed(t), t.len())
            .map_err(|_| DiffusionError::Shape("rows of x, y and t do not match"))
    }
}

impl Trainable for ConditionalScoreNet {
    type Data = (Samples, Samples);
    type Batch = ScoreBatch;

    fn check_data(&self, (x, y): &(Samples, Samples)) -> Result<(), DiffusionError> {
        if (x.dim(), y.dim()) != self.dims() || x.len() != y.len() || x.is_empty() {
            return Err(DiffusionError::Shape(
                "the pairs do not fit the score network (dimensions or row counts)",
            ));
        }
        Ok(())
    }

    /// A pair (x₀, y), t uniform on [ε, T], the mask c ∈ {0, 1} with probability ½, x_t and the
    /// denoising target against the base of c.
    fn draw_batch<R: Rng + ?Sized>(
        &self,
        (x, y): &(Samples, Samples),
        batch: usize,
        rng: &mut R,
    ) -> Result<ScoreBatch, DiffusionError> {
        let (dx, dy) = self.dims();
        let (eps, t_end) = (self.sde.eps(), self.sde.t_end());
        let (mut xt, mut ys) = (vec![0.0; batch * dx], vec![0.0; batch * dy]);
        let (mut t, mut c) = (vec![0.0; batch], vec![0.0; batch]);
        let (mut target, mut sv) = (vec![0.0; batch * dx], vec![0.0; batch]);
        let mut scratch = ExampleScratch::new(dx);
        for i in 0..batch {
            let r = uniform_index(rng, x.len());
            let ti = eps + (t_end - eps) * uniform_f64(rng);
            let conditioned = uniform_f64(rng) < 0.5;
            t[i] = ti;
            c[i] = if conditioned { 1.0 } else { 0.0 };
            ys[i * dy..(i + 1) * dy].copy_from_slice(y.row(r));
            // Uniform times: weight 1 (√1 = 1 exactly, so the targets are −n − σ_t s).
            sv[i] = denoising_example(
                &self.sde,
                (x.row(r), ti, 1.0),
                self.sigma_power,
                rng,
                &mut xt[i * dx..(i + 1) * dx],
                &mut target[i * dx..(i + 1) * dx],
                &mut scratch,
                |row, out| self.base_score(row, conditioned.then(|| y.row(r)), ti, out),
            );
        }
        Ok(ScoreBatch {
            input: self.input(&xt, Some(&ys), &c, &t)?,
            target,
            sv,
        })
    }

    fn loss_and_gradient(&mut self, batch: &ScoreBatch) -> Result<f64, DiffusionError> {
        denoising_loss(&mut self.net, batch, self.mean_x.len())
    }

    fn params_and_grads(&mut self) -> Vec<(&mut [f64], &mut [f64])> {
        self.net.params_and_grads()
    }
}

#[cfg(feature = "serde")]
impl SavedModel for ConditionalScoreNet {
    fn to_json(&self) -> Result<Vec<u8>, DiffusionError> {
        self.to_json()
    }

    fn from_json(bytes: &[u8]) -> Result<Self, DiffusionError> {
        Self::from_json(bytes)
    }
}

#[cfg(feature = "serde")]
const FORMAT: &str = "entropic-conditional-score-net";
#[cfg(feature = "serde")]
const VERSION: u32 = 1;

#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
struct Saved {
    format: alloc::string::String,
    version: u32,
    sde: VpSde,
    marginal: GaussianScore,
    conditional: GaussianScore,
    mean_x: Vec<f64>,
    mean_y: Vec<f64>,
    regression: Vec<f64>,
    embed: SinusoidalEmbedding,
    input_scale: f64,
    sigma_power: f64,
    network: serde_json::Value,
}

#[cfg(feature = "serde")]
impl ConditionalScoreNet {
    /// Save as versioned JSON; [`ConditionalScoreNet::from_json`] restores it bit for bit.
    ///
    /// # Errors
    /// [`DiffusionError::Malformed`] if the network cannot be serialised (non-finite weights).
    pub fn to_json(&self) -> Result<Vec<u8>, DiffusionError> {
        serde_json::to_vec(&Saved {
            format: FORMAT.into(),
            version: VERSION,
            sde: self.sde,
            marginal: self.marginal.clone(),
            conditional: self.conditional.clone(),
            mean_x: self.mean_x.clone(),
            mean_y: self.mean_y.clone(),
            regression: self.regression.clone(),
            embed: self.embed,
            input_scale: self.input_scale,
            sigma_power: self.sigma_power,
            network: super::saved_network::to_value(&self.net)?,
        })
        .map_err(|_| DiffusionError::Malformed("could not serialise"))
    }

    /// Load a model saved by [`ConditionalScoreNet::to_json`], checking every shape.
    ///
    /// # Errors
    /// [`DiffusionError::Malformed`] for anything that is not a consistent saved model.
    pub fn from_json(bytes: &[u8]) -> Result<Self, DiffusionError> {
        let bad = DiffusionError::Malformed;
        let s: Saved = serde_json::from_slice(bytes)
            .map_err(|_| bad("not a readable conditional score model"))?;
        if s.format != FORMAT || s.version != VERSION {
            return Err(bad("unknown format or version"));
        }
        let net = super::saved_network::from_value(&s.network)?;
        let (dx, dy) = (s.mean_x.len(), s.mean_y.len());
        if s.sde.check().is_err()
            || check_readout(s.input_scale, s.sigma_power).is_err()
            || !s.marginal.is_consistent()
            || !s.conditional.is_consistent()
            || s.marginal.dim() != dx
            || s.conditional.dim() != dx
            || dy == 0
            || Some(s.regression.len()) != dx.checked_mul(dy)
            || s.mean_x
                .iter()
                .chain(&s.mean_y)
                .chain(&s.regression)
                .any(|v| !v.is_finite())
            || Some(net.inputs())
                != [dy, 1, s.embed.dim()]
                    .iter()
                    .try_fold(dx, |a, &b| a.checked_add(b))
            || net.outputs() != dx
        {
            return Err(bad("inconsistent shapes"));
        }
        Ok(Self {
            sde: s.sde,
            marginal: s.marginal,
            conditional: s.conditional,
            mean_x: s.mean_x,
            mean_y: s.mean_y,
            regression: s.regression,
            net,
            embed: s.embed,
            input_scale: s.input_scale,
            sigma_power: s.sigma_power,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{from_seed, normal_pair};
    use crate::test_util::{check_data_parallel, check_trainable_gradient};

    /// Correlated 2 + 1-dimensional pairs and a network whose output layer is not zero.
    fn pairs_and_net(alpha: f64) -> ((Samples, Samples), ConditionalScoreNet) {
        let mut rng = from_seed(3);
        let (mut x, mut y) = (Vec::new(), Vec::new());
        for _ in 0..300 {
            let (a, b) = normal_pair(&mut rng);
            let (c, _) = normal_pair(&mut rng);
            x.extend([a, 0.5 * a + b]);
            y.push(a - 0.3 * b + 0.2 * c * c);
        }
        let pairs = (Samples::new(x, 2).unwrap(), Samples::new(y, 1).unwrap());
        let config = ConditionalScoreConfig {
            hidden: vec![6, 5],
            input_scale: 2.0,
            sigma_power: alpha,
        };
        let mut net =
            ConditionalScoreNet::new(VpSde::default(), &pairs.0, &pairs.1, &config, &mut rng)
                .unwrap();
        for (p, _) in net.params_and_grads() {
            for v in p.iter_mut() {
                *v += 0.3 * normal_pair(&mut rng).0;
            }
        }
        (pairs, net)
    }

    /// The training gradient is the derivative of the loss (central differences, every tensor)
    /// for the score and noise read-outs; data-parallel parts give the same bits on threads as in
    /// turn.
    #[test]
    fn training_gradient_matches_finite_differences() {
        for alpha in [0.0, 0.5, 1.0] {
            let (pairs, mut net) = pairs_and_net(alpha);
            let mut rng = from_seed(4);
            let batch = net.draw_batch(&pairs, 9, &mut rng).unwrap();
            check_trainable_gradient(&mut net, 2, 1e-7, |m| m.loss_and_gradient(&batch).unwrap());
            check_data_parallel(&net, &batch, 3);
        }
    }

    /// The residual is the network's output over σ_t^α with y masked for the marginal: a
    /// marginal residual does not depend on y, a conditional one does; wrong lengths are refused.
    #[test]
    fn residuals_read_the_network_with_and_without_y() {
        let (_, mut net) = pairs_and_net(0.5);
        let (x, t) = ([0.3, -1.2, 0.7, 1.0], [0.05, 0.6]);
        let marginal = net.residuals(&x, None, &t).unwrap();
        let input = net.input(&x, None, &[0.0, 0.0], &t).unwrap();
        let out = net.net.forward(&input, 2).unwrap().to_vec();
        for (i, (r, o)) in marginal.iter().zip(&out).enumerate() {
            let sigma = libm::sqrt(net.sde.variance(t[i / 2]));
            assert!((r - o / libm::sqrt(sigma)).abs() < 1e-12);
        }
        let a = net.residuals(&x, Some(&[0.5, -0.5]), &t).unwrap();
        let b = net.residuals(&x, Some(&[1.5, -0.5]), &t).unwrap();
        assert!(a[0] != b[0] && a[2] == b[2] && a != marginal);
        assert!(net.residuals(&x, Some(&[0.5]), &t).is_err());
        assert!(net.residuals(&x[..3], None, &t).is_err());
    }

    /// Bad settings and singular pairs are refused.
    #[test]
    fn bad_settings_are_refused() {
        let ((x, y), _) = pairs_and_net(0.0);
        let mut rng = from_seed(1);
        let sde = VpSde::default();
        for config in [
            ConditionalScoreConfig {
                hidden: vec![],
                ..ConditionalScoreConfig::default()
            },
            ConditionalScoreConfig {
                input_scale: f64::NAN,
                ..ConditionalScoreConfig::default()
            },
            ConditionalScoreConfig {
                sigma_power: 1.5,
                ..ConditionalScoreConfig::default()
            },
        ] {
            assert!(ConditionalScoreNet::new(sde, &x, &y, &config, &mut rng).is_err());
        }
        let constant = Samples::new(vec![1.0; x.len()], 1).unwrap();
        let default = ConditionalScoreConfig::default();
        assert!(ConditionalScoreNet::new(sde, &x, &constant, &default, &mut rng).is_err());
        let short = Samples::new(vec![0.0, 1.0, 2.0], 1).unwrap();
        assert!(ConditionalScoreNet::new(sde, &x, &short, &default, &mut rng).is_err());
    }

    /// Saved and loaded, the model gives the same residuals bit for bit; damaged files are
    /// refused.
    #[cfg(feature = "serde")]
    #[test]
    fn json_round_trip_is_exact() {
        let (_, mut net) = pairs_and_net(0.5);
        let bytes = net.to_json().unwrap();
        let mut back = ConditionalScoreNet::from_json(&bytes).unwrap();
        let (x, y, t) = ([0.3, -1.2], [0.4], [0.2]);
        assert_eq!(
            net.residuals(&x, Some(&y), &t).unwrap(),
            back.residuals(&x, Some(&y), &t).unwrap()
        );
        let text = alloc::string::String::from_utf8(bytes).unwrap();
        let damaged = text.replace("\"regression\":[", "\"regression\":[1.0,");
        assert!(ConditionalScoreNet::from_json(damaged.as_bytes()).is_err());
        assert!(ConditionalScoreNet::from_json(b"{}").is_err());
    }
}
