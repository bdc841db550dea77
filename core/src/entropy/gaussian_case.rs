use super::{EntropyError, Samples};
use crate::rng::normal_pair;
use alloc::vec;
use alloc::vec::Vec;
use nalgebra::{Cholesky, DMatrix};
use rand_core::Rng;

/// A multivariate normal N(m, Σ) with its exact entropy ½ ln det(2πe Σ): the sanity check of
/// every continuous estimator (thesis Table 4.1).
#[derive(Clone, Debug, PartialEq)]
pub struct GaussianCase {
    /// Mean m.
    pub mean: Vec<f64>,
    /// Covariance Σ (d×d, row-major).
    pub covariance: Vec<f64>,
    chol: Vec<f64>,
}

impl GaussianCase {
    /// # Errors
    /// [`EntropyError::Degenerate`] unless Σ is symmetric positive definite and d×d.
    pub fn new(mean: Vec<f64>, covariance: Vec<f64>) -> Result<Self, EntropyError> {
        let d = mean.len();
        if d == 0 || covariance.len() != d * d {
            return Err(EntropyError::Samples(
                "covariance must be d×d for a mean of length d",
            ));
        }
        let chol = Cholesky::new(DMatrix::from_row_slice(d, d, &covariance)).ok_or(
            EntropyError::Degenerate("covariance is not positive definite"),
        )?;
        let l = chol.l();
        let chol = (0..d * d).map(|ij| l[(ij / d, ij % d)]).collect();
        Ok(Self {
            mean,
            covariance,
            chol,
        })
    }

    /// A random zero-mean case in dimension d: Σ = A Aᵀ/d + ½I with A a d×d matrix of standard
    /// normals (a Wishart draw, shifted away from singularity; eigenvalues roughly 0.5 to 4.5).
    ///
    /// # Errors
    /// [`EntropyError::Parameter`] for d = 0.
    pub fn random<R: Rng + ?Sized>(d: usize, rng: &mut R) -> Result<Self, EntropyError> {
        if d == 0 {
            return Err(EntropyError::Parameter("the dimension must be at least 1"));
        }
        let a: Vec<f64> = (0..d * d).map(|_| normal_pair(rng).0).collect();
        let mut cov = vec![0.0; d * d];
        for i in 0..d {
            for j in 0..d {
                let s: f64 = (0..d).map(|k| a[i * d + k] * a[j * d + k]).sum();
                cov[i * d + j] = s / d as f64 + if i == j { 0.5 } else { 0.0 };
            }
        }
        Self::new(vec![0.0; d], cov)
    }

    /// Dimension d.
    pub fn dim(&self) -> usize {
        self.mean.len()
    }

    /// ln det Σ, from the Cholesky factor.
    pub fn log_det(&self) -> f64 {
        let d = self.dim();
        (0..d).map(|i| 2.0 * libm::log(self.chol[i * d + i])).sum()
    }

    /// The exact entropy ½ ln det(2πe Σ), in nats.
    pub fn entropy(&self) -> f64 {
        let d = self.dim() as f64;
        0.5 * (d * libm::log(2.0 * core::f64::consts::PI * core::f64::consts::E) + self.log_det())
    }

    /// The squared Mahalanobis distance (x − m)ᵀ Σ⁻¹ (x − m), by forward substitution.
    pub fn mahalanobis(&self, x: &[f64]) -> f64 {
        let d = self.dim();
        let mut y = vec![0.0; d];
        for i in 0..d {
            let s: f64 = (0..i).map(|j| self.chol[i * d + j] * y[j]).sum();
            y[i] = (x[i] - self.mean[i] - s) / self.chol[i * d + i];
        }
        y.iter().map(|v| v * v).sum()
    }

    /// ln N(x; m, Σ).
    pub fn log_density(&self, x: &[f64]) -> f64 {
        let d = self.dim() as f64;
        -0.5 * (d * libm::log(2.0 * core::f64::consts::PI) + self.log_det() + self.mahalanobis(x))
    }

