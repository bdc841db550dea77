use super::{Energy, MaxEntError, Walkers};
use crate::rng::{normal_pair, threshold_53};
use alloc::vec::Vec;
use rand_core::Rng;

/// Hamiltonian Monte Carlo moves of the [`Walkers`], using the energy's input gradient
/// ∇ₓH = Σᵢ λᵢ ∇ₓfᵢ ([`MaxEnt::energy_gradient`](super::MaxEnt::energy_gradient)) where random-walk Metropolis moves one
/// coordinate at a time.
///
/// One [`Hmc::sweep`] gives every walker a fresh momentum p ~ N(0, I), runs L leapfrog steps
/// of size ε on K = |p|²/2 + H(x) (half kick, L drifts with full kicks between, half kick) and
/// accepts with min(1, e^{−ΔK−ΔH}), walker by walker. Box bounds are handled exactly: a drift
/// that leaves [lo, hi] is reflected at the wall (x ↦ 2·wall − x, p ↦ −p), which keeps the
/// leapfrog map volume-preserving and reversible, so the chain samples P restricted to the box
/// without clipping. ε may be adapted toward a target acceptance during warm-up only
/// ([`Hmc::adapt`]); an ε that moves while sampling breaks detailed balance. Walkers with
/// per-coordinate scales sᵢ ([`Walkers::precondition`]) use the diagonal mass matrix
/// M = diag(1/sᵢ²): the same leapfrog on yᵢ = xᵢ/sᵢ, so a coordinate that is sᵢ wide moves by
/// ε·sᵢ per step.
///
/// With L = 1 this is the Metropolis-adjusted Langevin algorithm (MALA) with step h = ε²: the
/// proposal x′ = x − (h/2)∇H(x) + √h ξ and the Hamiltonian acceptance equal MALA's
/// Metropolis–Hastings ratio (Neal 2011, Sec. 5.2), so MALA is `Hmc::new(ε, 1)`
/// ([`Moves::Hamiltonian`](super::Moves::Hamiltonian)`(1)`), not a second engine.
///
/// # Examples
/// ```
/// use entropic::maxent::{Hmc, MaxEnt, Moments, Walkers};
/// // H = x²/2: the standard normal.
/// let mut model = MaxEnt::new(Moments::new(1, 2)?, vec![0.0, 0.5])?;
/// let mut walkers = Walkers::new(1, vec![0.0; 500], 1.0, None)?;
/// let hmc = Hmc::new(0.5, 8)?;
/// let mut rng = entropic::rng::from_seed(4);
/// for _ in 0..50 {
///     hmc.sweep(&mut walkers, &mut model, &mut rng).expect("MaxEnt models have gradients");
/// }
/// let var = walkers.positions().iter().map(|x| x * x).sum::<f64>() / 500.0;
/// assert!((var - 1.0).abs() < 0.25, "{var}");
/// # Ok::<(), entropic::maxent::MaxEntError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Hmc {
    step: f64,
    leapfrog: usize,
}

impl Hmc {
    /// Leapfrog step ε and L steps per trajectory.
    ///
    /// # Errors
    /// [`MaxEntError::Parameter`] unless ε is finite and positive and L ≥ 1.
    pub fn new(step: f64, leapfrog: usize) -> Result<Self, MaxEntError> {
        if !(step.is_finite() && step > 0.0) || leapfrog == 0 {
            return Err(MaxEntError::Parameter(
                "HMC needs a positive finite step and at least one leapfrog step",
            ));
        }
        Ok(Self { step, leapfrog })
    }

    /// The engine of walkers whose width and move were checked when they were built.
    pub(crate) fn unchecked(step: f64, leapfrog: usize) -> Self {
        Self { step, leapfrog }
    }

    /// The leapfrog step ε.
    pub fn step_size(&self) -> f64 {
        self.step
    }

    /// Leapfrog steps per trajectory.
    pub fn leapfrog_steps(&self) -> usize {
        self.leapfrog
    }

    /// Adapt ε toward a target acceptance: ε ← ε·exp(a − target), clamped to [1e-6, 1e3]. For
    /// warm-up only.
    pub fn adapt(&mut self, acceptance: f64, target: f64) {
        self.step = (self.step * libm::exp(acceptance - target)).clamp(1e-6, 1e3);
    }

