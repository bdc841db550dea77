//! Entropy estimators behind one trait ([`EntropyEstimator`]), mutual-information estimators
//! behind another ([`MutualInformation`]). Each returns an [`Estimate`] (value ± standard error, in
//! an explicit unit) and documents what the entropy is of.
mod error;
mod exact_enumeration;
mod gaussian_case;
mod gaussian_fit;
mod gaussian_mi;
mod immse;
mod kaufman_exact;
mod knn;
mod ksg;
mod mice;
mod minde;
mod minde_mi;
mod mine;
mod mutual_information;
mod neighbours;
mod plug_in;
mod subsample;
pub mod tasks;
mod thermodynamic_integration;
mod whitening;

pub use crate::samples::Samples;
pub use error::EntropyError;
pub use exact_enumeration::ExactEnumeration;
pub use gaussian_case::GaussianCase;
pub use gaussian_fit::GaussianFit;
pub use gaussian_mi::GaussianMutualInformation;
pub use immse::Immse;
pub use kaufman_exact::KaufmanExact;
pub use knn::KozachenkoLeonenko;
pub use ksg::{Ksg, KsgVariant};
pub use mice::{Leaf, Mice};
pub use minde::{Minde, Reference};
pub use minde_mi::MindeMutualInformation;
pub use mine::Mine;
pub use mutual_information::MutualInformation;
pub use plug_in::{DEQUANTISATION_NATS_PER_SPIN, PlugIn, dequantise_spins};
pub use thermodynamic_integration::{EnergyCurve, ThermodynamicIntegration};
pub use whitening::{Whitened, Whitening};

use crate::estimate::Estimate;

/// Estimates the entropy of whatever `X` describes: a sample, a model, a dataset.
///
/// # Examples
/// An estimator of one's own: the histogram (plug-in) entropy of one-dimensional samples,
/// −Σ p̂ᵢ ln(p̂ᵢ/h) over m bins of width h, here on 20 000 uniform draws on [0, 2), whose entropy
/// is ln 2 (the estimator's bias is about −(m − 1)/2n ≈ −5·10⁻⁴ here).
/// ```
/// use entropic::entropy::{EntropyError, EntropyEstimator, Samples};
/// use entropic::estimate::{Estimate, Unit};
/// use entropic::rng::{from_seed, uniform_f64};
///
/// struct Histogram { bins: usize }
/// impl EntropyEstimator<Samples> for Histogram {
///     fn estimate(&self, x: &Samples) -> Result<Estimate, EntropyError> {
///         if x.dim() != 1 || x.len() < 2 {
///             return Err(EntropyError::Samples("one-dimensional samples, at least two"));
///         }
///         let v = x.as_slice();
///         let (lo, hi) = v.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &y| (a.min(y), b.max(y)));
///         let h = (hi - lo) / self.bins as f64;
///         let mut counts = vec![0usize; self.bins];
///         for &y in v {
///             counts[(((y - lo) / h) as usize).min(self.bins - 1)] += 1;
///         }
///         let n = v.len() as f64;
///         let value = -counts.iter().filter(|&&c| c > 0)
///             .map(|&c| { let p = c as f64 / n; p * libm::log(p / h) })
///             .sum::<f64>();
///         Ok(Estimate::new(value, 0.0, Unit::Nats, v.len()))
///     }
/// }
///
/// let mut rng = from_seed(3);
/// let draws = Samples::new((0..20_000).map(|_| 2.0 * uniform_f64(&mut rng)).collect(), 1)?;
/// let h = Histogram { bins: 20 }.estimate(&draws)?;
/// assert!((h.value - core::f64::consts::LN_2).abs() < 0.01, "{}", h.value);
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
pub trait EntropyEstimator<X: ?Sized> {
    /// # Errors
    /// An [`EntropyError`] for input the estimator cannot handle (too few samples, non-finite
    /// values, systems too large for an exact method).
    fn estimate(&self, x: &X) -> Result<Estimate, EntropyError>;

    /// [`estimate`](Self::estimate), asking `stop` between steps of any training. Default:
    /// `estimate` (estimators that train nothing finish quickly).
    ///
    /// # Errors
    /// As `estimate`; [`EntropyError::Cancelled`] when `stop` said so.
    fn estimate_until(&self, x: &X, stop: &dyn Fn() -> bool) -> Result<Estimate, EntropyError> {
        let _ = stop;
        self.estimate(x)
    }
}
