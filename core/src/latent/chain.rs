use super::{BinaryData, Conditionals, LatentCycle, LatentError};
use crate::rng::uniform_index;
use alloc::vec;
use alloc::vec::Vec;
use rand_core::Rng;

/// Persistent Markov chains x'(0) → z(0) → x'(1) → z(1) → … (Fig. 1, Eq. 18): the final fantasy
/// state of one run is the first state of the next ("persistent contrastive divergence").
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Chains {
    d: usize,
    x: Vec<f64>,
}

/// One double step of one chain, as seen by a visitor: the fantasy state x'(t), the means
/// μ_{z|x'(t)} (Eq. 15) and the latent state z(t) drawn from them.
#[derive(Clone, Copy, Debug)]
pub struct Visit<'a> {
    /// Which chain.
    pub chain: usize,
    /// x'(t).
    pub x: &'a [f64],
    /// The exponents u = w̄ (x'(t) − c) + ā.
    pub logits: &'a [f64],
    /// μ_{z_β|x'(t)} for β in 0..L.
    pub mu: &'a [f64],
    /// The state index of z(t).
    pub state: usize,
}

impl Chains {
    /// `count` chains started from randomly chosen data vectors.
    ///
    /// # Errors
    /// [`LatentError::Parameter`] for zero chains.
    pub fn from_data<R: Rng + ?Sized>(
        data: &BinaryData,
        count: usize,
        rng: &mut R,
    ) -> Result<Self, LatentError> {
        if count == 0 {
            return Err(LatentError::Parameter(
                "at least one persistent chain is needed",
            ));
        }
        let mut x = Vec::with_capacity(count * data.dim());
        for _ in 0..count {
            x.extend_from_slice(data.row(uniform_index(rng, data.len())));
        }
        Ok(Self { d: data.dim(), x })
    }

    /// Whether the chains have dimension `d`, at least one chain, and only 0/1 states.
    #[cfg(feature = "serde")]
    pub(crate) fn is_consistent(&self, d: usize) -> bool {
        self.d == d
            && !self.x.is_empty()
            && self.x.len() % d == 0
            && self.x.iter().all(|&v| v == 0.0 || v == 1.0)
    }
    /// Number of chains.
    pub fn len(&self) -> usize {
        self.x.len() / self.d
    }

    /// Never true.
    pub fn is_empty(&self) -> bool {
        self.x.is_empty()
    }

    /// The current visible state of chain `c`.
    pub fn state(&self, c: usize) -> &[f64] {
        &self.x[c * self.d..(c + 1) * self.d]
    }

    /// Run every chain `steps` double steps {x → z → x} under `model` (whose z→x conditionals
    /// are `cond`), calling `visit` on each (x'(t), μ, z(t)) before x'(t+1) is drawn.
    pub fn run<R: Rng + ?Sized>(
        &mut self,
        model: &LatentCycle,
        cond: &Conditionals,
        steps: usize,
        rng: &mut R,
        mut visit: impl FnMut(Visit<'_>),
    ) {
        let l = model.hidden();
        let (mut u, mut mu) = (vec![0.0; l], vec![0.0; l]);
        for (chain, x) in self.x.chunks_mut(self.d).enumerate() {
            for _ in 0..steps {
                model.hidden_logits(x, &mut u);
                model.hidden_means(&u, &mut mu);
                let state = model.sample_hidden(&mu, rng);
                visit(Visit {
                    chain,
                    x,
                    logits: &u,
                    mu: &mu,
                    state,
                });
                cond.sample(state, rng, x);
            }
        }
    }
}

/// The samples of one training run of the chains (Eq. 18): x'(t), z(t), the exponents u(t) and
/// μ_{z|x'(t)}.
#[derive(Clone, Debug, Default)]
pub struct Trajectory {
    /// x'(t), row-major.
    pub x: Vec<f64>,
    /// z(t) state indices.
    pub states: Vec<usize>,
    /// u(t) = w̄ (x'(t) − c) + ā, row-major (L per sample).
    pub logits: Vec<f64>,
    /// μ_{z|x'(t)}, row-major (L per sample).
    pub mu: Vec<f64>,
}

impl Trajectory {
    /// Forget every sample, keeping the allocations.
    pub fn clear(&mut self) {
        self.x.clear();
        self.states.clear();
        self.logits.clear();
        self.mu.clear();
    }

    /// Number of samples S.
    pub fn len(&self) -> usize {
        self.states.len()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
    }

    /// Record one visit.
    pub fn push(&mut self, v: Visit<'_>) {
        self.x.extend_from_slice(v.x);
        self.logits.extend_from_slice(v.logits);
        self.mu.extend_from_slice(v.mu);
        self.states.push(v.state);
    }
}
