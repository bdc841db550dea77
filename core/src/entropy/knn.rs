use super::neighbours::{KdTree, Metric};
use super::{EntropyError, EntropyEstimator, Samples, subsample};
use crate::estimate::{Estimate, Unit};
use crate::special::digamma;

/// The Kozachenko–Leonenko k-nearest-neighbour entropy estimator (Euclidean):
/// H = ψ(n) − ψ(k) + ln V_d + (d/n) Σᵢ ln εᵢ, with εᵢ the distance from sample i to its k-th
/// nearest neighbour and V_d = π^{d/2}/Γ(1 + d/2) the volume of the unit d-ball.
///
/// Neighbours exactly, from a k-d tree (`neighbours::KdTree`). The error bar is the spread of
/// the estimate over B interleaved disjoint subsamples, sd/√B with B = ⌊n / 8(k + 1)⌋ in
/// 2 … 20 (B − 1 degrees of freedom): the per-sample terms share neighbours, and their own
/// standard error ran 3–41 % small (docs/results/knn-error-bars.md). Needs n ≥ 2 (k + 2).
///
/// # Examples
/// ```
/// use entropic::entropy::{EntropyEstimator, KozachenkoLeonenko, Samples};
/// let mut rng = entropic::rng::from_seed(2);
/// let x: Vec<f64> = (0..6000).map(|_| entropic::rng::normal_pair(&mut rng).0).collect();
/// let h = KozachenkoLeonenko::new(3)?.estimate(&Samples::new(x, 3)?)?;
/// let exact = 1.5 * (2.0 * std::f64::consts::PI * std::f64::consts::E).ln();
/// assert!((h.value - exact).abs() < 4.0 * h.std_error);
/// # Ok::<(), entropic::entropy::EntropyError>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct KozachenkoLeonenko {
    k: usize,
}

impl KozachenkoLeonenko {
    /// # Errors
    /// [`EntropyError::Parameter`] for k = 0.
    pub fn new(k: usize) -> Result<Self, EntropyError> {
        if k == 0 {
            return Err(EntropyError::Parameter("k must be at least 1"));
        }
        Ok(Self { k })
    }

    /// The fewest samples [`EntropyEstimator::estimate`] takes: 2 (k + 2), two subsamples of
    /// k + 2 for the error bar.
    pub fn min_samples(&self) -> usize {
        subsample::min_samples(self.k)
    }

    /// The estimate H, without an error bar: the mean of the per-sample terms
    /// ψ(n) − ψ(k) + ln V_d + d ln εᵢ.
    fn value(&self, x: &Samples) -> Result<f64, EntropyError> {
        let (n, d) = (x.len(), 0.5 * x.dim() as f64);
        let log_vd = d * libm::log(core::f64::consts::PI) - libm::lgamma(1.0 + d);
        let base = digamma(n as f64) - digamma(self.k as f64) + log_vd;
        let tree = KdTree::new(x.as_slice(), x.dim());
        let mut sum = 0.0;
        for i in 0..n {
            let e2 = tree.nearest(i, self.k, Metric::SquaredEuclidean)[self.k - 1].0;
            if e2 == 0.0 {
                return Err(EntropyError::Degenerate(
                    "a sample has k duplicates at distance 0 (discrete data: dequantise first)",
                ));
            }
            sum += base + d * libm::log(e2);
        }
        Ok(sum / n as f64)
    }
}

impl EntropyEstimator<Samples> for KozachenkoLeonenko {
    fn estimate(&self, x: &Samples) -> Result<Estimate, EntropyError> {
        let n = x.len();
        let parts = subsample::parts(n, self.k)?;
        let value = self.value(x)?;
        let std_error = subsample::spread_std_error(parts, |keep| self.value(&x.select(keep)?))?;
        Ok(Estimate::new(value, std_error, Unit::Nats, n))
    }
}
