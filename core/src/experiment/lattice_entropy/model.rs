//! [`LatticeModel`]: the denoisers a [`LatticeEntropy`](super::LatticeEntropy) run can train.
use super::LatticeEntropyConfig;
use crate::diffusion::{
    Conditioning, ConvAt, ConvDenoiser, ConvDenoiserConfig, Denoiser, DenoiserConfig,
    DiffusionError, Ensemble, LatticeAt, LatticeData, LatticeDenoiser, SpinKind, Trainable,
    Tweedie, VpSde,
};
use alloc::vec::Vec;
use rand_core::Rng;

/// Which lattice model a run trains.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum ModelChoice {
    /// The per-site [`LatticeDenoiser`] (settings: [`LatticeEntropyConfig::denoiser`]). With
    /// belief propagation it assumes a nearest-neighbour ferromagnet with J = 1 and no field.
    #[default]
    Site,
    /// The whole-lattice [`ConvDenoiser`] (settings: [`LatticeEntropyConfig::conv`]): knows
    /// nothing of the Hamiltonian.
    Conv,
}

impl ModelChoice {
    /// The name configs and the command line use: "site" or "conv".
    pub fn name(self) -> &'static str {
        match self {
            Self::Site => "site",
            Self::Conv => "conv",
        }
    }
}

/// A temperature-conditioned lattice denoiser a [`LatticeEntropy`](super::LatticeEntropy) run
/// trains on its configurations and evaluates as a [`Denoiser`] (entropy) and a score
/// (generation) at each temperature.
///
/// Sealed: implemented by [`LatticeDenoiser`] and [`ConvDenoiser`] only. A run's config holds
/// one settings section per model ([`LatticeEntropyConfig::denoiser`],
/// [`LatticeEntropyConfig::conv`]) and saved runs name the model by [`ModelChoice`], so a new
/// model is added inside the crate, beside those two. A denoiser of one's own is evaluated
/// through the open traits instead: [`Trainable`] to train it, [`Denoiser`] for the I-MMSE
/// entropy ([`Immse`](crate::entropy::Immse)).
pub trait LatticeModel: sealed::Sealed + Trainable<Data = LatticeData> + core::fmt::Debug {
    /// The model's settings.
    type Config: Clone;
    /// The model at one temperature.
    type At: Denoiser + Clone + Send;
    /// Which model it is ([`ModelChoice`]).
    const CHOICE: ModelChoice;
    /// How outputs name it.
    const NAME: &'static str;

    /// Its settings in a run's config.
    fn settings(config: &LatticeEntropyConfig) -> &Self::Config;

    /// Its settings in a run's config, to change.
    fn settings_mut(config: &mut LatticeEntropyConfig) -> &mut Self::Config;

    /// Whether the settings condition on one-hot temperature labels.
    fn labels(config: &Self::Config) -> bool;

    /// A fresh model.
    ///
    /// # Errors
    /// [`DiffusionError`] for settings the model refuses.
    fn from_config<R: Rng + ?Sized>(
        sde: VpSde,
        kind: SpinKind,
        side: usize,
        conditioning: Conditioning,
        config: &Self::Config,
        rng: &mut R,
    ) -> Result<Self, DiffusionError>;

    /// The settings it was built with.
    fn config(&self) -> Self::Config;

    /// What each site holds.
    fn kind(&self) -> SpinKind;

    /// Trainable parameters.
    fn parameter_count(&self) -> usize;

    /// The same model for `side`×`side` lattices.
    ///
    /// # Errors
    /// [`DiffusionError::Shape`] for a side the model cannot take.
    fn with_side(&self, side: usize) -> Result<Self, DiffusionError>;

    /// The model at temperature `t` as a denoiser ([`Tweedie`] makes it a score).
    ///
    /// # Errors
    /// [`DiffusionError::Temperature`] for a temperature it was not trained for.
    fn denoiser_at(&self, t: f64) -> Result<Self::At, DiffusionError>;
}

/// What a run's estimates, generation and denoising examples denoise with: one trained
/// [`LatticeModel`], or a slice or vector of trained models of one kind averaged ([`Ensemble`]: never a
/// larger squared error than the members' average, so a tighter I-MMSE bound).
pub trait LatticeDenoisers: Sync {
    /// The denoiser at one temperature.
    type At: Denoiser + Clone + Send;

    /// The denoiser at temperature `t`.
    ///
    /// # Errors
    /// [`DiffusionError::Temperature`] for a temperature a model was not trained for;
    /// [`DiffusionError::Shape`] for an empty slice or models of different sizes.
    fn denoiser_at(&self, t: f64) -> Result<Self::At, DiffusionError>;
}

