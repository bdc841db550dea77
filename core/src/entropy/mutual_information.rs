use super::{EntropyError, Samples};
use crate::estimate::Estimate;

/// Estimates the mutual information I(X; Y) between paired samples: row i of `x` and row i of
/// `y` are one draw of (X, Y).
pub trait MutualInformation {
    /// # Errors
    /// An [`EntropyError`] for input the estimator cannot handle: different row counts, too
    /// few samples, degenerate data.
    fn estimate(&self, x: &Samples, y: &Samples) -> Result<Estimate, EntropyError>;

    /// [`estimate`](Self::estimate), asking `stop` between steps of any training (learned
    /// estimators check it at least once per optimiser step). Default: `estimate` (estimators
    /// that train nothing finish quickly).
    ///
    /// # Errors
    /// As `estimate`; [`EntropyError::Cancelled`] (or a model's cancellation) when `stop` said
    /// so.
    fn estimate_until(
        &self,
        x: &Samples,
        y: &Samples,
        stop: &dyn Fn() -> bool,
    ) -> Result<Estimate, EntropyError> {
        let _ = stop;
        self.estimate(x, y)
    }
}

/// The checks every estimator shares: equal row counts and at least `min` rows.
pub(crate) fn check_pairs(x: &Samples, y: &Samples, min: usize) -> Result<usize, EntropyError> {
    if x.len() != y.len() {
        return Err(EntropyError::Samples(
            "x and y have different numbers of rows (samples must be paired)",
        ));
    }
    if x.len() < min {
        return Err(EntropyError::TooFewSamples { len: x.len(), min });
    }
    Ok(x.len())
}

/// The paired samples side by side: row i is [x_i, y_i].
///
/// # Errors
/// As [`check_pairs`] with `min` rows.
pub(crate) fn joined(x: &Samples, y: &Samples, min: usize) -> Result<Samples, EntropyError> {
    let n = check_pairs(x, y, min)?;
    let mut joint = alloc::vec::Vec::with_capacity(n * (x.dim() + y.dim()));
    for i in 0..n {
        joint.extend_from_slice(x.row(i));
        joint.extend_from_slice(y.row(i));
    }
    Ok(Samples::new(joint, x.dim() + y.dim())?)
}
