//! An estimate carries its uncertainty and its unit; never a bare `f64`.
use core::fmt;

/// Information unit of an entropy or mutual-information estimate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Unit {
    /// Natural units (logarithm base e). The default everywhere.
    Nats,
    /// Binary units (logarithm base 2).
    Bits,
}

impl Unit {
    /// How many of `self` make one nat.
    fn per_nat(self) -> f64 {
        match self {
            Unit::Nats => 1.0,
            Unit::Bits => core::f64::consts::LOG2_E,
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unit::Nats => "nats",
            Unit::Bits => "bits",
        })
    }
}

/// An entropy (or mutual information) with its standard error, unit and sample count.
///
/// Exact references have `std_error == 0`. What the value is an entropy *of* (a whole
/// configuration, or per site) is stated by the estimator that produced it.
///
/// # Examples
/// ```
/// use entropic::estimate::{Estimate, Unit};
/// let s = Estimate::exact(core::f64::consts::LN_2, Unit::Nats).to_unit(Unit::Bits);
/// assert!((s.value - 1.0).abs() < 1e-15);
/// assert_eq!(format!("{}", Estimate::new(1.0, 0.25, Unit::Nats, 100)), "1 ± 0.25 nats (n = 100)");
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Estimate {
    /// Point estimate.
    pub value: f64,
    /// One standard error (0 for exact values).
    pub std_error: f64,
    /// Unit of `value` and `std_error`.
    pub unit: Unit,
    /// Number of samples the estimate used (0 for exact values).
    pub samples: usize,
}

impl Estimate {
    /// An estimate from `samples` samples.
    pub fn new(value: f64, std_error: f64, unit: Unit, samples: usize) -> Self {
        Self {
            value,
            std_error,
            unit,
            samples,
        }
    }

    /// An exact value: zero error, zero samples.
    pub fn exact(value: f64, unit: Unit) -> Self {
        Self::new(value, 0.0, unit, 0)
    }

    /// The same estimate in another unit.
    pub fn to_unit(self, unit: Unit) -> Self {
        let k = unit.per_nat() / self.unit.per_nat();
        Self {
            value: self.value * k,
            std_error: self.std_error * k,
            unit,
            ..self
        }
    }
}

impl fmt::Display for Estimate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ± {} {} (n = {})",
            self.value, self.std_error, self.unit, self.samples
        )
    }
}
