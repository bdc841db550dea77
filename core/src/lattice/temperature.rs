use super::LatticeError;

/// A validated temperature T > 0 (k_B = 1), with β = 1/T.
///
/// # Examples
/// ```
/// use entropic::lattice::Temperature;
/// assert_eq!(Temperature::new(2.0)?.beta(), 0.5);
/// assert!(Temperature::new(-1.0).is_err());
/// assert!(Temperature::new(f64::NAN).is_err());
/// # Ok::<(), entropic::lattice::LatticeError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Temperature(f64);

impl Temperature {
    /// # Errors
    /// [`LatticeError::Temperature`] unless `0 < t < ∞`.
    pub fn new(t: f64) -> Result<Self, LatticeError> {
        if t.is_finite() && t > 0.0 {
            Ok(Self(t))
        } else {
            Err(LatticeError::Temperature(t))
        }
    }

    /// The critical temperature of the square-lattice Ising model with coupling `j`,
    /// T_c = 2|J| / ln(1 + √2).
    ///
    /// # Errors
    /// [`LatticeError::Temperature`] if `j` is zero or not finite.
    pub fn ising_critical(j: f64) -> Result<Self, LatticeError> {
        Self::new(2.0 * j.abs() / libm::log(1.0 + core::f64::consts::SQRT_2))
    }

    /// T.
    pub fn value(self) -> f64 {
        self.0
    }

    /// β = 1/T.
    pub fn beta(self) -> f64 {
        1.0 / self.0
    }
}
