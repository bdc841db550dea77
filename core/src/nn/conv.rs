use super::{NnError, Scalar, init};
use alloc::vec;
use alloc::vec::Vec;
use rand_core::Rng;

/// What a convolution sees beyond the image's edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Padding {
    /// Zeros: output as large as the input (odd kernels; pad k/2 on each side).
    Same,
    /// No padding: output (H − k + 1) × (W − k + 1).
    Valid,
    /// Circular: the image is a torus (a lattice with periodic boundaries), indices taken
    /// mod H and mod W; output as large as the input (odd kernels no larger than the image).
    Periodic,
}

/// A 2D convolution with stride 1 on images stored per sample as C×H×W row-major.
///
/// # Formula
/// Y[o, y, x] = b\[o\] + Σ_{c,i,j} W[o, c, i, j] · X[c, y + i − p, x + j − p] (zero outside with
/// `Same`, indices mod H, W with `Periodic`), by im2col + gemm: per sample the patch matrix P
/// (C·k·k × H′W′) gives Y = W P + b. Backward: ∂L/∂W += ∂L/∂Y Pᵀ, ∂L/∂b += Σ ∂L/∂Y,
/// ∂L/∂P = Wᵀ ∂L/∂Y scattered back (col2im). P is built one sample at a time in a buffer that
/// stays in cache, and rebuilt from the input in the backward pass instead of being stored
/// for the whole batch.
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
    /// Spacing of the kernel's taps ([`Conv2d::with_dilation`]); files from before it: 1.
    #[cfg_attr(feature = "serde", serde(default = "one"))]
    dilation: usize,
    padding: Padding,
    /// W (out × in × k × k) followed by b (out).
    params: Vec<T>,
    #[cfg_attr(feature = "serde", serde(skip))]
    grads: Vec<T>,
    /// One sample's im2col patches (padding entries stay zero) and their gradient.
    #[cfg_attr(feature = "serde", serde(skip))]
    patches: Vec<T>,
    #[cfg_attr(feature = "serde", serde(skip))]
    dpatches: Vec<T>,
}

#[cfg(feature = "serde")]
fn one() -> usize {
    1
}