    /// One trajectory per walker under `target` ([`MaxEnt`](super::MaxEnt) or any [`Energy`] with a
    /// gradient); returns the acceptance rate, or `None` (walkers untouched) if the energy has no
    /// gradient. Walkers whose energy is not finite at the end of the trajectory stay put.
    ///
    /// # Errors
    /// The energy's (the walkers are then untouched).
    pub fn sweep<E: Energy + ?Sized, R: Rng + ?Sized>(
        &self,
        walkers: &mut Walkers,
        target: &mut E,
        rng: &mut R,
    ) -> Result<Option<f64>, MaxEntError> {
        let (n, d, bounds) = (walkers.len(), walkers.dim(), walkers.bounds());
        let (mut h0, mut grad) = (Vec::new(), Vec::new());
        let start = walkers.positions().to_vec();
        if !target.energies_and_gradients(&start, n, (&mut h0, &mut grad))? {
            return Ok(None);
        }
        let mut p: Vec<f64> = Vec::with_capacity(n * d);
        while p.len() < n * d {
            let (a, b) = normal_pair(rng);
            p.push(a);
            if p.len() < n * d {
                p.push(b);
            }
        }
        let kinetic = |p: &[f64]| -> Vec<f64> {
            p.chunks_exact(d)
                .map(|r| 0.5 * r.iter().map(|v| v * v).sum::<f64>())
                .collect()
        };
        let k0 = kinetic(&p);
        let eps = self.step;
        let mut metric = Metric::of(walkers);
        let mut x = start.clone();
        // Only the end of the trajectory (L ≥ 1 steps) needs its energy, with its gradient.
        let mut h1 = Vec::new();
        metric.kick(&mut p, &grad, 0.5 * eps);
        for step in 1..=self.leapfrog {
            metric.drift(&mut x, &mut p, eps, bounds);
            let c = if step == self.leapfrog {
                target.energies_and_gradients(&x, n, (&mut h1, &mut grad))?;
                0.5
            } else {
                target.gradients(&x, n, &mut grad)?;
                1.0
            } * eps;
            metric.kick(&mut p, &grad, c);
        }
        let k1 = kinetic(&p);
        let mut accepted = 0;
        let positions = walkers.positions_mut();
        for w in 0..n {
            let delta = (h1[w] + k1[w]) - (h0[w] + k0[w]);
            let prob = if delta <= 0.0 { 1.0 } else { libm::exp(-delta) };
            let accept = delta.is_finite() && (rng.next_u64() >> 11) < threshold_53(prob);
            if accept {
                positions[w * d..(w + 1) * d].copy_from_slice(&x[w * d..(w + 1) * d]);
                accepted += 1;
            }
        }
        Ok(Some(accepted as f64 / n as f64))
    }
}

/// The leapfrog's geometry: per-coordinate scales sᵢ (all 1 without preconditioning; the
/// leapfrog runs on yᵢ = xᵢ/sᵢ with unit mass, kicking by sᵢ∂ᵢH and drifting by sᵢpᵢ), or a
/// dense factor L (the leapfrog on y = L⁻¹x, kicking by Lᵀ∇H and drifting by L p as a
/// billiard).
enum Metric {
    Diagonal(Vec<f64>),
    Dense {
        factor: Vec<f64>,
        dim: usize,
        scratch: Vec<f64>,
    },
}

impl Metric {
    fn of(walkers: &Walkers) -> Self {
        match (walkers.factor(), walkers.scales()) {
            (Some(l), _) => Self::Dense {
                factor: l.to_vec(),
                dim: walkers.dim(),
                scratch: Vec::new(),
            },
            (None, Some(s)) => Self::Diagonal(s.to_vec()),
            (None, None) => Self::Diagonal(alloc::vec![1.0; walkers.dim()]),
        }
    }

    /// p ← p − c·(metric-transformed gradient), every walker.
    fn kick(&mut self, p: &mut [f64], grad: &[f64], c: f64) {
        match self {
            Self::Diagonal(scale) => {
                let d = scale.len();
                for (k, (pi, gi)) in p.iter_mut().zip(grad).enumerate() {
                    *pi -= c * scale[k % d] * gi;
                }
            }
            Self::Dense {
                factor,
                dim,
                scratch,
            } => {
                transpose_times(factor, *dim, grad, scratch);
                p.iter_mut()
                    .zip(scratch.iter())
                    .for_each(|(p, g)| *p -= c * g);
            }
        }
    }

