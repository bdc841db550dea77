//! The f32 kernels of [`Correlation`] for x86-64 with AVX2 and FMA: register tiles of
//! [`Correlation::BLOCK`] output channels × [`Correlation::TILE`] sites (eight accumulators
//! of eight lanes) for the forward pass, and of four output × three input channels (twelve
//! accumulators), eight sites at a time, for the weight gradient.
//!
//! The crate's second `unsafe` module (after [`gemm`](super::gemm)): the intrinsics read and
//! write through raw pointers. Each entry point checks the slice lengths with
//! [`Correlation::check`] first, which bounds every address the loops form (its doc gives the
//! inequality), and runs the kernels only where [`available`] found the CPU features.
#![allow(unsafe_code)]

use core::arch::x86_64::{
    __m256, _mm_add_ps, _mm_add_ss, _mm_cvtss_f32, _mm_movehl_ps, _mm_shuffle_ps,
    _mm256_broadcast_ss, _mm256_castps256_ps128, _mm256_extractf128_ps, _mm256_fmadd_ps,
    _mm256_loadu_ps, _mm256_setzero_ps, _mm256_storeu_ps,
};

use super::correlate::Correlation;

const BLOCK: usize = Correlation::BLOCK;
/// Vectors of eight sites per forward tile.
const LANES: usize = Correlation::TILE / 8;

/// Whether this CPU has AVX2 and FMA (std caches the answer).
pub(crate) fn available() -> bool {
    std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
}

/// [`Correlation::forward`] on f32; `out` already holds the zeroed output rows.
pub(crate) fn forward(g: &Correlation, packed: &[f32], planes: &[f32], out: &mut [f32]) {
    g.check(packed.len(), planes.len(), out.len());
    assert!(available());
    // SAFETY: the CPU has the features (asserted) and the lengths bound every access (checked).
    unsafe { forward_kernel(g, packed, planes, out) }
}

/// [`Correlation::weight_gradient`] on f32.
pub(crate) fn weight_gradient(g: &Correlation, dy: &[f32], planes: &[f32], grad: &mut [f32]) {
    g.check(0, planes.len(), dy.len());
    let taps = g.kernel * g.kernel;
    assert!(grad.len() >= g.out_channels * g.in_channels * taps);
    assert!(available());
    // SAFETY: as in `forward`; `grad` is indexed by checked slice indexing.
    unsafe { weight_kernel(g, dy, planes, grad) }
}

#[target_feature(enable = "avx2,fma")]
unsafe fn forward_kernel(g: &Correlation, packed: &[f32], planes: &[f32], out: &mut [f32]) {
    let (rows, stride, ins) = (g.rows(), g.plane(), g.in_channels);
    let offsets = g.offsets();
    let taps = offsets.len();
    for block in 0..g.blocked_out() / BLOCK {
        // SAFETY (every pointer below): block·ins·taps·BLOCK + (c·taps + t)·BLOCK + r is below
        // packed.len(); c·stride + q₀ + off + 15 is below planes.len() (`check`); block·BLOCK·rows
        // + r·rows + q₀ + 15 is below out.len() since rows is a multiple of TILE.
        unsafe {
            let wb = packed.as_ptr().add(block * ins * taps * BLOCK);
            let ob = out.as_mut_ptr().add(block * BLOCK * rows);
            for q0 in (0..rows).step_by(Correlation::TILE) {
                let mut acc = [[_mm256_setzero_ps(); LANES]; BLOCK];
                let mut x = [_mm256_setzero_ps(); LANES];
                for c in 0..ins {
                    let p = planes.as_ptr().add(c * stride + q0);
                    let w = wb.add(c * taps * BLOCK);
                    for (t, &off) in offsets.iter().enumerate() {
                        for (v, xv) in x.iter_mut().enumerate() {
                            *xv = _mm256_loadu_ps(p.add(off + 8 * v));
                        }
                        for (r, a) in acc.iter_mut().enumerate() {
                            let wv = _mm256_broadcast_ss(&*w.add(t * BLOCK + r));
                            for (av, &xv) in a.iter_mut().zip(&x) {
                                *av = _mm256_fmadd_ps(wv, xv, *av);
                            }
                        }
                    }
                }
                for (r, a) in acc.iter().enumerate() {
                    for (v, &av) in a.iter().enumerate() {
                        _mm256_storeu_ps(ob.add(r * rows + q0 + 8 * v), av);
                    }
                }
            }
        }
    }
}

