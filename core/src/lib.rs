//! # entropic
//!
//! Physics-inspired generative modelling and entropy estimation: spin lattices, Monte Carlo
//! samplers, small networks with hand-written gradients, and entropy estimators, all behind small
//! traits. The crate is `#![no_std]` + `alloc`; the `std` feature (on by default) only adds
//! conveniences.
//!
//! The papers this crate implements live in the repository README. Every stochastic routine takes
//! an RNG (`&mut R` with `R: Rng + ?Sized`); the crate never gathers entropy itself.
//!
//! # Reproducibility
//!
//! The same seed gives the same bits on every target we build (x86_64, wasm32, no_std): every
//! transcendental function goes through [`libm`], and uniforms are drawn with
//! [`rng::uniform_f64`].
//!
//! # Examples
//!
//! Sample a 16×16 Ising model at T = 2 and compare the energy per spin with Onsager:
//!
//! ```
//! use entropic::prelude::*;
//! use entropic::lattice::{Ising, Square, Temperature, onsager};
//! use entropic::sampler::SingleFlip;
//! use entropic::stats::{MeanEstimate, SeriesRecorder};
//!
//! let model = Ising::new(Square::new(16, 16)?, 1.0, 0.0)?;
//! let t = Temperature::new(2.0)?;
//! let mut sampler = SingleFlip::checkerboard_metropolis(&model, t)?;
//! let mut state = model.ordered_state();
//! let mut rng = entropic::rng::from_seed(7);
//! run(&model, &mut sampler, &mut state, 200, &mut rng, &mut ());
//! let mut energy = SeriesRecorder::new(|s: &_| model.energy_per_spin(s));
//! run(&model, &mut sampler, &mut state, 2000, &mut rng, &mut energy);
//! let u = MeanEstimate::from_series(energy.series())?;
//! let exact = onsager::energy_per_spin(1.0, t)?;
//! assert!((u.value - exact).abs() < 5.0 * u.std_error + 0.01);
//! # Ok::<(), Box<dyn core::error::Error>>(())
//! ```
#![no_std]
#![deny(missing_docs)]
extern crate alloc;
#[cfg(any(test, feature = "std"))]
extern crate std;

#[cfg(feature = "data")]
pub mod data;
pub mod diffusion;
pub mod entropy;
pub mod estimate;
pub mod experiment;
#[cfg(feature = "serde")]
pub mod float_json;
pub mod grid;
pub mod latent;
pub mod lattice;
pub mod maxent;
pub mod model;
pub mod nn;
#[cfg(feature = "plot")]
pub mod plot;
pub mod prelude;
pub mod rng;
#[cfg(feature = "std")]
pub(crate) mod rows_on_threads;
pub mod sampler;
pub mod samples;
pub mod special;
pub mod stats;
#[cfg(test)]
pub(crate) mod test_util;
pub mod train;
pub mod vae;
