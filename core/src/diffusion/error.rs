use core::fmt;

/// Errors from diffusion processes and scores.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum DiffusionError {
    /// An out-of-range schedule or time.
    Parameter(&'static str),
    /// Training was stopped by the caller (Ctrl-C, a front end's cancellation).
    Cancelled,
    /// A covariance that is not symmetric positive definite, or a dimension mismatch.
    Shape(&'static str),
    /// A saved model that cannot be read (truncated, wrong format or version, inconsistent).
    Malformed(&'static str),
    /// A NaN or infinite value during training.
    NotFinite(&'static str),
    /// A temperature a conditional model was not trained for.
    Temperature {
        /// The temperature asked for.
        value: f64,
        /// The lowest and highest training temperatures.
        range: (f64, f64),
    },
}

impl fmt::Display for DiffusionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Parameter(why) => write!(f, "invalid setting: {why}"),
            Self::Cancelled => write!(f, "cancelled"),
            Self::Shape(why) => write!(f, "shape: {why}"),
            Self::Malformed(why) => write!(f, "saved score model: {why}"),
            Self::NotFinite(what) => write!(f, "{what} is NaN or infinite"),
            Self::Temperature { value, range } => write!(
                f,
                "temperature {value} is outside the model's training temperatures [{}, {}]",
                range.0, range.1
            ),
        }
    }
}

impl core::error::Error for DiffusionError {}
