//! Random-walk Metropolis, MALA and HMC side by side on one target: [`measure_mixing`] and the
//! [`MaxentMixing`] run, the library side of `entropic maxent mixing` (issue #31: the choice of
//! sampler is a measurement).
use super::{ExperimentError, Runtime, check_cancelled, check_memory};
use crate::maxent::{Energy, GaussianEnergy, MaxEntError, Moves, Walkers};
use crate::rng::stream;
use crate::stats::{AutocorrelationTime, pooled_autocorrelation_time};
use alloc::vec;
use alloc::vec::Vec;
use rand_core::Rng;

/// How fast a set of walkers decorrelates under its moves: the integrated autocorrelation time,
/// in sweeps and pooled over the walkers ([`pooled_autocorrelation_time`]), of two statistics —
/// the energy H(x) and the projection of x on a slow direction — and what a sweep cost.
///
/// The effective sample size is walkers × sweeps / (2τ) with τ the larger of the two times:
/// the number of independent draws the run is worth for the slower statistic.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Mixing {
    /// Walkers measured.
    pub walkers: usize,
    /// Sweeps measured.
    pub sweeps: usize,
    /// Mean acceptance over the measured sweeps.
    pub acceptance: f64,
    /// τ_int of H(x).
    pub energy: AutocorrelationTime,
    /// τ_int of the projection on the slow direction.
    pub projection: AutocorrelationTime,
    /// Seconds per sweep (the moves only, not the measurement), if a clock was given.
    pub seconds_per_sweep: Option<f64>,
    /// The first walker's projection after every sweep (a trace to look at).
    pub trace: Vec<f64>,
}

impl Mixing {
    /// τ = max(τ_H, τ_projection), in sweeps.
    pub fn tau(&self) -> f64 {
        self.energy.tau.max(self.projection.tau)
    }

    /// Whether both autocorrelation windows closed (else τ is a lower bound and the effective
    /// sample sizes upper bounds).
    pub fn converged(&self) -> bool {
        self.energy.converged && self.projection.converged
    }

    /// Effective samples per sweep, walkers / (2τ).
    pub fn effective_samples_per_sweep(&self) -> f64 {
        self.walkers as f64 / (2.0 * self.tau())
    }

    /// Effective samples per second of moves, if the run was timed.
    pub fn effective_samples_per_second(&self) -> Option<f64> {
        self.seconds_per_sweep
            .filter(|s| *s > 0.0)
            .map(|s| self.effective_samples_per_sweep() / s)
    }
}