impl<M: LatticeModel> LatticeDenoisers for M {
    type At = M::At;

    fn denoiser_at(&self, t: f64) -> Result<M::At, DiffusionError> {
        LatticeModel::denoiser_at(self, t)
    }
}

impl<M: LatticeModel> LatticeDenoisers for [M] {
    type At = Ensemble<M::At>;

    fn denoiser_at(&self, t: f64) -> Result<Ensemble<M::At>, DiffusionError> {
        Ensemble::new(
            self.iter()
                .map(|m| LatticeModel::denoiser_at(m, t))
                .collect::<Result<Vec<_>, _>>()?,
        )
    }
}

impl<M: LatticeModel> LatticeDenoisers for Vec<M> {
    type At = Ensemble<M::At>;

    fn denoiser_at(&self, t: f64) -> Result<Ensemble<M::At>, DiffusionError> {
        self.as_slice().denoiser_at(t)
    }
}

mod sealed {
    /// The models [`LatticeModel`](super::LatticeModel) is implemented for.
    pub trait Sealed {}
    impl Sealed for crate::diffusion::LatticeDenoiser {}
    impl Sealed for crate::diffusion::ConvDenoiser {}
}

impl LatticeModel for LatticeDenoiser {
    type Config = DenoiserConfig;
    type At = LatticeAt;
    const CHOICE: ModelChoice = ModelChoice::Site;
    const NAME: &'static str = "per-site denoiser";

    fn settings(config: &LatticeEntropyConfig) -> &DenoiserConfig {
        &config.denoiser
    }

    fn settings_mut(config: &mut LatticeEntropyConfig) -> &mut DenoiserConfig {
        &mut config.denoiser
    }

    fn labels(config: &DenoiserConfig) -> bool {
        config.labels
    }

    fn from_config<R: Rng + ?Sized>(
        sde: VpSde,
        kind: SpinKind,
        side: usize,
        conditioning: Conditioning,
        config: &DenoiserConfig,
        rng: &mut R,
    ) -> Result<Self, DiffusionError> {
        LatticeDenoiser::from_config(sde, kind, side, conditioning, config, rng)
    }

    fn config(&self) -> DenoiserConfig {
        LatticeDenoiser::config(self)
    }

    fn kind(&self) -> SpinKind {
        LatticeDenoiser::kind(self)
    }

    fn parameter_count(&self) -> usize {
        LatticeDenoiser::parameter_count(self)
    }

    /// Itself for its own side; the per-site model is built for one side.
    fn with_side(&self, side: usize) -> Result<Self, DiffusionError> {
        if side == self.side() {
            Ok(self.clone())
        } else {
            Err(DiffusionError::Shape(
                "the per-site model runs only on the lattice side it was trained on",
            ))
        }
    }

    fn denoiser_at(&self, t: f64) -> Result<LatticeAt, DiffusionError> {
        LatticeDenoiser::at_temperature(self, t).map(Tweedie::into_denoiser)
    }
}

impl LatticeModel for ConvDenoiser {
    type Config = ConvDenoiserConfig;
    type At = ConvAt;
    const CHOICE: ModelChoice = ModelChoice::Conv;
    const NAME: &'static str = "whole-lattice conv denoiser";

    fn settings(config: &LatticeEntropyConfig) -> &ConvDenoiserConfig {
        &config.conv
    }

    fn settings_mut(config: &mut LatticeEntropyConfig) -> &mut ConvDenoiserConfig {
        &mut config.conv
    }

    fn labels(config: &ConvDenoiserConfig) -> bool {
        config.labels
    }

    fn from_config<R: Rng + ?Sized>(
        sde: VpSde,
        kind: SpinKind,
        side: usize,
        conditioning: Conditioning,
        config: &ConvDenoiserConfig,
        rng: &mut R,
    ) -> Result<Self, DiffusionError> {
        ConvDenoiser::from_config(sde, kind, side, conditioning, config, rng)
    }

    fn config(&self) -> ConvDenoiserConfig {
        ConvDenoiser::config(self)
    }

    fn kind(&self) -> SpinKind {
        ConvDenoiser::kind(self)
    }

    fn parameter_count(&self) -> usize {
        ConvDenoiser::parameter_count(self)
    }

    fn with_side(&self, side: usize) -> Result<Self, DiffusionError> {
        ConvDenoiser::with_side(self, side)
    }

    fn denoiser_at(&self, t: f64) -> Result<ConvAt, DiffusionError> {
        ConvDenoiser::at_temperature(self, t).map(Tweedie::into_denoiser)
    }
}
