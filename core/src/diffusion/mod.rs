//! Diffusion processes and score functions (paper: diffusion-entropy-spin-systems.txt, Sec. 2.4.6).
//!
//! [`VpSde`] is the variance-preserving SDE dX = −½β(t)X dt + √β(t) dW (Eq. 2.49-2.50) with its
//! closed-form marginals; [`Score`] is anything that gives ∇ₓ ln p_t(x), and [`GaussianScore`] is
//! the exact score of diffused Gaussian data (the oracle the entropy estimators are checked with).
mod belief;
mod conditional_score_net;
mod conv_denoiser;
mod denoiser;
mod denoiser_config;
mod ensemble;
mod error;
mod gate;
mod lambda_density;
mod lattice_denoiser;
mod sampler;
#[cfg(feature = "serde")]
mod saved_network;
mod score;
mod score_net;
mod spin_kind;
mod symmetrised;
pub(crate) mod trainer;
mod vp_sde;

pub use belief::{BeliefPropagation, PlanarMessages};
pub use conditional_score_net::{ConditionalScoreConfig, ConditionalScoreNet};
pub use conv_denoiser::{ConvAt, ConvBatch, ConvDenoiser, ConvDenoiserConfig, ConvScore};
pub use denoiser::{
    Denoiser, ExactDenoiser, Tweedie, log_snr, log_snr_range, scale_and_variance, time_at_log_snr,
};
pub use denoiser_config::DenoiserConfig;
pub use ensemble::Ensemble;
pub use error::DiffusionError;
pub use gate::Gate;
pub use lambda_density::LambdaDensity;
pub use lattice_denoiser::{
    Conditioning, LatticeAt, LatticeBatch, LatticeData, LatticeDenoiser, LatticeScore,
};
pub use sampler::{
    Langevin, Predictor, Sampling, TimeGrid, probability_flow, reverse_sde, sample, sample_from,
    sample_from_observed,
};
pub use score::{GaussianScore, Score};
pub use score_net::{ScoreBatch, ScoreNet};
pub use spin_kind::SpinKind;
pub use symmetrised::{LatticeSymmetries, Symmetrised};
#[cfg(feature = "serde")]
pub use trainer::SavedModel;
pub use trainer::{RowBatch, ScoreTrainParams, ScoreTrainer, Trainable, Trainer};
pub use vp_sde::VpSde;
