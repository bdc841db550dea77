//! Distributions with exactly known differential entropy ([`EntropyTask`]) and pairs with exactly
//! known mutual information ([`MutualInformationTask`]), to test estimators on data whose
//! structure they were not designed around (issue: a ground-truth benchmark suite).
//!
//! Each [`EntropyTask`] draws seeded samples, evaluates its log-density and states its exact
//! entropy in nats, in closed form. A test checks every task three ways at once: the Monte
//! Carlo mean of −ln p over its own samples must agree with the closed form within 4 standard
//! errors, which fails if the sampler, the density or the formula is wrong.
//!
//! # Example
//! ```
//! use entropic::entropy::tasks::{EntropyTask, LinearMix, Univariate};
//! // Or the whole standard list: `entropic::entropy::tasks::entropy_suite(seed)`.
//! let task = LinearMix::new(Univariate::Laplace, 4, 1.0, 7)?;
//! let x = task.sample(1000, 3)?;
//! assert_eq!((x.len(), x.dim()), (1000, 4));
//! // h = Σ h(uᵢ) + ln |det A| with h(Laplace(1)) = 1 + ln 2 and |det A| = 1 here.
//! assert!((task.entropy() - 4.0 * (1.0 + core::f64::consts::LN_2)).abs() < 1e-12);
//! # Ok::<(), entropic::entropy::EntropyError>(())
//! ```
mod additive_noise;
mod bijection;
mod gaussian_pair;
mod linear_mix;
mod mixture;
mod mutual;
mod suite;
mod transformed_gaussian;
mod univariate;

pub use additive_noise::AdditiveNoise;
pub use bijection::{Bijection, Transformed};
pub use gaussian_pair::{GaussianPair, StudentPair};
pub use mutual::{MutualInformationTask, monte_carlo_mutual_information, mutual_information_suite};

pub use linear_mix::LinearMix;
pub use mixture::{GaussianMixture, MIXTURE_ENTROPY_DRAWS};
pub use suite::entropy_suite;
pub use transformed_gaussian::{LogNormal, MultivariateStudent};
pub use univariate::Univariate;

use super::{EntropyError, Samples};
use crate::stats::IndependentMean;
use alloc::string::String;

/// A distribution on ℝ^d with a sampler, a log-density and its exact differential entropy.
///
/// # Examples
/// A task of one's own: the exponential distribution with rate r, h = 1 − ln r, sampled by
/// inverting its distribution function; the Monte Carlo of −ln p over its own draws
/// ([`monte_carlo_entropy`]) agrees with the closed form within its error bar.
/// ```
/// use entropic::entropy::{EntropyError, Samples};
/// use entropic::entropy::tasks::{EntropyTask, monte_carlo_entropy};
/// use entropic::rng::{from_seed, uniform_f64};
///
/// struct Exponential { rate: f64 }
/// impl EntropyTask for Exponential {
///     fn name(&self) -> String { format!("exponential-{}", self.rate) }
///     fn dim(&self) -> usize { 1 }
///     fn entropy(&self) -> f64 { 1.0 - libm::log(self.rate) }
///     fn log_density(&self, x: &[f64]) -> f64 { libm::log(self.rate) - self.rate * x[0] }
///     fn sample(&self, n: usize, seed: u64) -> Result<Samples, EntropyError> {
///         let mut rng = from_seed(seed);
///         let x = (0..n).map(|_| -libm::log(1.0 - uniform_f64(&mut rng)) / self.rate).collect();
///         Samples::new(x, 1).map_err(|_| EntropyError::Samples("n must be at least 1"))
///     }
/// }
///
/// let task = Exponential { rate: 2.0 };
/// let mc = monte_carlo_entropy(&task, 100_000, 9)?;
/// assert!((mc.value - task.entropy()).abs() < 4.0 * mc.std_error);
/// # Ok::<(), EntropyError>(())
/// ```
pub trait EntropyTask: Send + Sync {
    /// A short name for tables ("laplace-mix-d4").
    fn name(&self) -> String;

    /// Dimension d.
    fn dim(&self) -> usize;

    /// The exact differential entropy h = −E[ln p(x)], in nats.
    fn entropy(&self) -> f64;

