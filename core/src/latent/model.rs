use super::{BinaryData, LatentError};
use crate::rng::uniform_f64;
use crate::special::{log_sum_exp, sigmoid, softplus};
use alloc::vec;
use alloc::vec::Vec;
use rand_core::Rng;

/// How the hidden layer z ∈ {0,1}^L is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Encoding {
    /// Exactly one active unit (the paper's experiments, Sec. IV.1): K = L states, and unit α
    /// is chosen with the ratio of sigmoids of Eq. 19,
    /// p_one(α|x) = σ(u_α) / Σ_β σ(u_β), u = w̄ (x − c) + ā.
    OneHot,
    /// Exactly one active unit chosen by the softmax of the Eq. 9 exponents,
    /// p(α|x) = e^{u_α} / Σ_β e^{u_β}: Eq. 9 restricted to one-hot states, the exact conditional
    /// of an RBM with one-hot hidden units, and so the encoding of the tied equilibrium
    /// counterpart. It differs from Eq. 19 when several u_β are large (σ saturates, e^u does
    /// not). Checkpoints written before Eq. 19 was implemented used this kernel.
    OneHotSoftmax,
    /// Any of the K = 2^L binary vectors, factorised over units (Eq. 11); L ≤ 12 so every
    /// state can be enumerated.
    Binary,
}

impl Encoding {
    /// Whether exactly one hidden unit is active.
    pub fn is_one_hot(self) -> bool {
        matches!(self, Self::OneHot | Self::OneHotSoftmax)
    }
}

/// The nonequilibrium visible/latent Markov chain (paper Eq. 1–11).
///
/// z → x: A_{zx} = Πᵢ p(xᵢ|z) with logits h(z) = w z + a (Eq. 8, 10); w is D×L.
/// x → z: from the exponents u = w̄ (x − c) + ā with the centering trick c = ⟨x⟩_data (Eq. 17);
/// w̄ is L×D and *not* tied to wᵀ. Binary z: Ā_{xz} ∝ exp(z·u) (Eq. 9, 11). One-hot z: the
/// ratio of sigmoids of Eq. 19 ([`Encoding::OneHot`], the paper's) or the softmax of u
/// ([`Encoding::OneHotSoftmax`]).
///
/// Latent states are indexed k ∈ 0..K: unit k for one-hot, the bits of k (bit β = z_β) for binary.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LatentCycle {
    d: usize,
    l: usize,
    encoding: Encoding,
    /// D×L, row-major: w[i·L + β].
    w: Vec<f64>,
    /// Visible bias (D). Fixed at 0 for one-hot z, where Eq. 20 absorbs it into w.
    a: Vec<f64>,
    /// L×D, row-major: w̄[β·D + i].
    wbar: Vec<f64>,
    /// Hidden bias (L).
    abar: Vec<f64>,
    /// Centering vector c of Eq. 17 (zeros: no centering).
    center: Vec<f64>,
}

/// Largest L for [`Encoding::Binary`] (K = 2^L states are enumerated).
pub const MAX_BINARY_HIDDEN: usize = 12;

/// Most weights per D×L matrix (2^28, 2 GiB of f64): far above any model of the paper (784 × L),
/// and below sizes whose allocation would abort the process instead of returning an error.
pub const MAX_WEIGHTS: usize = 1 << 28;

impl LatentCycle {
    /// All-zero parameters and no centering.
    ///
    /// # Errors
    /// [`LatentError::Parameter`] unless D ≥ 1, L ≥ 2, D·L ≤ [`MAX_WEIGHTS`] and, for binary
    /// z, L ≤ 12.
    pub fn new(d: usize, l: usize, encoding: Encoding) -> Result<Self, LatentError> {
        if d.checked_mul(l).is_none_or(|n| n > MAX_WEIGHTS) {
            return Err(LatentError::Parameter(
                "the model is too large: D·L must be at most 2^28 weights per matrix",
            ));
        }
        if d == 0 {
            return Err(LatentError::Parameter(
                "the model needs D ≥ 1 visible units",
            ));
        }
        if l < 2 {
            return Err(LatentError::Parameter("the model needs L ≥ 2 hidden units"));
        }
        if encoding == Encoding::Binary && l > MAX_BINARY_HIDDEN {
            return Err(LatentError::Parameter(
                "binary hidden layers are enumerated: L ≤ 12",
            ));
        }
        Ok(Self {
            d,
            l,
            encoding,
            w: vec![0.0; d * l],
            a: vec![0.0; d],
            wbar: vec![0.0; l * d],
            abar: vec![0.0; l],
            center: vec![0.0; d],
        })
    }

