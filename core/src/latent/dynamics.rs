use super::{Chains, LatentCycle, LatentError, LogLikelihoodTable, stationary};
use crate::estimate::{Estimate, Unit};
use crate::special::log_sum_exp;
use alloc::vec;
use alloc::vec::Vec;
use nalgebra::{DMatrix, linalg::Schur};
use rand_core::Rng;

/// Counts gathered along long latent trajectories z(0), z(1), … of the model's chains.
#[derive(Clone, Debug)]
pub struct LatentStatistics {
    k: usize,
    steps: usize,
    blocks: Vec<Vec<u64>>,
    transitions: Vec<u64>,
    /// ln Σ_t Ā_{x(t)z} per predecessor row, accumulated in log space.
    log_expected: Vec<f64>,
    path: Vec<usize>,
}

impl LatentStatistics {
    /// Run `chains` (typically a copy of the training chains) for `burn_in` + `steps` double
    /// steps and count, after the burn-in: the occupancy of each latent state in `blocks`
    /// consecutive blocks, the transitions z(t−1) → z(t), and their conditional expectations
    /// Σ_t Ā_{x(t)·} per predecessor z(t−1) (a Rao-Blackwellised count: same mean as the hard
    /// count, lower variance, and never zero). The first `keep_path` states of chain 0 are kept.
    ///
    /// # Errors
    /// [`LatentError::Parameter`] for zero steps or blocks, or more blocks than steps.
    pub fn sample<R: Rng + ?Sized>(
        model: &LatentCycle,
        chains: &mut Chains,
        burn_in: usize,
        steps: usize,
        blocks: usize,
        keep_path: usize,
        rng: &mut R,
    ) -> Result<Self, LatentError> {
        if steps == 0 || blocks == 0 || blocks > steps {
            return Err(LatentError::Parameter(
                "trajectory statistics need 1 ≤ blocks ≤ steps",
            ));
        }
        let k = model.states();
        let cond = model.conditionals();
        chains.run(model, &cond, burn_in, rng, |_| {});
        let mut stats = Self {
            k,
            steps: 0,
            blocks: vec![vec![0; k]; blocks],
            transitions: vec![0; k * k],
            log_expected: vec![f64::NEG_INFINITY; k * k],
            path: Vec::with_capacity(keep_path),
        };
        let mut previous: Vec<Option<usize>> = vec![None; chains.len()];
        let mut zbar = vec![0.0; k];
        let per_chain = steps;
        let mut t_chain = 0usize;
        chains.run(model, &cond, per_chain, rng, |v| {
            if v.chain == 0 && stats.path.len() < keep_path {
                stats.path.push(v.state);
            }
            let block = (t_chain % per_chain) * blocks / per_chain;
            t_chain += 1;
            stats.blocks[block][v.state] += 1;
            if let Some(p) = previous[v.chain] {
                stats.transitions[p * k + v.state] += 1;
                model.log_hidden_state_probs(v.logits, &mut zbar);
                for (e, &z) in stats.log_expected[p * k..(p + 1) * k].iter_mut().zip(&zbar) {
                    *e = log_add_exp(*e, z);
                }
            }
            previous[v.chain] = Some(v.state);
            stats.steps += 1;
        });
        Ok(stats)
    }

    /// Number of latent states K.
    pub fn states(&self) -> usize {
        self.k
    }

    /// Empirical occupancy p̄_e(z) over the whole trajectory.
    pub fn occupancy(&self) -> Vec<f64> {
        let mut counts = vec![0u64; self.k];
        for b in &self.blocks {
            counts.iter_mut().zip(b).for_each(|(c, &n)| *c += n);
        }
        normalise(&counts.iter().map(|&c| c as f64).collect::<Vec<_>>())
    }

    /// ln M estimated from the Rao-Blackwellised transition counts, row-normalised in log space
    /// (entries below 1e-308 keep their logarithm); a state never visited gets a uniform row (it
    /// carries no weight in p̄).
    pub fn log_matrix(&self) -> Vec<f64> {
        let k = self.k;
        self.log_expected
            .chunks(k)
            .flat_map(|row| {
                let lse = log_sum_exp(row);
                row.iter().map(move |&v| {
                    if lse == f64::NEG_INFINITY {
                        -libm::log(k as f64)
                    } else {
                        v - lse
                    }
                })
            })
            .collect()
    }

