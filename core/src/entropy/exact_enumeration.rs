use super::{EntropyError, EntropyEstimator};
use crate::estimate::{Estimate, Unit};
use crate::lattice::{Ising, Temperature, enumeration};

/// The exact Gibbs entropy S = ln Z + β⟨E⟩ of a small Ising model (whole lattice, in nats), by
/// enumerating all 2^N states ([`enumeration::exact`]). The oracle other estimators are tested
/// against; the returned estimate has zero error.
///
/// # Examples
/// ```
/// use entropic::prelude::*;
/// use entropic::entropy::ExactEnumeration;
/// use entropic::lattice::{Ising, Square, Temperature};
/// let model = Ising::new(Square::with_side(4)?, 1.0, 0.0)?;
/// let s = ExactEnumeration::new(Temperature::new(2.0)?).estimate(&model)?;
/// assert!(s.value > 0.0 && s.value < 16.0 * core::f64::consts::LN_2);
/// assert_eq!(s.std_error, 0.0);
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExactEnumeration {
    temperature: Temperature,
}

impl ExactEnumeration {
    /// The estimator at temperature `t`.
    pub fn new(t: Temperature) -> Self {
        Self { temperature: t }
    }
}

impl EntropyEstimator<Ising> for ExactEnumeration {
    fn estimate(&self, model: &Ising) -> Result<Estimate, EntropyError> {
        let thermo = enumeration::exact(model, self.temperature)?;
        let sites = model.lattice().sites() as f64;
        Ok(Estimate::exact(thermo.entropy_per_spin * sites, Unit::Nats))
    }
}
