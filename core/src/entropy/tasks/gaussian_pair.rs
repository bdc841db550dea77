//! Multinormal and multivariate Student-t pairs (X, Y) with closed-form mutual information.
use super::{MutualInformationTask, chi_square};
use crate::entropy::{EntropyError, GaussianCase, Samples};
use crate::rng::from_seed;
use crate::special::digamma;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

/// (X, Y) jointly normal with unit variances: I = ½ [ln det Σ_x + ln det Σ_y − ln det Σ].
#[derive(Clone, Debug, PartialEq)]
pub struct GaussianPair {
    joint: GaussianCase,
    x: GaussianCase,
    y: GaussianCase,
    name: String,
}

impl GaussianPair {
    /// Every off-diagonal correlation (within X, within Y and across) equal to `rho`.
    ///
    /// # Errors
    /// [`EntropyError::Parameter`] for a zero dimension or ρ outside [0, 1).
    pub fn dense(dx: usize, dy: usize, rho: f64) -> Result<Self, EntropyError> {
        if !(0.0..1.0).contains(&rho) {
            return Err(EntropyError::Parameter("the correlation must be in [0, 1)"));
        }
        Self::build(
            dx,
            dy,
            |i, j| if i == j { 1.0 } else { rho },
            alloc::format!("multinormal-dense-{dx}x{dy}"),
        )
    }

    /// The first `pairs` coordinates of X each correlated with the same coordinate of Y with
    /// correlation `rho`, everything else independent: I = −(pairs/2) ln(1 − ρ²).
    ///
    /// # Errors
    /// [`EntropyError::Parameter`] for a zero dimension, more pairs than min(d_x, d_y), or ρ
    /// outside (−1, 1).
    pub fn sparse(dx: usize, dy: usize, pairs: usize, rho: f64) -> Result<Self, EntropyError> {
        if pairs > dx.min(dy) || rho.is_nan() || rho.abs() >= 1.0 {
            return Err(EntropyError::Parameter(
                "at most min(d_x, d_y) pairs with a correlation in (−1, 1)",
            ));
        }
        Self::build(
            dx,
            dy,
            |i, j| {
                if i == j {
                    1.0
                } else if (i < pairs && j == dx + i) || (j < pairs && i == dx + j) {
                    rho
                } else {
                    0.0
                }
            },
            alloc::format!("multinormal-sparse-{dx}x{dy}"),
        )
    }

    fn build(
        dx: usize,
        dy: usize,
        corr: impl Fn(usize, usize) -> f64,
        name: String,
    ) -> Result<Self, EntropyError> {
        if dx == 0 || dy == 0 {
            return Err(EntropyError::Parameter(
                "both dimensions must be at least 1",
            ));
        }
        let d = dx + dy;
        let block = |lo: usize, n: usize| {
            GaussianCase::new(
                vec![0.0; n],
                (0..n * n)
                    .map(|ij| corr(lo + ij / n, lo + ij % n))
                    .collect(),
            )
        };
        Ok(Self {
            joint: block(0, d)?,
            x: block(0, dx)?,
            y: block(dx, dy)?,
            name,
        })
    }

    /// The joint law.
    pub(crate) fn joint(&self) -> &GaussianCase {
        &self.joint
    }
}

impl MutualInformationTask for GaussianPair {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn dims(&self) -> (usize, usize) {
        (self.x.dim(), self.y.dim())
    }

    fn mutual_information(&self) -> f64 {
        0.5 * (self.x.log_det() + self.y.log_det() - self.joint.log_det())
    }

    fn pointwise(&self, x: &[f64], y: &[f64]) -> f64 {
        let xy: Vec<f64> = x.iter().chain(y).copied().collect();
        self.joint.log_density(&xy) - self.x.log_density(x) - self.y.log_density(y)
    }

    fn sample(&self, n: usize, seed: u64) -> Result<(Samples, Samples), EntropyError> {
        split(&self.joint.sample(n, &mut from_seed(seed))?, self.x.dim())
    }
}

