//! Two-component 1D mixtures on a box: the data of the paper's Sec. I.2 (Fig. 3–4), with an
//! exact density so that every model can be scored by KL divergence on a grid.
use super::MaxEntError;
use crate::rng::{normal_pair, uniform_f64};
use alloc::vec::Vec;
use core::f64::consts::PI;
use rand_core::Rng;

/// Shape of the mixture components.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Component {
    /// Normal N(x̄, σ²) (Fig. 3); the scale is σ.
    Normal,
    /// Cauchy (Lorentzian) with median x₀ and half width at half maximum γ (Fig. 4); the scale
    /// is γ.
    Cauchy,
}

/// P(x) = ½ K(x; c₁, s₁) + ½ K(x; c₂, s₂) restricted to the box [lo, hi] and renormalised.
///
/// The paper does not say how far its Cauchy data reach; a box makes every density (data,
/// Min-MaxEnt walkers, baselines) live on the same finite interval, so KL divergences by
/// quadrature are exact up to the grid. Samples are drawn by rejection from the untruncated
/// mixture, so they follow the truncated density exactly.
///
/// # Examples
/// ```
/// use entropic::maxent::{Component, Mixture1d};
/// let p = Mixture1d::new(Component::Cauchy, [(-3.0, 0.5), (3.0, 0.5)], (-15.0, 15.0))?;
/// let x = p.sample(1000, &mut entropic::rng::from_seed(0));
/// assert!(x.iter().all(|v| v.abs() <= 15.0));
/// let h = 30.0 / 3000.0;
/// let total: f64 = (0..=3000).map(|k| p.density(-15.0 + h * k as f64) * h).sum();
/// assert!((total - 1.0).abs() < 1e-2);
/// # Ok::<(), entropic::maxent::MaxEntError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mixture1d {
    kind: Component,
    components: [(f64, f64); 2],
    bounds: (f64, f64),
    /// Mass of the untruncated mixture inside the box.
    mass: f64,
}

impl Mixture1d {
    /// Components as (centre, scale) pairs with weight ½ each.
    ///
    /// # Errors
    /// [`MaxEntError::Parameter`] for a non-positive scale, non-finite values or lo ≥ hi.
    pub fn new(
        kind: Component,
        components: [(f64, f64); 2],
        bounds: (f64, f64),
    ) -> Result<Self, MaxEntError> {
        let finite = components
            .iter()
            .all(|&(c, s)| c.is_finite() && s.is_finite() && s > 0.0);
        if !finite {
            return Err(MaxEntError::Parameter(
                "mixture centres must be finite and scales positive",
            ));
        }
        if !(bounds.0.is_finite() && bounds.1.is_finite() && bounds.0 < bounds.1) {
            return Err(MaxEntError::Parameter("the box needs finite lo < hi"));
        }
        let cdf = |x: f64| -> f64 {
            components
                .iter()
                .map(|&(c, s)| 0.5 * unit_cdf(kind, (x - c) / s))
                .sum()
        };
        let mass = cdf(bounds.1) - cdf(bounds.0);
        if mass.partial_cmp(&1e-12) != Some(core::cmp::Ordering::Greater) {
            return Err(MaxEntError::Parameter(
                "the box holds no mass of the mixture",
            ));
        }
        Ok(Self {
            kind,
            components,
            bounds,
            mass,
        })
    }

    /// The box.
    pub fn bounds(&self) -> (f64, f64) {
        self.bounds
    }

    /// The normalised density on the box (0 outside).
    pub fn density(&self, x: f64) -> f64 {
        if x < self.bounds.0 || x > self.bounds.1 {
            return 0.0;
        }
        self.components
            .iter()
            .map(|&(c, s)| 0.5 * unit_density(self.kind, (x - c) / s) / s)
            .sum::<f64>()
            / self.mass
    }

    /// `n` independent samples (rejection from the untruncated mixture).
    pub fn sample<R: Rng + ?Sized>(&self, n: usize, rng: &mut R) -> Vec<f64> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            let (c, s) = if uniform_f64(rng) < 0.5 {
                self.components[0]
            } else {
                self.components[1]
            };
            let unit = match self.kind {
                Component::Normal => normal_pair(rng).0,
                // Inverse CDF of the standard Cauchy; u ∈ (0, 1) keeps tan finite.
                Component::Cauchy => libm::tan(PI * (uniform_open(rng) - 0.5)),
            };
            let x = c + s * unit;
            if (self.bounds.0..=self.bounds.1).contains(&x) {
                out.push(x);
            }
        }
        out
    }
}

/// u ∈ (0, 1), never 0.
fn uniform_open<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    loop {
        let u = uniform_f64(rng);
        if u > 0.0 {
            return u;
        }
    }
}

fn unit_density(kind: Component, z: f64) -> f64 {
    match kind {
        Component::Normal => libm::exp(-0.5 * z * z) / libm::sqrt(2.0 * PI),
        Component::Cauchy => 1.0 / (PI * (1.0 + z * z)),
    }
}

fn unit_cdf(kind: Component, z: f64) -> f64 {
    match kind {
        Component::Normal => 0.5 * libm::erfc(-z / core::f64::consts::SQRT_2),
        Component::Cauchy => 0.5 + libm::atan(z) / PI,
    }
}

