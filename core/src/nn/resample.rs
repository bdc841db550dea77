//! Changing the resolution of C×H×W images by an integer factor f: average pooling down to
//! C×(H/f)×(W/f) and nearest-neighbour up-sampling back, the two moves of a multi-scale
//! (U-Net-like) network. Neither has parameters. They are adjoint up to f²:
//! ⟨pool(x), y⟩ = ⟨x, up(y)⟩ / f², so each one's backward pass is the other scaled.
use super::{NnError, Scalar};
use alloc::vec::Vec;

/// The fine grid (C channels of H×W) and the factor f that divides H and W.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Blocks {
    channels: usize,
    height: usize,
    width: usize,
    factor: usize,
}

impl Blocks {
    /// # Errors
    /// [`NnError::Shape`] for a zero size or a factor that does not divide H and W.
    fn new(channels: usize, height: usize, width: usize, factor: usize) -> Result<Self, NnError> {
        let blocks = Self {
            channels,
            height,
            width,
            factor,
        };
        if blocks.is_valid() {
            Ok(blocks)
        } else {
            Err(NnError::Shape(
                "resampling needs positive sizes and a factor that divides the height and width",
            ))
        }
    }

    /// Whether the shape is consistent (what a loader must check).
    pub(crate) fn is_valid(&self) -> bool {
        let sizes = [self.channels, self.height, self.width, self.factor];
        !sizes.contains(&0)
            && self.height % self.factor == 0
            && self.width % self.factor == 0
            && sizes
                .iter()
                .try_fold(1usize, |a, &b| a.checked_mul(b))
                .is_some()
    }

    /// Values per sample on the fine grid, C·H·W.
    fn fine(&self) -> usize {
        self.channels * self.height * self.width
    }

    /// Values per sample on the coarse grid, C·(H/f)·(W/f).
    fn coarse(&self) -> usize {
        self.fine() / (self.factor * self.factor)
    }

    /// Call `f(fine, coarse)` for every fine-grid index of a batch of `batch` samples, with the
    /// index of the coarse cell (block) it lies in.
    fn for_each(&self, batch: usize, mut f: impl FnMut(usize, usize)) {
        let (w, k) = (self.width, self.factor);
        let cw = w / k;
        for plane in 0..batch * self.channels {
            for y in 0..self.height {
                let fine_row = (plane * self.height + y) * w;
                let coarse_row = (plane * (self.height / k) + y / k) * cw;
                for x in 0..w {
                    f(fine_row + x, coarse_row + x / k);
                }
            }
        }
    }
}

/// Average pooling over non-overlapping f×f blocks (stride f).
///
/// # Formula
/// Y[c, i, j] = f⁻² Σ_{a,b < f} X[c, f i + a, f j + b]; backward ∂L/∂X[c, y, x] =
/// f⁻² ∂L/∂Y[c, ⌊y/f⌋, ⌊x/f⌋].
///
/// # Examples
/// ```
/// use entropic::nn::{AvgPool2d, Layer, Network};
/// let mut net = Network::<f64>::new(16);
/// net.push(Layer::AvgPool2d(AvgPool2d::new(1, 4, 4, 2)?))?;
/// let x: Vec<f64> = (0..16).map(f64::from).collect();
/// assert_eq!(net.forward(&x, 1)?, &[2.5, 4.5, 10.5, 12.5]);
/// # Ok::<(), entropic::nn::NnError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AvgPool2d {
    blocks: Blocks,
}

impl AvgPool2d {
    /// Pool `channels`×`height`×`width` images by `factor`.
    ///
    /// # Errors
    /// [`NnError::Shape`] for a zero size or a factor that does not divide H and W.
    pub fn new(
        channels: usize,
        height: usize,
        width: usize,
        factor: usize,
    ) -> Result<Self, NnError> {
        Ok(Self {
            blocks: Blocks::new(channels, height, width, factor)?,
        })
    }

    /// Values per input sample, C·H·W.
    pub fn inputs(&self) -> usize {
        self.blocks.fine()
    }

    /// Values per output sample, C·(H/f)·(W/f).
    pub fn outputs(&self) -> usize {
        self.blocks.coarse()
    }

    pub(crate) fn blocks(&self) -> &Blocks {
        &self.blocks
    }

    pub(crate) fn forward<T: Scalar>(&self, x: &[T], batch: usize, y: &mut Vec<T>) {
        let k = self.blocks.factor;
        let scale = T::one() / T::of((k * k) as f64);
        y.clear();
        y.resize(batch * self.outputs(), T::zero());
        self.blocks
            .for_each(batch, |fine, coarse| y[coarse] = y[coarse] + x[fine]);
        y.iter_mut().for_each(|v| *v = *v * scale);
    }

