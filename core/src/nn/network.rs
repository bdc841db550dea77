use super::{Activation, ActivationKind, AvgPool2d, Conv2d, Dense, NnError, Scalar, Upsample2d};
use alloc::vec::Vec;

/// One layer of a [`Network`].
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(bound(
        serialize = "T: serde::Serialize",
        deserialize = "T: serde::Deserialize<'de>"
    ))
)]
pub enum Layer<T> {
    /// Fully connected.
    Dense(Dense<T>),
    /// 2D convolution (C×H×W per sample).
    Conv2d(Conv2d<T>),
    /// Element-wise nonlinearity.
    Activation(Activation<T>),
    /// Average pooling by an integer factor (C×H×W → C×H/f×W/f).
    AvgPool2d(AvgPool2d),
    /// Nearest-neighbour up-sampling by an integer factor (C×H/f×W/f → C×H×W).
    Upsample2d(Upsample2d),
}

impl<T: Scalar> Layer<T> {
    fn inputs(&self) -> usize {
        match self {
            Self::Dense(l) => l.inputs(),
            Self::Conv2d(l) => l.inputs(),
            Self::Activation(l) => l.width(),
            Self::AvgPool2d(l) => l.inputs(),
            Self::Upsample2d(l) => l.inputs(),
        }
    }

    fn outputs(&self) -> usize {
        match self {
            Self::Dense(l) => l.outputs(),
            Self::Conv2d(l) => l.outputs(),
            Self::Activation(l) => l.width(),
            Self::AvgPool2d(l) => l.outputs(),
            Self::Upsample2d(l) => l.outputs(),
        }
    }

    fn params(&self) -> &[T] {
        match self {
            Self::Dense(l) => l.params(),
            Self::Conv2d(l) => l.params(),
            Self::Activation(_) | Self::AvgPool2d(_) | Self::Upsample2d(_) => &[],
        }
    }

    /// The parameter count the layer's shape implies; `None` if it overflows.
    fn expected_params(&self) -> Option<usize> {
        match self {
            Self::Dense(l) => l.expected_params(),
            Self::Conv2d(l) => l.expected_params(),
            Self::Activation(_) | Self::AvgPool2d(_) | Self::Upsample2d(_) => Some(0),
        }
    }

    /// Whether the layer's own shape is consistent (a loaded file may say anything).
    fn shape_is_valid(&self) -> bool {
        match self {
            Self::Conv2d(l) => l.check_shape().is_ok(),
            Self::AvgPool2d(l) => l.blocks().is_valid(),
            Self::Upsample2d(l) => l.blocks().is_valid(),
            Self::Dense(_) | Self::Activation(_) => true,
        }
    }
}

/// A sequential network: layers applied in order to a batch of flat samples (a C×H×W image is
/// stored flat, so "flatten" between a convolution and a dense layer is the identity).
///
/// Every layer caches what its backward pass needs; [`Network::backward`] accumulates parameter
/// gradients (reset them with [`Network::zero_grad`]) and returns ∂L/∂input, so samplers can take
/// gradient moves on inputs and Min-MaxEnt can differentiate λ·f with respect to θ.
///
/// # Examples
/// ```
/// use entropic::nn::{ActivationKind, Network};
/// let mut rng = entropic::rng::from_seed(0);
/// let mut net = Network::<f64>::mlp(&[2, 8, 1], ActivationKind::Tanh, &mut rng)?;
/// let y = net.forward(&[0.5, -1.0, 0.0, 2.0], 2)?.to_vec();
/// assert_eq!(y.len(), 2);
/// let dx = net.backward(&[1.0, 1.0])?;
/// assert_eq!(dx.len(), 4);
/// # Ok::<(), entropic::nn::NnError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(bound(
        serialize = "T: serde::Serialize",
        deserialize = "T: serde::Deserialize<'de>"
    ))
)]
pub struct Network<T> {
    inputs: usize,
    layers: Vec<Layer<T>>,
    /// The input of the last forward pass; with `buffers`, what every layer's backward pass
    /// reads (layers keep no copies of their own).
    #[cfg_attr(feature = "serde", serde(skip))]
    input: Vec<T>,
    /// Activations of the last forward pass (buffers[k] is layer k's output).
    #[cfg_attr(feature = "serde", serde(skip))]
    buffers: Vec<Vec<T>>,
    #[cfg_attr(feature = "serde", serde(skip))]
    grad_buffers: [Vec<T>; 2],
    #[cfg_attr(feature = "serde", serde(skip))]
    batch: usize,
}

