//! PCA as a Min-MaxEnt solution (paper Sec. I.1, Fig. 2, Eq. 15): the library side of
//! `entropic maxent pca`.
//!
//! The observables are the variances along a rotated frame, f = ((R_θ x)₁², (R_θ x)₂²); the
//! MaxEnt model with those constraints is a Gaussian whose entropy S(θ) (Eq. 15) is smallest
//! where the frame is the principal axes, so minimising S over θ recovers the PCA angle.
use super::{ExperimentError, Runtime};
use crate::experiment::unless_cancelled;
use crate::maxent::{
    IterationReport, MaxEnt, Moves, RotatedVariances, TrainParams, Trainer, Walkers, pca_angle_2d,
    pca_entropy_2d,
};
use crate::rng::{from_seed, normal_pair};
use crate::train::Executor;
use alloc::vec;
use alloc::vec::Vec;
use core::f64::consts::{FRAC_PI_2, FRAC_PI_4};

/// Settings of a [`MaxentPca`].
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct MaxentPcaConfig {
    /// The data's covariance as [Σ11, Σ22, Σ12] (positive definite). Default [3, 2, 1].
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "super::exact_length::array")
    )]
    pub sigma: [f64; 3],
    /// Training samples (≥ 10). Default 20 000.
    pub samples: usize,
    /// Persistent MCMC walkers, started on the first samples (1 to `samples`). Default 4000.
    pub walkers: usize,
    /// Training iterations, one λ step and one θ step each (≥ 1). Default 600.
    pub iterations: usize,
    /// Leapfrog steps of HMC walkers (1 = MALA); 0 keeps random-walk Metropolis. At most 1000.
    /// Default 0.
    pub leapfrog: usize,
}

impl Default for MaxentPcaConfig {
    fn default() -> Self {
        Self {
            sigma: [3.0, 2.0, 1.0],
            samples: 20_000,
            walkers: 4_000,
            iterations: 600,
            leapfrog: 0,
        }
    }
}

/// What a [`MaxentPca`] run found.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MaxentPcaResult {
    /// The covariance the data were drawn from.
    pub sigma: [[f64; 2]; 2],
    /// The samples' second moments (the data have mean zero by construction).
    pub sample_sigma: [[f64; 2]; 2],
    /// The learned rotation angle θ (rad).
    pub theta: f64,
    /// The PCA angle of the sample covariance, θ*.
    pub pca_angle_sample: f64,
    /// The PCA angle of the true covariance.
    pub pca_angle_true: f64,
    /// |θ − θ*| modulo π/2 (the frame's axes are unordered and unsigned).
    pub angle_error: f64,
    /// The learned Lagrange multipliers.
    pub lambda: Vec<f64>,
    /// S(θ) of the sample covariance at the learned angle (nats).
    pub entropy_at_theta: f64,
    /// Its minimum, S(θ*).
    pub entropy_minimum: f64,
    /// One report per iteration.
    pub reports: Vec<IterationReport>,
}

/// A validated PCA run. The data draw from the RNG seeded with `seed`, the training from
/// `seed + 1`.
///
/// # Examples
/// ```
/// use entropic::experiment::{MaxentPca, MaxentPcaConfig, Sequential};
/// let config = MaxentPcaConfig { samples: 4000, walkers: 1000, iterations: 300, ..Default::default() };
/// let result = MaxentPca::new(config)?.run(1, &Sequential)?;
/// assert!(result.angle_error < 0.02, "{}", result.angle_error);
/// assert!(result.entropy_at_theta >= result.entropy_minimum - 1e-12);
/// # Ok::<(), entropic::experiment::ExperimentError>(())
/// ```
#[derive(Clone, Debug)]
pub struct MaxentPca {
    config: MaxentPcaConfig,
    sigma: [[f64; 2]; 2],
}

impl MaxentPca {
    /// # Errors
    /// [`ExperimentError::Config`] for a covariance that is not positive definite, fewer than 10
    /// samples, walkers outside 1..=samples or no iterations.
    pub fn new(config: MaxentPcaConfig) -> Result<Self, ExperimentError> {
        let [a, b, c] = config.sigma;
        if !(a.is_finite()
            && b.is_finite()
            && c.is_finite()
            && a > 0.0
            && b > 0.0
            && a * b - c * c > 0.0)
        {
            return Err(ExperimentError::config(
                "sigma",
                alloc::format!("{a},{b},{c} is not a positive-definite covariance"),
            ));
        }
        if config.samples < 10 || config.walkers == 0 || config.walkers > config.samples {
            return Err(ExperimentError::config(
                "walkers",
                "needs samples ≥ 10 and 1 ≤ walkers ≤ samples",
            ));
        }
        if config.iterations == 0 {
            return Err(ExperimentError::config("iterations", "must be at least 1"));
        }
        super::check_memory("the samples", &[config.samples, 2, 8])?;
        super::maxent_mixing::check_leapfrog(config.leapfrog)?;
        Ok(Self {
            sigma: [[a, c], [c, b]],
            config,
        })
    }

