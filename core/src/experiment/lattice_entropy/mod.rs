//! Lattice entropies from one temperature-conditioned denoiser (thesis Ch. 4, Tables 4.2–4.3):
//! the library side of `entropic entropy ising | xy`.
//!
//! A [`LatticeDenoiser`] conditioned on temperature is trained by denoising score matching on
//! all temperatures' training configurations; the entropy per spin at each temperature is the
//! I-MMSE integral ([`Immse`], Eq. 4.6) over that temperature's held-out configurations, compared
//! with Kaufman's exact finite-lattice value (Ising) or a thermodynamic-integration reference
//! (XY, excess entropy s − ln 2π); the reverse SDE of the same model generates configurations
//! whose energy, |m| and vortex density are compared with the Monte Carlo data.
//!
//! The run is split into its stages so a front end can checkpoint training: [`LatticeEntropy::trainer`]
//! (or [`LatticeEntropy::resume`]) → drive it with [`Executor`](crate::train::Executor) →
//! [`LatticeEntropy::estimate`], [`LatticeEntropy::generate`], [`LatticeEntropy::denoising`].
//! [`LatticeEntropy::run`] does all of them in one call.
#[cfg(feature = "serde")]
mod checkpoint;
mod configurations;
mod generation;
mod model;
mod report;
#[cfg(test)]
mod tests;

pub use crate::diffusion::ConvDenoiserConfig;
pub use crate::diffusion::DenoiserConfig;
pub use configurations::{Hamiltonian, SpinConfigurations};
pub use generation::{Drift, GENERATION_PIECE, Generation, GenerationConfig, GenerationRow};
pub use model::{LatticeDenoisers, LatticeModel, ModelChoice};
pub use report::LatticeEntropyReport;

use super::{ExperimentError, Runtime, check_memory, check_network, where_defined};
use crate::diffusion::{
    Conditioning, ConvDenoiser, Denoiser, LatticeData, LatticeDenoiser, LatticeSymmetries,
    ScoreTrainParams, SpinKind, Symmetrised, Trainer, VpSde, scale_and_variance,
};
use crate::entropy::{EntropyError, EntropyEstimator, Immse};
use crate::estimate::{Estimate, Unit};
use crate::experiment::check_cancelled;
use crate::lattice::{Ising, Square, Temperature, kaufman};
use crate::rng::{Xoshiro256PlusPlus, normal_pair, stream};
use crate::samples::Samples;
use crate::train::{Executor, Iterative};
use alloc::vec;
use alloc::vec::Vec;

/// Largest β|J| = |J|/T for which the denoiser runs belief propagation.
pub const MAX_PROPAGATION_BETA: f64 = 18.0;
/// Lowest temperature for which the denoiser runs belief propagation at |J| = 1,
/// 1/[`MAX_PROPAGATION_BETA`] (|J|/[`MAX_PROPAGATION_BETA`] for another coupling).
pub const MIN_PROPAGATION_T: f64 = 1.0 / MAX_PROPAGATION_BETA;

/// Settings of the denoiser's training ([`ScoreTrainParams`]).
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct TrainingConfig {
    /// Adam steps. Default 20 000.
    pub steps: usize,
    /// Configurations per step (32 random sites of each enter the loss). Default 64.
    pub batch: usize,
    /// Adam learning rate, cosine-decayed to 0. Default 2·10⁻³.
    pub learning_rate: f64,
    /// EMA decay of the weights used for inference. Default 0.999.
    pub ema_decay: f64,
    /// Data-parallel parts of each batch ([`ScoreTrainParams::parts`]). Default 1.
    pub parts: usize,
}

impl Default for TrainingConfig {
    fn default() -> Self {
        Self {
            steps: 20_000,
            batch: 64,
            learning_rate: 2e-3,
            ema_decay: 0.999,
            parts: 1,
        }
    }
}

impl From<TrainingConfig> for ScoreTrainParams {
    fn from(c: TrainingConfig) -> Self {
        Self {
            steps: c.steps,
            batch: c.batch,
            learning_rate: c.learning_rate,
            ema_decay: c.ema_decay,
            parts: c.parts,
        }
    }
}

