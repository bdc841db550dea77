//! Nonequilibrium latent-cycle generative models (paper: nonequilibrium-latent-cycles.txt).
//!
//! A visible x ∈ {0,1}^D and a hidden z alternate as a Markov chain x → z → x → … whose two
//! transition matrices have independent parameters ([`LatentCycle`]: A_{zx} from w, a and
//! Ā_{xz} from w̄, ā; Eq. 8–11), so the steady state breaks detailed balance. [`Trainer`] fits
//! them by the approximate two-step likelihood gradient ([`TwoStep`], Eq. 16–17) with persistent
//! [`Chains`] and RMSprop; [`LatentStatistics`] and [`Dynamics`] give the diagnostics of Sec. IV
//! (M, p̄, entropy production σ, decorrelation time τ, mean diagonal), [`ClassBalance`] the class
//! KL (Eq. 22), and [`occupancy_log_likelihood`] the precise log-likelihood of App. A.3.
//! Baselines: the tied equilibrium counterpart ([`Contrastive`], exact likelihood
//! [`tied_log_likelihood`]) and the EM-fitted [`BernoulliMixture`].
//!
//! # Example
//! Exact diagnostics of a 3-state cyclic model on 4 visible units:
//! ```
//! use entropic::latent::{Dynamics, Encoding, LatentCycle, exact_latent_matrix};
//! let mut model = LatentCycle::new(4, 3, Encoding::OneHot)?;
//! // Unit β writes pixel β; reading pixel β sends z to β + 1: a cycle 0 → 1 → 2 → 0. Eq. 19
//! // picks unit α in proportion to σ(u_α): hidden biases of −6 keep the other units' σ small.
//! let (d, l) = (4, 3);
//! let mut w = vec![-4.0; d * l];
//! let mut wbar = vec![0.0; l * d];
//! for beta in 0..l {
//!     w[beta * l + beta] = 4.0;
//!     wbar[((beta + 1) % l) * d + beta] = 12.0;
//! }
//! model.set_parameters(&w, &[0.0; 4], &wbar, &[-6.0; 3], &[0.0; 4])?;
//! let dynamics = Dynamics::from_matrix(exact_latent_matrix(&model)?)?;
//! assert!(dynamics.entropy_production > 1.0);
//! assert!(dynamics.mean_diagonal < 1.0 / 3.0);
//! # Ok::<(), entropic::latent::LatentError>(())
//! ```
mod chain;
mod classes;
mod data;
mod dynamics;
mod error;
mod gradient;
mod likelihood;
mod mixture;
mod model;
mod model_sigma;
mod training;

pub use chain::{Chains, Trajectory, Visit};
pub use classes::{ClassBalance, NearestCentroid};
pub use data::BinaryData;
pub use dynamics::{CountedEntropyProduction, Dynamics, LatentStatistics, entropy_production};
pub use error::LatentError;
pub use gradient::{Contrastive, LearningRule, TwoStep};
pub use likelihood::{
    LogLikelihoodTable, MAX_EXACT_VISIBLE, exact_latent_matrix, occupancy_log_likelihood,
    stationary, tied_log_likelihood,
};
pub use mixture::{BernoulliMixture, EmParams};
pub use model::{Conditionals, Encoding, Gradient, LatentCycle, MAX_BINARY_HIDDEN, MAX_WEIGHTS};
pub use model_sigma::{
    MAX_EXACT_WORK, ModelEntropyProduction, SampledLatentMatrix, model_entropy_production,
};
pub use training::{EpochReport, Rule, Sequences, TrainParams, Trainer};
#[cfg(test)]
mod gradient_tests;
#[cfg(test)]
mod tests;
