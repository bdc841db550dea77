//! High- and low-temperature series of the zero-field square-lattice Ising model, per spin: the
//! form in which [`kaufman`](super::kaufman) and [`onsager`](super::onsager) are evaluated where
//! their closed forms lose precision to cancellation or overflow (K = β|J| → 0 and K → ∞).
//!
//! # High temperature (K < [`HIGH_T_BELOW`])
//! With t = tanh K, Z = 2^N cosh^{2N} K Σ t^{|G|} over the even subgraphs G of the lattice, and
//! the linked-cluster (cumulant) expansion gives, per spin,
//!
//! ln Z / N = ln 2 + 2 ln cosh K + t⁴ + 2t⁶ + 9/2 t⁸ + O(t¹⁰)
//!
//! (one plaquette per site, two 1×2 rectangles, seven polygons of perimeter 8 less 5/2 for the
//! pairs of plaquettes that overlap or share an edge). On an m×n torus the straight loops that
//! wind around it add (n t^m + m t^n)/N; loops with bends are O(t^{m+2}). Valid as written for
//! sides ≥ [`MIN_SIDE`], where no other loop wraps before order t⁷.
//!
//! # Low temperature (K > [`LOW_T_ABOVE`])
//! With x = e^{−8K} (one flipped spin breaks four bonds), by Kramers–Wannier duality the same
//! coefficients: ln Z / N = 2K + s₀ + x + 2x^{3/2} + 9/2 x² + O(x^{5/2}), s₀ = ln 2 / N for the
//! two ground states of a finite torus (0 for the infinite lattice). Sides ≥ [`MIN_SIDE`] keep
//! whole-row flips (x^{m/2}) beyond that order.
//!
//! # Switch points
//! [`HIGH_T_BELOW`] and [`LOW_T_ABOVE`] are where the series' first neglected term (≲ 10⁻¹³ in c
//! at K = 10⁻², ≈ 3·10⁻⁹ at K = 2) is smaller than the closed forms' rounding error; the
//! measurements are in `docs/results/exact-references.md`.

/// Below this K = β|J| the high-temperature series is used.
pub const HIGH_T_BELOW: f64 = 1e-2;
/// Above this K = β|J| the low-temperature series is used.
pub const LOW_T_ABOVE: f64 = 2.0;
/// Smallest side for which the series hold as written.
pub const MIN_SIDE: usize = 7;

/// Per-spin thermodynamics in units of |J|: ln Z / N, −u/|J| = d(ln Z/N)/dK, c and s.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct PerSpin {
    /// ln Z / N.
    pub ln_z: f64,
    /// d(ln Z/N)/dK, so u = −|J| · this.
    pub d1: f64,
    /// c = K² d²(ln Z/N)/dK².
    pub c: f64,
    /// s = ln Z/N − K d1, summed term by term (no cancellation).
    pub s: f64,
}

/// The high-temperature series at K; `windings` = Some((m, n)) adds the straight winding loops
/// of an m×n torus.
pub(crate) fn high_t(k: f64, windings: Option<(usize, usize)>) -> PerSpin {
    let t = libm::tanh(k);
    let q = 1.0 - t * t; // dt/dK = sech² K
    let (t2, t4) = (t * t, t * t * t * t);
    // P(t) = t⁴ + 2t⁶ + 9/2 t⁸ (+ windings), with P' and P''.
    let mut p = t4 * (1.0 + 2.0 * t2 + 4.5 * t4);
    let mut p1 = t2 * t * (4.0 + 12.0 * t2 + 36.0 * t4);
    let mut p2 = t2 * (12.0 + 60.0 * t2 + 252.0 * t4);
    if let Some((m, n)) = windings {
        let sites = (m * n) as f64;
        for (len, count) in [(m, n), (n, m)] {
            let (l, c) = (len as f64, count as f64 / sites);
            p += c * libm::pow(t, l);
            p1 += c * l * libm::pow(t, l - 1.0);
            p2 += c * l * (l - 1.0) * libm::pow(t, l - 2.0);
        }
    }
    // ln(2 cosh K) without overflow; ln Z/N = 2 ln(2 cosh K) − ln 2 + P.
    let ln_2cosh = k + libm::log1p(libm::exp(-2.0 * k));
    let ln_z = 2.0 * ln_2cosh - core::f64::consts::LN_2 + p;
    let d1 = 2.0 * t + p1 * q;
    let d2 = 2.0 * q + p2 * q * q - 2.0 * t * q * p1;
    PerSpin {
        ln_z,
        d1,
        c: k * k * d2,
        s: ln_z - k * d1,
    }
}