impl From<ScoreTrainParams> for TrainingConfig {
    fn from(p: ScoreTrainParams) -> Self {
        Self {
            steps: p.steps,
            batch: p.batch,
            learning_rate: p.learning_rate,
            ema_decay: p.ema_decay,
            parts: p.parts,
        }
    }
}

/// Settings of a [`LatticeEntropy`] run.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct LatticeEntropyConfig {
    /// Fraction of each temperature's configurations held out of training (0 < f < 1; at
    /// least 2 held out, at least one left); the entropy is estimated on these. Default 0.25.
    pub holdout: f64,
    /// Which model is trained ([`ModelChoice`]). Default the per-site model.
    pub model: ModelChoice,
    /// The per-site model's settings.
    pub denoiser: DenoiserConfig,
    /// The whole-lattice model's settings.
    pub conv: ConvDenoiserConfig,
    /// Its training.
    pub training: TrainingConfig,
    /// Monte Carlo draws of the I-MMSE integral per temperature (≥ 2 per λ-cell). Default 8000.
    pub draws: usize,
    /// λ-cells of the stratified integral (≥ 1). Default 40.
    pub strata: usize,
    /// The generation check.
    pub generation: GenerationConfig,
    /// Symmetries the data are assumed to have, over which the trained model is averaged for
    /// the estimates, the generation and the denoising examples ([`Symmetrised`]: never a worse
    /// denoiser when the assumption holds; |G| times the evaluations). The spin reflection is
    /// refused for data whose recorded Hamiltonian has a field. Default none.
    pub symmetries: LatticeSymmetries,
}

impl Default for LatticeEntropyConfig {
    fn default() -> Self {
        Self {
            holdout: 0.25,
            model: ModelChoice::default(),
            denoiser: DenoiserConfig::default(),
            conv: ConvDenoiserConfig::default(),
            training: TrainingConfig::default(),
            draws: 8000,
            strata: 40,
            generation: GenerationConfig::default(),
            symmetries: LatticeSymmetries::default(),
        }
    }
}

/// The entropy per spin at one data temperature (nats; XY: the excess s − ln 2π).
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct EntropyRow {
    /// Temperature.
    pub temperature: f64,
    /// The I-MMSE estimate on the held-out configurations.
    pub estimate: Estimate,
    /// Kaufman's exact value (Ising) or the given reference (XY), where there is one.
    pub reference: Option<Estimate>,
}

impl EntropyRow {
    /// Estimate − reference, if there is a reference.
    pub fn error(&self) -> Option<f64> {
        self.reference.map(|r| self.estimate.value - r.value)
    }
}

/// One panel of the thesis' Fig. 4.1 / 4.3: a held-out configuration, its noisy version at
/// λ = 0 (signal-to-noise ratio 1) and the model's posterior mean E[s | x], first coordinate
/// per site (the spin, or cos θ).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DenoisingExample {
    /// Temperature.
    pub temperature: f64,
    /// The clean configuration.
    pub real: Vec<f64>,
    /// Its noisy version.
    pub noisy: Vec<f64>,
    /// The model's posterior mean.
    pub denoised: Vec<f64>,
}

/// Everything [`LatticeEntropy::run`] produces.
#[derive(Clone, Debug)]
pub struct LatticeEntropyResult<M = LatticeDenoiser> {
    /// The trained model (EMA weights), or the model(s) given to [`LatticeEntropy::evaluate`].
    pub model: M,
    /// Training loss per step.
    pub losses: Vec<f64>,
    /// The entropy table, one row per data temperature.
    pub rows: Vec<EntropyRow>,
    /// The generation check.
    pub generation: Generation,
    /// Denoising examples at the checked temperatures.
    pub denoising: Vec<DenoisingExample>,
}

