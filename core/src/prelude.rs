//! The traits a user needs in scope: `use entropic::prelude::*;`.
pub use crate::entropy::EntropyEstimator;
pub use crate::estimate::{Estimate, Unit};
pub use crate::model::{Model, Observer, Sampler, run};
pub use rand_core::{Rng, SeedableRng};