/// Run `sweeps` sweeps of `walkers` under `target` and measure how fast they decorrelate
/// ([`Mixing`]). The slow direction is `direction` (normalised here) or, if `None`, the top
/// principal axis of the walkers at the start (the direction a random walk in an anisotropic
/// landscape is slowest along). Only the sweeps are timed, on `rt`'s clock (no times if it has
/// none); progress is reported per sweep under the stage "measure". Equilibrate the walkers (and
/// adapt their width) before: a measurement that starts out of equilibrium overstates τ.
///
/// # Errors
/// [`MaxEntError::Parameter`] for fewer than 8 sweeps, [`MaxEntError::Shape`] for a direction
/// of another dimension, [`MaxEntError::NotFinite`] for a zero or non-finite direction or an
/// energy that is not finite (all as [`ExperimentError::MaxEnt`]);
/// [`ExperimentError::TooLarge`] if the series cannot be stored, [`ExperimentError::Cancelled`]
/// between sweeps.
///
/// # Examples
/// ```
/// use entropic::experiment::{Sequential, measure_mixing};
/// use entropic::maxent::{GaussianEnergy, Moves, Walkers};
/// let mut rng = entropic::rng::from_seed(3);
/// let mut target = GaussianEnergy::anisotropic(4, 10.0, &mut rng)?;
/// // Start at exact draws: x = Σ √v_k z_k u_k.
/// let mut start = Vec::new();
/// for _ in 0..100 {
///     let mut x = vec![0.0; 4];
///     for k in 0..4 {
///         let z = entropic::rng::normal_pair(&mut rng).0 * target.variances()[k].sqrt();
///         x.iter_mut().zip(target.axis(k)).for_each(|(x, u)| *x += z * u);
///     }
///     start.extend(x);
/// }
/// let mut walkers = Walkers::new(4, start, 0.5, None)?.with_moves(Moves::Hamiltonian(10))?;
/// let widest = target.axis(3).to_vec();
/// let mixing = measure_mixing(&mut walkers, &mut target, Some(&widest), 200, &mut rng, &Sequential)?;
/// assert!(mixing.tau() < 5.0 && mixing.converged());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn measure_mixing<E: Energy + ?Sized, G: Rng + ?Sized, R: Runtime>(
    walkers: &mut Walkers,
    target: &mut E,
    direction: Option<&[f64]>,
    sweeps: usize,
    rng: &mut G,
    rt: &R,
) -> Result<Mixing, ExperimentError> {
    if sweeps < 8 {
        return Err(ExperimentError::MaxEnt(MaxEntError::Parameter(
            "a mixing measurement needs at least 8 sweeps",
        )));
    }
    let (n, d) = (walkers.len(), walkers.dim());
    // Two series of walkers × sweeps values.
    check_memory("the mixing series (walkers × sweeps)", &[n, sweeps, 16])?;
    let mut axis = match direction {
        Some(u) if u.len() != d => {
            return Err(ExperimentError::MaxEnt(MaxEntError::Shape(
                "the slow direction must have the walkers' dimension",
            )));
        }
        Some(u) => u.to_vec(),
        None => principal_axis(walkers),
    };
    let norm = libm::sqrt(axis.iter().map(|u| u * u).sum::<f64>());
    if !(norm.is_finite() && norm > 0.0) {
        return Err(MaxEntError::NotFinite("the slow direction").into());
    }
    axis.iter_mut().for_each(|u| *u /= norm);
    let mut energies = vec![0.0; n * sweeps];
    let mut projections = vec![0.0; n * sweeps];
    let (mut acceptance, mut seconds, mut h) = (0.0, Some(0.0), Vec::new());
    for t in 0..sweeps {
        check_cancelled(rt)?;
        let start = rt.seconds();
        acceptance += walkers.sweep(target, rng)?;
        seconds = seconds
            .zip(start.zip(rt.seconds()))
            .map(|(s, (a, b))| s + (b - a));
        rt.progress("measure", t as u64 + 1, sweeps as u64);
        target.energies(walkers.positions(), n, &mut h)?;
        for (w, x) in walkers.positions().chunks_exact(d).enumerate() {
            energies[w * sweeps + t] = h[w];
            projections[w * sweeps + t] = x.iter().zip(&axis).map(|(a, b)| a * b).sum();
        }
    }
    let not_finite = |_| {
        ExperimentError::MaxEnt(MaxEntError::NotFinite(
            "the measured energies or projections",
        ))
    };
    Ok(Mixing {
        walkers: n,
        sweeps,
        acceptance: acceptance / sweeps as f64,
        energy: pooled_autocorrelation_time(&energies, sweeps).map_err(not_finite)?,
        projection: pooled_autocorrelation_time(&projections, sweeps).map_err(not_finite)?,
        seconds_per_sweep: seconds.map(|s| s / sweeps as f64),
        trace: projections[..sweeps].to_vec(),
    })
}

