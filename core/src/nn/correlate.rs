//! A stride-1, multi-channel correlation on padded planes: the arithmetic of [`Conv2d`]'s
//! forward pass and both backward passes, with no patch matrix.
//!
//! Every input channel is stored as a padded plane of `height × width` values, row-major, each
//! followed by [`Correlation::TILE`] zeros of slack. An output site (y, x) of an
//! (H − r) × (W − r) output, r = d(k − 1), reads the plane at (y + d·i, x + d·j) for the tap
//! (i, j); in the plane's flat index q = y·W + x that is the constant offset d(i·W + j). So
//!
//! out\[o\]\[q\] = Σ_{c, t} w\[o, c, t\] · plane_c\[q + off_t\]
//!
//! is, for every tap, a row of the planes shifted by one number, and the whole correlation is
//! a sum of shifted axpys that a register-tiled kernel computes without copying patches.
//! Outputs are rows of [`Correlation::rows`] values in the plane's stride; the entries with
//! x ≥ W − r (and q beyond the last site) are by-products the caller ignores.
//!
//! [`Conv2d`]: super::Conv2d
use alloc::vec::Vec;

use super::Scalar;

/// The shape of one correlation: channels, kernel, dilation and the padded plane.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Correlation {
    /// Planes read.
    pub in_channels: usize,
    /// Output rows written.
    pub out_channels: usize,
    /// Kernel side k (k² taps).
    pub kernel: usize,
    /// Spacing d of the taps.
    pub dilation: usize,
    /// Padded plane height H.
    pub height: usize,
    /// Padded plane width W.
    pub width: usize,
}

impl Correlation {
    /// Output sites per kernel tile (two 8-lane vectors) and the zeros after every plane that
    /// let a tile at the end of a row read whole vectors.
    pub const TILE: usize = 16;
    /// Output channels per kernel tile; packed weights and output rows come in blocks of it.
    pub const BLOCK: usize = 4;

    /// The kernel's reach r = d(k − 1).
    fn reach(&self) -> usize {
        self.dilation * (self.kernel - 1)
    }

    /// Output height and width, (H − r, W − r). The plane must be larger than the reach.
    pub fn output_size(&self) -> (usize, usize) {
        (self.height - self.reach(), self.width - self.reach())
    }

    /// Values from the first output site to one past the last, (H − r − 1)·W + W − r.
    fn span(&self) -> usize {
        let (oh, ow) = self.output_size();
        (oh - 1) * self.width + ow
    }

    /// Length of an output row: the span rounded up to whole tiles.
    pub fn rows(&self) -> usize {
        self.span().div_ceil(Self::TILE) * Self::TILE
    }

    /// Distance between consecutive planes: H·W values and the slack.
    pub fn plane(&self) -> usize {
        self.height * self.width + Self::TILE
    }

    /// Output channels rounded up to whole blocks.
    pub fn blocked_out(&self) -> usize {
        self.out_channels.div_ceil(Self::BLOCK) * Self::BLOCK
    }

    /// Flat offset d(i·W + j) of every tap t = i·k + j.
    pub fn offsets(&self) -> Vec<usize> {
        let (k, d) = (self.kernel, self.dilation);
        (0..k * k)
            .map(|t| d * ((t / k) * self.width + t % k))
            .collect()
    }

    /// Weights w\[o, c, t\] (out × in × k², row-major) packed for the kernel as
    /// \[block\]\[c\]\[t\]\[o mod BLOCK\], the missing channels of the last block zero.
    /// `flip` packs the adjoint instead: w′\[c, o, t\] = w\[o, c, k² − 1 − t\] for a correlation
    /// whose inputs are this one's outputs (the transposed, rotated kernel of ∂L/∂x).
    pub fn pack<T: Scalar>(&self, weights: &[T], flip: bool, packed: &mut Vec<T>) {
        let taps = self.kernel * self.kernel;
        let (ins, outs) = (self.in_channels, self.out_channels);
        packed.clear();
        packed.resize(self.blocked_out() * ins * taps, T::zero());
        for o in 0..outs {
            for c in 0..ins {
                for t in 0..taps {
                    let w = if flip {
                        weights[(c * outs + o) * taps + taps - 1 - t]
                    } else {
                        weights[(o * ins + c) * taps + t]
                    };
                    let at = ((o / Self::BLOCK * ins + c) * taps + t) * Self::BLOCK;
                    packed[at + o % Self::BLOCK] = w;
                }
            }
        }
    }