    /// One draw m + L z (L the Cholesky factor, z standard normal) into `x`.
    pub fn draw<R: Rng + ?Sized>(&self, rng: &mut R, x: &mut [f64]) {
        let d = self.dim();
        let z: Vec<f64> = (0..d).map(|_| normal_pair(rng).0).collect();
        for (i, x) in x.iter_mut().enumerate() {
            *x = self.mean[i] + (0..=i).map(|j| self.chol[i * d + j] * z[j]).sum::<f64>();
        }
    }

    /// n samples, each one [`Self::draw`].
    pub fn sample<R: Rng + ?Sized>(&self, n: usize, rng: &mut R) -> Result<Samples, EntropyError> {
        let d = self.dim();
        let mut x = vec![0.0; n * d];
        for row in x.chunks_mut(d) {
            self.draw(rng, row);
        }
        Ok(Samples::new(x, d)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diffusion::{GaussianScore, VpSde};
    use crate::entropy::{EntropyEstimator, GaussianFit, KozachenkoLeonenko, Minde, Reference};
    use crate::rng::from_seed;

    #[test]
    fn estimators_recover_gaussian_entropies_within_their_error_bars() {
        let mut rng = from_seed(3);
        for d in [3, 9] {
            let case = GaussianCase::random(d, &mut rng).unwrap();
            let exact = case.entropy();
            let x = case.sample(4000, &mut rng).unwrap();
            let fit = GaussianFit.estimate(&x).unwrap();
            assert!(
                (fit.value - exact).abs() < 4.0 * fit.std_error,
                "d={d} fit {fit:?} vs {exact}"
            );
            // The exact score with ε small: MINDE's only error is Monte Carlo.
            let sde = VpSde::new(0.1, 20.0, 1.0, 1e-5).unwrap();
            let score = GaussianScore::new(sde, &case.mean, &case.covariance).unwrap();
            let minde = Minde::new(sde, score, Reference::Isotropic, 40_000, 4)
                .unwrap()
                .estimate(&x)
                .unwrap();
            // The sample's own E|X|² differs from Σ's by sampling error too: compare with the
            // entropy of the *sample* moments' Gaussian plus the MC error.
            let tol = 4.0 * (minde.std_error.powi(2) + fit.std_error.powi(2)).sqrt();
            assert!(
                (minde.value - exact).abs() < tol,
                "d={d} MINDE {minde:?} vs {exact}"
            );
            std::println!(
                "d={d}: exact {exact:.4}, fit {:.4} ± {:.4}, MINDE(exact score) {:.4} ± {:.4}",
                fit.value,
                fit.std_error,
                minde.value,
                minde.std_error
            );
        }
        let case = GaussianCase::random(3, &mut rng).unwrap();
        let x = case.sample(4000, &mut rng).unwrap();
        let knn = KozachenkoLeonenko::new(4).unwrap().estimate(&x).unwrap();
        std::println!(
            "d=3 kNN {:.4} ± {:.4} vs {:.4}",
            knn.value,
            knn.std_error,
            case.entropy()
        );
        assert!((knn.value - case.entropy()).abs() < 4.0 * knn.std_error);
    }

    #[test]
    fn bad_input_is_refused() {
        assert!(GaussianCase::new(vec![0.0; 2], vec![1.0, 2.0, 2.0, 1.0]).is_err());
        assert!(KozachenkoLeonenko::new(0).is_err());
        let dup = Samples::new(vec![1.0; 20], 2).unwrap();
        assert!(matches!(
            KozachenkoLeonenko::new(1).unwrap().estimate(&dup),
            Err(EntropyError::Degenerate(_))
        ));
        let few = Samples::new(vec![1.0, 2.0], 2).unwrap();
        assert!(matches!(
            GaussianFit.estimate(&few),
            Err(EntropyError::TooFewSamples { .. })
        ));
    }
}
