use super::{NnError, Scalar, init};
use alloc::vec;
use alloc::vec::Vec;
use rand_core::Rng;

/// Zero padding of a convolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Padding {
    /// Output as large as the input (odd kernels; pad k/2 on each side).
    Same,
    /// No padding: output (H − k + 1) × (W − k + 1).
    Valid,
}

/// A 2D convolution with stride 1 on images stored per sample as C×H×W row-major.
///
/// # Formula
/// Y[o, y, x] = b\[o\] + Σ_{c,i,j} W[o, c, i, j] · X[c, y + i − p, x + j − p] (zero outside), by
/// im2col + gemm: per sample the patch matrix P (C·k·k × H′W′) gives Y = W P + b. Backward:
/// ∂L/∂W += ∂L/∂Y Pᵀ, ∂L/∂b += Σ ∂L/∂Y, ∂L/∂P = Wᵀ ∂L/∂Y scattered back (col2im).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(bound(
        serialize = "T: serde::Serialize",
        deserialize = "T: serde::Deserialize<'de>"
    ))
)]
pub struct Conv2d<T> {
    in_channels: usize,
    out_channels: usize,
    height: usize,
    width: usize,
    kernel: usize,
    padding: Padding,
    /// W (out × in × k × k) followed by b (out).
    params: Vec<T>,
    #[cfg_attr(feature = "serde", serde(skip))]
    grads: Vec<T>,
    /// im2col patches of the last forward batch.
    #[cfg_attr(feature = "serde", serde(skip))]
    patches: Vec<T>,
}

impl<T: Scalar> Conv2d<T> {
    /// A convolution of `in_channels`×`height`×`width` images with `out_channels` k×k kernels
    /// (Glorot-uniform weights, zero bias).
    ///
    /// # Errors
    /// [`NnError::Shape`] for zero sizes, an even kernel with `Same` padding, or a kernel larger
    /// than the image with `Valid` padding.
    #[allow(clippy::too_many_arguments)]
    pub fn new<R: Rng + ?Sized>(
        in_channels: usize,
        out_channels: usize,
        height: usize,
        width: usize,
        kernel: usize,
        padding: Padding,
        rng: &mut R,
    ) -> Result<Self, NnError> {
        if [in_channels, out_channels, height, width, kernel].contains(&0) {
            return Err(NnError::Shape("convolution sizes must be positive"));
        }
        if padding == Padding::Same && kernel % 2 == 0 {
            return Err(NnError::Shape("'same' padding needs an odd kernel"));
        }
        if padding == Padding::Valid && (kernel > height || kernel > width) {
            return Err(NnError::Shape("kernel larger than the image"));
        }
        let k2 = kernel * kernel;
        let mut params = vec![T::zero(); out_channels * in_channels * k2 + out_channels];
        init::glorot_uniform(
            &mut params[..out_channels * in_channels * k2],
            in_channels * k2,
            out_channels * k2,
            rng,
        );
        let grads = vec![T::zero(); params.len()];
        Ok(Self {
            in_channels,
            out_channels,
            height,
            width,
            kernel,
            padding,
            params,
            grads,
            patches: Vec::new(),
        })
    }

    fn pad(&self) -> usize {
        match self.padding {
            Padding::Same => self.kernel / 2,
            Padding::Valid => 0,
        }
    }

    /// Output height and width.
    pub fn output_size(&self) -> (usize, usize) {
        match self.padding {
            Padding::Same => (self.height, self.width),
            Padding::Valid => (self.height + 1 - self.kernel, self.width + 1 - self.kernel),
        }
    }

    /// Values per input sample, C·H·W.
    pub fn inputs(&self) -> usize {
        self.in_channels * self.height * self.width
    }

    /// Values per output sample.
    pub fn outputs(&self) -> usize {
        let (h, w) = self.output_size();
        self.out_channels * h * w
    }

    pub(crate) fn params(&self) -> &[T] {
        &self.params
    }

    pub(crate) fn expected_params(&self) -> usize {
        self.out_channels * self.in_channels * self.kernel * self.kernel + self.out_channels
    }

    pub(crate) fn params_and_grads(&mut self) -> (&mut [T], &mut [T]) {
        if self.grads.len() != self.params.len() {
            self.grads = vec![T::zero(); self.params.len()];
        }
        (&mut self.params, &mut self.grads)
    }

