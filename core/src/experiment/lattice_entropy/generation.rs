//! The generation check of a lattice entropy run: reverse-SDE samples of the trained denoiser
//! against the Monte Carlo configurations, temperature by temperature.
use super::{LatticeDenoisers, LatticeEntropy};
use crate::diffusion::{
    Langevin, Predictor, Sampling, TimeGrid, Tweedie, VpSde, log_snr, sample, sample_from,
};
use crate::experiment::check_cancelled;
use crate::experiment::{ExperimentError, Runtime};
use crate::rng::substream;
use crate::stats::IndependentMean;
use alloc::vec;
use alloc::vec::Vec;

/// Reverse-SDE samples per task of the generation check. Piece j of temperature k draws from
/// [`substream`]`(seed, 1000 + k, j)`, so the result does not depend on the thread count.
pub const GENERATION_PIECE: usize = 60;

/// Settings of the generation check.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct GenerationConfig {
    /// Temperatures checked, each matched to the nearest data temperature (within half the
    /// grid spacing); empty for no check. Default (absent): 1.5, 2.3, 3.0 for Ising data,
    /// 0.3, 0.9, 1.3 for XY data.
    pub temperatures: Option<Vec<f64>>,
    /// Configurations generated per temperature (≥ 2). Default 400.
    pub samples: usize,
    /// Predictor steps of the reverse SDE (≥ 1). Default 1000.
    pub steps: usize,
    /// The predictor step. Default Euler–Maruyama (Eq. 2.46).
    pub predictor: Predictor,
    /// Where the steps lie. Default uniform in t.
    pub grid: TimeGrid,
    /// Langevin corrector moves before each predictor step (0: the plain reverse SDE).
    /// Default 1.
    pub corrector_steps: usize,
    /// Signal-to-noise ratio r of the corrector's step ε = 2 (r ⟨|z|⟩/⟨|s|⟩)² (> 0).
    /// Default 0.08.
    pub corrector_snr: f64,
    /// Make the corrector moves only at grid times whose log-SNR lies in [lo, hi]. Default:
    /// at every time.
    #[cfg_attr(
        feature = "serde",
        serde(
            default,
            deserialize_with = "crate::experiment::exact_length::optional_pair"
        )
    )]
    pub corrector_window: Option<(f64, f64)>,
    /// Partial generation: start from held-out Monte Carlo configurations perturbed to the
    /// first grid step whose log-SNR is at least this, instead of from noise; the result adds
    /// the paired drift of e and |m| from the starting configurations, the model's error at
    /// noise levels below this alone. Default: from noise.
    pub from_log_snr: Option<f64>,
}

impl Default for GenerationConfig {
    fn default() -> Self {
        Self {
            temperatures: None,
            samples: 400,
            steps: 1000,
            predictor: Predictor::EulerMaruyama,
            grid: TimeGrid::Uniform,
            corrector_steps: 1,
            corrector_snr: 0.08,
            corrector_window: None,
            from_log_snr: None,
        }
    }
}

impl GenerationConfig {
    /// The sampler these settings describe.
    pub fn sampling(&self) -> Sampling {
        Sampling {
            steps: self.steps,
            predictor: self.predictor,
            corrector: (self.corrector_steps > 0).then_some(Langevin {
                window: self.corrector_window,
                ..Langevin::everywhere(self.corrector_steps, self.corrector_snr)
            }),
            grid: self.grid,
        }
    }
}

/// One temperature of the generation check: energy and |m| per spin of the generated and the
/// Monte Carlo configurations (all of the temperature's, training and held out).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct GenerationRow {
    /// Temperature (a data temperature).
    pub temperature: f64,
    /// Energy per spin of the generated configurations.
    pub energy_generated: IndependentMean,
    /// Energy per spin of the Monte Carlo configurations.
    pub energy_mc: IndependentMean,
    /// |m| per spin of the generated configurations.
    pub abs_m_generated: IndependentMean,
    /// |m| per spin of the Monte Carlo configurations.
    pub abs_m_mc: IndependentMean,
    /// Partial generation: the paired differences of the generated configurations from the
    /// held-out ones they started from.
    pub drift: Option<Drift>,
    /// XY: vortices + antivortices per site, generated and Monte Carlo.
    pub vortices: Option<(IndependentMean, IndependentMean)>,
}

/// Partial generation's paired differences, generated minus starting configuration, averaged
/// over the pairs: the error made below the starting noise level alone.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Drift {
    /// Energy per spin.
    pub energy: IndependentMean,
    /// |m| per spin.
    pub abs_m: IndependentMean,
    /// XY: vortices + antivortices per site.
    pub vortices: Option<IndependentMean>,
}

/// The generation check's result.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Generation {
    /// One row per checked temperature.
    pub rows: Vec<GenerationRow>,
    /// The generated configurations per checked temperature, raw (spins or angles), samples × L².
    pub configurations: Vec<Vec<f64>>,
    /// The grid step generation started at (0 from noise).
    pub start_step: usize,
}

