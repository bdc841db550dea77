use super::{BinaryData, Conditionals, Gradient, LatentCycle, Trajectory};
use crate::special::log_sum_exp;
use alloc::vec;
use alloc::vec::Vec;

/// A learning rule: an ascent direction for the mean log-likelihood of a data minibatch, from the
/// samples of the persistent chains. [`TwoStep`] (the paper's) and [`Contrastive`] (the tied
/// equilibrium baseline) implement it; [`Rule`](super::Rule) picks one for the [`Trainer`](super::Trainer).
///
/// # Examples
/// A rule of one's own: the paper's direction with an L2 penalty −λ w on the z-from-x weights,
/// checked against the direction it is built from.
/// ```
/// use entropic::latent::{
///     BinaryData, Chains, Conditionals, Encoding, Gradient, LatentCycle, LearningRule,
///     Trajectory, TwoStep,
/// };
/// use entropic::rng::from_seed;
///
/// struct Decayed(f64);
///
/// impl LearningRule for Decayed {
///     fn gradient(
///         &self,
///         model: &LatentCycle,
///         cond: &Conditionals,
///         data: &BinaryData,
///         batch: &[usize],
///         traj: &Trajectory,
///         grad: &mut Gradient,
///     ) -> f64 {
///         let ll = TwoStep.gradient(model, cond, data, batch, traj, grad);
///         for (g, w) in grad.w.iter_mut().zip(model.w()) {
///             *g -= self.0 * w;
///         }
///         ll
///     }
/// }
///
/// // Four 3-pixel images, a 2-state one-hot latent; 8 persistent chains, 20 double steps.
/// let data = BinaryData::new(vec![1., 1., 0., 1., 0., 0., 0., 0., 1., 0., 1., 1.], 3)?;
/// let mut rng = from_seed(3);
/// let model = LatentCycle::initialise(&data, 2, Encoding::OneHot, 0.1, &mut rng)?;
/// let cond = model.conditionals();
/// let mut chains = Chains::from_data(&data, 8, &mut rng)?;
/// let mut traj = Trajectory::default();
/// chains.run(&model, &cond, 20, &mut rng, |v| traj.push(v));
///
/// let batch = [0, 1, 2, 3];
/// let (mut plain, mut decayed) = (Gradient::zeros(&model), Gradient::zeros(&model));
/// let ll = TwoStep.gradient(&model, &cond, &data, &batch, &traj, &mut plain);
/// assert_eq!(Decayed(0.5).gradient(&model, &cond, &data, &batch, &traj, &mut decayed), ll);
/// for ((d, p), w) in decayed.w.iter().zip(&plain.w).zip(model.w()) {
///     assert_eq!(*d, p - 0.5 * w);
/// }
/// assert_eq!(decayed.wbar, plain.wbar);
/// # Ok::<(), entropic::latent::LatentError>(())
/// ```
pub trait LearningRule {
    /// Write the ascent direction for ⟨ln p(x)⟩ over `batch` (row indices of `data`) into `grad`,
    /// and return the fast log-likelihood estimate of App. A.3,
    /// 𝓛_N ≈ (1/N) Σ_x ln ⟨A_{zx}⟩_z, with z over the trajectory's samples.
    fn gradient(
        &self,
        model: &LatentCycle,
        cond: &Conditionals,
        data: &BinaryData,
        batch: &[usize],
        traj: &Trajectory,
        grad: &mut Gradient,
    ) -> f64;

    /// Restore the rule's constraints after an optimiser step (default: none).
    fn constrain(&self, _model: &mut LatentCycle) {}
}

