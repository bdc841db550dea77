use super::MaxEntError;
use crate::nn::{Network, NnError};
use alloc::vec::Vec;

/// Observables f(x; θ) ∈ R^m of a Min-MaxEnt model (paper Eq. 4), with the parameter gradient
/// the entropy step needs (Eq. 8–10).
pub trait Observables {
    /// Dimension d of a configuration x.
    fn dim(&self) -> usize;
    /// Number m of observables.
    fn count(&self) -> usize;
    /// f for `batch` configurations (row-major, d each) into `out` (batch × m).
    fn eval(&mut self, x: &[f64], batch: usize, out: &mut Vec<f64>);
    /// Accumulate ∂/∂θ Σ_b Σ_i w[b, i] f_i(x_b; θ) into the parameter gradients.
    fn accumulate_grad(&mut self, x: &[f64], batch: usize, w: &[f64]);
    /// The input gradient ∂/∂x_b Σ_i w[b, i] f_i(x_b; θ) of every configuration into `out`
    /// (batch × d), leaving the parameter gradients as they were (gradient-based samplers).
    fn input_grad(&mut self, x: &[f64], batch: usize, w: &[f64], out: &mut Vec<f64>);
    /// Reset the parameter gradients.
    fn zero_grad(&mut self);
    /// (parameters, gradients) pairs for an optimiser.
    fn params_and_grads(&mut self) -> Vec<(&mut [f64], &mut [f64])>;
    /// Check that the parameters are finite and consistent with the shapes (for models read
    /// from files and after each training step).
    ///
    /// # Errors
    /// [`MaxEntError::NotFinite`] or [`MaxEntError::Shape`].
    fn check(&self) -> Result<(), MaxEntError>;
}

/// Any network is a set of observables: its outputs (the paper's MLP and CNN observables).
impl Observables for Network<f64> {
    fn dim(&self) -> usize {
        self.inputs()
    }

    fn count(&self) -> usize {
        self.outputs()
    }

    fn eval(&mut self, x: &[f64], batch: usize, out: &mut Vec<f64>) {
        out.clear();
        out.extend_from_slice(
            self.forward(x, batch)
                .expect("configuration batch matches the network width"),
        );
    }

    fn accumulate_grad(&mut self, x: &[f64], batch: usize, w: &[f64]) {
        self.forward(x, batch)
            .expect("configuration batch matches the network width");
        self.backward(w).expect("weights match the network output");
    }

    /// Back-propagates `w` to the input; the parameter gradients the backward pass adds are
    /// saved before and restored after.
    fn input_grad(&mut self, x: &[f64], batch: usize, w: &[f64], out: &mut Vec<f64>) {
        let saved: Vec<Vec<f64>> = self
            .params_and_grads()
            .iter()
            .map(|(_, g)| g.to_vec())
            .collect();
        self.forward(x, batch)
            .expect("configuration batch matches the network width");
        out.clear();
        out.extend_from_slice(self.backward(w).expect("weights match the network output"));
        for ((_, g), s) in self.params_and_grads().into_iter().zip(&saved) {
            g.copy_from_slice(s);
        }
    }

    fn zero_grad(&mut self) {
        Network::zero_grad(self);
    }

    fn params_and_grads(&mut self) -> Vec<(&mut [f64], &mut [f64])> {
        Network::params_and_grads(self)
    }

    fn check(&self) -> Result<(), MaxEntError> {
        self.validate().map_err(|e| match e {
            NnError::NotFinite(_) => MaxEntError::NotFinite("a network parameter"),
            _ => MaxEntError::Shape("network layers inconsistent with their shapes"),
        })
    }
}
