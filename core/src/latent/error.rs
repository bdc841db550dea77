use core::fmt;

/// Errors from latent-cycle models, their data and their training.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum LatentError {
    /// Data that is not 0/1.
    NotBinary {
        /// Flat index of the first offending value.
        index: usize,
    },
    /// Empty data, or a length that is not a multiple of the dimension.
    Shape(&'static str),
    /// Data of dimension `found` given to a model of dimension `expected`.
    Dimension {
        /// The model's D.
        expected: usize,
        /// The data's D.
        found: usize,
    },
    /// An out-of-range setting (L < 2, T < 1, zero batch, …).
    Parameter(&'static str),
    /// A parameter or gradient became NaN or infinite.
    NotFinite(&'static str),
    /// The operation needs a model whose x→z weights are the transpose of its z→x weights.
    NotTied,
    /// A checkpoint that cannot be read (truncated, wrong format or version, inconsistent).
    Checkpoint(&'static str),
}

impl fmt::Display for LatentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotBinary { index } => write!(f, "data value {index} is not 0 or 1"),
            Self::Shape(why) => write!(f, "shape: {why}"),
            Self::Dimension { expected, found } => write!(
                f,
                "data has {found} visible units but the model has {expected}"
            ),
            Self::Parameter(why) => write!(f, "invalid setting: {why}"),
            Self::NotFinite(what) => write!(f, "{what} became NaN or infinite"),
            Self::NotTied => write!(f, "the model's x→z weights are not the transpose of w"),
            Self::Checkpoint(why) => write!(f, "checkpoint: {why}"),
        }
    }
}

impl core::error::Error for LatentError {}
