use super::observable::check_batch;
use super::{MaxEntError, Observables};
use alloc::vec;
use alloc::vec::Vec;

/// Squared projections on a rotated basis, fᵢ(x) = ((R(θ) x)ᵢ)² (paper Eq. 11), generalised to d
/// dimensions with R(θ) = G_K ⋯ G_1 a product of Givens rotations, one angle per pair (p < q).
///
/// In 2D, R = [[cos θ, sin θ], [−sin θ, cos θ]] and f₁ = (cos θ x + sin θ y)²,
/// f₂ = (−sin θ x + cos θ y)², exactly Eq. 11. Min-MaxEnt over θ recovers PCA (Sec. I.1).
///
/// # Examples
/// ```
/// use entropic::maxent::{Observables, RotatedVariances};
/// let mut f = RotatedVariances::new(2, &[0.0]);
/// let mut out = Vec::new();
/// f.eval(&[1.0, 2.0], 1, &mut out);
/// assert_eq!(out, vec![1.0, 4.0]);
/// ```
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RotatedVariances {
    dim: usize,
    /// (p, q) of each Givens rotation, in application order.
    pairs: Vec<(usize, usize)>,
    angles: Vec<f64>,
    grads: Vec<f64>,
}

impl RotatedVariances {
    /// d-dimensional observables with the given d(d−1)/2 angles (pairs ordered (0,1), (0,2), …).
    ///
    /// # Panics
    /// If `angles.len() != d(d−1)/2`.
    pub fn new(dim: usize, angles: &[f64]) -> Self {
        let pairs: Vec<(usize, usize)> = (0..dim)
            .flat_map(|p| (p + 1..dim).map(move |q| (p, q)))
            .collect();
        assert_eq!(
            angles.len(),
            pairs.len(),
            "a {dim}-dimensional rotation has {} angles",
            pairs.len()
        );
        Self {
            dim,
            grads: vec![0.0; pairs.len()],
            pairs,
            angles: angles.to_vec(),
        }
    }

    /// The rotation angles.
    pub fn angles(&self) -> &[f64] {
        &self.angles
    }

    /// Apply Givens rotation k (or its derivative with respect to its angle) to `v` in place.
    fn givens(&self, k: usize, derivative: bool, v: &mut [f64]) {
        let (p, q) = self.pairs[k];
        let (s, c) = libm::sincos(self.angles[k]);
        let (a, b) = (v[p], v[q]);
        if derivative {
            // d/dθ [[c, s], [−s, c]] = [[−s, c], [−c, −s]] on (p, q); other components vanish.
            v.iter_mut().for_each(|x| *x = 0.0);
            v[p] = -s * a + c * b;
            v[q] = -c * a - s * b;
        } else {
            v[p] = c * a + s * b;
            v[q] = -s * a + c * b;
        }
    }

    /// R x.
    fn rotate(&self, x: &[f64], out: &mut [f64]) {
        out.copy_from_slice(x);
        for k in 0..self.pairs.len() {
            self.givens(k, false, out);
        }
    }

    /// The rotation matrix R (row-major d×d).
    pub fn matrix(&self) -> Vec<f64> {
        let d = self.dim;
        let mut r = vec![0.0; d * d];
        let mut col = vec![0.0; d];
        let mut e = vec![0.0; d];
        for j in 0..d {
            e.iter_mut().for_each(|v| *v = 0.0);
            e[j] = 1.0;
            self.rotate(&e, &mut col);
            for i in 0..d {
                r[i * d + j] = col[i];
            }
        }
        r
    }
}

impl Observables for RotatedVariances {
    fn dim(&self) -> usize {
        self.dim
    }

    fn count(&self) -> usize {
        self.dim
    }

    fn eval(&mut self, x: &[f64], batch: usize, out: &mut Vec<f64>) -> Result<(), MaxEntError> {
        check_batch(x, batch, self.dim, None)?;
        out.clear();
        out.resize(batch * self.dim, 0.0);
        let mut y = vec![0.0; self.dim];
        for (xb, ob) in x.chunks_exact(self.dim).zip(out.chunks_exact_mut(self.dim)) {
            self.rotate(xb, &mut y);
            for (o, v) in ob.iter_mut().zip(&y) {
                *o = v * v;
            }
        }
        Ok(())
    }

