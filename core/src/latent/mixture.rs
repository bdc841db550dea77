use super::model::partial_shuffle;
use super::{BinaryData, LatentError};
use crate::special::log_sum_exp;
use alloc::vec;
use alloc::vec::Vec;
use rand_core::Rng;

/// A mixture of K product-Bernoulli components, p(x) = Σ_k π_k Πᵢ q_{ki}^{xᵢ}(1 − q_{ki})^{1−xᵢ},
/// fitted by expectation–maximisation.
///
/// The stationary p(x) = Σ_z p̄(z) A_{zx} of a one-hot latent-cycle model (Eq. 5) is exactly such
/// a mixture with K = L, so the EM fit is the maximum-likelihood reference of the model class.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BernoulliMixture {
    d: usize,
    /// Mixing weights π_k.
    pub weights: Vec<f64>,
    /// Component means q_k (K×D, row-major).
    pub means: Vec<f64>,
}

/// Settings of [`BernoulliMixture::fit`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EmParams {
    /// Components K (≥ 1).
    pub components: usize,
    /// Maximum EM iterations.
    pub max_iterations: usize,
    /// Stop when the mean log-likelihood improves by less than this (nats per vector).
    pub tolerance: f64,
    /// Fraction of the data in each component's random initial subset (as App. A.1).
    pub init_fraction: f64,
}

impl Default for EmParams {
    fn default() -> Self {
        Self {
            components: 6,
            max_iterations: 500,
            tolerance: 1e-7,
            init_fraction: 0.1,
        }
    }
}

impl BernoulliMixture {
    /// Fit by EM. Component k starts from the mean of a random subset (the latent model's
    /// App. A.1 initialisation) with equal weights. The M step uses the pseudo-count
    /// q = (Σ r x + ½)/(Σ r + 1), which keeps every q strictly inside (0, 1) (a pixel never on
    /// in a component would otherwise give ln 0 for any vector with it on). Returns the mixture
    /// and the mean log-likelihood after every iteration (non-decreasing up to the pseudo-count).
    ///
    /// # Errors
    /// [`LatentError::Parameter`] for zero components or iterations, or a fraction outside (0, 1].
    pub fn fit<R: Rng + ?Sized>(
        data: &BinaryData,
        params: &EmParams,
        rng: &mut R,
    ) -> Result<(Self, Vec<f64>), LatentError> {
        let EmParams {
            components: k,
            max_iterations,
            tolerance,
            init_fraction,
        } = *params;
        if k == 0 || max_iterations == 0 || !(init_fraction > 0.0 && init_fraction <= 1.0) {
            return Err(LatentError::Parameter(
                "EM needs K ≥ 1, at least one iteration and a subset fraction in (0, 1]",
            ));
        }
        let (n, d) = (data.len(), data.dim());
        let size = (libm::round(init_fraction * n as f64) as usize).clamp(1, n);
        let mut order: Vec<usize> = (0..n).collect();
        let mut means = Vec::with_capacity(k * d);
        for _ in 0..k {
            partial_shuffle(&mut order, size, rng);
            let m = data.mean_of(order[..size].iter().copied());
            means.extend(
                m.iter()
                    .map(|&m| (m * size as f64 + 0.5) / (size as f64 + 1.0)),
            );
        }
        let mut mix = Self {
            d,
            weights: vec![1.0 / k as f64; k],
            means,
        };
        let mut history = Vec::new();
        let mut resp = vec![0.0; n * k];
        for _ in 0..max_iterations {
            // E step.
            let ll = mix.responsibilities(data, &mut resp);
            // M step.
            let mut sums = vec![0.0; k * d];
            let mut mass = vec![0.0; k];
            for row in 0..n {
                let x = data.row(row);
                for c in 0..k {
                    let r = resp[row * k + c];
                    mass[c] += r;
                    for (s, &x) in sums[c * d..(c + 1) * d].iter_mut().zip(x) {
                        *s += r * x;
                    }
                }
            }
            for c in 0..k {
                mix.weights[c] = mass[c] / n as f64;
                for (q, &s) in mix.means[c * d..(c + 1) * d]
                    .iter_mut()
                    .zip(&sums[c * d..(c + 1) * d])
                {
                    *q = (s + 0.5) / (mass[c] + 1.0);
                }
            }
            let improved = history
                .last()
                .is_none_or(|&prev: &f64| ll - prev >= tolerance);
            history.push(ll);
            if !improved {
                break;
            }
        }
        history.push(mix.log_likelihood(data)?);
        Ok((mix, history))
    }

    /// Posterior component probabilities of every vector into `resp` (N×K); returns the mean
    /// log-likelihood.
    fn responsibilities(&self, data: &BinaryData, resp: &mut [f64]) -> f64 {
        let k = self.weights.len();
        let log_q: Vec<f64> = self.means.iter().map(|&q| libm::log(q)).collect();
        let log_1q: Vec<f64> = self.means.iter().map(|&q| libm::log(1.0 - q)).collect();
        let mut total = 0.0;
        let mut terms = vec![0.0; k];
        for row in 0..data.len() {
            let x = data.row(row);
            for (c, t) in terms.iter_mut().enumerate() {
                let (lq, l1q) = (
                    &log_q[c * self.d..(c + 1) * self.d],
                    &log_1q[c * self.d..(c + 1) * self.d],
                );
                *t = libm::log(self.weights[c])
                    + x.iter()
                        .zip(lq.iter().zip(l1q))
                        .map(|(&x, (&a, &b))| if x == 1.0 { a } else { b })
                        .sum::<f64>();
            }
            let lse = log_sum_exp(&terms);
            total += lse;
            for (r, &t) in resp[row * k..(row + 1) * k].iter_mut().zip(&terms) {
                *r = libm::exp(t - lse);
            }
        }
        total / data.len() as f64
    }

    /// Mean log-likelihood of `data` (nats per vector).
    ///
    /// # Errors
    /// [`LatentError::Dimension`] on mismatched data.
    pub fn log_likelihood(&self, data: &BinaryData) -> Result<f64, LatentError> {
        data.expect_dim(self.d)?;
        let mut resp = vec![0.0; data.len() * self.weights.len()];
        Ok(self.responsibilities(data, &mut resp))
    }
}
