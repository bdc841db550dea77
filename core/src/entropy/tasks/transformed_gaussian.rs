//! Gaussian-based tasks: [`LogNormal`] (a smooth bijection of a Gaussian) and
//! [`MultivariateStudent`] (heavy tails), both with closed-form entropy.
use super::{EntropyTask, Samples, chi_square};
use crate::entropy::EntropyError;
use crate::entropy::GaussianCase;
use crate::rng::{from_seed, normal_pair};
use crate::special::digamma;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use nalgebra::DMatrix;

/// N(0, Σ) with Σ a random well-conditioned covariance drawn from `seed`: A Aᵀ/d + ½ I with A
/// standard normal (filled column by column).
fn random_gaussian(d: usize, seed: u64) -> Result<GaussianCase, EntropyError> {
    if d == 0 {
        return Err(EntropyError::Parameter("the dimension must be at least 1"));
    }
    let mut rng = from_seed(seed);
    let a = DMatrix::from_fn(d, d, |_, _| normal_pair(&mut rng).0);
    let sigma = &a * a.transpose() / d as f64 + DMatrix::identity(d, d) * 0.5;
    let covariance = (0..d * d).map(|ij| sigma[(ij / d, ij % d)]).collect();
    GaussianCase::new(vec![0.0; d], covariance)
}

/// x = exp(z) coordinate-wise with z ~ N(μ, Σ), μ = (0.5, …): a smooth bijection of a
/// Gaussian onto the positive orthant, skewed and heavy on one side. h(x) = h(z) + E[Σᵢ zᵢ] =
/// ½ ln det(2πe Σ) + Σᵢ μᵢ (the change of variables adds E ln |det J| = E Σᵢ zᵢ).
#[derive(Clone, Debug, PartialEq)]
pub struct LogNormal {
    gauss: GaussianCase,
    mu: f64,
}

impl LogNormal {
    /// In dimension `d`, Σ drawn from `seed`.
    ///
    /// # Errors
    /// [`EntropyError::Parameter`] for d = 0.
    pub fn new(d: usize, seed: u64) -> Result<Self, EntropyError> {
        Ok(Self {
            gauss: random_gaussian(d, seed)?,
            mu: 0.5,
        })
    }
}

impl EntropyTask for LogNormal {
    fn name(&self) -> String {
        alloc::format!("log-normal-d{}", self.gauss.dim())
    }

    fn dim(&self) -> usize {
        self.gauss.dim()
    }

    fn entropy(&self) -> f64 {
        self.gauss.entropy() + self.gauss.dim() as f64 * self.mu
    }

    fn log_density(&self, x: &[f64]) -> f64 {
        if x.iter().any(|&v| v <= 0.0) {
            return f64::NEG_INFINITY;
        }
        let z: Vec<f64> = x.iter().map(|&v| libm::log(v) - self.mu).collect();
        self.gauss.log_density(&z) - x.iter().map(|&v| libm::log(v)).sum::<f64>()
    }

    fn sample(&self, n: usize, seed: u64) -> Result<Samples, EntropyError> {
        let d = self.gauss.dim();
        let mut rng = from_seed(seed);
        let mut z = vec![0.0; d];
        let mut x = Vec::with_capacity(n * d);
        for _ in 0..n {
            self.gauss.draw(&mut rng, &mut z);
            x.extend(z.iter().map(|v| libm::exp(v + self.mu)));
        }
        Ok(Samples::new(x, d)?)
    }
}

/// The multivariate Student's t with ν degrees of freedom and scale Σ, x = z / √(χ²_ν/ν):
/// h = ½ ln det Σ + ln[(νπ)^{d/2} Γ(ν/2) / Γ((ν+d)/2)] + (ν+d)/2 [ψ((ν+d)/2) − ψ(ν/2)].
#[derive(Clone, Debug, PartialEq)]
pub struct MultivariateStudent {
    gauss: GaussianCase,
    nu: u32,
}

impl MultivariateStudent {
    /// In dimension `d` with ν ≥ 1, Σ drawn from `seed`.
    ///
    /// # Errors
    /// [`EntropyError::Parameter`] for d = 0 or ν = 0.
    pub fn new(d: usize, nu: u32, seed: u64) -> Result<Self, EntropyError> {
        if nu == 0 {
            return Err(EntropyError::Parameter(
                "Student's t needs ν ≥ 1 degrees of freedom",
            ));
        }
        Ok(Self {
            gauss: random_gaussian(d, seed)?,
            nu,
        })
    }

    /// ln of the density's normalisation Γ((ν+d)/2) / (Γ(ν/2) (νπ)^{d/2} det Σ^{1/2}).
    fn log_norm(&self) -> f64 {
        let (v, d) = (f64::from(self.nu), self.gauss.dim() as f64);
        libm::lgamma((v + d) / 2.0)
            - libm::lgamma(v / 2.0)
            - d / 2.0 * libm::log(v * core::f64::consts::PI)
            - 0.5 * self.gauss.log_det()
    }
}

impl EntropyTask for MultivariateStudent {
    fn name(&self) -> String {
        alloc::format!("student{}-d{}", self.nu, self.gauss.dim())
    }

    fn dim(&self) -> usize {
        self.gauss.dim()
    }

    fn entropy(&self) -> f64 {
        let (v, d) = (f64::from(self.nu), self.gauss.dim() as f64);
        -self.log_norm() + (v + d) / 2.0 * (digamma((v + d) / 2.0) - digamma(v / 2.0))
    }

    fn log_density(&self, x: &[f64]) -> f64 {
        let (v, d) = (f64::from(self.nu), self.gauss.dim() as f64);
        self.log_norm() - (v + d) / 2.0 * libm::log1p(self.gauss.mahalanobis(x) / v)
    }

    fn sample(&self, n: usize, seed: u64) -> Result<Samples, EntropyError> {
        let d = self.gauss.dim();
        let mut rng = from_seed(seed);
        let mut z = vec![0.0; d];
        let mut x = Vec::with_capacity(n * d);
        for _ in 0..n {
            self.gauss.draw(&mut rng, &mut z);
            let scale = 1.0 / libm::sqrt(chi_square(self.nu, &mut rng) / f64::from(self.nu));
            x.extend(z.iter().map(|v| v * scale));
        }
        Ok(Samples::new(x, d)?)
    }
}
