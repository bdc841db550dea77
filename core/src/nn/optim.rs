//! Optimisers, gradient clipping, learning-rate schedules and weight averaging. Each works on the
//! (parameters, gradients) pairs of [`Network::params_and_grads`](super::Network::params_and_grads)
//! and keeps its state per pair, in that order.
use super::{NnError, Scalar};
use alloc::vec;
use alloc::vec::Vec;

/// A first-order optimiser.
///
/// # Examples
/// An optimiser of one's own: plain gradient descent θ ← θ − lr·g, without state. On
/// ½ Σᵢ (θᵢ − cᵢ)², whose gradient is θ − c, each step multiplies the distance to c by
/// (1 − lr), so after k steps from 0 it is (1 − lr)ᵏ |c|.
/// ```
/// use entropic::nn::optim::Optimizer;
///
/// struct Descent;
/// impl Optimizer<f64> for Descent {
///     fn step(&mut self, lr: f64, params: &mut [(&mut [f64], &mut [f64])]) {
///         for (p, g) in params.iter_mut() {
///             p.iter_mut().zip(g.iter()).for_each(|(p, g)| *p -= lr * g);
///         }
///     }
///     fn fits(&self, _sizes: &[usize]) -> bool {
///         true // no state, so any parameters fit
///     }
/// }
///
/// let c = [1.0, -2.0, 0.5];
/// let (mut theta, mut grad) = (vec![0.0; 3], vec![0.0; 3]);
/// for _ in 0..50 {
///     grad.iter_mut().zip(&theta).zip(&c).for_each(|((g, t), c)| *g = t - c);
///     Descent.step(0.2, &mut [(&mut theta[..], &mut grad[..])]);
/// }
/// let norm = |v: &mut dyn Iterator<Item = f64>| v.map(|x| x * x).sum::<f64>().sqrt();
/// let distance = norm(&mut theta.iter().zip(&c).map(|(t, c)| t - c));
/// let expected = 0.8f64.powi(50) * norm(&mut c.iter().copied());
/// assert!((distance - expected).abs() < 1e-12 * expected + 1e-15);
/// ```
pub trait Optimizer<T: Scalar> {
    /// Apply one update with learning rate `lr` to every pair.
    fn step(&mut self, lr: T, params: &mut [(&mut [T], &mut [T])]);

    /// Whether the state fits parameters of these lengths: fresh (no state yet) or one state
    /// vector per parameter of the same length. A checkpoint whose state does not fit is
    /// refused on load (`step` would otherwise reset the state silently).
    fn fits(&self, sizes: &[usize]) -> bool;
}

/// Fresh, or one vector per parameter with its length.
fn fits_state<T>(s: &[Vec<T>], sizes: &[usize]) -> bool {
    s.is_empty() || (s.len() == sizes.len() && s.iter().zip(sizes).all(|(v, &n)| v.len() == n))
}

fn state<T: Scalar>(s: &mut Vec<Vec<T>>, params: &[(&mut [T], &mut [T])]) {
    if s.len() != params.len() || s.iter().zip(params).any(|(v, (p, _))| v.len() != p.len()) {
        *s = params
            .iter()
            .map(|(p, _)| vec![T::zero(); p.len()])
            .collect();
    }
}

/// SGD with (heavy-ball) momentum: v ← μ v + g, θ ← θ − lr v.
#[derive(Clone, Debug, Default)]
pub struct Sgd<T> {
    momentum: T,
    velocity: Vec<Vec<T>>,
}

impl<T: Scalar> Sgd<T> {
    /// # Errors
    /// [`NnError::Parameter`] unless 0 ≤ momentum < 1.
    pub fn new(momentum: T) -> Result<Self, NnError> {
        if !(momentum >= T::zero() && momentum < T::one()) {
            return Err(NnError::Parameter("momentum must be in [0, 1)"));
        }
        Ok(Self {
            momentum,
            velocity: Vec::new(),
        })
    }
}

impl<T: Scalar> Optimizer<T> for Sgd<T> {
    fn fits(&self, sizes: &[usize]) -> bool {
        fits_state(&self.velocity, sizes)
    }

    fn step(&mut self, lr: T, params: &mut [(&mut [T], &mut [T])]) {
        state(&mut self.velocity, params);
        for ((p, g), v) in params.iter_mut().zip(&mut self.velocity) {
            for ((p, g), v) in p.iter_mut().zip(g.iter()).zip(v.iter_mut()) {
                *v = self.momentum * *v + *g;
                *p = *p - lr * *v;
            }
        }
    }
}

/// Adam (Kingma & Ba 2015; Min-MaxEnt Eq. 6 uses it for λ): m ← β₁m + (1−β₁)g,
/// v ← β₂v + (1−β₂)g², θ ← θ − lr m̂/(√v̂ + ε) with bias-corrected m̂, v̂.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Adam<T> {
    beta1: T,
    beta2: T,
    eps: T,
    t: i32,
    m: Vec<Vec<T>>,
    v: Vec<Vec<T>>,
}

