//! Onsager's exact solution of the infinite square-lattice Ising model at zero field.
//!
//! With K = β|J| and modulus k = 2 sinh 2K / cosh² 2K (Onsager 1944; the sign of J does not
//! matter on the bipartite square lattice at h = 0):
//!
//! - ln Z / N = ln(2 cosh 2K) + (1/π) ∫₀^{π/2} ln[(1 + √(1 − k² sin²θ)) / 2] dθ,
//! - u = E/N = −|J| coth 2K [1 + (2/π)(2 tanh² 2K − 1) K₁(k)], with K₁ the complete elliptic
//!   integral of the first kind (the product is 0 at T_c, where u = −√2 |J|),
//! - s = S/N = ln Z / N + β u (nats),
//! - m = (1 − sinh⁻⁴ 2K)^{1/8} below T_c, 0 above.
//!
//! # Precision
//! The integral uses 64 panels of 16-point Gauss–Legendre; away from T_c the result is accurate
//! to ~1e-14, and within |T − T_c| ≳ 1e-6 to better than 1e-9. Outside 10⁻² ≤ K ≤ 2, where
//! the closed forms cancel or overflow (u = −√2 instead of −2 at K ≳ 400, u = 0 instead of −2K at
//! K ≲ 10⁻⁹), ln Z/N, u and s come from the high- and low-temperature series of
//! [`ising_series`], exact to rounding there; so every T > 0 is served.
use super::ising_series::{self, PerSpin};
use super::{LatticeError, Temperature};
use crate::special::{GaussLegendre, elliptic_k};
use core::f64::consts::{FRAC_2_PI, FRAC_PI_2, PI, SQRT_2};

fn coupling(j: f64) -> Result<f64, LatticeError> {
    if !j.is_finite() {
        Err(LatticeError::NotFinite {
            name: "coupling J",
            value: j,
        })
    } else if j == 0.0 {
        Err(LatticeError::Unsupported {
            algorithm: "Onsager's solution",
            needs: "a non-zero coupling J",
        })
    } else {
        Ok(j.abs())
    }
}

/// The series at K = β|J| where it replaces the closed form (none inside [10⁻², 2]).
fn series(k: f64) -> Option<PerSpin> {
    if k < ising_series::HIGH_T_BELOW {
        Some(ising_series::high_t(k, None))
    } else if k > ising_series::LOW_T_ABOVE {
        Some(ising_series::low_t(k, 0.0))
    } else {
        None
    }
}

/// Elliptic modulus k = 2 sinh 2K / cosh² 2K, clamped to ≤ 1 (it reaches 1 only at T_c).
fn modulus(k2: f64) -> f64 {
    let c = libm::cosh(k2);
    (2.0 * libm::sinh(k2) / (c * c)).min(1.0)
}

/// ln Z / N in the thermodynamic limit.
///
/// # Errors
/// [`LatticeError::NotFinite`] if `j` is not finite, [`LatticeError::Unsupported`] if it is zero.
///
/// # Examples
/// ```
/// use entropic::lattice::{Temperature, onsager};
/// // At T_c: ln Z / N = ½ ln 2 + 2G/π with Catalan's constant G.
/// let tc = Temperature::ising_critical(1.0)?;
/// let catalan = 0.915_965_594_177_219;
/// let exact = 0.5 * core::f64::consts::LN_2 + 2.0 * catalan / core::f64::consts::PI;
/// assert!((onsager::log_partition_per_spin(1.0, tc)? - exact).abs() < 1e-12);
/// # Ok::<(), entropic::lattice::LatticeError>(())
/// ```
pub fn log_partition_per_spin(j: f64, t: Temperature) -> Result<f64, LatticeError> {
    if let Some(p) = series(coupling(j)? * t.beta()) {
        return Ok(p.ln_z);
    }
    let k2 = 2.0 * coupling(j)? * t.beta();
    let k = modulus(k2);
    let rule = GaussLegendre::new(16);
    let integral = rule.integrate(
        |theta| {
            let s = libm::sin(theta);
            libm::log(0.5 * (1.0 + libm::sqrt((1.0 - k * k * s * s).max(0.0))))
        },
        0.0,
        FRAC_PI_2,
        64,
    );
    Ok(libm::log(2.0 * libm::cosh(k2)) + integral / PI)
}

/// Free energy per spin f = −T ln Z / N.
///
/// # Errors
/// As [`log_partition_per_spin`].
pub fn free_energy_per_spin(j: f64, t: Temperature) -> Result<f64, LatticeError> {
    Ok(-t.value() * log_partition_per_spin(j, t)?)
}

/// Internal energy per spin u = ⟨E⟩/N.
///
/// # Errors
/// As [`log_partition_per_spin`].
///
/// # Examples
/// ```
/// use entropic::lattice::{Temperature, onsager};
/// let tc = Temperature::ising_critical(1.0)?;
/// assert!((onsager::energy_per_spin(1.0, tc)? + 2f64.sqrt()).abs() < 1e-12);
/// # Ok::<(), entropic::lattice::LatticeError>(())
/// ```
pub fn energy_per_spin(j: f64, t: Temperature) -> Result<f64, LatticeError> {
    let j = coupling(j)?;
    if let Some(p) = series(j * t.beta()) {
        return Ok(-j * p.d1);
    }
    let k2 = 2.0 * j * t.beta();
    let th = libm::tanh(k2);
    let factor = 2.0 * th * th - 1.0;
    let k = modulus(k2);
    // At T_c the factor vanishes and K₁ diverges; the product is 0 (logarithmic divergence only).
    let elliptic_term = if k >= 1.0 {
        0.0
    } else {
        FRAC_2_PI * factor * elliptic_k(k)
    };
    let u = -j / th * (1.0 + elliptic_term);
    // Rounding can leave tanh² 2K_c a hair off ½; the exact value at T_c is −√2 |J|.
    Ok(if k >= 1.0 { -SQRT_2 * j } else { u })
}