impl<T: Scalar> Conv2d<T> {
    /// A convolution of `in_channels`×`height`×`width` images with `out_channels` k×k kernels
    /// (Glorot-uniform weights, zero bias).
    ///
    /// # Errors
    /// [`NnError::Shape`] for zero sizes, an even kernel with `Same` or `Periodic` padding, or a
    /// kernel larger than the image with `Valid` padding (a periodic kernel wraps around).
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
        let mut conv = Self {
            in_channels,
            out_channels,
            height,
            width,
            kernel,
            dilation: 1,
            padding,
            params: Vec::new(),
            grads: Vec::new(),
            patches: Vec::new(),
            dpatches: Vec::new(),
        };
        conv.check_shape()?;
        let k2 = kernel * kernel;
        conv.params = vec![T::zero(); out_channels * in_channels * k2 + out_channels];
        init::glorot_uniform(
            &mut conv.params[..out_channels * in_channels * k2],
            in_channels * k2,
            out_channels * k2,
            rng,
        );
        conv.grads = vec![T::zero(); conv.params.len()];
        Ok(conv)
    }

    /// The same convolution with its taps `dilation` sites apart (à trous): Y[o, y, x] = b\[o\] +
    /// Σ W[o, c, i, j] X[c, (y + d(i − p)) mod H, (x + d(j − p)) mod W]. Periodic padding only;
    /// the kernel's reach d(k − 1) + 1 may exceed the image (the taps wrap around the torus).
    ///
    /// # Errors
    /// [`NnError::Shape`] for a zero dilation or a dilation other than 1 without periodic
    /// padding.
    pub fn with_dilation(mut self, dilation: usize) -> Result<Self, NnError> {
        self.dilation = dilation;
        self.check_shape()?;
        Ok(self)
    }

    /// The spacing of the kernel's taps (1: an ordinary convolution).
    pub fn dilation(&self) -> usize {
        self.dilation
    }

    /// The shape rules: positive sizes whose products fit, an odd kernel with `Same` or
    /// `Periodic` padding (a periodic kernel may exceed the image: its taps wrap around the
    /// torus), a kernel no larger than the image with `Valid` padding, a dilation ≥ 1 and other
    /// than 1 only with periodic padding. [`Conv2d::new`] applies them; a loaded file is checked with them.
    pub(crate) fn check_shape(&self) -> Result<(), NnError> {
        let sizes = [
            self.in_channels,
            self.out_channels,
            self.height,
            self.width,
            self.kernel,
            self.dilation,
        ];
        if sizes.contains(&0)
            || sizes
                .iter()
                .try_fold(1usize, |a, &b| a.checked_mul(b))
                .is_none()
        {
            return Err(NnError::Shape("convolution sizes must be positive"));
        }
        if self.padding != Padding::Valid && self.kernel % 2 == 0 {
            return Err(NnError::Shape(
                "'same' and periodic padding need an odd kernel",
            ));
        }
        if self.dilation != 1 && self.padding != Padding::Periodic {
            return Err(NnError::Shape("only periodic convolutions may be dilated"));
        }
        if self.padding == Padding::Valid && (self.kernel > self.height || self.kernel > self.width)
        {
            return Err(NnError::Shape("kernel larger than the image"));
        }
        Ok(())
    }

    fn pad(&self) -> usize {
        match self.padding {
            Padding::Same | Padding::Periodic => self.kernel / 2,
            Padding::Valid => 0,
        }
    }

    /// The offset d(i − pad) of tap i, taken mod n (periodic padding).
    fn tap(&self, i: usize, n: usize) -> usize {
        let d = self.dilation;
        let back = (d * self.pad()) % n;
        (d * i % n + n - back) % n
    }

    /// Output height and width.
    pub fn output_size(&self) -> (usize, usize) {
        match self.padding {
            Padding::Same | Padding::Periodic => (self.height, self.width),
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

    /// out × in × k × k + out, or `None` if that overflows (a loaded file may say anything).
    pub(crate) fn expected_params(&self) -> Option<usize> {
        self.out_channels
            .checked_mul(self.in_channels)?
            .checked_mul(self.kernel.checked_mul(self.kernel)?)?
            .checked_add(self.out_channels)
    }

    pub(crate) fn params_and_grads(&mut self) -> (&mut [T], &mut [T]) {
        if self.grads.len() != self.params.len() {
            self.grads = vec![T::zero(); self.params.len()];
        }
        (&mut self.params, &mut self.grads)
    }

    /// For every patch row r = (c, i, j) and output row y: the runs of output columns x₀..x₁
    /// whose taps read consecutive inputs, with the input index of the tap at x₀. With `Same`
    /// and `Valid` there is one run per row, the taps inside the image (padding taps stay zero);
    /// with `Periodic` every tap is inside, in at most two runs split where x wraps.
    fn for_each_run(&self, mut f: impl FnMut(usize, usize, core::ops::Range<usize>, usize)) {
        let (oh, ow) = self.output_size();
        let (k, pad, (h, w)) = (self.kernel, self.pad(), (self.height, self.width));
        let periodic = self.padding == Padding::Periodic;
        for c in 0..self.in_channels {
            for ki in 0..k {
                for kj in 0..k {
                    let r = (c * k + ki) * k + kj;
                    if periodic {
                        // Input column of output column x is (x + d(kj − pad)) mod w.
                        let (dy, s0) = (self.tap(ki, h), self.tap(kj, w));
                        for y in 0..oh {
                            let row = (c * h + (y + dy) % h) * w;
                            f(r, y * ow, 0..w - s0, row + s0);
                            if s0 > 0 {
                                f(r, y * ow, w - s0..w, row);
                            }
                        }
                        continue;
                    }
                    // Input column of output column x is x + kj − pad; valid when in 0..w.
                    let x0 = pad.saturating_sub(kj);
                    let x1 = ow.min((w + pad).saturating_sub(kj));
                    for y in 0..oh {
                        let sy = y + ki;
                        if sy < pad || sy - pad >= h || x0 >= x1 {
                            continue;
                        }
                        let src = (c * h + sy - pad) * w + x0 + kj - pad;
                        f(r, y * ow, x0..x1, src);
                    }
                }
            }
        }
    }

    /// Fill the patch buffer from one sample (entries no run writes are zero).
    fn im2col(&self, sample: &[T], patches: &mut Vec<T>) {
        let (oh, ow) = self.output_size();
        let cols = oh * ow;
        let len = self.in_channels * self.kernel * self.kernel * cols;
        if patches.len() != len {
            patches.clear();
            patches.resize(len, T::zero());
        }
        self.for_each_run(|r, base, xs, src| {
            let n = xs.len();
            patches[r * cols + base + xs.start..r * cols + base + xs.end]
                .copy_from_slice(&sample[src..src + n]);
        });
    }

    pub(crate) fn forward(&mut self, x: &[T], batch: usize, y: &mut Vec<T>) {
        let (rows, cols) = self.gemm_shape();
        let mut patches = core::mem::take(&mut self.patches);
        y.clear();
        y.resize(batch * self.outputs(), T::zero());
        let (w, b) = self.params.split_at(self.out_channels * rows);
        for (sample, out) in x
            .chunks_exact(self.inputs())
            .zip(y.chunks_exact_mut(self.out_channels * cols))
        {
            self.im2col(sample, &mut patches);
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
                &patches,
                T::one(),
                out,
            );
        }
        self.patches = patches;
    }

    /// (C·k·k, H′·W′): the patch matrix's shape.
    fn gemm_shape(&self) -> (usize, usize) {
        let (oh, ow) = self.output_size();
        (self.in_channels * self.kernel * self.kernel, oh * ow)
    }

    /// ∂L/∂x for the last forward pass, whose input was `x`; accumulates ∂L/∂W and ∂L/∂b.
    pub(crate) fn backward(&mut self, x: &[T], dy: &[T], batch: usize, dx: &mut Vec<T>) {
        let (rows, cols) = self.gemm_shape();
        if self.grads.len() != self.params.len() {
            self.grads = vec![T::zero(); self.params.len()];
        }
        let outs = self.out_channels;
        let mut patches = core::mem::take(&mut self.patches);
        let mut dpatch = core::mem::take(&mut self.dpatches);
        dpatch.resize(rows * cols, T::zero());
        dx.clear();
        dx.resize(batch * self.inputs(), T::zero());
        let inputs = self.inputs();
        for s in 0..batch {
            let g = &dy[s * outs * cols..(s + 1) * outs * cols];
            self.im2col(&x[s * inputs..(s + 1) * inputs], &mut patches);
            let (gw, gb) = self.grads.split_at_mut(outs * rows);
            T::gemm(
                false,
                true,
                outs,
                rows,
                cols,
                T::one(),
                g,
                &patches,
                T::one(),
                gw,
            );
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
        self.patches = patches;
        self.dpatches = dpatch;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{from_seed, uniform_f64};

    /// Periodic padding computes Y[o, y, x] = b[o] + Σ W[o, c, i, j] X[c, (y + i − p) mod H,
    /// (x + j − p) mod W] term by term, on non-square images and kernels up to the image size,
    /// and commutes with translations of the torus.
    #[test]
    fn periodic_padding_is_the_circular_convolution() {
        let mut rng = from_seed(4);
        for (cin, cout, h, w, k) in [
            (2, 3, 5, 4, 3),
            (1, 2, 3, 7, 3),
            (2, 1, 5, 5, 5),
            (1, 1, 1, 1, 1),
        ] {
            let mut conv =
                Conv2d::<f64>::new(cin, cout, h, w, k, Padding::Periodic, &mut rng).unwrap();
            let x: Vec<f64> = (0..2 * cin * h * w)
                .map(|_| uniform_f64(&mut rng) - 0.5)
                .collect();
            let mut y = Vec::new();
            conv.forward(&x, 2, &mut y);
            let p = k / 2;
            let (wt, b) = conv.params.split_at(cout * cin * k * k);
            for s in 0..2 {
                for o in 0..cout {
                    for (yy, xx) in (0..h).flat_map(|a| (0..w).map(move |c| (a, c))) {
                        let mut want = b[o];
                        for (c, i, j) in (0..cin)
                            .flat_map(|c| (0..k).flat_map(move |i| (0..k).map(move |j| (c, i, j))))
                        {
                            let (sy, sx) = ((yy + i + h - p) % h, (xx + j + w - p) % w);
                            want += wt[((o * cin + c) * k + i) * k + j]
                                * x[((s * cin + c) * h + sy) * w + sx];
                        }
                        let got = y[((s * cout + o) * h + yy) * w + xx];
                        assert!((got - want).abs() < 1e-12, "{got} vs {want}");
                    }
                }
            }
            // Rolling the input by (1, 2) rolls the output by (1, 2).
            let roll = |v: &[f64]| -> Vec<f64> {
                let mut r = v.to_vec();
                for (ch, plane) in v.chunks(h * w).enumerate() {
                    for (a, e) in (0..h).flat_map(|a| (0..w).map(move |e| (a, e))) {
                        r[ch * h * w + ((a + 1) % h) * w + (e + 2) % w] = plane[a * w + e];
                    }
                }
                r
            };
            let mut y_rolled = Vec::new();
            conv.forward(&roll(&x), 2, &mut y_rolled);
            let want = roll(&y);
            assert!(
                y_rolled
                    .iter()
                    .zip(&want)
                    .all(|(a, b)| (a - b).abs() < 1e-12)
            );
        }
        assert!(Conv2d::<f64>::new(1, 1, 4, 4, 2, Padding::Periodic, &mut rng).is_err());
        // A periodic kernel larger than the image wraps around it.
        assert!(Conv2d::<f64>::new(1, 1, 3, 5, 5, Padding::Periodic, &mut rng).is_ok());
    }

    /// A dilated periodic convolution computes Y[o, y, x] = b[o] + Σ W[o, c, i, j]
    /// X[c, (y + d(i − p)) mod H, (x + d(j − p)) mod W] term by term, also when the taps wrap
    /// around the torus more than once; its gradients match finite differences.
    #[test]
    fn dilated_periodic_convolution_is_the_wrapped_sum() {
        let mut rng = from_seed(8);
        for (cin, cout, h, w, k, d) in [
            (2, 3, 6, 5, 3, 2),
            (1, 2, 4, 4, 3, 4),
            (2, 2, 5, 7, 3, 8),
            (1, 1, 3, 3, 5, 3),
        ] {
            let conv = Conv2d::<f64>::new(
                cin,
                cout,
                h.max(k),
                w.max(k),
                k,
                Padding::Periodic,
                &mut rng,
            )
            .unwrap();
            // The weights of a k×k kernel on an image of any size: rebuild at (h, w).
            let mut conv = Conv2d {
                height: h,
                width: w,
                ..conv
            }
            .with_dilation(d)
            .unwrap();
            let x: Vec<f64> = (0..2 * cin * h * w)
                .map(|_| uniform_f64(&mut rng) - 0.5)
                .collect();
            let mut y = Vec::new();
            conv.forward(&x, 2, &mut y);
            let p = (k / 2) as isize;
            let (wt, b) = conv.params.split_at(cout * cin * k * k);
            for s in 0..2 {
                for o in 0..cout {
                    for (yy, xx) in (0..h).flat_map(|a| (0..w).map(move |c| (a, c))) {
                        let mut want = b[o];
                        for (c, i, j) in (0..cin)
                            .flat_map(|c| (0..k).flat_map(move |i| (0..k).map(move |j| (c, i, j))))
                        {
                            let at = |z: usize, t: usize, n: usize| {
                                (z as isize + d as isize * (t as isize - p)).rem_euclid(n as isize)
                                    as usize
                            };
                            let (sy, sx) = (at(yy, i, h), at(xx, j, w));
                            want += wt[((o * cin + c) * k + i) * k + j]
                                * x[((s * cin + c) * h + sy) * w + sx];
                        }
                        let got = y[((s * cout + o) * h + yy) * w + xx];
                        assert!((got - want).abs() < 1e-12, "d {d}: {got} vs {want}");
                    }
                }
            }
            let mut net = crate::nn::Network::new(conv.inputs());
            net.push(crate::nn::Layer::Conv2d(conv)).unwrap();
            let r: Vec<f64> = (0..2 * net.outputs())
                .map(|_| uniform_f64(&mut rng))
                .collect();
            crate::test_util::check_gradients(&mut net, &x, 2, &r);
        }
        let conv = Conv2d::<f64>::new(1, 1, 4, 4, 3, Padding::Same, &mut rng).unwrap();
        assert!(conv.clone().with_dilation(2).is_err());
        let periodic = Conv2d::<f64>::new(1, 1, 4, 4, 3, Padding::Periodic, &mut rng).unwrap();
        assert!(periodic.clone().with_dilation(0).is_err());
        assert_eq!(periodic.with_dilation(1).unwrap().dilation(), 1);
    }
}