impl<T: Scalar> Adam<T> {
    /// Adam with β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
    pub fn default_params() -> Self {
        Self {
            beta1: T::of(0.9),
            beta2: T::of(0.999),
            eps: T::of(1e-8),
            t: 0,
            m: Vec::new(),
            v: Vec::new(),
        }
    }

    /// # Errors
    /// [`NnError::Parameter`] unless 0 ≤ β₁, β₂ < 1 and ε > 0.
    pub fn new(beta1: T, beta2: T, eps: T) -> Result<Self, NnError> {
        let unit = |b: T| b >= T::zero() && b < T::one();
        if !(unit(beta1) && unit(beta2) && eps > T::zero()) {
            return Err(NnError::Parameter("Adam needs 0 ≤ β₁, β₂ < 1 and ε > 0"));
        }
        Ok(Self {
            beta1,
            beta2,
            eps,
            ..Self::default_params()
        })
    }

    /// Whether the settings are in range and the moment estimates finite (for states read from
    /// checkpoints; a state whose shapes do not match the parameters is reset on the next step).
    pub fn is_valid(&self) -> bool {
        let unit = |b: T| b >= T::zero() && b < T::one();
        unit(self.beta1)
            && unit(self.beta2)
            && self.eps > T::zero()
            && self.t >= 0
            && self
                .m
                .iter()
                .chain(&self.v)
                .flatten()
                .all(|x| x.is_finite())
    }
}

impl<T: Scalar> Optimizer<T> for Adam<T> {
    fn fits(&self, sizes: &[usize]) -> bool {
        fits_state(&self.m, sizes) && fits_state(&self.v, sizes) && self.m.len() == self.v.len()
    }

    fn step(&mut self, lr: T, params: &mut [(&mut [T], &mut [T])]) {
        state(&mut self.m, params);
        state(&mut self.v, params);
        self.t = self.t.saturating_add(1);
        let c1 = T::one() - self.beta1.powi(self.t);
        let c2 = T::one() - self.beta2.powi(self.t);
        for (((p, g), m), v) in params.iter_mut().zip(&mut self.m).zip(&mut self.v) {
            for (((p, &g), m), v) in p
                .iter_mut()
                .zip(g.iter())
                .zip(m.iter_mut())
                .zip(v.iter_mut())
            {
                *m = self.beta1 * *m + (T::one() - self.beta1) * g;
                *v = self.beta2 * *v + (T::one() - self.beta2) * g * g;
                *p = *p - lr * (*m / c1) / ((*v / c2).sqrt() + self.eps);
            }
        }
    }
}

/// RMSprop: s ← ρ s + (1−ρ) g², θ ← θ − lr g/(√s + ε) (the latent-cycle paper's optimiser).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RmsProp<T> {
    rho: T,
    eps: T,
    sq: Vec<Vec<T>>,
}

impl<T: Scalar> RmsProp<T> {
    /// # Errors
    /// [`NnError::Parameter`] unless 0 ≤ ρ < 1 and ε > 0.
    pub fn new(rho: T, eps: T) -> Result<Self, NnError> {
        if !(rho >= T::zero() && rho < T::one() && eps > T::zero()) {
            return Err(NnError::Parameter("RMSprop needs 0 ≤ ρ < 1 and ε > 0"));
        }
        Ok(Self {
            rho,
            eps,
            sq: Vec::new(),
        })
    }
}

impl<T: Scalar> Optimizer<T> for RmsProp<T> {
    fn fits(&self, sizes: &[usize]) -> bool {
        fits_state(&self.sq, sizes)
    }

    fn step(&mut self, lr: T, params: &mut [(&mut [T], &mut [T])]) {
        state(&mut self.sq, params);
        for ((p, g), s) in params.iter_mut().zip(&mut self.sq) {
            for ((p, &g), s) in p.iter_mut().zip(g.iter()).zip(s.iter_mut()) {
                *s = self.rho * *s + (T::one() - self.rho) * g * g;
                *p = *p - lr * g / (s.sqrt() + self.eps);
            }
        }
    }
}

/// Scale all gradients so their global L2 norm is at most `max_norm`; returns the norm before.
pub fn clip_grad_norm<T: Scalar>(params: &mut [(&mut [T], &mut [T])], max_norm: T) -> T {
    let norm = params
        .iter()
        .flat_map(|(_, g)| g.iter())
        .fold(T::zero(), |a, &g| a + g * g)
        .sqrt();
    if norm > max_norm && norm > T::zero() {
        let scale = max_norm / norm;
        params
            .iter_mut()
            .flat_map(|(_, g)| g.iter_mut())
            .for_each(|g| *g = *g * scale);
    }
    norm
}

/// Learning-rate schedules: the rate at step t (from 0) given the base rate.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Schedule {
    /// lr.
    Constant,
    /// lr · γ^⌊t / every⌋.
    Step {
        /// Steps between decays.
        every: usize,
        /// Factor per decay.
        gamma: f64,
    },
    /// Cosine decay from lr to lr·floor over `total` steps, then constant.
    Cosine {
        /// Steps of the decay.
        total: usize,
        /// Final fraction of the base rate.
        floor: f64,
    },
}

