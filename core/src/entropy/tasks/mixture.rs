//! [`GaussianMixture`]: an equal-weight mixture of unit-covariance Gaussians, whose entropy is
//! only available by Monte Carlo.
use super::{EntropyTask, Samples, monte_carlo_entropy};
use crate::entropy::EntropyError;
use crate::rng::{from_seed, normal_pair, uniform_index};
use crate::special::log_sum_exp;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

/// Draws of −ln p behind [`GaussianMixture`]'s entropy (standard error ≈ 1e-3 nats).
pub const MIXTURE_ENTROPY_DRAWS: usize = 1_000_000;

/// p(x) = (1/K) Σₖ N(x; mₖ, I) with the K means at distance `separation` from the origin along
/// random directions drawn from a seed. Separated components (separation ≫ 1) have
/// h → ln K + (d/2) ln(2πe); overlapping ones sit between that and the single Gaussian's value.
/// The exact entropy is the Monte Carlo mean of −ln p over [`MIXTURE_ENTROPY_DRAWS`] draws,
/// computed once on construction, with its standard error ([`EntropyTask::entropy_error`]).
#[derive(Clone, Debug, PartialEq)]
pub struct GaussianMixture {
    d: usize,
    separation: f64,
    /// K × d means, row-major.
    means: Vec<f64>,
    entropy: f64,
    entropy_error: f64,
}

impl GaussianMixture {
    /// K components in dimension d.
    ///
    /// # Errors
    /// [`EntropyError::Parameter`] for d = 0, K < 2 or a separation that is negative or not
    /// finite.
    pub fn new(d: usize, k: usize, separation: f64, seed: u64) -> Result<Self, EntropyError> {
        if d == 0 || k < 2 {
            return Err(EntropyError::Parameter(
                "a mixture needs dimension ≥ 1 and at least 2 components",
            ));
        }
        if !(separation.is_finite() && separation >= 0.0) {
            return Err(EntropyError::Parameter(
                "the separation must be finite and non-negative",
            ));
        }
        let mut rng = from_seed(seed);
        let mut means = Vec::with_capacity(k * d);
        for _ in 0..k {
            let dir: Vec<f64> = (0..d).map(|_| normal_pair(&mut rng).0).collect();
            let norm = libm::sqrt(dir.iter().map(|v| v * v).sum::<f64>()).max(f64::MIN_POSITIVE);
            means.extend(dir.iter().map(|v| separation * v / norm));
        }
        let mut task = Self {
            d,
            separation,
            means,
            entropy: f64::NAN,
            entropy_error: f64::NAN,
        };
        let h = monte_carlo_entropy(&task, MIXTURE_ENTROPY_DRAWS, seed ^ 0x5EED_F00D)?;
        task.entropy = h.value;
        task.entropy_error = h.std_error;
        Ok(task)
    }

    fn components(&self) -> usize {
        self.means.len() / self.d
    }
}

impl EntropyTask for GaussianMixture {
    fn name(&self) -> String {
        alloc::format!(
            "gaussian-mixture-d{}-k{}-sep{}",
            self.d,
            self.components(),
            self.separation
        )
    }

    fn dim(&self) -> usize {
        self.d
    }

    fn entropy(&self) -> f64 {
        self.entropy
    }

    fn entropy_error(&self) -> f64 {
        self.entropy_error
    }

    fn log_density(&self, x: &[f64]) -> f64 {
        let d = self.d;
        let k = self.components();
        let terms: Vec<f64> = self
            .means
            .chunks(d)
            .map(|m| -0.5 * x.iter().zip(m).map(|(a, b)| (a - b) * (a - b)).sum::<f64>())
            .collect();
        log_sum_exp(&terms)
            - libm::log(k as f64)
            - 0.5 * d as f64 * libm::log(2.0 * core::f64::consts::PI)
    }

    fn sample(&self, n: usize, seed: u64) -> Result<Samples, EntropyError> {
        let d = self.d;
        let mut rng = from_seed(seed);
        let mut x = vec![0.0; n * d];
        for row in x.chunks_mut(d) {
            let c = uniform_index(&mut rng, self.components());
            for (v, m) in row.iter_mut().zip(&self.means[c * d..(c + 1) * d]) {
                *v = m + normal_pair(&mut rng).0;
            }
        }
        Ok(Samples::new(x, d)?)
    }
}
