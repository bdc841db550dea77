//! The floating-point types networks compute in.
use super::gemm;

/// A float a network can be built on: `f32` (training, faster) or `f64` (gradient checks).
pub trait Scalar:
    num_traits::Float + num_traits::FromPrimitive + core::fmt::Debug + Default + Send + Sync + 'static
{
    /// C (m×n) ← α op(A) op(B) + β C on row-major slices (see `gemm::gemm`).
    #[allow(clippy::too_many_arguments)]
    fn gemm(
        ta: bool,
        tb: bool,
        m: usize,
        n: usize,
        k: usize,
        alpha: Self,
        a: &[Self],
        b: &[Self],
        beta: Self,
        c: &mut [Self],
    );

    /// tanh for activations: branch-free functions of plain arithmetic that a loop
    /// vectorises and that give the same bits on every target ([`tanh_f32`], [`tanh_f64`]).
    fn tanh_act(self) -> Self;

    /// σ(x) = 1/(1 + e⁻ˣ) for activations, vectorisable and the same bits on every target:
    /// [`sigmoid_f64`] (f32 computes it in f64 and rounds).
    fn sigmoid_act(self) -> Self;

    /// `x` converted from `f64`.
    fn of(x: f64) -> Self {
        Self::from_f64(x).unwrap_or_else(Self::nan)
    }

    /// `f` applied in f64 and rounded to `Self`: for the transcendental functions outside the
    /// activations' fast paths, with `f` a `libm` function so the bits are the same on every
    /// target (`num_traits::Float::exp` and friends call the platform's maths library once
    /// `std` is on).
    fn map_f64(self, f: impl Fn(f64) -> f64) -> Self {
        Self::of(f(self.to_f64().unwrap_or(f64::NAN)))
    }

    /// The values as `f32` if `Self` is `f32` (so a kernel written for `f32` can take over),
    /// else `None`.
    fn as_f32(values: &[Self]) -> Option<&[f32]> {
        let _ = values;
        None
    }

    /// [`Scalar::as_f32`] for a mutable slice.
    fn as_f32_mut(values: &mut [Self]) -> Option<&mut [f32]> {
        let _ = values;
        None
    }
}

/// tanh for f32 as a rational function, branch-free so a loop over it vectorises:
/// tanh x ≈ x P(x²) / Q(x²) with P of degree 4 and Q of degree 4 in x², x clamped to [−9, 9]
/// (tanh 9 rounds to 1 in f32) and the result to [−1, 1]. The coefficients are a relative-error
/// least-squares fit on (0, 9] (`scripts/tanh_rational.py`); evaluated in f32 the error is
/// ≤ 4·10⁻⁷ absolute and relative (tested against f64), with no exp and no integer conversion.
#[inline(always)]
pub fn tanh_f32(x: f32) -> f32 {
    const P: [f32; 5] = [
        0.999_999_98,
        0.133_917_66,
        0.003_508_348_4,
        2.081_929e-5,
        1.364_645_3e-8,
    ];
    const Q: [f32; 5] = [1.0, 0.467_250_84, 0.025_925_516, 3.306_512e-4, 7.895_869e-7];
    let x = x.clamp(-9.0, 9.0);
    let z = x * x;
    let p = (((P[4] * z + P[3]) * z + P[2]) * z + P[1]) * z + P[0];
    let q = (((Q[4] * z + Q[3]) * z + Q[2]) * z + Q[1]) * z + Q[0];
    (x * p / q).clamp(-1.0, 1.0)
}

impl Scalar for f32 {
    #[inline(always)]
    fn tanh_act(self) -> f32 {
        tanh_f32(self)
    }

    #[inline(always)]
    fn sigmoid_act(self) -> f32 {
        sigmoid_f64(f64::from(self)) as f32
    }

    fn as_f32(values: &[f32]) -> Option<&[f32]> {
        Some(values)
    }

    fn as_f32_mut(values: &mut [f32]) -> Option<&mut [f32]> {
        Some(values)
    }

    fn gemm(
        ta: bool,
        tb: bool,
        m: usize,
        n: usize,
        k: usize,
        alpha: f32,
        a: &[f32],
        b: &[f32],
        beta: f32,
        c: &mut [f32],
    ) {
        gemm::sgemm(ta, tb, m, n, k, alpha, a, b, beta, c);
    }
}

