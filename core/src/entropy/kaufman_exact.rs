use super::{EntropyError, EntropyEstimator};
use crate::estimate::{Estimate, Unit};
use crate::lattice::{Ising, Temperature, kaufman};

/// The exact Gibbs entropy of a zero-field Ising model on a finite periodic lattice of any size
/// (whole lattice, nats), from Kaufman's partition function ([`kaufman::exact`]): the thesis'
/// Ising ground truth, with zero error.
///
/// # Examples
/// ```
/// use entropic::prelude::*;
/// use entropic::entropy::{ExactEnumeration, KaufmanExact};
/// use entropic::lattice::{Ising, Square, Temperature};
/// let model = Ising::new(Square::with_side(4)?, 1.0, 0.0)?;
/// let t = Temperature::new(2.5)?;
/// let (a, b) = (KaufmanExact::new(t).estimate(&model)?, ExactEnumeration::new(t).estimate(&model)?);
/// assert!((a.value - b.value).abs() < 1e-9);
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KaufmanExact {
    temperature: Temperature,
}

impl KaufmanExact {
    /// The estimator at temperature `t`.
    pub fn new(t: Temperature) -> Self {
        Self { temperature: t }
    }
}

impl EntropyEstimator<Ising> for KaufmanExact {
    fn estimate(&self, model: &Ising) -> Result<Estimate, EntropyError> {
        let thermo = kaufman::exact(model, self.temperature)?;
        Ok(Estimate::exact(
            thermo.entropy_per_spin * model.lattice().sites() as f64,
            Unit::Nats,
        ))
    }
}
