//! Markov-chain samplers, each implementing [`crate::model::Sampler`] for the models it supports.
mod checkerboard_metropolis;

pub use checkerboard_metropolis::CheckerboardMetropolis;
