//! Modified Bessel functions of the first kind by their power series, and the ratio I₁/I₀ by
//! Chebyshev expansions.

use super::bessel_chebyshev::{RATIO, TERMS};

/// I_ν(x) for ν ∈ {0, 1} and 0 ≤ x ≤ 50 by the power series Σ_k (x/2)^{2k+ν} / (k! (k+ν)!);
/// every term is positive, so the sum loses no precision.
fn series(nu: u32, x: f64) -> f64 {
    let q = 0.25 * x * x;
    let mut term = if nu == 0 { 1.0 } else { 0.5 * x };
    let mut sum = term;
    for k in 1..500 {
        term *= q / (k as f64 * (k + nu) as f64);
        sum += term;
        if term < 1e-17 * sum {
            break;
        }
    }
    sum
}

/// Modified Bessel function I₀(x) (|x| ≤ 50).
///
/// # Examples
/// ```
/// assert!((entropic::special::bessel_i0(1.0) - 1.2660658777520082).abs() < 1e-15);
/// ```
pub fn bessel_i0(x: f64) -> f64 {
    series(0, x.abs())
}

/// Modified Bessel function I₁(x) (|x| ≤ 50).
///
/// # Examples
/// ```
/// assert!((entropic::special::bessel_i1(1.0) - 0.5651591039924851).abs() < 1e-15);
/// ```
pub fn bessel_i1(x: f64) -> f64 {
    let v = series(1, x.abs());
    if x < 0.0 { -v } else { v }
}

/// Above this argument the Hankel expansion replaces the power series.
const ASYMPTOTIC_FROM: f64 = 50.0;

/// e^{−x} √(2πx) I_ν(x) for ν ∈ {0, 1} and x ≥ 50 by Hankel's expansion
/// Σ_k (−1)^k Π_{j≤k} (4ν² − (2j−1)²) / (k! (8x)^k); its terms shrink until k ≈ 2x, so it
/// converges to rounding here.
fn scaled_asymptotic(nu: u32, x: f64) -> f64 {
    let mu = f64::from(4 * nu * nu);
    let (mut term, mut sum) = (1.0, 1.0);
    for j in 1..60 {
        let odd = f64::from(2 * j - 1);
        term *= -(mu - odd * odd) / (f64::from(j) * 8.0 * x);
        sum += term;
        if term.abs() < 1e-17 * sum {
            break;
        }
    }
    sum
}

/// ln I₀(x) for every finite x, without overflow (I₀ itself overflows beyond x ≈ 713).
///
/// # Examples
/// ```
/// use entropic::special::{bessel_i0, ln_bessel_i0};
/// assert!((ln_bessel_i0(3.0) - bessel_i0(3.0).ln()).abs() < 1e-15);
/// assert!(ln_bessel_i0(1e6).is_finite());
/// ```
pub fn ln_bessel_i0(x: f64) -> f64 {
    let x = x.abs();
    if x <= ASYMPTOTIC_FROM {
        libm::log(series(0, x))
    } else {
        x - 0.5 * libm::log(2.0 * core::f64::consts::PI * x) + libm::log(scaled_asymptotic(0, x))
    }
}

/// The ratio A(x) = I₁(x)/I₀(x) = d ln I₀/dx for every finite x: the mean resultant length of a
/// von Mises distribution of concentration x (odd in x, A(x) → 1 − 1/(2x) as x → ∞).
///
/// Evaluated by piecewise Chebyshev expansions of A itself (of A(x)/x in x² below 1.9, of A in
/// 1/x above; `scripts/bessel_chebyshev.py`): 14 multiply-adds, where the power series of I₀
/// and I₁ need up to 160 terms below 50. Relative error < 5e-15 (tested against the series
/// and Hankel's expansion). [`bessel_ratios`] evaluates several arguments at once, faster.
///
/// # Examples
/// ```
/// use entropic::special::{bessel_i0, bessel_i1, bessel_ratio};
/// assert!((bessel_ratio(2.0) - bessel_i1(2.0) / bessel_i0(2.0)).abs() < 1e-15);
/// assert!((bessel_ratio(1e4) - (1.0 - 0.5e-4)).abs() < 1e-8);
/// ```
pub fn bessel_ratio(x: f64) -> f64 {
    bessel_ratios([x])[0]
}

/// [`bessel_ratio`] of N arguments at once, each bit-identical to its own call.
///
/// Clenshaw's recurrence is a chain of dependent multiply-adds, so one evaluation waits on
/// latency; N chains advance side by side here, and the piece of each argument is found by
/// counting and its expansion chosen by selects, without branches that would stall them.
/// Shorter expansions are padded with zeros, which leave the recurrence exactly at zero.
///
/// # Examples
/// ```
/// use entropic::special::{bessel_ratio, bessel_ratios};
/// let x = [0.5, 3.0, -40.0, 1e6];
/// assert_eq!(bessel_ratios(x), x.map(bessel_ratio));
/// ```
pub fn bessel_ratios<const N: usize>(x: [f64; N]) -> [f64; N] {
    let a = x.map(f64::abs);
    // ±∞ and NaN take the first piece (their result is replaced at the end).
    let piece = a.map(|a| {
        let above: usize = RATIO.iter().map(|p| usize::from(a >= p.hi)).sum();
        &RATIO[above.min(RATIO.len() - 1)]
    });
    let t: [f64; N] = core::array::from_fn(|k| {
        let (p, a) = (piece[k], a[k]);
        select(p.square, p.a * a * a + p.b, p.a / a + p.b)
    });
    let (mut b1, mut b2) = ([0.0; N], [0.0; N]);
    for j in (1..TERMS).rev() {
        for k in 0..N {
            (b1[k], b2[k]) = (piece[k].c[j] + 2.0 * t[k] * b1[k] - b2[k], b1[k]);
        }
    }
    core::array::from_fn(|k| {
        let (p, a) = (piece[k], a[k]);
        let sum = p.c[0] + t[k] * b1[k] - b2[k];
        if a < f64::INFINITY {
            libm::copysign(select(p.square, a, 1.0) * sum, x[k])
        } else if a.is_nan() {
            a
        } else {
            libm::copysign(1.0, x[k])
        }
    })
}