    /// The initialisation of App. A.1: w̄ = 0, ā = 0, a = 0, c = ⟨x⟩_data, and column β of w
    /// the log-odds of the means of a random subset D(β) holding `fraction` of the data.
    ///
    /// A subset mean of exactly 0 or 1 would give an infinite log-odds; we use the smoothed
    /// mean (count + ½)/(|D(β)| + 1) (a choice; the paper does not say).
    ///
    /// # Errors
    /// As [`LatentCycle::new`]; [`LatentError::Parameter`] unless 0 < fraction ≤ 1.
    pub fn initialise<R: Rng + ?Sized>(
        data: &BinaryData,
        l: usize,
        encoding: Encoding,
        fraction: f64,
        rng: &mut R,
    ) -> Result<Self, LatentError> {
        if !(fraction > 0.0 && fraction <= 1.0) {
            return Err(LatentError::Parameter(
                "the initialisation subset fraction must be in (0, 1]",
            ));
        }
        let mut model = Self::new(data.dim(), l, encoding)?;
        model.center = data.mean();
        let n = data.len();
        let size = (libm::round(fraction * n as f64) as usize).clamp(1, n);
        let mut order: Vec<usize> = (0..n).collect();
        for beta in 0..l {
            partial_shuffle(&mut order, size, rng);
            let mut count = vec![0.0; data.dim()];
            for &row in &order[..size] {
                for (c, &x) in count.iter_mut().zip(data.row(row)) {
                    *c += x;
                }
            }
            for (i, &c) in count.iter().enumerate() {
                let p = (c + 0.5) / (size as f64 + 1.0);
                model.w[i * l + beta] = libm::log(p / (1.0 - p));
            }
        }
        Ok(model)
    }

    /// Tie the x→z weights to the z→x ones (w̄ = wᵀ) and drop the centering: with a
    /// [`Encoding::OneHotSoftmax`] or [`Encoding::Binary`] hidden layer, the equilibrium
    /// counterpart, an RBM whose alternating Gibbs chain satisfies detailed balance with respect
    /// to p(x, z) ∝ exp(x·(w z + a) + ā·z). (Eq. 19's kernel is not an RBM conditional, so a
    /// tied [`Encoding::OneHot`] model is not in detailed balance.)
    pub fn tie(&mut self) {
        for beta in 0..self.l {
            for i in 0..self.d {
                self.wbar[beta * self.d + i] = self.w[i * self.l + beta];
            }
        }
        self.center.iter_mut().for_each(|c| *c = 0.0);
    }

    /// Whether the model is an RBM: w̄ = wᵀ exactly, no centering, and an exponential-family
    /// x→z kernel (not Eq. 19's).
    pub fn is_tied(&self) -> bool {
        self.encoding != Encoding::OneHot
            && self.center.iter().all(|&c| c == 0.0)
            && (0..self.l).all(|beta| {
                (0..self.d).all(|i| self.wbar[beta * self.d + i] == self.w[i * self.l + beta])
            })
    }

    /// Visible units D.
    pub fn dim(&self) -> usize {
        self.d
    }

    /// Hidden units L.
    pub fn hidden(&self) -> usize {
        self.l
    }

    /// The hidden encoding.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// Number of latent states K (L one-hot, 2^L binary).
    pub fn states(&self) -> usize {
        if self.encoding.is_one_hot() {
            self.l
        } else {
            1 << self.l
        }
    }