    /// Write `channels` images of h×w values (row-major, one after another) into the padded
    /// planes (`planes` resized to in_channels × [`Self::plane`]): the image at offset
    /// (`halo`, `halo`), surrounded by zeros, or with `wrap` by its periodic continuation
    /// (indices mod h and mod w, any halo).
    pub fn fill<T: Scalar>(
        &self,
        image: &[T],
        (h, w): (usize, usize),
        halo: usize,
        wrap: bool,
        planes: &mut Vec<T>,
    ) {
        let stride = self.plane();
        if planes.len() != self.in_channels * stride {
            planes.clear();
            planes.resize(self.in_channels * stride, T::zero());
        }
        let (ph, pw) = (self.height, self.width);
        for (src, plane) in image
            .chunks_exact(h * w)
            .zip(planes.chunks_exact_mut(stride))
        {
            plane[ph * pw..].fill(T::zero());
            for (a, row) in plane[..ph * pw].chunks_exact_mut(pw).enumerate() {
                if wrap {
                    // The periodic continuation of the source row, in whole runs.
                    let from = &src[(a + h - halo % h) % h * w..][..w];
                    let (mut j, mut at) = ((w - halo % w) % w, 0);
                    while at < pw {
                        let n = (w - j).min(pw - at);
                        row[at..at + n].copy_from_slice(&from[j..j + n]);
                        (at, j) = (at + n, 0);
                    }
                } else if a < halo || a - halo >= h {
                    row.fill(T::zero());
                } else {
                    row[..halo].fill(T::zero());
                    row[halo..halo + w].copy_from_slice(&src[(a - halo) * w..][..w]);
                    row[halo + w..].fill(T::zero());
                }
            }
        }
    }

    /// Copy the output sites out of `rows` (from [`Self::forward`]) into `out`, out_channels
    /// images of (H − r)×(W − r) one after another, adding `bias[o]` to channel o if given.
    pub fn read_sites<T: Scalar>(&self, rows: &[T], out: &mut [T], bias: Option<&[T]>) {
        let (oh, ow) = self.output_size();
        for (o, (image, row)) in out
            .chunks_exact_mut(oh * ow)
            .zip(rows.chunks_exact(self.rows()))
            .enumerate()
        {
            for (line, from) in image.chunks_exact_mut(ow).zip(row.chunks(self.width)) {
                match bias {
                    Some(b) => line.iter_mut().zip(from).for_each(|(v, &r)| *v = r + b[o]),
                    None => line.copy_from_slice(&from[..ow]),
                }
            }
        }
    }

    /// The inverse layout of [`Self::read_sites`]: out_channels images of (H − r)×(W − r) into
    /// `rows`, each site at its output index; the entries between sites are left as they are
    /// (zero, for [`Self::weight_gradient`]).
    pub fn write_sites<T: Scalar>(&self, images: &[T], rows: &mut [T]) {
        let (oh, ow) = self.output_size();
        for (image, row) in images
            .chunks_exact(oh * ow)
            .zip(rows.chunks_exact_mut(self.rows()))
        {
            for (line, to) in image.chunks_exact(ow).zip(row.chunks_mut(self.width)) {
                to[..ow].copy_from_slice(line);
            }
        }
    }

    /// out\[o\]\[q\] = Σ_{c,t} w\[o, c, t\] planes\[c\]\[q + off_t\] for every q < [`Self::rows`]
    /// and o < [`Self::blocked_out`]; `packed` from [`Self::pack`], `planes` from
    /// [`Self::fill`]; `out` is resized and overwritten. `f32` on x86-64 with AVX2 and FMA (detected at run
    /// time, `std` feature) takes the register-tiled kernel, anything else portable tiled loops that the
    /// target vectorises as it can; the two agree within float rounding.
    ///
    /// # Panics
    /// If `packed` or `planes` is shorter than this shape needs.
    pub fn forward<T: Scalar>(&self, packed: &[T], planes: &[T], out: &mut Vec<T>) {
        out.resize(self.blocked_out() * self.rows(), T::zero());
        self.check(packed.len(), planes.len(), out.len());
        #[cfg(all(feature = "std", target_arch = "x86_64"))]
        if let (Some(p), Some(x), Some(y)) =
            (T::as_f32(packed), T::as_f32(planes), T::as_f32_mut(out))
        {
            if super::correlate_avx2::available() {
                super::correlate_avx2::forward(self, p, x, y);
                return;
            }
        }
        tiled_forward(self, packed, planes, out);
    }