    /// The settings.
    pub fn config(&self) -> &MaxentPcaConfig {
        &self.config
    }

    /// The training data (samples × 2, row-major) and their second moments.
    pub fn data(&self, seed: u64) -> (Vec<f64>, [[f64; 2]; 2]) {
        let s = self.sigma;
        let mut rng = from_seed(seed);
        let l11 = libm::sqrt(s[0][0]);
        let l21 = s[0][1] / l11;
        let l22 = libm::sqrt(s[1][1] - l21 * l21);
        let data: Vec<f64> = (0..self.config.samples)
            .flat_map(|_| {
                let (z1, z2) = normal_pair(&mut rng);
                [l11 * z1, l21 * z1 + l22 * z2]
            })
            .collect();
        let n = self.config.samples as f64;
        let c = |a: usize, b: usize| data.chunks_exact(2).map(|x| x[a] * x[b]).sum::<f64>() / n;
        let moments = [[c(0, 0), c(0, 1)], [c(1, 0), c(1, 1)]];
        (data, moments)
    }

    /// A fresh training run on `data` (from [`Self::data`]): θ = 0, λ from the per-axis
    /// variances, walkers started on the first samples. Drive it with an [`Executor`] (the
    /// browser steps it a few iterations per frame).
    ///
    /// # Errors
    /// [`ExperimentError::MaxEnt`] if the model cannot be set up on these data.
    pub fn trainer(
        &self,
        data: &[f64],
        moments: [[f64; 2]; 2],
        seed: u64,
    ) -> Result<Trainer<RotatedVariances>, ExperimentError> {
        let lambda = vec![1.0 / (2.0 * moments[0][0]), 1.0 / (2.0 * moments[1][1])];
        let model = MaxEnt::new(RotatedVariances::new(2, &[0.0]), lambda)?;
        let mut walkers = Walkers::new(2, data[..2 * self.config.walkers].to_vec(), 1.0, None)?;
        if self.config.leapfrog > 0 {
            walkers = walkers.with_moves(Moves::Hamiltonian(self.config.leapfrog))?;
        }
        let params = TrainParams {
            iterations: self.config.iterations,
            // An HMC step tuned early becomes unstable as λ grows and the walkers freeze; it
            // adapts for the whole run (Metropolis keeps the default, its width degrades gently).
            adaptation: if self.config.leapfrog > 0 {
                self.config.iterations
            } else {
                TrainParams::default().adaptation
            },
            ..TrainParams::default()
        };
        Ok(Trainer::new(
            model,
            walkers,
            data,
            params,
            seed.wrapping_add(1),
        )?)
    }

    /// What a (finished or partial) training run has found.
    pub fn result(
        &self,
        trainer: &Trainer<RotatedVariances>,
        moments: [[f64; 2]; 2],
        reports: Vec<IterationReport>,
    ) -> MaxentPcaResult {
        let model = trainer.model();
        let theta = model.observables().angles()[0];
        let (star_sample, star_true) = (pca_angle_2d(moments), pca_angle_2d(self.sigma));
        let shifted = theta - star_sample + FRAC_PI_4;
        let wrapped = shifted - FRAC_PI_2 * libm::floor(shifted / FRAC_PI_2);
        MaxentPcaResult {
            sigma: self.sigma,
            sample_sigma: moments,
            theta,
            pca_angle_sample: star_sample,
            pca_angle_true: star_true,
            angle_error: (wrapped - FRAC_PI_4).abs(),
            lambda: model.lambda().to_vec(),
            entropy_at_theta: pca_entropy_2d(moments, theta),
            entropy_minimum: pca_entropy_2d(moments, star_sample),
            reports,
        }
    }

    /// Draw the data, train and report.
    ///
    /// # Errors
    /// [`ExperimentError::Cancelled`]; [`ExperimentError::MaxEnt`] from the model.
    pub fn run<R: Runtime>(&self, seed: u64, rt: &R) -> Result<MaxentPcaResult, ExperimentError> {
        let (data, moments) = self.data(seed);
        let mut trainer = self.trainer(&data, moments, seed)?;
        let mut reports = Vec::new();
        let stopped = Executor::default().run(&mut trainer, &data[..], rt, |_, chunk, _| {
            reports.extend_from_slice(chunk);
            Ok::<_, ExperimentError>(())
        })?;
        unless_cancelled(stopped)?;
        Ok(self.result(&trainer, moments, reports))
    }
}
