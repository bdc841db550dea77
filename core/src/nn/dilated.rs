//! [`DilatedResNet`]: a translation-equivariant residual network of dilated periodic convolutions.
use super::planar::{Tied, radial_backward, radial_forward};
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
    /// Nonlinearity of the stem and of every block (real networks; a planar one uses the
    /// radial z tanh|z|/|z|).
    pub activation: ActivationKind,
    /// Planar (complex) channels: inputs, outputs and channels count real channels in pairs
    /// (u, v) = one vector per site, every convolution weight is a complex number, biases and
    /// FiLM shifts are zero, the FiLM scale is shared by a pair and the nonlinearity is radial —
    /// so the network commutes with every global rotation of the vectors (and with every
    /// translation). Default false.
    #[cfg_attr(feature = "serde", serde(default))]
    pub planar: bool,
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
        if self.planar
            && [self.inputs, self.outputs, self.channels]
                .iter()
                .any(|c| c % 2 != 0)
        {
            return Err(NnError::Shape(
                "a planar network needs even input, output and hidden channel counts (pairs)",
            ));
        }
        Ok(())
    }

    /// The parameter tensors in [`DilatedResNet::params_and_grads`] order, as the planar ties
    /// see them.
    fn tensors(&self) -> Vec<Tied> {
        let (c, conditions, taps) = (self.channels, self.conditions, Self::KERNEL * Self::KERNEL);
        let conv = |inputs, outputs| Tied::Conv {
            inputs,
            outputs,
            taps,
        };
        let film = Tied::Film {
            channels: c,
            conditions,
        };
        let mut all = alloc::vec![conv(self.inputs, c), film];
        for _ in &self.dilations {
            all.extend([conv(c, c), film]);
        }
        all.push(conv(c, self.outputs));
        all
    }

    /// Project a planar network's weights, concatenated in [`DilatedResNet::params_and_grads`]
    /// order, onto its complex ties (nothing for a real network); `flat` must hold them all.
    /// How a loaded model's weights are checked.
    #[cfg(any(feature = "serde", test))]
    pub(crate) fn tie<U: Scalar>(&self, flat: &mut [U]) {
        if !self.planar {
            return;
        }
        let mut at = 0;
        for t in self.tensors() {
            if let Some(part) = flat.get_mut(at..at + t.len()) {
                t.project(part);
            }
            at += t.len();
        }
    }
}

