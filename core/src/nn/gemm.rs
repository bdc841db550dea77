//! Safe row-major wrappers over `matrixmultiply`'s packed, SIMD-dispatched gemm kernels.
//!
//! This is the one module of the crate with `unsafe`: matrixmultiply takes raw pointers and
//! strides. Every call first checks that each slice holds the whole matrix its strides address,
//! which is exactly the precondition of `sgemm` / `dgemm`.
#![allow(unsafe_code)]

/// Strides (row, column) of a row-major `rows×cols` matrix, read transposed if `t`.
fn strides(t: bool, rows: usize, cols: usize) -> (isize, isize) {
    // op(A) is rows×cols. Untransposed storage is rows×cols row-major; transposed storage is
    // cols×rows row-major, so element (i, j) of op(A) lives at j·rows + i.
    if t {
        (1, rows as isize)
    } else {
        (cols as isize, 1)
    }
}

fn check(m: usize, n: usize, k: usize, a: usize, b: usize, c: usize) {
    assert!(a >= m * k, "gemm: A holds {a} values, needs {}", m * k);
    assert!(b >= k * n, "gemm: B holds {b} values, needs {}", k * n);
    assert!(c >= m * n, "gemm: C holds {c} values, needs {}", m * n);
    assert!(
        m.max(n).max(k) <= isize::MAX as usize / 2,
        "gemm: dimensions overflow"
    );
}

macro_rules! wrapper {
    ($name:ident, $t:ty, $kernel:path) => {
        /// C (m×n) ← α op(A) op(B) + β C for row-major slices; op transposes when the flag is set
        /// (A is m×k after op, B is k×n after op).
        ///
        /// # Panics
        /// If a slice is shorter than its matrix.
        #[allow(clippy::too_many_arguments)]
        pub fn $name(
            ta: bool,
            tb: bool,
            m: usize,
            n: usize,
            k: usize,
            alpha: $t,
            a: &[$t],
            b: &[$t],
            beta: $t,
            c: &mut [$t],
        ) {
            check(m, n, k, a.len(), b.len(), c.len());
            if m == 0 || n == 0 {
                return;
            }
            let (rsa, csa) = strides(ta, m, k);
            let (rsb, csb) = strides(tb, k, n);
            // SAFETY: `check` guarantees every element addressed through these strides lies
            // inside its slice, C does not alias A or B (distinct borrows), and the dimensions
            // fit in isize.
            unsafe {
                $kernel(
                    m,
                    k,
                    n,
                    alpha,
                    a.as_ptr(),
                    rsa,
                    csa,
                    b.as_ptr(),
                    rsb,
                    csb,
                    beta,
                    c.as_mut_ptr(),
                    n as isize,
                    1,
                );
            }
        }
    };
}

wrapper!(sgemm, f32, matrixmultiply::sgemm);
wrapper!(dgemm, f64, matrixmultiply::dgemm);

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(
        ta: bool,
        tb: bool,
        m: usize,
        n: usize,
        k: usize,
        a: &[f64],
        b: &[f64],
    ) -> alloc::vec::Vec<f64> {
        let at = |i: usize, p: usize| if ta { a[p * m + i] } else { a[i * k + p] };
        let bt = |p: usize, j: usize| if tb { b[j * k + p] } else { b[p * n + j] };
        (0..m * n)
            .map(|ij| (0..k).map(|p| at(ij / n, p) * bt(p, ij % n)).sum())
            .collect()
    }

    #[test]
    fn all_transposes_match_naive() {
        let (m, n, k) = (5, 7, 3);
        let a: alloc::vec::Vec<f64> = (0..m * k).map(|x| x as f64 * 0.3 - 1.0).collect();
        let b: alloc::vec::Vec<f64> = (0..k * n).map(|x| (x as f64).sin()).collect();
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let mut c = alloc::vec![1.0; m * n];
            dgemm(ta, tb, m, n, k, 2.0, &a, &b, 0.5, &mut c);
            let expect = naive(ta, tb, m, n, k, &a, &b);
            for (x, y) in c.iter().zip(&expect) {
                assert!((x - (2.0 * y + 0.5)).abs() < 1e-12);
            }
        }
    }
}