impl Schedule {
    /// The learning rate at step `t`.
    pub fn rate(&self, base: f64, t: usize) -> f64 {
        match *self {
            Schedule::Constant => base,
            Schedule::Step { every, gamma } => base * libm::pow(gamma, (t / every.max(1)) as f64),
            Schedule::Cosine { total, floor } => {
                let x = (t as f64 / total.max(1) as f64).min(1.0);
                base * (floor + (1.0 - floor) * 0.5 * (1.0 + libm::cos(core::f64::consts::PI * x)))
            }
        }
    }
}

/// Exponential moving average of weights, θ̄ ← d θ̄ + (1 − d) θ (the diffusion thesis trains with
/// it); starts from the first weights it sees.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Ema<T> {
    decay: T,
    shadow: Vec<Vec<T>>,
}

impl<T: Scalar> Ema<T> {
    /// # Errors
    /// [`NnError::Parameter`] unless 0 ≤ decay < 1.
    pub fn new(decay: T) -> Result<Self, NnError> {
        if !(decay >= T::zero() && decay < T::one()) {
            return Err(NnError::Parameter("EMA decay must be in [0, 1)"));
        }
        Ok(Self {
            decay,
            shadow: Vec::new(),
        })
    }

    /// Fold the current weights into the average.
    pub fn update(&mut self, params: &[(&mut [T], &mut [T])]) {
        if self.shadow.len() != params.len() {
            self.shadow = params.iter().map(|(p, _)| p.to_vec()).collect();
            return;
        }
        for (s, (p, _)) in self.shadow.iter_mut().zip(params) {
            for (s, &p) in s.iter_mut().zip(p.iter()) {
                *s = self.decay * *s + (T::one() - self.decay) * p;
            }
        }
    }

    /// The averaged weights, one vector per pair.
    pub fn averaged(&self) -> &[Vec<T>] {
        &self.shadow
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Minimise ½ Σ aᵢ θᵢ² with a condition number of 1000; returns the final |θ|∞.
    fn minimise(opt: &mut dyn Optimizer<f64>, lr: impl Fn(usize) -> f64, steps: usize) -> f64 {
        let a = [1.0, 1000.0];
        let mut theta = [1.0, 1.0];
        let mut grad = [0.0; 2];
        for t in 0..steps {
            for i in 0..2 {
                grad[i] = a[i] * theta[i];
            }
            let mut pairs = [(&mut theta[..], &mut grad[..])];
            opt.step(lr(t), &mut pairs);
        }
        theta.iter().fold(0.0f64, |m, x| m.max(x.abs()))
    }

    #[test]
    fn every_optimiser_reaches_the_minimum_of_an_ill_conditioned_quadratic() {
        // SGD: stable only for lr < 2/1000; momentum speeds up the slow direction.
        assert!(minimise(&mut Sgd::new(0.9).unwrap(), |_| 1e-3, 3000) < 1e-6);
        // Adam and RMSprop normalise per coordinate; a decaying rate removes their O(lr) jitter.
        let decay = |t: usize| {
            Schedule::Cosine {
                total: 3000,
                floor: 1e-4,
            }
            .rate(0.05, t)
        };
        assert!(minimise(&mut Adam::default_params(), decay, 3000) < 1e-3);
        assert!(minimise(&mut RmsProp::new(0.9, 1e-8).unwrap(), decay, 3000) < 1e-3);
    }

    #[test]
    fn ema_matches_closed_form() {
        // Weights w_t = t for t = 0..n: shadow = dⁿ·0 + (1 − d) Σ_{k=1}^{n} d^{n−k} k.
        let d = 0.9;
        let mut ema = Ema::new(d).unwrap();
        let mut w = [0.0];
        let mut g = [0.0];
        let n = 50;
        for t in 0..=n {
            w[0] = t as f64;
            ema.update(&[(&mut w[..], &mut g[..])]);
        }
        let closed: f64 = (1..=n)
            .map(|k| (1.0 - d) * libm::pow(d, (n - k) as f64) * k as f64)
            .sum();
        assert!((ema.averaged()[0][0] - closed).abs() < 1e-10);
    }

    #[test]
    fn clipping_and_schedules() {
        let (mut p, mut g) = ([0.0f64; 2], [3.0f64, 4.0]);
        let norm = clip_grad_norm(&mut [(&mut p[..], &mut g[..])], 1.0);
        assert_eq!(norm, 5.0);
        assert!((g[0] - 0.6).abs() < 1e-15 && (g[1] - 0.8).abs() < 1e-15);
        assert_eq!(
            Schedule::Step {
                every: 10,
                gamma: 0.5
            }
            .rate(1.0, 25),
            0.25
        );
        assert!(
            (Schedule::Cosine {
                total: 100,
                floor: 0.1
            }
            .rate(1.0, 100)
                - 0.1)
                .abs()
                < 1e-15
        );
        assert!(
            Sgd::new(1.0f64).is_err()
                && Adam::new(0.9f64, 1.0, 1e-8).is_err()
                && Ema::new(-0.1f64).is_err()
        );
    }
}