/// Rows of `xy` split after column `dx`.
pub(crate) fn split(xy: &Samples, dx: usize) -> Result<(Samples, Samples), EntropyError> {
    Ok((xy.columns(0, dx)?, xy.columns(dx, xy.dim())?))
}

/// (X, Y) multivariate Student-t with ν degrees of freedom and the scale matrix of a
/// [`GaussianPair`]:
///
/// I = I_Gauss + ln Γ(ν/2) + ln Γ((ν+d)/2) − ln Γ((ν+d_x)/2) − ln Γ((ν+d_y)/2)
///     + ((ν+d_x)/2) ψ((ν+d_x)/2) + ((ν+d_y)/2) ψ((ν+d_y)/2) − (ν/2) ψ(ν/2) − ((ν+d)/2) ψ((ν+d)/2).
///
/// The marginals are Student-t with the same ν; the common scale adds dependence even where the
/// correlations are zero.
#[derive(Clone, Debug, PartialEq)]
pub struct StudentPair {
    base: GaussianPair,
    nu: u32,
}

impl StudentPair {
    /// # Errors
    /// [`EntropyError::Parameter`] for ν = 0.
    pub fn new(base: GaussianPair, nu: u32) -> Result<Self, EntropyError> {
        if nu == 0 {
            return Err(EntropyError::Parameter(
                "Student's t needs ν ≥ 1 degrees of freedom",
            ));
        }
        Ok(Self { base, nu })
    }

    /// ln of the Student-t density with scale `g` at `x`.
    fn log_density(&self, g: &GaussianCase, x: &[f64]) -> f64 {
        let (v, d) = (f64::from(self.nu), g.dim() as f64);
        libm::lgamma((v + d) / 2.0)
            - libm::lgamma(v / 2.0)
            - d / 2.0 * libm::log(v * core::f64::consts::PI)
            - 0.5 * g.log_det()
            - (v + d) / 2.0 * libm::log1p(g.mahalanobis(x) / v)
    }
}

impl MutualInformationTask for StudentPair {
    fn name(&self) -> String {
        let (dx, dy) = self.base.dims();
        alloc::format!("student{}-dense-{dx}x{dy}", self.nu)
    }

    fn dims(&self) -> (usize, usize) {
        self.base.dims()
    }

    fn mutual_information(&self) -> f64 {
        let (dx, dy) = self.base.dims();
        let v = f64::from(self.nu);
        let (a, b, c) = ((v + dx as f64) / 2.0, (v + dy as f64) / 2.0, v / 2.0);
        let j = (v + (dx + dy) as f64) / 2.0;
        self.base.mutual_information() + libm::lgamma(c) + libm::lgamma(j)
            - libm::lgamma(a)
            - libm::lgamma(b)
            + a * digamma(a)
            + b * digamma(b)
            - c * digamma(c)
            - j * digamma(j)
    }

    fn pointwise(&self, x: &[f64], y: &[f64]) -> f64 {
        let xy: Vec<f64> = x.iter().chain(y).copied().collect();
        self.log_density(&self.base.joint, &xy)
            - self.log_density(&self.base.x, x)
            - self.log_density(&self.base.y, y)
    }

    fn sample(&self, n: usize, seed: u64) -> Result<(Samples, Samples), EntropyError> {
        let g = self.base.joint();
        let d = g.dim();
        let mut rng = from_seed(seed);
        let (mut z, mut xy) = (vec![0.0; d], Vec::with_capacity(n * d));
        for _ in 0..n {
            g.draw(&mut rng, &mut z);
            let scale = 1.0 / libm::sqrt(chi_square(self.nu, &mut rng) / f64::from(self.nu));
            xy.extend(z.iter().map(|v| v * scale));
        }
        split(&Samples::new(xy, d)?, self.base.dims().0)
    }
}