    /// z_β of state k.
    pub fn state_bit(&self, k: usize, beta: usize) -> bool {
        if self.encoding.is_one_hot() {
            k == beta
        } else {
            (k >> beta) & 1 == 1
        }
    }

    /// Switch between the one-hot kernels (a checkpoint migration; the parameters keep their
    /// meaning as exponents u).
    #[cfg(feature = "serde")]
    pub(crate) fn set_encoding(&mut self, encoding: Encoding) {
        debug_assert!(self.encoding.is_one_hot() && encoding.is_one_hot());
        self.encoding = encoding;
    }

    /// Whether training moves the visible bias a (binary z only; Eq. 20 removes it for one-hot).
    pub fn trains_visible_bias(&self) -> bool {
        self.encoding == Encoding::Binary
    }

    /// z→x weights w (D×L, row-major).
    pub fn w(&self) -> &[f64] {
        &self.w
    }

    /// x→z weights w̄ (L×D, row-major).
    pub fn wbar(&self) -> &[f64] {
        &self.wbar
    }

    /// Visible bias a.
    pub fn a(&self) -> &[f64] {
        &self.a
    }

    /// Hidden bias ā.
    pub fn abar(&self) -> &[f64] {
        &self.abar
    }

    /// Centering vector c (Eq. 17).
    pub fn center(&self) -> &[f64] {
        &self.center
    }