/// The top eigenvector of the walkers' sample covariance ([`Walkers::covariance`]), by 300 power
/// iterations from the all-ones direction (a zero vector if the walkers do not spread).
fn principal_axis(walkers: &Walkers) -> Vec<f64> {
    let d = walkers.dim();
    let Some((cov, _)) = walkers.covariance() else {
        return vec![0.0; d];
    };
    let mut v = vec![1.0; d];
    for _ in 0..300 {
        let w: Vec<f64> = cov
            .chunks_exact(d)
            .map(|r| r.iter().zip(&v).map(|(a, b)| a * b).sum())
            .collect();
        let norm = libm::sqrt(w.iter().map(|a| a * a).sum::<f64>());
        if !(norm > 0.0 && norm.is_finite()) {
            return vec![0.0; d];
        }
        v = w.into_iter().map(|a| a / norm).collect();
    }
    v
}

/// A walker move compared by [`MaxentMixing`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum WalkerSampler {
    /// Random-walk Metropolis, one coordinate at a time ([`Moves::Coordinate`]); warm-up aims at
    /// 50 % acceptance.
    Metropolis,
    /// MALA: one leapfrog step per sweep ([`Moves::Hamiltonian`]`(1)`); warm-up aims at 57 %,
    /// the optimal scaling of Roberts & Rosenthal (1998).
    Mala,
    /// HMC with [`MaxentMixingConfig::leapfrog`] steps per trajectory; warm-up aims at 65 %
    /// (Beskos et al. 2013).
    Hmc,
}

impl WalkerSampler {
    /// Its name in tables and configs.
    pub fn name(self) -> &'static str {
        match self {
            Self::Metropolis => "metropolis",
            Self::Mala => "mala",
            Self::Hmc => "hmc",
        }
    }

    /// The walkers' moves and the warm-up's target acceptance.
    fn moves(self, leapfrog: usize) -> (Moves, f64) {
        match self {
            Self::Metropolis => (Moves::Coordinate, 0.5),
            Self::Mala => (Moves::Hamiltonian(1), 0.574),
            Self::Hmc => (Moves::Hamiltonian(leapfrog), 0.65),
        }
    }

    /// Its random stream index: a sampler's draws do not depend on which others run.
    fn stream(self) -> usize {
        match self {
            Self::Metropolis => 0,
            Self::Mala => 1,
            Self::Hmc => 2,
        }
    }
}

/// Settings of a [`MaxentMixing`] run.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct MaxentMixingConfig {
    /// The samplers, in order, each from the same start. Default all three.
    pub samplers: Vec<WalkerSampler>,
    /// Leapfrog steps of an HMC trajectory (1 … 1000). Default 10.
    pub leapfrog: usize,
    /// Warm-up sweeps, the step adapted every sweep toward the sampler's target acceptance
    /// (then frozen). Default 300.
    pub warmup: usize,
    /// Measured sweeps (≥ 8). Default 1000.
    pub sweeps: usize,
    /// The samplers whose moves are preconditioned: halfway through their warm-up every
    /// coordinate's moves are scaled by the walkers' spread along it ([`Walkers::precondition`]:
    /// a diagonal mass matrix for MALA and HMC, per-coordinate widths for Metropolis). Default
    /// none.
    pub precondition: Vec<WalkerSampler>,
    /// Precondition MALA and HMC with the walkers' whole covariance
    /// ([`Walkers::precondition_dense`], a dense mass matrix) instead of its diagonal
    /// (Metropolis keeps the diagonal). Default false.
    pub dense: bool,
}

impl Default for MaxentMixingConfig {
    fn default() -> Self {
        Self {
            samplers: vec![
                WalkerSampler::Metropolis,
                WalkerSampler::Mala,
                WalkerSampler::Hmc,
            ],
            leapfrog: 10,
            warmup: 300,
            sweeps: 1000,
            precondition: Vec::new(),
            dense: false,
        }
    }
}

/// One sampler's measurement.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MixingRow {
    /// The sampler.
    pub sampler: WalkerSampler,
    /// Leapfrog steps per sweep (0 for Metropolis).
    pub leapfrog: usize,
    /// The step after warm-up: the proposal half-width (Metropolis) or ε.
    pub step: f64,
    /// Whether its moves were preconditioned by the walkers' spread.
    pub preconditioned: bool,
    /// Whether that preconditioning was the dense covariance.
    pub dense: bool,
    /// What it measured.
    pub mixing: Mixing,
    /// The walkers' positions at the end.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub positions: Vec<f64>,
}

