//! Shared test helpers. Tolerances are in units of the estimate's own standard error.
use crate::stats::MeanEstimate;

/// Asserts `|estimate − exact| ≤ k σ`, printing everything on failure.
pub fn assert_within_sigmas(estimate: &MeanEstimate, exact: f64, k: f64) {
    let dev = (estimate.value - exact).abs();
    assert!(
        dev <= k * estimate.std_error,
        "estimate {} ± {} (τ = {:.2}, n = {}) is {:.2} σ from exact {}",
        estimate.value,
        estimate.std_error,
        estimate.autocorrelation.tau,
        estimate.samples,
        dev / estimate.std_error,
        exact
    );
}
