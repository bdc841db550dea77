use super::{MaxEnt, MaxEntError, Observables};
use alloc::vec::Vec;

/// A batched energy H(x) of walker positions, and its input gradient ∇ₓH when it has one:
/// what [`Walkers`](super::Walkers) sample, P(x) ∝ e^{−H(x)}.
///
/// Random-walk moves need only [`Energy::energies`]; gradient moves
/// ([`Moves::Hamiltonian`](super::Moves::Hamiltonian)) also call [`Energy::gradients`], and fall
/// back to single-coordinate random-walk moves for an energy without a gradient.
pub trait Energy {
    /// H of `batch` positions `x` (row-major) into `out` (cleared first).
    ///
    /// # Errors
    /// [`MaxEntError::Shape`] if `x` is not `batch` positions of the energy's dimension.
    fn energies(&mut self, x: &[f64], batch: usize, out: &mut Vec<f64>) -> Result<(), MaxEntError>;

    /// ∇ₓH of `batch` positions into `out` (batch × d, row-major, cleared first). Returns
    /// `Ok(false)`, leaving `out` unspecified, if this energy has no gradient.
    ///
    /// # Errors
    /// As [`energies`](Self::energies).
    fn gradients(
        &mut self,
        x: &[f64],
        batch: usize,
        out: &mut Vec<f64>,
    ) -> Result<bool, MaxEntError>;
}

/// The model's energy H = λ·f (Eq. 19) and ∇ₓH = Σᵢ λᵢ ∇ₓfᵢ.
impl<O: Observables> Energy for MaxEnt<O> {
    fn energies(&mut self, x: &[f64], batch: usize, out: &mut Vec<f64>) -> Result<(), MaxEntError> {
        let mut f = Vec::new();
        self.energy(x, batch, &mut f, out)
    }

    fn gradients(
        &mut self,
        x: &[f64],
        batch: usize,
        out: &mut Vec<f64>,
    ) -> Result<bool, MaxEntError> {
        self.energy_gradient(x, batch, out)?;
        Ok(true)
    }
}
