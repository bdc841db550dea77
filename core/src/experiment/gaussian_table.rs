//! The Gaussian sanity check of thesis Table 4.1: every sample-based entropy estimator against
//! ½ ln det(2πeΣ) on random Gaussians; the library side of `entropic entropy gaussian`.
use super::estimators::{EstimatorConfig, EstimatorRow};
use super::runtime::timed;
use super::{ExperimentError, Runtime, check_memory};
use crate::diffusion::{GaussianScore, VpSde};
use crate::entropy::{EntropyEstimator, GaussianCase, GaussianFit, Minde, Reference};
use crate::estimate::Estimate;
use crate::experiment::check_cancelled;
use crate::rng::stream;
use alloc::vec;
use alloc::vec::Vec;

/// Largest dimension of a case.
pub const MAX_GAUSSIAN_DIM: usize = 512;

/// Settings of a [`GaussianTable`].
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct GaussianTableConfig {
    /// Dimensions (each 1 to [`MAX_GAUSSIAN_DIM`]; at least one). Default [9, 16].
    pub dims: Vec<usize>,
    /// Samples per case (≥ 2 + the largest dimension). Default 20 000.
    pub samples: usize,
    /// Random covariances per dimension (≥ 1). Default 5.
    pub cases: usize,
    /// The estimators.
    pub estimators: EstimatorConfig,
}

impl Default for GaussianTableConfig {
    fn default() -> Self {
        Self {
            dims: vec![9, 16],
            samples: 20_000,
            cases: 5,
            estimators: EstimatorConfig::default(),
        }
    }
}

/// One estimator on one case.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GaussianRow {
    /// Dimension d.
    pub dim: usize,
    /// Case index within the dimension.
    pub case: usize,
    /// The exact entropy ½ ln det(2πeΣ) (nats).
    pub exact: f64,
    /// The estimator's result.
    pub result: EstimatorRow,
}

impl GaussianRow {
    /// Estimate − exact (nats).
    pub fn error(&self) -> f64 {
        self.result.estimate.value - self.exact
    }
}

/// For each dimension d, `cases` random covariances Σ = AAᵀ/d + ½I (A standard normal) and
/// `samples` samples of N(0, Σ) each; on every case the Gaussian fit (bias-corrected, exact for
/// Gaussian data), Kozachenko–Leonenko kNN, MINDE with the exact diffused score (the oracle: its
/// Monte Carlo error alone) and, unless `train_steps` is 0, MINDE with a learned score. Case j
/// (dimension-major) draws from [`stream`]`(seed, j)`.
///
/// # Examples
/// ```
/// use entropic::experiment::{GaussianTable, GaussianTableConfig, Sequential};
/// let mut config = GaussianTableConfig::default();
/// config.dims = vec![2];
/// config.samples = 500;
/// config.cases = 1;
/// config.estimators.train_steps = 0;
/// config.estimators.draws = 2000;
/// let rows = GaussianTable::new(config)?.run(1, &Sequential)?;
/// assert_eq!(rows.len(), 3); // fit, kNN, MINDE with the exact score
/// for row in &rows {
///     assert!(row.error().abs() < 5.0 * row.result.estimate.std_error + 0.1, "{row:?}");
/// }
/// # Ok::<(), entropic::experiment::ExperimentError>(())
/// ```
#[derive(Clone, Debug)]
pub struct GaussianTable {
    config: GaussianTableConfig,
}

impl GaussianTable {
    /// # Errors
    /// [`ExperimentError::Config`] naming the setting; [`ExperimentError::TooLarge`] for samples
    /// that cannot be held.
    pub fn new(config: GaussianTableConfig) -> Result<Self, ExperimentError> {
        if config.dims.is_empty() || config.dims.iter().any(|&d| d == 0 || d > MAX_GAUSSIAN_DIM) {
            return Err(ExperimentError::config(
                "dims",
                alloc::format!("each must be between 1 and {MAX_GAUSSIAN_DIM}"),
            ));
        }
        if config.cases == 0 {
            return Err(ExperimentError::config("cases", "must be at least 1"));
        }
        let largest = config.dims.iter().copied().max().unwrap_or(1);
        check_memory("the samples", &[config.samples, largest, 8])?;
        if config.samples < largest + 2 {
            return Err(ExperimentError::config(
                "samples",
                alloc::format!(
                    "must be at least {} (the largest dimension + 2)",
                    largest + 2
                ),
            ));
        }
        config.estimators.check()?;
        config.estimators.check_memory(largest)?;
        check_memory(
            "the result rows",
            &[
                config.dims.len(),
                config.cases,
                4,
                core::mem::size_of::<GaussianRow>(),
            ],
        )?;
        Ok(Self { config })
    }

