use core::fmt;

/// Errors from building, running, saving and loading networks.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum NnError {
    /// Layer sizes that cannot be built or do not chain.
    Shape(&'static str),
    /// Input whose length is not batch × width.
    InputLength {
        /// Values expected.
        expected: usize,
        /// Values given.
        got: usize,
    },
    /// A NaN or infinite value where finite numbers are required.
    NotFinite(&'static str),
    /// An out-of-range hyperparameter.
    Parameter(&'static str),
}

impl fmt::Display for NnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Shape(why) => write!(f, "network shape: {why}"),
            Self::InputLength { expected, got } => {
                write!(f, "input has {got} values, expected {expected}")
            }
            Self::NotFinite(what) => write!(f, "{what} contains NaN or infinity"),
            Self::Parameter(why) => write!(f, "invalid parameter: {why}"),
        }
    }
}

impl core::error::Error for NnError {}