    /// ∂/∂x Σᵢ wᵢ (R x)ᵢ² = 2 Rᵀ (w ∘ R x).
    fn input_grad(
        &mut self,
        x: &[f64],
        batch: usize,
        w: &[f64],
        out: &mut Vec<f64>,
    ) -> Result<(), MaxEntError> {
        check_batch(x, batch, self.dim, Some((w, self.count())))?;
        let d = self.dim;
        let r = self.matrix();
        out.clear();
        out.resize(batch * d, 0.0);
        let mut y = vec![0.0; d];
        for ((xb, wb), ob) in x
            .chunks_exact(d)
            .zip(w.chunks_exact(d))
            .zip(out.chunks_exact_mut(d))
            .take(batch)
        {
            self.rotate(xb, &mut y);
            for i in 0..d {
                let gi = 2.0 * wb[i] * y[i];
                for (j, o) in ob.iter_mut().enumerate() {
                    *o += r[i * d + j] * gi;
                }
            }
        }
        Ok(())
    }

    /// ∂/∂θ_k Σᵢ wᵢ (R x)ᵢ² = 2 g_kᵀ G_k′ y_{k−1}, by reverse-mode accumulation: y_k = G_k ⋯ G_1 x
    /// forward, g_K = w ∘ y_K and g_{k−1} = G_kᵀ g_k backward (O(K d) per sample, not O(K² d)).
    fn accumulate_grad(&mut self, x: &[f64], batch: usize, w: &[f64]) -> Result<(), MaxEntError> {
        check_batch(x, batch, self.dim, Some((w, self.count())))?;
        let (d, k_max) = (self.dim, self.pairs.len());
        let mut ys = vec![0.0; (k_max + 1) * d];
        let trig: Vec<(f64, f64)> = self.angles.iter().map(|&a| libm::sincos(a)).collect();
        let mut g = vec![0.0; d];
        for (xb, wb) in x.chunks_exact(d).zip(w.chunks_exact(d)).take(batch) {
            ys[..d].copy_from_slice(xb);
            for k in 0..k_max {
                let (prev, next) = ys.split_at_mut((k + 1) * d);
                next[..d].copy_from_slice(&prev[k * d..]);
                self.givens(k, false, &mut next[..d]);
            }
            for i in 0..d {
                g[i] = wb[i] * ys[k_max * d + i];
            }
            for k in (0..k_max).rev() {
                let (p, q) = self.pairs[k];
                let (s, c) = trig[k];
                let y = &ys[k * d..(k + 1) * d];
                // G_k′ y has components (−s y_p + c y_q, −c y_p − s y_q) at (p, q).
                self.grads[k] +=
                    2.0 * (g[p] * (-s * y[p] + c * y[q]) + g[q] * (-c * y[p] - s * y[q]));
                // g ← G_kᵀ g: G_k = [[c, s], [−s, c]] on (p, q).
                let (gp, gq) = (g[p], g[q]);
                g[p] = c * gp - s * gq;
                g[q] = s * gp + c * gq;
            }
        }
        Ok(())
    }

    fn zero_grad(&mut self) {
        self.grads.iter_mut().for_each(|g| *g = 0.0);
    }

    fn params_and_grads(&mut self) -> Vec<(&mut [f64], &mut [f64])> {
        vec![(&mut self.angles[..], &mut self.grads[..])]
    }

    fn check(&self) -> Result<(), MaxEntError> {
        let k = self.dim * self.dim.saturating_sub(1) / 2;
        let pairs_ok = self.pairs.len() == k
            && self.angles.len() == k
            && self.grads.len() == k
            && self.pairs.iter().all(|&(p, q)| p < q && q < self.dim);
        if !pairs_ok {
            return Err(MaxEntError::Shape(
                "rotation pairs and angles are inconsistent",
            ));
        }
        if self.angles.iter().any(|a| !a.is_finite()) {
            return Err(MaxEntError::NotFinite("a rotation angle"));
        }
        Ok(())
    }
}

