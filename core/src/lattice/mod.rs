//! Spin lattices: geometry ([`Square`]), models ([`Ising`], [`PackedIsing`], [`Xy`]), XY vortices
//! ([`plaquette_charges`]), temperatures, and exact thermodynamic references ([`onsager`],
//! [`kaufman`], [`enumeration`]).
//!
//! Conventions (diffusion-entropy thesis, Eq. 3.1): H = −J Σ_⟨ij⟩ sᵢsⱼ − h Σᵢ sᵢ over the
//! nearest-neighbour bonds of a periodic Lx×Ly square lattice, Boltzmann weight exp(−H/T) with
//! k_B = 1. Every site has four bond slots, so a side of length 2 carries two bonds between the
//! same pair of sites (the usual periodic convention, and the one enumeration and Kaufman use).
pub mod enumeration;
mod error;
mod exact_row;
mod ising;
pub mod ising_series;
pub mod kaufman;
pub mod onsager;
mod packed;
mod square;
mod temperature;
mod vortex;
mod xy;
pub mod xy_limits;

pub(crate) use error::Readable;
pub use error::{LatticeError, MAX_COUPLING};
pub use exact_row::ExactRow;
pub use ising::{Ising, IsingState};
pub use packed::{PackedIsing, PackedState, REPLICAS};
pub use square::Square;
pub use temperature::Temperature;
pub use vortex::{plaquette_charges, vortex_density};
pub use xy::{Xy, XyState, wrap_angle};
