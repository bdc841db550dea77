//! Reverse-time samplers of a VP-SDE score ([`Predictor`], [`Sampling`], [`sample`]): the
//! predictor steps, the Langevin corrector and the time grids. The file passes 800 lines only
//! through its tests (the second half: every step against the exact Gaussian, a point mass and
//! the enumerated 3×3 Ising law).
use super::denoiser::{log_snr, log_snr_range, time_at_log_snr};
use super::{DiffusionError, Score, VpSde};
use crate::rng::normal_pair;
use alloc::vec;
use alloc::vec::Vec;
use rand_core::Rng;

/// The step from t to t − dt of a reverse-time sampler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Predictor {
    /// Euler–Maruyama step of the reverse-time SDE (Eq. 2.46)
    /// dX = [−½β(t)X − β(t) s(X, t)] dt + √β(t) dW̄.
    #[cfg_attr(
        feature = "clap",
        value(help = "Euler–Maruyama step of the reverse-time SDE (Eq. 2.46)")
    )]
    EulerMaruyama,
    /// Ancestral step (Ho et al. 2020): x_{t−dt} drawn from the VP-SDE's exact Gaussian bridge
    /// q(x_{t−dt} | x_t, x₀) with x₀ replaced by Tweedie's posterior mean
    /// x̂₀ = (x_t + σ_t² s)/k_t. With k = k_t/k_{t−dt} and σ² = 1 − k² of the step this is
    /// x ← (x + σ² s)/k + √(σ² σ²_{t−dt}/σ_t²) z. No drift is linearised: with the exact score
    /// the step is exact for a point mass whatever dt, and it tends to the reverse SDE as dt → 0.
    /// It is the first-order SDE-DPM-Solver++ (Lu et al. 2022).
    #[cfg_attr(
        feature = "clap",
        value(
            help = "Ancestral: the VP-SDE's exact Gaussian bridge towards the denoiser's posterior mean (first-order SDE-DPM-Solver++)"
        )
    )]
    Ancestral,
    /// Second-order multistep ancestral step (SDE-DPM-Solver++(2M), Lu et al. 2022, midpoint
    /// form): the bridge of [`Predictor::Ancestral`] towards D = x̂₀ + (x̂₀ − x̂₀′)/(2r) instead of
    /// x̂₀, with x̂₀′ the previous step's posterior mean and r = h′/h the ratio of the two steps'
    /// half log-SNR increments h = ½(λ_{t−dt} − λ_t): the linear extrapolation of x̂₀ over the step
    /// costs no extra score evaluation. The first step is [`Predictor::Ancestral`]'s.
    #[cfg_attr(
        feature = "clap",
        value(
            help = "Second-order multistep ancestral (SDE-DPM-Solver++(2M)); use with a log-SNR grid"
        )
    )]
    Multistep,
    /// Euler step of the probability-flow ODE dx/dt = −½β(t)[x + s(x, t)], which has the same
    /// marginals as the SDE; the only randomness is the N(0, I) start.
    #[cfg_attr(
        feature = "clap",
        value(
            help = "Euler step of the probability-flow ODE (deterministic after the N(0, I) start)"
        )
    )]
    ProbabilityFlow,
}

/// Langevin corrector of the predictor–corrector sampler (Song et al. 2021, Alg. 4–5).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Langevin {
    /// Corrector steps before each predictor step.
    pub steps: usize,
    /// Target signal-to-noise ratio r: the step is ε = 2 (r ⟨|z|⟩ / ⟨|s(x, t)|⟩)², norms averaged
    /// over the batch.
    pub snr: f64,
    /// Log-SNR interval [λ_lo, λ_hi] of the grid times at which the moves are made, or `None` for
    /// every time. Moves only pay where the score is accurate: a window at small noise relaxes
    /// the samples towards the model's p_t there without spending evaluations at large noise.
    pub window: Option<(f64, f64)>,
}

impl Langevin {
    /// `steps` moves of signal-to-noise ratio `snr` before every predictor step.
    pub fn everywhere(steps: usize, snr: f64) -> Self {
        Self {
            steps,
            snr,
            window: None,
        }
    }

    /// A finite positive r and, if any, a window with λ_lo ≤ λ_hi (NaN bounds refused).
    fn check(&self) -> Result<(), DiffusionError> {
        if !(self.snr.is_finite() && self.snr > 0.0) {
            return Err(DiffusionError::Parameter(
                "the corrector's signal-to-noise ratio must be finite and positive",
            ));
        }
        if self.window.is_some_and(|(lo, hi)| (lo..=hi).is_empty()) {
            return Err(DiffusionError::Parameter(
                "the corrector's log-SNR window must have λ_lo ≤ λ_hi",
            ));
        }
        Ok(())
    }