impl LatticeEntropy {
    /// The grid step at which generation starts: 0, or with `from_log_snr` = λ the first step
    /// whose log-SNR is at least λ.
    pub(super) fn start_step(config: &GenerationConfig) -> Result<usize, ExperimentError> {
        let Some(lambda) = config.from_log_snr else {
            return Ok(0);
        };
        let (sde, sampling) = (VpSde::default(), config.sampling());
        let last = log_snr(&sde, sampling.time(&sde, sampling.steps - 1));
        if !(lambda.is_finite() && lambda <= last) {
            return Err(ExperimentError::config(
                "generation.from_log_snr",
                alloc::format!("must be a log-SNR at most {last:.2}, the grid's last step"),
            ));
        }
        Ok((0..sampling.steps)
            .find(|&k| log_snr(&sde, sampling.time(&sde, k)) >= lambda)
            .unwrap_or(0))
    }

    /// Generate the configured number of configurations at each checked temperature with the
    /// reverse SDE of `model` and compare them with the Monte Carlo data: in tasks of
    /// [`GENERATION_PIECE`] samples, piece j of data temperature k drawing from
    /// [`substream`]`(seed, 1000 + k, j)`.
    ///
    /// # Errors
    /// [`ExperimentError::Cancelled`], or the sampler's [`ExperimentError::Diffusion`].
    pub fn generate<M: LatticeDenoisers + ?Sized, R: Runtime>(
        &self,
        model: &M,
        seed: u64,
        rt: &R,
    ) -> Result<Generation, ExperimentError> {
        let (data, config) = (&self.data, &self.config.generation);
        let (n_gen, n_train) = (config.samples, self.training_per_temperature());
        let sampling = config.sampling();
        let sde = VpSde::default();
        let pieces: Vec<(usize, usize, usize)> = self
            .generation_temperatures
            .iter()
            .enumerate()
            .flat_map(|(slot, &k)| (0..n_gen.div_ceil(GENERATION_PIECE)).map(move |j| (slot, k, j)))
            .collect();
        let generated = rt.map("generation", pieces.len(), |p| {
            check_cancelled(rt)?;
            let (_, k, j) = pieces[p];
            let mut score = Tweedie::new(sde, self.denoiser_at(model, data.temperatures()[k])?);
            let mut rng = substream(seed, 1000 + k, j);
            let (first, end) = (
                j * GENERATION_PIECE,
                ((j + 1) * GENERATION_PIECE).min(n_gen),
            );
            let x = if config.from_log_snr.is_some() {
                let clean = data.values(k, n_train + first, n_train + end);
                let t = sampling.time(&sde, self.start_step);
                let d = clean.len() / (end - first);
                let mut x = vec![0.0; clean.len()];
                let mut noise = vec![0.0; d];
                for (row, c) in x.chunks_mut(d).zip(clean.chunks(d)) {
                    sde.perturb(c, t, &mut rng, row, &mut noise);
                }
                sample_from(
                    &sde,
                    &mut score,
                    &mut x,
                    self.start_step,
                    &sampling,
                    &mut rng,
                )?;
                x
            } else {
                sample(&sde, &mut score, end - first, &sampling, &mut rng)?
            };
            Ok::<_, ExperimentError>(data.raw_from_values(&x))
        });
        let mut configurations = vec![Vec::new(); self.generation_temperatures.len()];
        for (&(slot, _, _), piece) in pieces.iter().zip(generated) {
            configurations[slot].extend(piece?);
        }
        let rows = self
            .generation_temperatures
            .iter()
            .zip(&configurations)
            .map(|(&k, raw)| self.compare(k, raw))
            .collect::<Result<_, _>>()?;
        Ok(Generation {
            rows,
            configurations,
            start_step: self.start_step,
        })
    }

    /// The row of data temperature k for generated configurations `raw`.
    fn compare(&self, k: usize, raw: &[f64]) -> Result<GenerationRow, ExperimentError> {
        let data = &self.data;
        let mc = data.raw(k, 0, data.per_temperature());
        let ((ge, gm), (de, dm)) = (data.observables(raw)?, data.observables(mc)?);
        let (gv, dv) = (data.vortices(raw)?, data.vortices(mc)?);
        let drift = match self.config.generation.from_log_snr {
            Some(_) => {
                let n_train = self.training_per_temperature();
                let start = data.raw(k, n_train, n_train + self.config.generation.samples);
                let (e0, m0) = data.observables(start)?;
                let paired = |a: &[f64], b: &[f64]| -> IndependentMean {
                    IndependentMean::of(&a.iter().zip(b).map(|(a, b)| a - b).collect::<Vec<_>>())
                };
                Some(Drift {
                    energy: paired(&ge, &e0),
                    abs_m: paired(&gm, &m0),
                    vortices: gv
                        .as_deref()
                        .zip(data.vortices(start)?)
                        .map(|(g, v0)| paired(g, &v0)),
                })
            }
            None => None,
        };
        Ok(GenerationRow {
            temperature: data.temperatures()[k],
            energy_generated: IndependentMean::of(&ge),
            energy_mc: IndependentMean::of(&de),
            abs_m_generated: IndependentMean::of(&gm),
            abs_m_mc: IndependentMean::of(&dm),
            drift,
            vortices: gv
                .zip(dv)
                .map(|(g, d)| (IndependentMean::of(&g), IndependentMean::of(&d))),
        })
    }
}
