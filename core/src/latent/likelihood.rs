use super::{BinaryData, LatentCycle, LatentError};
use crate::special::{log_sum_exp, softplus};
use alloc::vec;
use alloc::vec::Vec;
use nalgebra::{DMatrix, DVector};

/// Largest D for which [`exact_latent_matrix`] enumerates every visible state.
pub const MAX_EXACT_VISIBLE: usize = 20;

/// The latent transition matrix M_{z'z} = Σ_x A_{z'x} Ā_{xz} (Eq. 3), exactly, by enumerating
/// all 2^D visible states. Row-major K×K, rows sum to 1.
///
/// # Errors
/// [`LatentError::Parameter`] when D > [`MAX_EXACT_VISIBLE`].
pub fn exact_latent_matrix(model: &LatentCycle) -> Result<Vec<f64>, LatentError> {
    let d = model.dim();
    if d > MAX_EXACT_VISIBLE {
        return Err(LatentError::Parameter(
            "exact enumeration of visible states needs D ≤ 20",
        ));
    }
    let (k_states, l) = (model.states(), model.hidden());
    let cond = model.conditionals();
    let mut m = vec![0.0; k_states * k_states];
    let (mut x, mut u, mut zbar) = (vec![0.0; d], vec![0.0; l], vec![0.0; k_states]);
    for bits in 0u32..(1 << d) {
        for (i, x) in x.iter_mut().enumerate() {
            *x = f64::from((bits >> i) & 1);
        }
        model.hidden_logits(&x, &mut u);
        model.log_hidden_state_probs(&u, &mut zbar);
        zbar.iter_mut().for_each(|z| *z = libm::exp(*z));
        for kp in 0..k_states {
            let a = libm::exp(cond.log_prob(kp, &x));
            for (m, &zb) in m[kp * k_states..(kp + 1) * k_states].iter_mut().zip(&zbar) {
                *m += a * zb;
            }
        }
    }
    Ok(m)
}

/// The stationary distribution p̄ of a row-stochastic K×K matrix (p̄ M = p̄, Σ p̄ = 1), from a
/// linear solve with the normalisation replacing one balance equation. Defined for an
/// irreducible M (every latent chain of the model is, since all Ā, A > 0).
///
/// # Errors
/// [`LatentError::Shape`] if `m` is not square; [`LatentError::NotFinite`] if the system is
/// singular (a reducible matrix).
pub fn stationary(m: &[f64]) -> Result<Vec<f64>, LatentError> {
    let k = libm::sqrt(m.len() as f64) as usize;
    if k == 0 || k * k != m.len() {
        return Err(LatentError::Shape("a transition matrix must be square"));
    }
    // Rows of the system: (Mᵀ − I) p = 0 for states 0..K−1, then Σ p = 1.
    let mut a = DMatrix::from_fn(k, k, |i, j| m[j * k + i] - if i == j { 1.0 } else { 0.0 });
    let mut b = DVector::zeros(k);
    for j in 0..k {
        a[(k - 1, j)] = 1.0;
    }
    b[k - 1] = 1.0;
    let p = a.lu().solve(&b).ok_or(LatentError::NotFinite(
        "the stationary distribution (reducible matrix)",
    ))?;
    Ok(p.iter().map(|&v| v.max(0.0)).collect())
}

/// The mean log-likelihood (Eq. 7) of `data` with p(x) = Σ_z p̄(z) A_{zx} (Eq. 5) for a given
/// latent occupancy p̄ (K entries summing to 1): exact with the exact p̄, and the precise
/// estimate of App. A.3 with the empirical occupancy of a long chain (L × N_D evaluations for
/// one-hot z).
///
/// # Errors
/// [`LatentError::Dimension`] / [`LatentError::Shape`] on mismatched data or occupancy.
pub fn occupancy_log_likelihood(
    model: &LatentCycle,
    data: &BinaryData,
    occupancy: &[f64],
) -> Result<f64, LatentError> {
    let table = LogLikelihoodTable::new(model, data)?;
    table.mean(occupancy)
}