/// Entropy per spin s = ln Z / N + β u, in nats.
///
/// # Errors
/// As [`log_partition_per_spin`].
///
/// # Examples
/// ```
/// use entropic::lattice::{Temperature, onsager};
/// // Infinite temperature limit: ln 2 per spin.
/// let s = onsager::entropy_per_spin(1.0, Temperature::new(1e4)?)?;
/// assert!((s - core::f64::consts::LN_2).abs() < 1e-7);
/// # Ok::<(), entropic::lattice::LatticeError>(())
/// ```
pub fn entropy_per_spin(j: f64, t: Temperature) -> Result<f64, LatticeError> {
    if let Some(p) = series(coupling(j)? * t.beta()) {
        return Ok(p.s);
    }
    Ok(log_partition_per_spin(j, t)? + t.beta() * energy_per_spin(j, t)?)
}

/// Spontaneous magnetization per spin (Onsager–Yang), 0 at and above T_c.
///
/// # Errors
/// As [`log_partition_per_spin`].
pub fn spontaneous_magnetization(j: f64, t: Temperature) -> Result<f64, LatticeError> {
    let sh = libm::sinh(2.0 * coupling(j)? * t.beta());
    let x = 1.0 - 1.0 / (sh * sh * sh * sh);
    Ok(if x > 0.0 { libm::pow(x, 0.125) } else { 0.0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_agree_with_the_closed_forms_at_the_switch_points() {
        // Evaluate the closed forms a hair inside [10⁻², 2] and the series a hair outside;
        // the difference is the K-derivative times 2·10⁻¹² plus each side's precision.
        for (inside, outside) in [(1e-2, 1e-2 * (1.0 - 1e-12)), (2.0, 2.0 * (1.0 + 1e-12))] {
            let (a, b) = (
                Temperature::new(1.0 / inside).unwrap(),
                Temperature::new(1.0 / outside).unwrap(),
            );
            let pairs = [
                (
                    log_partition_per_spin(1.0, a).unwrap(),
                    log_partition_per_spin(1.0, b).unwrap(),
                ),
                (
                    energy_per_spin(1.0, a).unwrap(),
                    energy_per_spin(1.0, b).unwrap(),
                ),
                (
                    entropy_per_spin(1.0, a).unwrap(),
                    entropy_per_spin(1.0, b).unwrap(),
                ),
            ];
            for (x, y) in pairs {
                assert!((x - y).abs() < 1e-10, "K = {inside}: {x} vs {y}");
            }
        }
    }

    #[test]
    fn extremes_are_the_exact_limits() {
        let hot = Temperature::new(1e16).unwrap();
        assert_eq!(energy_per_spin(1.0, hot).unwrap(), -2e-16);
        assert_eq!(entropy_per_spin(1.0, hot).unwrap(), core::f64::consts::LN_2);
        for t in [1e-3, 1e-300] {
            let cold = Temperature::new(t).unwrap();
            assert_eq!(energy_per_spin(1.0, cold).unwrap(), -2.0);
            assert_eq!(entropy_per_spin(1.0, cold).unwrap(), 0.0);
            assert_eq!(spontaneous_magnetization(1.0, cold).unwrap(), 1.0);
        }
    }

    #[test]
    fn entropy_at_tc() {
        // s_c = ½ ln 2 + 2G/π − √2 β_c with β_c = ln(1 + √2)/2.
        let tc = Temperature::ising_critical(1.0).unwrap();
        let catalan = 0.915_965_594_177_219_f64;
        let expected = 0.5 * core::f64::consts::LN_2 + 2.0 * catalan / PI
            - SQRT_2 * libm::log(1.0 + SQRT_2) / 2.0;
        assert!((entropy_per_spin(1.0, tc).unwrap() - expected).abs() < 1e-12);
    }

    #[test]
    fn energy_is_derivative_of_log_partition() {
        // u = −∂(ln Z/N)/∂β, checked by central differences on both sides of T_c.
        for t in [1.2, 2.0, 2.6, 3.5] {
            let beta = 1.0 / t;
            let h = 1e-5;
            let lz =
                |b: f64| log_partition_per_spin(1.0, Temperature::new(1.0 / b).unwrap()).unwrap();
            let fd = -(lz(beta + h) - lz(beta - h)) / (2.0 * h);
            let u = energy_per_spin(1.0, Temperature::new(t).unwrap()).unwrap();
            assert!((fd - u).abs() < 1e-7, "T = {t}: {fd} vs {u}");
        }
    }

    #[test]
    fn rejects_zero_coupling() {
        assert!(energy_per_spin(0.0, Temperature::new(1.0).unwrap()).is_err());
    }
}