    /// M from the hard transition counts, row-normalised (the paper's estimator).
    pub fn counted_matrix(&self) -> Vec<f64> {
        let counts: Vec<f64> = self.transitions.iter().map(|&c| c as f64).collect();
        rows_normalised(&counts, self.k)
    }

    /// The latent states visited by chain 0 (at most `keep_path` of them).
    pub fn path(&self) -> &[usize] {
        &self.path
    }

    /// The precise log-likelihood of App. A.3 with this trajectory's occupancy (Eq. 5), with a
    /// jackknife error bar over the blocks (the spread of the estimate when each block's
    /// occupancy is left out in turn), in nats per data vector.
    ///
    /// # Errors
    /// As [`LogLikelihoodTable::mean`].
    pub fn log_likelihood(&self, table: &LogLikelihoodTable) -> Result<Estimate, LatentError> {
        let value = table.mean(&self.occupancy())?;
        let b = self.blocks.len();
        if b < 2 {
            return Ok(Estimate::new(value, f64::NAN, Unit::Nats, self.steps));
        }
        let mut total = vec![0u64; self.k];
        for blk in &self.blocks {
            total.iter_mut().zip(blk).for_each(|(t, &n)| *t += n);
        }
        let mut loo = Vec::with_capacity(b);
        for blk in &self.blocks {
            let rest: Vec<f64> = total
                .iter()
                .zip(blk)
                .map(|(&t, &n)| (t - n) as f64)
                .collect();
            loo.push(table.mean(&normalise(&rest))?);
        }
        let mean = loo.iter().sum::<f64>() / b as f64;
        let var =
            loo.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() * (b - 1) as f64 / b as f64;
        Ok(Estimate::new(
            value,
            libm::sqrt(var),
            Unit::Nats,
            self.steps,
        ))
    }
}

fn log_add_exp(a: f64, b: f64) -> f64 {
    let (hi, lo) = if a > b { (a, b) } else { (b, a) };
    if lo == f64::NEG_INFINITY {
        hi
    } else {
        hi + libm::log1p(libm::exp(lo - hi))
    }
}

fn normalise(v: &[f64]) -> Vec<f64> {
    let total: f64 = v.iter().sum();
    v.iter().map(|&x| x / total).collect()
}

fn rows_normalised(counts: &[f64], k: usize) -> Vec<f64> {
    counts
        .chunks(k)
        .flat_map(|row| {
            let total: f64 = row.iter().sum();
            row.iter().map(move |&c| {
                if total > 0.0 {
                    c / total
                } else {
                    1.0 / k as f64
                }
            })
        })
        .collect()
}

/// Nonequilibrium diagnostics of a latent transition matrix M (row-stochastic, K×K).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Dynamics {
    /// M, row-major.
    pub matrix: Vec<f64>,
    /// Its stationary distribution p̄ (p̄ M = p̄).
    pub stationary: Vec<f64>,
    /// Entropy production rate σ (Eq. 21), nats per double step.
    pub entropy_production: f64,
    /// |λ₂|, the second-largest eigenvalue modulus of M.
    pub second_eigenvalue: f64,
    /// Decorrelation time τ = −1/ln|λ₂| (Eq. 23), in double steps (0 if λ₂ = 0, ∞ if |λ₂| = 1,
    /// NaN if the eigen-solver does not converge).
    pub decorrelation_time: f64,
    /// Mean diagonal element Tr(M)/K (Eq. 24; K = L for one-hot z).
    pub mean_diagonal: f64,
}

impl Dynamics {
    /// All diagnostics of `matrix`, with p̄ its stationary distribution.
    ///
    /// # Errors
    /// As [`Dynamics::from_log_matrix`].
    pub fn from_matrix(matrix: Vec<f64>) -> Result<Self, LatentError> {
        Self::from_log_matrix(matrix.iter().map(|&m| libm::log(m)).collect())
    }

    /// All diagnostics from ln M: σ is computed from the logarithms, so transitions too rare for
    /// f64 (below 1e-308) still give a finite σ instead of ∞.
    ///
    /// # Errors
    /// As [`stationary`]; [`LatentError::NotFinite`] on NaN or +∞ entries.
    pub fn from_log_matrix(log_matrix: Vec<f64>) -> Result<Self, LatentError> {
        if log_matrix.iter().any(|v| v.is_nan() || *v == f64::INFINITY) {
            return Err(LatentError::NotFinite("a transition matrix entry"));
        }
        let matrix: Vec<f64> = log_matrix.iter().map(|&v| libm::exp(v)).collect();
        let p = stationary(&matrix)?;
        Self::build(log_matrix, matrix, p)
    }