    /// Mutable (parameter, gradient) pairs in the order w, a, w̄, ā, for an optimiser.
    pub fn params_and_grads<'a>(
        &'a mut self,
        grad: &'a mut Gradient,
    ) -> [(&'a mut [f64], &'a mut [f64]); 4] {
        [
            (&mut self.w, &mut grad.w),
            (&mut self.a, &mut grad.a),
            (&mut self.wbar, &mut grad.wbar),
            (&mut self.abar, &mut grad.abar),
        ]
    }

    /// Set every parameter from flat slices (w, a, w̄, ā, c).
    ///
    /// # Errors
    /// [`LatentError::Shape`] on a length mismatch, [`LatentError::NotFinite`] on NaN/∞.
    pub fn set_parameters(
        &mut self,
        w: &[f64],
        a: &[f64],
        wbar: &[f64],
        abar: &[f64],
        center: &[f64],
    ) -> Result<(), LatentError> {
        let (d, l) = (self.d, self.l);
        if w.len() != d * l
            || a.len() != d
            || wbar.len() != l * d
            || abar.len() != l
            || center.len() != d
        {
            return Err(LatentError::Shape("parameter lengths do not match D and L"));
        }
        if [w, a, wbar, abar, center]
            .iter()
            .any(|s| s.iter().any(|v| !v.is_finite()))
        {
            return Err(LatentError::NotFinite("a model parameter"));
        }
        self.w.copy_from_slice(w);
        self.a.copy_from_slice(a);
        self.wbar.copy_from_slice(wbar);
        self.abar.copy_from_slice(abar);
        self.center.copy_from_slice(center);
        Ok(())
    }

    /// Whether every parameter is finite.
    pub fn is_finite(&self) -> bool {
        [&self.w, &self.a, &self.wbar, &self.abar]
            .iter()
            .all(|s| s.iter().all(|v| v.is_finite()))
    }

    /// The z→x conditionals of every latent state (Eq. 10, 14), for the current parameters.
    pub fn conditionals(&self) -> Conditionals {
        let (d, k_states) = (self.d, self.states());
        let mut h = vec![0.0; k_states * d];
        for k in 0..k_states {
            let hk = &mut h[k * d..(k + 1) * d];
            hk.copy_from_slice(&self.a);
            for beta in (0..self.l).filter(|&b| self.state_bit(k, b)) {
                for (i, h) in hk.iter_mut().enumerate() {
                    *h += self.w[i * self.l + beta];
                }
            }
        }
        let p = h.iter().map(|&h| sigmoid(h)).collect();
        let s = h
            .chunks(d)
            .map(|hk| hk.iter().map(|&v| softplus(v)).sum())
            .collect();
        Conditionals { d, h, p, s }
    }

    /// The x→z exponents u = w̄ (x − c) + ā (Eq. 9 with the centering of Eq. 17).
    pub fn hidden_logits(&self, x: &[f64], u: &mut [f64]) {
        for (beta, u) in u.iter_mut().enumerate() {
            let row = &self.wbar[beta * self.d..(beta + 1) * self.d];
            *u = self.abar[beta]
                + row
                    .iter()
                    .zip(x.iter().zip(&self.center))
                    .map(|(w, (x, c))| w * (x - c))
                    .sum::<f64>();
        }
    }

    /// μ_{z_β|x} (Eq. 15) from the exponents u: p_one(β|x) of Eq. 19 or the softmax for one-hot
    /// z, σ(u_β) for binary z.
    pub fn hidden_means(&self, u: &[f64], mu: &mut [f64]) {
        match self.encoding {
            Encoding::OneHot | Encoding::OneHotSoftmax => {
                self.log_hidden_state_probs(u, mu);
                mu.iter_mut().for_each(|m| *m = libm::exp(*m));
            }
            Encoding::Binary => {
                for (m, &u) in mu.iter_mut().zip(u) {
                    *m = sigmoid(u);
                }
            }
        }
    }

    /// ln Ā_{xk} for every latent state k, from the exponents u of [`Self::hidden_logits`]
    /// (exact in log space: a transition far less likely than 1e-308 keeps its logarithm).
    /// Eq. 19 in log space: ln σ(u_k) − ln Σ_β σ(u_β), with ln σ(u) = −softplus(−u).
    pub fn log_hidden_state_probs(&self, u: &[f64], out: &mut [f64]) {
        match self.encoding {
            Encoding::OneHot => {
                for (o, &u) in out.iter_mut().zip(u) {
                    *o = -softplus(-u);
                }
                let lse = log_sum_exp(out);
                out.iter_mut().for_each(|o| *o -= lse);
            }
            Encoding::OneHotSoftmax => {
                let lse = log_sum_exp(u);
                for (o, &u) in out.iter_mut().zip(u) {
                    *o = u - lse;
                }
            }
            Encoding::Binary => {
                for (k, o) in out.iter_mut().enumerate() {
                    *o = -u
                        .iter()
                        .enumerate()
                        .map(|(b, &u)| softplus(if (k >> b) & 1 == 1 { -u } else { u }))
                        .sum::<f64>();
                }
            }
        }
    }

    /// The score ∂ ln Ā_{xk} / ∂u_β of latent state k for every β, from the exponents u and
    /// the means μ of [`Self::hidden_means`]; by the chain rule through u = w̄ (x − c) + ā it
    /// gives the x→z gradients of Eq. 16c-d and 17.
    /// - binary (Eq. 11) and softmax: z_{kβ} − μ_β (Eq. 13c-d);
    /// - Eq. 19: δ_{kβ} (1 − σ(u_k)) − μ_β (1 − σ(u_β)), since ∂ ln Σ_γ σ(u_γ)/∂u_β =
    ///   σ(u_β)(1 − σ(u_β)) / Σ_γ σ(u_γ) = μ_β (1 − σ(u_β)).
    pub fn hidden_score(&self, k: usize, u: &[f64], mu: &[f64], out: &mut [f64]) {
        for (beta, ((o, &u), &m)) in out.iter_mut().zip(u).zip(mu).enumerate() {
            let z = if self.state_bit(k, beta) { 1.0 } else { 0.0 };
            *o = match self.encoding {
                Encoding::OneHot => {
                    let off = sigmoid(-u); // 1 − σ(u), without cancellation
                    z * off - m * off
                }
                Encoding::OneHotSoftmax | Encoding::Binary => z - m,
            };
        }
    }

    /// Draw a latent state from the means μ of [`Self::hidden_means`].
    pub fn sample_hidden<R: Rng + ?Sized>(&self, mu: &[f64], rng: &mut R) -> usize {
        match self.encoding {
            Encoding::OneHot | Encoding::OneHotSoftmax => {
                let target = uniform_f64(rng);
                let mut acc = 0.0;
                for (k, &m) in mu.iter().enumerate() {
                    acc += m;
                    if target < acc {
                        return k;
                    }
                }
                // Rounding left the cumulative sum just below 1: take the last state with mass.
                mu.iter().rposition(|&m| m > 0.0).unwrap_or(0)
            }
            Encoding::Binary => mu
                .iter()
                .enumerate()
                .filter(|&(_, &m)| uniform_f64(rng) < m)
                .fold(0, |k, (b, _)| k | (1 << b)),
        }
    }
}

