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
use crate::rng::{stream, uniform_f64};
use crate::train::Executor;
use crate::vae::{self, Vae, VaeParams};
use alloc::vec;
use alloc::vec::Vec;

/// The data sets of Fig. 3 and 4. The paper gives no centres, widths or ranges; these are ours
/// (README, "Min-MaxEnt").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
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
        let c = &self.config;
        let mixture = c.case.mixture();
        let (lo, hi) = mixture.bounds();
        let h = (hi - lo) / (c.grid - 1) as f64;
        let grid: Vec<f64> = (0..c.grid).map(|k| lo + h * k as f64).collect();
        let real: Vec<f64> = grid.iter().map(|&x| mixture.density(x)).collect();
        let seeds = rt
            .map("seeds", c.seeds, |s| {
                self.seed(seed.wrapping_add(s as u64), (&grid, &real), rt)
            })
            .into_iter()
            .collect::<Result<_, _>>()?;
        Ok(BimodalResult { grid, real, seeds })
    }

    /// One seed of all three models on the quadrature grid, where `real` is the data density.
    fn seed<R: Runtime>(
        &self,
        seed: u64,
        (grid, real): (&[f64], &[f64]),
        rt: &R,
    ) -> Result<BimodalSeed, ExperimentError> {
        let c = &self.config;
        let mixture = c.case.mixture();
        let (lo, hi) = mixture.bounds();
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
        let gaussian_kl = kl_on_grid(real, &gaussian_density, h)?;

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
        let mut trainer = Trainer::new(model, walkers, &data, params, seed)?;
        let (mut minmaxent_kl, mut minmaxent_entropy, mut reports) =
            (Vec::new(), Vec::new(), Vec::new());
        let mut minmaxent_density = Vec::new();
        // One iteration per chunk: the density is scored after every iteration.
        let executor = Executor {
            chunk: 1,
            ..Executor::default()
        };
        // Cancellation is checked in the sink: the executor's own runtime is sequential and silent.
        executor.run(&mut trainer, &data[..], &super::Sequential, |t, r, _| {
            check_cancelled(rt)?;
            reports.extend_from_slice(r);
            let q = quadrature_1d(t.model_mut(), lo, hi, grid.len())?;
            minmaxent_kl.push(kl_on_grid(real, &q.density, h)?);
            minmaxent_entropy.push(q.entropy);
            minmaxent_density = q.density;
            Ok::<_, ExperimentError>(())
        })?;

        let mut vae_rng = stream(seed, 1);
        let mut model = Vae::new(1, 1, &HIDDEN, ActivationKind::Tanh, &mut vae_rng)?;
        let vae_params = VaeParams {
            epochs: self.vae_epochs(),
            batch: 100.min(data.len()),
            ..VaeParams::default()
        };
        let mut vae_trainer = vae::Trainer::new(vae_params)?;
        let (mut vae_kl, mut vae_density) = (Vec::new(), Vec::new());
        for _ in 0..self.vae_epochs() {
            check_cancelled(rt)?;
            vae_trainer.epoch(&mut model, &data, &mut vae_rng)?;
            vae_density = model.density_1d(grid, 401)?;
            vae_kl.push(kl_on_grid(real, &vae_density, h)?);
        }
        Ok(BimodalSeed {
            seed,
            minmaxent_kl,
            minmaxent_entropy,
            vae_kl,
            gaussian_kl,
            reports,
            minmaxent_density,
            vae_density,
            gaussian_density,
        })
    }
}