    /// Whether the moves are made at log-SNR `lambda`.
    fn acts_at(&self, lambda: f64) -> bool {
        self.window
            .is_none_or(|(lo, hi)| (lo..=hi).contains(&lambda))
    }
}

/// Where the sampler's `steps + 1` times t_0 = T > … > t_steps = ε lie.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
pub enum TimeGrid {
    /// Uniform in t.
    Uniform,
    /// Uniform in the log-SNR λ(t) (as in DPM-Solver): steps shrink towards ε, where the
    /// noise scale σ_t falls below the data's own scales.
    LogSnr,
}

impl TimeGrid {
    /// Time `k` of `steps` (t_0 = T, t_steps = ε).
    fn time(self, sde: &VpSde, k: usize, steps: usize) -> f64 {
        let f = k as f64 / steps as f64;
        let (t_end, eps) = (sde.t_end(), sde.eps());
        match (self, k) {
            (_, 0) => t_end,
            (_, k) if k == steps => eps,
            (TimeGrid::Uniform, _) => t_end - f * (t_end - eps),
            (TimeGrid::LogSnr, _) => {
                let (lo, hi) = log_snr_range(sde);
                time_at_log_snr(sde, lo + f * (hi - lo))
            }
        }
    }
}

/// How [`sample`] integrates from t = T down to ε.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sampling {
    /// Number of predictor steps.
    pub steps: usize,
    /// The predictor step.
    pub predictor: Predictor,
    /// Langevin corrector moves before each predictor step, or none.
    pub corrector: Option<Langevin>,
    /// Where the steps lie.
    pub grid: TimeGrid,
}

impl Sampling {
    /// Time t_k of step `k` of the grid (t_0 = T, t_steps = ε; later `k` clamp to ε).
    pub fn time(&self, sde: &VpSde, k: usize) -> f64 {
        self.grid.time(sde, k.min(self.steps), self.steps)
    }

    /// # Errors
    /// [`DiffusionError::Parameter`] for zero steps or a corrector with a non-positive
    /// signal-to-noise ratio or an empty window.
    pub fn check(&self) -> Result<(), DiffusionError> {
        if self.steps == 0 {
            return Err(DiffusionError::Parameter("sampling needs steps ≥ 1"));
        }
        self.corrector.as_ref().map_or(Ok(()), Langevin::check)
    }

    /// `steps` plain Euler–Maruyama steps of the reverse SDE (Eq. 2.46), uniform in t.
    pub fn reverse_sde(steps: usize) -> Self {
        Self {
            steps,
            predictor: Predictor::EulerMaruyama,
            corrector: None,
            grid: TimeGrid::Uniform,
        }
    }
}

/// Generate `n` samples (row-major n×d) with the plain Euler–Maruyama reverse SDE from t = T
/// down to ε in `steps` steps, starting from N(0, I) (the VP-SDE's limit):
/// [`sample`] with [`Sampling::reverse_sde`].
///
/// # Errors
/// [`DiffusionError::Parameter`] for zero samples or steps.
pub fn reverse_sde<S: Score, R: Rng + ?Sized>(
    sde: &VpSde,
    score: &mut S,
    n: usize,
    steps: usize,
    rng: &mut R,
) -> Result<Vec<f64>, DiffusionError> {
    sample(sde, score, n, &Sampling::reverse_sde(steps), rng)
}

/// Generate `n` samples with the probability-flow ODE: [`sample`] with
/// [`Predictor::ProbabilityFlow`], uniform in t, no corrector.
///
/// # Errors
/// [`DiffusionError::Parameter`] for zero samples or steps.
pub fn probability_flow<S: Score, R: Rng + ?Sized>(
    sde: &VpSde,
    score: &mut S,
    n: usize,
    steps: usize,
    rng: &mut R,
) -> Result<Vec<f64>, DiffusionError> {
    let sampling = Sampling {
        predictor: Predictor::ProbabilityFlow,
        ..Sampling::reverse_sde(steps)
    };
    sample(sde, score, n, &sampling, rng)
}