/// e^y = 2ᵏ (1 + p) as the pair (2ᵏ, p = expm1 r), for −708 ≤ y ≤ 0 (NaN passes through),
/// branch-free and from plain arithmetic: y = k ln 2 + r with |r| ≤ ln 2 / 2 (k rounded to
/// nearest by adding 1.5·2⁵²; ln 2 split in a 32-bit head and a tail so that k ln 2 is exact)
/// and expm1 r by its Taylor series to r¹³ (truncation below 2⁻⁵⁵ relative).
#[inline(always)]
fn exp_parts(y: f64) -> (f64, f64) {
    const MAGIC: f64 = 6_755_399_441_055_744.0; // 1.5 · 2⁵²
    const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000); // low 21 bits zero
    const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76); // ln 2 − LN2_HI
    const INV_LN2: f64 = core::f64::consts::LOG2_E;
    // 1/n! for n = 2 … 13.
    const C: [f64; 12] = [
        1.0 / 2.0,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5_040.0,
        1.0 / 40_320.0,
        1.0 / 362_880.0,
        1.0 / 3_628_800.0,
        1.0 / 39_916_800.0,
        1.0 / 479_001_600.0,
        1.0 / 6_227_020_800.0,
    ];
    let shifted = y * INV_LN2 + MAGIC;
    let k = shifted - MAGIC;
    let r = (y - k * LN2_HI) - k * LN2_LO;
    let q = C.iter().rev().fold(0.0, |q, &c| q * r + c);
    let p = r + r * r * q;
    let exponent = (shifted.to_bits() as i64).wrapping_sub(MAGIC.to_bits() as i64);
    (
        f64::from_bits((exponent.wrapping_add(1023) as u64) << 52),
        p,
    )
}

/// tanh for f64 to within a few ulp, branch-free and from plain arithmetic (no libm call, no
/// fused multiply-add), so a loop over it vectorises and every target gives the same bits:
///
/// tanh |x| = −e / (2 + e),  e = expm1(−2|x|) = 2ᵏ expm1 r + (2ᵏ − 1) ∈ (−1, 0]
///
/// (the reduction of `exp_parts`). Written without cancellation for small |x| (e ≈ −2|x| is
/// computed to relative accuracy), so the error is relative everywhere; measured ≤ 3 ulp from
/// libm's tanh (itself within 1 ulp; tested). |x| ≥ 20 gives ±1 (e^{−40} is below half an
/// ulp of 1), the sign of zero is kept, NaN stays NaN.
///
/// # Examples
/// ```
/// use entropic::nn::tanh_f64;
/// assert!((tanh_f64(0.5) - 0.5f64.tanh()).abs() <= 4.0 * f64::EPSILON * 0.5f64.tanh());
/// assert_eq!(tanh_f64(-30.0), -1.0);
/// ```
#[inline(always)]
pub fn tanh_f64(x: f64) -> f64 {
    const SIGN: u64 = 1 << 63;
    let bits = x.to_bits();
    let y = -2.0 * f64::from_bits(bits & !SIGN);
    let y = if y < -40.0 { -40.0 } else { y }; // NaN passes through
    let (scale, p) = exp_parts(y);
    let e = scale * p + (scale - 1.0);
    let t = -e / (2.0 + e);
    f64::from_bits((t.to_bits() & !SIGN) | (bits & SIGN))
}

/// The logistic function σ(x) = 1/(1 + e⁻ˣ) for f64, branch-free and from plain arithmetic like
/// [`tanh_f64`]: with e = e^{−|x|} = 2ᵏ(1 + expm1 r), σ(|x|) = 1/(1 + e) and σ(−|x|) = e/(1 + e)
/// (so small values keep their relative accuracy). Measured ≤ 2 ulp from the libm formula
/// (tested). For x < −708, e is held at e^{−708} (σ ≈ 3·10⁻³⁰⁸ instead of smaller); NaN stays
/// NaN.
///
/// # Examples
/// ```
/// use entropic::nn::sigmoid_f64;
/// let want = 1.0 / (1.0 + (-1.5f64).exp());
/// assert!((sigmoid_f64(1.5) - want).abs() <= 4.0 * f64::EPSILON * want);
/// assert_eq!(sigmoid_f64(0.0), 0.5);
/// ```
#[inline(always)]
pub fn sigmoid_f64(x: f64) -> f64 {
    let y = -x.abs();
    let y = if y < -708.0 { -708.0 } else { y }; // NaN passes through
    let (scale, p) = exp_parts(y);
    let e = scale * p + scale;
    let inv = 1.0 / (1.0 + e);
    if x < 0.0 { e * inv } else { inv }
}

