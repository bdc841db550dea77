use super::observable::check_batch;
use super::{Energy, MaxEntError};
use crate::rng::normal_pair;
use alloc::vec::Vec;
use nalgebra::DMatrix;
use rand_core::Rng;

/// A centred Gaussian energy H(x) = ½ Σₖ (uₖ·x)² / vₖ with orthonormal axes uₖ and variances
/// vₖ: the exactly known target on which samplers are compared (P(x) = N(0, Σ), Σ = Σₖ vₖ uₖuₖᵀ).
///
/// # Examples
/// ```
/// use entropic::maxent::{Energy, GaussianEnergy};
/// let mut rng = entropic::rng::from_seed(1);
/// // Variances 1 … 100 along the axes of a random rotation of R⁸.
/// let mut target = GaussianEnergy::anisotropic(8, 100.0, &mut rng)?;
/// assert_eq!(target.variances()[7], 100.0);
/// let top = target.axis(7).to_vec();
/// let x: Vec<f64> = top.iter().map(|u| 10.0 * u).collect(); // 10 along the widest axis
/// let mut h = Vec::new();
/// target.energies(&x, 1, &mut h);
/// assert!((h[0] - 0.5).abs() < 1e-12);
/// # Ok::<(), entropic::maxent::MaxEntError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct GaussianEnergy {
    dim: usize,
    /// Axes uₖ, row k.
    axes: Vec<f64>,
    variances: Vec<f64>,
    projections: Vec<f64>,
}

impl GaussianEnergy {
    /// Variances log-spaced from 1 to `condition` (the covariance's condition number) along the
    /// axes of a rotation drawn uniformly (Haar) from `rng`: the Q of the QR decomposition of a
    /// matrix of standard normals, its columns' signs fixed by R's diagonal.
    ///
    /// # Errors
    /// [`MaxEntError::Parameter`] for a zero dimension or a condition number that is not finite
    /// and ≥ 1.
    pub fn anisotropic<R: Rng + ?Sized>(
        dim: usize,
        condition: f64,
        rng: &mut R,
    ) -> Result<Self, MaxEntError> {
        if dim == 0 || !(condition.is_finite() && condition >= 1.0) {
            return Err(MaxEntError::Parameter(
                "a Gaussian target needs a dimension ≥ 1 and a finite condition number ≥ 1",
            ));
        }
        let mut normals = Vec::with_capacity(dim * dim);
        while normals.len() < dim * dim {
            let (a, b) = normal_pair(rng);
            normals.push(a);
            normals.push(b);
        }
        normals.truncate(dim * dim);
        let qr = DMatrix::from_row_slice(dim, dim, &normals).qr();
        let (q, r) = (qr.q(), qr.r());
        let axes = (0..dim)
            .flat_map(|k| {
                let sign = if r[(k, k)] < 0.0 { -1.0 } else { 1.0 };
                let q = &q;
                (0..dim).map(move |j| sign * q[(j, k)])
            })
            .collect();
        let variances = (0..dim)
            .map(|k| {
                if dim == 1 {
                    condition
                } else {
                    libm::pow(condition, k as f64 / (dim - 1) as f64)
                }
            })
            .collect();
        Ok(Self {
            dim,
            axes,
            variances,
            projections: Vec::new(),
        })
    }

    /// Dimension d.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The variances vₖ along the axes, increasing.
    pub fn variances(&self) -> &[f64] {
        &self.variances
    }

    /// Axis uₖ (unit length).
    pub fn axis(&self, k: usize) -> &[f64] {
        &self.axes[k * self.dim..(k + 1) * self.dim]
    }

    /// `n` independent exact draws x = Σₖ zₖ √vₖ uₖ (zₖ standard normal, the first of a Box–Muller
    /// pair per axis), row-major n × d: walkers that start in equilibrium.
    pub fn exact_draws<R: Rng + ?Sized>(&self, n: usize, rng: &mut R) -> Vec<f64> {
        let d = self.dim;
        let mut x = alloc::vec![0.0; n * d];
        for row in x.chunks_exact_mut(d) {
            for k in 0..d {
                let z = normal_pair(rng).0 * libm::sqrt(self.variances[k]);
                row.iter_mut()
                    .zip(self.axis(k))
                    .for_each(|(x, u)| *x += z * u);
            }
        }
        x
    }

    /// uₖ·x / vₖ for every walker and axis, into `self.projections` (batch × d).
    fn scaled_projections(&mut self, x: &[f64]) {
        let d = self.dim;
        self.projections.clear();
        for row in x.chunks_exact(d) {
            for (u, v) in self.axes.chunks_exact(d).zip(&self.variances) {
                self.projections
                    .push(u.iter().zip(row).map(|(a, b)| a * b).sum::<f64>() / v);
            }
        }
    }
}

impl Energy for GaussianEnergy {
    fn energies(&mut self, x: &[f64], batch: usize, out: &mut Vec<f64>) -> Result<(), MaxEntError> {
        check_batch(x, batch, self.dim, None)?;
        self.scaled_projections(x);
        out.clear();
        out.extend(self.projections.chunks_exact(self.dim).map(|p| {
            0.5 * p
                .iter()
                .zip(&self.variances)
                .map(|(q, v)| q * q * v)
                .sum::<f64>()
        }));
        Ok(())
    }

    fn gradients(
        &mut self,
        x: &[f64],
        batch: usize,
        out: &mut Vec<f64>,
    ) -> Result<bool, MaxEntError> {
        check_batch(x, batch, self.dim, None)?;
        self.scaled_projections(x);
        let d = self.dim;
        out.clear();
        out.resize(x.len(), 0.0);
        for (g, p) in out
            .chunks_exact_mut(d)
            .zip(self.projections.chunks_exact(d))
        {
            for (u, q) in self.axes.chunks_exact(d).zip(p) {
                g.iter_mut().zip(u).for_each(|(g, u)| *g += q * u);
            }
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::from_seed;

    #[test]
    fn axes_are_orthonormal_and_the_gradient_matches_finite_differences() {
        let mut target = GaussianEnergy::anisotropic(5, 30.0, &mut from_seed(2)).unwrap();
        for a in 0..5 {
            for b in 0..5 {
                let dot: f64 = target
                    .axis(a)
                    .iter()
                    .zip(target.axis(b))
                    .map(|(x, y)| x * y)
                    .sum();
                assert!((dot - f64::from(u8::from(a == b))).abs() < 1e-12);
            }
        }
        assert!((target.variances()[4] - 30.0).abs() < 1e-12 && target.variances()[0] == 1.0);
        let x = [0.3, -1.2, 0.7, 2.0, -0.4, 1.1, 0.0, -0.9, 0.5, 0.25];
        let mut g = Vec::new();
        assert!(target.gradients(&x, 2, &mut g).unwrap());
        let mut e = Vec::new();
        for k in 0..x.len() {
            let (mut up, mut down) = (x, x);
            up[k] += 1e-6;
            down[k] -= 1e-6;
            target.energies(&up, 2, &mut e).unwrap();
            let hi = e[k / 5];
            target.energies(&down, 2, &mut e).unwrap();
            let fd = (hi - e[k / 5]) / 2e-6;
            assert!((fd - g[k]).abs() < 1e-7, "{k}: {fd} vs {}", g[k]);
        }
        assert!(GaussianEnergy::anisotropic(0, 2.0, &mut from_seed(1)).is_err());
        assert!(GaussianEnergy::anisotropic(3, 0.5, &mut from_seed(1)).is_err());
        assert!(GaussianEnergy::anisotropic(3, f64::NAN, &mut from_seed(1)).is_err());
    }
}
