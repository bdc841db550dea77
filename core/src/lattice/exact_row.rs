//! One row of the exact zero-field Ising references: the finite lattice (Kaufman) beside the
//! infinite one (Onsager), what `entropic lattice exact` prints and `entropic.lattice.exact`
//! returns.
use super::{Ising, LatticeError, Temperature, kaufman, onsager};
use alloc::vec::Vec;

/// The exact thermodynamics at one temperature.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExactRow {
    /// The temperature.
    pub temperature: Temperature,
    /// The finite periodic lattice ([`kaufman::exact`]).
    pub finite: kaufman::FiniteThermo,
    /// Onsager's energy per spin of the infinite lattice at the model's coupling.
    pub onsager_energy: f64,
    /// Onsager's entropy per spin of the infinite lattice, in nats.
    pub onsager_entropy: f64,
}

impl ExactRow {
    /// The rows of `model` (h = 0) at every temperature of `temps`, in order.
    ///
    /// # Errors
    /// As [`kaufman::exact`] and [`onsager::energy_per_spin`], for the first temperature that
    /// fails.
    ///
    /// # Examples
    /// ```
    /// use entropic::lattice::{ExactRow, Ising, Square, Temperature};
    /// let model = Ising::new(Square::with_side(64)?, 1.0, 0.0)?;
    /// let rows = ExactRow::table(&model, &[Temperature::new(1.0)?, Temperature::new(4.0)?])?;
    /// assert!(rows[0].finite.energy_per_spin < rows[1].finite.energy_per_spin);
    /// assert!((rows[0].finite.energy_per_spin - rows[0].onsager_energy).abs() < 1e-6);
    /// # Ok::<(), entropic::lattice::LatticeError>(())
    /// ```
    pub fn table(model: &Ising, temps: &[Temperature]) -> Result<Vec<Self>, LatticeError> {
        temps
            .iter()
            .map(|&t| {
                Ok(Self {
                    temperature: t,
                    finite: kaufman::exact(model, t)?,
                    onsager_energy: onsager::energy_per_spin(model.coupling(), t)?,
                    onsager_entropy: onsager::entropy_per_spin(model.coupling(), t)?,
                })
            })
            .collect()
    }
}
