//! [`LatticeSim`]: the core's [`LiveChain`] for the spin-lattice page.
use entropic::experiment::{
    Algorithm, ChainConfig, Configuration, ExperimentError, LiveChain, SpinModel,
};
use wasm_bindgen::prelude::*;

/// A running Ising or XY lattice (J = 1, h = 0) under any live algorithm, with running
/// estimates, exact references and its picture as RGBA pixels.
#[wasm_bindgen]
#[derive(Debug)]
pub struct LatticeSim {
    chain: LiveChain,
}

/// The model and algorithm named as in configs and on the command line.
fn chain_config(model: &str, algorithm: &str, size: usize) -> Result<ChainConfig, ExperimentError> {
    let model = match model {
        "ising" => SpinModel::Ising,
        "xy" => SpinModel::Xy,
        other => {
            return Err(ExperimentError::config(
                "model",
                format!("{other:?} is not a model (ising or xy)"),
            ));
        }
    };
    let algorithm = Algorithm::named(algorithm).ok_or_else(|| {
        ExperimentError::config("algorithm", format!("{algorithm:?} is not an algorithm"))
    })?;
    Ok(ChainConfig {
        model,
        algorithm,
        size,
        ..ChainConfig::default()
    })
}

/// An estimate as (value, error), NaN for none.
fn pair(m: Option<entropic::stats::MeanEstimate>) -> [f64; 2] {
    m.map_or([f64::NAN; 2], |m| [m.value, m.std_error])
}

impl LatticeSim {
    /// A `size`×`size` lattice of `model` ("ising" or "xy") under `algorithm` ("metropolis",
    /// "heat-bath", "wolff", "swendsen-wang") at `temperature`, from `seed`.
    ///
    /// # Errors
    /// [`ExperimentError`] for an unknown name, a bad size or temperature, or an algorithm the
    /// model lacks.
    pub fn try_new(
        model: &str,
        algorithm: &str,
        size: usize,
        temperature: f64,
        seed: u64,
    ) -> Result<Self, ExperimentError> {
        let config = chain_config(model, algorithm, size)?;
        entropic::experiment::check_memory("the picture", &[size, size, 4])?;
        Ok(Self {
            chain: LiveChain::new(config, temperature, seed)?,
        })
    }
}

/// A fully saturated colour of hue `h` ∈ [0, 1) (the colour wheel: an angle's direction).
fn hue(h: f64) -> [u8; 3] {
    let x = (h - h.floor()) * 6.0;
    let f = x - x.floor();
    let (up, down) = ((255.0 * f) as u8, (255.0 * (1.0 - f)) as u8);
    match x as u8 {
        0 => [255, up, 0],
        1 => [down, 255, 0],
        2 => [0, 255, up],
        3 => [0, down, 255],
        4 => [up, 0, 255],
        _ => [255, 0, down],
    }
}

fn js(e: ExperimentError) -> JsError {
    JsError::new(&e.to_string())
}

#[wasm_bindgen]
impl LatticeSim {
    /// Create a simulation; throws a readable message for bad settings.
    #[wasm_bindgen(constructor)]
    pub fn new(
        model: &str,
        algorithm: &str,
        size: usize,
        temperature: f64,
        seed: u64,
    ) -> Result<LatticeSim, JsError> {
        Self::try_new(model, algorithm, size, temperature, seed).map_err(js)
    }

    /// Move to another temperature (the configuration is kept, the estimates restart); throws
    /// unless it is positive and finite, leaving the simulation as it was.
    #[wasm_bindgen(js_name = setTemperature)]
    pub fn set_temperature(&mut self, temperature: f64) -> Result<(), JsError> {
        self.chain.set_temperature(temperature).map_err(js)
    }

    /// Run `steps` steps; returns their acceptance rate.
    pub fn step(&mut self, steps: u32) -> f64 {
        self.chain.step(steps as usize)
    }

    /// [e, δe, |m|, δ|m|, vortex density, δ] since the last temperature change (NaN where not
    /// yet available, or not XY).
    pub fn estimates(&self) -> Vec<f64> {
        let e = self.chain.estimates();
        [e.energy, e.abs_magnetization, e.vortex_density]
            .into_iter()
            .flat_map(pair)
            .collect()
    }

