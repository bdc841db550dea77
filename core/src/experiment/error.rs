//! [`ExperimentError`]: everything an experiment run can refuse or fail with.
use crate::diffusion::DiffusionError;
use crate::entropy::EntropyError;
use crate::latent::LatentError;
use crate::lattice::LatticeError;
use crate::maxent::MaxEntError;
use crate::nn::NnError;
use crate::stats::StatsError;
use alloc::string::String;
use core::fmt;

/// Why an experiment could not be set up or did not finish.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ExperimentError {
    /// A setting outside its range; checked before any work starts.
    Config {
        /// The setting, as spelled in the config struct.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The run would need more memory than can be asked for.
    TooLarge {
        /// What would be stored.
        what: &'static str,
        /// Bytes it needs (saturated at `u128::MAX`).
        bytes: u128,
    },
    /// The runtime asked the run to stop.
    Cancelled,
    /// From the lattice layer (sizes, temperatures, couplings, samplers).
    Lattice(LatticeError),
    /// From the statistics layer (series too short for an error bar).
    Stats(StatsError),
    /// From the entropy layer.
    Entropy(EntropyError),
    /// From the diffusion layer (models, training, samplers).
    Diffusion(DiffusionError),
    /// From the Min-MaxEnt layer.
    MaxEnt(MaxEntError),
    /// From the network layer.
    Nn(NnError),
    /// From the latent-cycle layer.
    Latent(LatentError),
    /// A checkpoint that does not belong to this run (other data, another split).
    Checkpoint(&'static str),
    /// Drawing a figure failed.
    #[cfg(feature = "plot")]
    Plot(crate::plot::PlotError),
    /// A result outside the range it can possibly take, by more than five of its error bars
    /// (or not finite): a diverged or broken model, reported instead of printed as a result.
    OutOfRange {
        /// What came out.
        what: &'static str,
        /// Its value.
        value: f64,
        /// Its standard error.
        std_error: f64,
        /// The smallest possible value.
        low: f64,
        /// The largest possible value.
        high: f64,
    },
}

impl ExperimentError {
    /// A [`ExperimentError::Config`] error.
    pub fn config(field: &'static str, reason: impl Into<String>) -> Self {
        Self::Config {
            field,
            reason: reason.into(),
        }
    }
}

/// Bytes as the largest binary unit that keeps the number at least 1 ("2.4 TiB").
pub(crate) struct Bytes(pub u128);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        let mut value = self.0 as f64;
        let mut unit = 0;
        while value >= 1024.0 && unit + 1 < units.len() {
            value /= 1024.0;
            unit += 1;
        }
        if unit == 0 {
            write!(f, "{} B", self.0)
        } else {
            write!(f, "{value:.1} {}", units[unit])
        }
    }
}

impl fmt::Display for ExperimentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Config { field, reason } => write!(f, "{field}: {reason}"),
            Self::TooLarge { what, bytes } => {
                write!(f, "{what} would need {}; refused", Bytes(*bytes))
            }
            Self::Cancelled => f.write_str("cancelled"),
            Self::Lattice(e) => write!(f, "{e}"),
            Self::Stats(e) => write!(f, "{e}"),
            Self::Entropy(e) => write!(f, "{e}"),
            Self::Diffusion(e) => write!(f, "{e}"),
            Self::MaxEnt(e) => write!(f, "{e}"),
            Self::Nn(e) => write!(f, "{e}"),
            Self::Latent(e) => write!(f, "{e}"),
            Self::Checkpoint(why) => write!(f, "checkpoint {why}"),
            #[cfg(feature = "plot")]
            Self::Plot(e) => write!(f, "{e}"),
            Self::OutOfRange {
                what,
                value,
                std_error,
                low,
                high,
            } => write!(
                f,
                "{what} came out {value} ± {std_error}, outside its possible range [{low}, {high}]: the model diverged or does not fit the data (lower the learning rate or train longer)"
            ),
        }
    }
}

impl core::error::Error for ExperimentError {}

#[cfg(feature = "plot")]
impl From<crate::plot::PlotError> for ExperimentError {
    fn from(e: crate::plot::PlotError) -> Self {
        Self::Plot(e)
    }
}

impl From<LatticeError> for ExperimentError {
    fn from(e: LatticeError) -> Self {
        Self::Lattice(e)
    }
}

impl From<StatsError> for ExperimentError {
    fn from(e: StatsError) -> Self {
        Self::Stats(e)
    }
}

impl From<EntropyError> for ExperimentError {
    fn from(e: EntropyError) -> Self {
        match e {
            EntropyError::Cancelled | EntropyError::Model(DiffusionError::Cancelled) => {
                Self::Cancelled
            }
            e => Self::Entropy(e),
        }
    }
}

impl From<NnError> for ExperimentError {
    fn from(e: NnError) -> Self {
        Self::Nn(e)
    }
}

impl From<MaxEntError> for ExperimentError {
    fn from(e: MaxEntError) -> Self {
        Self::MaxEnt(e)
    }
}

impl From<DiffusionError> for ExperimentError {
    fn from(e: DiffusionError) -> Self {
        match e {
            DiffusionError::Cancelled => Self::Cancelled,
            e => Self::Diffusion(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn sizes_are_named_in_binary_units() {
        assert_eq!(Bytes(512).to_string(), "512 B");
        assert_eq!(Bytes(3 << 20).to_string(), "3.0 MiB");
        let e = ExperimentError::TooLarge {
            what: "configurations",
            bytes: 5 << 40,
        };
        assert_eq!(e.to_string(), "configurations would need 5.0 TiB; refused");
    }
}
