use super::DiffusionError;
use crate::rng::normal_pair;
use rand_core::Rng;

/// The variance-preserving SDE dX = −½β(t)X dt + √β(t) dW on t ∈ [ε, T] (Eq. 2.49-2.50), with the
/// linear schedule β(t) = β_min + t(β_max − β_min).
///
/// Marginals: X_t | X_0 ~ N(k_t X_0, (1 − k_t²) I) with k_t = exp(−½∫₀ᵗβ) (the thesis' k_t of
/// Eq. 2.56 with f = −½β); a reference N(0, σ²I) diffuses to N(0, χ_t I), χ_t = k_t²σ² + 1 − k_t².
///
/// # Examples
/// ```
/// use entropic::diffusion::VpSde;
/// let sde = VpSde::default(); // β from 0.1 to 20, T = 1, ε = 1e-3
/// let k = sde.mean_coefficient(1.0);
/// assert!((k * k - (-10.05f64).exp()).abs() < 1e-12); // ∫₀¹β = 0.1 + 19.9/2
/// assert!((sde.variance(1.0) - (1.0 - k * k)).abs() < 1e-15);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct VpSde {
    beta_min: f64,
    beta_max: f64,
    t_end: f64,
    eps: f64,
}

impl Default for VpSde {
    /// β from 0.1 to 20, T = 1 (the thesis' settings), ε = 1e-3.
    fn default() -> Self {
        Self {
            beta_min: 0.1,
            beta_max: 20.0,
            t_end: 1.0,
            eps: 1e-3,
        }
    }
}

impl VpSde {
    /// # Errors
    /// [`DiffusionError::Parameter`] unless 0 < β_min ≤ β_max and 0 < ε < T, all finite.
    pub fn new(beta_min: f64, beta_max: f64, t_end: f64, eps: f64) -> Result<Self, DiffusionError> {
        let finite = [beta_min, beta_max, t_end, eps]
            .iter()
            .all(|v| v.is_finite());
        if !(finite && beta_min > 0.0 && beta_max >= beta_min && eps > 0.0 && eps < t_end) {
            return Err(DiffusionError::Parameter(
                "the VP-SDE needs 0 < β_min ≤ β_max and 0 < ε < T",
            ));
        }
        Ok(Self {
            beta_min,
            beta_max,
            t_end,
            eps,
        })
    }

    /// Re-check the settings (for a schedule read from a file).
    ///
    /// # Errors
    /// As [`VpSde::new`].
    pub fn check(&self) -> Result<(), DiffusionError> {
        Self::new(self.beta_min, self.beta_max, self.t_end, self.eps).map(|_| ())
    }

    /// β(t).
    pub fn beta(&self, t: f64) -> f64 {
        self.beta_min + t * (self.beta_max - self.beta_min)
    }

    /// ∫₀ᵗ β(s) ds.
    pub fn integrated_beta(&self, t: f64) -> f64 {
        self.beta_min * t + 0.5 * (self.beta_max - self.beta_min) * t * t
    }

    /// k_t = exp(−½∫₀ᵗβ): the marginal mean is k_t X_0.
    pub fn mean_coefficient(&self, t: f64) -> f64 {
        libm::exp(-0.5 * self.integrated_beta(t))
    }

    /// 1 − k_t²: the marginal variance added to k_t² Var(X_0).
    pub fn variance(&self, t: f64) -> f64 {
        -libm::expm1(-self.integrated_beta(t))
    }

    /// g(t)² = β(t).
    pub fn diffusion_squared(&self, t: f64) -> f64 {
        self.beta(t)
    }

    /// χ_t = k_t²σ² + 1 − k_t²: the variance of a diffused N(0, σ²) reference.
    pub fn reference_variance(&self, sigma2: f64, t: f64) -> f64 {
        let k2 = libm::exp(-self.integrated_beta(t));
        k2 * sigma2 + (1.0 - k2)
    }

    /// Final time T.
    pub fn t_end(&self) -> f64 {
        self.t_end
    }

    /// Smallest time ε.
    pub fn eps(&self) -> f64 {
        self.eps
    }

    /// Draw x_t ~ N(k_t x_0, (1 − k_t²) I) into `xt`; returns the standard normal noise in
    /// `noise` (so x_t = k_t x_0 + √(1 − k_t²) noise).
    pub fn perturb<R: Rng + ?Sized>(
        &self,
        x0: &[f64],
        t: f64,
        rng: &mut R,
        xt: &mut [f64],
        noise: &mut [f64],
    ) {
        let (k, s) = (self.mean_coefficient(t), libm::sqrt(self.variance(t)));
        for chunk in noise.chunks_mut(2) {
            let (a, b) = normal_pair(rng);
            chunk[0] = a;
            if chunk.len() > 1 {
                chunk[1] = b;
            }
        }
        for ((xt, &x0), &n) in xt.iter_mut().zip(x0).zip(noise.iter()) {
            *xt = k * x0 + s * n;
        }
    }

    /// One Euler–Maruyama step of the forward SDE from t to t + dt.
    pub fn euler_maruyama_step<R: Rng + ?Sized>(
        &self,
        x: &mut [f64],
        t: f64,
        dt: f64,
        rng: &mut R,
    ) {
        let b = self.beta(t);
        let s = libm::sqrt(b * dt);
        for chunk in x.chunks_mut(2) {
            let (n0, n1) = normal_pair(rng);
            for (x, n) in chunk.iter_mut().zip([n0, n1]) {
                *x += -0.5 * b * *x * dt + s * n;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::from_seed;
    use alloc::vec;

    #[test]
    fn euler_maruyama_reproduces_the_closed_form_marginals() {
        // 20000 scalar paths from x0 = 2 to t = 0.3 in 300 steps; compare mean and variance with
        // k x0 and 1 − k² within 4 standard errors (plus the O(dt) discretisation error).
        let sde = VpSde::default();
        let (n, steps, t) = (20_000, 300, 0.3);
        let dt = t / steps as f64;
        let mut rng = from_seed(1);
        let mut x = vec![2.0; n];
        for s in 0..steps {
            sde.euler_maruyama_step(&mut x, s as f64 * dt, dt, &mut rng);
        }
        let mean = x.iter().sum::<f64>() / n as f64;
        let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64;
        let (m_exact, v_exact) = (2.0 * sde.mean_coefficient(t), sde.variance(t));
        let m_err = (v_exact / n as f64).sqrt();
        let v_err = v_exact * (2.0 / n as f64).sqrt();
        assert!(
            (mean - m_exact).abs() < 4.0 * m_err + 0.01,
            "{mean} vs {m_exact}"
        );
        assert!(
            (var - v_exact).abs() < 4.0 * v_err + 0.01,
            "{var} vs {v_exact}"
        );
        // And perturb() draws from the same law.
        let mut xt = vec![0.0; n];
        let mut noise = vec![0.0; n];
        sde.perturb(&vec![2.0; n], t, &mut rng, &mut xt, &mut noise);
        let mean_p = xt.iter().sum::<f64>() / n as f64;
        assert!((mean_p - m_exact).abs() < 4.0 * m_err);
        assert!(VpSde::new(0.1, 20.0, 1.0, 0.0).is_err());
        assert!(VpSde::new(-0.1, 20.0, 1.0, 1e-3).is_err());
    }
}
