//! [`DilatedResNet`]: a translation-equivariant residual network of dilated periodic convolutions.
use super::{Activation, ActivationKind, Conv2d, Layer, Network, NnError, Padding, Scalar};
use alloc::vec::Vec;
use rand_core::Rng;

/// The shape of a [`DilatedResNet`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DilatedShape {
    /// Input channels.
    pub inputs: usize,
    /// Conditioning values per sample (0: none), e.g. a noise level and a temperature.
    pub conditions: usize,
    /// Output channels.
    pub outputs: usize,
    /// Image side L (square L×L images on the torus).
    pub side: usize,
    /// Channels of every hidden convolution.
    pub channels: usize,
    /// One residual block per entry, with the 3×3 kernel's taps this many sites apart.
    pub dilations: Vec<usize>,
    /// Nonlinearity of the stem and of every block.
    pub activation: ActivationKind,
}

impl DilatedShape {
    /// Kernel side of every convolution.
    pub const KERNEL: usize = 3;

    /// Sites seen along each axis by one output site: 1 + 2 (stem) + 2 Σ dₖ (blocks) + 2 (head).
    pub fn receptive_field(&self) -> usize {
        self.dilations
            .iter()
            .fold(5usize, |a, &d| a.saturating_add(d.saturating_mul(2)))
    }

    /// # Errors
    /// [`NnError::Shape`] for a zero size or dilation. A dilation may exceed the side: its taps
    /// wrap around the torus.
    pub fn check(&self) -> Result<(), NnError> {
        if [self.inputs, self.outputs, self.side, self.channels].contains(&0)
            || self.dilations.contains(&0)
        {
            return Err(NnError::Shape(
                "network sizes and dilations must be positive",
            ));
        }
        Ok(())
    }
}

/// One convolution with feature-wise affine conditioning and the activation:
/// y = a(z ⊙ (1 + γ(c)) + β(c)), z = conv(x), (γ, β) = W c + b per output channel.
#[derive(Clone, Debug, PartialEq)]
struct Stage<T> {
    conv: Network<T>,
    /// W (2C × k, rows γ then β) followed by b (2C), zero at start.
    film: Vec<T>,
    film_grad: Vec<T>,
    /// z, z(1 + γ) + β and y of the last forward pass.
    z: Vec<T>,
    pre: Vec<T>,
    y: Vec<T>,
    /// (1 + γ, β) per sample and channel of the last forward pass.
    affine: Vec<(T, T)>,
    grad: Vec<T>,
}

impl<T: Scalar> Stage<T> {
    fn new(conv: Network<T>, channels: usize, conditions: usize) -> Self {
        let film = alloc::vec![T::zero(); 2 * channels * (conditions + 1)];
        Self {
            conv,
            film_grad: film.clone(),
            film,
            z: Vec::new(),
            pre: Vec::new(),
            y: Vec::new(),
            affine: Vec::new(),
            grad: Vec::new(),
        }
    }

    fn forward(
        &mut self,
        x: &[T],
        cond: &[T],
        (batch, channels, conditions): (usize, usize, usize),
        act: ActivationKind,
    ) -> Result<&[T], NnError> {
        let z = self.conv.forward(x, batch)?;
        self.z.clear();
        self.z.extend_from_slice(z);
        let plane = self.z.len() / (batch * channels).max(1);
        let (w, b) = self.film.split_at(2 * channels * conditions);
        self.affine.clear();
        for s in 0..batch {
            let c = &cond[s * conditions..(s + 1) * conditions];
            let row = |r: usize| {
                w[r * conditions..(r + 1) * conditions]
                    .iter()
                    .zip(c)
                    .fold(b[r], |a, (&w, &c)| a + w * c)
            };
            for o in 0..channels {
                self.affine.push((T::one() + row(o), row(channels + o)));
            }
        }
        self.pre.clear();
        for (zs, &(g, sh)) in self.z.chunks(plane.max(1)).zip(&self.affine) {
            self.pre.extend(zs.iter().map(|&z| z * g + sh));
        }
        Activation::<T>::new(act, 0).forward(&self.pre, &mut self.y);
        Ok(&self.y)
    }