    /// For every patch row r = (c, i, j) and output row y: the output columns x₀..x₁ whose tap
    /// falls inside the image, and the input index of the tap at x₀ (consecutive x map to
    /// consecutive inputs). Padding taps (outside x₀..x₁, or rows with no valid tap) are zero.
    fn for_each_run(&self, mut f: impl FnMut(usize, usize, core::ops::Range<usize>, usize)) {
        let (oh, ow) = self.output_size();
        let (k, pad) = (self.kernel, self.pad());
        for c in 0..self.in_channels {
            for ki in 0..k {
                for kj in 0..k {
                    let r = (c * k + ki) * k + kj;
                    // Input column of output column x is x + kj − pad; valid when in 0..width.
                    let x0 = pad.saturating_sub(kj);
                    let x1 = ow.min((self.width + pad).saturating_sub(kj));
                    for y in 0..oh {
                        let sy = y + ki;
                        if sy < pad || sy - pad >= self.height || x0 >= x1 {
                            continue;
                        }
                        let src = (c * self.height + sy - pad) * self.width + x0 + kj - pad;
                        f(r, y * ow, x0..x1, src);
                    }
                }
            }
        }
    }

    pub(crate) fn forward(&mut self, x: &[T], batch: usize, y: &mut Vec<T>) {
        let (oh, ow) = self.output_size();
        let (rows, cols) = (self.in_channels * self.kernel * self.kernel, oh * ow);
        let mut patches = core::mem::take(&mut self.patches);
        patches.clear();
        patches.resize(batch * rows * cols, T::zero());
        for (sample, p) in x
            .chunks_exact(self.inputs())
            .zip(patches.chunks_exact_mut(rows * cols))
        {
            self.for_each_run(|r, base, xs, src| {
                let len = xs.len();
                p[r * cols + base + xs.start..r * cols + base + xs.end]
                    .copy_from_slice(&sample[src..src + len]);
            });
        }
        y.clear();
        y.resize(batch * self.outputs(), T::zero());
        let (w, b) = self.params.split_at(self.out_channels * rows);
        for (p, out) in patches
            .chunks_exact(rows * cols)
            .zip(y.chunks_exact_mut(self.out_channels * cols))
        {
            for (o, row) in out.chunks_exact_mut(cols).enumerate() {
                row.iter_mut().for_each(|v| *v = b[o]);
            }
            T::gemm(
                false,
                false,
                self.out_channels,
                cols,
                rows,
                T::one(),
                w,
                p,
                T::one(),
                out,
            );
        }
        self.patches = patches;
    }

    pub(crate) fn backward(&mut self, dy: &[T], batch: usize, dx: &mut Vec<T>) {
        let (oh, ow) = self.output_size();
        let (rows, cols) = (self.in_channels * self.kernel * self.kernel, oh * ow);
        if self.grads.len() != self.params.len() {
            self.grads = vec![T::zero(); self.params.len()];
        }
        let outs = self.out_channels;
        let mut dpatch = vec![T::zero(); rows * cols];
        dx.clear();
        dx.resize(batch * self.inputs(), T::zero());
        let inputs = self.inputs();
        for s in 0..batch {
            let g = &dy[s * outs * cols..(s + 1) * outs * cols];
            let p = &self.patches[s * rows * cols..(s + 1) * rows * cols];
            let (gw, gb) = self.grads.split_at_mut(outs * rows);
            T::gemm(false, true, outs, rows, cols, T::one(), g, p, T::one(), gw);
            for (o, row) in g.chunks_exact(cols).enumerate() {
                gb[o] = row.iter().fold(gb[o], |a, &v| a + v);
            }
            T::gemm(
                true,
                false,
                rows,
                cols,
                outs,
                T::one(),
                &self.params[..outs * rows],
                g,
                T::zero(),
                &mut dpatch,
            );
            let dxs = &mut dx[s * inputs..(s + 1) * inputs];
            self.for_each_run(|r, base, xs, src| {
                let from = &dpatch[r * cols + base + xs.start..r * cols + base + xs.end];
                for (d, &g) in dxs[src..src + xs.len()].iter_mut().zip(from) {
                    *d = *d + g;
                }
            });
        }
    }
}
