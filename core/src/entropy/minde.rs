use super::{EntropyError, EntropyEstimator, Samples};
use crate::diffusion::{GaussianScore, LambdaDensity, Score, VpSde};
use crate::estimate::{Estimate, Unit};
use crate::rng::{from_seed, uniform_f64};
use alloc::vec;
use alloc::vec::Vec;
use nalgebra::DMatrix;

/// The reference measure of [`Minde`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reference {
    /// γ_σ = N(0, σ²I) with σ² = E|X₀|²/d (the thesis' reference, Eq. 2.56).
    Isotropic,
    /// G = N(m̂, Σ̂), the Gaussian with the samples' mean and covariance: H(μ, G) is the Gaussian-fit
    /// entropy ([`super::GaussianFit`], bias-corrected), and KL(μ ‖ G) ≥ 0 is what the score has to
    /// supply — zero for Gaussian data. Our extension of the thesis' reference.
    GaussianFit,
}

/// MINDE entropy from a score model with a Gaussian reference (thesis Eq. 2.54-2.56):
///
/// H(μ) = H(μ, γ) − KL(μ ‖ γ),
/// KL(μ ‖ γ) ≈ ∫_ε^T (g_t²/2) E_{ν_t}|s_μ(X_t) − s_γ(X_t)|² dt + KL(ν_T^μ ‖ ν_T^γ),
///
/// with s_μ the given [`Score`] and s_γ the exact diffused score of the [`Reference`]. For the
/// isotropic reference H(μ, γ) = (d/2) ln 2πσ² + E|X₀|²/(2σ²) and s_γ(x) = −x/χ_t
/// (χ_t = k_t²σ² + 1 − k_t²). The time integral and the data expectation are one Monte Carlo
/// average over `draws` pairs (t uniform on [ε, T], x₀ cycling through the samples, x_t from the
/// SDE); the error bar is the standard error of the per-draw terms, combined in quadrature with
/// the Gaussian-fit error for that reference. With [`Minde::with_importance`] t is drawn through
/// its log-SNR from a [`LambdaDensity`] and each term weighted by p(t)/q(t), which leaves the
/// integral unchanged and moves draws to small t, where a score with sharp features (bounded
/// support, edges) puts most of the variance. KL(ν_T^μ ‖ ν_T^γ) uses the Gaussian with the samples'
/// moments diffused to T (exact for Gaussian data; ~1e-9 nats for the default schedule, 0 for the
/// fit reference). The thesis replaces ν_T^μ by N(0, I) instead.
///
/// With the exact score of Gaussian data ([`crate::diffusion::GaussianScore`]) this returns the
/// exact Gaussian entropy up to its Monte Carlo error and the [0, ε] piece of the integral.
#[derive(Clone, Debug)]
pub struct Minde<S> {
    sde: VpSde,
    score: S,
    reference: Reference,
    draws: usize,
    seed: u64,
    importance: Option<LambdaDensity>,
}

/// Draws per batched score evaluation.
const BATCH: usize = 512;

impl<S: Score + Clone> Minde<S> {
    /// # Errors
    /// [`EntropyError::Parameter`] for fewer than 2 draws.
    pub fn new(
        sde: VpSde,
        score: S,
        reference: Reference,
        draws: usize,
        seed: u64,
    ) -> Result<Self, EntropyError> {
        if draws < 2 {
            return Err(EntropyError::Parameter(
                "MINDE needs at least 2 Monte Carlo draws",
            ));
        }
        Ok(Self {
            sde,
            score,
            reference,
            draws,
            seed,
            importance: None,
        })
    }

    /// Draw the times of the integral by importance sampling from `density` in log-SNR.
    ///
    /// # Errors
    /// [`EntropyError::Parameter`] for a density whose settings are out of range.
    pub fn with_importance(mut self, density: LambdaDensity) -> Result<Self, EntropyError> {
        self.importance =
            Some(density.check().map_err(|_| {
                EntropyError::Parameter("the λ density's settings are out of range")
            })?);
        Ok(self)
    }
}

impl<S: Score + Clone> Minde<S> {
    /// The entropy H(μ) = H(G) − KL(μ ‖ G) (as [`EntropyEstimator::estimate`]) together with
    /// KL(μ ‖ G), the samples' divergence from their Gaussian fit G as this score integrates it:
    /// ∫_ε^T (g_t²/2) E|s_μ − s_G|² dt, with the integral's Monte Carlo standard error (the score
    /// model's own error is not in it). A KL compatible with zero means the estimate is the
    /// Gaussian fit's — Gaussian data, or a score that learned nothing.
    ///
    /// # Errors
    /// [`EntropyError::Parameter`] for the isotropic reference; otherwise as
    /// [`EntropyEstimator::estimate`].
    pub fn entropy_and_divergence(
        &self,
        x: &Samples,
    ) -> Result<(Estimate, Estimate), EntropyError> {
        if self.reference != Reference::GaussianFit {
            return Err(EntropyError::Parameter(
                "the divergence from the fit needs the Gaussian-fit reference",
            ));
        }
        let integral = self.integral(x)?;
        let kl = Estimate::new(-integral.mean_term, integral.error, Unit::Nats, self.draws);
        let fit = super::GaussianFit.estimate(x)?;
        let h = Estimate::new(
            fit.value - kl.value,
            libm::sqrt(fit.std_error * fit.std_error + kl.std_error * kl.std_error),
            Unit::Nats,
            self.draws,
        );
        Ok((h, kl))
    }

