use super::{MaxEnt, MaxEntError, Observables};
use alloc::vec::Vec;

/// A batched energy H(x) of walker positions, and its input gradient ∇ₓH when it has one:
/// what [`Walkers`](super::Walkers) sample, P(x) ∝ e^{−H(x)}.
///
/// Random-walk moves need only [`Energy::energies`]; gradient moves
/// ([`Moves::Hamiltonian`](super::Moves::Hamiltonian)) also call [`Energy::gradients`], and fall
/// back to single-coordinate random-walk moves for an energy without a gradient.
///
/// # Examples
/// An energy of one's own: the harmonic well H(x) = x²/2s² in one dimension, sampled by 2 000
/// independent random-walk walkers; their final ⟨x²⟩ is s² within its error bar s²·√(2/n).
/// ```
/// use entropic::maxent::{Energy, MaxEntError, Walkers};
/// use entropic::rng::from_seed;
///
/// struct Well { s: f64 }
/// impl Energy for Well {
///     fn energies(&mut self, x: &[f64], batch: usize, out: &mut Vec<f64>) -> Result<(), MaxEntError> {
///         if x.len() != batch {
///             return Err(MaxEntError::Shape("one coordinate per position"));
///         }
///         out.clear();
///         out.extend(x.iter().map(|v| v * v / (2.0 * self.s * self.s)));
///         Ok(())
///     }
///     fn gradients(&mut self, x: &[f64], batch: usize, out: &mut Vec<f64>) -> Result<bool, MaxEntError> {
///         if x.len() != batch {
///             return Err(MaxEntError::Shape("one coordinate per position"));
///         }
///         out.clear();
///         out.extend(x.iter().map(|v| v / (self.s * self.s)));
///         Ok(true)
///     }
/// }
///
/// let (n, s) = (2_000, 1.5);
/// let mut walkers = Walkers::new(1, vec![0.0; n], 1.5, None)?;
/// let (mut well, mut rng) = (Well { s }, from_seed(4));
/// for _ in 0..200 {
///     walkers.sweep(&mut well, &mut rng)?;
/// }
/// let second = walkers.positions().iter().map(|x| x * x).sum::<f64>() / n as f64;
/// let error = s * s * libm::sqrt(2.0 / n as f64);
/// assert!((second - s * s).abs() < 4.0 * error, "{second} vs {}", s * s);
/// # Ok::<(), MaxEntError>(())
/// ```
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

    /// [`energies`](Self::energies) into `h` and [`gradients`](Self::gradients) into `grad` at
    /// the same positions, bit for bit as the two calls give them (what HMC needs at both ends
    /// of a trajectory); an implementation may share their work. The default makes the two
    /// calls.
    ///
    /// # Errors
    /// As [`energies`](Self::energies).
    fn energies_and_gradients(
        &mut self,
        x: &[f64],
        batch: usize,
        (h, grad): (&mut Vec<f64>, &mut Vec<f64>),
    ) -> Result<bool, MaxEntError> {
        self.energies(x, batch, h)?;
        self.gradients(x, batch, grad)
    }
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

    /// One pass of the observables for both ([`Observables::eval_and_input_grad`]).
    fn energies_and_gradients(
        &mut self,
        x: &[f64],
        batch: usize,
        (h, grad): (&mut Vec<f64>, &mut Vec<f64>),
    ) -> Result<bool, MaxEntError> {
        self.energy_and_gradient(x, batch, (h, grad))?;
        Ok(true)
    }
}