/// A validated lattice entropy run over given configurations.
///
/// # Examples
/// A 4×4 Ising lattice at two temperatures, a few training steps (a real run trains for
/// thousands): the estimate is an upper bound on Kaufman's exact entropy up to its error bar.
/// ```
/// use entropic::experiment::{
///     LatticeEntropy, LatticeEntropyConfig, LatticeSample, LatticeSampleConfig, Sequential,
///     SpinConfigurations,
/// };
/// let mut sampling = LatticeSampleConfig::default();
/// sampling.chain.size = 4;
/// sampling.temperatures = vec![2.0, 3.5];
/// sampling.samples = 40;
/// let sampling = LatticeSample::new(sampling)?;
/// let data = SpinConfigurations::from_sample(&sampling, &sampling.run(1, &Sequential)?)?;
/// let mut config = LatticeEntropyConfig::default();
/// config.training.steps = 20;
/// config.denoiser.hidden = vec![8];
/// config.draws = 400;
/// config.generation.temperatures = Some(vec![]);
/// let run = LatticeEntropy::new(config, data)?;
/// let result = run.run::<entropic::diffusion::LatticeDenoiser, _>(7, &Sequential)?;
/// for row in &result.rows {
///     let exact = row.reference.expect("Kaufman's value on a 4×4 torus");
///     assert!(row.estimate.value > exact.value - 4.0 * row.estimate.std_error);
/// }
/// # Ok::<(), entropic::experiment::ExperimentError>(())
/// ```
#[derive(Clone, Debug)]
pub struct LatticeEntropy {
    config: LatticeEntropyConfig,
    data: SpinConfigurations,
    references: Vec<Option<Estimate>>,
    holdout: usize,
    generation_temperatures: Vec<usize>,
    start_step: usize,
    training: LatticeData,
}

/// Error bars by which an estimate may leave its possible range before it is an error.
const RANGE_SIGMAS: f64 = 5.0;

/// Refuse an entropy per spin outside what the spins allow: [0, ln 2] for Ising spins, at most 0
/// for the XY excess entropy s − ln 2π (the uniform angle maximises it), beyond
/// [`RANGE_SIGMAS`] error bars; and any non-finite estimate.
fn check_range(kind: SpinKind, e: Estimate) -> Result<(), ExperimentError> {
    let (what, low, high) = match kind {
        SpinKind::Ising => ("the entropy per spin", 0.0, core::f64::consts::LN_2),
        SpinKind::Planar => ("the excess entropy per spin", f64::NEG_INFINITY, 0.0),
    };
    let slack = RANGE_SIGMAS * e.std_error;
    if e.value.is_finite()
        && e.std_error.is_finite()
        && e.value + slack >= low
        && e.value - slack <= high
    {
        Ok(())
    } else {
        Err(ExperimentError::OutOfRange {
            what,
            value: e.value,
            std_error: e.std_error,
            low,
            high,
        })
    }
}

