//! [`MutualInformationTask`]: pairs (X, Y) with exactly known mutual information, and the
//! benchmark's standard list of them.
use super::{AdditiveNoise, Bijection, GaussianPair, StudentPair, Transformed};
use crate::entropy::{EntropyError, Samples};
use crate::stats::IndependentMean;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

/// A joint distribution of (X, Y) with a sampler, its pointwise mutual information and the
/// exact I(X; Y) in nats.
///
/// # Examples
/// A task of one's own: a standard bivariate normal with correlation ρ, I = −½ ln(1 − ρ²),
/// sampled as y = ρx + √(1 − ρ²) z; its pointwise mutual information is
/// −½ ln(1 − ρ²) − (ρ²x² − 2ρxy + ρ²y²) / (2(1 − ρ²)). The Monte Carlo mean of the pointwise value
/// over its own pairs ([`monte_carlo_mutual_information`]) agrees with the closed form within
/// its error bar.
/// ```
/// use entropic::entropy::{EntropyError, Samples};
/// use entropic::entropy::tasks::{MutualInformationTask, monte_carlo_mutual_information};
/// use entropic::rng::{from_seed, normal_pair};
///
/// struct Correlated { rho: f64 }
/// impl MutualInformationTask for Correlated {
///     fn name(&self) -> String { format!("correlated-{}", self.rho) }
///     fn dims(&self) -> (usize, usize) { (1, 1) }
///     fn mutual_information(&self) -> f64 { -0.5 * libm::log(1.0 - self.rho * self.rho) }
///     fn pointwise(&self, x: &[f64], y: &[f64]) -> f64 {
///         let (r, x, y) = (self.rho, x[0], y[0]);
///         self.mutual_information() - (r * r * (x * x + y * y) - 2.0 * r * x * y) / (2.0 * (1.0 - r * r))
///     }
///     fn sample(&self, n: usize, seed: u64) -> Result<(Samples, Samples), EntropyError> {
///         let mut rng = from_seed(seed);
///         let (x, y): (Vec<f64>, Vec<f64>) = (0..n)
///             .map(|_| {
///                 let (a, b) = normal_pair(&mut rng);
///                 (a, self.rho * a + libm::sqrt(1.0 - self.rho * self.rho) * b)
///             })
///             .unzip();
///         let bad = |_| EntropyError::Samples("n must be at least 1");
///         Ok((Samples::new(x, 1).map_err(bad)?, Samples::new(y, 1).map_err(bad)?))
///     }
/// }
///
/// let task = Correlated { rho: 0.75 };
/// let mc = monte_carlo_mutual_information(&task, 100_000, 4)?;
/// assert!((mc.value - task.mutual_information()).abs() < 4.0 * mc.std_error);
/// # Ok::<(), EntropyError>(())
/// ```
pub trait MutualInformationTask: Send + Sync {
    /// A short name for tables ("multinormal-dense-2x2").
    fn name(&self) -> String;

    /// Dimensions (d_x, d_y).
    fn dims(&self) -> (usize, usize);

    /// The exact I(X; Y) = E[ln p(x, y) − ln p(x) − ln p(y)], in nats.
    fn mutual_information(&self) -> f64;

    /// ln p(x, y) − ln p(x) − ln p(y) at one pair.
    fn pointwise(&self, x: &[f64], y: &[f64]) -> f64;

    /// `n` independent pairs (row i of each is one draw), reproducibly from `seed`.
    ///
    /// # Errors
    /// [`EntropyError::Samples`] for n = 0.
    fn sample(&self, n: usize, seed: u64) -> Result<(Samples, Samples), EntropyError>;
}

/// The Monte Carlo estimate of I = E[pointwise MI] over `n` of the task's own pairs.
///
/// # Errors
/// As [`MutualInformationTask::sample`].
pub fn monte_carlo_mutual_information(
    task: &dyn MutualInformationTask,
    n: usize,
    seed: u64,
) -> Result<IndependentMean, EntropyError> {
    let (x, y) = task.sample(n, seed)?;
    let v: Vec<f64> = (0..n).map(|i| task.pointwise(x.row(i), y.row(i))).collect();
    Ok(IndependentMean::of(&v))
}

/// The mutual-information benchmark's tasks, after the "Beyond Normal" benchmark (Czyż et al.,
/// 2023), d_x + d_y from 2 to 24: multinormal pairs with dense correlations (1×1, 2×2, 5×5) and
/// sparse ones (3×3, 5×5, 12×12: a few correlated coordinate pairs); Student-t pairs (1×1 with
/// ν = 1 under asinh, 2×2 with ν = 3); the MI-preserving half-cube, normal-CDF, spiral and
/// wiggly maps of multinormal pairs; and additive uniform noise at two levels.
///
/// # Errors
/// None for the built-in settings (the signature carries the constructors' checks).
pub fn mutual_information_suite() -> Result<Vec<Box<dyn MutualInformationTask>>, EntropyError> {
    let sparse3 = || GaussianPair::sparse(3, 3, 2, 0.8);
    let dense2 = || GaussianPair::dense(2, 2, 0.5);
    Ok(alloc::vec![
        Box::new(GaussianPair::dense(1, 1, 0.75)?),
        Box::new(dense2()?),
        Box::new(GaussianPair::dense(5, 5, 0.3)?),
        Box::new(sparse3()?),
        Box::new(GaussianPair::sparse(5, 5, 2, 0.8)?),
        Box::new(GaussianPair::sparse(12, 12, 3, 0.6)?),
        Box::new(StudentPair::new(GaussianPair::dense(2, 2, 0.5)?, 3)?),
        Box::new(Transformed::new(
            Box::new(StudentPair::new(GaussianPair::dense(1, 1, 0.5)?, 1)?),
            Bijection::Asinh,
        )?),
        Box::new(Transformed::new(Box::new(sparse3()?), Bijection::HalfCube)?),
        Box::new(Transformed::new(Box::new(dense2()?), Bijection::NormalCdf)?),
        Box::new(Transformed::new(Box::new(sparse3()?), Bijection::Spiral)?),
        Box::new(Transformed::new(
            Box::new(GaussianPair::dense(1, 1, 0.75)?),
            Bijection::Wiggly,
        )?),
        Box::new(AdditiveNoise::new(0.1)?),
        Box::new(AdditiveNoise::new(0.3)?),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every task's exact I agrees with the Monte Carlo mean of its pointwise MI over its own
    /// 200 000 pairs within 4 standard errors (fails if the sampler, the densities, a map's
    /// inverse or the formula is wrong).
    #[test]
    fn every_task_matches_its_exact_mutual_information() {
        let tasks = mutual_information_suite().unwrap();
        assert!(tasks.len() >= 10);
        let mut names: Vec<_> = tasks.iter().map(|t| t.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), tasks.len(), "task names are unique");
        for (i, task) in tasks.iter().enumerate() {
            let mc = monte_carlo_mutual_information(task.as_ref(), 200_000, 40 + i as u64).unwrap();
            let exact = task.mutual_information();
            std::println!(
                "{}: exact {exact:.5}, Monte Carlo {:.5} ± {:.5}",
                task.name(),
                mc.value,
                mc.std_error
            );
            assert!(exact > 0.0);
            assert!(
                (mc.value - exact).abs() < 4.0 * mc.std_error,
                "{}: exact {exact} vs {} ± {}",
                task.name(),
                mc.value,
                mc.std_error
            );
        }
    }
}
