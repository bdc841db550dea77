use super::error::check_series;
use super::{AutocorrelationTime, StatsError, integrated_autocorrelation_time};

/// Mean and sample standard deviation (normalised by n − 1; 0 for a single value) of
/// independent values, such as one result per seed.
///
/// # Examples
/// ```
/// let (m, sd) = entropic::stats::mean_and_sd(&[1.0, 2.0, 3.0]);
/// assert_eq!((m, sd), (2.0, 1.0));
/// ```
pub fn mean_and_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let m = values.iter().sum::<f64>() / n;
    let var = if values.len() > 1 {
        values.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    (m, libm::sqrt(var))
}

/// The mean of a correlated series with an error bar that accounts for autocorrelation.
///
/// # Formula
/// σ_mean = √(2 τ_int · Var(x) / n), with τ_int from [`integrated_autocorrelation_time`] and the
/// variance normalised by n (its bias is O(τ/n), far below the error bar's own uncertainty).
///
/// # Examples
/// ```
/// use entropic::stats::MeanEstimate;
/// let m = MeanEstimate::from_series(&[1.0, 2.0, 3.0, 4.0])?;
/// assert_eq!(m.value, 2.5);
/// assert!(MeanEstimate::from_series(&[]).is_err());
/// # Ok::<(), entropic::stats::StatsError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MeanEstimate {
    /// Sample mean.
    pub value: f64,
    /// Standard error of the mean, corrected for autocorrelation.
    pub std_error: f64,
    /// Sample variance (normalised by n).
    pub variance: f64,
    /// Integrated autocorrelation time of the series.
    pub autocorrelation: AutocorrelationTime,
    /// Number of samples.
    pub samples: usize,
}

impl MeanEstimate {
    /// # Errors
    /// [`StatsError::TooShort`] for fewer than 2 samples, [`StatsError::NotFinite`] for NaN or ±∞.
    pub fn from_series(series: &[f64]) -> Result<Self, StatsError> {
        check_series(series, 2)?;
        let n = series.len();
        let value = series.iter().sum::<f64>() / n as f64;
        let variance = series
            .iter()
            .map(|x| (x - value) * (x - value))
            .sum::<f64>()
            / n as f64;
        let autocorrelation = integrated_autocorrelation_time(series)?;
        let std_error = libm::sqrt(2.0 * autocorrelation.tau * variance / n as f64);
        Ok(Self {
            value,
            std_error,
            variance,
            autocorrelation,
            samples: n,
        })
    }

    /// Effective number of independent samples n / (2 τ_int).
    pub fn effective_samples(&self) -> f64 {
        self.samples as f64 / (2.0 * self.autocorrelation.tau)
    }
}

/// The mean of independent values with its standard error sd/√n: one observable over a set of
/// independent configurations (generated samples, τ-spaced Monte Carlo draws).
///
/// # Examples
/// ```
/// use entropic::stats::IndependentMean;
/// let a = IndependentMean::of(&[1.0, 2.0, 3.0]);
/// assert_eq!((a.value, a.samples), (2.0, 3));
/// assert!((a.std_error - 1.0 / 3f64.sqrt()).abs() < 1e-15);
/// // The z-score of two means' difference; 0 for equal means even without spread.
/// assert_eq!(IndependentMean::of(&[0.0; 4]).z(&IndependentMean::of(&[0.0; 2])), 0.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct IndependentMean {
    /// Sample mean (NaN for no values).
    pub value: f64,
    /// Standard error sd/√n, sd normalised by n − 1 ([`mean_and_sd`]).
    pub std_error: f64,
    /// Number of values.
    pub samples: usize,
}

impl IndependentMean {
    /// The mean of `values` and its standard error.
    pub fn of(values: &[f64]) -> Self {
        let (value, sd) = mean_and_sd(values);
        Self {
            value,
            std_error: sd / libm::sqrt(values.len() as f64),
            samples: values.len(),
        }
    }

    /// z-score of the difference of two independent means, (a − b)/√(σ_a² + σ_b²); 0 for equal
    /// means, also when neither has spread (no vortices in either set of lattices at low T).
    pub fn z(&self, other: &Self) -> f64 {
        let difference = self.value - other.value;
        if difference == 0.0 {
            0.0
        } else {
            difference / libm::hypot(self.std_error, other.std_error)
        }
    }
}