impl MixingRow {
    /// The sampler's name, marked when preconditioned: `+pre` (diagonal) or `+dense`.
    pub fn label(&self) -> &'static str {
        match (self.sampler, self.preconditioned, self.dense) {
            (WalkerSampler::Metropolis, false, _) => "metropolis",
            (WalkerSampler::Metropolis, true, _) => "metropolis+pre",
            (WalkerSampler::Mala, false, _) => "mala",
            (WalkerSampler::Mala, true, false) => "mala+pre",
            (WalkerSampler::Mala, true, true) => "mala+dense",
            (WalkerSampler::Hmc, false, _) => "hmc",
            (WalkerSampler::Hmc, true, false) => "hmc+pre",
            (WalkerSampler::Hmc, true, true) => "hmc+dense",
        }
    }

    /// The mean of (x · u)² over the final walkers x: their variance along the unit vector `u`
    /// when the target is centred (NaN for a `u` of another dimension or no walkers).
    pub fn variance_along(&self, u: &[f64]) -> f64 {
        let d = u.len();
        if d == 0 || self.positions.is_empty() || self.positions.len() % d != 0 {
            return f64::NAN;
        }
        let n = self.positions.len() / d;
        self.positions
            .chunks_exact(d)
            .map(|x| {
                let p: f64 = x.iter().zip(u).map(|(a, b)| a * b).sum();
                p * p
            })
            .sum::<f64>()
            / n as f64
    }
}

/// The centred anisotropic Gaussian on which `entropic maxent mixing` compares samplers by
/// default ([`GaussianEnergy::anisotropic`]: variances log-spaced from 1 to the condition number
/// along the axes of a random rotation), walkers drawn exactly from it, and its slowest
/// direction — the axis of the largest variance, the projection [`MaxentMixing::run`] traces.
#[derive(Clone, Debug)]
pub struct GaussianMixingTarget {
    /// The target.
    pub energy: GaussianEnergy,
    /// Walkers in equilibrium (exact draws), initial width 0.1.
    pub start: Walkers,
    /// The axis of the largest variance (unit length).
    pub widest: Vec<f64>,
    /// The variance along it: what the walkers' [`MixingRow::variance_along`] estimates.
    pub variance: f64,
}

impl GaussianMixingTarget {
    /// The target in `dim` dimensions with condition number `condition` and `walkers` exact
    /// draws, all from [`stream`]`(seed, 10)`.
    ///
    /// # Errors
    /// [`ExperimentError::Config`] for no walkers; [`ExperimentError::TooLarge`] before any work
    /// when the walkers or the covariance cannot be stored; [`GaussianEnergy::anisotropic`]'s
    /// errors for a zero dimension or a condition number that is not finite and ≥ 1.
    pub fn new(
        dim: usize,
        condition: f64,
        walkers: usize,
        seed: u64,
    ) -> Result<Self, ExperimentError> {
        if walkers == 0 {
            return Err(ExperimentError::config("walkers", "must be at least 1"));
        }
        check_memory("the Gaussian walkers", &[walkers, dim, 8])?;
        check_memory("the Gaussian target", &[dim, dim, 8])?;
        let mut rng = stream(seed, 10);
        let energy = GaussianEnergy::anisotropic(dim, condition, &mut rng)?;
        let widest = energy.axis(dim - 1).to_vec();
        let variance = energy.variances()[dim - 1];
        let draws = energy.exact_draws(walkers, &mut rng);
        let start = Walkers::new(dim, draws, 0.1, None)?;
        Ok(Self {
            energy,
            start,
            widest,
            variance,
        })
    }
}