    /// One drift of time ε for every walker, reflecting at the box walls; a walker whose
    /// billiard does not end gets NaN positions (and is rejected).
    fn drift(&mut self, x: &mut [f64], p: &mut [f64], eps: f64, bounds: Option<(f64, f64)>) {
        match self {
            Self::Diagonal(scale) => {
                let d = scale.len();
                for (k, (xi, pi)) in x.iter_mut().zip(p.iter_mut()).enumerate() {
                    *xi += eps * scale[k % d] * *pi;
                    if let Some((lo, hi)) = bounds {
                        reflect(xi, pi, lo, hi);
                    }
                }
            }
            Self::Dense {
                factor,
                dim,
                scratch,
            } => {
                scratch.resize(*dim, 0.0);
                for (x, p) in x.chunks_exact_mut(*dim).zip(p.chunks_exact_mut(*dim)) {
                    if !billiard(x, p, factor, eps, bounds, scratch) {
                        x.iter_mut().for_each(|v| *v = f64::NAN);
                    }
                }
            }
        }
    }
}

/// `out` = Lᵀ g for every walker's row g (L lower-triangular d × d, row-major).
fn transpose_times(l: &[f64], d: usize, g: &[f64], out: &mut Vec<f64>) {
    out.clear();
    out.resize(g.len(), 0.0);
    for (o, g) in out.chunks_exact_mut(d).zip(g.chunks_exact(d)) {
        for (i, gi) in g.iter().enumerate() {
            for (j, oj) in o.iter_mut().enumerate().take(i + 1) {
                *oj += l[i * d + j] * gi;
            }
        }
    }
}

/// Most wall reflections in one drift: a trajectory that needs more (a corner trap) is
/// rejected, which is symmetric under time reversal.
const MAX_REFLECTIONS: usize = 1000;

/// Drift one walker for time ε at velocity v = L p inside the box: at each wall xᵢ = lo/hi met
/// on the way, move to it and reflect p about the wall's normal in whitened coordinates,
/// nᵢ = Lᵀeᵢ (row i of L). The map is an exact billiard, reversible and volume-preserving, and
/// keeps |p|. Returns false after [`MAX_REFLECTIONS`]. `v` (length d) holds the velocity.
fn billiard(
    x: &mut [f64],
    p: &mut [f64],
    l: &[f64],
    eps: f64,
    bounds: Option<(f64, f64)>,
    v: &mut [f64],
) -> bool {
    let d = x.len();
    let mut left = eps;
    for _ in 0..MAX_REFLECTIONS {
        for (i, vi) in v.iter_mut().enumerate() {
            *vi = (0..=i).map(|j| l[i * d + j] * p[j]).sum();
        }
        let v = &*v;
        let Some((lo, hi)) = bounds else {
            x.iter_mut().zip(v).for_each(|(x, v)| *x += left * v);
            return true;
        };
        // The first wall on the way, if it comes before the time left.
        let mut hit: Option<(f64, usize, f64)> = None;
        for (i, (&xi, &vi)) in x.iter().zip(v).enumerate() {
            let wall = if vi > 0.0 {
                hi
            } else if vi < 0.0 {
                lo
            } else {
                continue;
            };
            let t = ((wall - xi) / vi).max(0.0);
            if t < left && hit.is_none_or(|(best, _, _)| t < best) {
                hit = Some((t, i, wall));
            }
        }
        match hit {
            None => {
                x.iter_mut().zip(v).for_each(|(x, v)| *x += left * v);
                return true;
            }
            Some((t, i, wall)) => {
                x.iter_mut().zip(v).for_each(|(x, v)| *x += t * v);
                x[i] = wall;
                let normal = &l[i * d..(i + 1) * d];
                let nn: f64 = normal.iter().map(|a| a * a).sum();
                let pn: f64 = p.iter().zip(normal).map(|(a, b)| a * b).sum();
                p.iter_mut()
                    .zip(normal)
                    .for_each(|(p, n)| *p -= 2.0 * pn / nn * n);
                left -= t;
            }
        }
    }
    false
}