    /// grad\[o, c, t\] += Σ_q g\[o\]\[q\] planes\[c\]\[q + off_t\] over q < [`Self::rows`], for
    /// o < out_channels: the weight gradient, with `g` the output gradient laid out as the
    /// output rows ([`Self::blocked_out`] rows of [`Self::rows`], zero wherever the output
    /// is a by-product). Dispatched like [`Self::forward`].
    ///
    /// # Panics
    /// If a slice is shorter than this shape needs.
    pub fn weight_gradient<T: Scalar>(&self, g: &[T], planes: &[T], grad: &mut [T]) {
        self.check(0, planes.len(), g.len());
        let taps = self.kernel * self.kernel;
        assert!(grad.len() >= self.out_channels * self.in_channels * taps);
        #[cfg(all(feature = "std", target_arch = "x86_64"))]
        if let (Some(d), Some(x), Some(w)) = (T::as_f32(g), T::as_f32(planes), T::as_f32_mut(grad))
        {
            if super::correlate_avx2::available() {
                super::correlate_avx2::weight_gradient(self, d, x, w);
                return;
            }
        }
        tiled_weight_gradient(self, g, planes, grad);
    }

    /// The lengths the kernels index by: the packed weights (0 to skip), the planes and the
    /// output (or output-gradient) rows. Every read and write of the kernels stays inside
    /// slices of these lengths: a tile at q₀ < rows reads plane values up to
    /// q₀ + TILE − 1 + off_max ≤ rows − 1 + d(k − 1)(W + 1) < H·W + TILE.
    pub fn check(&self, packed: usize, planes: usize, rows: usize) {
        let taps = self.kernel * self.kernel;
        assert!(
            self.height > self.reach() && self.width > self.reach(),
            "plane smaller than the kernel"
        );
        assert!(
            packed == 0 || packed >= self.blocked_out() * self.in_channels * taps,
            "packed weights too short"
        );
        assert!(
            planes >= self.in_channels * self.plane(),
            "planes too short"
        );
        assert!(rows >= self.blocked_out() * self.rows(), "rows too short");
    }
}

/// Sites per tile of the portable kernels: eight f64 fill two AVX2 (four SSE2) registers, so
/// a tile's [`Correlation::BLOCK`] × 8 sums stay in registers.
const LOOP_SITES: usize = 8;

/// The portable forward kernel: tiles of [`Correlation::BLOCK`] output channels ×
/// [`LOOP_SITES`] sites whose sums stay in registers across all channels and taps, each summed
/// in the order c, then t (the definition's order). Compiled also for AVX2 and chosen at run
/// time (with `std`): wider vectors, the same operations (no fused multiply-add), so the same
/// bits on every CPU.
#[cfg_attr(feature = "std", multiversion::multiversion(targets("x86_64+avx2")))]
fn tiled_forward<T: Scalar>(g: &Correlation, packed: &[T], planes: &[T], out: &mut [T]) {
    const B: usize = Correlation::BLOCK;
    let (rows, stride, ins) = (g.rows(), g.plane(), g.in_channels);
    let offsets = g.offsets();
    let taps = offsets.len();
    for (block, outs) in out[..g.blocked_out() * rows]
        .chunks_exact_mut(B * rows)
        .enumerate()
    {
        let weights = &packed[block * ins * taps * B..][..ins * taps * B];
        for q0 in (0..rows).step_by(LOOP_SITES) {
            let mut acc = [[T::zero(); LOOP_SITES]; B];
            for (plane, w) in planes
                .chunks_exact(stride)
                .zip(weights.chunks_exact(taps * B))
            {
                for (&off, w) in offsets.iter().zip(w.chunks_exact(B)) {
                    let x: &[T; LOOP_SITES] = plane[q0 + off..][..LOOP_SITES]
                        .try_into()
                        .expect("a tile of sites");
                    for (acc, &w) in acc.iter_mut().zip(w) {
                        for (a, &x) in acc.iter_mut().zip(x) {
                            *a = *a + w * x;
                        }
                    }
                }
            }
            for (lane, acc) in acc.iter().enumerate() {
                outs[lane * rows + q0..][..LOOP_SITES].copy_from_slice(acc);
            }
        }
    }
}

