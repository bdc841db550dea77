use super::{DiffusionError, VpSde, log_snr_range, time_at_log_snr};
use crate::rng::uniform_f64;
use crate::special::sigmoid;
use rand_core::Rng;

/// Where training draws the log-SNR λ of each perturbed configuration
/// ([`super::DenoiserConfig::lambda_density`]). The per-site log-loss is a proper scoring
/// rule at every λ, so the density does not change what a flexible enough model converges to;
/// it spreads the training budget (and a finite model's capacity) over the noise levels, like
/// the noise-level distribution of Karras et al. (2022). Importance weights that undo it are
/// deliberately not applied: the point is to weight the loss towards where the sampler's
/// result is decided. [`super::ScoreNet::with_importance`] uses it as an importance proposal
/// instead, with the weights.
///
/// # Examples
/// ```
/// use entropic::diffusion::LambdaDensity;
/// use entropic::rng::from_seed;
/// let focused = LambdaDensity::Focused { centre: -1.5, scale: 1.5, share: 0.7 }.check()?;
/// let range = (-10.0, 9.0);
/// let lambda = focused.draw(range, &mut from_seed(2));
/// assert!((-10.0..=9.0).contains(&lambda));
/// // At the centre 0.7/(4 · 1.5) + 0.3/19 ≈ 0.13, 2.5× the uniform 1/19; thinner at the ends.
/// assert!(focused.density(range, -1.5) > 2.0 / 19.0);
/// assert!(focused.density(range, 8.0) < 1.0 / 19.0);
/// # Ok::<(), entropic::diffusion::DiffusionError>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
pub enum LambdaDensity {
    /// Uniform on [λ(T), λ(ε)].
    #[default]
    Uniform,
    /// A `share` of the draws from the logistic density of `centre` and `scale` truncated to
    /// [λ(T), λ(ε)], the rest uniform on it:
    /// q(λ) = (1 − w)/(λ_hi − λ_lo) + w σ'((λ − c)/s) / (s [σ((λ_hi − c)/s) − σ((λ_lo − c)/s)]).
    Focused {
        /// Centre c of the logistic part.
        centre: f64,
        /// Scale s > 0 of the logistic part (its standard deviation is π s/√3).
        scale: f64,
        /// Weight w ∈ [0, 1] of the logistic part.
        share: f64,
    },
}

impl LambdaDensity {
    /// # Errors
    /// [`DiffusionError::Parameter`] for a centre that is not finite, a scale that is not finite
    /// and positive, or a share outside [0, 1].
    pub fn check(self) -> Result<Self, DiffusionError> {
        match self {
            Self::Focused {
                centre,
                scale,
                share,
            } if !(centre.is_finite()
                && scale.is_finite()
                && scale > 0.0
                && (0.0..=1.0).contains(&share)) =>
            {
                Err(DiffusionError::Parameter(
                    "a focused λ density needs a finite centre, a positive scale and a share in [0, 1]",
                ))
            }
            _ => Ok(self),
        }
    }

    /// One λ on [lo, hi]. [`Self::Uniform`] uses one uniform number, lo + (hi − lo) u;
    /// [`Self::Focused`] two (which part, then the inverse distribution function of that part).
    pub fn draw<R: Rng + ?Sized>(self, (lo, hi): (f64, f64), rng: &mut R) -> f64 {
        match self {
            Self::Uniform => lo + (hi - lo) * uniform_f64(rng),
            Self::Focused {
                centre,
                scale,
                share,
            } => {
                let pick = uniform_f64(rng);
                let u = uniform_f64(rng);
                if pick >= share {
                    return lo + (hi - lo) * u;
                }
                let (f_lo, f_hi) = (
                    sigmoid((lo - centre) / scale),
                    sigmoid((hi - centre) / scale),
                );
                let p = f_lo + (f_hi - f_lo) * u;
                (centre + scale * libm::log(p / (1.0 - p))).clamp(lo, hi)
            }
        }
    }

