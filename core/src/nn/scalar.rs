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
    /// `f32` overrides it with a branch-free formula that vectorises (see [`tanh_f32`]).
    fn tanh_act(self) -> Self {
        num_traits::Float::tanh(self)
    }

    /// `x` converted from `f64`.
    fn of(x: f64) -> Self {
        Self::from_f64(x).unwrap_or_else(Self::nan)
    }
}

/// eˣ for f32 without a libm call: x = n ln 2 + r with |r| ≤ ½ ln 2, eʳ by its degree-7 Taylor
/// polynomial (truncation < 2·10⁻⁹ relative), 2ⁿ built from the exponent bits. Branch-free, so a
/// loop over it vectorises. Inputs are clamped to [−87, 88].
fn exp_f32(x: f32) -> f32 {
    const LOG2E: f32 = core::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_145_75;
    const LN2_LO: f32 = 1.428_606_8e-6;
    const ROUND: f32 = 12_582_912.0; // 1.5·2²³: adding and subtracting it rounds to an integer
    let x = x.clamp(-87.0, 88.0);
    let n = (x * LOG2E + ROUND) - ROUND;
    let r = x - n * LN2_HI - n * LN2_LO;
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (1.0 / 6.0
                    + r * (1.0 / 24.0
                        + r * (1.0 / 120.0 + r * (1.0 / 720.0 + r * (1.0 / 5040.0)))))));
    p * f32::from_bits(((n as i32 + 127) as u32) << 23)
}

/// tanh x = sign(x) (1 − 2/(e^{2|x|} + 1)) for f32, with `exp_f32`; |x| ≥ 10 gives ±1 to f32
/// precision. Absolute error ≤ 2·10⁻⁷ (tested against f64); near 0 the relative error grows
/// like 10⁻⁷/|x|, harmless for activations.
pub fn tanh_f32(x: f32) -> f32 {
    let z = (2.0 * x.abs()).min(20.0);
    let t = 1.0 - 2.0 / (exp_f32(z) + 1.0);
    if x < 0.0 { -t } else { t }
}

impl Scalar for f32 {
    fn tanh_act(self) -> f32 {
        tanh_f32(self)
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
        let mut worst = 0.0f64;
        for k in -40_000..=40_000 {
            let x = k as f32 * 3e-4;
            worst = worst.max((f64::from(tanh_f32(x)) - libm::tanh(f64::from(x))).abs());
        }
        assert!(worst < 2e-7, "max error {worst}");
        assert_eq!(tanh_f32(50.0), 1.0);
        assert_eq!(tanh_f32(-1e30), -1.0);
        assert!((exp_f32(1.0) - core::f32::consts::E).abs() < 1e-6);
    }
}
