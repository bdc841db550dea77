//! [`LinearMix`]: x = A u with i.i.d. non-Gaussian sources u.
use super::{EntropyTask, Samples, Univariate};
use crate::entropy::EntropyError;
use crate::rng::{from_seed, normal_pair};
use alloc::string::String;
use alloc::vec::Vec;
use nalgebra::DMatrix;

/// x = A u with u ∈ ℝ^d i.i.d. from a [`Univariate`] law and A = Q diag(s) (Q a random
/// orthogonal matrix, s log-spaced over `condition`): h(x) = Σᵢ h(uᵢ) + ln |det A|, with
/// ln |det A| = Σᵢ ln sᵢ. The mix hides the sources' independence from any per-coordinate
/// method, and `condition` > 1 makes the case anisotropic.
#[derive(Clone, Debug, PartialEq)]
pub struct LinearMix {
    law: Univariate,
    d: usize,
    condition: f64,
    /// A, row-major.
    a: Vec<f64>,
    /// A⁻¹ = diag(1/s) Qᵀ, row-major.
    a_inv: Vec<f64>,
    log_det: f64,
}

impl LinearMix {
    /// The mix in dimension `d` whose scales sᵢ run log-evenly from 1/√condition to
    /// √condition (all 1 for d = 1), with Q drawn from `seed` (Gram–Schmidt of a Gaussian
    /// matrix, by nalgebra's QR).
    ///
    /// # Errors
    /// [`EntropyError::Parameter`] for d = 0, a condition number below 1 or not finite, or a
    /// Student's t with ν = 0.
    pub fn new(law: Univariate, d: usize, condition: f64, seed: u64) -> Result<Self, EntropyError> {
        if d == 0 {
            return Err(EntropyError::Parameter("the dimension must be at least 1"));
        }
        if !(condition.is_finite() && condition >= 1.0) {
            return Err(EntropyError::Parameter(
                "the condition number must be finite and at least 1",
            ));
        }
        if law == Univariate::StudentT(0) {
            return Err(EntropyError::Parameter(
                "Student's t needs ν ≥ 1 degrees of freedom",
            ));
        }
        let mut rng = from_seed(seed);
        let g = DMatrix::from_fn(d, d, |_, _| normal_pair(&mut rng).0);
        let q = g.qr().q();
        let scales: Vec<f64> = (0..d)
            .map(|i| {
                let f = if d == 1 {
                    0.0
                } else {
                    i as f64 / (d - 1) as f64 - 0.5
                };
                libm::pow(condition, f)
            })
            .collect();
        let a = (0..d * d)
            .map(|ij| q[(ij / d, ij % d)] * scales[ij % d])
            .collect();
        let a_inv = (0..d * d)
            .map(|ij| q[(ij % d, ij / d)] / scales[ij / d])
            .collect();
        Ok(Self {
            law,
            d,
            condition,
            a,
            a_inv,
            log_det: scales.iter().map(|s| libm::log(*s)).sum(),
        })
    }
}

impl EntropyTask for LinearMix {
    fn name(&self) -> String {
        let mut name = alloc::format!("{}-mix-d{}", self.law.name(), self.d);
        if self.condition != 1.0 {
            name.push_str(&alloc::format!("-cond{}", self.condition));
        }
        name
    }

    fn dim(&self) -> usize {
        self.d
    }

    fn entropy(&self) -> f64 {
        self.d as f64 * self.law.entropy() + self.log_det
    }

    fn log_density(&self, x: &[f64]) -> f64 {
        let d = self.d;
        (0..d)
            .map(|i| {
                let u: f64 = (0..d).map(|j| self.a_inv[i * d + j] * x[j]).sum();
                self.law.log_density(u)
            })
            .sum::<f64>()
            - self.log_det
    }

    fn sample(&self, n: usize, seed: u64) -> Result<Samples, EntropyError> {
        let d = self.d;
        let mut rng = from_seed(seed);
        let mut x = Vec::with_capacity(n * d);
        let mut u = alloc::vec![0.0; d];
        for _ in 0..n {
            u.iter_mut().for_each(|v| *v = self.law.sample(&mut rng));
            x.extend((0..d).map(|i| (0..d).map(|j| self.a[i * d + j] * u[j]).sum::<f64>()));
        }
        Ok(Samples::new(x, d)?)
    }
}