    /// A diffusion time t ∈ [ε, T] of `sde` drawn through its log-SNR from this density, and the
    /// importance weight p(t)/q(t) = σ_t² / ((T − ε) β(t) q(λ(t))) that turns an average over such
    /// draws into one over t uniform on [ε, T] (|dλ/dt| = β(t)/σ_t²).
    pub fn draw_time<R: Rng + ?Sized>(self, sde: &VpSde, rng: &mut R) -> (f64, f64) {
        let (eps, t_end) = (sde.eps(), sde.t_end());
        let range = log_snr_range(sde);
        let lambda = self.draw(range, rng);
        let t = time_at_log_snr(sde, lambda).clamp(eps, t_end);
        let q = self.density(range, lambda) * sde.beta(t) / sde.variance(t);
        (t, 1.0 / ((t_end - eps) * q))
    }

    /// The density q(λ) of [`Self::draw`] on [lo, hi] (0 outside).
    pub fn density(self, (lo, hi): (f64, f64), lambda: f64) -> f64 {
        if !(lo..=hi).contains(&lambda) {
            return 0.0;
        }
        let uniform = 1.0 / (hi - lo);
        match self {
            Self::Uniform => uniform,
            Self::Focused {
                centre,
                scale,
                share,
            } => {
                let g = sigmoid((lambda - centre) / scale);
                let mass = sigmoid((hi - centre) / scale) - sigmoid((lo - centre) / scale);
                (1.0 - share) * uniform + share * g * (1.0 - g) / (scale * mass)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::from_seed;

    const RANGE: (f64, f64) = (-10.0, 9.0);

    #[test]
    fn draws_follow_the_density() {
        let focused = LambdaDensity::Focused {
            centre: -1.5,
            scale: 1.5,
            share: 0.7,
        };
        for density in [LambdaDensity::Uniform, focused] {
            // The density integrates to 1 (midpoint rule, 19 000 cells).
            let cells = 19_000;
            let h = (RANGE.1 - RANGE.0) / cells as f64;
            let total: f64 = (0..cells)
                .map(|i| density.density(RANGE, RANGE.0 + (i as f64 + 0.5) * h) * h)
                .sum();
            assert!((total - 1.0).abs() < 1e-6, "{density:?}: {total}");
            // Counts in 19 unit cells against their probabilities: binomial error bars.
            let n = 200_000;
            let mut rng = from_seed(21);
            let mut counts = [0usize; 19];
            for _ in 0..n {
                let l = density.draw(RANGE, &mut rng);
                assert!((RANGE.0..=RANGE.1).contains(&l));
                counts[((l - RANGE.0) as usize).min(18)] += 1;
            }
            for (i, &c) in counts.iter().enumerate() {
                let a = RANGE.0 + i as f64;
                let p: f64 = (0..1000)
                    .map(|j| density.density(RANGE, a + (j as f64 + 0.5) * 1e-3) * 1e-3)
                    .sum();
                let se = (p * (1.0 - p) / n as f64).sqrt();
                let f = c as f64 / n as f64;
                assert!((f - p).abs() < 4.5 * se, "{density:?} cell {a}: {f} vs {p}");
            }
        }
        // The focused density puts 0.7 · 0.46 + 0.3 · 3/19 of the draws in [−3, 0].
        let p: f64 = (0..3000)
            .map(|j| focused.density(RANGE, -3.0 + (j as f64 + 0.5) * 1e-3) * 1e-3)
            .sum();
        let logistic = sigmoid(1.0) - sigmoid(-1.0);
        let mass = sigmoid(10.5 / 1.5) - sigmoid(-8.5 / 1.5);
        assert!((p - (0.7 * logistic / mass + 0.3 * 3.0 / 19.0)).abs() < 1e-6);
    }

    #[test]
    fn uniform_draws_are_the_plain_uniform_and_bad_settings_are_refused() {
        let (mut a, mut b) = (from_seed(3), from_seed(3));
        for _ in 0..100 {
            let l = LambdaDensity::Uniform.draw(RANGE, &mut a);
            assert_eq!(l.to_bits(), (-10.0 + 19.0 * uniform_f64(&mut b)).to_bits());
        }
        for (centre, scale, share) in [
            (f64::NAN, 1.0, 0.5),
            (0.0, 0.0, 0.5),
            (0.0, f64::INFINITY, 0.5),
            (0.0, 1.0, 1.5),
            (0.0, 1.0, -0.1),
        ] {
            let bad = LambdaDensity::Focused {
                centre,
                scale,
                share,
            };
            assert!(bad.check().is_err(), "{bad:?}");
        }
        assert!(LambdaDensity::Uniform.check().is_ok());
    }
}