impl LatticeEntropy {
    /// Check `config` against `data` and prepare the training set: every setting (incl. building
    /// the model once) is checked here, before any training. Ising references are Kaufman's
    /// exact values for the data's lattice and stated Hamiltonian (none without one, with a field
    /// or for an odd antiferromagnet); XY runs have none until [`Self::with_reference`]. The
    /// per-site model takes the coupling of the data's Hamiltonian
    /// ([`DenoiserConfig::coupling`]).
    ///
    /// # Errors
    /// [`ExperimentError::Config`] naming the setting; [`ExperimentError::Diffusion`] for a
    /// model setting the denoiser refuses; [`ExperimentError::TooLarge`] for a generation check
    /// whose samples cannot be held.
    pub fn new(
        config: LatticeEntropyConfig,
        data: SpinConfigurations,
    ) -> Result<Self, ExperimentError> {
        if !(config.holdout > 0.0 && config.holdout < 1.0) {
            return Err(ExperimentError::config(
                "holdout",
                "must be between 0 and 1",
            ));
        }
        if config.symmetries.spin_reflection && data.hamiltonian().is_some_and(|h| h.field != 0.0) {
            return Err(ExperimentError::config(
                "symmetries.spin_reflection",
                "the data's Hamiltonian has a field, which the spin reflection does not keep",
            ));
        }
        let per_t = data.per_temperature();
        let holdout = (libm::round(per_t as f64 * config.holdout) as usize).max(2);
        if holdout >= per_t {
            return Err(ExperimentError::config(
                "holdout",
                alloc::format!(
                    "{per_t} configurations per temperature leave none for training with holdout {}",
                    config.holdout
                ),
            ));
        }
        ScoreTrainParams::from(config.training).check()?;
        let mut config = config;
        match config.model {
            ModelChoice::Site => {
                config.denoiser.coupling = Some(Self::site_coupling(&config.denoiser, &data)?);
                // The network's input is at most 64 features plus one label per temperature.
                let widths: Vec<usize> = core::iter::once(64 + data.temperatures().len())
                    .chain(config.denoiser.hidden.iter().copied())
                    .chain(core::iter::once(2))
                    .collect();
                check_network("the denoiser's network", &widths)?;
                // A batch holds 32 sites of each configuration with every layer's activations.
                let activations = widths.iter().fold(0usize, |a, &w| a.saturating_add(w));
                check_memory(
                    "a training batch",
                    &[config.training.batch, 32, activations, 2, 8],
                )?;
            }
            ModelChoice::Conv => {
                // Every block keeps its convolution's output, its activation and its input.
                let c = &config.conv;
                check_memory(
                    "a training batch",
                    &[
                        config.training.batch,
                        data.sites(),
                        c.channels.max(4),
                        c.dilations.len().saturating_mul(3).saturating_add(4),
                        4,
                    ],
                )?;
            }
        }
        if config.strata == 0 || config.draws < config.strata.saturating_mul(2) {
            return Err(ExperimentError::config(
                "draws",
                "I-MMSE needs at least one λ-cell (strata) and two draws per cell",
            ));
        }
        if config.model == ModelChoice::Site
            && config.denoiser.propagation > 0
            && let Some(j) = config.denoiser.coupling.map(f64::abs)
            && let Some(&t) = data
                .temperatures()
                .iter()
                .find(|&&t| t < j * MIN_PROPAGATION_T)
        {
            return Err(ExperimentError::config(
                "temperatures",
                alloc::format!(
                    "T = {} is below |J|/{MAX_PROPAGATION_BETA} = {:.4}, the lowest temperature belief propagation computes (tanh β|J| rounds to 1 in f64 beyond β|J| ≈ 19, and its messages become infinite); set denoiser.propagation = 0 to condition on T alone",
                    crate::lattice::Readable(t),
                    j * MIN_PROPAGATION_T
                ),
            ));
        }
        let generation = &config.generation;
        if generation.samples < 2 {
            return Err(ExperimentError::config(
                "generation.samples",
                "must be at least 2",
            ));
        }
        generation.sampling().check()?;
        let start_step = Self::start_step(generation)?;
        if generation.from_log_snr.is_some() && generation.samples > holdout {
            return Err(ExperimentError::config(
                "generation.samples",
                alloc::format!(
                    "partial generation starts from held-out configurations: {} samples exceed the {holdout} held out per temperature",
                    generation.samples
                ),
            ));
        }
        let default_temperatures: &[f64] = match data.kind() {
            SpinKind::Ising => &[1.5, 2.3, 3.0],
            SpinKind::Planar => &[0.3, 0.9, 1.3],
        };
        let generation_temperatures = generation
            .temperatures
            .as_deref()
            .unwrap_or(default_temperatures)
            .iter()
            .map(|&t| data.index_of("generation.temperatures", t))
            .collect::<Result<Vec<_>, _>>()?;
        check_memory(
            "the generated configurations",
            &[
                generation_temperatures.len(),
                generation.samples,
                data.sites(),
                data.kind().components(),
                8,
            ],
        )?;
        let n_train = per_t - holdout;
        let mut raw = Vec::with_capacity(data.temperatures().len() * n_train * data.sites());
        let mut labels = Vec::with_capacity(data.temperatures().len() * n_train);
        for (k, &t) in data.temperatures().iter().enumerate() {
            raw.extend_from_slice(data.raw(k, 0, n_train));
            labels.extend(core::iter::repeat_n(t, n_train));
        }
        let training = match data.kind() {
            SpinKind::Ising => LatticeData::new(data.side(), raw, labels)?,
            SpinKind::Planar => LatticeData::planar(data.side(), &raw, labels)?,
        };
        let references = match (data.kind(), data.hamiltonian()) {
            (SpinKind::Ising, Some(h)) if Self::kaufman_applies(h, data.side()) => {
                let ising = Ising::new(Square::with_side(data.side())?, h.coupling, 0.0)?;
                data.temperatures()
                    .iter()
                    .map(|&t| {
                        let exact = where_defined(kaufman::exact(&ising, Temperature::new(t)?))?;
                        Ok(exact.map(|x| Estimate::exact(x.entropy_per_spin, Unit::Nats)))
                    })
                    .collect::<Result<_, ExperimentError>>()?
            }
            _ => vec![None; data.temperatures().len()],
        };
        let run = Self {
            config,
            data,
            references,
            holdout,
            generation_temperatures,
            start_step,
            training,
        };
        match run.config.model {
            ModelChoice::Site => drop(run.model::<LatticeDenoiser>(0)?),
            ModelChoice::Conv => drop(run.model::<ConvDenoiser>(0)?),
        }
        Ok(run)
    }