/// Compare walker samplers on one target: each starts from the same walkers, adapts its step
/// during warm-up, then [`measure_mixing`] runs with the step frozen.
#[derive(Clone, Debug)]
pub struct MaxentMixing {
    config: MaxentMixingConfig,
}

/// Most leapfrog steps per HMC trajectory (each costs an energy and a gradient evaluation over
/// all walkers).
pub const MAX_LEAPFROG: usize = 1000;

/// Refuse more than [`MAX_LEAPFROG`] leapfrog steps (0 is each caller's to allow or refuse).
pub(crate) fn check_leapfrog(leapfrog: usize) -> Result<(), ExperimentError> {
    if leapfrog > MAX_LEAPFROG {
        return Err(ExperimentError::config(
            "leapfrog",
            alloc::format!("must be at most {MAX_LEAPFROG}, got {leapfrog}"),
        ));
    }
    Ok(())
}

impl MaxentMixing {
    /// # Errors
    /// [`ExperimentError::Config`] naming the setting: no sampler, leapfrog outside 1 … 1000,
    /// fewer than 8 measured sweeps.
    pub fn new(config: MaxentMixingConfig) -> Result<Self, ExperimentError> {
        if config.samplers.is_empty() {
            return Err(ExperimentError::config("samplers", "name at least one"));
        }
        if config.leapfrog == 0 {
            return Err(ExperimentError::config("leapfrog", "must be at least 1"));
        }
        check_leapfrog(config.leapfrog)?;
        if config.sweeps < 8 {
            return Err(ExperimentError::config("sweeps", "must be at least 8"));
        }
        Ok(Self { config })
    }

    /// The settings.
    pub fn config(&self) -> &MaxentMixingConfig {
        &self.config
    }

