//! Min-MaxEnt generative models (paper: minmaxent-generative.txt).
//!
//! A MaxEnt distribution P(x) ∝ exp(−Σ λᵢ fᵢ(x; θ)) whose observables f are parametrised
//! ([`Observables`]: any [`Network`](crate::nn::Network), or the analytic [`RotatedVariances`]);
//! λ fitted by χ² descent with Adam, θ by the entropy gradient (Eq. 8–10), samples by persistent
//! Metropolis [`Walkers`]; a [`Trainer`] alternates the two steps and checkpoints the run.
#[cfg(feature = "data")]
pub mod digits;
mod energy;
mod entropy;
mod error;
mod gaussian_energy;
mod hmc;
mod mixture;
mod model;
mod moments;
mod observable;
mod rotated_variances;
mod row_parallel;
mod tempering;
mod training;

pub use energy::Energy;
pub use entropy::{EntropySettings, Quadrature1d, Reference, maxent_entropy, quadrature_1d};
pub use error::MaxEntError;
pub use gaussian_energy::GaussianEnergy;
pub use hmc::Hmc;
pub use mixture::{Component, Mixture1d, kl_on_grid};
pub use model::{MaxEnt, Moves, Walkers};
pub use moments::Moments;
pub use observable::Observables;
#[cfg(any(feature = "data", feature = "std"))]
pub(crate) use observable::check_batch;
pub use rotated_variances::{RotatedVariances, pca_angle_2d, pca_entropy_2d};
pub use row_parallel::RowParallel;
pub use tempering::TemperedWalkers;
pub use training::{IterationReport, TrainParams, Trainer};