    /// ∂L/∂x from ∂L/∂y; accumulates the convolution's and the conditioning's gradients.
    fn backward(
        &mut self,
        dy: &[T],
        cond: &[T],
        (batch, channels, conditions): (usize, usize, usize),
        act: ActivationKind,
    ) -> Result<&[T], NnError> {
        let plane = (self.z.len() / (batch * channels).max(1)).max(1);
        // ∂L/∂(z(1 + γ) + β), then ∂L/∂z in place.
        Activation::<T>::new(act, 0).backward(&self.pre, &self.y, dy, &mut self.grad);
        let (gw, gb) = self.film_grad.split_at_mut(2 * channels * conditions);
        for (k, ((&(g, _), zs), da)) in self
            .affine
            .iter()
            .zip(self.z.chunks(plane))
            .zip(self.grad.chunks_mut(plane))
            .enumerate()
        {
            let (s, o) = (k / channels, k % channels);
            let d_gamma = zs
                .iter()
                .zip(da.iter())
                .fold(T::zero(), |a, (&z, &d)| a + d * z);
            let d_beta = da.iter().fold(T::zero(), |a, &d| a + d);
            da.iter_mut().for_each(|d| *d = *d * g);
            let c = &cond[s * conditions..(s + 1) * conditions];
            for (r, d) in [(o, d_gamma), (channels + o, d_beta)] {
                gb[r] = gb[r] + d;
                for (gw, &c) in gw[r * conditions..(r + 1) * conditions].iter_mut().zip(c) {
                    *gw = *gw + d * c;
                }
            }
        }
        self.conv.backward(&self.grad)
    }

    fn params_and_grads(&mut self) -> Vec<(&mut [T], &mut [T])> {
        let mut all = self.conv.params_and_grads();
        all.push((&mut self.film, &mut self.film_grad));
        all
    }
}

/// A residual network of periodic 3×3 convolutions on L×L images (C×L×L per sample), every
/// stage conditioned on a per-sample vector c: a stem, residual blocks with dilated taps, and a
/// linear head.
///
/// # Formula
/// h₀ = S₁(x), hₖ = hₖ₋₁ + S_{dₖ}(hₖ₋₁), y = conv₁(h_K), with the stage
/// S_d(h) = a(conv_d(h) ⊙ (1 + γ(c)) + β(c)) — a 3×3 periodic convolution whose taps are d
/// sites apart ([`Conv2d::with_dilation`]), scaled and shifted per channel by an affine function
/// of the conditioning (FiLM; (γ, β) = W c + b, zero at start), then the activation a.
/// Conditioning multiplies features rather than adding constant input channels, so a field that
/// scales with an inverse temperature or a noise level is one linear map away. Dilations 1, 2, 4,
/// 8 grow the receptive field geometrically ([`DilatedShape::receptive_field`]) at the cost of
/// full-resolution convolutions, so, unlike a pooling U-Net, every layer commutes with *every*
/// translation of the torus (pooling commutes only with shifts by its block) and the same
/// weights run on any lattice side. Backward: ∂L/∂hₖ₋₁ = ∂L/∂hₖ + Sₖᵀ ∂L/∂hₖ.
#[derive(Clone, Debug, PartialEq)]
pub struct DilatedResNet<T> {
    shape: DilatedShape,
    stem: Stage<T>,
    blocks: Vec<Stage<T>>,
    head: Network<T>,
    /// The conditioning of the last forward pass.
    cond: Vec<T>,
    batch: usize,
    grad: Vec<T>,
}

impl<T: Scalar> DilatedResNet<T> {
    /// A fresh network of `shape` (Glorot-uniform weights, zero biases and conditioning maps).
    ///
    /// # Errors
    /// [`NnError::Shape`] for a shape [`DilatedShape::check`] refuses.
    pub fn new<R: Rng + ?Sized>(shape: DilatedShape, rng: &mut R) -> Result<Self, NnError> {
        shape.check()?;
        let (l, c, k) = (shape.side, shape.channels, DilatedShape::KERNEL);
        let conv = |inputs: usize, outputs: usize, dilation: usize, rng: &mut R| {
            let conv = Conv2d::new(inputs, outputs, l, l, k, Padding::Periodic, rng)?
                .with_dilation(dilation)?;
            let mut net = Network::new(inputs * l * l);
            net.push(Layer::Conv2d(conv))?;
            Ok::<_, NnError>(net)
        };
        let stem = Stage::new(conv(shape.inputs, c, 1, rng)?, c, shape.conditions);
        let blocks = shape
            .dilations
            .iter()
            .map(|&d| Ok(Stage::new(conv(c, c, d, rng)?, c, shape.conditions)))
            .collect::<Result<Vec<_>, NnError>>()?;
        let head = conv(c, shape.outputs, 1, rng)?;
        Ok(Self {
            shape,
            stem,
            blocks,
            head,
            cond: Vec::new(),
            batch: 0,
            grad: Vec::new(),
        })
    }

    /// The shape.
    pub fn shape(&self) -> &DilatedShape {
        &self.shape
    }

    /// The same weights on `side`×`side` images (a convolution's weights do not depend on the
    /// image size).
    ///
    /// # Errors
    /// [`NnError::Shape`] for a zero side.
    pub fn with_side(&self, side: usize) -> Result<Self, NnError> {
        let shape = DilatedShape {
            side,
            ..self.shape.clone()
        };
        // The weights drawn here are all overwritten.
        let mut other = Self::new(shape, &mut crate::rng::from_seed(0))?;
        let mut me = self.clone();
        super::copy_parameters(other.params_and_grads(), me.params_and_grads());
        Ok(other)
    }