    /// Run every sampler on `target` from `start` (its width is the first step), draws from
    /// [`stream`]`(seed, k)` with k fixed per sampler. Progress: "warm-up &lt;name&gt;", then
    /// "measure".
    ///
    /// # Errors
    /// [`ExperimentError::TooLarge`] before any work if the series cannot be stored;
    /// [`ExperimentError::Cancelled`]; [`measure_mixing`]'s errors.
    pub fn run<E: Energy + ?Sized, R: Runtime>(
        &self,
        target: &mut E,
        start: &Walkers,
        direction: Option<&[f64]>,
        seed: u64,
        rt: &R,
    ) -> Result<Vec<MixingRow>, ExperimentError> {
        let c = &self.config;
        check_memory(
            "the mixing series (walkers × sweeps)",
            &[start.len(), c.sweeps, 16],
        )?;
        let mut rows = Vec::with_capacity(c.samplers.len());
        for &sampler in &c.samplers {
            let (moves, acceptance) = sampler.moves(c.leapfrog);
            let mut walkers = start.clone().with_moves(moves)?;
            let mut rng = stream(seed, sampler.stream());
            let stage = alloc::format!("warm-up {}", sampler.name());
            for k in 0..c.warmup {
                check_cancelled(rt)?;
                if k == c.warmup / 2 && c.precondition.contains(&sampler) {
                    if c.dense && sampler != WalkerSampler::Metropolis {
                        walkers.precondition_dense();
                    } else {
                        walkers.precondition();
                    }
                }
                let a = walkers.sweep(target, &mut rng)?;
                walkers.adapt(a, acceptance);
                rt.progress(&stage, k as u64 + 1, c.warmup as u64);
            }
            let mixing = measure_mixing(&mut walkers, target, direction, c.sweeps, &mut rng, rt)?;
            rows.push(MixingRow {
                sampler,
                leapfrog: match moves {
                    Moves::Hamiltonian(l) => l,
                    _ => 0,
                },
                step: walkers.width(),
                preconditioned: walkers.scales().is_some(),
                dense: walkers.factor().is_some(),
                mixing,
                positions: walkers.positions().to_vec(),
            });
        }
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::Sequential;
    use crate::rng::{from_seed, normal_pair};

    /// MALA (one leapfrog step) on N(0, 1) proposes x′ = (1 − ε²/2) x + ε ξ: an AR(1) chain with
    /// a = 1 − ε²/2 and τ_int = ½ (1 + a)/(1 − a) when every move is accepted. Rejections (a
    /// fraction r) can only slow it, by at most 1/(1 − r). The walkers start at exact draws.
    #[test]
    fn langevin_on_a_gaussian_has_the_autoregressive_time() {
        let mut rng = from_seed(5);
        let mut target = GaussianEnergy::anisotropic(1, 1.0, &mut rng).unwrap();
        let (n, sweeps, eps) = (1000, 2000, 0.3);
        let start: Vec<f64> = (0..n).map(|_| normal_pair(&mut rng).0).collect();
        let mut walkers = Walkers::new(1, start, eps, None)
            .unwrap()
            .with_moves(Moves::Hamiltonian(1))
            .unwrap();
        let m = measure_mixing(
            &mut walkers,
            &mut target,
            None,
            sweeps,
            &mut rng,
            &Sequential,
        )
        .unwrap();
        let a = 1.0 - eps * eps / 2.0;
        let tau = 0.5 * (1.0 + a) / (1.0 - a);
        // Sokal's variance of τ̂ with window W: 2(2W + 1)/N τ².
        let sigma =
            tau * libm::sqrt(2.0 * (2 * m.projection.window + 1) as f64 / (n * sweeps) as f64);
        let slowest = tau / m.acceptance;
        assert!(m.converged() && m.acceptance > 0.95, "{m:?}");
        assert!(
            m.projection.tau > tau - 4.0 * sigma && m.projection.tau < slowest + 4.0 * sigma,
            "τ {} vs {tau} … {slowest} (σ {sigma})",
            m.projection.tau
        );
        assert_eq!(m.trace.len(), sweeps);
        assert!(m.seconds_per_sweep.is_none() && m.effective_samples_per_second().is_none());
        assert!((m.effective_samples_per_sweep() - n as f64 / (2.0 * m.tau())).abs() < 1e-9);
    }

    #[test]
    fn bad_requests_are_refused() {
        let mut target = GaussianEnergy::anisotropic(2, 4.0, &mut from_seed(1)).unwrap();
        let mut walkers = Walkers::new(2, alloc::vec![0.1, 0.2, -0.3, 0.4], 0.5, None).unwrap();
        let mut rng = from_seed(2);
        let mut run = |dir: Option<&[f64]>, sweeps| {
            measure_mixing(
                &mut walkers,
                &mut target,
                dir,
                sweeps,
                &mut rng,
                &Sequential,
            )
        };
        use ExperimentError::MaxEnt as M;
        assert!(matches!(run(None, 7), Err(M(MaxEntError::Parameter(_)))));
        assert!(matches!(
            run(Some(&[1.0]), 10),
            Err(M(MaxEntError::Shape(_)))
        ));
        assert!(matches!(
            run(Some(&[0.0, 0.0]), 10),
            Err(M(MaxEntError::NotFinite(_)))
        ));
        let bad = |c: MaxentMixingConfig| MaxentMixing::new(c).is_err();
        let ok = MaxentMixingConfig::default();
        assert!(bad(MaxentMixingConfig {
            samplers: Vec::new(),
            ..ok.clone()
        }));
        assert!(bad(MaxentMixingConfig {
            leapfrog: 0,
            ..ok.clone()
        }));
        assert!(bad(MaxentMixingConfig {
            leapfrog: 1001,
            ..ok.clone()
        }));
        assert!(bad(MaxentMixingConfig {
            sweeps: 7,
            ..ok.clone()
        }));
        assert!(!bad(ok));
        assert!(run(Some(&[1.0, 1.0]), 10).is_ok());
    }
}