/// Reflect a coordinate and its momentum back into [lo, hi] (as often as a long step needs).
fn reflect(x: &mut f64, p: &mut f64, lo: f64, hi: f64) {
    while !(lo..=hi).contains(x) && x.is_finite() {
        if *x > hi {
            *x = 2.0 * hi - *x;
        } else {
            *x = 2.0 * lo - *x;
        }
        *p = -*p;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maxent::{MaxEnt, Moments, Moves, Observables, RotatedVariances};
    use crate::nn::{ActivationKind, Network};
    use crate::rng::{from_seed, uniform_f64};

    /// Central differences of Σ w·f against every observable family's input gradient.
    #[test]
    fn input_gradients_match_finite_differences() {
        let mut rng = from_seed(8);
        let x: Vec<f64> = (0..6).map(|_| 2.0 * uniform_f64(&mut rng) - 1.0).collect();
        let mut weights = from_seed(9);
        let mut check = |obs: &mut dyn Observables| {
            let (d, m) = (obs.dim(), obs.count());
            let batch = x.len() / d;
            let w: Vec<f64> = (0..batch * m)
                .map(|_| uniform_f64(&mut weights) - 0.5)
                .collect();
            let mut g = Vec::new();
            obs.input_grad(&x, batch, &w, &mut g).unwrap();
            let mut f = Vec::new();
            let mut value = |obs: &mut dyn Observables, x: &[f64]| {
                obs.eval(x, batch, &mut f).unwrap();
                f.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>()
            };
            let h = 1e-6;
            for k in 0..x.len() {
                let (mut up, mut down) = (x.clone(), x.clone());
                up[k] += h;
                down[k] -= h;
                let fd = (value(obs, &up) - value(obs, &down)) / (2.0 * h);
                assert!(
                    (fd - g[k]).abs() < 1e-7 * (1.0 + fd.abs()),
                    "{k}: {} vs {fd}",
                    g[k]
                );
            }
        };
        check(&mut Moments::new(2, 3).unwrap());
        let mut rv = RotatedVariances::new(3, &[0.4, -1.1, 2.0]);
        check(&mut rv);
        let mut net = Network::<f64>::mlp(&[3, 5, 2], ActivationKind::Tanh, &mut rng).unwrap();
        // The input gradient leaves the parameter gradients untouched.
        Observables::accumulate_grad(&mut net, &x, 2, &[1.0, -1.0, 0.5, 0.2]).unwrap();
        let before: Vec<Vec<f64>> = net
            .params_and_grads()
            .iter()
            .map(|(_, g)| g.to_vec())
            .collect();
        check(&mut net);
        let after: Vec<Vec<f64>> = net
            .params_and_grads()
            .iter()
            .map(|(_, g)| g.to_vec())
            .collect();
        assert_eq!(before, after);
    }

    /// Mean, variance and the mean's standard error over 4000 one-dimensional walkers after 100
    /// trajectories of `leapfrog` steps following 200 of warm-up (ε adapted to 0.8 acceptance).
    fn walker_moments(
        model: &mut MaxEnt<Moments>,
        bounds: Option<(f64, f64)>,
        start: f64,
        seed: u64,
        leapfrog: usize,
    ) -> (f64, f64, f64) {
        let n = 4000;
        let mut walkers = Walkers::new(1, alloc::vec![start; n], 1.0, bounds).unwrap();
        let mut hmc = Hmc::new(0.3, leapfrog).unwrap();
        let mut rng = from_seed(seed);
        for _ in 0..200 {
            let a = hmc.sweep(&mut walkers, model, &mut rng).unwrap().unwrap();
            hmc.adapt(a, 0.8);
        }
        for _ in 0..100 {
            hmc.sweep(&mut walkers, model, &mut rng).unwrap().unwrap();
        }
        let x = walkers.positions();
        let mean = x.iter().sum::<f64>() / n as f64;
        let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64;
        (mean, var, libm::sqrt(var / n as f64))
    }

    /// A Gaussian N(μ, σ²) (H = x²/2σ² − μx/σ²) and a box-truncated exponential
    /// (H = a x on [0, 1]: mean 1/a − 1/(eᵃ − 1)); the walkers are independent chains, so the
    /// standard error of the walker mean is the test's scale.
    #[test]
    fn samples_exact_gaussian_and_box_truncated_exponential() {
        let (mu, sigma) = (1.5, 0.7);
        let lambda = alloc::vec![-mu / (sigma * sigma), 0.5 / (sigma * sigma)];
        let mut gauss = MaxEnt::new(Moments::new(1, 2).unwrap(), lambda).unwrap();
        let (mean, var, se) = walker_moments(&mut gauss, None, -3.0, 1, 5);
        assert!((mean - mu).abs() < 4.0 * se, "mean {mean} ± {se}");
        let var_se = sigma * sigma * libm::sqrt(2.0 / 4000.0);
        assert!((var - sigma * sigma).abs() < 4.0 * var_se, "var {var}");
        let a = 3.0;
        let mut tilted = MaxEnt::new(Moments::new(1, 1).unwrap(), alloc::vec![a]).unwrap();
        let (mean, _, se) = walker_moments(&mut tilted, Some((0.0, 1.0)), 0.9, 2, 5);
        let exact = 1.0 / a - 1.0 / libm::expm1(a);
        assert!(
            (mean - exact).abs() < 4.0 * se,
            "mean {mean} ± {se} vs {exact}"
        );
        assert!(Hmc::new(0.0, 3).is_err() && Hmc::new(0.1, 0).is_err());
    }

    /// The double well H = x⁴ − 2x² (barrier 1 between modes at ±1), every walker starting in
    /// the right-hand well: MALA (L = 1) and HMC (L = 8) both populate the left well and match
    /// the quadrature values of ⟨x⟩ = 0 and ⟨x²⟩ within 4σ.
    #[test]
    fn langevin_and_hamiltonian_moves_sample_a_bimodal_density() {
        let mut well = MaxEnt::new(
            Moments::new(1, 4).unwrap(),
            alloc::vec![0.0, -2.0, 0.0, 1.0],
        )
        .unwrap();
        let exact = crate::maxent::quadrature_1d(&mut well, -4.0, 4.0, 8001).unwrap();
        let h = exact.x[1] - exact.x[0];
        let second: f64 = exact
            .x
            .iter()
            .zip(&exact.density)
            .map(|(x, p)| x * x * p * h)
            .sum();
        for (leapfrog, seed) in [(1, 21), (8, 22)] {
            let (mean, var, se) = walker_moments(&mut well, None, 1.0, seed, leapfrog);
            assert!(mean.abs() < 4.0 * se, "L = {leapfrog}: ⟨x⟩ {mean} ± {se}");
            // ⟨x²⟩ = var + mean²; its standard error from the fourth moment, sd(x²)/√n ≤ ⟨x⁴⟩^½/√n.
            let fourth: f64 = exact
                .x
                .iter()
                .zip(&exact.density)
                .map(|(x, p)| x.powi(4) * p * h)
                .sum();
            let se2 = libm::sqrt((fourth - second * second) / 4000.0);
            let m2 = var * 3999.0 / 4000.0 + mean * mean;
            assert!(
                (m2 - second).abs() < 4.0 * se2,
                "L = {leapfrog}: ⟨x²⟩ {m2} vs {second} ± {se2}"
            );
        }
    }

    /// Walkers with [`Moves::Hamiltonian`](crate::maxent::Moves) sample through HMC in
    /// `Walkers::sweep`, with the width as ε and its adaptation.
    #[test]
    fn hamiltonian_moves_of_the_walkers_sample_the_model() {
        let mut model =
            MaxEnt::new(Moments::new(2, 2).unwrap(), alloc::vec![0.0, 0.5, 0.0, 2.0]).unwrap();
        let n = 3000;
        let mut walkers = Walkers::new(2, alloc::vec![1.0; 2 * n], 0.2, None)
            .unwrap()
            .with_moves(Moves::Hamiltonian(6))
            .unwrap();
        let mut rng = from_seed(12);
        for _ in 0..100 {
            let a = walkers.sweep(&mut model, &mut rng).unwrap();
            walkers.adapt(a, 0.8);
        }
        for _ in 0..50 {
            walkers.sweep(&mut model, &mut rng).unwrap();
        }
        // Variances 1 and 1/4 (H = x²/2 + 2y²).
        for (k, want) in [(0, 1.0), (1, 0.25)] {
            let v = second_moment(walkers.positions(), 2, k);
            let se = want * libm::sqrt(2.0 / n as f64);
            assert!((v - want).abs() < 4.0 * se, "coordinate {k}: {v} vs {want}");
        }
        assert!(
            Walkers::new(1, alloc::vec![0.0], 0.1, None)
                .unwrap()
                .with_moves(Moves::Hamiltonian(0))
                .is_err()
        );
    }

    /// H = x²/2 + y²/(2·10⁻⁴): widths 1 and 0.01. After [`Walkers::precondition`] the scales
    /// follow the widths, and HMC (diagonal mass matrix) and random-walk moves (per-coordinate
    /// widths) both move and keep exact draws exact: each variance within 4σ = 4v√(2/n).
    #[test]
    fn preconditioned_moves_sample_a_stiff_gaussian() {
        let mut model = MaxEnt::new(
            Moments::new(2, 2).unwrap(),
            alloc::vec![0.0, 0.5, 0.0, 5000.0],
        )
        .unwrap();
        let (n, widths) = (4000, [1.0, 0.01]);
        let mut rng = from_seed(41);
        let start: Vec<f64> = (0..n)
            .flat_map(|_| {
                let (a, b) = crate::rng::normal_pair(&mut rng);
                [a * widths[0], b * widths[1]]
            })
            .collect();
        for moves in [Moves::Hamiltonian(8), Moves::Coordinate] {
            let mut walkers = Walkers::new(2, start.clone(), 0.5, None)
                .unwrap()
                .with_moves(moves)
                .unwrap();
            walkers.precondition();
            let s = walkers.scales().unwrap().to_vec();
            assert!((s[0] / s[1] - 100.0).abs() < 10.0, "{s:?}");
            assert!((s[0] * s[0] + s[1] * s[1] - 2.0).abs() < 1e-12);
            let mut acceptance = 0.0;
            for _ in 0..60 {
                acceptance += walkers.sweep(&mut model, &mut rng).unwrap() / 60.0;
            }
            // The kernel moves (an exact start that stays put would pass the variances).
            assert!(acceptance > 0.3, "{moves:?}: acceptance {acceptance}");
            for (k, w) in widths.iter().enumerate() {
                let v = second_moment(walkers.positions(), 2, k);
                let want = w * w;
                let sigma = want * libm::sqrt(2.0 / n as f64);
                assert!(
                    (v - want).abs() < 4.0 * sigma,
                    "{moves:?} {k}: {v} vs {want}"
                );
            }
        }
        let mut still = Walkers::new(1, alloc::vec![0.3; 5], 0.1, None).unwrap();
        still.precondition();
        assert!(still.scales().is_none());
    }

    /// ⟨x_k²⟩ over walkers of dimension `d`.
    fn second_moment(x: &[f64], d: usize, k: usize) -> f64 {
        x.iter().skip(k).step_by(d).map(|v| v * v).sum::<f64>() / (x.len() / d) as f64
    }

    /// The unit-variance 2D Gaussian with correlation ρ, H = (x² − 2ρxy + y²) / (2(1 − ρ²)), as
    /// rotated variances 1 ± ρ along the diagonals; with those variances.
    fn correlated(rho: f64) -> (MaxEnt<RotatedVariances>, f64, f64) {
        let (major, minor) = (1.0 + rho, 1.0 - rho);
        let model = MaxEnt::new(
            RotatedVariances::new(2, &[core::f64::consts::FRAC_PI_4]),
            alloc::vec![0.5 / major, 0.5 / minor],
        )
        .unwrap();
        (model, major, minor)
    }

    /// A 2D Gaussian with correlation 0.999 (covariance eigenvalues 1.999 and 0.001): after
    /// [`Walkers::precondition_dense`] the factor reproduces the normalised covariance, and HMC
    /// with it moves (acceptance > 0.5 at a step of 0.5, where the unpreconditioned leapfrog
    /// would be unstable) and keeps exact draws exact (variances and covariance within 4σ).
    #[test]
    fn dense_metric_samples_a_correlated_gaussian() {
        let rho = 0.999;
        let (mut model, var_major, var_minor) = correlated(rho);
        let n = 4000;
        let mut rng = from_seed(51);
        let start: Vec<f64> = (0..n)
            .flat_map(|_| {
                let (a, b) = crate::rng::normal_pair(&mut rng);
                let (u, v) = (a * libm::sqrt(var_major), b * libm::sqrt(var_minor));
                let c = core::f64::consts::FRAC_1_SQRT_2;
                [c * (u - v), c * (u + v)]
            })
            .collect();
        let mut walkers = Walkers::new(2, start, 0.5, None)
            .unwrap()
            .with_moves(Moves::Hamiltonian(8))
            .unwrap();
        walkers.precondition_dense();
        let l = walkers.factor().unwrap().to_vec();
        let llt = [l[0] * l[0], l[0] * l[2], l[2] * l[2] + l[3] * l[3]];
        assert!(l[1] == 0.0 && (llt[1] - rho).abs() < 0.01, "{llt:?}");
        let mut acceptance = 0.0;
        for _ in 0..60 {
            acceptance += walkers.sweep(&mut model, &mut rng).unwrap() / 60.0;
        }
        assert!(acceptance > 0.5, "acceptance {acceptance}");
        let x = walkers.positions();
        let m = |f: &dyn Fn(f64, f64) -> f64| {
            x.chunks_exact(2).map(|r| f(r[0], r[1])).sum::<f64>() / n as f64
        };
        // Var(x²) = 2σ⁴ and Var(xy) = 1 + ρ² for unit variances.
        let se_var = libm::sqrt(2.0 / n as f64);
        let se_cov = libm::sqrt((1.0 + rho * rho) / n as f64);
        assert!((m(&|a, _| a * a) - 1.0).abs() < 4.0 * se_var);
        assert!((m(&|_, b| b * b) - 1.0).abs() < 4.0 * se_var);
        assert!((m(&|a, b| a * b) - rho).abs() < 4.0 * se_cov);
    }

    /// The same correlation (ρ = 0.9, unit variances) truncated to the box [0, 1]²: from walkers
    /// spread uniformly, dense-metric HMC with billiard reflections reaches the box-truncated
    /// means ⟨x⟩ = ⟨y⟩ and ⟨xy⟩ of a 400 × 400 midpoint quadrature within 4σ (σ from the exact
    /// second moments).
    #[test]
    fn dense_metric_reflects_exactly_in_a_box() {
        let rho = 0.9;
        let (mut model, _, _) = correlated(rho);
        let density = |x: f64, y: f64| {
            libm::exp(-(x * x - 2.0 * rho * x * y + y * y) / (2.0 * (1.0 - rho * rho)))
        };
        let k = 400;
        let (mut z, mut mx, mut mxx, mut mxy) = (0.0, 0.0, 0.0, 0.0);
        for i in 0..k {
            for j in 0..k {
                let (x, y) = ((i as f64 + 0.5) / k as f64, (j as f64 + 0.5) / k as f64);
                let w = density(x, y);
                z += w;
                mx += w * x;
                mxx += w * x * x;
                mxy += w * x * y;
            }
        }
        let (mx, mxx, mxy) = (mx / z, mxx / z, mxy / z);
        let n = 4000;
        let mut rng = from_seed(52);
        let start: Vec<f64> = (0..2 * n).map(|_| uniform_f64(&mut rng)).collect();
        let mut walkers = Walkers::new(2, start, 0.3, Some((0.0, 1.0)))
            .unwrap()
            .with_moves(Moves::Hamiltonian(6))
            .unwrap();
        let mut rng = from_seed(53);
        for k in 0..300 {
            if k == 100 {
                walkers.precondition_dense();
            }
            let a = walkers.sweep(&mut model, &mut rng).unwrap();
            if k < 200 {
                walkers.adapt(a, 0.7);
            }
        }
        assert!(walkers.factor().is_some());
        let x = walkers.positions();
        assert!(x.iter().all(|v| (0.0..=1.0).contains(v)));
        let mean = |f: &dyn Fn(&[f64]) -> f64| x.chunks_exact(2).map(f).sum::<f64>() / n as f64;
        let se = libm::sqrt((mxx - mx * mx) / n as f64);
        assert!(
            (mean(&|r| r[0]) - mx).abs() < 4.0 * se,
            "⟨x⟩ {} vs {mx}",
            mean(&|r| r[0])
        );
        assert!(
            (mean(&|r| r[1]) - mx).abs() < 4.0 * se,
            "⟨y⟩ {} vs {mx}",
            mean(&|r| r[1])
        );
        let se_xy = libm::sqrt(mxx / n as f64);
        assert!((mean(&|r| r[0] * r[1]) - mxy).abs() < 4.0 * se_xy);
    }

    #[test]
    fn reflection_lands_inside() {
        for (x0, p0) in [(1.3, 2.0), (-2.7, -1.0), (5.2, 1.0), (0.5, 1.0)] {
            let (mut x, mut p) = (x0, p0);
            reflect(&mut x, &mut p, 0.0, 1.0);
            assert!((0.0..=1.0).contains(&x), "{x0} → {x}");
        }
    }
}
