use core::fmt;

/// Errors from Min-MaxEnt models and their training.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum MaxEntError {
    /// Data or walkers whose length is not a multiple of the dimension, or empty data.
    Shape(&'static str),
    /// A NaN or infinite value.
    NotFinite(&'static str),
    /// An out-of-range training setting.
    Parameter(&'static str),
    /// An observable with zero variance on the data (χ² would divide by zero).
    ConstantObservable(usize),
    /// χ² grew past the run's limit (the value is attached).
    Diverged(f64),
    /// A checkpoint that cannot be read or is inconsistent.
    Checkpoint(&'static str),
}

impl fmt::Display for MaxEntError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Shape(why) => write!(f, "shape: {why}"),
            Self::NotFinite(what) => write!(f, "{what} is NaN or infinite"),
            Self::Parameter(why) => write!(f, "invalid setting: {why}"),
            Self::ConstantObservable(i) => write!(f, "observable {i} is constant on the data"),
            Self::Diverged(chi2) => write!(
                f,
                "χ² = {chi2:.3e} exceeded the limit: the run diverged (lower the learning rates)"
            ),
            Self::Checkpoint(why) => write!(f, "checkpoint: {why}"),
        }
    }
}

impl core::error::Error for MaxEntError {}
