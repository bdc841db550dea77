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
    /// [`NnError::Shape`] for a zero size or dilation, or a dilation larger than the side.
    pub fn check(&self) -> Result<(), NnError> {
        if [self.inputs, self.outputs, self.side, self.channels].contains(&0)
            || self.dilations.contains(&0)
        {
            return Err(NnError::Shape(
                "network sizes and dilations must be positive",
            ));
        }
        if self.dilations.iter().any(|&d| d > self.side) {
            return Err(NnError::Shape("a dilation larger than the image side"));
        }
        Ok(())
    }
}

/// A residual network of periodic 3×3 convolutions on L×L images (C×L×L per sample): a stem,
/// residual blocks with dilated taps, and a linear head.
///
/// # Formula
/// h₀ = a(conv₁(x)), hₖ = hₖ₋₁ + a(conv_{dₖ}(hₖ₋₁)), y = conv₁(h_K), with a the activation and
/// conv_d a 3×3 periodic convolution whose taps are d sites apart ([`Conv2d::with_dilation`]).
/// Dilations 1, 2, 4, 8 grow the receptive field geometrically
/// ([`DilatedShape::receptive_field`]) at the cost of full-resolution convolutions, so, unlike a
/// pooling U-Net, every layer commutes with *every* translation of the torus (pooling commutes
/// only with shifts by its block) and the same weights run on any lattice side. Backward:
/// ∂L/∂hₖ₋₁ = ∂L/∂hₖ + blockₖᵀ ∂L/∂hₖ.
#[derive(Clone, Debug, PartialEq)]
pub struct DilatedResNet<T> {
    shape: DilatedShape,
    stem: Network<T>,
    blocks: Vec<Network<T>>,
    head: Network<T>,
    /// hₖ₋₁ of the last forward pass, the input of block k.
    hidden: Vec<Vec<T>>,
    grad: Vec<T>,
}