    /// Whether Kaufman's solution gives the entropy of Ising data drawn from `h` on an L×L
    /// torus: no field, no next-nearest coupling, J ≠ 0, and an even side for an antiferromagnet
    /// (odd sides frustrate it).
    fn kaufman_applies(h: Hamiltonian, side: usize) -> bool {
        h.field == 0.0
            && h.next_nearest == 0.0
            && h.coupling != 0.0
            && (h.coupling > 0.0 || side % 2 == 0)
    }

    /// The coupling the per-site model assumes: the data's, or the one the settings state
    /// where the data's Hamiltonian is unknown (a nominal 1 without belief propagation).
    ///
    /// # Errors
    /// [`ExperimentError::Config`] (field `denoiser.coupling`) for data with a field or a
    /// next-nearest coupling, a
    /// stated coupling that contradicts the data's, or neither known.
    fn site_coupling(
        settings: &DenoiserConfig,
        data: &SpinConfigurations,
    ) -> Result<f64, ExperimentError> {
        let field = "denoiser.coupling";
        match (data.hamiltonian(), settings.coupling) {
            (Some(h), _) if h.field != 0.0 => Err(ExperimentError::config(
                field,
                alloc::format!(
                    "the per-site model assumes no field, and the data were drawn with h = {}: use model = \"conv\"",
                    h.field
                ),
            )),
            (Some(h), _) if h.next_nearest != 0.0 => Err(ExperimentError::config(
                field,
                alloc::format!(
                    "the per-site model assumes nearest-neighbour couplings, and the data were drawn with J₂ = {}: use model = \"conv\"",
                    h.next_nearest
                ),
            )),
            (Some(h), Some(j)) if j != h.coupling => Err(ExperimentError::config(
                field,
                alloc::format!("{j} contradicts the data's coupling J = {}", h.coupling),
            )),
            (Some(h), _) => Ok(h.coupling),
            (None, Some(j)) => Ok(j),
            // Without belief propagation J only scales the clean-limit feature, whose weight
            // the network learns: a nominal J = 1 assumes nothing.
            (None, None) if settings.propagation == 0 => Ok(1.0),
            (None, None) => Err(ExperimentError::config(
                field,
                "the per-site model's belief propagation assumes a Hamiltonian and the data's is unknown: state the coupling J, set denoiser.propagation = 0, or use model = \"conv\", which needs none",
            )),
        }
    }

