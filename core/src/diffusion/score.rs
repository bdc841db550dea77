use super::{DiffusionError, VpSde};
use alloc::vec::Vec;
use nalgebra::{DMatrix, SymmetricEigen};

/// A score function ∇ₓ ln p_t(x) of a diffused distribution, evaluated in batches (`&mut` so a
/// network can reuse its buffers).
///
/// # Examples
/// A score of one's own: standard normal data stay standard normal under the VP-SDE
/// (k_t² + σ_t² = 1), so ∇ ln p_t(x) = −x at every t; it agrees with [`GaussianScore`] of
/// N(0, I).
/// ```
/// use entropic::diffusion::{DiffusionError, GaussianScore, Score, VpSde};
///
/// struct StandardNormal { dim: usize }
/// impl Score for StandardNormal {
///     fn dim(&self) -> usize { self.dim }
///     fn score_batch(&mut self, x: &[f64], t: &[f64], out: &mut [f64]) -> Result<(), DiffusionError> {
///         if x.len() != t.len() * self.dim || out.len() != x.len() {
///             return Err(DiffusionError::Shape("one row of x and out per time"));
///         }
///         out.iter_mut().zip(x).for_each(|(o, &v)| *o = -v);
///         Ok(())
///     }
/// }
///
/// let sde = VpSde::default();
/// let mut exact = GaussianScore::new(sde, &[0.0, 0.0], &[1.0, 0.0, 0.0, 1.0])?;
/// let (x, t) = ([0.3, -1.2, 2.0, 0.5], [0.1, 0.9]);
/// let (mut a, mut b) = ([0.0; 4], [0.0; 4]);
/// StandardNormal { dim: 2 }.score_batch(&x, &t, &mut a)?;
/// exact.score_batch(&x, &t, &mut b)?;
/// assert!(a.iter().zip(&b).all(|(p, q)| (p - q).abs() < 1e-12));
/// # Ok::<(), DiffusionError>(())
/// ```
pub trait Score {
    /// Dimension of x.
    fn dim(&self) -> usize;
    /// Write ∇ₓ ln p_{tᵢ}(xᵢ) for the rows xᵢ of `x` (one per entry of `t`) into `out`.
    ///
    /// # Errors
    /// [`DiffusionError::Shape`] if the lengths of `x`, `t` and `out` do not fit
    /// [`Score::dim`]; an implementation's own error (a learned model asked for a condition it
    /// cannot evaluate).
    fn score_batch(&mut self, x: &[f64], t: &[f64], out: &mut [f64]) -> Result<(), DiffusionError>;
}

/// [`DiffusionError::Shape`] unless `x` and `out` hold one row of `d` per entry of `t`.
pub(crate) fn check_rows(
    d: usize,
    x: &[f64],
    t: &[f64],
    out: &[f64],
) -> Result<(), DiffusionError> {
    let rows = t.len().checked_mul(d);
    if rows != Some(x.len()) || rows != Some(out.len()) {
        return Err(DiffusionError::Shape(
            "x and out must hold one row of the score's dimension per time",
        ));
    }
    Ok(())
}

/// The exact score of N(m, Σ) data diffused by a [`VpSde`]:
/// p_t = N(k_t m, k_t²Σ + (1 − k_t²) I), so ∇ ln p_t(x) = −(k_t²Σ + (1 − k_t²)I)⁻¹ (x − k_t m),
/// applied through the eigenvectors of Σ (shared by every t).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct GaussianScore {
    sde: VpSde,
    mean: Vec<f64>,
    eigenvalues: Vec<f64>,
    /// Eigenvectors as columns, row-major d×d.
    vectors: Vec<f64>,
}

impl GaussianScore {
    /// # Errors
    /// [`DiffusionError::Shape`] unless `covariance` is a symmetric positive-definite d×d matrix
    /// (row-major) with d = `mean.len()`.
    pub fn new(sde: VpSde, mean: &[f64], covariance: &[f64]) -> Result<Self, DiffusionError> {
        let d = mean.len();
        if d == 0 || covariance.len() != d * d {
            return Err(DiffusionError::Shape(
                "covariance must be d×d for a mean of length d",
            ));
        }
        let sym = (0..d).all(|i| {
            (0..d).all(|j| {
                (covariance[i * d + j] - covariance[j * d + i]).abs()
                    <= 1e-12 * covariance[i * d + i].abs().max(1.0)
            })
        });
        if !sym || covariance.iter().chain(mean).any(|v| !v.is_finite()) {
            return Err(DiffusionError::Shape(
                "covariance must be finite and symmetric",
            ));
        }
        let eig = SymmetricEigen::new(DMatrix::from_row_slice(d, d, covariance));
        if eig.eigenvalues.iter().any(|&l| l <= 0.0) {
            return Err(DiffusionError::Shape(
                "covariance must be positive definite",
            ));
        }
        let vectors = (0..d)
            .flat_map(|i| (0..d).map(move |j| (i, j)))
            .map(|(i, j)| eig.eigenvectors[(i, j)])
            .collect();
        Ok(Self {
            sde,
            mean: mean.to_vec(),
            eigenvalues: eig.eigenvalues.iter().copied().collect(),
            vectors,
        })
    }