impl<T: Scalar> Network<T> {
    /// An empty network taking `inputs` values per sample.
    pub fn new(inputs: usize) -> Self {
        Self {
            inputs,
            layers: Vec::new(),
            input: Vec::new(),
            buffers: Vec::new(),
            grad_buffers: [Vec::new(), Vec::new()],
            batch: 0,
        }
    }

    /// A multilayer perceptron with `widths` = [in, hidden…, out] and `activation` after every
    /// layer but the last.
    ///
    /// # Errors
    /// [`NnError::Shape`] for fewer than two widths or a zero width.
    pub fn mlp<R: rand_core::Rng + ?Sized>(
        widths: &[usize],
        activation: ActivationKind,
        rng: &mut R,
    ) -> Result<Self, NnError> {
        if widths.len() < 2 {
            return Err(NnError::Shape("an MLP needs an input and an output width"));
        }
        let mut net = Self::new(widths[0]);
        for (k, pair) in widths.windows(2).enumerate() {
            net.push(Layer::Dense(Dense::new(pair[0], pair[1], rng)?))?;
            if k + 2 < widths.len() {
                net.push(Layer::Activation(Activation::new(activation, pair[1])))?;
            }
        }
        Ok(net)
    }

    /// Append a layer.
    ///
    /// # Errors
    /// [`NnError::Shape`] if its input width differs from the current output width.
    pub fn push(&mut self, layer: Layer<T>) -> Result<(), NnError> {
        if layer.inputs() != self.outputs() {
            return Err(NnError::Shape(
                "layer input width differs from the previous output width",
            ));
        }
        self.layers.push(layer);
        Ok(())
    }

    /// The same network taking `extra` more inputs per sample, appended after the present ones
    /// with zero weights in the first layer: it computes the same function of the old inputs
    /// (bit for bit) and ignores the new ones until training moves those weights.
    ///
    /// # Errors
    /// [`NnError::Shape`] unless the first layer is dense.
    pub fn with_extra_inputs(mut self, extra: usize) -> Result<Self, NnError> {
        match self.layers.first_mut() {
            Some(Layer::Dense(first)) => {
                first.add_inputs(extra);
                self.inputs += extra;
                Ok(self)
            }
            _ => Err(NnError::Shape(
                "only a network whose first layer is dense can take extra inputs",
            )),
        }
    }

    /// Values per input sample.
    pub fn inputs(&self) -> usize {
        self.inputs
    }

    /// Values per output sample.
    pub fn outputs(&self) -> usize {
        self.layers.last().map_or(self.inputs, Layer::outputs)
    }

    /// The layers.
    pub fn layers(&self) -> &[Layer<T>] {
        &self.layers
    }

    /// Total number of trainable parameters.
    pub fn parameter_count(&self) -> usize {
        self.layers.iter().map(|l| l.params().len()).sum()
    }

    /// Check that every layer has the parameter count its shape implies and that all parameters
    /// are finite (what a loader must verify).
    ///
    /// # Errors
    /// [`NnError::Shape`] or [`NnError::NotFinite`].
    pub fn validate(&self) -> Result<(), NnError> {
        let mut width = self.inputs;
        for layer in &self.layers {
            if !layer.shape_is_valid() {
                return Err(NnError::Shape("a layer's shape is inconsistent"));
            }
            if layer.inputs() != width {
                return Err(NnError::Shape("layer widths do not chain"));
            }
            if Some(layer.params().len()) != layer.expected_params() {
                return Err(NnError::Shape(
                    "parameter count does not match the layer shape",
                ));
            }
            if layer.params().iter().any(|p| !p.is_finite()) {
                return Err(NnError::NotFinite("parameters"));
            }
            width = layer.outputs();
        }
        Ok(())
    }

