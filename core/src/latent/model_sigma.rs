use super::dynamics::{LogSums, jackknife};
use super::{Dynamics, LatentCycle, LatentError, MAX_EXACT_VISIBLE, exact_latent_matrix};
use crate::stats::Uncertain;
use alloc::vec;
use alloc::vec::Vec;
use rand_core::Rng;

/// Largest 2^D·K for which [`model_entropy_production`] enumerates the visible states.
pub const MAX_EXACT_WORK: u64 = 1 << 22;

/// σ of the model's own latent matrix (Eq. 21 with M of Eq. 3 and p̄ its stationary vector).
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ModelEntropyProduction {
    /// σ in nats per double step, with its jackknife error (0 when exact).
    pub sigma: Uncertain,
    /// Whether M was enumerated exactly (rather than sampled).
    pub exact: bool,
}

/// σ (Eq. 21) of the model's own transition matrix M_{z'z} = Σ_x A_{z'x} Ā_{xz} (Eq. 3), with
/// p̄ its stationary vector: a property of the parameters, not of any trajectory. Exact
/// ([`exact_latent_matrix`], error 0) where D ≤ 20 and 2^D·K ≤ [`MAX_EXACT_WORK`]; otherwise
/// from a [`SampledLatentMatrix`] of `draws` draws per row in `blocks` blocks, with `fallback`
/// as p̄ where that matrix is numerically reducible.
///
/// # Errors
/// As [`SampledLatentMatrix::sample`] and [`SampledLatentMatrix::entropy_production`].
pub fn model_entropy_production<R: Rng + ?Sized>(
    model: &LatentCycle,
    draws: usize,
    blocks: usize,
    fallback: &[f64],
    rng: &mut R,
) -> Result<ModelEntropyProduction, LatentError> {
    let work = (model.states() as u64)
        .checked_shl(model.dim() as u32)
        .unwrap_or(u64::MAX);
    if model.dim() <= MAX_EXACT_VISIBLE && work <= MAX_EXACT_WORK {
        let log_m = exact_latent_matrix(model)?
            .iter()
            .map(|&v| libm::log(v))
            .collect();
        return Ok(ModelEntropyProduction {
            sigma: Uncertain {
                value: sigma_of(log_m, fallback)?,
                std_error: 0.0,
            },
            exact: true,
        });
    }
    Ok(ModelEntropyProduction {
        sigma: SampledLatentMatrix::sample(model, draws, blocks, rng)?
            .entropy_production(fallback)?,
        exact: false,
    })
}

fn sigma_of(log_m: Vec<f64>, fallback: &[f64]) -> Result<f64, LatentError> {
    if fallback.len() * fallback.len() != log_m.len() {
        return Err(LatentError::Shape("p̄ needs one entry per latent state"));
    }
    Ok(Dynamics::stationary_or(log_m, fallback)?.entropy_production)
}

/// The model's latent matrix M (Eq. 3) estimated row by row, independently of any chain: for
/// each latent state z', visible states x ~ A_{z'·} are drawn and M_{z'·} is the mean of Ā_{x·}
/// over them (unbiased, Rao-Blackwellised over z, summed in log space so that transitions below
/// 1e-308 keep their logarithm). Unlike the trajectory estimators, every row gets the same
/// number of draws however rarely a chain visits its state. The draws are kept in blocks for
/// jackknife errors.
#[derive(Clone, Debug)]
pub struct SampledLatentMatrix {
    k: usize,
    blocks: Vec<LogSums>,
}

impl SampledLatentMatrix {
    /// `draws` draws per row, cut into `blocks` blocks. Memory: 8·K² bytes per block.
    ///
    /// # Errors
    /// [`LatentError::Parameter`] unless 1 ≤ blocks ≤ draws.
    pub fn sample<R: Rng + ?Sized>(
        model: &LatentCycle,
        draws: usize,
        blocks: usize,
        rng: &mut R,
    ) -> Result<Self, LatentError> {
        if blocks == 0 || blocks > draws {
            return Err(LatentError::Parameter(
                "the model's matrix needs 1 ≤ blocks ≤ draws",
            ));
        }
        let (d, l, k) = (model.dim(), model.hidden(), model.states());
        let cond = model.conditionals();
        let (mut x, mut u, mut zbar) = (vec![0.0; d], vec![0.0; l], vec![0.0; k]);
        let mut sums = vec![LogSums::new(k); blocks];
        for (b, block) in sums.iter_mut().enumerate() {
            let n = draws * (b + 1) / blocks - draws * b / blocks;
            for row in 0..k {
                for _ in 0..n {
                    cond.sample(row, rng, &mut x);
                    model.hidden_logits(&x, &mut u);
                    model.log_hidden_state_probs(&u, &mut zbar);
                    block.add(row, &zbar);
                }
            }
        }
        Ok(Self { k, blocks: sums })
    }

    /// ln M from every block but `except`, row-major.
    fn log_matrix_except(&self, except: Option<usize>) -> Vec<f64> {
        let kept = self
            .blocks
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != except);
        LogSums::merged(self.k, kept.map(|(_, s)| s)).log_matrix()
    }

    /// ln M, row-major K×K.
    pub fn log_matrix(&self) -> Vec<f64> {
        self.log_matrix_except(None)
    }

    /// σ (Eq. 21) with p̄ the stationary vector of M (`fallback` where M is numerically
    /// reducible), with the jackknife error over the blocks (NaN for one block).
    ///
    /// # Errors
    /// [`LatentError::Shape`] unless `fallback` has K entries; [`LatentError::NotFinite`] for a
    /// NaN matrix.
    pub fn entropy_production(&self, fallback: &[f64]) -> Result<Uncertain, LatentError> {
        jackknife(self.blocks.len(), |except| {
            sigma_of(self.log_matrix_except(except), fallback)
        })
    }
}
