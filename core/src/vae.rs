//! A Gaussian variational autoencoder (Kingma & Welling), the baseline the Min-MaxEnt paper
//! compares against in Sec. I.2 (Fig. 4): "a VAE whose encoder has the same architecture as the
//! fᵢ parametrisation".
//!
//! Encoder q(z|x) = N(μ(x), diag e^{v(x)}), decoder p(x|z) = N(m(z), diag e^{u(z)}), prior
//! N(0, I). The loss is the negative ELBO per sample with one reparameterised draw
//! z = μ + e^{v/2} ε:
//!
//! L = Σ_d [½ ln 2π + ½ u_d + (x_d − m_d)² / (2 e^{u_d})] + ½ Σ_k (μ_k² + e^{v_k} − 1 − v_k),
//!
//! differentiated by hand: ∂L/∂m = −(x − m)e^{−u}, ∂L/∂u = ½ − ½(x − m)² e^{−u}; the decoder's
//! backward pass gives ∂L/∂z, then ∂L/∂μ = ∂L/∂z + μ and ∂L/∂v = ½ e^{v/2} ε ∂L/∂z + ½(e^{v} − 1).
use crate::nn::optim::{Adam, Optimizer};
use crate::nn::{ActivationKind, Network, NnError};
use crate::rng::{normal_pair, uniform_index};
use alloc::vec;
use alloc::vec::Vec;
use core::f64::consts::TAU;
use rand_core::Rng;

/// Log-variances are clamped to ±`LOG_VAR_LIMIT` in the loss (a decoder that shrinks its
/// variance onto single training points would otherwise overflow e^{−u}).
const LOG_VAR_LIMIT: f64 = 20.0;

/// A Gaussian VAE with MLP encoder and decoder.
///
/// # Examples
/// ```
/// use entropic::nn::ActivationKind;
/// use entropic::vae::{Vae, VaeParams};
/// let mut rng = entropic::rng::from_seed(0);
/// let data: Vec<f64> = (0..500).map(|i| if i % 2 == 0 { -2.0 } else { 2.0 }).collect();
/// let mut vae = Vae::new(1, 1, &[16, 16], ActivationKind::Tanh, &mut rng)?;
/// let params = VaeParams { epochs: 30, ..VaeParams::default() };
/// let mut trainer = entropic::vae::Trainer::new(params)?;
/// let mut last = f64::INFINITY;
/// for _ in 0..params.epochs {
///     last = trainer.epoch(&mut vae, &data, &mut rng)?;
/// }
/// assert!(last.is_finite());
/// # Ok::<(), entropic::nn::NnError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Vae {
    encoder: Network<f64>,
    decoder: Network<f64>,
    dim: usize,
    latent: usize,
}

impl Vae {
    /// Encoder widths [dim, hidden…, 2·latent], decoder [latent, hidden…, 2·dim].
    ///
    /// # Errors
    /// [`NnError::Shape`] for a zero dimension or hidden width.
    pub fn new<R: Rng + ?Sized>(
        dim: usize,
        latent: usize,
        hidden: &[usize],
        activation: ActivationKind,
        rng: &mut R,
    ) -> Result<Self, NnError> {
        if dim == 0 || latent == 0 {
            return Err(NnError::Shape("a VAE needs positive data and latent sizes"));
        }
        let widths = |a: usize, b: usize| {
            let mut w = vec![a];
            w.extend_from_slice(hidden);
            w.push(b);
            w
        };
        Ok(Self {
            encoder: Network::mlp(&widths(dim, 2 * latent), activation, rng)?,
            decoder: Network::mlp(&widths(latent, 2 * dim), activation, rng)?,
            dim,
            latent,
        })
    }

    /// Data dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Reset both networks' gradients.
    pub fn zero_grad(&mut self) {
        self.encoder.zero_grad();
        self.decoder.zero_grad();
    }

    /// (parameters, gradients) of encoder then decoder.
    pub fn params_and_grads(&mut self) -> Vec<(&mut [f64], &mut [f64])> {
        let mut pairs = self.encoder.params_and_grads();
        pairs.extend(self.decoder.params_and_grads());
        pairs
    }

