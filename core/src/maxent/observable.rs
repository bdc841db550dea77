use super::MaxEntError;
use crate::nn::{Network, NnError};
use alloc::vec::Vec;

/// Observables f(x; θ) ∈ R^m of a Min-MaxEnt model (paper Eq. 4), with the parameter gradient
/// the entropy step needs (Eq. 8–10).
///
/// # Examples
/// Observables of one's own, without parameters: f(x) = (x, x²) in one dimension. With
/// λ = (0, 1/2s²) the MaxEnt model e^{−λ·f} is N(0, s²), and 2 000 independent walkers reach
/// ⟨x²⟩ = s² within its error bar s²·√(2/n).
/// ```
/// use entropic::maxent::{MaxEnt, MaxEntError, Observables, Walkers};
/// use entropic::rng::from_seed;
///
/// struct FirstTwoMoments;
/// impl Observables for FirstTwoMoments {
///     fn dim(&self) -> usize { 1 }
///     fn count(&self) -> usize { 2 }
///     fn eval(&mut self, x: &[f64], batch: usize, out: &mut Vec<f64>) -> Result<(), MaxEntError> {
///         if x.len() != batch {
///             return Err(MaxEntError::Shape("one coordinate per configuration"));
///         }
///         out.clear();
///         out.extend(x.iter().flat_map(|&v| [v, v * v]));
///         Ok(())
///     }
///     fn accumulate_grad(&mut self, _x: &[f64], _batch: usize, _w: &[f64]) -> Result<(), MaxEntError> {
///         Ok(()) // no parameters θ
///     }
///     fn input_grad(&mut self, x: &[f64], batch: usize, w: &[f64], out: &mut Vec<f64>) -> Result<(), MaxEntError> {
///         if x.len() != batch || w.len() != 2 * batch {
///             return Err(MaxEntError::Shape("one coordinate and two weights per configuration"));
///         }
///         out.clear();
///         out.extend(x.iter().zip(w.chunks_exact(2)).map(|(&v, w)| w[0] + 2.0 * w[1] * v));
///         Ok(())
///     }
///     fn zero_grad(&mut self) {}
///     fn params_and_grads(&mut self) -> Vec<(&mut [f64], &mut [f64])> { Vec::new() }
///     fn check(&self) -> Result<(), MaxEntError> { Ok(()) }
/// }
///
/// let (n, s) = (2_000, 0.7);
/// let mut model = MaxEnt::new(FirstTwoMoments, vec![0.0, 1.0 / (2.0 * s * s)])?;
/// let (mut walkers, mut rng) = (Walkers::new(1, vec![0.0; n], 0.7, None)?, from_seed(6));
/// for _ in 0..200 {
///     walkers.sweep(&mut model, &mut rng)?;
/// }
/// let second = walkers.positions().iter().map(|x| x * x).sum::<f64>() / n as f64;
/// assert!((second - s * s).abs() < 4.0 * s * s * libm::sqrt(2.0 / n as f64), "{second}");
/// # Ok::<(), MaxEntError>(())
/// ```
pub trait Observables {
    /// Dimension d of a configuration x.
    fn dim(&self) -> usize;
    /// Number m of observables.
    fn count(&self) -> usize;
    /// f for `batch` configurations (row-major, d each) into `out` (batch × m).
    ///
    /// # Errors
    /// [`MaxEntError::Shape`] if `x` is not `batch` configurations of dimension d.
    fn eval(&mut self, x: &[f64], batch: usize, out: &mut Vec<f64>) -> Result<(), MaxEntError>;
    /// Accumulate ∂/∂θ Σ_b Σ_i w[b, i] f_i(x_b; θ) into the parameter gradients.
    ///
    /// # Errors
    /// [`MaxEntError::Shape`] if `x` or `w` do not match `batch` and the model's shapes.
    fn accumulate_grad(&mut self, x: &[f64], batch: usize, w: &[f64]) -> Result<(), MaxEntError>;
    /// The input gradient ∂/∂x_b Σ_i w[b, i] f_i(x_b; θ) of every configuration into `out`
    /// (batch × d), leaving the parameter gradients as they were (gradient-based samplers).
    ///
    /// # Errors
    /// [`MaxEntError::Shape`] if `x` or `w` do not match `batch` and the model's shapes.
    fn input_grad(
        &mut self,
        x: &[f64],
        batch: usize,
        w: &[f64],
        out: &mut Vec<f64>,
    ) -> Result<(), MaxEntError>;
    /// [`eval`](Self::eval) into `f` and [`input_grad`](Self::input_grad) into `grad` at the
    /// same configurations, bit for bit as the two calls give them; an implementation may
    /// share their work (a network's forward pass). The default makes the two calls.
    ///
    /// # Errors
    /// As [`input_grad`](Self::input_grad).
    fn eval_and_input_grad(
        &mut self,
        x: &[f64],
        batch: usize,
        w: &[f64],
        (f, grad): (&mut Vec<f64>, &mut Vec<f64>),
    ) -> Result<(), MaxEntError> {
        self.eval(x, batch, f)?;
        self.input_grad(x, batch, w, grad)
    }
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

/// Check that `x` holds `batch` configurations of dimension `dim` and, when given, `w` holds
/// `batch` rows of `count` weights: what every [`Observables`] batch method is handed.
///
/// # Errors
/// [`MaxEntError::Shape`] otherwise.
pub(crate) fn check_batch(
    x: &[f64],
    batch: usize,
    dim: usize,
    w: Option<(&[f64], usize)>,
) -> Result<(), MaxEntError> {
    let rows_ok = batch.checked_mul(dim) == Some(x.len());
    let weights_ok = w.is_none_or(|(w, count)| batch.checked_mul(count) == Some(w.len()));
    if rows_ok && weights_ok {
        Ok(())
    } else {
        Err(MaxEntError::Shape(
            "the configuration batch or the weights do not match the observables",
        ))
    }
}

/// The network refused a batch: its shape does not match the network's inputs or outputs.
fn batch_mismatch(_: NnError) -> MaxEntError {
    MaxEntError::Shape("the configuration batch or the weights do not match the network")
}

/// Any network is a set of observables: its outputs (the paper's MLP and CNN observables).
impl Observables for Network<f64> {
    fn dim(&self) -> usize {
        self.inputs()
    }

