//! Analytic limits of the zero-field XY model on a periodic Lx×Ly lattice, used to check
//! thermodynamic integration and the samplers. Entropies are the *excess* entropy per spin,
//! s − ln 2π, in nats (thesis Table 4.2).
use super::{LatticeError, Square, Temperature};
use crate::special::{bessel_i0, bessel_i1};
use core::f64::consts::{PI, TAU};

fn coupling(j: f64) -> Result<f64, LatticeError> {
    if j.is_finite() && j > 0.0 {
        Ok(j)
    } else {
        Err(LatticeError::Unsupported {
            algorithm: "the XY limits",
            needs: "J > 0",
        })
    }
}

/// High-temperature (character) expansion with K = βJ and t = I₁(K)/I₀(K): each bond weight is
/// I₀(K)[1 + 2t cos Δθ + …] and each elementary plaquette contributes 2t⁴ (two orientations), so
///
/// ln Z/N = ln 2π + 2 ln I₀(K) + 2t⁴ + O(t⁶),
/// u = −J (2t + 8t³ t′), t′ = dt/dK = 1 − t/K − t²,
/// s − ln 2π = 2 ln I₀(K) + 2t⁴ + βu.
///
/// Returns (u, s − ln 2π) per spin. Loops wrapping the torus enter at order t^L.
///
/// # Precision
/// The neglected terms are O(t⁶): about 4·10⁻⁶ at T = 5J.
///
/// # Errors
/// [`LatticeError::Unsupported`] unless J > 0.
///
/// # Examples
/// ```
/// use entropic::lattice::{Temperature, xy_limits};
/// let (u, s) = xy_limits::high_temperature(1.0, Temperature::new(100.0)?)?;
/// assert!(u.abs() < 0.011 && s.abs() < 1e-4);
/// # Ok::<(), entropic::lattice::LatticeError>(())
/// ```
pub fn high_temperature(j: f64, t: Temperature) -> Result<(f64, f64), LatticeError> {
    let j = coupling(j)?;
    let k = j * t.beta();
    let ratio = bessel_i1(k) / bessel_i0(k);
    let dratio = 1.0 - ratio / k - ratio * ratio;
    let u = -j * (2.0 * ratio + 8.0 * ratio * ratio * ratio * dratio);
    let s = 2.0 * libm::log(bessel_i0(k)) + 2.0 * libm::pow(ratio, 4.0) + t.beta() * u;
    Ok((u, s))
}

/// Low-temperature spin-wave limit on the finite lattice: the harmonic (Gaussian) theory with
/// its zero mode (the global rotation, of measure 2π√N) plus the first anharmonic correction
/// (−J x⁴/24 per bond at first order, which gives Δu = T²/16J and Δs = T/8J per spin):
///
/// ln Z_h/N = 2K + [ln(2π√N) + ((N−1)/2) ln(2π/K) − ½ Σ_{q≠0} ln λ_q] / N,
/// λ_q = 4 − 2 cos q_x − 2 cos q_y,  u = −2J + (N−1)T/(2N) + T²/(16J),
/// s − ln 2π = ln Z_h/N − 2K + (N−1)/(2N) + T/(8J) − ln 2π.
///
/// Returns (u, s − ln 2π) per spin. Vortices are exponentially rare (≈ e^{−2π²J/T}).
///
/// # Precision
/// O(T²) in s and O(T³) in u.
///
/// # Errors
/// [`LatticeError::Unsupported`] unless J > 0.
pub fn spin_wave(j: f64, t: Temperature, lattice: &Square) -> Result<(f64, f64), LatticeError> {
    let j = coupling(j)?;
    let k = j * t.beta();
    let (lx, ly) = (lattice.lx(), lattice.ly());
    let n = lattice.sites() as f64;
    let mut log_eigen = 0.0;
    for qy in 0..ly {
        for qx in 0..lx {
            if qx == 0 && qy == 0 {
                continue;
            }
            let lambda = 4.0
                - 2.0 * libm::cos(TAU * qx as f64 / lx as f64)
                - 2.0 * libm::cos(TAU * qy as f64 / ly as f64);
            log_eigen += libm::log(lambda);
        }
    }
    let modes = n - 1.0;
    let ln_z_harmonic_minus_ground =
        (libm::log(TAU * libm::sqrt(n)) + 0.5 * modes * libm::log(TAU / k) - 0.5 * log_eigen) / n;
    let temp = t.value();
    let u = -2.0 * j + modes / n * 0.5 * temp + temp * temp / (16.0 * j);
    let s = ln_z_harmonic_minus_ground + modes / (2.0 * n) + temp / (8.0 * j) - libm::log(2.0 * PI);
    Ok((u, s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spin_wave_infinite_lattice_constant() {
        // For N → ∞: s − ln 2π → ½ ln(T/(2πJ)) + ½ − 2G/π + T/8J (G = Catalan's constant).
        let t = Temperature::new(0.05).unwrap();
        let (_, s) = spin_wave(1.0, t, &Square::with_side(512).unwrap()).unwrap();
        let catalan = 0.915_965_594_177_219;
        let expected = 0.5 * libm::log(0.05 / TAU) + 0.5 - 2.0 * catalan / PI + 0.05 / 8.0;
        assert!((s - expected).abs() < 1e-4, "{s} vs {expected}");
    }

    #[test]
    fn high_temperature_energy_is_derivative() {
        // u = −d(ln Z/N)/dβ with ln Z/N = ln 2π + 2 ln I₀ + 2t⁴.
        let lz = |b: f64| {
            let r = bessel_i1(b) / bessel_i0(b);
            2.0 * libm::log(bessel_i0(b)) + 2.0 * libm::pow(r, 4.0)
        };
        let (beta, h) = (0.3, 1e-5);
        let fd = -(lz(beta + h) - lz(beta - h)) / (2.0 * h);
        let (u, _) = high_temperature(1.0, Temperature::new(1.0 / beta).unwrap()).unwrap();
        assert!((fd - u).abs() < 1e-9);
    }
}