    /// Mean negative ELBO of a batch (nats per sample) with one draw of ε per sample from
    /// `rng`; accumulates its parameter gradient.
    ///
    /// # Errors
    /// [`NnError::InputLength`] if `x.len() != batch · dim`.
    pub fn loss_and_grad<R: Rng + ?Sized>(
        &mut self,
        x: &[f64],
        batch: usize,
        rng: &mut R,
    ) -> Result<f64, NnError> {
        let (d, l) = (self.dim, self.latent);
        let enc = self.encoder.forward(x, batch)?.to_vec();
        let eps: Vec<f64> = (0..batch * l).map(|_| normal_pair(rng).0).collect();
        let mut z = vec![0.0; batch * l];
        for b in 0..batch {
            for k in 0..l {
                let (mu, v) = (enc[b * 2 * l + k], clamp(enc[b * 2 * l + l + k]));
                z[b * l + k] = mu + libm::exp(0.5 * v) * eps[b * l + k];
            }
        }
        let dec = self.decoder.forward(&z, batch)?.to_vec();
        let n = batch as f64;
        let mut loss = 0.0;
        let mut d_dec = vec![0.0; batch * 2 * d];
        for b in 0..batch {
            for j in 0..d {
                let (m, u_raw) = (dec[b * 2 * d + j], dec[b * 2 * d + d + j]);
                let u = clamp(u_raw);
                let r = x[b * d + j] - m;
                let inv = libm::exp(-u);
                loss += 0.5 * libm::log(TAU) + 0.5 * u + 0.5 * r * r * inv;
                d_dec[b * 2 * d + j] = -r * inv / n;
                if u == u_raw {
                    d_dec[b * 2 * d + d + j] = (0.5 - 0.5 * r * r * inv) / n;
                }
            }
        }
        let dz = self.decoder.backward(&d_dec)?.to_vec();
        let mut d_enc = vec![0.0; batch * 2 * l];
        for b in 0..batch {
            for k in 0..l {
                let (mu, v_raw) = (enc[b * 2 * l + k], enc[b * 2 * l + l + k]);
                let v = clamp(v_raw);
                let ev = libm::exp(v);
                loss += 0.5 * (mu * mu + ev - 1.0 - v);
                let g = dz[b * l + k];
                d_enc[b * 2 * l + k] = g + mu / n;
                if v == v_raw {
                    d_enc[b * 2 * l + l + k] =
                        0.5 * libm::exp(0.5 * v) * eps[b * l + k] * g + 0.5 * (ev - 1.0) / n;
                }
            }
        }
        self.encoder.backward(&d_enc)?;
        Ok(loss / n)
    }

    /// The model density p(x) = ∫ p(x|z) N(z; 0, 1) dz at each point of `grid`, for a 1D VAE
    /// with a 1D latent, by the trapezoid rule on `nodes` points of z ∈ [−8, 8].
    ///
    /// # Errors
    /// [`NnError::Shape`] unless dim = latent = 1 and nodes ≥ 3.
    pub fn density_1d(&mut self, grid: &[f64], nodes: usize) -> Result<Vec<f64>, NnError> {
        if self.dim != 1 || self.latent != 1 || nodes < 3 {
            return Err(NnError::Shape(
                "density_1d needs a 1D VAE with a 1D latent and at least 3 nodes",
            ));
        }
        let h = 16.0 / (nodes - 1) as f64;
        let z: Vec<f64> = (0..nodes).map(|k| -8.0 + h * k as f64).collect();
        let dec = self.decoder.forward(&z, nodes)?.to_vec();
        // Per node: mean m_k, precision e^{−u_k} and the weight of N(x; m_k, e^{u_k}) in the
        // quadrature, trap_k h φ(z_k) e^{−u_k/2} / √(2π) — computed once, not per grid point.
        let nodes_data: Vec<(f64, f64, f64)> = z
            .iter()
            .enumerate()
            .map(|(k, &zk)| {
                let trap = if k == 0 || k + 1 == nodes { 0.5 } else { 1.0 };
                let u = clamp(dec[2 * k + 1]);
                let weight = trap * h * libm::exp(-0.5 * zk * zk - 0.5 * u) / TAU;
                (dec[2 * k], libm::exp(-u), weight)
            })
            .collect();
        Ok(grid
            .iter()
            .map(|&x| {
                nodes_data
                    .iter()
                    .map(|&(m, precision, weight)| {
                        let r = x - m;
                        weight * libm::exp(-0.5 * r * r * precision)
                    })
                    .sum()
            })
            .collect())
    }
}

fn clamp(v: f64) -> f64 {
    v.clamp(-LOG_VAR_LIMIT, LOG_VAR_LIMIT)
}

/// VAE training settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VaeParams {
    /// Passes over the data.
    pub epochs: usize,
    /// Minibatch size (samples drawn with replacement).
    pub batch: usize,
    /// Adam learning rate.
    pub learning_rate: f64,
}

impl Default for VaeParams {
    fn default() -> Self {
        Self {
            epochs: 1000,
            batch: 100,
            learning_rate: 1e-3,
        }
    }
}

/// Adam on the negative ELBO, one epoch at a time (for per-epoch curves).
#[derive(Clone, Debug)]
pub struct Trainer {
    params: VaeParams,
    adam: Adam<f64>,
}

impl Trainer {
    /// # Errors
    /// [`NnError::Parameter`] for zero epochs or batch, or a non-positive rate.
    pub fn new(params: VaeParams) -> Result<Self, NnError> {
        if params.epochs == 0 || params.batch == 0 {
            return Err(NnError::Parameter("epochs and batch must be positive"));
        }
        if !(params.learning_rate.is_finite() && params.learning_rate > 0.0) {
            return Err(NnError::Parameter("the learning rate must be positive"));
        }
        Ok(Self {
            params,
            adam: Adam::default_params(),
        })
    }