    /// Dimension of x.
    pub fn dim(&self) -> usize {
        self.mean.len()
    }

    /// Whether the stored eigen-decomposition has consistent lengths and positive eigenvalues
    /// (for models read from files).
    pub fn is_consistent(&self) -> bool {
        let d = self.mean.len();
        d > 0
            && self.eigenvalues.len() == d
            && self.vectors.len() == d * d
            && self.eigenvalues.iter().all(|&l| l > 0.0 && l.is_finite())
            && self.vectors.iter().chain(&self.mean).all(|v| v.is_finite())
    }

    /// ∇ₓ ln p_t(x) for one point.
    pub fn score_at(&self, x: &[f64], t: f64, out: &mut [f64]) {
        let d = self.mean.len();
        let k = self.sde.mean_coefficient(t);
        let (k2, v) = (k * k, self.sde.variance(t));
        // c = Uᵀ(x − k m), scaled by 1/(k²λ + 1 − k²), then out = −U c.
        let mut c: Vec<f64> = (0..d)
            .map(|j| {
                (0..d)
                    .map(|i| self.vectors[i * d + j] * (x[i] - k * self.mean[i]))
                    .sum::<f64>()
            })
            .collect();
        for (c, &l) in c.iter_mut().zip(&self.eigenvalues) {
            *c /= k2 * l + v;
        }
        for (i, o) in out.iter_mut().enumerate() {
            *o = -(0..d).map(|j| self.vectors[i * d + j] * c[j]).sum::<f64>();
        }
    }
}

impl Score for GaussianScore {
    fn dim(&self) -> usize {
        self.mean.len()
    }

    fn score_batch(&mut self, x: &[f64], t: &[f64], out: &mut [f64]) -> Result<(), DiffusionError> {
        let d = self.mean.len();
        check_rows(d, x, t, out)?;
        for (i, &ti) in t.iter().enumerate() {
            self.score_at(&x[i * d..(i + 1) * d], ti, &mut out[i * d..(i + 1) * d]);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows that do not fit the dimension are an error, not a panic or a silent truncation, for
    /// a score and for a denoiser used as one.
    #[test]
    fn mismatched_rows_are_refused() {
        let sde = VpSde::default();
        let mut g = GaussianScore::new(sde, &[0.0, 1.0], &[1.0, 0.2, 0.2, 2.0]).unwrap();
        let mut out = [0.0; 4];
        assert!(g.score_batch(&[0.1; 4], &[0.3, 0.5], &mut out).is_ok());
        assert!(g.score_batch(&[0.1; 3], &[0.3, 0.5], &mut out).is_err());
        assert!(g.score_batch(&[0.1; 4], &[0.3], &mut out).is_err());
        assert!(
            g.score_batch(&[0.1; 4], &[0.3, 0.5], &mut out[..2])
                .is_err()
        );
        let exact =
            super::super::ExactDenoiser::new(1, alloc::vec![1.0, -1.0], &[0.5, 0.5]).unwrap();
        let mut tweedie = super::super::Tweedie::new(sde, exact);
        assert!(
            tweedie
                .score_batch(&[0.1, 0.2], &[0.3, 0.5], &mut out[..2])
                .is_ok()
        );
        assert!(
            tweedie
                .score_batch(&[0.1, 0.2], &[0.3], &mut out[..2])
                .is_err()
        );
    }

    #[test]
    fn gaussian_score_matches_finite_differences_of_the_log_density() {
        let sde = VpSde::default();
        let cov = [2.0, 0.5, 0.1, 0.5, 1.0, -0.3, 0.1, -0.3, 0.7];
        let mean = [0.3, -1.0, 2.0];
        let score = GaussianScore::new(sde, &mean, &cov).unwrap();
        let t = 0.05;
        let k = sde.mean_coefficient(t);
        let ct: Vec<f64> = (0..9)
            .map(|ij| k * k * cov[ij] + if ij % 4 == 0 { sde.variance(t) } else { 0.0 })
            .collect();
        let inv = DMatrix::from_row_slice(3, 3, &ct).try_inverse().unwrap();
        let log_p = |x: &[f64]| -> f64 {
            let r: Vec<f64> = (0..3).map(|i| x[i] - k * mean[i]).collect();
            -0.5 * (0..3)
                .map(|i| (0..3).map(|j| r[i] * inv[(i, j)] * r[j]).sum::<f64>())
                .sum::<f64>()
        };
        let x = [0.1, 0.4, -0.2];
        let mut s = [0.0; 3];
        score.score_at(&x, t, &mut s);
        for i in 0..3 {
            let h = 1e-5;
            let (mut a, mut b) = (x, x);
            a[i] += h;
            b[i] -= h;
            let fd = (log_p(&a) - log_p(&b)) / (2.0 * h);
            assert!((fd - s[i]).abs() < 1e-7, "{fd} vs {}", s[i]);
        }
        assert!(GaussianScore::new(sde, &mean, &[1.0; 9]).is_err());
    }
}