/// The portable weight gradient, [`Correlation::BLOCK`] output channels at a time: each sum
/// over q kept as [`LOOP_SITES`] partial sums (site q in partial q mod [`LOOP_SITES`]) and
/// added up in index order at the end, a fixed order on every target. Dispatched like
/// [`tiled_forward`].
#[cfg_attr(feature = "std", multiversion::multiversion(targets("x86_64+avx2")))]
fn tiled_weight_gradient<T: Scalar>(g: &Correlation, dy: &[T], planes: &[T], grad: &mut [T]) {
    const B: usize = Correlation::BLOCK;
    let (rows, stride, ins, outs) = (g.rows(), g.plane(), g.in_channels, g.out_channels);
    let offsets = g.offsets();
    let taps = offsets.len();
    for o0 in (0..outs).step_by(B) {
        let lanes = B.min(outs - o0);
        for (c, plane) in planes.chunks_exact(stride).take(ins).enumerate() {
            for (t, &off) in offsets.iter().enumerate() {
                let mut acc = [[T::zero(); LOOP_SITES]; B];
                for q0 in (0..rows).step_by(LOOP_SITES) {
                    let x: &[T; LOOP_SITES] = plane[q0 + off..][..LOOP_SITES]
                        .try_into()
                        .expect("a tile of sites");
                    for (lane, acc) in acc.iter_mut().enumerate().take(lanes) {
                        let d = &dy[(o0 + lane) * rows + q0..][..LOOP_SITES];
                        for ((a, &d), &x) in acc.iter_mut().zip(d).zip(x) {
                            *a = *a + d * x;
                        }
                    }
                }
                for (lane, acc) in acc.iter().enumerate().take(lanes) {
                    let at = ((o0 + lane) * ins + c) * taps + t;
                    grad[at] = grad[at] + acc.iter().fold(T::zero(), |s, &a| s + a);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{from_seed, uniform_f64};
    use alloc::vec;

    fn shape(ins: usize, outs: usize, k: usize, d: usize, h: usize, w: usize) -> Correlation {
        Correlation {
            in_channels: ins,
            out_channels: outs,
            kernel: k,
            dilation: d,
            height: h,
            width: w,
        }
    }

    fn random(n: usize, seed: u64) -> Vec<f64> {
        let mut rng = from_seed(seed);
        (0..n).map(|_| uniform_f64(&mut rng) - 0.5).collect()
    }

    /// The portable kernels against the definition, term by term, on uneven shapes: every output
    /// site (y, x) reads plane (y + d i, x + d j); the weight gradient is their adjoint.
    #[test]
    fn loops_match_the_definition() {
        for (ins, outs, k, d, h, w) in [(2, 5, 3, 1, 6, 7), (3, 1, 3, 2, 9, 8), (1, 4, 2, 1, 3, 5)]
        {
            let g = shape(ins, outs, k, d, h, w);
            let taps = k * k;
            let wts = random(outs * ins * taps, 1);
            let image = random(ins * h * w, 2);
            let (mut packed, mut planes, mut out) = (Vec::new(), Vec::new(), Vec::new());
            g.pack(&wts, false, &mut packed);
            g.fill(&image, (h, w), 0, false, &mut planes);
            g.forward(&packed, &planes, &mut out);
            let (oh, ow) = g.output_size();
            let rows = g.rows();
            let dy = random(g.blocked_out() * rows, 3);
            let mut dyq = vec![0.0; g.blocked_out() * rows];
            for o in 0..outs {
                for (y, x) in (0..oh).flat_map(|y| (0..ow).map(move |x| (y, x))) {
                    dyq[o * rows + y * w + x] = dy[o * rows + y * w + x];
                }
            }
            let mut grad = vec![0.0; outs * ins * taps];
            g.weight_gradient(&dyq, &planes, &mut grad);
            let mut want_grad = vec![0.0; outs * ins * taps];
            for o in 0..outs {
                for (y, x) in (0..oh).flat_map(|y| (0..ow).map(move |x| (y, x))) {
                    let mut want = 0.0;
                    for (c, t) in (0..ins).flat_map(|c| (0..taps).map(move |t| (c, t))) {
                        let v = image[(c * h + y + d * (t / k)) * w + x + d * (t % k)];
                        want += wts[(o * ins + c) * taps + t] * v;
                        want_grad[(o * ins + c) * taps + t] += dyq[o * rows + y * w + x] * v;
                    }
                    assert!((out[o * rows + y * w + x] - want).abs() < 1e-12);
                }
            }
            assert!(
                grad.iter()
                    .zip(&want_grad)
                    .all(|(a, b)| (a - b).abs() < 1e-12)
            );
        }
    }

    /// Periodic filling continues the image on the torus for any halo, also one larger than
    /// the image; zero filling surrounds it with zeros.
    #[test]
    fn filling_wraps_or_pads() {
        let (h, w) = (2, 3);
        let image: Vec<f64> = (0..h * w).map(|v| v as f64).collect();
        for halo in [0, 1, 4] {
            let g = shape(1, 1, 1, 1, h + 2 * halo, w + 2 * halo);
            let (mut wrapped, mut padded) = (Vec::new(), Vec::new());
            g.fill(&image, (h, w), halo, true, &mut wrapped);
            g.fill(&image, (h, w), halo, false, &mut padded);
            for (a, b) in (0..g.height).flat_map(|a| (0..g.width).map(move |b| (a, b))) {
                let (y, x) = (a as isize - halo as isize, b as isize - halo as isize);
                let at = y.rem_euclid(h as isize) as usize * w + x.rem_euclid(w as isize) as usize;
                assert_eq!(wrapped[a * g.width + b], image[at]);
                let inside = (0..h as isize).contains(&y) && (0..w as isize).contains(&x);
                assert_eq!(
                    padded[a * g.width + b],
                    if inside { image[at] } else { 0.0 }
                );
            }
            assert!(wrapped[g.height * g.width..].iter().all(|&v| v == 0.0));
        }
    }

    /// `f32` (the tiled kernel where the CPU has AVX2 and FMA) agrees with
    /// the portable kernels within f32 rounding, channel counts not multiples of the block.
    #[test]
    fn f32_kernels_match_the_loops() {
        for (ins, outs, k, d, h, w) in [
            (32, 32, 3, 1, 22, 22),
            (3, 5, 3, 2, 11, 9),
            (1, 8, 3, 1, 10, 10),
            (5, 2, 1, 1, 4, 4),
        ] {
            let g = shape(ins, outs, k, d, h, w);
            let taps = k * k;
            let to32 = |v: Vec<f64>| v.into_iter().map(|x| x as f32).collect::<Vec<f32>>();
            let wts = to32(random(outs * ins * taps, 4));
            let image = to32(random(ins * h * w, 5));
            let (mut packed, mut planes, mut fast, mut slow) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            g.pack(&wts, false, &mut packed);
            g.fill(&image, (h, w), 0, false, &mut planes);
            g.forward(&packed, &planes, &mut fast);
            slow.resize(fast.len(), 0.0);
            tiled_forward(&g, &packed, &planes, &mut slow);
            let scale = (ins * taps) as f32;
            assert!(
                fast.iter()
                    .zip(&slow)
                    .all(|(a, b)| (a - b).abs() <= 1e-6 * scale)
            );
            let dy = to32(random(g.blocked_out() * g.rows(), 6));
            let (mut gf, mut gs) = (
                vec![0.5f32; outs * ins * taps],
                vec![0.5f32; outs * ins * taps],
            );
            g.weight_gradient(&dy, &planes, &mut gf);
            tiled_weight_gradient(&g, &dy, &planes, &mut gs);
            let scale = g.rows() as f32;
            assert!(
                gf.iter()
                    .zip(&gs)
                    .all(|(a, b)| (a - b).abs() <= 1e-6 * scale),
                "{gf:?} vs {gs:?}"
            );
        }
    }
}
