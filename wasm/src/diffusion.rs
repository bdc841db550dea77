//! [`DiffusionDemo`]: a shipped temperature-conditioned lattice denoiser (the `model.json` of
//! `entropic entropy ising`) denoising a lattice from noise step by step (the thesis' Fig. 4.1)
//! and estimating the entropy per spin at a temperature beside Kaufman's exact value.
use entropic::diffusion::{LatticeDenoiser, SpinKind, VpSde, sample_from_observed};
use entropic::experiment::{
    Algorithm, ChainConfig, Configs, ExperimentError, GenerationConfig, Hamiltonian,
    LatticeEntropy, LatticeEntropyConfig, LatticeSample, LatticeSampleConfig, Sequential,
    SpinConfigurations, concatenate,
};
use entropic::rng::{from_seed, normal_pair};
use wasm_bindgen::prelude::*;

/// A loaded Ising lattice denoiser.
#[wasm_bindgen]
#[derive(Debug)]
pub struct DiffusionDemo {
    bytes: Vec<u8>,
    model: LatticeDenoiser,
}

impl DiffusionDemo {
    /// Load a per-site Ising denoiser saved by `entropic entropy ising` (model.json).
    ///
    /// # Errors
    /// [`ExperimentError::Diffusion`] for bytes that are not such a model;
    /// [`ExperimentError::Config`] for a model of XY spins.
    pub fn try_new(bytes: &[u8]) -> Result<Self, ExperimentError> {
        let model = LatticeDenoiser::from_json(bytes)?;
        if model.kind() != SpinKind::Ising {
            return Err(ExperimentError::config(
                "model",
                "this page shows Ising models",
            ));
        }
        Ok(Self {
            bytes: bytes.to_vec(),
            model,
        })
    }

    /// The reverse SDE at temperature `t` from N(0, I) over `steps` steps (draws from `seed`):
    /// the state after every `every`-th step, side² values each, the last frame the sample.
    ///
    /// # Errors
    /// [`ExperimentError::Diffusion`] for a temperature the model refuses or zero steps.
    pub fn try_denoise(
        &self,
        t: f64,
        steps: usize,
        every: usize,
        seed: u64,
    ) -> Result<Vec<f64>, ExperimentError> {
        let mut score = self.model.at_temperature(t)?;
        let sampling = GenerationConfig {
            steps,
            ..GenerationConfig::default()
        }
        .sampling();
        let mut rng = from_seed(seed);
        let d = self.model.side() * self.model.side();
        let mut x: Vec<f64> = (0..d).map(|_| normal_pair(&mut rng).0).collect();
        let mut frames = x.clone();
        let every = every.max(1);
        sample_from_observed(
            &VpSde::default(),
            &mut score,
            &mut x,
            0,
            &sampling,
            &mut rng,
            |k, x| {
                if k % every == 0 || k == steps {
                    frames.extend_from_slice(x);
                }
            },
        )?;
        Ok(frames)
    }

    /// The entropy per spin at `t` (nats): `samples` Wolff configurations of the model's
    /// lattice (J = 1, h = 0; draws from `seed`), the model's I-MMSE estimate over the held-out
    /// quarter with `draws` Monte Carlo draws, and Kaufman's exact value. Returns [estimate,
    /// standard error, exact].
    ///
    /// # Errors
    /// The sampling's and the estimate's errors.
    pub fn try_entropy(
        &self,
        t: f64,
        samples: usize,
        draws: usize,
        seed: u64,
    ) -> Result<[f64; 3], ExperimentError> {
        let side = self.model.side();
        let sampling = LatticeSampleConfig {
            chain: ChainConfig {
                size: side,
                algorithm: Algorithm::Wolff,
                ..ChainConfig::default()
            },
            temperatures: vec![t],
            samples,
            ..LatticeSampleConfig::default()
        };
        let chains = LatticeSample::new(sampling)?.run(seed, &Sequential)?;
        let Configs::Spins(spins) = concatenate(&chains) else {
            return Err(ExperimentError::config("model", "Ising chains give spins"));
        };
        let raw = spins.into_iter().map(f64::from).collect();
        let data = SpinConfigurations::new(SpinKind::Ising, side, vec![t], samples, raw)?
            .with_hamiltonian(Hamiltonian::coupling(1.0))?;
        let mut config = LatticeEntropyConfig {
            draws,
            ..LatticeEntropyConfig::default()
        };
        config.generation.temperatures = Some(Vec::new());
        let run = LatticeEntropy::new(config, data)?;
        let model: LatticeDenoiser = run.load_model(&self.bytes)?;
        let row = run.estimate(&model, seed, &Sequential)?[0];
        let exact = row.reference.map_or(f64::NAN, |r| r.value);
        Ok([row.estimate.value, row.estimate.std_error, exact])
    }
}

fn js(e: ExperimentError) -> JsError {
    JsError::new(&e.to_string())
}

#[wasm_bindgen]
impl DiffusionDemo {
    /// Load a model file; throws a readable message for a corrupt or foreign file.
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: &[u8]) -> Result<DiffusionDemo, JsError> {
        Self::try_new(bytes).map_err(|e| JsError::new(&format!("the model file: {e}")))
    }

    /// Denoising frames (see the Rust method); throws for a bad temperature.
    pub fn denoise(
        &self,
        t: f64,
        steps: usize,
        every: usize,
        seed: u64,
    ) -> Result<Vec<f64>, JsError> {
        self.try_denoise(t, steps, every, seed).map_err(js)
    }

    /// [estimate, error, Kaufman] of the entropy per spin at `t`; throws for bad settings.
    pub fn entropy(
        &self,
        t: f64,
        samples: usize,
        draws: usize,
        seed: u64,
    ) -> Result<Vec<f64>, JsError> {
        self.try_entropy(t, samples, draws, seed)
            .map(|r| r.to_vec())
            .map_err(js)
    }

    /// Side length L of the model's lattice.
    pub fn side(&self) -> usize {
        self.model.side()
    }

    /// Kaufman's exact entropy per spin (nats) of the model's L×L torus at `t` (J = 1), NaN
    /// where it cannot be evaluated.
    #[wasm_bindgen(js_name = exactEntropy)]
    pub fn exact_entropy(&self, t: f64) -> f64 {
        let config = ChainConfig {
            size: self.model.side(),
            ..ChainConfig::default()
        };
        entropic::lattice::Temperature::new(t)
            .ok()
            .and_then(|t| config.exact(t).ok())
            .and_then(|e| e.entropy_per_spin)
            .unwrap_or(f64::NAN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODEL: &[u8] = include_bytes!("../www/models/ising20-site.json");

    #[test]
    fn the_shipped_model_denoises_and_estimates_the_entropy() {
        let demo = DiffusionDemo::try_new(MODEL).unwrap();
        assert_eq!(demo.side(), 20);
        let frames = demo.try_denoise(2.0, 100, 10, 1).unwrap();
        assert_eq!(
            frames.len(),
            11 * 400,
            "the noise and every 10th of 100 steps"
        );
        let last = &frames[10 * 400..];
        assert!(
            last.iter().all(|v| (v.abs() - 1.0).abs() < 0.5),
            "near ±1 at the end"
        );
        let [h, err, exact] = demo.try_entropy(3.0, 200, 800, 2).unwrap();
        assert!(err > 0.0 && err < 0.05);
        assert!(
            (h - exact).abs() < 5.0 * err + 0.02,
            "{h} ± {err} vs Kaufman {exact}"
        );
        assert!(DiffusionDemo::try_new(b"{}").is_err());
        assert!(demo.try_denoise(-1.0, 10, 1, 0).is_err());
    }
}