/// ln A_{kx} for every latent state k and data vector x, so that the log-likelihood for many
/// occupancies (e.g. jackknife blocks) costs only a log-sum-exp each.
#[derive(Clone, Debug)]
pub struct LogLikelihoodTable {
    k: usize,
    log_a: Vec<f64>,
}

impl LogLikelihoodTable {
    /// # Errors
    /// [`LatentError::Dimension`] on mismatched data.
    pub fn new(model: &LatentCycle, data: &BinaryData) -> Result<Self, LatentError> {
        data.expect_dim(model.dim())?;
        let cond = model.conditionals();
        let k = model.states();
        let mut log_a = Vec::with_capacity(k * data.len());
        for n in 0..data.len() {
            let x = data.row(n);
            log_a.extend((0..k).map(|s| cond.log_prob(s, x)));
        }
        Ok(Self { k, log_a })
    }

    /// Mean over the data of ln Σ_k p̄_k A_{kx}.
    ///
    /// # Errors
    /// [`LatentError::Shape`] unless `occupancy` has K entries.
    pub fn mean(&self, occupancy: &[f64]) -> Result<f64, LatentError> {
        if occupancy.len() != self.k {
            return Err(LatentError::Shape(
                "the occupancy needs one entry per latent state",
            ));
        }
        let log_p: Vec<f64> = occupancy.iter().map(|&p| libm::log(p)).collect();
        let mut terms = vec![0.0; self.k];
        let mut total = 0.0;
        let rows = self.log_a.chunks(self.k);
        let n = rows.len();
        for row in rows {
            for ((t, &la), &lp) in terms.iter_mut().zip(row).zip(&log_p) {
                *t = la + lp;
            }
            total += log_sum_exp(&terms);
        }
        Ok(total / n as f64)
    }
}

/// The exact mean log-likelihood of a tied model (the equilibrium counterpart, an RBM with
/// p(x, z) ∝ exp(x·(w z + a) + ā·z)): ln p(x) = ln Σ_z e^{ā·z + x·(w z + a)} − ln Z with
/// ln Z = ln Σ_z e^{ā·z + Σᵢ softplus((w z + a)ᵢ)}, both sums over the K enumerable states.
///
/// # Errors
/// [`LatentError::NotTied`] unless w̄ = wᵀ without centering; [`LatentError::Dimension`].
pub fn tied_log_likelihood(model: &LatentCycle, data: &BinaryData) -> Result<f64, LatentError> {
    if !model.is_tied() {
        return Err(LatentError::NotTied);
    }
    data.expect_dim(model.dim())?;
    let cond = model.conditionals();
    let k_states = model.states();
    let prior: Vec<f64> = (0..k_states)
        .map(|k| {
            (0..model.hidden())
                .filter(|&b| model.state_bit(k, b))
                .map(|b| model.abar()[b])
                .sum()
        })
        .collect();
    // ln A_{kx} = x·h_k − Σ softplus(h_k), so x·h_k = ln A_{kx} + Σ softplus(h_k).
    let h = |k: usize| -> Vec<f64> {
        let mut h = model.a().to_vec();
        for b in (0..model.hidden()).filter(|&b| model.state_bit(k, b)) {
            for (i, h) in h.iter_mut().enumerate() {
                *h += model.w()[i * model.hidden() + b];
            }
        }
        h
    };
    let splus: Vec<f64> = (0..k_states)
        .map(|k| h(k).iter().map(|&v| softplus(v)).sum())
        .collect();
    let log_z = log_sum_exp(
        &prior
            .iter()
            .zip(&splus)
            .map(|(p, s)| p + s)
            .collect::<Vec<_>>(),
    );
    let mut terms = vec![0.0; k_states];
    let mut total = 0.0;
    for n in 0..data.len() {
        let x = data.row(n);
        for (k, t) in terms.iter_mut().enumerate() {
            *t = prior[k] + cond.log_prob(k, x) + splus[k];
        }
        total += log_sum_exp(&terms) - log_z;
    }
    Ok(total / data.len() as f64)
}
