use super::{Chains, LatentCycle, LatentError, LogLikelihoodTable, stationary};
use crate::estimate::{Estimate, Unit};
use crate::special::log_sum_exp;
use crate::stats::{Uncertain, leave_one_out};
use alloc::vec;
use alloc::vec::Vec;
use nalgebra::{DMatrix, linalg::Schur};
use rand_core::Rng;

/// Counts gathered along long latent trajectories z(0), z(1), … of the model's chains, kept per
/// block of consecutive steps so that every estimate has a jackknife error bar.
#[derive(Clone, Debug)]
pub struct LatentStatistics {
    k: usize,
    steps: usize,
    blocks: Vec<TrajectoryBlock>,
    path: Vec<usize>,
}

/// What one block of the trajectories saw.
#[derive(Clone, Debug)]
struct TrajectoryBlock {
    /// Visits of each latent state.
    occupancy: Vec<u64>,
    /// Hard counts of z(t−1) → z(t), K×K.
    transitions: Vec<u64>,
    /// ln Σ_t Ā_{x(t)z} per predecessor row z(t−1), K×K.
    log_expected: LogSums,
}

impl LatentStatistics {
    /// Run `chains` (typically a copy of the training chains) for `burn_in` + `steps` double
    /// steps and count, after the burn-in and in `blocks` consecutive blocks of each chain's
    /// trajectory: the occupancy of each latent state, the transitions z(t−1) → z(t), and their
    /// conditional expectations Σ_t Ā_{x(t)·} per predecessor z(t−1) (a Rao-Blackwellised
    /// count: same mean as the hard count, lower variance, and never zero). The first
    /// `keep_path` states of chain 0 are kept.
    ///
    /// Memory: 16·K² bytes per block (K = 2^L states for binary z).
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
        let block = TrajectoryBlock {
            occupancy: vec![0; k],
            transitions: vec![0; k * k],
            log_expected: LogSums::new(k),
        };
        let mut stats = Self {
            k,
            steps: 0,
            blocks: vec![block; blocks],
            path: Vec::with_capacity(keep_path),
        };
        let mut previous: Vec<Option<usize>> = vec![None; chains.len()];
        let mut zbar = vec![0.0; k];
        let mut t_chain = 0usize;
        chains.run(model, &cond, steps, rng, |v| {
            if v.chain == 0 && stats.path.len() < keep_path {
                stats.path.push(v.state);
            }
            let b = &mut stats.blocks[(t_chain % steps) * blocks / steps];
            t_chain += 1;
            b.occupancy[v.state] += 1;
            if let Some(p) = previous[v.chain] {
                b.transitions[p * k + v.state] += 1;
                model.log_hidden_state_probs(v.logits, &mut zbar);
                b.log_expected.add(p, &zbar);
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

    /// Occupancy counts over every block but `except`.
    fn occupancy_counts(&self, except: Option<usize>) -> Vec<f64> {
        let mut counts = vec![0.0; self.k];
        for (_, b) in self.kept(except) {
            counts
                .iter_mut()
                .zip(&b.occupancy)
                .for_each(|(c, &n)| *c += n as f64);
        }
        counts
    }

    fn kept(&self, except: Option<usize>) -> impl Iterator<Item = (usize, &TrajectoryBlock)> {
        self.blocks
            .iter()
            .enumerate()
            .filter(move |(i, _)| Some(*i) != except)
    }

    /// Empirical occupancy p̄_e(z) over the whole trajectory.
    pub fn occupancy(&self) -> Vec<f64> {
        normalise(&self.occupancy_counts(None))
    }

    /// ln M estimated from the Rao-Blackwellised transition counts, row-normalised in log space
    /// (entries below 1e-308 keep their logarithm); a state never visited gets a uniform row (it
    /// carries no weight in p̄).
    pub fn log_matrix(&self) -> Vec<f64> {
        self.log_matrix_except(None)
    }

    fn log_matrix_except(&self, except: Option<usize>) -> Vec<f64> {
        LogSums::merged(self.k, self.kept(except).map(|(_, b)| &b.log_expected)).log_matrix()
    }

    fn transition_counts(&self, except: Option<usize>) -> Vec<f64> {
        let mut counts = vec![0.0; self.k * self.k];
        for (_, b) in self.kept(except) {
            counts
                .iter_mut()
                .zip(&b.transitions)
                .for_each(|(c, &n)| *c += n as f64);
        }
        counts
    }

    /// M from the hard transition counts, row-normalised (the paper's estimator).
    pub fn counted_matrix(&self) -> Vec<f64> {
        rows_normalised(&self.transition_counts(None), self.k)
    }

    /// The latent states visited by chain 0 (at most `keep_path` of them).
    pub fn path(&self) -> &[usize] {
        &self.path
    }

    fn jackknifed(
        &self,
        f: impl Fn(Option<usize>) -> Result<f64, LatentError>,
    ) -> Result<Uncertain, LatentError> {
        jackknife(self.blocks.len(), f)
    }

    /// The precise log-likelihood of App. A.3 with this trajectory's occupancy (Eq. 5), with a
    /// jackknife error bar over the blocks (the spread of the estimate when each block's
    /// occupancy is left out in turn; NaN for one block), in nats per data vector.
    ///
    /// # Errors
    /// As [`LogLikelihoodTable::mean`].
    pub fn log_likelihood(&self, table: &LogLikelihoodTable) -> Result<Estimate, LatentError> {
        let u = self.jackknifed(|except| table.mean(&normalise(&self.occupancy_counts(except))))?;
        Ok(Estimate::new(u.value, u.std_error, Unit::Nats, self.steps))
    }

    /// σ of Eq. 21 the paper's way: M from the hard transition counts of the trajectory
    /// (row-normalised) and p̄ its empirical occupancy, so that p̄(z')M_{z'z} is the observed
    /// frequency of z' → z. A pair seen in one direction only would make σ = +∞ (its reverse
    /// flux is estimated as 0) however long the trajectory: such pairs are left out of the sum
    /// and counted in [`CountedEntropyProduction::one_way_pairs`], so the value is a lower
    /// estimate whenever that count is not 0. Jackknife error over the blocks.
    ///
    /// # Errors
    /// None in practice (the jackknife over blocks shares one fallible signature).
    pub fn counted_entropy_production(&self) -> Result<CountedEntropyProduction, LatentError> {
        let k = self.k;
        let of = |except: Option<usize>| {
            let p = normalise(&self.occupancy_counts(except));
            let n = self.transition_counts(except);
            counted_sigma(&p, &rows_normalised(&n, k), &n, k)
        };
        let sigma = self.jackknifed(|except| Ok(of(except).0))?;
        Ok(CountedEntropyProduction {
            sigma,
            one_way_pairs: of(None).1,
        })
    }

    /// σ of Eq. 21 from the Rao-Blackwellised transition matrix ([`Self::log_matrix`]) with p̄
    /// its stationary vector (the occupancy where M is numerically reducible), with a jackknife
    /// error over the blocks.
    ///
    /// # Errors
    /// [`LatentError::NotFinite`] if a matrix entry is NaN.
    pub fn rao_blackwell_entropy_production(&self) -> Result<Uncertain, LatentError> {
        self.jackknifed(|except| {
            let p = normalise(&self.occupancy_counts(except));
            Ok(Dynamics::stationary_or(self.log_matrix_except(except), &p)?.entropy_production)
        })
    }
}

/// The paper's hard-count σ ([`LatentStatistics::counted_entropy_production`]).
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CountedEntropyProduction {
    /// σ over the pairs of states seen in both directions, with its jackknife error.
    pub sigma: Uncertain,
    /// Pairs of states seen in one direction only (left out of `sigma`).
    pub one_way_pairs: usize,
}

/// Eq. 21 over pairs with counts both ways; returns (σ, pairs seen one way only).
fn counted_sigma(p: &[f64], m: &[f64], counts: &[f64], k: usize) -> (f64, usize) {
    let (mut sigma, mut one_way) = (0.0, 0);
    for i in 0..k {
        for j in (i + 1)..k {
            match (counts[i * k + j] > 0.0, counts[j * k + i] > 0.0) {
                (true, true) => {
                    let (f, b) = (p[i] * m[i * k + j], p[j] * m[j * k + i]);
                    sigma += (f - b) * libm::log(f / b);
                }
                (false, false) => {}
                _ => one_way += 1,
            }
        }
    }
    (sigma, one_way)
}

/// Sums of probabilities per row of a K×K matrix, in log space: row r accumulates
/// ln Σ_t exp(v_t) over the vectors v added to it.
#[derive(Clone, Debug)]
pub(crate) struct LogSums {
    k: usize,
    log_sums: Vec<f64>,
}

impl LogSums {
    pub(crate) fn new(k: usize) -> Self {
        Self {
            k,
            log_sums: vec![f64::NEG_INFINITY; k * k],
        }
    }

    /// Add exp(`log_values`) to row `row`.
    pub(crate) fn add(&mut self, row: usize, log_values: &[f64]) {
        let k = self.k;
        for (e, &z) in self.log_sums[row * k..(row + 1) * k]
            .iter_mut()
            .zip(log_values)
        {
            *e = log_add_exp(*e, z);
        }
    }

    /// The sum of `parts` (each K×K).
    pub(crate) fn merged<'a>(k: usize, parts: impl Iterator<Item = &'a Self>) -> Self {
        let mut total = Self::new(k);
        for part in parts {
            for (e, &z) in total.log_sums.iter_mut().zip(&part.log_sums) {
                *e = log_add_exp(*e, z);
            }
        }
        total
    }

    /// The sums row-normalised, in log space; an empty row is uniform.
    pub(crate) fn log_matrix(&self) -> Vec<f64> {
        let k = self.k;
        self.log_sums
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
}

/// An estimate from `blocks` blocks (`f(None)`) with the jackknife error from leaving each
/// block out in turn (`f(Some(b))`; NaN error for one block).
pub(crate) fn jackknife(
    blocks: usize,
    f: impl Fn(Option<usize>) -> Result<f64, LatentError>,
) -> Result<Uncertain, LatentError> {
    let value = f(None)?;
    let loo = if blocks < 2 {
        Vec::new()
    } else {
        (0..blocks)
            .map(|b| f(Some(b)))
            .collect::<Result<Vec<_>, _>>()?
    };
    Ok(leave_one_out(value, &loo))
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

    /// [`Self::from_log_matrix`], or [`Self::with_occupancy`] with `fallback` as p̄ where M is
    /// numerically reducible (no unique stationary vector in f64).
    ///
    /// # Errors
    /// As [`Self::with_occupancy`].
    pub fn stationary_or(log_matrix: Vec<f64>, fallback: &[f64]) -> Result<Self, LatentError> {
        Self::from_log_matrix(log_matrix.clone())
            .or_else(|_| Self::with_occupancy(log_matrix, fallback.to_vec()))
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