impl<T: Scalar> DilatedResNet<T> {
    /// A fresh network of `shape` (Glorot-uniform weights, zero biases).
    ///
    /// # Errors
    /// [`NnError::Shape`] for a shape [`DilatedShape::check`] refuses.
    pub fn new<R: Rng + ?Sized>(shape: DilatedShape, rng: &mut R) -> Result<Self, NnError> {
        shape.check()?;
        let (l, c, k) = (shape.side, shape.channels, DilatedShape::KERNEL);
        let conv = |inputs: usize, outputs: usize, dilation: usize, rng: &mut R| {
            Conv2d::new(inputs, outputs, l, l, k, Padding::Periodic, rng)
                .and_then(|conv| conv.with_dilation(dilation))
                .map(Layer::Conv2d)
        };
        let act = || Layer::Activation(Activation::new(shape.activation, c * l * l));
        let mut stem = Network::new(shape.inputs * l * l);
        stem.push(conv(shape.inputs, c, 1, rng)?)?;
        stem.push(act())?;
        let blocks = shape
            .dilations
            .iter()
            .map(|&d| {
                let mut block = Network::new(c * l * l);
                block.push(conv(c, c, d, rng)?)?;
                block.push(act())?;
                Ok(block)
            })
            .collect::<Result<Vec<_>, NnError>>()?;
        let mut head = Network::new(c * l * l);
        head.push(conv(c, shape.outputs, 1, rng)?)?;
        Ok(Self {
            hidden: Vec::with_capacity(blocks.len()),
            shape,
            stem,
            blocks,
            head,
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
    /// [`NnError::Shape`] for a side the dilations do not fit ([`DilatedShape::check`]).
    pub fn with_side(&self, side: usize) -> Result<Self, NnError> {
        let shape = DilatedShape {
            side,
            ..self.shape.clone()
        };
        // The weights drawn here are all overwritten.
        let mut other = Self::new(shape, &mut crate::rng::from_seed(0))?;
        let mut me = self.clone();
        for ((p, _), (q, _)) in other
            .params_and_grads()
            .into_iter()
            .zip(me.params_and_grads())
        {
            p.copy_from_slice(q);
        }
        Ok(other)
    }

    /// Values per input sample, inputs·L².
    pub fn inputs(&self) -> usize {
        self.stem.inputs()
    }

    /// Values per output sample, outputs·L².
    pub fn outputs(&self) -> usize {
        self.head.outputs()
    }

    /// Number of trainable parameters.
    pub fn parameter_count(&self) -> usize {
        core::iter::once(&self.stem)
            .chain(&self.blocks)
            .chain(core::iter::once(&self.head))
            .map(Network::parameter_count)
            .sum()
    }

    /// Forward pass on `batch` images (C×L×L each, row-major); returns batch × outputs·L².
    ///
    /// # Errors
    /// [`NnError::InputLength`] if `x.len() != batch · inputs()`.
    pub fn forward(&mut self, x: &[T], batch: usize) -> Result<&[T], NnError> {
        let mut h = self.stem.forward(x, batch)?.to_vec();
        self.hidden.resize_with(self.blocks.len(), Vec::new);
        for (block, saved) in self.blocks.iter_mut().zip(self.hidden.iter_mut()) {
            let r = block.forward(&h, batch)?;
            saved.clear();
            saved.extend_from_slice(&h);
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
        let mut g = core::mem::take(&mut self.grad);
        g.clear();
        g.extend_from_slice(self.head.backward(dy)?);
        for block in self.blocks.iter_mut().rev() {
            let through = block.backward(&g)?;
            g.iter_mut().zip(through).for_each(|(g, &b)| *g = *g + b);
        }
        self.grad = g;
        self.stem.backward(&self.grad)
    }

    /// Reset accumulated parameter gradients to zero.
    pub fn zero_grad(&mut self) {
        for (_, g) in self.params_and_grads() {
            g.iter_mut().for_each(|x| *x = T::zero());
        }
    }

    /// (parameters, gradients) of every convolution: stem, blocks in order, head.
    pub fn params_and_grads(&mut self) -> Vec<(&mut [T], &mut [T])> {
        core::iter::once(&mut self.stem)
            .chain(self.blocks.iter_mut())
            .chain(core::iter::once(&mut self.head))
            .flat_map(Network::params_and_grads)
            .collect()
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
        let batch = 2;
        let x = random(batch * net.inputs(), 2);
        let r = random(batch * net.outputs(), 3);
        let loss = |net: &mut DilatedResNet<f64>, x: &[f64]| -> f64 {
            let y = net.forward(x, batch).unwrap();
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
        let y = net.forward(&x, 1).unwrap().to_vec();
        for s in [(1, 0), (0, 3), (5, 7), (9, 9)] {
            let ys = net.forward(&shift(&x, s), 1).unwrap().to_vec();
            for (a, b) in ys.iter().zip(&shift(&y, s)) {
                assert!((a - b).abs() < 1e-12, "shift {s:?}: {a} vs {b}");
            }
        }
    }

    #[test]
    fn bad_shapes_are_refused_and_weights_carry_to_other_sides() {
        let mut rng = from_seed(6);
        assert!(DilatedResNet::<f32>::new(shape(3), &mut rng).is_err()); // dilation 4 > 3
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
        assert!(net.with_side(2).is_err());
        // A constant image gives a constant output at any size.
        let small = net.forward(&vec![0.5; net.inputs()], 1).unwrap().to_vec();
        let large = wide.forward(&vec![0.5; wide.inputs()], 1).unwrap().to_vec();
        for c in 0..3 {
            assert!((small[c * 36] - large[c * 256]).abs() < 1e-12);
        }
        net.zero_head();
        assert!(
            net.forward(&random(net.inputs(), 7), 1)
                .unwrap()
                .iter()
                .all(|&v| v == 0.0)
        );
    }
}
