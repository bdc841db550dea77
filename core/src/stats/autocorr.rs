use super::StatsError;
use super::error::check_series;

/// The integrated autocorrelation time of a series and the window that estimated it.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AutocorrelationTime {
    /// τ_int = ½ + Σ_{t=1}^{W} ρ(t), in units of the sampling interval (½ for independent samples).
    pub tau: f64,
    /// The summation window W.
    pub window: usize,
    /// Whether the window closed (W ≥ c·τ before W reached n/2). If false the series is too short
    /// for a trustworthy τ, and so for a trustworthy error bar.
    pub converged: bool,
}

/// Window constant c of the automatic windowing rule (Madras & Sokal 1988 recommend 4–10).
pub const WINDOW_FACTOR: f64 = 6.0;

/// τ_int with Sokal's automatic windowing: the smallest W with W ≥ c·τ_int(W), c =
/// `WINDOW_FACTOR`, ρ(t) the normalised autocovariance.
///
/// A constant series has τ = ½ (its samples carry no fluctuation to correlate).
///
/// # Errors
/// [`StatsError::TooShort`] for fewer than 2 samples, [`StatsError::NotFinite`] for NaN or ±∞.
///
/// # Examples
/// ```
/// // An AR(1) process x_{k+1} = a x_k + noise has τ_int = ½ (1 + a)/(1 − a) = 4.5 for a = 0.8.
/// let mut rng = entropic::rng::from_seed(5);
/// let (mut x, a) = (0.0, 0.8);
/// let series: Vec<f64> = (0..200_000).map(|_| {
///     x = a * x + entropic::rng::uniform_f64(&mut rng) - 0.5;
///     x
/// }).collect();
/// let tau = entropic::stats::integrated_autocorrelation_time(&series)?;
/// assert!((tau.tau - 4.5).abs() < 0.3 && tau.converged);
/// # Ok::<(), entropic::stats::StatsError>(())
/// ```
pub fn integrated_autocorrelation_time(series: &[f64]) -> Result<AutocorrelationTime, StatsError> {
    pooled_autocorrelation_time(series, series.len())
}

/// τ_int of independent chains of one statistic, each `chain` samples long and stored one after
/// another, from their pooled autocovariance: ρ(t) = Σ_chains Σ_s (a_s − ā)(a_{s+t} − ā) /
/// Σ (a − ā)² with ā the mean over all samples, summed with the automatic window of
/// [`integrated_autocorrelation_time`] (W ≤ chain/2). This is how persistent walkers (many short
/// chains of one target) are measured; one chain gives [`integrated_autocorrelation_time`].
///
/// # Errors
/// [`StatsError::TooShort`] for chains shorter than 2, [`StatsError::Ragged`] unless the series
/// is a whole number of chains, [`StatsError::NotFinite`] for NaN or ±∞.
///
/// # Examples
/// ```
/// // 400 AR(1) chains of 500 steps each, a = 0.5: τ_int = ½ (1 + a)/(1 − a) = 1.5.
/// let mut rng = entropic::rng::from_seed(6);
/// let mut series = Vec::new();
/// for _ in 0..400 {
///     let mut x = 0.0;
///     for _ in 0..500 {
///         x = 0.5 * x + entropic::rng::uniform_f64(&mut rng) - 0.5;
///         series.push(x);
///     }
/// }
/// let tau = entropic::stats::pooled_autocorrelation_time(&series, 500)?;
/// assert!((tau.tau - 1.5).abs() < 0.05 && tau.converged);
/// # Ok::<(), entropic::stats::StatsError>(())
/// ```
pub fn pooled_autocorrelation_time(
    series: &[f64],
    chain: usize,
) -> Result<AutocorrelationTime, StatsError> {
    check_series(series, 2)?;
    if chain < 2 {
        return Err(StatsError::TooShort { len: chain, min: 2 });
    }
    if series.len() % chain != 0 {
        return Err(StatsError::Ragged {
            len: series.len(),
            chain,
        });
    }
    let n = series.len();
    let mean = series.iter().sum::<f64>() / n as f64;
    let c0 = series.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n as f64;
    if c0 <= 0.0 {
        return Ok(AutocorrelationTime {
            tau: 0.5,
            window: 0,
            converged: true,
        });
    }
    let mut tau = 0.5;
    let max_window = chain / 2;
    for t in 1..=max_window {
        let ct = series
            .chunks_exact(chain)
            .map(|c| {
                c[..chain - t]
                    .iter()
                    .zip(&c[t..])
                    .map(|(a, b)| (a - mean) * (b - mean))
                    .sum::<f64>()
            })
            .sum::<f64>()
            / n as f64;
        tau += ct / c0;
        if t as f64 >= WINDOW_FACTOR * tau {
            return Ok(AutocorrelationTime {
                tau: tau.max(0.5),
                window: t,
                converged: true,
            });
        }
    }
    Ok(AutocorrelationTime {
        tau: tau.max(0.5),
        window: max_window,
        converged: false,
    })
}