    /// Values per input sample, inputs·L².
    pub fn inputs(&self) -> usize {
        self.stem.conv.inputs()
    }

    /// Values per output sample, outputs·L².
    pub fn outputs(&self) -> usize {
        self.head.outputs()
    }

    /// Number of trainable parameters.
    pub fn parameter_count(&self) -> usize {
        core::iter::once(&self.stem)
            .chain(&self.blocks)
            .map(|s| s.conv.parameter_count() + s.film.len())
            .sum::<usize>()
            + self.head.parameter_count()
    }

    fn sizes(&self) -> (usize, usize, usize) {
        (self.batch, self.shape.channels, self.shape.conditions)
    }

    /// Forward pass on `batch` images (C×L×L each, row-major) with their conditioning
    /// (`conditions` values each); returns batch × outputs·L².
    ///
    /// # Errors
    /// [`NnError::InputLength`] if `x` or `cond` does not hold `batch` samples.
    pub fn forward(&mut self, x: &[T], cond: &[T], batch: usize) -> Result<&[T], NnError> {
        let k = self.shape.conditions;
        if cond.len() != batch * k {
            return Err(NnError::InputLength {
                expected: batch * k,
                got: cond.len(),
            });
        }
        self.batch = batch;
        self.cond.clear();
        self.cond.extend_from_slice(cond);
        let (sizes, act) = (self.sizes(), self.shape.activation);
        let mut h = self.stem.forward(x, cond, sizes, act)?.to_vec();
        for block in self.blocks.iter_mut() {
            let r = block.forward(&h, cond, sizes, act)?;
            h.iter_mut().zip(r).for_each(|(h, &r)| *h = *h + r);
        }
        self.head.forward(&h, batch)
    }

    /// Backward pass for the last forward batch: accumulates parameter gradients and returns
    /// ∂L/∂input given `dy` = ∂L/∂output.
    ///
    /// # Errors
    /// [`NnError::InputLength`] if `dy` does not match the last forward output.
    pub fn backward(&mut self, dy: &[T]) -> Result<&[T], NnError> {
        let (sizes, act) = (self.sizes(), self.shape.activation);
        let mut g = core::mem::take(&mut self.grad);
        g.clear();
        g.extend_from_slice(self.head.backward(dy)?);
        for block in self.blocks.iter_mut().rev() {
            let through = block.backward(&g, &self.cond, sizes, act)?;
            g.iter_mut().zip(through).for_each(|(g, &b)| *g = *g + b);
        }
        self.grad = g;
        self.stem.backward(&self.grad, &self.cond, sizes, act)
    }

    /// Reset accumulated parameter gradients to zero.
    pub fn zero_grad(&mut self) {
        for (_, g) in self.params_and_grads() {
            g.iter_mut().for_each(|x| *x = T::zero());
        }
    }

    /// (parameters, gradients) of every stage (convolution, then conditioning map): stem,
    /// blocks in order, then the head.
    pub fn params_and_grads(&mut self) -> Vec<(&mut [T], &mut [T])> {
        let mut all = self.stem.params_and_grads();
        for block in self.blocks.iter_mut() {
            all.extend(block.params_and_grads());
        }
        all.extend(self.head.params_and_grads());
        all
    }

