//! Markov-chain samplers, each implementing [`crate::model::Sampler`] for the models it supports.
mod single_flip;

pub use single_flip::{FlipRule, SingleFlip, SweepOrder};