    /// Forward pass on `batch` samples (row-major, `inputs()` values each); returns the output
    /// (`batch × outputs()`).
    ///
    /// # Errors
    /// [`NnError::InputLength`] if `x.len() != batch · inputs()`.
    pub fn forward(&mut self, x: &[T], batch: usize) -> Result<&[T], NnError> {
        if x.len() != batch * self.inputs {
            return Err(NnError::InputLength {
                expected: batch * self.inputs,
                got: x.len(),
            });
        }
        self.batch = batch;
        if self.layers.is_empty() {
            self.buffers = alloc::vec![x.to_vec()];
            return Ok(&self.buffers[0]);
        }
        self.input.clear();
        self.input.extend_from_slice(x);
        self.buffers.resize_with(self.layers.len(), Vec::new);
        for k in 0..self.layers.len() {
            let (done, rest) = self.buffers.split_at_mut(k);
            let input: &[T] = if k == 0 { x } else { &done[k - 1] };
            let out = &mut rest[0];
            match &mut self.layers[k] {
                Layer::Dense(l) => l.forward(input, batch, out),
                Layer::Conv2d(l) => l.forward(input, batch, out),
                Layer::Activation(l) => l.forward(input, out),
                Layer::AvgPool2d(l) => l.forward(input, batch, out),
                Layer::Upsample2d(l) => l.forward(input, batch, out),
            }
        }
        Ok(&self.buffers[self.layers.len() - 1])
    }

    /// Backward pass for the last forward batch: accumulates parameter gradients and returns
    /// ∂L/∂input given `dy` = ∂L/∂output.
    ///
    /// # Errors
    /// [`NnError::InputLength`] if `dy` does not match the last forward output.
    pub fn backward(&mut self, dy: &[T]) -> Result<&[T], NnError> {
        self.propagate(dy, true)
    }

    /// ∂L/∂input for the last forward batch given `dy` = ∂L/∂output, leaving the parameter
    /// gradients as they are: [`Network::backward`] without the weight gradients, which cost
    /// about a forward pass each (what a gradient-based sampler needs of an energy network).
    /// The result is bit-identical to [`Network::backward`]'s.
    ///
    /// # Errors
    /// [`NnError::InputLength`] if `dy` does not match the last forward output.
    pub fn input_gradient(&mut self, dy: &[T]) -> Result<&[T], NnError> {
        self.propagate(dy, false)
    }

    /// The backward pass, with or without the parameter gradients.
    fn propagate(&mut self, dy: &[T], parameters: bool) -> Result<&[T], NnError> {
        let expected = self.batch * self.outputs();
        if dy.len() != expected || self.buffers.is_empty() {
            return Err(NnError::InputLength {
                expected,
                got: dy.len(),
            });
        }
        let batch = self.batch;
        let [a, b] = &mut self.grad_buffers;
        a.clear();
        a.extend_from_slice(dy);
        let (mut cur, mut next) = (a, b);
        for (k, layer) in self.layers.iter_mut().enumerate().rev() {
            let input: &[T] = if k == 0 {
                &self.input
            } else {
                &self.buffers[k - 1]
            };
            match layer {
                Layer::Dense(l) => {
                    if parameters {
                        l.parameter_gradient(input, cur, batch);
                    }
                    l.input_gradient(cur, batch, next);
                }
                Layer::Conv2d(l) => {
                    if parameters {
                        l.parameter_gradient(input, cur, batch);
                    }
                    l.input_gradient(cur, batch, next);
                }
                Layer::Activation(l) => l.backward(input, &self.buffers[k], cur, next),
                Layer::AvgPool2d(l) => l.backward(cur, batch, next),
                Layer::Upsample2d(l) => l.backward(cur, batch, next),
            }
            core::mem::swap(&mut cur, &mut next);
        }
        Ok(cur.as_slice())
    }

    /// Reset accumulated parameter gradients to zero.
    pub fn zero_grad(&mut self) {
        for (_, g) in self.params_and_grads() {
            g.iter_mut().for_each(|x| *x = T::zero());
        }
    }

