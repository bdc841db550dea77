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
    /// A saved network that ends early.
    Truncated,
    /// A saved network that is not valid JSON of the expected structure.
    Malformed(alloc::string::String),
    /// A saved file that is not an entropic network.
    WrongFormat,
    /// A saved network of a format version this build cannot read.
    UnsupportedVersion(u32),
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
            Self::Truncated => write!(f, "saved network is truncated"),
            Self::Malformed(why) => write!(f, "saved network is malformed: {why}"),
            Self::WrongFormat => write!(f, "not an entropic network file"),
            Self::UnsupportedVersion(v) => write!(
                f,
                "network format version {v} is not supported (this build reads version 1)"
            ),
        }
    }
}

impl core::error::Error for NnError {}