/// `if take { yes } else { no }` by bit masks, so that no branch depends on data.
fn select(take: bool, yes: f64, no: f64) -> f64 {
    let mask = u64::from(take).wrapping_neg();
    f64::from_bits((yes.to_bits() & mask) | (no.to_bits() & !mask))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The two expansions agree where they meet and a little below (Hankel's is already
    /// accurate at 30), so the switch at 50 is seamless.
    #[test]
    fn series_and_hankel_agree() {
        for x in [30.0, 40.0, 50.0] {
            for nu in [0, 1] {
                let scaled =
                    series(nu, x) * libm::exp(-x) * libm::sqrt(2.0 * core::f64::consts::PI * x);
                let hankel = scaled_asymptotic(nu, x);
                assert!((scaled - hankel).abs() < 1e-14 * hankel, "ν={nu} x={x}");
            }
        }
    }

    /// The Chebyshev ratio against the power series up to 50 and Hankel's expansion beyond.
    #[test]
    fn ratio_matches_series_and_hankel() {
        let mut worst: f64 = 0.0;
        for i in 1..=20_000 {
            let x = f64::from(i) * 2.5e-3 + if i % 2 == 0 { 0.0 } else { 1e-4 };
            let want = series(1, x) / series(0, x);
            worst = worst.max((bessel_ratio(x) - want).abs() / want);
            assert_eq!(bessel_ratio(-x), -bessel_ratio(x));
        }
        for x in [50.5, 80.0, 300.0, 1e4, 1e8] {
            let want = scaled_asymptotic(1, x) / scaled_asymptotic(0, x);
            worst = worst.max((bessel_ratio(x) - want).abs() / want);
        }
        assert!(worst < 5e-15, "worst relative error {worst:e}");
        assert_eq!(bessel_ratio(0.0), 0.0);
        assert!((bessel_ratio(1e-8) - 0.5e-8).abs() < 1e-22);
        assert!((bessel_ratio(f64::INFINITY) - 1.0).abs() < 1e-15);
    }

    /// Lanes are independent: every lane of a batch gives the bits of its own call, on piece
    /// boundaries, zeros, infinities and NaN mixed with ordinary arguments.
    #[test]
    fn batched_lanes_match_single_calls() {
        let mut args: alloc::vec::Vec<f64> = RATIO.iter().map(|p| p.hi).collect();
        args.extend([
            0.0,
            -0.0,
            1e-300,
            f64::NAN,
            f64::NEG_INFINITY,
            1.9 - 1e-15,
            -64.0,
        ]);
        args.extend((0..400).map(|i| libm::sin(f64::from(i)) * f64::from(i) * 0.37));
        for quad in args.chunks_exact(4) {
            let x = [quad[0], quad[1], quad[2], quad[3]];
            let got = bessel_ratios(x);
            for (g, &x) in got.iter().zip(&x) {
                let want = bessel_ratios([x])[0];
                assert!(
                    g.to_bits() == want.to_bits() || (g.is_nan() && want.is_nan()),
                    "{x}"
                );
            }
        }
        assert!(bessel_ratio(f64::NAN).is_nan());
        assert_eq!(bessel_ratio(f64::NEG_INFINITY), -1.0);
        assert_eq!(bessel_ratio(-0.0).to_bits(), (-0.0f64).to_bits());
    }

    /// A = d ln I₀ / dx (central differences), on both sides of the switch.
    #[test]
    fn ratio_is_the_log_derivative() {
        for x in [0.3, 5.0, 49.0, 51.0, 300.0, 1e5] {
            let h = 1e-5 * x;
            let fd = (ln_bessel_i0(x + h) - ln_bessel_i0(x - h)) / (2.0 * h);
            assert!(
                (fd - bessel_ratio(x)).abs() < 1e-8,
                "x={x}: {fd} vs {}",
                bessel_ratio(x)
            );
        }
        assert_eq!(bessel_ratio(-2.0), -bessel_ratio(2.0));
        // Reference (mpmath, 30 digits): I₁(100)/I₀(100) = 0.99498737300516876…,
        // ln I₀(100) = 96.779732689942583…
        assert!((bessel_ratio(100.0) - 0.994_987_373_005_168_8).abs() < 1e-15);
        assert!((ln_bessel_i0(100.0) - 96.779_732_689_942_58).abs() < 1e-12);
    }
}
