//! A `#![no_std]` user of the entropic core.
//!
//! `.ci/run` builds this crate alone for `thumbv7em-none-eabihf`, a target for which no `std`
//! exists: if the core or any of its dependencies pulled in `std` (through a default feature, say),
//! that build fails with "can't find crate for `std`". Building it as part of the whole workspace
//! proves nothing, because cargo unifies features across the packages it builds together.
#![no_std]

use entropic::lattice::{Ising, LatticeError, Square, Temperature};
use entropic::model::run;
use entropic::sampler::SingleFlip;

/// Runs a short simulation through the public API and returns the energy per spin.
///
/// # Errors
/// Whatever the core rejects.
pub fn energy_after(sweeps: usize, seed: u64) -> Result<f64, LatticeError> {
    let model = Ising::new(Square::with_side(8)?, 1.0, 0.0)?;
    let mut sampler = SingleFlip::checkerboard_metropolis(&model, Temperature::new(2.0)?)?;
    let mut state = model.ordered_state();
    run(
        &model,
        &mut sampler,
        &mut state,
        sweeps,
        &mut entropic::rng::from_seed(seed),
        &mut (),
    );
    Ok(model.energy_per_spin(&state))
}