/// The low-temperature series at K with ground-state entropy `s0` per spin.
pub(crate) fn low_t(k: f64, s0: f64) -> PerSpin {
    let x = libm::exp(-8.0 * k);
    let x15 = x * libm::sqrt(x);
    let x2 = x * x;
    // Terms with x = 0 are dropped outright, so K = ∞ never meets 0 · ∞.
    let small = |coef: f64| if x > 0.0 { coef } else { 0.0 };
    PerSpin {
        ln_z: 2.0 * k + s0 + x + 2.0 * x15 + 4.5 * x2,
        d1: 2.0 - 8.0 * x - 24.0 * x15 - 72.0 * x2,
        c: small(k * k * (64.0 * x + 288.0 * x15 + 1152.0 * x2)),
        s: s0 + small(x * (1.0 + 8.0 * k) + x15 * (2.0 + 24.0 * k) + x2 * (4.5 + 72.0 * k)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each series against central differences of its own ln Z (the contract of d1 and c), and
    /// s = ln Z − K d1. This checks the algebra, not the physics, so K is taken where the
    /// derivatives are large enough for differences of ln Z ~ 1 to resolve them (outside the
    /// ranges where the series are used); agreement with the closed forms is tested in
    /// `kaufman` and `onsager`.
    #[test]
    fn derivatives_are_consistent() {
        for (series, k) in [
            (high_t as fn(f64, Option<(usize, usize)>) -> PerSpin, 0.05),
            (high_t, 0.3),
        ] {
            for w in [None, Some((7, 9))] {
                let h = 1e-5;
                let (a, b, m) = (series(k - h, w), series(k + h, w), series(k, w));
                let d1 = (b.ln_z - a.ln_z) / (2.0 * h);
                assert!((d1 - m.d1).abs() < 1e-7 * m.d1.abs(), "{d1} vs {}", m.d1);
                let d2 = (b.d1 - a.d1) / (2.0 * h);
                assert!(
                    (k * k * d2 - m.c).abs() < 1e-6 * m.c,
                    "{} vs {}",
                    k * k * d2,
                    m.c
                );
                assert!((m.ln_z - k * m.d1 - m.s).abs() < 1e-14);
            }
        }
        for k in [0.5, 0.8] {
            let h = 1e-5;
            let (a, b, m) = (low_t(k - h, 0.01), low_t(k + h, 0.01), low_t(k, 0.01));
            let d2 = (b.d1 - a.d1) / (2.0 * h);
            assert!(
                (k * k * d2 - m.c).abs() < 1e-6 * m.c,
                "{} vs {}",
                k * k * d2,
                m.c
            );
            assert!((m.ln_z - k * m.d1 - m.s).abs() < 1e-12);
        }
    }

    #[test]
    fn limits_are_exact() {
        let hot = high_t(0.0, Some((8, 8)));
        assert_eq!(
            (hot.ln_z, hot.d1, hot.c, hot.s),
            (core::f64::consts::LN_2, 0.0, 0.0, core::f64::consts::LN_2)
        );
        let cold = low_t(f64::INFINITY, 0.25);
        assert_eq!((cold.d1, cold.c, cold.s), (2.0, 0.0, 0.25));
    }
}
