use super::{Energy, MaxEntError, Walkers};
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
/// landscape is slowest along). `clock` gives seconds on a monotonic clock, or `None` when there
/// is none (the core is `no_std`); only the sweeps are timed. Equilibrate the walkers (and adapt
/// their width) before: a measurement that starts out of equilibrium overstates τ.
///
/// # Errors
/// [`MaxEntError::Parameter`] for fewer than 8 sweeps, [`MaxEntError::Shape`] for a direction
/// of another dimension, [`MaxEntError::NotFinite`] for a zero or non-finite direction or an
/// energy that is not finite.
///
/// # Examples
/// ```
/// use entropic::maxent::{GaussianEnergy, Moves, Walkers, measure_mixing};
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
/// let mixing = measure_mixing(&mut walkers, &mut target, Some(&widest), 200, &mut rng, &mut || None)?;
/// assert!(mixing.tau() < 5.0 && mixing.converged());
/// # Ok::<(), entropic::maxent::MaxEntError>(())
/// ```
pub fn measure_mixing<E: Energy + ?Sized, R: Rng + ?Sized>(
    walkers: &mut Walkers,
    target: &mut E,
    direction: Option<&[f64]>,
    sweeps: usize,
    rng: &mut R,
    clock: &mut dyn FnMut() -> Option<f64>,
) -> Result<Mixing, MaxEntError> {
    if sweeps < 8 {
        return Err(MaxEntError::Parameter(
            "a mixing measurement needs at least 8 sweeps",
        ));
    }
    let (n, d) = (walkers.len(), walkers.dim());
    let mut axis = match direction {
        Some(u) if u.len() != d => {
            return Err(MaxEntError::Shape(
                "the slow direction must have the walkers' dimension",
            ));
        }
        Some(u) => u.to_vec(),
        None => principal_axis(walkers.positions(), d),
    };
    let norm = libm::sqrt(axis.iter().map(|u| u * u).sum::<f64>());
    if !(norm.is_finite() && norm > 0.0) {
        return Err(MaxEntError::NotFinite("the slow direction"));
    }
    axis.iter_mut().for_each(|u| *u /= norm);
    let mut energies = vec![0.0; n * sweeps];
    let mut projections = vec![0.0; n * sweeps];
    let (mut acceptance, mut seconds, mut h) = (0.0, Some(0.0), Vec::new());
    for t in 0..sweeps {
        let start = clock();
        acceptance += walkers.sweep(target, rng);
        seconds = seconds
            .zip(start.zip(clock()))
            .map(|(s, (a, b))| s + (b - a));
        target.energies(walkers.positions(), n, &mut h);
        for (w, x) in walkers.positions().chunks_exact(d).enumerate() {
            energies[w * sweeps + t] = h[w];
            projections[w * sweeps + t] = x.iter().zip(&axis).map(|(a, b)| a * b).sum();
        }
    }
    let not_finite = |_| MaxEntError::NotFinite("the measured energies or projections");
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

/// The top eigenvector of the walkers' sample covariance, by 300 power iterations from the
/// all-ones direction (a zero vector if the walkers do not spread).
fn principal_axis(x: &[f64], d: usize) -> Vec<f64> {
    let n = (x.len() / d) as f64;
    let mut mean = vec![0.0; d];
    for row in x.chunks_exact(d) {
        mean.iter_mut().zip(row).for_each(|(m, v)| *m += v / n);
    }
    let mut cov = vec![0.0; d * d];
    for row in x.chunks_exact(d) {
        for i in 0..d {
            for j in 0..d {
                cov[i * d + j] += (row[i] - mean[i]) * (row[j] - mean[j]) / n;
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maxent::{GaussianEnergy, Moves};
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
            &mut || None,
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
                &mut || None,
            )
        };
        assert!(matches!(run(None, 7), Err(MaxEntError::Parameter(_))));
        assert!(matches!(run(Some(&[1.0]), 10), Err(MaxEntError::Shape(_))));
        assert!(matches!(
            run(Some(&[0.0, 0.0]), 10),
            Err(MaxEntError::NotFinite(_))
        ));
        assert!(run(Some(&[1.0, 1.0]), 10).is_ok());
    }
}
