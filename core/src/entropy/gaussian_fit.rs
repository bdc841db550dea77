use super::{EntropyError, EntropyEstimator, Samples};
use crate::estimate::{Estimate, Unit};
use crate::special::digamma;
use nalgebra::{Cholesky, DMatrix};

/// The entropy of the Gaussian with the samples' covariance, ½ ln det(2πe Σ̂): exact for
/// Gaussian data and an upper bound for any other distribution with that covariance.
///
/// ln det Σ̂ of the unbiased sample covariance is biased low by
/// Σᵢ₌₁ᵈ [ψ((n − i)/2) − ln((n − 1)/2)] for Gaussian data; the estimate removes that bias, and its
/// error bar is the Gaussian-data standard deviation ½√(Σᵢ ψ′((n − i)/2)) ≈ √(d/(2n)).
///
/// # Examples
/// ```
/// use entropic::entropy::{EntropyEstimator, GaussianFit, Samples};
/// // 2D standard normal samples: H = ln(2πe) ≈ 2.838 nats.
/// let mut rng = entropic::rng::from_seed(1);
/// let x: Vec<f64> = (0..20_000).map(|_| entropic::rng::normal_pair(&mut rng).0).collect();
/// let h = GaussianFit.estimate(&Samples::new(x, 2)?)?;
/// assert!((h.value - (2.0 * std::f64::consts::PI * std::f64::consts::E).ln()).abs() < 5.0 * h.std_error);
/// # Ok::<(), entropic::entropy::EntropyError>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct GaussianFit;

impl EntropyEstimator<Samples> for GaussianFit {
    fn estimate(&self, x: &Samples) -> Result<Estimate, EntropyError> {
        let (n, d) = (x.len(), x.dim());
        if n < d + 2 {
            return Err(EntropyError::TooFewSamples { len: n, min: d + 2 });
        }
        let (_, cov) = x.mean_and_covariance()?;
        let log_det = log_det_spd(
            DMatrix::from_row_slice(d, d, &cov),
            "the sample covariance is singular",
        )?;
        let half = 0.5 * (n as f64 - 1.0);
        let (mut bias, mut var) = (0.0, 0.0);
        for i in 1..=d {
            let a = 0.5 * (n - i) as f64;
            bias += digamma(a) - libm::log(half);
            var += trigamma(a);
        }
        let two_pi_e = 2.0 * core::f64::consts::PI * core::f64::consts::E;
        let value = 0.5 * (d as f64 * libm::log(two_pi_e) + log_det - bias);
        Ok(Estimate::new(value, 0.5 * libm::sqrt(var), Unit::Nats, n))
    }
}

/// ln det of a symmetric positive-definite matrix from its Cholesky factor.
///
/// # Errors
/// [`EntropyError::Degenerate`] with `why` if the matrix is not positive definite.
pub(crate) fn log_det_spd(m: DMatrix<f64>, why: &'static str) -> Result<f64, EntropyError> {
    let chol = Cholesky::new(m).ok_or(EntropyError::Degenerate(why))?;
    Ok(2.0
        * chol
            .l()
            .diagonal()
            .iter()
            .map(|v| libm::log(*v))
            .sum::<f64>())
}

/// ψ′(x) for x > 0 (recurrence to x ≥ 10, then the asymptotic series).
fn trigamma(mut x: f64) -> f64 {
    let mut acc = 0.0;
    while x < 10.0 {
        acc += 1.0 / (x * x);
        x += 1.0;
    }
    let x2 = 1.0 / (x * x);
    acc + 1.0 / x
        + 0.5 * x2
        + x2 / x * (1.0 / 6.0 - x2 * (1.0 / 30.0 - x2 * (1.0 / 42.0 - x2 / 30.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigamma_known_values() {
        let pi2_6 = core::f64::consts::PI * core::f64::consts::PI / 6.0;
        assert!((trigamma(1.0) - pi2_6).abs() < 1e-12);
        assert!((trigamma(0.5) - 3.0 * pi2_6).abs() < 1e-12);
    }
}
