use super::{NnError, Scalar, init};
use alloc::vec;
use alloc::vec::Vec;
use rand_core::Rng;

/// A fully connected layer y = W x + b on a batch (row-major, one sample per row).
///
/// # Formula
/// Forward Y = X Wᵀ + 1 bᵀ (W is out×in). Backward: ∂L/∂W += (∂L/∂Y)ᵀ X, ∂L/∂b += Σ_rows ∂L/∂Y,
/// ∂L/∂X = (∂L/∂Y) W. Matrix products go through matrixmultiply's gemm.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(bound(
        serialize = "T: serde::Serialize",
        deserialize = "T: serde::Deserialize<'de>"
    ))
)]
pub struct Dense<T> {
    inputs: usize,
    outputs: usize,
    /// W (out×in row-major) followed by b (out).
    params: Vec<T>,
    #[cfg_attr(feature = "serde", serde(skip))]
    grads: Vec<T>,
}

impl<T: Scalar> Dense<T> {
    /// A layer with Glorot-uniform weights (limit √(6/(in+out))) and zero bias.
    ///
    /// # Errors
    /// [`NnError::Shape`] if a dimension is 0.
    pub fn new<R: Rng + ?Sized>(
        inputs: usize,
        outputs: usize,
        rng: &mut R,
    ) -> Result<Self, NnError> {
        if inputs == 0 || outputs == 0 {
            return Err(NnError::Shape(
                "a dense layer needs at least one input and one output",
            ));
        }
        let mut params = vec![T::zero(); outputs * inputs + outputs];
        init::glorot_uniform(&mut params[..outputs * inputs], inputs, outputs, rng);
        Ok(Self {
            inputs,
            outputs,
            grads: vec![T::zero(); params.len()],
            params,
        })
    }

    /// Take `extra` more inputs, appended after the present ones, with zero weights: the layer
    /// computes the same function of the old inputs and ignores the new ones until training
    /// moves their weights.
    pub(crate) fn add_inputs(&mut self, extra: usize) {
        let (i, o) = (self.inputs, self.outputs);
        let wider = i + extra;
        let mut params = vec![T::zero(); o * wider + o];
        for (new, old) in params
            .chunks_exact_mut(wider)
            .zip(self.params.chunks_exact(i))
        {
            new[..i].copy_from_slice(old);
        }
        params[o * wider..].copy_from_slice(&self.params[o * i..]);
        self.inputs = wider;
        self.grads = vec![T::zero(); params.len()];
        self.params = params;
    }

    /// Input width.
    pub fn inputs(&self) -> usize {
        self.inputs
    }

    /// Output width.
    pub fn outputs(&self) -> usize {
        self.outputs
    }

    pub(crate) fn params(&self) -> &[T] {
        &self.params
    }

    pub(crate) fn params_and_grads(&mut self) -> (&mut [T], &mut [T]) {
        if self.grads.len() != self.params.len() {
            self.grads = vec![T::zero(); self.params.len()];
        }
        (&mut self.params, &mut self.grads)
    }

    /// outputs × inputs + outputs, or `None` if that overflows (a loaded file may say
    /// anything).
    pub(crate) fn expected_params(&self) -> Option<usize> {
        self.outputs
            .checked_mul(self.inputs)?
            .checked_add(self.outputs)
    }

    pub(crate) fn forward(&mut self, x: &[T], batch: usize, y: &mut Vec<T>) {
        let (i, o) = (self.inputs, self.outputs);
        y.clear();
        y.resize(batch * o, T::zero());
        let (w, b) = self.params.split_at(o * i);
        for row in y.chunks_exact_mut(o) {
            row.copy_from_slice(b);
        }
        T::gemm(false, true, batch, o, i, T::one(), x, w, T::one(), y);
    }

    /// Accumulates ∂L/∂W = dyᵀ x and ∂L/∂b = Σ dy for the batch `x` with output gradient `dy`.
    pub(crate) fn parameter_gradient(&mut self, x: &[T], dy: &[T], batch: usize) {
        let (i, o) = (self.inputs, self.outputs);
        if self.grads.len() != self.params.len() {
            self.grads = vec![T::zero(); self.params.len()];
        }
        let (gw, gb) = self.grads.split_at_mut(o * i);
        T::gemm(true, false, o, i, batch, T::one(), dy, x, T::one(), gw);
        for row in dy.chunks_exact(o) {
            for (g, d) in gb.iter_mut().zip(row) {
                *g = *g + *d;
            }
        }
    }

    /// ∂L/∂x = dy W for the output gradient `dy`.
    pub(crate) fn input_gradient(&self, dy: &[T], batch: usize, dx: &mut Vec<T>) {
        let (i, o) = (self.inputs, self.outputs);
        dx.clear();
        dx.resize(batch * i, T::zero());
        T::gemm(
            false,
            false,
            batch,
            i,
            o,
            T::one(),
            dy,
            &self.params[..o * i],
            T::zero(),
            dx,
        );
    }
}
