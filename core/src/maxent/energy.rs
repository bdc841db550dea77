use super::{MaxEnt, Observables};
use alloc::vec::Vec;

/// A batched energy H(x) of walker positions, and its input gradient ∇ₓH when it has one:
/// what [`Walkers`](super::Walkers) sample, P(x) ∝ e^{−H(x)}.
///
/// Random-walk moves need only [`Energy::energies`]; gradient moves
/// ([`Moves::Hamiltonian`](super::Moves::Hamiltonian)) also call [`Energy::gradients`], and fall
/// back to single-coordinate random-walk moves for an energy without a gradient.
pub trait Energy {
    /// H of `batch` positions `x` (row-major) into `out` (cleared first).
    fn energies(&mut self, x: &[f64], batch: usize, out: &mut Vec<f64>);

    /// ∇ₓH of `batch` positions into `out` (batch × d, row-major, cleared first). Returns
    /// false, leaving `out` unspecified, if this energy has no gradient.
    fn gradients(&mut self, x: &[f64], batch: usize, out: &mut Vec<f64>) -> bool;
}

/// The model's energy H = λ·f (Eq. 19) and ∇ₓH = Σᵢ λᵢ ∇ₓfᵢ.
impl<O: Observables> Energy for MaxEnt<O> {
    fn energies(&mut self, x: &[f64], batch: usize, out: &mut Vec<f64>) {
        let mut f = Vec::new();
        self.energy(x, batch, &mut f, out);
    }

    fn gradients(&mut self, x: &[f64], batch: usize, out: &mut Vec<f64>) -> bool {
        self.energy_gradient(x, batch, out);
        true
    }
}
