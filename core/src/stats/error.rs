use core::fmt;

/// Errors from time-series statistics.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum StatsError {
    /// The series has fewer samples than the statistic needs.
    TooShort {
        /// Samples given.
        len: usize,
        /// Samples needed.
        min: usize,
    },
    /// A series that should hold whole chains of equal length does not.
    Ragged {
        /// Samples given.
        len: usize,
        /// Samples per chain.
        chain: usize,
    },
    /// A sample is NaN or infinite.
    NotFinite {
        /// Index of the first such sample.
        index: usize,
    },
}

impl fmt::Display for StatsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooShort { len, min } => {
                write!(f, "series has {len} samples; at least {min} are needed")
            }
            Self::Ragged { len, chain } => {
                write!(
                    f,
                    "{len} samples are not a whole number of chains of {chain}"
                )
            }
            Self::NotFinite { index } => write!(f, "sample {index} is not finite"),
        }
    }
}

impl core::error::Error for StatsError {}

/// Checks that `series` has at least `min` samples, all finite.
pub(crate) fn check_series(series: &[f64], min: usize) -> Result<(), StatsError> {
    if series.len() < min {
        return Err(StatsError::TooShort {
            len: series.len(),
            min,
        });
    }
    match series.iter().position(|x| !x.is_finite()) {
        Some(index) => Err(StatsError::NotFinite { index }),
        None => Ok(()),
    }
}