    /// The standard error of [`Self::entropy`] where it is itself a Monte Carlo integral of
    /// −ln p (0 for a closed form).
    fn entropy_error(&self) -> f64 {
        0.0
    }

    /// ln p(x) for one point of dimension d.
    fn log_density(&self, x: &[f64]) -> f64;

    /// `n` independent draws, reproducibly from `seed`.
    ///
    /// # Errors
    /// [`EntropyError::Samples`] for n = 0.
    fn sample(&self, n: usize, seed: u64) -> Result<Samples, EntropyError>;
}

/// A χ² draw with ν degrees of freedom: the sum of ν squared standard normals.
pub(crate) fn chi_square<R: rand_core::Rng + ?Sized>(nu: u32, rng: &mut R) -> f64 {
    (0..nu)
        .map(|_| {
            let g = crate::rng::normal_pair(rng).0;
            g * g
        })
        .sum()
}

/// The Monte Carlo estimate of h = −E[ln p] over `n` of the task's own samples drawn from
/// `seed`: the mean of −ln p and its standard error.
///
/// # Errors
/// As [`EntropyTask::sample`].
pub fn monte_carlo_entropy(
    task: &dyn EntropyTask,
    n: usize,
    seed: u64,
) -> Result<IndependentMean, EntropyError> {
    let x = task.sample(n, seed)?;
    let v: alloc::vec::Vec<f64> = (0..x.len()).map(|i| -task.log_density(x.row(i))).collect();
    Ok(IndependentMean::of(&v))
}

/// A uniform draw in the open interval (0, 1) (never 0 or 1, so logarithms stay finite).
pub(crate) fn open_unit<R: rand_core::Rng + ?Sized>(rng: &mut R) -> f64 {
    ((rng.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn separated_mixture_reaches_its_closed_form_limit() {
        // Components 60 apart overlap by e^{−450}: h = ln K + (d/2) ln(2πe) to all digits.
        let m = GaussianMixture::new(2, 3, 60.0, 5).unwrap();
        let limit = libm::log(3.0) + libm::log(2.0 * core::f64::consts::PI * core::f64::consts::E);
        assert!(m.entropy_error() > 0.0 && m.entropy_error() < 0.005);
        assert!(
            (m.entropy() - limit).abs() < 4.0 * m.entropy_error(),
            "{} ± {} vs {limit}",
            m.entropy(),
            m.entropy_error()
        );
    }

    #[test]
    fn every_task_matches_its_closed_form_by_monte_carlo() {
        let mut tasks = entropy_suite(0).unwrap();
        assert!(tasks.len() >= 12);
        let dims: Vec<usize> = tasks.iter().map(|t| t.dim()).collect();
        assert_eq!(dims.iter().min(), Some(&1));
        assert_eq!(dims.iter().max(), Some(&25));
        let mut names: Vec<_> = tasks.iter().map(|t| t.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), tasks.len(), "task names are unique");
        // Every other law once at d = 1 (the suite has Laplace there), and a multivariate t at
        // d = 1.
        for (k, law) in [
            Univariate::Uniform,
            Univariate::Exponential,
            Univariate::Logistic,
            Univariate::StudentT(3),
        ]
        .into_iter()
        .enumerate()
        {
            tasks.push(alloc::boxed::Box::new(
                LinearMix::new(law, 1, 1.0, k as u64).unwrap(),
            ));
        }
        tasks.push(alloc::boxed::Box::new(
            MultivariateStudent::new(1, 3, 23).unwrap(),
        ));
        for (i, task) in tasks.iter().enumerate() {
            let mc = monte_carlo_entropy(task.as_ref(), 200_000, 100 + i as u64).unwrap();
            let (mc, se) = (mc.value, mc.std_error);
            let (exact, exact_se) = (task.entropy(), task.entropy_error());
            let se = libm::hypot(se, exact_se);
            std::println!(
                "{}: exact {exact:.5}, Monte Carlo {mc:.5} ± {se:.5}",
                task.name()
            );
            // A uniform law has constant −ln p: no spread, agreement up to rounding.
            assert!(se < 0.05, "{}: {se}", task.name());
            assert!(
                (mc - exact).abs() < 4.0 * se + 1e-9 * exact.abs(),
                "{}: exact {exact} vs Monte Carlo {mc} ± {se}",
                task.name()
            );
        }
    }
}
