//! entropic in the browser. [`IsingSim`] drives the core's checkerboard Metropolis sampler; the
//! page in `www/` draws its spins on a canvas straight from wasm memory (zero copy).
//!
//! Every method has a plain-Rust twin in the same `impl`, so native tests exercise the same code
//! the page runs; the `#[wasm_bindgen]` layer only converts errors to `JsError`.
#![deny(missing_docs)]

use entropic::lattice::{Ising, IsingState, LatticeError, Square, Temperature};
use entropic::model::Sampler;
use entropic::rng::Xoshiro256PlusPlus;
use entropic::sampler::SingleFlip;
use wasm_bindgen::prelude::*;

/// A running Ising simulation: an L×L lattice (cold start), J = 1, h = 0.
#[wasm_bindgen]
#[derive(Debug)]
pub struct IsingSim {
    model: Ising,
    sampler: SingleFlip,
    state: IsingState,
    rng: Xoshiro256PlusPlus,
    sweeps: u64,
}

impl IsingSim {
    /// A simulation of an `size`×`size` lattice at `temperature`.
    ///
    /// # Errors
    /// [`LatticeError`] for an odd or too-small size or a non-positive temperature.
    pub fn try_new(size: usize, temperature: f64, seed: u64) -> Result<Self, LatticeError> {
        let model = Ising::new(Square::with_side(size)?, 1.0, 0.0)?;
        let sampler = SingleFlip::checkerboard_metropolis(&model, Temperature::new(temperature)?)?;
        let state = model.ordered_state();
        Ok(Self {
            model,
            sampler,
            state,
            rng: entropic::rng::from_seed(seed),
            sweeps: 0,
        })
    }

    /// Change the temperature.
    ///
    /// # Errors
    /// [`LatticeError::Temperature`] unless the temperature is positive and finite.
    pub fn try_set_temperature(&mut self, temperature: f64) -> Result<(), LatticeError> {
        self.sampler
            .set_temperature(&self.model, Temperature::new(temperature)?)
    }

    /// The spins, row-major, ±1.
    pub fn spins(&self) -> &[i8] {
        self.state.spins()
    }
}

#[wasm_bindgen]
impl IsingSim {
    /// Create a simulation; throws on an odd or too-small size or a bad temperature.
    #[wasm_bindgen(constructor)]
    pub fn new(size: usize, temperature: f64, seed: u64) -> Result<IsingSim, JsError> {
        Self::try_new(size, temperature, seed).map_err(|e| JsError::new(&e.to_string()))
    }

    /// Change the temperature; throws unless it is positive and finite.
    #[wasm_bindgen(js_name = setTemperature)]
    pub fn set_temperature(&mut self, temperature: f64) -> Result<(), JsError> {
        self.try_set_temperature(temperature)
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// Run `sweeps` Metropolis sweeps; returns the acceptance rate.
    pub fn step(&mut self, sweeps: u32) -> f64 {
        let mut stats = entropic::model::StepStats::default();
        for _ in 0..sweeps {
            stats += self
                .sampler
                .step(&self.model, &mut self.state, &mut self.rng);
        }
        self.sweeps += u64::from(sweeps);
        stats.acceptance()
    }

    /// Current temperature.
    pub fn temperature(&self) -> f64 {
        self.sampler.temperature().value()
    }

    /// Sweeps run so far.
    pub fn sweeps(&self) -> u64 {
        self.sweeps
    }

    /// Side length L.
    pub fn size(&self) -> usize {
        self.model.lattice().lx()
    }

    /// Energy per spin of the current state.
    #[wasm_bindgen(js_name = energyPerSpin)]
    pub fn energy_per_spin(&self) -> f64 {
        self.model.energy_per_spin(&self.state)
    }

    /// |m| per spin of the current state.
    #[wasm_bindgen(js_name = absMagnetization)]
    pub fn abs_magnetization(&self) -> f64 {
        self.model.abs_magnetization_per_spin(&self.state)
    }

    /// Address of the spin array in wasm memory, for a zero-copy `Int8Array` view of
    /// `size * size` bytes. Re-create the view after memory grows.
    #[wasm_bindgen(js_name = spinsPtr)]
    pub fn spins_ptr(&self) -> *const i8 {
        self.state.spins().as_ptr()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magnetization_falls_with_temperature() {
        let mut sim = IsingSim::try_new(32, 1.5, 1).unwrap();
        sim.step(200);
        let cold = sim.abs_magnetization();
        sim.try_set_temperature(4.0).unwrap();
        sim.step(200);
        assert!(
            cold > 0.9 && sim.abs_magnetization() < 0.3,
            "{cold} → {}",
            sim.abs_magnetization()
        );
        assert_eq!(sim.sweeps(), 400);
    }

    #[test]
    fn bad_parameters() {
        assert!(IsingSim::try_new(7, 2.0, 0).is_err());
        assert!(IsingSim::try_new(8, 0.0, 0).is_err());
        let mut sim = IsingSim::try_new(8, 2.0, 0).unwrap();
        assert!(sim.try_set_temperature(f64::NAN).is_err());
        assert_eq!(sim.temperature(), 2.0);
    }
}
