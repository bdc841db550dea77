//! Time-series statistics for Markov chains: integrated autocorrelation time with automatic
//! windowing, means with error bars that account for it, and an observer that records a series.
mod autocorr;
mod error;
mod jackknife;
mod mean;
mod rank;
mod recorder;
mod thermo;

pub use autocorr::{
    AutocorrelationTime, integrated_autocorrelation_time, pooled_autocorrelation_time,
};
pub use error::StatsError;
pub use jackknife::{Uncertain, blocked_jackknife, leave_one_out};
pub use mean::{IndependentMean, MeanEstimate, mean_and_sd};
pub(crate) use rank::ranks;
pub use rank::spearman;
pub use recorder::SeriesRecorder;
pub use thermo::Thermodynamics;
