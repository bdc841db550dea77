use super::{MaxEntError, Observables};
use crate::rng::{threshold_53, uniform_f64};
use alloc::vec;
use alloc::vec::Vec;
use rand_core::Rng;

/// The MaxEnt distribution P(x) ∝ exp(−Σᵢ λᵢ fᵢ(x; θ)) (paper Eq. 1 and 4).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MaxEnt<O> {
    observables: O,
    lambda: Vec<f64>,
}

impl<O: Observables> MaxEnt<O> {
    /// # Errors
    /// [`MaxEntError::Shape`] unless there is one λ per observable, [`MaxEntError::NotFinite`]
    /// for a non-finite λ.
    pub fn new(observables: O, lambda: Vec<f64>) -> Result<Self, MaxEntError> {
        if lambda.len() != observables.count() {
            return Err(MaxEntError::Shape("one Lagrange multiplier per observable"));
        }
        if lambda.iter().any(|l| !l.is_finite()) {
            return Err(MaxEntError::NotFinite("λ"));
        }
        Ok(Self {
            observables,
            lambda,
        })
    }

    /// Whether λ and the observables' parameters are finite and consistent.
    pub fn is_finite(&self) -> bool {
        self.lambda.iter().all(|l| l.is_finite()) && self.observables.check().is_ok()
    }

    /// The observables.
    pub fn observables(&self) -> &O {
        &self.observables
    }

    /// The observables, mutably (for the θ step).
    pub fn observables_mut(&mut self) -> &mut O {
        &mut self.observables
    }

    /// The Lagrange multipliers λ.
    pub fn lambda(&self) -> &[f64] {
        &self.lambda
    }

    /// λ, mutably (for the λ step).
    pub fn lambda_mut(&mut self) -> &mut [f64] {
        &mut self.lambda
    }

    /// H(x) = λ·f(x) for each of `batch` configurations (Eq. 19, the effective energy).
    pub fn energy(&mut self, x: &[f64], batch: usize, f: &mut Vec<f64>, out: &mut Vec<f64>) {
        self.observables.eval(x, batch, f);
        let m = self.lambda.len();
        out.clear();
        out.extend(f.chunks_exact(m).map(|row| {
            row.iter()
                .zip(&self.lambda)
                .map(|(a, b)| a * b)
                .sum::<f64>()
        }));
    }
}

/// Persistent random-walk Metropolis walkers for continuous configurations.
///
/// One [`Walkers::sweep`] updates every coordinate once for every walker: coordinate j of all
/// walkers is proposed at once (x_j + δ(2u − 1)), the energies of the proposals are computed in
/// one batch, and each walker accepts with its own uniform (min(1, e^{−ΔH})). With box bounds a
/// proposal outside the box is rejected (the target is then P restricted to the box).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Walkers {
    dim: usize,
    positions: Vec<f64>,
    width: f64,
    bounds: Option<(f64, f64)>,
}

impl Walkers {
    /// Walkers at `positions` (row-major, `dim` each) with proposal half-width `width`.
    ///
    /// # Errors
    /// [`MaxEntError::Shape`] for an empty set or a length not divisible by `dim`,
    /// [`MaxEntError::Parameter`] for a non-positive width or an empty box,
    /// [`MaxEntError::NotFinite`] for non-finite positions.
    pub fn new(
        dim: usize,
        positions: Vec<f64>,
        width: f64,
        bounds: Option<(f64, f64)>,
    ) -> Result<Self, MaxEntError> {
        if dim == 0 || positions.is_empty() || positions.len() % dim != 0 {
            return Err(MaxEntError::Shape(
                "walker positions must be a non-empty multiple of the dimension",
            ));
        }
        if !(width.is_finite() && width > 0.0) {
            return Err(MaxEntError::Parameter("proposal width must be positive"));
        }
        if let Some((lo, hi)) = bounds {
            if lo.is_nan() || hi.is_nan() || lo >= hi {
                return Err(MaxEntError::Parameter("box bounds need lo < hi"));
            }
        }
        if positions.iter().any(|x| !x.is_finite()) {
            return Err(MaxEntError::NotFinite("walker positions"));
        }
        Ok(Self {
            dim,
            positions,
            width,
            bounds,
        })
    }

    /// Dimension of one walker.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The box the walkers are confined to, if any.
    pub fn bounds(&self) -> Option<(f64, f64)> {
        self.bounds
    }

    /// Positions, row-major.
    pub fn positions(&self) -> &[f64] {
        &self.positions
    }

    /// Number of walkers.
    pub fn len(&self) -> usize {
        self.positions.len() / self.dim
    }

    /// Whether there are no walkers (never, after construction).
    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }

    /// Proposal half-width δ.
    pub fn width(&self) -> f64 {
        self.width
    }

    /// Adapt δ toward a target acceptance: δ ← δ·exp(a − target), clamped to [1e-6, 1e6]. For
    /// equilibration only: a width that moves while sampling breaks detailed balance.
    pub fn adapt(&mut self, acceptance: f64, target: f64) {
        self.width = (self.width * libm::exp(acceptance - target)).clamp(1e-6, 1e6);
    }

    /// One sweep under the model's energy λ·f; returns the acceptance rate.
    pub fn sweep<O: Observables, R: Rng + ?Sized>(
        &mut self,
        model: &mut MaxEnt<O>,
        rng: &mut R,
    ) -> f64 {
        let mut f = Vec::new();
        self.sweep_energy(
            |x: &[f64], n: usize, out: &mut Vec<f64>| model.energy(x, n, &mut f, out),
            rng,
        )
    }

    /// One sweep under any batched energy `energy(x, batch, out)` (for annealing paths and for
    /// biased generation H₀ + H′, paper Eq. 21–23); returns the acceptance rate.
    pub fn sweep_energy<R: Rng + ?Sized>(
        &mut self,
        mut energy: impl FnMut(&[f64], usize, &mut Vec<f64>),
        rng: &mut R,
    ) -> f64 {
        let (n, d) = (self.len(), self.dim);
        let (mut current, mut proposed) = (Vec::new(), Vec::new());
        energy(&self.positions, n, &mut current);
        let mut trial = self.positions.clone();
        let mut inside = vec![true; n];
        let mut accepted = 0usize;
        for j in 0..d {
            for w in 0..n {
                let x = self.positions[w * d + j] + self.width * (2.0 * uniform_f64(rng) - 1.0);
                trial[w * d + j] = x;
                inside[w] = self.bounds.is_none_or(|(lo, hi)| (lo..=hi).contains(&x));
            }
            energy(&trial, n, &mut proposed);
            for w in 0..n {
                let delta = proposed[w] - current[w];
                let p = if delta <= 0.0 { 1.0 } else { libm::exp(-delta) };
                let accept =
                    inside[w] && delta.is_finite() && (rng.next_u64() >> 11) < threshold_53(p);
                if accept {
                    self.positions[w * d + j] = trial[w * d + j];
                    current[w] = proposed[w];
                    accepted += 1;
                } else {
                    trial[w * d + j] = self.positions[w * d + j];
                }
            }
        }
        accepted as f64 / (n * d) as f64
    }
}