impl Scalar for f64 {
    #[inline(always)]
    fn tanh_act(self) -> f64 {
        tanh_f64(self)
    }

    #[inline(always)]
    fn sigmoid_act(self) -> f64 {
        sigmoid_f64(self)
    }

    fn gemm(
        ta: bool,
        tb: bool,
        m: usize,
        n: usize,
        k: usize,
        alpha: f64,
        a: &[f64],
        b: &[f64],
        beta: f64,
        c: &mut [f64],
    ) {
        gemm::dgemm(ta, tb, m, n, k, alpha, a, b, beta, c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_tanh_is_accurate() {
        let (mut abs, mut rel) = (0.0f64, 0.0f64);
        for k in -400_000..=400_000 {
            let x = k as f32 * 3e-5;
            let (got, want) = (f64::from(tanh_f32(x)), libm::tanh(f64::from(x)));
            abs = abs.max((got - want).abs());
            if x != 0.0 {
                rel = rel.max((got - want).abs() / want.abs());
            }
            assert!(got.abs() <= 1.0);
        }
        assert!(abs < 4e-7 && rel < 4e-7, "max error {abs} (relative {rel})");
        assert_eq!(tanh_f32(50.0), 1.0);
        assert_eq!(tanh_f32(-1e30), -1.0);
        assert_eq!(tanh_f32(0.0), 0.0);
    }

    /// Distance in units in the last place between two finite floats of the same sign.
    fn ulps(a: f64, b: f64) -> u64 {
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs()
    }

    /// Against libm's tanh (within an ulp of the true value) on a dense grid from 10⁻³⁰⁰ to
    /// 25, both signs: at most 3 ulp apart, so within 4 ulp of the true value.
    #[test]
    fn f64_tanh_is_accurate_to_a_few_ulp() {
        let mut worst = (0, 0.0);
        let grid = (0..200_000)
            .map(|i| i as f64 * 1.25e-4)
            .chain((0..3_000).map(|i| 10f64.powf(-300.0 + 0.1 * i as f64)));
        for x in grid {
            for x in [x, -x] {
                let (got, want) = (tanh_f64(x), libm::tanh(x));
                let d = ulps(got, want);
                if d > worst.0 {
                    worst = (d, x);
                }
            }
        }
        assert!(worst.0 <= 3, "{} ulp at x = {}", worst.0, worst.1);
    }

    /// Against σ computed with libm's exp on a dense grid over [−40, 40] and far into the tails:
    /// at most 2 ulp apart.
    #[test]
    fn f64_sigmoid_is_accurate_to_a_few_ulp() {
        let reference = |x: f64| {
            if x >= 0.0 {
                1.0 / (1.0 + libm::exp(-x))
            } else {
                let e = libm::exp(x);
                e / (1.0 + e)
            }
        };
        let mut worst = (0, 0.0);
        let grid = (-320_000..=320_000)
            .map(|i| i as f64 * 1.25e-4)
            .chain((0..700).map(|i| -(i as f64)));
        for x in grid {
            let d = ulps(sigmoid_f64(x), reference(x));
            if d > worst.0 {
                worst = (d, x);
            }
        }
        assert!(worst.0 <= 2, "{} ulp at x = {}", worst.0, worst.1);
        assert_eq!(sigmoid_f64(0.0), 0.5);
        assert_eq!(sigmoid_f64(f64::INFINITY), 1.0);
        assert!(sigmoid_f64(f64::NEG_INFINITY) < 1e-307);
        assert!(sigmoid_f64(f64::NAN).is_nan());
    }

    #[test]
    fn f64_tanh_edges() {
        assert_eq!(tanh_f64(20.0), 1.0);
        assert_eq!(tanh_f64(f64::INFINITY), 1.0);
        assert_eq!(tanh_f64(f64::NEG_INFINITY), -1.0);
        assert_eq!(tanh_f64(0.0).to_bits(), 0.0f64.to_bits());
        assert_eq!(tanh_f64(-0.0).to_bits(), (-0.0f64).to_bits());
        assert!(tanh_f64(f64::NAN).is_nan());
        assert_eq!(tanh_f64(f64::MIN_POSITIVE), f64::MIN_POSITIVE);
        assert_eq!(tanh_f64(1e-300), 1e-300);
    }
}