/// Generate `n` samples (row-major n×d) by integrating from t = T down to ε in
/// `sampling.steps` steps of its grid, starting from N(0, I). Each step is the predictor's; with
/// a corrector, `corrector.steps` Langevin moves x ← x + ε s(x, t) + √(2ε) z come first at every
/// time: they pull samples that drifted off the model's marginal p_t back onto it, at the cost
/// of one more score evaluation per move.
///
/// # Errors
/// [`DiffusionError::Parameter`] for zero samples or steps, or a corrector whose r is not finite
/// and positive.
pub fn sample<S: Score, R: Rng + ?Sized>(
    sde: &VpSde,
    score: &mut S,
    n: usize,
    sampling: &Sampling,
    rng: &mut R,
) -> Result<Vec<f64>, DiffusionError> {
    if n == 0 {
        return Err(DiffusionError::Parameter("sampling needs n ≥ 1"));
    }
    let mut x: Vec<f64> = (0..n * score.dim()).map(|_| normal_pair(rng).0).collect();
    sample_from(sde, score, &mut x, 0, sampling, rng)?;
    Ok(x)
}

/// Continue [`sample`]'s integration from its step `from`: `x` (row-major n×d) is the state at
/// the grid's time t_from ([`Sampling::time`]) and is integrated down to ε in place. Starting
/// from data perturbed to t_from ([`VpSde::perturb`]) gives partial generation (SDEdit): with
/// the exact score the result is distributed as the data, so the drift of an observable from
/// the starting configurations measures the model's error at noise levels below t_from alone.
///
/// # Examples
/// Points of N(2, 0.1) perturbed to step 45 of a 50-step log-SNR grid (λ ≈ 7.3, noise
/// σ ≈ 0.026) and denoised with the exact score from there move by about that noise only:
/// ```
/// use entropic::diffusion::{GaussianScore, Predictor, Sampling, TimeGrid, VpSde, sample_from};
/// use entropic::rng::from_seed;
/// let sde = VpSde::default();
/// let mut score = GaussianScore::new(sde, &[2.0], &[0.1])?;
/// let sampling = Sampling {
///     steps: 50,
///     predictor: Predictor::Multistep,
///     corrector: None,
///     grid: TimeGrid::LogSnr,
/// };
/// let mut rng = from_seed(1);
/// let (x0, t) = ([1.9, 2.0, 2.1], sampling.time(&sde, 45));
/// let (mut x, mut noise) = ([0.0; 3], [0.0; 3]);
/// sde.perturb(&x0, t, &mut rng, &mut x, &mut noise);
/// sample_from(&sde, &mut score, &mut x, 45, &sampling, &mut rng)?;
/// assert!(x.iter().zip(&x0).all(|(x, x0)| (x - x0).abs() < 0.15));
/// # Ok::<(), entropic::diffusion::DiffusionError>(())
/// ```
///
/// # Errors
/// [`DiffusionError::Parameter`] for zero steps, `from` beyond the last step, or a corrector
/// whose r is not finite and positive or whose window is empty; [`DiffusionError::Shape`] for an
/// `x` that is empty or not a whole number of rows.
pub fn sample_from<S: Score, R: Rng + ?Sized>(
    sde: &VpSde,
    score: &mut S,
    x: &mut [f64],
    from: usize,
    sampling: &Sampling,
    rng: &mut R,
) -> Result<(), DiffusionError> {
    sample_from_observed(sde, score, x, from, sampling, rng, |_, _| {})
}

