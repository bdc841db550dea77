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
