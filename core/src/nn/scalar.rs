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

    /// tanh for activations. `f64` uses libm's tanh (exact to an ulp, for gradient checks);
    /// `f32` overrides it with a branch-free rational function that vectorises ([`tanh_f32`]).
    #[inline]
    fn tanh_act(self) -> Self {
        num_traits::Float::tanh(self)
    }

    /// `x` converted from `f64`.
    fn of(x: f64) -> Self {
        Self::from_f64(x).unwrap_or_else(Self::nan)
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

impl Scalar for f64 {
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
}
