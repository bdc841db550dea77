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
    /// Samples with a wrong shape or NaN / infinite values.
    Samples(&'static str),
    /// Fewer samples than the estimator needs.
    TooFewSamples {
        /// Samples given.
        len: usize,
        /// Samples needed.
        min: usize,
    },
    /// Data the estimator cannot handle (duplicate points for nearest neighbours, a singular
    /// covariance).
    Degenerate(&'static str),
    /// An out-of-range estimator setting.
    Parameter(&'static str),
    /// The estimate was stopped by the caller (Ctrl-C, a front end's cancellation).
    Cancelled,
    /// The score or denoiser model an estimator evaluates failed.
    Model(crate::diffusion::DiffusionError),
}

impl fmt::Display for EntropyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Lattice(e) => write!(f, "{e}"),
            Self::InvalidCurve(why) => write!(f, "invalid energy curve: {why}"),
            Self::Samples(why) => write!(f, "samples: {why}"),
            Self::TooFewSamples { len, min } => {
                write!(f, "{len} samples given; the estimator needs at least {min}")
            }
            Self::Degenerate(why) => write!(f, "degenerate data: {why}"),
            Self::Parameter(why) => write!(f, "invalid setting: {why}"),
            Self::Cancelled => write!(f, "cancelled"),
            Self::Model(e) => write!(f, "{e}"),
        }
    }
}

impl core::error::Error for EntropyError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Lattice(e) => Some(e),
            Self::Model(e) => Some(e),
            _ => None,
        }
    }
}

impl From<crate::diffusion::DiffusionError> for EntropyError {
    fn from(e: crate::diffusion::DiffusionError) -> Self {
        Self::Model(e)
    }
}

impl From<LatticeError> for EntropyError {
    fn from(e: LatticeError) -> Self {
        Self::Lattice(e)
    }
}

impl From<crate::samples::SamplesError> for EntropyError {
    fn from(e: crate::samples::SamplesError) -> Self {
        match e {
            crate::samples::SamplesError::Invalid(why) => Self::Samples(why),
            crate::samples::SamplesError::TooFew { len, min } => Self::TooFewSamples { len, min },
        }
    }
}