    /// The Monte Carlo average of the per-draw terms, with the samples' moments.
    fn integral(&self, x: &Samples) -> Result<Integral, EntropyError> {
        let (n, d) = (x.len(), x.dim());
        if d != self.score.dim() {
            return Err(EntropyError::Samples(
                "the samples' dimension differs from the score's",
            ));
        }
        let (mean, cov) = x.mean_and_covariance()?;
        let second: f64 = x.as_slice().iter().map(|v| v * v).sum::<f64>() / n as f64;
        let sigma2 = second / d as f64;
        if sigma2.is_nan() || sigma2 <= 0.0 {
            return Err(EntropyError::Degenerate("every sample is at the origin"));
        }
        let mut fit_score = match self.reference {
            Reference::GaussianFit => Some(
                GaussianScore::new(self.sde, &mean, &cov)
                    .map_err(|_| EntropyError::Degenerate("the sample covariance is singular"))?,
            ),
            Reference::Isotropic => None,
        };
        let (eps, t_end) = (self.sde.eps(), self.sde.t_end());
        let mut rng = from_seed(self.seed);
        let mut score = self.score.clone();
        let mut noise = vec![0.0; d];
        let (mut xt, mut x0s, mut ts, mut ws) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let (mut s, mut sref) = (vec![0.0; BATCH * d], vec![0.0; BATCH * d]);
        let mut terms = Vec::with_capacity(self.draws);
        let mut done = 0;
        while done < self.draws {
            let b = BATCH.min(self.draws - done);
            xt.resize(b * d, 0.0);
            x0s.clear();
            ts.clear();
            ws.clear();
            for i in 0..b {
                let x0 = x.row((done + i) % n);
                let (t, w) = match self.importance {
                    None => (eps + (t_end - eps) * uniform_f64(&mut rng), 1.0),
                    Some(q) => q.draw_time(&self.sde, &mut rng),
                };
                ws.push(w);
                self.sde
                    .perturb(x0, t, &mut rng, &mut xt[i * d..(i + 1) * d], &mut noise);
                x0s.push(x0.iter().map(|v| v * v).sum::<f64>());
                ts.push(t);
            }
            score.score_batch(&xt, &ts, &mut s[..b * d])?;
            match fit_score.as_mut() {
                Some(g) => g.score_batch(&xt, &ts, &mut sref[..b * d])?,
                None => {
                    for (i, &t) in ts.iter().enumerate() {
                        let chi = self.sde.reference_variance(sigma2, t);
                        for (r, &v) in sref[i * d..(i + 1) * d]
                            .iter_mut()
                            .zip(&xt[i * d..(i + 1) * d])
                        {
                            *r = -v / chi;
                        }
                    }
                }
            }
            for i in 0..b {
                let diff2: f64 = s[i * d..(i + 1) * d]
                    .iter()
                    .zip(&sref[i * d..(i + 1) * d])
                    .map(|(a, r)| (a - r) * (a - r))
                    .sum();
                let kl = ws[i] * (t_end - eps) * 0.5 * self.sde.diffusion_squared(ts[i]) * diff2;
                terms.push(match self.reference {
                    Reference::Isotropic => x0s[i] / (2.0 * sigma2) - kl,
                    Reference::GaussianFit => -kl,
                });
            }
            done += b;
        }
        let m = terms.iter().sum::<f64>() / terms.len() as f64;
        let var = terms.iter().map(|t| (t - m) * (t - m)).sum::<f64>() / (terms.len() - 1) as f64;
        let mc = libm::sqrt(var / terms.len() as f64);
        Ok(Integral {
            mean_term: m,
            error: mc,
            mean,
            cov,
            sigma2,
        })
    }
}

impl<S: Score + Clone> EntropyEstimator<Samples> for Minde<S> {
    fn estimate(&self, x: &Samples) -> Result<Estimate, EntropyError> {
        if self.reference == Reference::GaussianFit {
            return Ok(self.entropy_and_divergence(x)?.0);
        }
        let Integral {
            mean_term: m,
            error: mc,
            mean,
            cov,
            sigma2,
        } = self.integral(x)?;
        let kl_end = terminal_kl(&self.sde, &mean, &cov, sigma2)?;
        let cross = 0.5 * x.dim() as f64 * libm::log(2.0 * core::f64::consts::PI * sigma2);
        Ok(Estimate::new(
            cross + m - kl_end,
            mc,
            Unit::Nats,
            self.draws,
        ))
    }
}
/// The time integral's Monte Carlo average (per-draw terms: x₀²/2σ² − KL-term for the isotropic
/// reference, −KL-term for the fit) and its standard error, with the samples' mean, covariance
/// (row-major) and σ² = E|X₀|²/d.
struct Integral {
    mean_term: f64,
    error: f64,
    mean: Vec<f64>,
    cov: Vec<f64>,
    sigma2: f64,
}

/// KL(N(k m, k²Σ + (1 − k²)I) ‖ N(0, χ_T I)) at t = T.
fn terminal_kl(sde: &VpSde, mean: &[f64], cov: &[f64], sigma2: f64) -> Result<f64, EntropyError> {
    let d = mean.len();
    let t = sde.t_end();
    let k = sde.mean_coefficient(t);
    let v = sde.variance(t);
    let chi = sde.reference_variance(sigma2, t);
    let c = DMatrix::from_fn(d, d, |i, j| {
        k * k * cov[i * d + j] + if i == j { v } else { 0.0 }
    });
    let trace = c.trace();
    let log_det = super::gaussian_fit::log_det_spd(c, "the diffused covariance is singular")?;
    let m2: f64 = mean.iter().map(|m| k * k * m * m).sum();
    let df = d as f64;
    Ok(0.5 * (trace / chi + m2 / chi - df + df * libm::log(chi) - log_det))
}