/// [`sample_from`], calling `observe(k, x)` with the state after each step k + 1 of the grid
/// (k = `from` + 1 … `steps`): the denoising trajectory, e.g. for an animation of the thesis'
/// Fig. 4.1. The same draws and the same result as [`sample_from`].
///
/// # Errors
/// As [`sample_from`].
pub fn sample_from_observed<S: Score, R: Rng + ?Sized>(
    sde: &VpSde,
    score: &mut S,
    x: &mut [f64],
    from: usize,
    sampling: &Sampling,
    rng: &mut R,
    mut observe: impl FnMut(usize, &[f64]),
) -> Result<(), DiffusionError> {
    let Sampling {
        steps,
        predictor,
        corrector,
        grid,
    } = *sampling;
    sampling.check()?;
    if from >= steps {
        return Err(DiffusionError::Parameter(
            "sampling needs a start before the last step",
        ));
    }
    let d = score.dim();
    if d == 0 || x.is_empty() || x.len() % d != 0 {
        return Err(DiffusionError::Shape(
            "the starting state must hold n ≥ 1 rows of the score's dimension",
        ));
    }
    let n = x.len() / d;
    let mut s = vec![0.0; n * d];
    let mut times = vec![0.0; n];
    let mut z = vec![0.0; if corrector.is_some() { n * d } else { 0 }];
    // Multistep: the previous step's posterior means (overwritten site by site as they are used)
    // and half log-SNR increment.
    let multistep = predictor == Predictor::Multistep;
    let mut previous = vec![0.0; if multistep { n * d } else { 0 }];
    let mut h_prev: Option<f64> = None;
    for k in from..steps {
        let (t, next) = (grid.time(sde, k, steps), grid.time(sde, k + 1, steps));
        let dt = t - next;
        times.iter_mut().for_each(|v| *v = t);
        if let Some(c) = corrector.filter(|c| c.acts_at(log_snr(sde, t))) {
            for _ in 0..c.steps {
                score.score_batch(x, &times, &mut s)?;
                z.iter_mut().for_each(|v| *v = normal_pair(rng).0);
                langevin_move(x, &s, &z, d, c.snr);
            }
        }
        score.score_batch(x, &times, &mut s)?;
        let noise = match predictor {
            Predictor::EulerMaruyama => {
                // Backwards in time: x(t − dt) = x(t) − drift·dt + √(β dt) z.
                let b = sde.beta(t);
                for (x, &s) in x.iter_mut().zip(&s) {
                    *x += (0.5 * b * *x + b * s) * dt;
                }
                libm::sqrt(b * dt)
            }
            Predictor::Ancestral | Predictor::Multistep => {
                // x ← (k σ_s²/σ_t²) x + (k_s σ²/σ_t²) D with k = k_t/k_s, σ² = 1 − k² of the
                // step, and D = x̂₀ = (x + σ_t² s)/k_t (or its extrapolation).
                let step = sde.integrated_beta(t) - sde.integrated_beta(next);
                let (k, var) = (libm::exp(-0.5 * step), -libm::expm1(-step));
                let (var_t, var_s) = (sde.variance(t), sde.variance(next));
                let (k_t, k_s) = (sde.mean_coefficient(t), sde.mean_coefficient(next));
                let h = 0.5 * (log_snr(sde, next) - log_snr(sde, t));
                let slope = h_prev.map_or(0.0, |h_prev| h / (2.0 * h_prev));
                let (cx, cd) = (k * var_s / var_t, k_s * var / var_t);
                for (i, (x, &s)) in x.iter_mut().zip(&s).enumerate() {
                    let mean = (*x + var_t * s) / k_t;
                    let mut target = mean;
                    if multistep {
                        target += slope * (mean - previous[i]);
                        previous[i] = mean;
                    }
                    *x = cx * *x + cd * target;
                }
                if multistep {
                    h_prev = Some(h);
                }
                libm::sqrt(var * var_s / var_t)
            }
            Predictor::ProbabilityFlow => {
                let b = sde.beta(t);
                for (x, &s) in x.iter_mut().zip(&s) {
                    *x += 0.5 * b * (*x + s) * dt;
                }
                0.0
            }
        };
        if noise > 0.0 {
            for chunk in x.chunks_mut(2) {
                let (z0, z1) = normal_pair(rng);
                for (x, z) in chunk.iter_mut().zip([z0, z1]) {
                    *x += noise * z;
                }
            }
        }
        observe(k + 1, x);
    }
    Ok(())
}