    /// Exact values at the current temperature: [Kaufman's e of this L×L torus, its entropy per
    /// spin, Onsager's entropy per spin (L = ∞)] for Ising; [XY spin-wave entropy, XY
    /// high-temperature entropy] for XY (excess over ln 2π); NaN where none exists.
    pub fn exact(&self) -> Vec<f64> {
        let nan = f64::NAN;
        match self.chain.exact() {
            Ok(x) => match self.chain.config().model {
                SpinModel::Ising => vec![
                    x.energy_per_spin.unwrap_or(nan),
                    x.entropy_per_spin.unwrap_or(nan),
                    x.onsager_entropy_per_spin.unwrap_or(nan),
                ],
                SpinModel::Xy => vec![
                    x.xy_spin_wave_entropy.unwrap_or(nan),
                    x.xy_high_temperature_entropy.unwrap_or(nan),
                ],
            },
            Err(_) => vec![nan; 3],
        }
    }

    /// The configuration as an RGBA picture (size × size × 4 bytes): Ising spins dark blue (+1)
    /// and white (−1), XY angles as hues.
    #[wasm_bindgen(js_name = picture)]
    pub fn picture(&self) -> Vec<u8> {
        let rgba = |[r, g, b]: [u8; 3]| [r, g, b, 255];
        match self.chain.configuration() {
            Configuration::Spins(s) => s
                .iter()
                .flat_map(|&spin| {
                    rgba(if spin > 0 {
                        [30, 40, 90]
                    } else {
                        [235, 235, 245]
                    })
                })
                .collect(),
            Configuration::Angles(a) => a
                .iter()
                .flat_map(|&theta| rgba(hue(theta / core::f64::consts::TAU)))
                .collect(),
        }
    }

    /// Current temperature.
    pub fn temperature(&self) -> f64 {
        self.chain.temperature()
    }

    /// Steps run so far.
    pub fn steps(&self) -> u64 {
        self.chain.steps()
    }

    /// Side length L.
    pub fn size(&self) -> usize {
        self.chain.config().size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ising_magnetisation_falls_with_temperature() {
        let mut sim = LatticeSim::try_new("ising", "wolff", 32, 1.5, 1).unwrap();
        sim.step(200);
        let cold = sim.estimates()[2];
        sim.set_temperature(4.0).unwrap();
        sim.step(200);
        let hot = sim.estimates()[2];
        assert!(cold > 0.9 && hot < 0.3, "{cold} → {hot}");
        assert_eq!(sim.steps(), 400);
        assert!(sim.estimates()[4].is_nan(), "no vortices for Ising");
        let exact = sim.exact();
        assert!((exact[2] - 0.6).abs() < 0.05, "Onsager at T = 4: {exact:?}");
    }

    #[test]
    fn xy_paints_hues_and_counts_vortices() {
        let mut sim = LatticeSim::try_new("xy", "metropolis", 16, 2.0, 3).unwrap();
        sim.step(100);
        assert!(sim.estimates()[4] > 0.05);
        let picture = sim.picture();
        let colours: std::collections::BTreeSet<&[u8]> = picture.chunks(4).collect();
        assert!(colours.len() > 20, "angles as many hues");
        assert!(picture.chunks(4).all(|p| p[3] == 255));
    }

    #[test]
    fn bad_parameters_give_readable_errors() {
        for (model, algorithm, size, t, needle) in [
            ("ising", "metropolis", 7, 2.0, "even"),
            ("ising", "metropolis", 8, 0.0, "temperature"),
            ("potts", "metropolis", 8, 2.0, "not a model"),
            ("ising", "gibbs", 8, 2.0, "not an algorithm"),
            ("xy", "heat-bath", 8, 2.0, "XY"),
            ("ising", "multispin", 8, 2.0, "64 replicas"),
            ("ising", "wolff", 1 << 40, 2.0, "refused"),
        ] {
            let e = LatticeSim::try_new(model, algorithm, size, t, 0).unwrap_err();
            assert!(
                e.to_string().contains(needle),
                "{model} {algorithm} {size} {t}: {e}"
            );
        }
        let mut sim = LatticeSim::try_new("ising", "metropolis", 8, 2.0, 0).unwrap();
        assert!(sim.chain.set_temperature(f64::NAN).is_err());
        assert_eq!(sim.temperature(), 2.0);
    }
}
