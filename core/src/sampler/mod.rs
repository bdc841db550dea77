//! Markov-chain samplers, each implementing [`crate::model::Sampler`] for the models it supports.
mod checkerboard;
mod multispin;
mod single_flip;
mod wolff;

pub use multispin::MultiSpin;
pub use single_flip::{FlipRule, SingleFlip, SweepOrder};
pub use wolff::Wolff;
