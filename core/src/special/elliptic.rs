//! Complete elliptic integral of the first kind through the arithmetic-geometric mean.

/// Arithmetic-geometric mean of two non-negative numbers (quadratic convergence).
///
/// # Examples
/// ```
/// // Gauss's constant: 1 / agm(1, √2) = 0.8346268...
/// assert!((1.0 / entropic::special::agm(1.0, 2f64.sqrt()) - 0.8346268416740731).abs() < 1e-15);
/// ```
pub fn agm(mut a: f64, mut b: f64) -> f64 {
    for _ in 0..64 {
        if (a - b).abs() <= 1e-16 * a {
            break;
        }
        let next = 0.5 * (a + b);
        b = libm::sqrt(a * b);
        a = next;
    }
    0.5 * (a + b)
}

/// Complete elliptic integral of the first kind, K(k) = ∫₀^{π/2} dθ / √(1 − k² sin²θ), for
/// modulus `0 ≤ k < 1`; returns `+∞` at `k = 1` and NaN outside `[0, 1]`.
///
/// # Formula
/// K(k) = π / (2 agm(1, √(1 − k²))).
///
/// # Examples
/// ```
/// use entropic::special::elliptic_k;
/// assert!((elliptic_k(0.0) - core::f64::consts::FRAC_PI_2).abs() < 1e-15);
/// assert!((elliptic_k(0.5) - 1.685750354812596).abs() < 1e-14);
/// ```
pub fn elliptic_k(k: f64) -> f64 {
    if !(0.0..=1.0).contains(&k) {
        return f64::NAN;
    }
    if k == 1.0 {
        return f64::INFINITY;
    }
    core::f64::consts::FRAC_PI_2 / agm(1.0, libm::sqrt((1.0 - k) * (1.0 + k)))
}
