//! One-dimensional bimodal data: Min-MaxEnt with network observables against a VAE and the
//! mean + variance MaxEnt model (paper Sec. I.2, Fig. 3–4); the library side of `entropic
//! maxent bimodal`.
use super::{ExperimentError, Runtime, check_memory};
use crate::experiment::check_cancelled;
use crate::maxent::{
    Component, IterationReport, MaxEnt, Mixture1d, Moves, TrainParams, Trainer, Walkers,
    kl_on_grid, quadrature_1d,
};
use crate::nn::{ActivationKind, Network};
use crate::rng::{Xoshiro256PlusPlus, stream, uniform_f64};
use crate::train::Iterative;
use crate::vae::{self, Vae, VaeParams};
use alloc::vec;
use alloc::vec::Vec;

/// The data sets of Fig. 3 and 4. The paper gives no centres, widths or ranges; these are ours
/// (README, "Min-MaxEnt").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum BimodalCase {
    /// ½ N(−2, 0.5²) + ½ N(2, 0.5²), 1000 samples, box [−6, 6] (Fig. 3a).
    Gaussian,
    /// The same mixture from only 10 samples (Fig. 3e).
    Gaussian10,
    /// ½ Cauchy(−2, γ = 0.5) + ½ Cauchy(2, γ = 0.5), 1000 samples, box [−10, 10] (Fig. 4).
    Cauchy,
}

impl BimodalCase {
    /// The mixture the data are drawn from, on its box.
    pub fn mixture(self) -> Mixture1d {
        let (component, bounds) = match self {
            Self::Gaussian | Self::Gaussian10 => (Component::Normal, (-6.0, 6.0)),
            Self::Cauchy => (Component::Cauchy, (-10.0, 10.0)),
        };
        Mixture1d::new(component, [(-2.0, 0.5), (2.0, 0.5)], bounds)
            .expect("fixed, valid mixture parameters")
    }

    /// Samples per data set.
    pub fn samples(self) -> usize {
        match self {
            Self::Gaussian10 => 10,
            Self::Gaussian | Self::Cauchy => 1000,
        }
    }

    /// The case's name in outputs.
    pub fn name(self) -> &'static str {
        match self {
            Self::Gaussian => "gaussian",
            Self::Gaussian10 => "gaussian-10",
            Self::Cauchy => "cauchy",
        }
    }
}

/// Settings of a [`MaxentBimodal`].
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct MaxentBimodalConfig {
    /// Which data set. Default the Gaussian mixture.
    pub case: BimodalCase,
    /// Independent repetitions (data, initialisation and sampling all reseeded; ≥ 1). Default 5.
    pub seeds: usize,
    /// Min-MaxEnt iterations ("epochs"; ≥ 1). Default 1000.
    pub epochs: usize,
    /// VAE epochs (passes over the data in minibatches of 100). Default: `epochs`.
    pub vae_epochs: Option<usize>,
    /// Persistent MCMC walkers of the Min-MaxEnt model (≥ 1). Default 1000.
    pub walkers: usize,
    /// Quadrature nodes on the box for densities and KL (≥ 11). Default 2001.
    pub grid: usize,
    /// Leapfrog steps of HMC walkers (1 = MALA; reflecting at the box); 0 keeps random-walk
    /// Metropolis. At most 1000. Default 0.
    pub leapfrog: usize,
}

impl Default for MaxentBimodalConfig {
    fn default() -> Self {
        Self {
            case: BimodalCase::Gaussian,
            seeds: 5,
            epochs: 1000,
            vae_epochs: None,
            walkers: 1000,
            grid: 2001,
            leapfrog: 0,
        }
    }
}

/// One seed's curves and final densities (densities on [`BimodalResult::grid`]).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BimodalSeed {
    /// The seed.
    pub seed: u64,
    /// KL(real ‖ Min-MaxEnt) after each epoch (nats).
    pub minmaxent_kl: Vec<f64>,
    /// The Min-MaxEnt model's entropy after each epoch (nats, quadrature).
    pub minmaxent_entropy: Vec<f64>,
    /// KL(real ‖ VAE) after each epoch.
    pub vae_kl: Vec<f64>,
    /// KL(real ‖ mean + variance MaxEnt).
    pub gaussian_kl: f64,
    /// Min-MaxEnt's training reports.
    pub reports: Vec<IterationReport>,
    /// Final Min-MaxEnt density.
    pub minmaxent_density: Vec<f64>,
    /// Final VAE density.
    pub vae_density: Vec<f64>,
    /// The mean + variance MaxEnt density.
    pub gaussian_density: Vec<f64>,
}

/// What a [`MaxentBimodal`] run produces.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BimodalResult {
    /// Quadrature nodes on the box.
    pub grid: Vec<f64>,
    /// The data's density there.
    pub real: Vec<f64>,
    /// One entry per seed.
    pub seeds: Vec<BimodalSeed>,
}

/// Hidden widths of the observables' network and of the VAE's encoder and decoder.
const HIDDEN: [usize; 2] = [16, 16];

