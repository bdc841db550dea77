use super::{EntropyError, Samples};
use crate::estimate::Estimate;

/// Estimates the mutual information I(X; Y) between paired samples: row i of `x` and row i of
/// `y` are one draw of (X, Y).
///
/// # Examples
/// An estimator of one's own: for scalar X, Y, the Gaussian formula I = −½ ln(1 − ρ²) with the
/// sample correlation ρ, on 20 000 draws of a bivariate normal with ρ = 0.6, whose mutual
/// information is −½ ln 0.64 ≈ 0.2231 nats (the sampling error of ρ is ≈ (1 − ρ²)/√n, about
/// 0.005 nats of I here).
/// ```
/// use entropic::entropy::{EntropyError, MutualInformation, Samples};
/// use entropic::estimate::{Estimate, Unit};
/// use entropic::rng::{from_seed, normal_pair};
///
/// struct Correlation;
/// impl MutualInformation for Correlation {
///     fn estimate(&self, x: &Samples, y: &Samples) -> Result<Estimate, EntropyError> {
///         if x.dim() != 1 || y.dim() != 1 || x.len() != y.len() || x.len() < 3 {
///             return Err(EntropyError::Samples("paired scalar samples, at least three"));
///         }
///         let n = x.len() as f64;
///         let (a, b) = (x.as_slice(), y.as_slice());
///         let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
///         let cov: f64 = a.iter().zip(b).map(|(p, q)| (p - ma) * (q - mb)).sum();
///         let (va, vb) = (
///             a.iter().map(|p| (p - ma) * (p - ma)).sum::<f64>(),
///             b.iter().map(|q| (q - mb) * (q - mb)).sum::<f64>(),
///         );
///         let rho = cov / libm::sqrt(va * vb);
///         Ok(Estimate::new(-0.5 * libm::log(1.0 - rho * rho), 0.0, Unit::Nats, x.len()))
///     }
/// }
///
/// let (mut rng, rho) = (from_seed(5), 0.6);
/// let (mut xs, mut ys) = (Vec::new(), Vec::new());
/// for _ in 0..20_000 {
///     let (u, v) = normal_pair(&mut rng);
///     xs.push(u);
///     ys.push(rho * u + libm::sqrt(1.0 - rho * rho) * v);
/// }
/// let i = Correlation.estimate(&Samples::new(xs, 1)?, &Samples::new(ys, 1)?)?;
/// assert!((i.value - (-0.5 * libm::log(0.64))).abs() < 0.02, "{}", i.value);
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
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