    /// One epoch: ⌈N / batch⌉ Adam steps on minibatches drawn with replacement; returns the
    /// mean loss.
    ///
    /// # Errors
    /// [`NnError::InputLength`] for data that is empty or not a multiple of the dimension,
    /// [`NnError::NotFinite`] if the loss or a gradient becomes NaN/∞ (parameters untouched).
    pub fn epoch<R: Rng + ?Sized>(
        &mut self,
        vae: &mut Vae,
        data: &[f64],
        rng: &mut R,
    ) -> Result<f64, NnError> {
        let d = vae.dim();
        if data.is_empty() || data.len() % d != 0 {
            return Err(NnError::InputLength {
                expected: d,
                got: data.len(),
            });
        }
        let n = data.len() / d;
        let steps = n.div_ceil(self.params.batch);
        let mut batch = Vec::with_capacity(self.params.batch * d);
        let mut total = 0.0;
        for _ in 0..steps {
            batch.clear();
            for _ in 0..self.params.batch {
                let i = uniform_index(rng, n);
                batch.extend_from_slice(&data[i * d..(i + 1) * d]);
            }
            vae.zero_grad();
            let loss = vae.loss_and_grad(&batch, self.params.batch, rng)?;
            let mut pairs = vae.params_and_grads();
            let finite = pairs.iter().all(|(_, g)| g.iter().all(|v| v.is_finite()));
            if !loss.is_finite() || !finite {
                return Err(NnError::NotFinite("the VAE loss or gradient"));
            }
            self.adam.step(self.params.learning_rate, &mut pairs);
            total += loss;
        }
        Ok(total / steps as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::from_seed;

    #[test]
    fn gradient_matches_finite_differences() {
        // The same seed gives the same ε, so the loss is a deterministic function of the
        // parameters and its gradient can be checked by central differences.
        let mut vae = Vae::new(2, 2, &[5], ActivationKind::Tanh, &mut from_seed(1)).unwrap();
        let x = [0.3, -1.2, 2.0, 0.5, -0.7, 0.1];
        vae.zero_grad();
        vae.loss_and_grad(&x, 3, &mut from_seed(9)).unwrap();
        let analytic: Vec<f64> = vae
            .params_and_grads()
            .iter()
            .flat_map(|(_, g)| g.to_vec())
            .collect();
        let total = analytic.len();
        let h = 1e-6;
        for idx in (0..total).step_by(3) {
            let shifted = |delta: f64| {
                let mut v = vae.clone();
                let mut left = idx;
                for (p, _) in v.params_and_grads() {
                    if left < p.len() {
                        p[left] += delta;
                        break;
                    }
                    left -= p.len();
                }
                v.loss_and_grad(&x, 3, &mut from_seed(9)).unwrap()
            };
            let fd = (shifted(h) - shifted(-h)) / (2.0 * h);
            assert!(
                (fd - analytic[idx]).abs() < 1e-6 * (1.0 + fd.abs()),
                "parameter {idx}: fd {fd}, analytic {}",
                analytic[idx]
            );
        }
    }

    #[test]
    fn density_is_normalised_and_fits_a_gaussian() {
        // Data N(1, 0.5²): the trained VAE's density integrates to 1 and its KL to the truth is
        // small.
        let mut rng = from_seed(3);
        let data: Vec<f64> = (0..1000)
            .map(|_| 1.0 + 0.5 * normal_pair(&mut rng).0)
            .collect();
        let mut vae = Vae::new(1, 1, &[16, 16], ActivationKind::Tanh, &mut rng).unwrap();
        let params = VaeParams {
            epochs: 150,
            ..VaeParams::default()
        };
        let mut trainer = Trainer::new(params).unwrap();
        for _ in 0..params.epochs {
            trainer.epoch(&mut vae, &data, &mut rng).unwrap();
        }
        let h = 0.01;
        let grid: Vec<f64> = (0..=1600).map(|k| -7.0 + h * k as f64).collect();
        let q = vae.density_1d(&grid, 801).unwrap();
        let mass: f64 = q.iter().sum::<f64>() * h;
        assert!((mass - 1.0).abs() < 1e-3, "mass {mass}");
        let p: Vec<f64> = grid
            .iter()
            .map(|&x| libm::exp(-2.0 * (x - 1.0) * (x - 1.0)) / libm::sqrt(TAU * 0.25))
            .collect();
        let kl = crate::maxent::kl_on_grid(&p, &q, h).unwrap();
        assert!(kl < 0.05, "KL {kl}");
    }

    #[test]
    fn bad_settings_are_refused() {
        assert!(
            Trainer::new(VaeParams {
                batch: 0,
                ..VaeParams::default()
            })
            .is_err()
        );
        assert!(
            Trainer::new(VaeParams {
                learning_rate: f64::NAN,
                ..VaeParams::default()
            })
            .is_err()
        );
        let mut vae = Vae::new(2, 1, &[4], ActivationKind::Tanh, &mut from_seed(0)).unwrap();
        let mut t = Trainer::new(VaeParams::default()).unwrap();
        assert!(
            t.epoch(&mut vae, &[1.0, 2.0, 3.0], &mut from_seed(0))
                .is_err()
        );
        assert!(vae.density_1d(&[0.0], 11).is_err());
    }
}