/// Per seed s (seed + s, one task each): the data, the mean + variance MaxEnt Gaussian, a
/// Min-MaxEnt model with MLP observables 1 → 16 → 16 → 2 (tanh) scored on the grid after every
/// iteration, and a VAE (1D latent, encoder 1 → 16 → 16 → 2, mirrored decoder) scored after
/// every epoch.
///
/// # Examples
/// ```
/// use entropic::experiment::{MaxentBimodal, MaxentBimodalConfig, Sequential};
/// let config = MaxentBimodalConfig { seeds: 1, epochs: 5, walkers: 50, grid: 101, ..Default::default() };
/// let result = MaxentBimodal::new(config)?.run(1, &Sequential)?;
/// assert_eq!(result.seeds[0].minmaxent_kl.len(), 5);
/// assert!(result.seeds[0].gaussian_kl > 0.0);
/// # Ok::<(), entropic::experiment::ExperimentError>(())
/// ```
#[derive(Clone, Debug)]
pub struct MaxentBimodal {
    config: MaxentBimodalConfig,
}

impl MaxentBimodal {
    /// # Errors
    /// [`ExperimentError::Config`] naming the setting; [`ExperimentError::TooLarge`] for a grid
    /// that cannot be held.
    pub fn new(config: MaxentBimodalConfig) -> Result<Self, ExperimentError> {
        for (field, value) in [
            ("seeds", config.seeds),
            ("epochs", config.epochs),
            ("vae_epochs", config.vae_epochs.unwrap_or(1)),
            ("walkers", config.walkers),
        ] {
            if value == 0 {
                return Err(ExperimentError::config(field, "must be at least 1"));
            }
        }
        check_memory("the walkers", &[config.walkers, 2, 8])?;
        super::maxent_mixing::check_leapfrog(config.leapfrog)?;
        // About a dozen densities on the grid are alive at once per seed.
        check_memory("the quadrature grids", &[16, config.grid, 8])?;
        if config.grid < 11 {
            return Err(ExperimentError::config("grid", "needs at least 11 nodes"));
        }
        Ok(Self { config })
    }

    /// The settings.
    pub fn config(&self) -> &MaxentBimodalConfig {
        &self.config
    }

    /// VAE epochs.
    pub fn vae_epochs(&self) -> usize {
        self.config.vae_epochs.unwrap_or(self.config.epochs)
    }

    /// Run every seed (one task each).
    ///
    /// # Errors
    /// [`ExperimentError::Cancelled`]; a model's error.
    pub fn run<R: Runtime>(&self, seed: u64, rt: &R) -> Result<BimodalResult, ExperimentError> {
        let seeds = rt
            .map("seeds", self.config.seeds, |s| {
                let mut run = self.seed_run(seed.wrapping_add(s as u64))?;
                loop {
                    check_cancelled(rt)?;
                    if !run.minmaxent_epoch()? {
                        break;
                    }
                }
                loop {
                    check_cancelled(rt)?;
                    if !run.vae_epoch()? {
                        break;
                    }
                }
                Ok(run.into_result())
            })
            .into_iter()
            .collect::<Result<_, ExperimentError>>()?;
        let (grid, real) = self.grid();
        Ok(BimodalResult { grid, real, seeds })
    }

    /// The quadrature nodes on the case's box and the data's density there.
    pub fn grid(&self) -> (Vec<f64>, Vec<f64>) {
        let mixture = self.config.case.mixture();
        let (lo, hi) = mixture.bounds();
        let h = (hi - lo) / (self.config.grid - 1) as f64;
        let grid: Vec<f64> = (0..self.config.grid).map(|k| lo + h * k as f64).collect();
        let real = grid.iter().map(|&x| mixture.density(x)).collect();
        (grid, real)
    }