/// Exact entropy (nats) of the Gaussian MaxEnt distribution for the 2D rotated-variance
/// observables at angle θ, given the data covariance Σ (paper Eq. 13–15):
/// Σ̃₁₁ = Σ₁₁cos²θ + Σ₂₂sin²θ + Σ₁₂ sin 2θ, Σ̃₂₂ = Σ₁₁sin²θ + Σ₂₂cos²θ − Σ₁₂ sin 2θ,
/// S = ½ ln(4π²e² Σ̃₁₁Σ̃₂₂).
pub fn pca_entropy_2d(sigma: [[f64; 2]; 2], theta: f64) -> f64 {
    let (s, c) = libm::sincos(theta);
    let s2 = libm::sin(2.0 * theta);
    let a = sigma[0][0] * c * c + sigma[1][1] * s * s + sigma[0][1] * s2;
    let b = sigma[0][0] * s * s + sigma[1][1] * c * c - sigma[0][1] * s2;
    let e = core::f64::consts::E;
    0.5 * libm::log(4.0 * core::f64::consts::PI * core::f64::consts::PI * e * e * a * b)
}

/// The PCA angle θ* = ½ atan2(2Σ₁₂, Σ₁₁ − Σ₂₂) (paper Eq. 17; atan2 picks the branch that
/// puts the larger variance on the first axis).
pub fn pca_angle_2d(sigma: [[f64; 2]; 2]) -> f64 {
    0.5 * libm::atan2(2.0 * sigma[0][1], sigma[0][0] - sigma[1][1])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{from_seed, uniform_f64};

    #[test]
    fn gradient_matches_finite_differences() {
        let mut rng = from_seed(4);
        let d = 4;
        let angles: Vec<f64> = (0..6).map(|_| uniform_f64(&mut rng) * 3.0).collect();
        let mut f = RotatedVariances::new(d, &angles);
        let x: Vec<f64> = (0..3 * d).map(|_| uniform_f64(&mut rng) - 0.5).collect();
        let w: Vec<f64> = (0..3 * d).map(|_| uniform_f64(&mut rng) - 0.5).collect();
        f.zero_grad();
        f.accumulate_grad(&x, 3, &w).unwrap();
        let analytic = f.grads.clone();
        let objective = |f: &mut RotatedVariances| {
            let mut out = Vec::new();
            f.eval(&x, 3, &mut out).unwrap();
            out.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>()
        };
        for (k, &a) in analytic.iter().enumerate() {
            let h = 1e-6;
            f.angles[k] += h;
            let up = objective(&mut f);
            f.angles[k] -= 2.0 * h;
            let down = objective(&mut f);
            f.angles[k] += h;
            let numeric = (up - down) / (2.0 * h);
            assert!(
                (a - numeric).abs() < 1e-7 * numeric.abs().max(1.0),
                "{k}: {a} vs {numeric}"
            );
        }
    }

    #[test]
    fn rotation_is_orthogonal_and_eq11_in_2d() {
        let f = RotatedVariances::new(3, &[0.3, -1.1, 2.0]);
        let r = f.matrix();
        for i in 0..3 {
            for j in 0..3 {
                let dot: f64 = (0..3).map(|k| r[i * 3 + k] * r[j * 3 + k]).sum();
                assert!((dot - if i == j { 1.0 } else { 0.0 }).abs() < 1e-12);
            }
        }
        let mut g = RotatedVariances::new(2, &[0.4]);
        let mut out = Vec::new();
        g.eval(&[1.5, -0.5], 1, &mut out).unwrap();
        let (s, c) = libm::sincos(0.4);
        assert!((out[0] - (c * 1.5 + s * -0.5) * (c * 1.5 + s * -0.5)).abs() < 1e-14);
        assert!((out[1] - (-s * 1.5 + c * -0.5) * (-s * 1.5 + c * -0.5)).abs() < 1e-14);
    }

    #[test]
    fn entropy_curve_is_minimal_at_the_pca_angle() {
        let sigma = [[3.0, 1.0], [1.0, 2.0]];
        let star = pca_angle_2d(sigma);
        assert!((star - 0.5 * libm::atan(2.0)).abs() < 1e-15);
        let s_star = pca_entropy_2d(sigma, star);
        // At θ* the product Σ̃₁₁Σ̃₂₂ equals det Σ = 5: S = ½ ln(4π²e²·5).
        let e = core::f64::consts::E;
        assert!(
            (s_star
                - 0.5
                    * libm::log(4.0 * core::f64::consts::PI * core::f64::consts::PI * e * e * 5.0))
            .abs()
                < 1e-12
        );
        for k in 1..20 {
            assert!(pca_entropy_2d(sigma, star + 0.07 * k as f64) >= s_star - 1e-12);
        }
    }
}