    /// The settings.
    pub fn config(&self) -> &GaussianTableConfig {
        &self.config
    }

    /// Run every case (one task each), rows in case order and, within a case, in the order fit,
    /// kNN, exact-score MINDE, learned MINDE.
    ///
    /// # Errors
    /// [`ExperimentError::Cancelled`]; an estimator's error.
    pub fn run<R: Runtime>(&self, seed: u64, rt: &R) -> Result<Vec<GaussianRow>, ExperimentError> {
        let c = &self.config;
        let jobs: Vec<(usize, usize)> = c
            .dims
            .iter()
            .flat_map(|&d| (0..c.cases).map(move |case| (d, case)))
            .collect();
        let rows = rt.map("cases", jobs.len(), |j| {
            check_cancelled(rt)?;
            let (dim, case) = jobs[j];
            self.case(dim, j, seed, rt).map(|results| {
                results
                    .into_iter()
                    .map(|(result, exact)| GaussianRow {
                        dim,
                        case,
                        exact,
                        result,
                    })
                    .collect::<Vec<_>>()
            })
        });
        let mut all = Vec::new();
        for r in rows {
            all.extend(r?);
        }
        Ok(all)
    }

    /// The estimators on case `j` (dimension `d`), each with the case's exact entropy.
    fn case<R: Runtime>(
        &self,
        d: usize,
        j: usize,
        seed: u64,
        rt: &R,
    ) -> Result<Vec<(EstimatorRow, f64)>, ExperimentError> {
        let e = &self.config.estimators;
        let mut rng = stream(seed, j);
        let g = GaussianCase::random(d, &mut rng)?;
        let x = g.sample(self.config.samples, &mut rng)?;
        let exact = g.entropy();
        let sde = VpSde::default();
        let score = GaussianScore::new(sde, &g.mean, &g.covariance)?;
        let minde = Minde::new(sde, score, Reference::Isotropic, e.draws, seed ^ j as u64)?;
        let knn = e.knn()?;
        let row = |estimator,
                   (estimate, seconds): (Result<Estimate, ExperimentError>, Option<f64>)|
         -> Result<(EstimatorRow, f64), ExperimentError> {
            Ok((EstimatorRow::new(estimator, estimate?, seconds), exact))
        };
        let mut rows = vec![
            row("gaussian-fit", timed(rt, || Ok(GaussianFit.estimate(&x)?)))?,
            row("knn", timed(rt, || Ok(knn.estimate(&x)?)))?,
            row("minde-exact-score", timed(rt, || Ok(minde.estimate(&x)?)))?,
        ];
        if e.train_steps > 0 {
            let learned = timed(rt, || {
                e.learned_minde(&x, seed ^ j as u64, &mut rng, &|| rt.cancelled())
                    .map(|(h, _)| h)
            });
            rows.push(row("minde-learned", learned)?);
        }
        Ok(rows)
    }
}

/// Mean |error| and mean error of one estimator over the rows of one dimension, if it ran there.
pub fn gaussian_summary(rows: &[GaussianRow], dim: usize, estimator: &str) -> Option<(f64, f64)> {
    let errors: Vec<f64> = rows
        .iter()
        .filter(|r| r.dim == dim && r.result.estimator == estimator)
        .map(GaussianRow::error)
        .collect();
    if errors.is_empty() {
        return None;
    }
    let n = errors.len() as f64;
    Some((
        errors.iter().map(|e| e.abs()).sum::<f64>() / n,
        errors.iter().sum::<f64>() / n,
    ))
}
