//! Markov-chain samplers, each implementing [`crate::model::Sampler`] for the models it supports.
mod checkerboard;
mod multispin;
mod replica_exchange;
mod single_flip;
mod swendsen_wang;
mod wolff;
mod xy_metropolis;

pub use multispin::MultiSpin;
pub use replica_exchange::{ReplicaExchange, swap_probability};
pub use single_flip::{FlipRule, MIN_CHECKERBOARD_METROPOLIS_COUPLING, SingleFlip, SweepOrder};
pub use swendsen_wang::SwendsenWang;
pub use wolff::{OnSquare, Wolff};
pub use xy_metropolis::XyMetropolis;