/// For one data vector x: with n_k visits of latent state k among the S samples, the per-sample
/// weights ρ_k(x) = A_{kx} / Σ_s A_{z_s x} (the ratio A/⟨A⟩ of Eq. 16 divided by S), and the
/// return value ln ⟨A_{zx}⟩_z = ln Σ_k n_k A_{kx} − ln S.
///
/// Log space replaces the Q factor of App. A.2: the products over D = 784 Bernoulli factors
/// underflow f64 (typical ln A ≈ −200), which Q ≈ 1.5–1.8 per pixel was there to compensate;
/// with ln A_{kx} and a log-sum-exp over states, every ratio is computed without underflow and
/// no correction term D ln Q is needed.
pub(crate) fn sample_weights(
    cond: &Conditionals,
    x: &[f64],
    counts: &[usize],
    log_a: &mut [f64],
    rho: &mut [f64],
) -> f64 {
    let total: usize = counts.iter().sum();
    for (k, (la, &n)) in log_a.iter_mut().zip(counts).enumerate() {
        *la = if n > 0 {
            cond.log_prob(k, x)
        } else {
            f64::NEG_INFINITY
        };
    }
    let weighted: Vec<f64> = log_a
        .iter()
        .zip(counts)
        .map(|(&la, &n)| if n > 0 { libm::log(n as f64) + la } else { la })
        .collect();
    let lse = log_sum_exp(&weighted);
    for (r, &la) in rho.iter_mut().zip(log_a.iter()) {
        *r = libm::exp(la - lse);
    }
    lse - libm::log(total as f64)
}

/// Call `per_datum(x, ρ(x))` for every data vector of the batch (ρ as in [`sample_weights`], from
/// the trajectory's state counts) and return the mean fast log-likelihood of the batch.
fn for_each_datum(
    cond: &Conditionals,
    data: &BinaryData,
    batch: &[usize],
    counts: &[usize],
    mut per_datum: impl FnMut(&[f64], &[f64]),
) -> f64 {
    let k_states = counts.len();
    let (mut log_a, mut rho) = (vec![0.0; k_states], vec![0.0; k_states]);
    let mut fast_ll = 0.0;
    for &row in batch {
        let x = data.row(row);
        fast_ll += sample_weights(cond, x, counts, &mut log_a, &mut rho);
        per_datum(x, &rho);
    }
    fast_ll * (1.0 / batch.len() as f64)
}

fn state_counts(k_states: usize, traj: &Trajectory) -> Vec<usize> {
    let mut counts = vec![0usize; k_states];
    for &k in &traj.states {
        counts[k] += 1;
    }
    counts
}

/// The paper's approximate gradient (Eq. 16a-d, with the centering of Eq. 17): p̄(z) is held
/// fixed for the z→x parameters, p(x') for the x→z parameters, so only the last two steps of
/// the chain carry parameter dependence (Eq. 12).
///
/// With the per-sample weights ρ (see [`LearningRule`]) and N = |batch|:
/// - ∂_{w_{jβ}} = (1/N) Σ_x Σ_k n_k ρ_k(x) z_{kβ} (x_j − μ_{x_j|k})   (16a)
/// - ∂_{a_j}    = (1/N) Σ_x Σ_k n_k ρ_k(x) (x_j − μ_{x_j|k})          (16b, binary z only)
/// - ∂_{w̄_{βj}} = Σ_s ω_{z_s} (x'_{s,j} − c_j) g_β(x'_s, z_s)          (17)
/// - ∂_{ā_β}    = Σ_s ω_{z_s} g_β(x'_s, z_s)                            (16d)
///
/// where ω_k = (1/N) Σ_x ρ_k(x) is the batch-averaged weight of a sample in state k and
/// g_β(x', z) = ∂ ln Ā_{x'z}/∂u_β ([`LatentCycle::hidden_score`]): z_β − μ_{z_β|x'} for
/// binary and softmax kernels (Eq. 13c-d), the derivative of Eq. 19 for the paper's one-hot
/// kernel.
///
/// Equivalently, the rule is the exact gradient at θ' = θ of the importance-weighted two-step
/// likelihood (1/N) Σ_x ln Σ_s A_{z_s x}(θ') Ā_{x'_s z_s}(θ') / Ā_{x'_s z_s}(θ), which is how
/// the tests check it by finite differences.
#[derive(Clone, Copy, Debug, Default)]
pub struct TwoStep;