    /// One seed of all three models, set up and not yet trained: a state the caller advances
    /// an epoch at a time (a live view draws it between epochs). The Min-MaxEnt model and the
    /// VAE draw from separate streams of `seed`, so the order in which their epochs are
    /// interleaved does not change a bit; [`run`](Self::run) trains the first, then the second.
    ///
    /// # Errors
    /// A model's error.
    pub fn seed_run(&self, seed: u64) -> Result<BimodalSeedRun, ExperimentError> {
        let c = &self.config;
        let mixture = c.case.mixture();
        let (lo, hi) = mixture.bounds();
        let (grid, real) = self.grid();
        let h = grid[1] - grid[0];
        let mut rng = stream(seed, 0);
        let data = mixture.sample(c.case.samples(), &mut rng);

        // Mean + variance MaxEnt: the Gaussian with the data's mean and variance.
        let n = data.len() as f64;
        let mean = data.iter().sum::<f64>() / n;
        let var = data.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
        let gaussian_density: Vec<f64> = grid
            .iter()
            .map(|&x| {
                libm::exp(-(x - mean) * (x - mean) / (2.0 * var))
                    / libm::sqrt(core::f64::consts::TAU * var)
            })
            .collect();
        let gaussian_kl = kl_on_grid(&real, &gaussian_density, h)?;

        let widths: Vec<usize> = core::iter::once(1)
            .chain(HIDDEN)
            .chain(core::iter::once(2))
            .collect();
        let net = Network::<f64>::mlp(&widths, ActivationKind::Tanh, &mut rng)?;
        let start: Vec<f64> = (0..c.walkers)
            .map(|_| lo + (hi - lo) * uniform_f64(&mut rng))
            .collect();
        let mut walkers = Walkers::new(1, start, 1.0, Some((lo, hi)))?;
        if c.leapfrog > 0 {
            walkers = walkers.with_moves(Moves::Hamiltonian(c.leapfrog))?;
        }
        let params = TrainParams {
            iterations: c.epochs,
            lambda_rate: 0.05,
            theta_rate: 0.01,
            warmup: 20,
            // HMC adapts its step for the whole run (see `MaxentPca::trainer`).
            adaptation: if c.leapfrog > 0 { c.epochs } else { 20 },
            ..TrainParams::default()
        };
        let model = MaxEnt::new(net, vec![0.0, 0.0])?;
        let trainer = Trainer::new(model, walkers, &data, params, seed)?;

        let mut vae_rng = stream(seed, 1);
        let vae = Vae::new(1, 1, &HIDDEN, ActivationKind::Tanh, &mut vae_rng)?;
        let vae_trainer = vae::Trainer::new(VaeParams {
            epochs: self.vae_epochs(),
            batch: 100.min(data.len()),
            ..VaeParams::default()
        })?;
        Ok(BimodalSeedRun {
            data,
            grid,
            real,
            trainer,
            vae,
            vae_trainer,
            vae_rng,
            vae_epochs: self.vae_epochs(),
            result: BimodalSeed {
                seed,
                minmaxent_kl: Vec::new(),
                minmaxent_entropy: Vec::new(),
                vae_kl: Vec::new(),
                gaussian_kl,
                reports: Vec::new(),
                minmaxent_density: Vec::new(),
                vae_density: Vec::new(),
                gaussian_density,
            },
        })
    }
}

/// One seed of a [`MaxentBimodal`] run in progress (from [`MaxentBimodal::seed_run`]): the data,
/// the Min-MaxEnt trainer and the VAE, each advanced an epoch at a time and scored on the
/// quadrature grid after every epoch.
#[derive(Clone, Debug)]
pub struct BimodalSeedRun {
    data: Vec<f64>,
    grid: Vec<f64>,
    real: Vec<f64>,
    trainer: Trainer<Network<f64>>,
    vae: Vae,
    vae_trainer: vae::Trainer,
    vae_rng: Xoshiro256PlusPlus,
    vae_epochs: usize,
    result: BimodalSeed,
}

impl BimodalSeedRun {
    /// One Min-MaxEnt iteration, then its density, entropy and KL(real ‖ model) on the grid.
    /// Returns `false` (and does nothing) once every planned iteration is done.
    ///
    /// # Errors
    /// The model's error; the run should then be dropped.
    pub fn minmaxent_epoch(&mut self) -> Result<bool, ExperimentError> {
        let reports = self.trainer.advance(&self.data[..], 1)?;
        if reports.is_empty() {
            return Ok(false);
        }
        self.result.reports.extend(reports);
        let (lo, hi) = (self.grid[0], self.grid[self.grid.len() - 1]);
        let q = quadrature_1d(self.trainer.model_mut(), lo, hi, self.grid.len())?;
        let h = self.grid[1] - self.grid[0];
        self.result
            .minmaxent_kl
            .push(kl_on_grid(&self.real, &q.density, h)?);
        self.result.minmaxent_entropy.push(q.entropy);
        self.result.minmaxent_density = q.density;
        Ok(true)
    }

    /// One VAE epoch (minibatches of 100), then its density and KL(real ‖ VAE) on the grid.
    /// Returns `false` (and does nothing) once every planned epoch is done.
    ///
    /// # Errors
    /// The network's error; the run should then be dropped.
    pub fn vae_epoch(&mut self) -> Result<bool, ExperimentError> {
        if self.result.vae_kl.len() >= self.vae_epochs {
            return Ok(false);
        }
        self.vae_trainer
            .epoch(&mut self.vae, &self.data, &mut self.vae_rng)?;
        let h = self.grid[1] - self.grid[0];
        self.result.vae_density = self.vae.density_1d(&self.grid, 401)?;
        self.result
            .vae_kl
            .push(kl_on_grid(&self.real, &self.result.vae_density, h)?);
        Ok(true)
    }

    /// The seed's data.
    pub fn data(&self) -> &[f64] {
        &self.data
    }

    /// The quadrature nodes and the data's density there.
    pub fn grid(&self) -> (&[f64], &[f64]) {
        (&self.grid, &self.real)
    }

    /// The curves and densities so far (the densities are empty before a model's first epoch).
    pub fn result(&self) -> &BimodalSeed {
        &self.result
    }

    /// The curves and densities, ending the run.
    pub fn into_result(self) -> BimodalSeed {
        self.result
    }
}
