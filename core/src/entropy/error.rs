use crate::lattice::LatticeError;
use core::fmt;

/// Errors from entropy estimators.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum EntropyError {
    /// The model or its parameters were rejected.
    Lattice(LatticeError),
    /// An energy curve for thermodynamic integration that cannot be integrated.
    InvalidCurve(&'static str),
}

impl fmt::Display for EntropyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Lattice(e) => write!(f, "{e}"),
            Self::InvalidCurve(why) => write!(f, "invalid energy curve: {why}"),
        }
    }
}

impl core::error::Error for EntropyError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Lattice(e) => Some(e),
            Self::InvalidCurve(_) => None,
        }
    }
}

impl From<LatticeError> for EntropyError {
    fn from(e: LatticeError) -> Self {
        Self::Lattice(e)
    }
}