    /// Set the head's weights and bias to zero: the network then outputs zero everywhere.
    pub fn zero_head(&mut self) {
        for (p, _) in self.head.params_and_grads() {
            p.iter_mut().for_each(|v| *v = T::zero());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{from_seed, uniform_f64};
    use alloc::vec;

    fn shape(side: usize) -> DilatedShape {
        DilatedShape {
            inputs: 2,
            conditions: 2,
            outputs: 3,
            side,
            channels: 3,
            dilations: vec![1, 2, 4],
            activation: ActivationKind::Tanh,
        }
    }

    fn random(n: usize, seed: u64) -> Vec<f64> {
        let mut rng = from_seed(seed);
        (0..n).map(|_| 2.0 * uniform_f64(&mut rng) - 1.0).collect()
    }

    #[test]
    fn parameter_and_input_gradients_match_finite_differences() {
        let mut net = DilatedResNet::<f64>::new(shape(6), &mut from_seed(1)).unwrap();
        // Move the conditioning maps (zero at start) so every path carries gradient.
        let mut rng = from_seed(9);
        for (p, _) in net.params_and_grads() {
            p.iter_mut()
                .for_each(|v| *v += 0.2 * (uniform_f64(&mut rng) - 0.5));
        }
        let batch = 2;
        let x = random(batch * net.inputs(), 2);
        let cond = random(batch * 2, 8);
        let r = random(batch * net.outputs(), 3);
        let loss = |net: &mut DilatedResNet<f64>, x: &[f64]| -> f64 {
            let y = net.forward(x, &cond, batch).unwrap();
            y.iter().zip(&r).map(|(y, r)| y * r).sum()
        };
        loss(&mut net, &x);
        net.zero_grad();
        let dx = net.backward(&r).unwrap().to_vec();
        let grads: Vec<Vec<f64>> = net
            .params_and_grads()
            .iter()
            .map(|(_, g)| g.to_vec())
            .collect();
        const H: f64 = 1e-6;
        let close = |a: f64, n: f64| (a - n).abs() < 1e-6 * (1.0 + n.abs());
        for (t, g) in grads.iter().enumerate() {
            for i in (0..g.len()).step_by(3) {
                let shifted = |delta: f64| {
                    let mut m = net.clone();
                    m.params_and_grads()[t].0[i] += delta;
                    loss(&mut m, &x)
                };
                let numeric = (shifted(H) - shifted(-H)) / (2.0 * H);
                assert!(
                    close(g[i], numeric),
                    "tensor {t}[{i}]: {} vs {numeric}",
                    g[i]
                );
            }
        }
        for i in (0..x.len()).step_by(5) {
            let shifted = |delta: f64| {
                let mut x = x.clone();
                x[i] += delta;
                loss(&mut net.clone(), &x)
            };
            let numeric = (shifted(H) - shifted(-H)) / (2.0 * H);
            assert!(close(dx[i], numeric), "input {i}");
        }
    }

    /// Shifting every input image on the torus by any (dy, dx) shifts the output the same way.
    #[test]
    fn every_translation_commutes_with_the_network() {
        let side = 10;
        let mut net = DilatedResNet::<f64>::new(shape(side), &mut from_seed(4)).unwrap();
        let x = random(net.inputs(), 5);
        let shift = |v: &[f64], (dy, dx): (usize, usize)| -> Vec<f64> {
            let mut out = vec![0.0; v.len()];
            for (c, plane) in v.chunks(side * side).enumerate() {
                for (y, z) in (0..side).flat_map(|y| (0..side).map(move |z| (y, z))) {
                    out[c * side * side + ((y + dy) % side) * side + (z + dx) % side] =
                        plane[y * side + z];
                }
            }
            out
        };
        let cond = [0.3, -0.8];
        let y = net.forward(&x, &cond, 1).unwrap().to_vec();
        for s in [(1, 0), (0, 3), (5, 7), (9, 9)] {
            let ys = net.forward(&shift(&x, s), &cond, 1).unwrap().to_vec();
            for (a, b) in ys.iter().zip(&shift(&y, s)) {
                assert!((a - b).abs() < 1e-12, "shift {s:?}: {a} vs {b}");
            }
        }
    }

    #[test]
    fn bad_shapes_are_refused_and_weights_carry_to_other_sides() {
        let mut rng = from_seed(6);
        // Dilation 4 on a 3×3 torus wraps: taps 4 apart are 1 apart.
        assert!(DilatedResNet::<f32>::new(shape(3), &mut rng).is_ok());
        assert!(DilatedResNet::<f32>::new(shape(0), &mut rng).is_err());
        let zero = DilatedShape {
            dilations: vec![1, 0],
            ..shape(8)
        };
        assert!(DilatedResNet::<f32>::new(zero, &mut rng).is_err());
        assert_eq!(shape(8).receptive_field(), 19);
        let mut net = DilatedResNet::<f64>::new(shape(6), &mut rng).unwrap();
        let mut wide = net.with_side(16).unwrap();
        assert_eq!(wide.shape().side, 16);
        assert_eq!(wide.parameter_count(), net.parameter_count());
        for ((a, _), (b, _)) in net.params_and_grads().iter().zip(wide.params_and_grads()) {
            assert_eq!(&a[..], &b[..]);
        }
        assert!(net.with_side(0).is_err());
        // A constant image gives a constant output at any size.
        let cond = [0.1, 0.2];
        let small = net
            .forward(&vec![0.5; net.inputs()], &cond, 1)
            .unwrap()
            .to_vec();
        let large = wide
            .forward(&vec![0.5; wide.inputs()], &cond, 1)
            .unwrap()
            .to_vec();
        for c in 0..3 {
            assert!((small[c * 36] - large[c * 256]).abs() < 1e-12);
        }
        assert!(net.forward(&random(net.inputs(), 7), &[0.0], 1).is_err());
        net.zero_head();
        assert!(
            net.forward(&random(net.inputs(), 7), &cond, 1)
                .unwrap()
                .iter()
                .all(|&v| v == 0.0)
        );
    }
}
