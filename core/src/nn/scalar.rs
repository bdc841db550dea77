//! The floating-point types networks compute in.
use super::gemm;

/// A float a network can be built on: `f32` (training, faster) or `f64` (gradient checks).
pub trait Scalar:
    num_traits::Float + num_traits::FromPrimitive + core::fmt::Debug + Default + Send + Sync + 'static
{
    /// C (m×n) ← α op(A) op(B) + β C on row-major slices (see [`gemm::gemm`]).
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

    /// `x` converted from `f64`.
    fn of(x: f64) -> Self {
        Self::from_f64(x).unwrap_or_else(Self::nan)
    }
}

impl Scalar for f32 {
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