    /// (parameters, gradients) of every trainable layer, in a fixed order (optimizers key their
    /// state on it).
    pub fn params_and_grads(&mut self) -> Vec<(&mut [T], &mut [T])> {
        self.layers
            .iter_mut()
            .filter_map(|l| match l {
                Layer::Dense(d) => Some(d.params_and_grads()),
                Layer::Conv2d(c) => Some(c.params_and_grads()),
                Layer::Activation(_) | Layer::AvgPool2d(_) | Layer::Upsample2d(_) => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::{AvgPool2d, Padding, Upsample2d};
    use crate::rng::{from_seed, uniform_f64};
    use crate::test_util::check_gradients;
    use proptest::prelude::*;

    fn values(n: usize, seed: u64) -> Vec<f64> {
        let mut rng = from_seed(seed);
        (0..n).map(|_| 2.0 * uniform_f64(&mut rng) - 1.0).collect()
    }

    fn smooth() -> impl Strategy<Value = ActivationKind> {
        prop_oneof![
            Just(ActivationKind::Tanh),
            Just(ActivationKind::Silu),
            Just(ActivationKind::Softplus),
            Just(ActivationKind::Sigmoid)
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        #[test]
        fn mlp_gradients(widths in proptest::collection::vec(1usize..7, 2..5), act in smooth(), batch in 1usize..4, seed in any::<u64>()) {
            let mut net = Network::<f64>::mlp(&widths, act, &mut from_seed(seed)).unwrap();
            let x = values(batch * widths[0], seed ^ 1);
            let r = values(batch * widths[widths.len() - 1], seed ^ 2);
            check_gradients(&mut net, &x, batch, &r);
        }

        #[test]
        fn conv_gradients(cin in 1usize..3, cout in 1usize..3, h in 3usize..6, w in 3usize..6, k in prop_oneof![Just(1usize), Just(3)], padding in prop_oneof![Just(Padding::Same), Just(Padding::Valid), Just(Padding::Periodic)], batch in 1usize..3, act in smooth(), seed in any::<u64>()) {
            let mut rng = from_seed(seed);
            let conv = Conv2d::new(cin, cout, h, w, k, padding, &mut rng).unwrap();
            let mut net = Network::<f64>::new(conv.inputs());
            let mid = conv.outputs();
            net.push(Layer::Conv2d(conv)).unwrap();
            net.push(Layer::Activation(Activation::new(act, mid))).unwrap();
            net.push(Layer::Dense(Dense::new(mid, 2, &mut rng).unwrap())).unwrap();
            let x = values(batch * net.inputs(), seed ^ 3);
            let r = values(batch * 2, seed ^ 4);
            check_gradients(&mut net, &x, batch, &r);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// A two-scale path: periodic conv → average pool → tanh → periodic conv on the coarse
        /// grid → nearest up-sampling → dense read-out.
        #[test]
        fn multiscale_gradients(cin in 1usize..3, mid in 1usize..3, coarse_h in 1usize..4, coarse_w in 1usize..4, f in 1usize..4, batch in 1usize..3, seed in any::<u64>()) {
            let (h, w) = (coarse_h * f, coarse_w * f);
            prop_assume!(h >= 3 && w >= 3);
            let mut rng = from_seed(seed);
            let k = if coarse_h >= 3 && coarse_w >= 3 { 3 } else { 1 };
            let mut net = Network::<f64>::new(cin * h * w);
            net.push(Layer::Conv2d(Conv2d::new(cin, mid, h, w, 3, Padding::Periodic, &mut rng).unwrap())).unwrap();
            net.push(Layer::AvgPool2d(AvgPool2d::new(mid, h, w, f).unwrap())).unwrap();
            let small = mid * coarse_h * coarse_w;
            net.push(Layer::Activation(Activation::new(ActivationKind::Tanh, small))).unwrap();
            net.push(Layer::Conv2d(Conv2d::new(mid, mid, coarse_h, coarse_w, k, Padding::Periodic, &mut rng).unwrap())).unwrap();
            net.push(Layer::Upsample2d(Upsample2d::new(mid, h, w, f).unwrap())).unwrap();
            net.push(Layer::Dense(Dense::new(mid * h * w, 2, &mut rng).unwrap())).unwrap();
            let x = values(batch * net.inputs(), seed ^ 5);
            let r = values(batch * 2, seed ^ 6);
            check_gradients(&mut net, &x, batch, &r);
        }
    }

    #[test]
    fn relu_gradients_away_from_the_kink() {
        let mut rng = from_seed(8);
        let mut net = Network::<f64>::mlp(&[3, 5, 2], ActivationKind::Relu, &mut rng).unwrap();
        // A fixed input whose pre-activations all lie far (≫ 1e-6) from the kink at 0; a kink
        // inside the finite-difference step would fail the check, not pass it silently.
        let x = values(6, 9);
        net.forward(&x, 2).unwrap();
        check_gradients(&mut net, &x, 2, &values(4, 10));
    }

    /// The digits architecture in miniature: conv → tanh → conv → tanh → dense.
    fn small_cnn() -> Network<f64> {
        let mut rng = from_seed(11);
        let c1 = Conv2d::new(1, 2, 8, 8, 3, Padding::Same, &mut rng).unwrap();
        let c2 = Conv2d::new(2, 2, 8, 8, 3, Padding::Valid, &mut rng).unwrap();
        let mut net = Network::<f64>::new(64);
        let (o1, o2) = (c1.outputs(), c2.outputs());
        net.push(Layer::Conv2d(c1)).unwrap();
        net.push(Layer::Activation(Activation::new(ActivationKind::Tanh, o1)))
            .unwrap();
        net.push(Layer::Conv2d(c2)).unwrap();
        net.push(Layer::Activation(Activation::new(ActivationKind::Tanh, o2)))
            .unwrap();
        net.push(Layer::Dense(Dense::new(o2, 4, &mut rng).unwrap()))
            .unwrap();
        net
    }

    #[test]
    fn two_conv_digits_cnn_gradients() {
        check_gradients(&mut small_cnn(), &values(128, 12), 2, &values(8, 13));
    }

    /// `input_gradient` gives `backward`'s ∂L/∂input to the bit and leaves the parameter
    /// gradients as they were.
    #[test]
    fn input_gradient_is_backward_without_the_parameters() {
        let grads = |net: &mut Network<f64>| -> Vec<Vec<f64>> {
            net.params_and_grads()
                .iter()
                .map(|(_, g)| g.to_vec())
                .collect()
        };
        let mut net = small_cnn();
        let (x, dy) = (values(128, 12), values(8, 13));
        net.forward(&x, 2).unwrap();
        let full = net.backward(&dy).unwrap().to_vec();
        let before = grads(&mut net);
        assert!(before.iter().flatten().any(|&g| g != 0.0));
        net.forward(&x, 2).unwrap();
        assert_eq!(net.input_gradient(&dy).unwrap(), full.as_slice());
        assert_eq!(grads(&mut net), before);
        assert!(net.input_gradient(&dy[1..]).is_err());
    }

    #[test]
    fn extra_inputs_keep_the_function_and_learn() {
        let mut rng = from_seed(5);
        let mut net = Network::<f64>::mlp(&[3, 4, 2], ActivationKind::Silu, &mut rng).unwrap();
        let x = values(6, 6);
        let y = net.forward(&x, 2).unwrap().to_vec();
        let mut wide = net.clone().with_extra_inputs(2).unwrap();
        assert_eq!(wide.inputs(), 5);
        assert_eq!(wide.parameter_count(), net.parameter_count() + 2 * 4);
        // The old inputs followed by arbitrary new ones: the same outputs, bit for bit.
        let extra = values(4, 7);
        let xw: Vec<f64> = x
            .chunks(3)
            .zip(extra.chunks(2))
            .flat_map(|(a, b)| a.iter().chain(b).copied())
            .collect();
        assert_eq!(wide.forward(&xw, 2).unwrap(), &y[..]);
        // The new weights get gradients (they can learn) and the gradients are right.
        check_gradients(&mut wide, &xw, 2, &values(4, 8));
        let (_, g) = wide.params_and_grads().swap_remove(0);
        assert!(
            g[..4 * 5]
                .chunks(5)
                .all(|row| row[3] != 0.0 && row[4] != 0.0)
        );
        let conv = Conv2d::<f64>::new(1, 1, 3, 3, 1, Padding::Same, &mut rng).unwrap();
        let mut convnet = Network::<f64>::new(9);
        convnet.push(Layer::Conv2d(conv)).unwrap();
        assert!(convnet.with_extra_inputs(1).is_err());
    }

    #[test]
    fn shape_errors() {
        let mut rng = from_seed(1);
        let mut net = Network::<f32>::mlp(&[4, 3], ActivationKind::Tanh, &mut rng).unwrap();
        assert_eq!(
            net.forward(&[0.0; 5], 1).unwrap_err(),
            NnError::InputLength {
                expected: 4,
                got: 5
            }
        );
        assert!(
            net.push(Layer::Dense(Dense::new(4, 2, &mut rng).unwrap()))
                .is_err()
        );
        assert!(net.backward(&[0.0; 3]).is_err(), "no forward pass yet");
        assert!(Network::<f32>::mlp(&[4], ActivationKind::Tanh, &mut rng).is_err());
        assert!(Conv2d::<f32>::new(1, 1, 4, 4, 2, Padding::Same, &mut rng).is_err());
        assert!(Conv2d::<f32>::new(1, 1, 2, 2, 3, Padding::Valid, &mut rng).is_err());
    }
}