    /// Diagnostics from ln M with a given p̄ (for example the empirical occupancy), for matrices
    /// whose rarest transitions underflow f64 so that M is numerically reducible and has no
    /// unique stationary vector (an equilibrium model whose chain is stuck in one mode).
    ///
    /// # Errors
    /// [`LatentError::NotFinite`] on NaN or +∞ entries; [`LatentError::Shape`] unless p̄ has K
    /// entries.
    pub fn with_occupancy(log_matrix: Vec<f64>, p: Vec<f64>) -> Result<Self, LatentError> {
        if log_matrix.iter().any(|v| v.is_nan() || *v == f64::INFINITY) {
            return Err(LatentError::NotFinite("a transition matrix entry"));
        }
        if p.len() * p.len() != log_matrix.len() {
            return Err(LatentError::Shape("p̄ needs one entry per latent state"));
        }
        let matrix: Vec<f64> = log_matrix.iter().map(|&v| libm::exp(v)).collect();
        Self::build(log_matrix, matrix, p)
    }

    fn build(log_matrix: Vec<f64>, matrix: Vec<f64>, p: Vec<f64>) -> Result<Self, LatentError> {
        let k = p.len();
        let second_eigenvalue = second_eigenvalue_modulus(&matrix, k);
        let decorrelation_time = if second_eigenvalue <= 0.0 {
            0.0
        } else if second_eigenvalue >= 1.0 {
            f64::INFINITY
        } else {
            -1.0 / libm::log(second_eigenvalue)
        };
        Ok(Self {
            entropy_production: entropy_production(&p, &log_matrix),
            mean_diagonal: (0..k).map(|i| matrix[i * k + i]).sum::<f64>() / k as f64,
            second_eigenvalue,
            decorrelation_time,
            stationary: p,
            matrix,
        })
    }
}

/// σ = Σ_{z'<z} [p̄(z')M_{z'z} − p̄(z)M_{zz'}] ln [p̄(z')M_{z'z} / (p̄(z)M_{zz'})] (Eq. 21), in nats
/// per step, from p̄ and ln M: zero exactly when detailed balance holds, +∞ only when a
/// transition has an exactly impossible reverse. States with p̄ = 0 carry no flux and are
/// skipped (in an exact stationary state every state feeding them has p̄ = 0 too).
pub fn entropy_production(p: &[f64], log_m: &[f64]) -> f64 {
    let k = p.len();
    let mut sigma = 0.0;
    for i in (0..k).filter(|&i| p[i] > 0.0) {
        for j in ((i + 1)..k).filter(|&j| p[j] > 0.0) {
            let (lf, lb) = (
                libm::log(p[i]) + log_m[i * k + j],
                libm::log(p[j]) + log_m[j * k + i],
            );
            if lf == lb {
                continue;
            }
            sigma += (libm::exp(lf) - libm::exp(lb)) * (lf - lb);
        }
    }
    sigma
}

/// |λ₂| of a real K×K matrix from nalgebra's real Schur decomposition, with a bounded number of
/// QR sweeps (nalgebra's unbounded default can cycle forever on nearly block-diagonal matrices);
/// Mᵀ (same spectrum, different rounding) is tried if M does not converge, and NaN is returned if
/// neither does.
fn second_eigenvalue_modulus(m: &[f64], k: usize) -> f64 {
    if k < 2 {
        return 0.0;
    }
    let mat = DMatrix::from_row_slice(k, k, m);
    let schur = Schur::try_new(mat.clone(), f64::EPSILON, 10_000)
        .or_else(|| Schur::try_new(mat.transpose(), f64::EPSILON, 10_000));
    let Some(schur) = schur else {
        return f64::NAN;
    };
    let mut moduli: Vec<f64> = schur
        .complex_eigenvalues()
        .iter()
        .map(|c| libm::hypot(c.re, c.im))
        .collect();
    moduli.sort_by(|a, b| b.total_cmp(a));
    moduli[1]
}