/// The nonlinearity of every stage.
#[derive(Clone, Copy, Debug)]
enum Nonlinearity {
    Elementwise(ActivationKind),
    /// [`radial_forward`] on channel pairs.
    Radial,
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
        act: Nonlinearity,
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
        match act {
            Nonlinearity::Elementwise(a) => {
                Activation::<T>::new(a, 0).forward(&self.pre, &mut self.y)
            }
            Nonlinearity::Radial => radial_forward(&self.pre, plane.max(1), &mut self.y),
        }
        Ok(&self.y)
    }

    /// ∂L/∂x from ∂L/∂y; accumulates the convolution's and the conditioning's gradients.
    fn backward(
        &mut self,
        dy: &[T],
        cond: &[T],
        (batch, channels, conditions): (usize, usize, usize),
        act: Nonlinearity,
    ) -> Result<&[T], NnError> {
        let plane = (self.z.len() / (batch * channels).max(1)).max(1);
        // ∂L/∂(z(1 + γ) + β), then ∂L/∂z in place.
        match act {
            Nonlinearity::Elementwise(a) => {
                Activation::<T>::new(a, 0).backward(&self.pre, &self.y, dy, &mut self.grad);
            }
            Nonlinearity::Radial => radial_backward(&self.pre, dy, plane, &mut self.grad),
        }
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
///
/// With [`DilatedShape::planar`] the channels are vector pairs z = u + iv, each weight a complex
/// number, conv(z) = Σ w z without bias, the stage S(z) = ρ(conv(z)(1 + γ(c))) with a real γ per
/// pair and the radial ρ(z) = z tanh|z|/|z|: every stage, hence the network, commutes with
/// z ↦ e^{iφ} z. The stored tensors keep the real layout; the weights are projected onto the ties
/// at construction and every backward pass projects the gradients (the gradient along the tied
/// weights), so an element-wise optimiser keeps them tied.
#[derive(Clone, Debug, PartialEq)]
pub struct DilatedResNet<T> {
    shape: DilatedShape,
    stem: Stage<T>,
    blocks: Vec<Stage<T>>,
    head: Network<T>,
    /// The conditioning of the last forward pass.
    cond: Vec<T>,
    batch: usize,
    /// Buffers kept between passes (no allocation per pass): the residual stream, its
    /// gradient, and ∂L/∂input of a planar network.
    hidden: Vec<T>,
    grad: Vec<T>,
    input_grad: Vec<T>,
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
        let mut net = Self {
            shape,
            stem,
            blocks,
            head,
            cond: Vec::new(),
            batch: 0,
            hidden: Vec::new(),
            grad: Vec::new(),
            input_grad: Vec::new(),
        };
        net.tie(false);
        Ok(net)
    }

    /// Project every parameter tensor (or, with `grads`, every gradient) of a planar network
    /// onto its complex ties ([`DilatedShape::planar`]).
    fn tie(&mut self, grads: bool) {
        if !self.shape.planar {
            return;
        }
        let tensors = self.shape.tensors();
        for ((p, g), t) in self.params_and_grads().into_iter().zip(tensors) {
            t.project(if grads { g } else { p });
        }
    }

    fn nonlinearity(&self) -> Nonlinearity {
        if self.shape.planar {
            Nonlinearity::Radial
        } else {
            Nonlinearity::Elementwise(self.shape.activation)
        }
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

    /// Number of trainable parameters: for a planar network the free ones (the weights are
    /// stored in the real layout, about twice as many values; see [`DilatedShape::planar`]).
    pub fn parameter_count(&self) -> usize {
        if self.shape.planar {
            return self.shape.tensors().into_iter().map(Tied::free).sum();
        }
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
        let (sizes, act) = (self.sizes(), self.nonlinearity());
        let mut h = core::mem::take(&mut self.hidden);
        h.clear();
        h.extend_from_slice(self.stem.forward(x, cond, sizes, act)?);
        for block in self.blocks.iter_mut() {
            let r = block.forward(&h, cond, sizes, act)?;
            h.iter_mut().zip(r).for_each(|(h, &r)| *h = *h + r);
        }
        self.hidden = h;
        self.head.forward(&self.hidden, batch)
    }

    /// Backward pass for the last forward batch: accumulates parameter gradients and returns
    /// ∂L/∂input given `dy` = ∂L/∂output.
    ///
    /// # Errors
    /// [`NnError::InputLength`] if `dy` does not match the last forward output.
    pub fn backward(&mut self, dy: &[T]) -> Result<&[T], NnError> {
        let (sizes, act) = (self.sizes(), self.nonlinearity());
        let mut g = core::mem::take(&mut self.grad);
        g.clear();
        g.extend_from_slice(self.head.backward(dy)?);
        for block in self.blocks.iter_mut().rev() {
            let through = block.backward(&g, &self.cond, sizes, act)?;
            g.iter_mut().zip(through).for_each(|(g, &b)| *g = *g + b);
        }
        self.grad = g;
        if !self.shape.planar {
            return self.stem.backward(&self.grad, &self.cond, sizes, act);
        }
        let mut dx = core::mem::take(&mut self.input_grad);
        dx.clear();
        dx.extend_from_slice(self.stem.backward(&self.grad, &self.cond, sizes, act)?);
        // The gradients projected onto the ties: the gradient along the planar weights.
        self.tie(true);
        self.input_grad = dx;
        Ok(&self.input_grad)
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
            planar: false,
        }
    }

    /// Two vector inputs, one vector output, two vector channels.
    fn planar_shape(side: usize) -> DilatedShape {
        DilatedShape {
            inputs: 4,
            outputs: 2,
            channels: 4,
            planar: true,
            ..shape(side)
        }
    }

    /// A network with every parameter moved off its start (the conditioning maps start at
    /// zero), re-tied when planar.
    fn perturbed(shape: DilatedShape, seed: u64) -> DilatedResNet<f64> {
        let mut net = DilatedResNet::<f64>::new(shape, &mut from_seed(seed)).unwrap();
        let mut rng = from_seed(seed + 100);
        for (p, _) in net.params_and_grads() {
            p.iter_mut()
                .for_each(|v| *v += 0.2 * (uniform_f64(&mut rng) - 0.5));
        }
        net.tie(false);
        net
    }

    fn random(n: usize, seed: u64) -> Vec<f64> {
        let mut rng = from_seed(seed);
        (0..n).map(|_| 2.0 * uniform_f64(&mut rng) - 1.0).collect()
    }

    #[test]
    fn parameter_and_input_gradients_match_finite_differences() {
        for planar in [false, true] {
            let net = perturbed(if planar { planar_shape(6) } else { shape(6) }, 1);
            check_gradients(net);
        }
    }

    /// Every gradient against central differences; for a planar network the parameter
    /// gradient is the projected one, so each tensor is checked along its tied directions:
    /// the directional derivative along a tied perturbation equals ⟨gradient, perturbation⟩.
    fn check_gradients(mut net: DilatedResNet<f64>) {
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
        let tensors = net.shape().tensors();
        for (t, g) in grads.iter().enumerate() {
            if net.shape().planar {
                let mut tied = g.clone();
                tensors[t].project(&mut tied);
                assert_eq!(&tied, g, "tensor {t}: the gradient leaves the ties");
            }
            for i in (0..g.len()).step_by(3) {
                // A unit perturbation of entry i, projected onto the ties when planar.
                let mut direction = vec![0.0; g.len()];
                direction[i] = 1.0;
                if net.shape().planar {
                    tensors[t].project(&mut direction);
                }
                let along: f64 = g.iter().zip(&direction).map(|(g, d)| g * d).sum();
                let shifted = |delta: f64| {
                    let mut m = net.clone();
                    for (p, d) in m.params_and_grads()[t].0.iter_mut().zip(&direction) {
                        *p += delta * d;
                    }
                    loss(&mut m, &x)
                };
                let numeric = (shifted(H) - shifted(-H)) / (2.0 * H);
                assert!(
                    close(along, numeric),
                    "tensor {t}[{i}]: {along} vs {numeric}"
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

    /// A planar network commutes with rotating every vector (input and output pairs) by one
    /// angle, and with translations, to rounding.
    #[test]
    fn a_planar_network_commutes_with_global_rotations_and_translations() {
        let side = 7;
        let mut net = perturbed(planar_shape(side), 3);
        let n = side * side;
        let rotate = |v: &[f64], phi: f64| -> Vec<f64> {
            let (c, s) = (libm::cos(phi), libm::sin(phi));
            let mut out = v.to_vec();
            for pair in out.chunks_mut(2 * n) {
                let (u, w) = pair.split_at_mut(n);
                for (u, w) in u.iter_mut().zip(w) {
                    (*u, *w) = (c * *u - s * *w, s * *u + c * *w);
                }
            }
            out
        };
        let x = random(net.inputs(), 5);
        let cond = [0.3, -0.8];
        let y = net.forward(&x, &cond, 1).unwrap().to_vec();
        assert!(y.iter().any(|v| v.abs() > 1e-3));
        for phi in [0.4, 2.0, -2.9] {
            let yr = net.forward(&rotate(&x, phi), &cond, 1).unwrap().to_vec();
            for (a, b) in yr.iter().zip(rotate(&y, phi)) {
                assert!((a - b).abs() < 1e-12, "rotation {phi}: {a} vs {b}");
            }
        }
        let roll = |v: &[f64]| -> Vec<f64> {
            let mut out = v.to_vec();
            for (o, plane) in out.chunks_mut(n).zip(v.chunks(n)) {
                for i in 0..n {
                    o[(i + side) % n] = plane[i];
                }
            }
            out
        };
        let ys = net.forward(&roll(&x), &cond, 1).unwrap().to_vec();
        for (a, b) in ys.iter().zip(roll(&y)) {
            assert!((a - b).abs() < 1e-12);
        }
        // A real network of the same sizes does not commute with rotations.
        let mut real = perturbed(
            DilatedShape {
                planar: false,
                ..planar_shape(side)
            },
            3,
        );
        let y = real.forward(&x, &cond, 1).unwrap().to_vec();
        let yr = real.forward(&rotate(&x, 0.4), &cond, 1).unwrap().to_vec();
        assert!(
            yr.iter()
                .zip(rotate(&y, 0.4))
                .any(|(a, b)| (a - b).abs() > 1e-4)
        );
        // Odd channel counts are refused.
        let odd = DilatedShape {
            channels: 3,
            ..planar_shape(side)
        };
        assert!(DilatedResNet::<f64>::new(odd, &mut from_seed(0)).is_err());
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