    fn count(&self) -> usize {
        self.outputs()
    }

    fn eval(&mut self, x: &[f64], batch: usize, out: &mut Vec<f64>) -> Result<(), MaxEntError> {
        out.clear();
        out.extend_from_slice(self.forward(x, batch).map_err(batch_mismatch)?);
        Ok(())
    }

    fn accumulate_grad(&mut self, x: &[f64], batch: usize, w: &[f64]) -> Result<(), MaxEntError> {
        self.forward(x, batch).map_err(batch_mismatch)?;
        self.backward(w).map_err(batch_mismatch)?;
        Ok(())
    }

    /// Back-propagates `w` to the input ([`Network::input_gradient`]: the parameter gradients
    /// are neither computed nor touched).
    fn input_grad(
        &mut self,
        x: &[f64],
        batch: usize,
        w: &[f64],
        out: &mut Vec<f64>,
    ) -> Result<(), MaxEntError> {
        out.clear();
        self.forward(x, batch).map_err(batch_mismatch)?;
        out.extend_from_slice(self.input_gradient(w).map_err(batch_mismatch)?);
        Ok(())
    }

    /// One forward pass for both.
    fn eval_and_input_grad(
        &mut self,
        x: &[f64],
        batch: usize,
        w: &[f64],
        (f, grad): (&mut Vec<f64>, &mut Vec<f64>),
    ) -> Result<(), MaxEntError> {
        f.clear();
        grad.clear();
        f.extend_from_slice(self.forward(x, batch).map_err(batch_mismatch)?);
        grad.extend_from_slice(self.input_gradient(w).map_err(batch_mismatch)?);
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maxent::{Energy, MaxEnt, Moments, RotatedVariances, Walkers};
    use crate::nn::ActivationKind;
    use crate::rng::from_seed;
    use alloc::boxed::Box;
    use alloc::vec;

    /// A batch that does not match the observables is a typed error from every batch method
    /// of every implementation (no panic), and it reaches a sampler's caller.
    #[test]
    fn mismatched_batches_are_errors() {
        let net = Network::<f64>::mlp(&[2, 4, 3], ActivationKind::Tanh, &mut from_seed(1)).unwrap();
        let mut all: [Box<dyn Observables>; 3] = [
            Box::new(net),
            Box::new(Moments::new(2, 2).unwrap()),
            Box::new(RotatedVariances::new(2, &[0.3])),
        ];
        let mut out = Vec::new();
        for o in &mut all {
            let m = o.count();
            assert!(o.eval(&[0.1, 0.2], 1, &mut out).is_ok());
            let short = [0.1, 0.2, 0.3];
            assert!(matches!(
                o.eval(&short, 2, &mut out),
                Err(MaxEntError::Shape(_))
            ));
            let w = vec![1.0; m];
            assert!(o.accumulate_grad(&short, 2, &w).is_err());
            assert!(o.input_grad(&[0.1, 0.2], 1, &w[..m - 1], &mut out).is_err());
            assert!(o.input_grad(&[0.1, 0.2], 1, &w, &mut out).is_ok());
        }
        // A 3-dimensional model sampled by 2-dimensional walkers: the sweep says so.
        let mut model = MaxEnt::new(Moments::new(3, 1).unwrap(), vec![0.0; 3]).unwrap();
        let mut walkers = Walkers::new(2, vec![0.0; 8], 0.5, None).unwrap();
        assert!(model.energies(&[0.0; 6], 2, &mut out).is_ok());
        assert!(walkers.sweep(&mut model, &mut from_seed(2)).is_err());
    }
}