    pub(crate) fn backward<T: Scalar>(&self, dy: &[T], batch: usize, dx: &mut Vec<T>) {
        let k = self.blocks.factor;
        let scale = T::one() / T::of((k * k) as f64);
        dx.clear();
        dx.resize(batch * self.inputs(), T::zero());
        self.blocks
            .for_each(batch, |fine, coarse| dx[fine] = dy[coarse] * scale);
    }
}

/// Nearest-neighbour up-sampling by f: every value fills an f×f block.
///
/// # Formula
/// Y[c, y, x] = X[c, ⌊y/f⌋, ⌊x/f⌋]; backward ∂L/∂X[c, i, j] = Σ_{a,b < f} ∂L/∂Y[c, f i + a, f j + b].
///
/// # Examples
/// ```
/// use entropic::nn::{Layer, Network, Upsample2d};
/// let mut net = Network::<f64>::new(4);
/// net.push(Layer::Upsample2d(Upsample2d::new(1, 4, 4, 2)?))?;
/// let y = net.forward(&[1.0, 2.0, 3.0, 4.0], 1)?;
/// assert_eq!(&y[..4], &[1.0, 1.0, 2.0, 2.0]);
/// # Ok::<(), entropic::nn::NnError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Upsample2d {
    blocks: Blocks,
}

impl Upsample2d {
    /// Up-sample `channels` images to `height`×`width` (the output size) from
    /// (H/`factor`)×(W/`factor`).
    ///
    /// # Errors
    /// [`NnError::Shape`] for a zero size or a factor that does not divide H and W.
    pub fn new(
        channels: usize,
        height: usize,
        width: usize,
        factor: usize,
    ) -> Result<Self, NnError> {
        Ok(Self {
            blocks: Blocks::new(channels, height, width, factor)?,
        })
    }

    /// Values per input sample, C·(H/f)·(W/f).
    pub fn inputs(&self) -> usize {
        self.blocks.coarse()
    }

    /// Values per output sample, C·H·W.
    pub fn outputs(&self) -> usize {
        self.blocks.fine()
    }

    pub(crate) fn blocks(&self) -> &Blocks {
        &self.blocks
    }

    pub(crate) fn forward<T: Scalar>(&self, x: &[T], batch: usize, y: &mut Vec<T>) {
        y.clear();
        y.resize(batch * self.outputs(), T::zero());
        self.blocks
            .for_each(batch, |fine, coarse| y[fine] = x[coarse]);
    }

    pub(crate) fn backward<T: Scalar>(&self, dy: &[T], batch: usize, dx: &mut Vec<T>) {
        dx.clear();
        dx.resize(batch * self.inputs(), T::zero());
        self.blocks
            .for_each(batch, |fine, coarse| dx[coarse] = dx[coarse] + dy[fine]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{from_seed, uniform_f64};

    /// ⟨pool(x), y⟩ = ⟨x, up(y)⟩ / f², up then pool is the identity, and shapes are checked.
    #[test]
    fn pooling_and_upsampling_are_adjoint() {
        let mut rng = from_seed(3);
        for (c, h, w, f) in [(2, 4, 6, 2), (1, 9, 3, 3), (3, 5, 5, 1)] {
            let (pool, up) = (
                AvgPool2d::new(c, h, w, f).unwrap(),
                Upsample2d::new(c, h, w, f).unwrap(),
            );
            let x: Vec<f64> = (0..2 * c * h * w).map(|_| uniform_f64(&mut rng)).collect();
            let y: Vec<f64> = (0..2 * pool.outputs())
                .map(|_| uniform_f64(&mut rng))
                .collect();
            let (mut px, mut uy, mut upy) = (Vec::new(), Vec::new(), Vec::new());
            pool.forward(&x, 2, &mut px);
            up.forward(&y, 2, &mut uy);
            let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(p, q)| p * q).sum::<f64>();
            let lhs = dot(&px, &y);
            let rhs = dot(&x, &uy) / (f * f) as f64;
            assert!((lhs - rhs).abs() < 1e-12, "{lhs} vs {rhs}");
            pool.forward(&uy, 2, &mut upy);
            assert!(upy.iter().zip(&y).all(|(a, b)| (a - b).abs() < 1e-15));
        }
        assert!(AvgPool2d::new(1, 4, 6, 4).is_err());
        assert!(Upsample2d::new(1, 4, 4, 0).is_err());
        assert!(AvgPool2d::new(0, 4, 4, 2).is_err());
    }
}