/// KL(p ‖ q) = ∫ p ln(p/q) dx by the trapezoid rule on an evenly spaced grid with spacing `h`;
/// both densities are renormalised on the grid first. Where p > 0 and q = 0 the divergence is
/// +∞.
///
/// # Errors
/// [`MaxEntError::Shape`] for grids of different or fewer than 2 points,
/// [`MaxEntError::NotFinite`] for a negative, NaN or infinite density value.
pub fn kl_on_grid(p: &[f64], q: &[f64], h: f64) -> Result<f64, MaxEntError> {
    if p.len() != q.len() || p.len() < 2 {
        return Err(MaxEntError::Shape(
            "KL needs two densities on the same grid of at least 2 points",
        ));
    }
    if p.iter().chain(q).any(|v| !v.is_finite() || *v < 0.0) || !(h.is_finite() && h > 0.0) {
        return Err(MaxEntError::NotFinite(
            "a density value or the grid spacing",
        ));
    }
    let weight = |k: usize| {
        if k == 0 || k + 1 == p.len() {
            0.5 * h
        } else {
            h
        }
    };
    let norm = |d: &[f64]| (0..d.len()).map(|k| weight(k) * d[k]).sum::<f64>();
    let (zp, zq) = (norm(p), norm(q));
    let mut kl = 0.0;
    for k in 0..p.len() {
        let a = p[k] / zp;
        if a > 0.0 {
            let b = q[k] / zq;
            if b <= 0.0 {
                return Ok(f64::INFINITY);
            }
            kl += weight(k) * a * libm::log(a / b);
        }
    }
    Ok(kl.max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::from_seed;

    #[test]
    fn samples_follow_the_truncated_density() {
        // Histogram of 200 000 samples against the exact bin probabilities (χ² per bin ≈ 1).
        for kind in [Component::Normal, Component::Cauchy] {
            let p = Mixture1d::new(kind, [(-2.0, 0.5), (2.0, 0.8)], (-6.0, 6.0)).unwrap();
            let n = 200_000;
            let x = p.sample(n, &mut from_seed(4));
            let bins = 24;
            let width = 12.0 / bins as f64;
            let mut counts = alloc::vec![0usize; bins];
            for v in x {
                counts[(((v + 6.0) / width) as usize).min(bins - 1)] += 1;
            }
            let mut chi2 = 0.0;
            for (b, &c) in counts.iter().enumerate() {
                // Bin probability by Simpson's rule with 64 panels.
                let (a, m) = (-6.0 + width * b as f64, 64);
                let hh = width / m as f64;
                let prob: f64 = (0..=m)
                    .map(|k| {
                        let w = if k == 0 || k == m {
                            1.0
                        } else if k % 2 == 1 {
                            4.0
                        } else {
                            2.0
                        };
                        w * p.density(a + hh * k as f64)
                    })
                    .sum::<f64>()
                    * hh
                    / 3.0;
                let expected = prob * n as f64;
                chi2 += (c as f64 - expected).powi(2) / expected;
            }
            // 23 degrees of freedom: mean 23, sd √46 ≈ 6.8; 5 sd above the mean fails.
            assert!(chi2 < 23.0 + 5.0 * 6.8, "{kind:?}: χ² = {chi2}");
        }
    }

    #[test]
    fn kl_of_two_gaussians_matches_the_closed_form() {
        // KL(N(0,1) ‖ N(1, 2²)) = ln 2 + (1 + 1)/(2·4) − ½.
        let h = 0.01;
        let grid: Vec<f64> = (0..=4000).map(|k| -20.0 + h * k as f64).collect();
        let n = |x: f64, m: f64, s: f64| unit_density(Component::Normal, (x - m) / s) / s;
        let p: Vec<f64> = grid.iter().map(|&x| n(x, 0.0, 1.0)).collect();
        let q: Vec<f64> = grid.iter().map(|&x| n(x, 1.0, 2.0)).collect();
        let exact = libm::log(2.0) + 2.0 / 8.0 - 0.5;
        assert!((kl_on_grid(&p, &q, h).unwrap() - exact).abs() < 1e-6);
        assert_eq!(kl_on_grid(&p, &p, h).unwrap(), 0.0);
        assert!(kl_on_grid(&p, &q[1..], h).is_err());
        assert!(kl_on_grid(&[1.0, f64::NAN], &[1.0, 1.0], h).is_err());
    }

    #[test]
    fn bad_mixtures_are_refused() {
        let ok = [(-1.0, 1.0), (1.0, 1.0)];
        assert!(Mixture1d::new(Component::Normal, [(0.0, 0.0), (1.0, 1.0)], (-1.0, 1.0)).is_err());
        assert!(Mixture1d::new(Component::Normal, ok, (1.0, -1.0)).is_err());
        assert!(Mixture1d::new(Component::Normal, ok, (100.0, 101.0)).is_err());
        assert!(
            Mixture1d::new(
                Component::Cauchy,
                [(f64::NAN, 1.0), (1.0, 1.0)],
                (-1.0, 1.0)
            )
            .is_err()
        );
    }
}