    /// Compare with `reference`: (temperature, entropy per spin in nats; XY: the excess
    /// s − ln 2π) pairs, e.g. the rows of a [`LatticeThermo`](super::LatticeThermo) run on the
    /// same lattice. Every data temperature must be among them (within 10⁻⁹ relative).
    ///
    /// # Errors
    /// [`ExperimentError::Config`] (field `reference`) naming a data temperature it lacks.
    pub fn with_reference(
        mut self,
        reference: &[(f64, Estimate)],
    ) -> Result<Self, ExperimentError> {
        self.references = self
            .data
            .temperatures()
            .iter()
            .map(|&t| {
                reference
                    .iter()
                    .find(|r| (r.0 - t).abs() <= 1e-9 * t)
                    .map(|r| Some(r.1.to_unit(Unit::Nats)))
                    .ok_or_else(|| {
                        ExperimentError::config(
                            "reference",
                            alloc::format!("has no temperature {t} of the data"),
                        )
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(self)
    }

    /// The settings.
    pub fn config(&self) -> &LatticeEntropyConfig {
        &self.config
    }

    /// The reference entropy per spin (nats) of each data temperature, where there is one.
    pub fn references(&self) -> &[Option<Estimate>] {
        &self.references
    }

    /// The data.
    pub fn data(&self) -> &SpinConfigurations {
        &self.data
    }

    /// Configurations held out per temperature (the last ones of each temperature).
    pub fn holdout(&self) -> usize {
        self.holdout
    }

    /// Training configurations per temperature (the first ones of each temperature).
    pub fn training_per_temperature(&self) -> usize {
        self.data.per_temperature() - self.holdout
    }

    /// The training set of every temperature, as the denoiser is trained on it.
    pub fn training_data(&self) -> &LatticeData {
        &self.training
    }

    /// Indices of the data temperatures the generation check runs at.
    pub fn generation_temperatures(&self) -> &[usize] {
        &self.generation_temperatures
    }

    /// A fresh, untrained model `M` with its configured settings, its weights drawn from
    /// [`stream`]`(seed, 0)`. [`LatticeEntropyConfig::model`] says which `M` the run is for;
    /// any may be built.
    ///
    /// # Errors
    /// [`ExperimentError::Diffusion`] for settings the model refuses.
    pub fn model<M: LatticeModel>(&self, seed: u64) -> Result<M, ExperimentError> {
        let kind = self.data.kind();
        let settings = M::settings(&self.config);
        let temperatures = self.data.temperatures();
        let conditioning = if M::labels(settings) {
            Conditioning::Labels(temperatures.to_vec())
        } else {
            Conditioning::Temperature {
                lo: temperatures[0],
                hi: temperatures[temperatures.len() - 1],
            }
        };
        let mut rng: Xoshiro256PlusPlus = stream(seed, 0);
        Ok(M::from_config(
            VpSde::default(),
            kind,
            self.data.side(),
            conditioning,
            settings,
            &mut rng,
        )?)
    }

    /// A fresh training run of [`Self::model`]`(seed)` whose batches draw from the RNG
    /// seeded with `seed`; drive it with an [`Executor`].
    ///
    /// # Errors
    /// As [`Self::model`].
    pub fn trainer<M: LatticeModel>(&self, seed: u64) -> Result<Trainer<M>, ExperimentError> {
        Ok(Trainer::new(
            self.model::<M>(seed)?,
            &self.training,
            self.config.training.into(),
            seed,
        )?)
    }

    /// `model` (one [`LatticeModel`] or an ensemble, [`LatticeDenoisers`]) at temperature `t`
    /// averaged over the configured [`LatticeEntropyConfig::symmetries`]: the denoiser the
    /// estimates, the generation and the denoising examples use.
    ///
    /// # Errors
    /// [`ExperimentError::Diffusion`] for a temperature the model was not trained for or a
    /// model of another size.
    pub fn denoiser_at<M: LatticeDenoisers + ?Sized>(
        &self,
        model: &M,
        t: f64,
    ) -> Result<Symmetrised<M::At>, ExperimentError> {
        let data = &self.data;
        Ok(Symmetrised::new(
            model.denoiser_at(t)?,
            data.kind(),
            data.side(),
            self.config.symmetries,
        )?)
    }

    /// The entropy per spin at every data temperature from `model`'s I-MMSE integral over the
    /// held-out configurations (one task per temperature; temperature k's integral draws from
    /// the seed `seed + k`).
    ///
    /// # Errors
    /// [`ExperimentError::Cancelled`]; [`ExperimentError::Diffusion`] for a model that does not
    /// fit the data; [`ExperimentError::Entropy`] from the estimator.
    pub fn estimate<M: LatticeDenoisers + ?Sized, R: Runtime>(
        &self,
        model: &M,
        seed: u64,
        rt: &R,
    ) -> Result<Vec<EntropyRow>, ExperimentError> {
        let data = &self.data;
        let kind = data.kind();
        let n = data.sites() as f64;
        // XY: the differential entropy of the angles minus ln 2π per spin (Table 4.2).
        let offset = match kind {
            SpinKind::Ising => 0.0,
            SpinKind::Planar => libm::log(core::f64::consts::TAU),
        };
        let (draws, strata) = (self.config.draws, self.config.strata);
        let rows = rt.map("temperatures", data.temperatures().len(), |k| {
            check_cancelled(rt)?;
            let t = data.temperatures()[k];
            let dim = data.sites() * kind.components();
            let held = Samples::new(
                data.values(k, self.training_per_temperature(), data.per_temperature()),
                dim,
            )
            .map_err(EntropyError::from)?;
            let (denoiser, seed) = (self.denoiser_at(model, t)?, seed.wrapping_add(k as u64));
            let h = match kind {
                SpinKind::Ising => Immse::new(VpSde::default(), denoiser, draws, strata, seed)?,
                SpinKind::Planar => {
                    Immse::on_circles(VpSde::default(), denoiser, draws, strata, seed)?
                }
            }
            .estimate(&held)?;
            let estimate =
                Estimate::new(h.value / n - offset, h.std_error / n, Unit::Nats, h.samples);
            check_range(kind, estimate)?;
            Ok(EntropyRow {
                temperature: t,
                estimate,
                reference: self.references[k],
            })
        });
        rows.into_iter().collect()
    }

    /// Denoising examples at the checked temperatures: the last held-out configuration, noised
    /// to λ = 0 with draws from [`stream`]`(seed, 2000)`, and `model`'s posterior mean.
    ///
    /// # Errors
    /// [`ExperimentError::Diffusion`] for a model that does not fit the data.
    pub fn denoising<M: LatticeDenoisers + ?Sized>(
        &self,
        model: &M,
        seed: u64,
    ) -> Result<Vec<DenoisingExample>, ExperimentError> {
        let data = &self.data;
        let mut rng = stream(seed, 2000);
        let lambda = 0.0;
        let (k, s2) = scale_and_variance(lambda);
        let c = data.kind().components();
        let first = |v: &[f64]| -> Vec<f64> { v.iter().step_by(c).copied().collect() };
        self.generation_temperatures
            .iter()
            .map(|&i| {
                let t = data.temperatures()[i];
                let per_t = data.per_temperature();
                let real = data.values(i, per_t - 1, per_t);
                let noisy: Vec<f64> = real
                    .iter()
                    .map(|&s| k * s + libm::sqrt(s2) * normal_pair(&mut rng).0)
                    .collect();
                let mut denoised = vec![0.0; noisy.len()];
                self.denoiser_at(model, t)?
                    .denoise_batch(&noisy, &[lambda], &mut denoised)?;
                Ok(DenoisingExample {
                    temperature: t,
                    real: first(&real),
                    noisy: first(&noisy),
                    denoised: first(&denoised),
                })
            })
            .collect()
    }

    /// Train (no checkpoints), estimate, generate and denoise, all from `seed`.
    ///
    /// # Errors
    /// As the stages; [`ExperimentError::Cancelled`] if the runtime cancels during training.
    pub fn run<M: LatticeModel, R: Runtime>(
        &self,
        seed: u64,
        rt: &R,
    ) -> Result<LatticeEntropyResult<M>, ExperimentError> {
        let mut trainer = self.trainer::<M>(seed)?;
        let mut losses = Vec::with_capacity(self.config.training.steps);
        let executor = Executor {
            chunk: 0,
            checkpoint_every: usize::MAX,
            pause_after: None,
        };
        executor.run(
            &mut trainer,
            &self.training,
            rt,
            |_, chunk, _| -> Result<(), ExperimentError> {
                losses.extend_from_slice(chunk);
                Ok(())
            },
        )?;
        if trainer.completed() < trainer.planned() {
            return Err(ExperimentError::Cancelled);
        }
        self.evaluate(trainer.finish(), losses, seed, rt)
    }

    /// Estimate, generate and denoise with a trained `model` (e.g. one read by
    /// `LatticeEntropy::load_model`, feature `serde`) or a `Vec` of them (their ensemble), all
    /// from `seed`; `losses` are carried into the result.
    ///
    /// # Errors
    /// As the stages.
    pub fn evaluate<M: LatticeDenoisers, R: Runtime>(
        &self,
        model: M,
        losses: Vec<f64>,
        seed: u64,
        rt: &R,
    ) -> Result<LatticeEntropyResult<M>, ExperimentError> {
        Ok(LatticeEntropyResult {
            rows: self.estimate(&model, seed, rt)?,
            generation: self.generate(&model, seed, rt)?,
            denoising: self.denoising(&model, seed)?,
            model,
            losses,
        })
    }
}
