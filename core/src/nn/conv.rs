use super::correlate::Correlation;
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
/// `Same`, indices mod H, W with `Periodic`), computed per sample as a correlation of padded
/// planes (the input surrounded by its halo of zeros or of its periodic continuation, see
/// `nn::correlate`) with no patch matrix. Backward: ∂L/∂b = Σ ∂L/∂Y,
/// ∂L/∂W[o, c, i, j] = Σ ∂L/∂Y[o, y, x] X[c, y + i − p, x + j − p] over the same planes, and
/// ∂L/∂X the correlation of the padded ∂L/∂Y with the kernel rotated by 180° and transposed
/// (W′[c, o, i, j] = W[o, c, k − 1 − i, k − 1 − j]).
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
    #[cfg_attr(feature = "serde", serde(skip))]
    scratch: Scratch<T>,
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
            scratch: Scratch::default(),
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

    /// Output height and width.
    pub fn output_size(&self) -> (usize, usize) {
        match self.padding {
            Padding::Same | Padding::Periodic => (self.height, self.width),
            Padding::Valid => (self.height + 1 - self.kernel, self.width + 1 - self.kernel),
        }
    }

    /// Input and output channels.
    pub fn channels(&self) -> (usize, usize) {
        (self.in_channels, self.out_channels)
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

    /// The halo of zeros (`Same`) or of the periodic continuation (`Periodic`) around the
    /// input: d·⌊k/2⌋, none with `Valid`.
    fn halo(&self) -> usize {
        self.dilation * self.pad()
    }

    /// The forward pass as a [`Correlation`] of the padded input planes.
    fn forward_shape(&self) -> Correlation {
        let halo = self.halo();
        Correlation {
            in_channels: self.in_channels,
            out_channels: self.out_channels,
            kernel: self.kernel,
            dilation: self.dilation,
            height: self.height + 2 * halo,
            width: self.width + 2 * halo,
        }
    }

    /// ∂L/∂x as a [`Correlation`] of the padded output gradient with the rotated, transposed
    /// kernel: the same halo (and wrapping) as the forward pass with `Same` and `Periodic`,
    /// k − 1 zeros with `Valid` (the full correlation that undoes a valid one).
    fn backward_shape(&self) -> (Correlation, usize) {
        let (oh, ow) = self.output_size();
        let halo = match self.padding {
            Padding::Valid => self.kernel - 1,
            Padding::Same | Padding::Periodic => self.halo(),
        };
        let shape = Correlation {
            in_channels: self.out_channels,
            out_channels: self.in_channels,
            kernel: self.kernel,
            dilation: self.dilation,
            height: oh + 2 * halo,
            width: ow + 2 * halo,
        };
        (shape, halo)
    }

    pub(crate) fn forward(&mut self, x: &[T], batch: usize, y: &mut Vec<T>) {
        let shape = self.forward_shape();
        let (wrap, halo) = (self.padding == Padding::Periodic, self.halo());
        let mut s = core::mem::take(&mut self.scratch);
        let taps = self.kernel * self.kernel;
        let (w, b) = self
            .params
            .split_at(self.out_channels * self.in_channels * taps);
        shape.pack(w, false, &mut s.packed);
        y.resize(batch * self.outputs(), T::zero());
        for (sample, out) in x
            .chunks_exact(self.inputs())
            .zip(y.chunks_exact_mut(self.outputs()))
        {
            shape.fill(sample, (self.height, self.width), halo, wrap, &mut s.planes);
            shape.forward(&s.packed, &s.planes, &mut s.rows);
            shape.read_sites(&s.rows, out, Some(b));
        }
        self.scratch = s;
    }

    /// Accumulates ∂L/∂W and ∂L/∂b for the batch `x` with output gradient `dy`.
    pub(crate) fn parameter_gradient(&mut self, x: &[T], dy: &[T], batch: usize) {
        if self.grads.len() != self.params.len() {
            self.grads = vec![T::zero(); self.params.len()];
        }
        let shape = self.forward_shape();
        let (oh, ow) = self.output_size();
        let wrap = self.padding == Padding::Periodic;
        let outs = self.out_channels;
        let mut s = core::mem::take(&mut self.scratch);
        if s.dy.len() != shape.blocked_out() * shape.rows() {
            // Zero once: only the sites' entries are written below, the rest stay zero.
            s.dy.clear();
            s.dy.resize(shape.blocked_out() * shape.rows(), T::zero());
        }
        let (inputs, outputs, halo) = (self.inputs(), self.outputs(), self.halo());
        let (h, w) = (self.height, self.width);
        let taps = self.kernel * self.kernel;
        let (gw, gb) = self.grads.split_at_mut(outs * self.in_channels * taps);
        for (sample, g) in x
            .chunks_exact(inputs)
            .zip(dy.chunks_exact(outputs))
            .take(batch)
        {
            for (image, gbo) in g.chunks_exact(oh * ow).zip(gb.iter_mut()) {
                *gbo = image.iter().fold(*gbo, |a, &v| a + v);
            }
            // The output gradient in the forward rows' layout (zeros elsewhere stay).
            shape.write_sites(g, &mut s.dy);
            shape.fill(sample, (h, w), halo, wrap, &mut s.planes);
            shape.weight_gradient(&s.dy, &s.planes, gw);
        }
        self.scratch = s;
    }

    /// ∂L/∂x for the output gradient `dy`: the rotated, transposed kernel over the padded
    /// output gradient.
    pub(crate) fn input_gradient(&mut self, dy: &[T], batch: usize, dx: &mut Vec<T>) {
        let (back, back_halo) = self.backward_shape();
        let (oh, ow) = self.output_size();
        let wrap = self.padding == Padding::Periodic;
        let taps = self.kernel * self.kernel;
        let mut s = core::mem::take(&mut self.scratch);
        back.pack(
            &self.params[..self.out_channels * self.in_channels * taps],
            true,
            &mut s.packed,
        );
        dx.resize(batch * self.inputs(), T::zero());
        for (g, dxs) in dy
            .chunks_exact(self.outputs())
            .zip(dx.chunks_exact_mut(self.inputs()))
        {
            back.fill(g, (oh, ow), back_halo, wrap, &mut s.dy_planes);
            back.forward(&s.packed, &s.dy_planes, &mut s.rows);
            back.read_sites(&s.rows, dxs, None);
        }
        self.scratch = s;
    }
}

/// Buffers reused from call to call: packed weights, the input's padded planes, output rows,
/// the output gradient in the rows' layout and as padded planes.
#[derive(Clone, Debug, PartialEq)]
struct Scratch<T> {
    packed: Vec<T>,
    planes: Vec<T>,
    rows: Vec<T>,
    dy: Vec<T>,
    dy_planes: Vec<T>,
}

impl<T> Default for Scratch<T> {
    fn default() -> Self {
        Self {
            packed: Vec::new(),
            planes: Vec::new(),
            rows: Vec::new(),
            dy: Vec::new(),
            dy_planes: Vec::new(),
        }
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