impl LearningRule for TwoStep {
    fn gradient(
        &self,
        model: &LatentCycle,
        cond: &Conditionals,
        data: &BinaryData,
        batch: &[usize],
        traj: &Trajectory,
        grad: &mut Gradient,
    ) -> f64 {
        let (d, l, k_states) = (model.dim(), model.hidden(), model.states());
        let counts = state_counts(k_states, traj);
        let mut omega = vec![0.0; k_states];
        let inv_n = 1.0 / batch.len() as f64;
        grad.clear();
        let train_a = model.trains_visible_bias();
        let fast_ll = for_each_datum(cond, data, batch, &counts, |x, rho| {
            for k in (0..k_states).filter(|&k| counts[k] > 0) {
                omega[k] += rho[k] * inv_n;
                let r = counts[k] as f64 * rho[k] * inv_n;
                if r == 0.0 {
                    continue;
                }
                let mean = cond.mean(k);
                for beta in (0..l).filter(|&b| model.state_bit(k, b)) {
                    for i in 0..d {
                        grad.w[i * l + beta] += r * (x[i] - mean[i]);
                    }
                }
                if train_a {
                    for ((g, &x), &m) in grad.a.iter_mut().zip(x).zip(mean) {
                        *g += r * (x - m);
                    }
                }
            }
        });
        let center = model.center();
        let mut score = vec![0.0; l];
        for (s, &k) in traj.states.iter().enumerate() {
            let xs = &traj.x[s * d..(s + 1) * d];
            let (u, mu) = (
                &traj.logits[s * l..(s + 1) * l],
                &traj.mu[s * l..(s + 1) * l],
            );
            model.hidden_score(k, u, mu, &mut score);
            for (beta, &g) in score.iter().enumerate() {
                let e = omega[k] * g;
                grad.abar[beta] += e;
                let row = &mut grad.wbar[beta * d..(beta + 1) * d];
                for ((g, &x), &c) in row.iter_mut().zip(xs).zip(center) {
                    *g += e * (x - c);
                }
            }
        }
        fast_ll
    }
}

/// The equilibrium counterpart's rule: the exact log-likelihood gradient of the RBM
/// p(x, z) ∝ exp(x·(w z + a) + ā·z) that a tied model (w̄ = wᵀ, no centering) samples in detailed
/// balance, with the model expectation taken over the same persistent chains (PCD):
/// ∂_{w_{iβ}} = ⟨xᵢ μ_β(x)⟩_batch − ⟨x'ᵢ μ_β(x')⟩_chains, ∂_{ā_β} = ⟨μ_β⟩_batch − ⟨μ_β⟩_chains,
/// ∂_{aᵢ} = ⟨xᵢ⟩_batch − ⟨x'ᵢ⟩_chains (binary z only). After each step w̄ is re-tied to wᵀ.
#[derive(Clone, Copy, Debug, Default)]
pub struct Contrastive;

impl LearningRule for Contrastive {
    fn gradient(
        &self,
        model: &LatentCycle,
        cond: &Conditionals,
        data: &BinaryData,
        batch: &[usize],
        traj: &Trajectory,
        grad: &mut Gradient,
    ) -> f64 {
        let (d, l, k_states) = (model.dim(), model.hidden(), model.states());
        let counts = state_counts(k_states, traj);
        let (mut u, mut mu) = (vec![0.0; l], vec![0.0; l]);
        grad.clear();
        let train_a = model.trains_visible_bias();
        let add = |x: &[f64], mu: &[f64], sign: f64, grad: &mut Gradient| {
            for (beta, &m) in mu.iter().enumerate() {
                grad.abar[beta] += sign * m;
                for (i, &x) in x.iter().enumerate() {
                    grad.w[i * l + beta] += sign * x * m;
                }
            }
            if train_a {
                for (g, &x) in grad.a.iter_mut().zip(x) {
                    *g += sign * x;
                }
            }
        };
        let inv_n = 1.0 / batch.len() as f64;
        let fast_ll = for_each_datum(cond, data, batch, &counts, |x, _| {
            model.hidden_logits(x, &mut u);
            model.hidden_means(&u, &mut mu);
            add(x, &mu, inv_n, grad);
        });
        let inv_s = 1.0 / traj.len() as f64;
        for s in 0..traj.len() {
            add(
                &traj.x[s * d..(s + 1) * d],
                &traj.mu[s * l..(s + 1) * l],
                -inv_s,
                grad,
            );
        }
        fast_ll
    }

    fn constrain(&self, model: &mut LatentCycle) {
        model.tie();
    }
}