#[target_feature(enable = "avx2,fma")]
unsafe fn weight_kernel(g: &Correlation, dy: &[f32], planes: &[f32], grad: &mut [f32]) {
    let ins = g.in_channels;
    for (t, &off) in g.offsets().iter().enumerate() {
        for block in 0..g.out_channels.div_ceil(BLOCK) {
            let mut c = 0;
            while c < ins {
                let n = (ins - c).min(3);
                let at = (t, block, c, off);
                // SAFETY: c + n ≤ in_channels and block < blocked_out / BLOCK (see `tile`).
                unsafe {
                    match n {
                        3 => accumulate::<3>(g, dy, planes, at, grad),
                        2 => accumulate::<2>(g, dy, planes, at, grad),
                        _ => accumulate::<1>(g, dy, planes, at, grad),
                    }
                }
                c += n;
            }
        }
    }
}

/// grad\[o, c + j, t\] += [`tile`] for the block's channels o < out_channels.
///
/// # Safety
/// As [`tile`].
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn accumulate<const N: usize>(
    g: &Correlation,
    dy: &[f32],
    planes: &[f32],
    (t, block, c, off): (usize, usize, usize, usize),
    grad: &mut [f32],
) {
    let (ins, taps) = (g.in_channels, g.kernel * g.kernel);
    // SAFETY: the caller's.
    let sums = unsafe { tile::<N>(g, dy, planes, block, c, off) };
    for (r, s) in sums.iter().enumerate() {
        let o = block * BLOCK + r;
        if o < g.out_channels {
            for (j, &v) in s.iter().enumerate() {
                grad[(o * ins + c + j) * taps + t] += v;
            }
        }
    }
}

/// Σ_q dy\[block·BLOCK + r\]\[q\] planes\[c + j\]\[q + off\] for r < BLOCK, j < N.
///
/// # Safety
/// The CPU has AVX2 and FMA; `check` passed for these slices and c + N ≤ in_channels, so dy
/// row block·BLOCK + r (a row of the blocked output) and plane c + j at q + off + 7 < rows + off are in
/// bounds.
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn tile<const N: usize>(
    g: &Correlation,
    dy: &[f32],
    planes: &[f32],
    block: usize,
    c: usize,
    off: usize,
) -> [[f32; N]; BLOCK] {
    let (rows, stride) = (g.rows(), g.plane());
    let mut acc = [[_mm256_setzero_ps(); N]; BLOCK];
    // SAFETY: the function's contract.
    unsafe {
        let d = dy.as_ptr().add(block * BLOCK * rows);
        let p = planes.as_ptr().add(c * stride + off);
        let mut x = [_mm256_setzero_ps(); N];
        for q in (0..rows).step_by(8) {
            for (j, xj) in x.iter_mut().enumerate() {
                *xj = _mm256_loadu_ps(p.add(j * stride + q));
            }
            for (r, a) in acc.iter_mut().enumerate() {
                let dv = _mm256_loadu_ps(d.add(r * rows + q));
                for (aj, &xj) in a.iter_mut().zip(&x) {
                    *aj = _mm256_fmadd_ps(dv, xj, *aj);
                }
            }
        }
    }
    let mut sums = [[0.0; N]; BLOCK];
    for (s, a) in sums.iter_mut().zip(&acc) {
        for (v, &aj) in s.iter_mut().zip(a) {
            *v = sum(aj);
        }
    }
    sums
}

/// The sum of a vector's eight lanes.
#[target_feature(enable = "avx2,fma")]
#[inline]
fn sum(v: __m256) -> f32 {
    let s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
    let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    _mm_cvtss_f32(_mm_add_ss(s, _mm_shuffle_ps::<1>(s, s)))
}