/// The z→x conditionals of every latent state for fixed parameters: logits h_k = w z_k + a,
/// means p_k = σ(h_k) (Eq. 14) and Σᵢ softplus(h_{k,i}), so that
/// ln A_{kx} = x·h_k − Σᵢ softplus(h_{k,i}) (Eq. 10 in log space).
#[derive(Clone, Debug)]
pub struct Conditionals {
    d: usize,
    h: Vec<f64>,
    p: Vec<f64>,
    s: Vec<f64>,
}

impl Conditionals {
    /// ln A_{kx} (Eq. 10).
    pub fn log_prob(&self, k: usize, x: &[f64]) -> f64 {
        let hk = &self.h[k * self.d..(k + 1) * self.d];
        x.iter().zip(hk).map(|(x, h)| x * h).sum::<f64>() - self.s[k]
    }

    /// μ_{x|z_k} = σ(h_k) (Eq. 14).
    pub fn mean(&self, k: usize) -> &[f64] {
        &self.p[k * self.d..(k + 1) * self.d]
    }

    /// Draw x ~ A_{k·} into `x` (0.0 / 1.0).
    pub fn sample<R: Rng + ?Sized>(&self, k: usize, rng: &mut R, x: &mut [f64]) {
        for (x, &p) in x.iter_mut().zip(self.mean(k)) {
            *x = if uniform_f64(rng) < p { 1.0 } else { 0.0 };
        }
    }
}

/// A gradient (or any other vector) with the model's parameter layout.
#[derive(Clone, Debug, PartialEq)]
pub struct Gradient {
    /// ∂/∂w (D×L).
    pub w: Vec<f64>,
    /// ∂/∂a (D).
    pub a: Vec<f64>,
    /// ∂/∂w̄ (L×D).
    pub wbar: Vec<f64>,
    /// ∂/∂ā (L).
    pub abar: Vec<f64>,
}

impl Gradient {
    /// Zeros shaped like `model`.
    pub fn zeros(model: &LatentCycle) -> Self {
        Self {
            w: vec![0.0; model.w.len()],
            a: vec![0.0; model.d],
            wbar: vec![0.0; model.wbar.len()],
            abar: vec![0.0; model.l],
        }
    }

    /// Set every entry to zero.
    pub fn clear(&mut self) {
        for s in [&mut self.w, &mut self.a, &mut self.wbar, &mut self.abar] {
            s.iter_mut().for_each(|v| *v = 0.0);
        }
    }

    /// Multiply every entry by `factor`.
    pub fn scale(&mut self, factor: f64) {
        for s in [&mut self.w, &mut self.a, &mut self.wbar, &mut self.abar] {
            s.iter_mut().for_each(|v| *v *= factor);
        }
    }

    /// Whether every entry is finite.
    pub fn is_finite(&self) -> bool {
        [&self.w, &self.a, &self.wbar, &self.abar]
            .iter()
            .all(|s| s.iter().all(|v| v.is_finite()))
    }

    /// The flat concatenation w, a, w̄, ā.
    pub fn flatten(&self) -> Vec<f64> {
        [&self.w, &self.a, &self.wbar, &self.abar]
            .iter()
            .flat_map(|s| s.iter().copied())
            .collect()
    }
}

/// Move a uniformly random subset of size `size` to the front of `order` (partial Fisher–Yates).
pub(crate) fn partial_shuffle<R: Rng + ?Sized>(order: &mut [usize], size: usize, rng: &mut R) {
    let n = order.len();
    for i in 0..size.min(n) {
        let j = i + crate::rng::uniform_index(rng, n - i);
        order.swap(i, j);
    }
}
