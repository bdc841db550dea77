//! Markov-chain samplers, each implementing [`crate::model::Sampler`] for the models it supports.
mod single_flip;
mod wolff;

pub use single_flip::{FlipRule, SingleFlip, SweepOrder};
pub use wolff::Wolff;