/// One Langevin move x ← x + ε s + √(2ε) z of every row (length `d`), with
/// ε = 2 (r ⟨|z|⟩/⟨|s|⟩)². Norms are averaged over the batch (as in Song et al.'s code):
/// per-sample ratios are heavy-tailed in low dimension.
fn langevin_move(x: &mut [f64], s: &[f64], z: &[f64], d: usize, r: f64) {
    let mean_norm = |v: &[f64]| {
        v.chunks(d)
            .map(|row| libm::sqrt(row.iter().map(|a| a * a).sum::<f64>()))
            .sum::<f64>()
            / (v.len() / d) as f64
    };
    let (gs, gz) = (mean_norm(s), mean_norm(z));
    if gs > 0.0 {
        let eps = 2.0 * (r * gz / gs) * (r * gz / gs);
        let noise = libm::sqrt(2.0 * eps);
        for ((x, &s), &z) in x.iter_mut().zip(s).zip(z) {
            *x += eps * s + noise * z;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The observed trajectory ends at the unobserved result, with one state per step.
    #[test]
    fn observed_sampling_is_the_same_integration() {
        let sde = VpSde::default();
        let sampling = Sampling::reverse_sde(40);
        let start: Vec<f64> = (0..6).map(|i| f64::from(i) - 2.5).collect();
        let mut score = GaussianScore::new(sde, &[1.0, -1.0], &[0.5, 0.0, 0.0, 2.0]).unwrap();
        let mut plain = start.clone();
        sample_from(
            &sde,
            &mut score,
            &mut plain,
            0,
            &sampling,
            &mut from_seed(3),
        )
        .unwrap();
        let (mut observed, mut frames) = (start, Vec::new());
        sample_from_observed(
            &sde,
            &mut score,
            &mut observed,
            0,
            &sampling,
            &mut from_seed(3),
            |k, x| frames.push((k, x.to_vec())),
        )
        .unwrap();
        assert_eq!(plain, observed);
        assert_eq!(frames.len(), 40);
        assert_eq!(frames.last().unwrap(), &(40, plain));
    }
    use crate::diffusion::GaussianScore;
    use crate::rng::{Xoshiro256PlusPlus, from_seed};

    fn plan(steps: usize, predictor: Predictor, corrector: Option<Langevin>) -> Sampling {
        Sampling {
            steps,
            predictor,
            corrector,
            grid: TimeGrid::Uniform,
        }
    }

    #[test]
    fn samplers_with_the_exact_score_reproduce_the_gaussian() {
        let sde = VpSde::new(0.1, 20.0, 1.0, 1e-4).unwrap();
        let (mean, cov) = ([1.0, -2.0], [2.0, 0.6, 0.6, 0.5]);
        let mut score = GaussianScore::new(sde, &mean, &cov).unwrap();
        let n = 4000;
        for (predictor, grid) in [
            (Predictor::EulerMaruyama, TimeGrid::Uniform),
            (Predictor::EulerMaruyama, TimeGrid::LogSnr),
            (Predictor::Ancestral, TimeGrid::Uniform),
            (Predictor::Ancestral, TimeGrid::LogSnr),
            (Predictor::Multistep, TimeGrid::Uniform),
            (Predictor::Multistep, TimeGrid::LogSnr),
            (Predictor::ProbabilityFlow, TimeGrid::Uniform),
        ] {
            let sampling = Sampling {
                grid,
                ..plan(1000, predictor, None)
            };
            let x = sample(&sde, &mut score, n, &sampling, &mut from_seed(3)).unwrap();
            let m: Vec<f64> = (0..2)
                .map(|j| x.iter().skip(j).step_by(2).sum::<f64>() / n as f64)
                .collect();
            let c = |a: usize, b: usize| {
                x.chunks(2)
                    .map(|r| (r[a] - m[a]) * (r[b] - m[b]))
                    .sum::<f64>()
                    / (n - 1) as f64
            };
            // Sampling errors: √(Σ_aa/n) for means, Σ_aa√(2/n) for variances; plus the O(dt)
            // discretisation error of 1000 steps (~0.02).
            for a in 0..2 {
                let se = (cov[a * 3] / n as f64).sqrt();
                assert!(
                    (m[a] - mean[a]).abs() < 4.0 * se + 0.02,
                    "{predictor:?} {grid:?}: mean {m:?}"
                );
                let v = c(a, a);
                assert!(
                    (v - cov[a * 3]).abs() < 4.0 * cov[a * 3] * (2.0 / n as f64).sqrt() + 0.02,
                    "{predictor:?} {grid:?}: var {v}"
                );
            }
            assert!(
                (c(0, 1) - 0.6).abs() < 0.1,
                "{predictor:?} {grid:?}: cov {}",
                c(0, 1)
            );
        }
        assert!(reverse_sde(&sde, &mut score, 0, 10, &mut from_seed(1)).is_err());
        let ancestral = Predictor::Ancestral;
        let empty = Langevin {
            window: Some((2.0, 1.0)),
            ..Langevin::everywhere(1, 0.1)
        };
        for bad in [Langevin::everywhere(1, 0.0), empty] {
            let plan = plan(10, ancestral, Some(bad));
            assert!(sample(&sde, &mut score, 4, &plan, &mut from_seed(1)).is_err());
        }
    }

    /// Second order: on a Gaussian with the exact score and only 50 log-SNR steps the multistep
    /// sampler's variances are within their sampling error, while the first-order ancestral
    /// step, which drops the posterior variance of x₀ over each step, is far too narrow.
    #[test]
    fn multistep_is_accurate_where_first_order_is_not() {
        let sde = VpSde::default();
        let (mean, cov) = ([0.5, -1.0], [0.2, 0.0, 0.0, 0.01]);
        let mut score = GaussianScore::new(sde, &mean, &cov).unwrap();
        let n = 20_000;
        for predictor in [Predictor::Multistep, Predictor::Ancestral] {
            let sampling = Sampling {
                grid: TimeGrid::LogSnr,
                ..plan(50, predictor, None)
            };
            let x = sample(&sde, &mut score, n, &sampling, &mut from_seed(6)).unwrap();
            let k2 = sde.mean_coefficient(sde.eps()).powi(2);
            for a in 0..2 {
                let m = x.iter().skip(a).step_by(2).sum::<f64>() / n as f64;
                let v = x.iter().skip(a).step_by(2).map(|v| (v - m) * (v - m));
                let v = v.sum::<f64>() / (n - 1) as f64;
                let want = k2 * cov[a * 3] + sde.variance(sde.eps());
                let z = (v - want) / (want * (2.0 / n as f64).sqrt());
                if predictor == Predictor::Multistep {
                    assert!(z.abs() < 4.0, "{predictor:?}: var {v} vs {want}");
                    assert!((m - mean[a]).abs() < 4.0 * (want / n as f64).sqrt());
                } else {
                    assert!(z < -10.0, "{predictor:?}: var {v} vs {want}");
                }
            }
        }
    }

    /// Partial generation: exact Gaussian samples perturbed to the middle of the grid and
    /// integrated with the exact score end where full generation does, with no paired drift;
    /// with a wrong score the drift shows only the error at noise levels below the start.
    #[test]
    fn sampling_from_perturbed_data_drifts_only_by_the_later_score_error() {
        let sde = VpSde::default();
        let (mean, var): ([f64; 2], [f64; 2]) = ([0.5, -1.0], [0.2, 0.01]);
        let sampling = Sampling {
            grid: TimeGrid::LogSnr,
            ..plan(100, Predictor::Multistep, None)
        };
        let n = 8000;
        let mut rng = from_seed(8);
        let x0: Vec<f64> = (0..n * 2)
            .map(|i| mean[i % 2] + var[i % 2].sqrt() * normal_pair(&mut rng).0)
            .collect();
        let start = |from: usize, rng: &mut Xoshiro256PlusPlus| {
            let mut xt = vec![0.0; x0.len()];
            let mut noise = vec![0.0; 2];
            let t = sampling.time(&sde, from);
            for (row, x) in xt.chunks_mut(2).zip(x0.chunks(2)) {
                sde.perturb(x, t, rng, row, &mut noise);
            }
            xt
        };
        // Mean and standard error of the paired drift x_end − x₀ of coordinate a.
        let drift = |x: &[f64], a: usize| {
            let d: Vec<f64> = x
                .iter()
                .zip(&x0)
                .skip(a)
                .step_by(2)
                .map(|(e, s)| e - s)
                .collect();
            let (m, sd) = crate::stats::mean_and_sd(&d);
            (m, sd / (n as f64).sqrt())
        };
        let exact = |m: &[f64; 2]| GaussianScore::new(sde, m, &[var[0], 0.0, 0.0, var[1]]);
        let mut score = exact(&mean).unwrap();
        let mut x = start(50, &mut rng);
        sample_from(&sde, &mut score, &mut x, 50, &sampling, &mut rng).unwrap();
        let k = sde.mean_coefficient(sde.eps());
        for (a, mean) in mean.iter().enumerate() {
            let (m, se) = drift(&x, a);
            // The data end as k_ε x₀ + σ_ε z: a drift of (k_ε − 1) m besides the noise.
            assert!((m - (k - 1.0) * mean).abs() < 4.0 * se, "drift {m} ± {se}");
        }
        // A score whose data mean is off by 1 in the first coordinate: from the start of the
        // grid the samples take its mean; from log-SNR ≈ 8 on the drift is ≈ σ²/(v + σ²) ≪ 1.
        let mut wrong = exact(&[mean[0] + 1.0, mean[1]]).unwrap();
        let mut full = start(0, &mut rng);
        sample_from(&sde, &mut wrong, &mut full, 0, &sampling, &mut rng).unwrap();
        assert!((drift(&full, 0).0 - 1.0).abs() < 0.05);
        let mut late = start(95, &mut rng);
        sample_from(&sde, &mut wrong, &mut late, 95, &sampling, &mut rng).unwrap();
        assert!(drift(&late, 0).0.abs() < 0.01, "{:?}", drift(&late, 0));
        // `sample` is `sample_from` step 0 after drawing N(0, I), bit for bit.
        let mut rng = from_seed(9);
        let mut x: Vec<f64> = (0..10).map(|_| normal_pair(&mut rng).0).collect();
        sample_from(&sde, &mut score, &mut x, 0, &sampling, &mut rng).unwrap();
        let direct = sample(&sde, &mut score, 5, &sampling, &mut from_seed(9)).unwrap();
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&x), bits(&direct));
        for (len, from) in [(10, 100), (9, 0), (0, 0)] {
            let mut x = vec![0.0; len];
            assert!(sample_from(&sde, &mut score, &mut x, from, &sampling, &mut rng).is_err());
        }
    }

    /// The ancestral step is exact for a point mass whatever the step: 10 steps land on
    /// N(k_ε m, σ_ε² I), where 10 Euler–Maruyama steps are far off.
    #[test]
    fn ancestral_steps_are_exact_for_a_point_mass() {
        use crate::diffusion::{ExactDenoiser, Tweedie};
        let sde = VpSde::default();
        let m = [1.0, -2.0];
        let mut score = Tweedie::new(sde, ExactDenoiser::new(2, m.to_vec(), &[1.0]).unwrap());
        let n = 4000;
        let (k, var) = (sde.mean_coefficient(sde.eps()), sde.variance(sde.eps()));
        let moments = |x: &[f64], a: usize| {
            let mean = x.iter().skip(a).step_by(2).sum::<f64>() / n as f64;
            let v = x.iter().skip(a).step_by(2).map(|v| (v - mean) * (v - mean));
            (mean, v.sum::<f64>() / (n - 1) as f64)
        };
        let mut ten_steps = |predictor| {
            sample(
                &sde,
                &mut score,
                n,
                &plan(10, predictor, None),
                &mut from_seed(4),
            )
            .unwrap()
        };
        let x = ten_steps(Predictor::Ancestral);
        for (a, &m) in m.iter().enumerate() {
            let (mean, v) = moments(&x, a);
            assert!(
                (mean - k * m).abs() < 4.0 * (var / n as f64).sqrt(),
                "mean {mean}"
            );
            assert!(
                (v - var).abs() < 4.0 * var * (2.0 / n as f64).sqrt(),
                "var {v}"
            );
        }
        let em = ten_steps(Predictor::EulerMaruyama);
        assert!((moments(&em, 0).1 - var).abs() > 10.0 * var);
    }

    /// The corrector's window picks the grid times by their log-SNR: one holding the whole grid
    /// is the everywhere corrector, one beside it no corrector at all (bit for bit), and one
    /// holding the upper half of the log-SNR range moves at the steps there and nowhere else
    /// (counted through the score evaluations).
    #[test]
    fn the_corrector_window_selects_grid_times_by_log_snr() {
        struct Counting(GaussianScore, usize);
        impl Score for Counting {
            fn dim(&self) -> usize {
                self.0.dim()
            }
            fn score_batch(
                &mut self,
                x: &[f64],
                t: &[f64],
                out: &mut [f64],
            ) -> Result<(), DiffusionError> {
                self.1 += 1;
                self.0.score_batch(x, t, out)
            }
        }
        let sde = VpSde::default();
        let mut score = Counting(GaussianScore::new(sde, &[1.0], &[0.5]).unwrap(), 0);
        let (lo, hi) = log_snr_range(&sde);
        let grid = |corrector| Sampling {
            grid: TimeGrid::LogSnr,
            ..plan(40, Predictor::Multistep, corrector)
        };
        let mut run = |window: Option<Option<(f64, f64)>>| {
            let corrector = window.map(|window| Langevin {
                window,
                ..Langevin::everywhere(3, 0.1)
            });
            let sampling = grid(corrector);
            score.1 = 0;
            let x = sample(&sde, &mut score, 16, &sampling, &mut from_seed(3)).unwrap();
            (x, score.1)
        };
        let (none, evaluated) = run(None);
        assert_eq!(evaluated, 40);
        let (everywhere, evaluated) = run(Some(None));
        assert_eq!(evaluated, 4 * 40);
        assert_eq!(run(Some(Some((lo - 1.0, hi + 1.0)))).0, everywhere);
        assert_eq!(run(Some(Some((hi + 1.0, hi + 2.0)))).0, none);
        let middle = 0.5 * (lo + hi);
        let (upper, evaluated) = run(Some(Some((middle, hi + 1.0))));
        let inside = (0..40)
            .filter(|&k| log_snr(&sde, grid(None).time(&sde, k)) >= middle)
            .count();
        assert!(
            inside > 10 && inside < 30,
            "{inside} steps in the upper half"
        );
        assert_eq!(evaluated, 40 + 3 * inside);
        assert_ne!(upper, none);
        assert_ne!(upper, everywhere);
    }

    /// With the exact score the corrector keeps the samples on the target: a Gaussian with a
    /// coarse predictor (50 steps) and one Langevin move per step.
    #[test]
    fn predictor_corrector_with_the_exact_score_reproduces_the_gaussian() {
        let sde = VpSde::new(0.1, 20.0, 1.0, 1e-4).unwrap();
        let (mean, cov) = ([1.0, -2.0], [2.0, 0.6, 0.6, 0.5]);
        let mut score = GaussianScore::new(sde, &mean, &cov).unwrap();
        let n = 4000;
        let corrector = Langevin::everywhere(1, 0.16);
        let predictor = Predictor::EulerMaruyama;
        let x = sample(
            &sde,
            &mut score,
            n,
            &plan(200, predictor, Some(corrector)),
            &mut from_seed(5),
        )
        .unwrap();
        for a in 0..2 {
            let m = x.iter().skip(a).step_by(2).sum::<f64>() / n as f64;
            let v = x
                .iter()
                .skip(a)
                .step_by(2)
                .map(|v| (v - m) * (v - m))
                .sum::<f64>()
                / (n - 1) as f64;
            let se = (cov[a * 3] / n as f64).sqrt();
            assert!((m - mean[a]).abs() < 4.0 * se + 0.02, "mean {m}");
            let sv = cov[a * 3] * (2.0 / n as f64).sqrt();
            assert!((v - cov[a * 3]).abs() < 4.0 * sv + 0.02, "var {v}");
        }
    }

    /// Discrete data: with the exact 3×3 Ising denoiser (Tweedie score) the reverse SDE's signs
    /// have the enumerated energy and |m| within their error bars, at T = 2 and near order
    /// (T = 1.5), with Euler–Maruyama (also with the corrector) and with 100 multistep steps. Any
    /// bias of a learned model's samples is then the model's, not the sampler's.
    #[test]
    fn reverse_sde_with_the_exact_ising_denoiser_reproduces_enumeration() {
        use crate::diffusion::{ExactDenoiser, Tweedie};
        use crate::lattice::{Ising, Square, Temperature, enumeration};
        let sde = VpSde::default();
        let model = Ising::new(Square::with_side(3).unwrap(), 1.0, 0.0).unwrap();
        let n = 1500;
        let corrector = Some(Langevin::everywhere(1, 0.16));
        let em = |corrector| Sampling {
            corrector,
            ..Sampling::reverse_sde(500)
        };
        // The multistep sampler needs far fewer steps on the log-SNR grid.
        let multistep = Sampling {
            grid: TimeGrid::LogSnr,
            ..plan(100, Predictor::Multistep, None)
        };
        for (t, seed, sampling) in [
            (2.0, 7, em(None)),
            (1.5, 8, em(None)),
            (2.0, 9, em(corrector)),
            (1.5, 12, multistep),
            (2.0, 13, multistep),
        ] {
            let t = Temperature::new(t).unwrap();
            let exact = enumeration::exact(&model, t).unwrap();
            let mut score = Tweedie::new(sde, ExactDenoiser::ising(&model, t).unwrap());
            let x = sample(&sde, &mut score, n, &sampling, &mut from_seed(seed)).unwrap();
            let (mut e, mut m) = (Vec::new(), Vec::new());
            for row in x.chunks(9) {
                let spins = row.iter().map(|&v| if v >= 0.0 { 1 } else { -1 }).collect();
                let state = model.state_from_spins(spins).unwrap();
                e.push(model.energy_per_spin(&state));
                m.push(model.abs_magnetization_per_spin(&state));
            }
            for (values, want, what) in [
                (&e, exact.energy_per_spin, "energy"),
                (&m, exact.abs_magnetization, "|m|"),
            ] {
                let mean = values.iter().sum::<f64>() / n as f64;
                let var =
                    values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64;
                let se = (var / n as f64).sqrt();
                assert!(
                    (mean - want).abs() < 4.0 * se,
                    "T = {} ({sampling:?}): {what} {mean} ± {se} vs exact {want}",
                    t.value()
                );
            }
        }
    }
}
