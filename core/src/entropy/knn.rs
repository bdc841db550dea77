use super::neighbours::{KdTree, Metric};
use super::{EntropyError, EntropyEstimator, Samples};
use crate::estimate::{Estimate, Unit};
use crate::special::digamma;
use crate::stats::IndependentMean;
use alloc::vec::Vec;

/// The Kozachenko–Leonenko k-nearest-neighbour entropy estimator (Euclidean):
/// H = ψ(n) − ψ(k) + ln V_d + (d/n) Σᵢ ln εᵢ, with εᵢ the distance from sample i to its k-th
/// nearest neighbour and V_d = π^{d/2}/Γ(1 + d/2) the volume of the unit d-ball.
///
/// Neighbours exactly, from a k-d tree (`neighbours::KdTree`). The error bar is the
/// standard error of the per-sample terms ψ(n) − ψ(k) + ln V_d + d ln εᵢ, treating them as
/// independent (they are weakly dependent through shared neighbours).
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

    /// Squared distance from every sample to its k-th nearest other sample.
    fn kth_distances(&self, x: &Samples) -> Vec<f64> {
        let tree = KdTree::new(x.as_slice(), x.dim());
        (0..x.len())
            .map(|i| tree.nearest(i, self.k, Metric::SquaredEuclidean)[self.k - 1].0)
            .collect()
    }
}

impl EntropyEstimator<Samples> for KozachenkoLeonenko {
    fn estimate(&self, x: &Samples) -> Result<Estimate, EntropyError> {
        let (n, d) = (x.len(), x.dim());
        if n < self.k + 2 {
            return Err(EntropyError::TooFewSamples {
                len: n,
                min: self.k + 2,
            });
        }
        let dist2 = self.kth_distances(x);
        if dist2.contains(&0.0) {
            return Err(EntropyError::Degenerate(
                "a sample has k duplicates at distance 0 (discrete data: dequantise first)",
            ));
        }
        let df = d as f64;
        let log_vd = 0.5 * df * libm::log(core::f64::consts::PI) - libm::lgamma(1.0 + 0.5 * df);
        let base = digamma(n as f64) - digamma(self.k as f64) + log_vd;
        let terms: Vec<f64> = dist2
            .iter()
            .map(|&e2| base + 0.5 * df * libm::log(e2))
            .collect();
        let mean = IndependentMean::of(&terms);
        Ok(Estimate::new(mean.value, mean.std_error, Unit::Nats, n))
    }
}
