use super::{Energy, MaxEntError, Observables};
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
    ///
    /// # Errors
    /// As [`Observables::eval`].
    pub fn energy(
        &mut self,
        x: &[f64],
        batch: usize,
        f: &mut Vec<f64>,
        out: &mut Vec<f64>,
    ) -> Result<(), MaxEntError> {
        self.observables.eval(x, batch, f)?;
        self.dot_lambda(f, out);
        Ok(())
    }

    /// λ·f for each row of `f` into `out`.
    fn dot_lambda(&self, f: &[f64], out: &mut Vec<f64>) {
        out.clear();
        out.extend(f.chunks_exact(self.lambda.len()).map(|row| {
            row.iter()
                .zip(&self.lambda)
                .map(|(a, b)| a * b)
                .sum::<f64>()
        }));
    }

    /// ∇ₓH = Σᵢ λᵢ ∇ₓfᵢ for each of `batch` configurations into `out` (batch × d), through
    /// the observables' input gradients ([`Observables::input_grad`]).
    ///
    /// # Errors
    /// As [`Observables::input_grad`].
    pub fn energy_gradient(
        &mut self,
        x: &[f64],
        batch: usize,
        out: &mut Vec<f64>,
    ) -> Result<(), MaxEntError> {
        let w = self.lambda_rows(batch);
        self.observables.input_grad(x, batch, &w, out)
    }

    /// λ repeated for `batch` rows: the weights of the energy's input gradient.
    fn lambda_rows(&self, batch: usize) -> Vec<f64> {
        (0..batch)
            .flat_map(|_| self.lambda.iter().copied())
            .collect()
    }

    /// [`MaxEnt::energy`] into `h` and [`MaxEnt::energy_gradient`] into `grad`, bit for bit,
    /// from one pass of the observables ([`Observables::eval_and_input_grad`]).
    ///
    /// # Errors
    /// As [`Observables::input_grad`].
    pub fn energy_and_gradient(
        &mut self,
        x: &[f64],
        batch: usize,
        (h, grad): (&mut Vec<f64>, &mut Vec<f64>),
    ) -> Result<(), MaxEntError> {
        let w = self.lambda_rows(batch);
        let mut f = Vec::new();
        self.observables
            .eval_and_input_grad(x, batch, &w, (&mut f, grad))?;
        self.dot_lambda(&f, h);
        Ok(())
    }
}

/// What one Metropolis move of the [`Walkers`] changes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Moves {
    /// One coordinate: x_j + δ(2u − 1).
    #[default]
    Coordinate,
    /// A block of `b` consecutive coordinates at once, each shifted by its own δ(2u − 1) (the
    /// last block may be shorter).
    Block(usize),
    /// Binary configurations x ∈ {0, 1}^d: flip one coordinate, x_j ↦ 1 − x_j (symmetric, so
    /// the acceptance is min(1, e^{−ΔH}) as for the random walk).
    Flip,
    /// Hamiltonian Monte Carlo ([`super::Hmc`]): one trajectory of this many leapfrog steps per
    /// walker and sweep, the walkers' width as the step ε, under the model's energy with its
    /// input gradient (thermodynamic integration runs trajectories on its annealed energy).
    /// Energies without a gradient ([`Energy::gradients`] false, or [`Walkers::sweep_energy`])
    /// use single-coordinate random-walk moves instead. One leapfrog step is MALA.
    Hamiltonian(usize),
}

/// Persistent Metropolis walkers.
///
/// One [`Walkers::sweep`] proposes a move of every coordinate (or block) once for every walker:
/// the move of coordinate (block) j is proposed for all walkers at once, the energies of the
/// proposals are computed in one batch, and each walker accepts with its own uniform
/// (min(1, e^{−ΔH})). With box bounds a proposal outside the box is rejected (the target is then
/// P restricted to the box).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Walkers {
    dim: usize,
    positions: Vec<f64>,
    width: f64,
    bounds: Option<(f64, f64)>,
    #[cfg_attr(feature = "serde", serde(default))]
    moves: Moves,
    /// Per-coordinate scales sᵢ of the moves ([`Walkers::precondition`]); none: all 1.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    scales: Option<Vec<f64>>,
    /// Lower Cholesky factor L (d × d, row-major) of the walkers' normalised covariance
    /// ([`Walkers::precondition_dense`]): HMC's inverse mass matrix is L Lᵀ.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    factor: Option<Vec<f64>>,
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
            moves: Moves::Coordinate,
            scales: None,
            factor: None,
        })
    }

    /// The same walkers with another kind of move.
    ///
    /// # Errors
    /// [`MaxEntError::Parameter`] for an empty block, or for [`Moves::Flip`] unless every
    /// position is 0 or 1.
    pub fn with_moves(mut self, moves: Moves) -> Result<Self, MaxEntError> {
        match moves {
            Moves::Block(0) => return Err(MaxEntError::Parameter("a block needs a coordinate")),
            Moves::Hamiltonian(0) => {
                return Err(MaxEntError::Parameter(
                    "Hamiltonian moves need at least one leapfrog step",
                ));
            }
            Moves::Flip if self.positions.iter().any(|&x| x != 0.0 && x != 1.0) => {
                return Err(MaxEntError::Parameter(
                    "flip moves need binary positions (0 or 1)",
                ));
            }
            _ => {}
        }
        self.moves = moves;
        Ok(self)
    }

    /// The kind of move.
    pub fn moves(&self) -> Moves {
        self.moves
    }

    /// A copy of the first `n` walkers (at least one, at most all) with the same width, box and
    /// moves — a smaller population for side computations such as an entropy estimate.
    pub fn first(&self, n: usize) -> Self {
        let keep = n.clamp(1, self.len()) * self.dim;
        Self {
            dim: self.dim,
            positions: self.positions[..keep].to_vec(),
            width: self.width,
            bounds: self.bounds,
            moves: self.moves,
            scales: self.scales.clone(),
            factor: self.factor.clone(),
        }
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

    /// The HMC engine of [`Moves::Hamiltonian`] walkers: step = the width (positive by
    /// construction), L leapfrog steps (≥ 1 by [`Walkers::with_moves`]).
    pub(crate) fn hmc(&self) -> Option<super::Hmc> {
        match self.moves {
            Moves::Hamiltonian(leapfrog) => Some(super::Hmc::unchecked(self.width, leapfrog)),
            _ => None,
        }
    }

    /// Positions, for samplers that move the walkers themselves ([`super::Hmc`]).
    pub(crate) fn positions_mut(&mut self) -> &mut [f64] {
        &mut self.positions
    }

    /// Number of walkers.
    pub fn len(&self) -> usize {
        self.positions.len() / self.dim
    }

    /// Whether there are no walkers (never, after construction).
    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }

    /// Per-coordinate scales of the moves, if preconditioned.
    pub fn scales(&self) -> Option<&[f64]> {
        self.scales.as_deref()
    }

    /// Precondition the moves with the walkers' own spread: sᵢ = the standard deviation of
    /// coordinate i over the walkers, divided by the root-mean-square of all of them (so the
    /// width keeps its meaning on average), floored at 10⁻³ of the largest. A random-walk
    /// proposal of coordinate i then has half-width δ·sᵢ, and HMC uses the mass matrix
    /// diag(1/sᵢ²). Like [`Walkers::adapt`], for warm-up (or between the epochs of training,
    /// where the target moves anyway): scales that change while sampling break detailed
    /// balance. Walkers that do not spread (one walker, or all equal) keep unit scales.
    pub fn precondition(&mut self) {
        self.factor = None;
        self.scales = self.covariance().map(|(cov, _)| self.diagonal_scales(&cov));
    }

    /// Precondition with the walkers' whole covariance Σ: HMC's inverse mass matrix becomes
    /// L Lᵀ = Σ / (tr Σ / d) + 10⁻⁶ I (L its Cholesky factor), so a target that is Gaussian
    /// with covariance Σ looks isotropic to the leapfrog whatever its correlations; random-walk
    /// moves use the diagonal scales of [`Walkers::precondition`]. A box is handled exactly:
    /// the drift is a billiard in the whitened coordinates, reflecting the momentum at each wall
    /// it meets (about the wall's normal there, Lᵀeᵢ). For warm-up only, like
    /// [`Walkers::precondition`]; walkers that do not spread keep no preconditioning.
    pub fn precondition_dense(&mut self) {
        let d = self.dim;
        let Some((cov, mean_var)) = self.covariance() else {
            (self.scales, self.factor) = (None, None);
            return;
        };
        self.scales = Some(self.diagonal_scales(&cov));
        let mut m = nalgebra::DMatrix::from_row_slice(d, d, &cov) / mean_var;
        for i in 0..d {
            m[(i, i)] += 1e-6;
        }
        self.factor = nalgebra::Cholesky::new(m).map(|c| {
            let l = c.l();
            (0..d * d).map(|k| l[(k / d, k % d)]).collect()
        });
    }

    /// sᵢ = √Σᵢᵢ floored at 10⁻³ of the largest, divided by their root-mean-square.
    fn diagonal_scales(&self, cov: &[f64]) -> Vec<f64> {
        let d = self.dim;
        let mut sd: Vec<f64> = (0..d).map(|i| libm::sqrt(cov[i * d + i])).collect();
        let top = sd.iter().copied().fold(0.0, f64::max);
        sd.iter_mut().for_each(|v| *v = v.max(1e-3 * top));
        let rms = libm::sqrt(sd.iter().map(|v| v * v).sum::<f64>() / d as f64);
        sd.iter_mut().for_each(|v| *v /= rms);
        sd
    }

    /// Whether the preconditioner (read from a file, say) fits these walkers: d positive
    /// finite scales, and a d × d lower-triangular factor with a positive diagonal.
    #[cfg(feature = "serde")]
    pub(crate) fn preconditioner_is_valid(&self) -> bool {
        let d = self.dim;
        let scales = self
            .scales
            .as_ref()
            .is_none_or(|s| s.len() == d && s.iter().all(|v| v.is_finite() && *v > 0.0));
        let factor = self.factor.as_ref().is_none_or(|l| {
            l.len() == d * d
                && l.iter().all(|v| v.is_finite())
                && (0..d).all(|i| l[i * d + i] > 0.0 && (i + 1..d).all(|j| l[i * d + j] == 0.0))
        });
        scales && factor
    }

    /// The walkers' covariance (d × d, row-major, over the walkers) and its mean variance
    /// tr Σ / d, if they spread at all.
    pub(crate) fn covariance(&self) -> Option<(Vec<f64>, f64)> {
        let (n, d) = (self.len() as f64, self.dim);
        let mut mean = vec![0.0; d];
        for row in self.positions.chunks_exact(d) {
            mean.iter_mut().zip(row).for_each(|(m, x)| *m += x / n);
        }
        let mut cov = vec![0.0; d * d];
        for row in self.positions.chunks_exact(d) {
            for i in 0..d {
                let a = row[i] - mean[i];
                for j in 0..d {
                    cov[i * d + j] += a * (row[j] - mean[j]) / n;
                }
            }
        }
        let mean_var = (0..d).map(|i| cov[i * d + i]).sum::<f64>() / d as f64;
        (mean_var > 0.0 && mean_var.is_finite()).then_some((cov, mean_var))
    }

    /// The dense preconditioner's Cholesky factor (d × d, row-major), if any.
    pub fn factor(&self) -> Option<&[f64]> {
        self.factor.as_deref()
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

    /// One sweep under `target` (the model's energy λ·f, or any [`Energy`]); returns the
    /// acceptance rate. [`Moves::Hamiltonian`] walkers run one HMC trajectory each, unless the
    /// energy has no gradient (then single-coordinate random-walk moves of width ε).
    ///
    /// # Errors
    /// The energy's; the walkers may then be part-way through the sweep (each at a state of
    /// the chain), and the run should stop.
    pub fn sweep<E: Energy + ?Sized, R: Rng + ?Sized>(
        &mut self,
        target: &mut E,
        rng: &mut R,
    ) -> Result<f64, MaxEntError> {
        if let Some(hmc) = self.hmc() {
            if let Some(acceptance) = hmc.sweep(self, target, rng)? {
                return Ok(acceptance);
            }
        }
        self.sweep_energy(
            |x: &[f64], n: usize, out: &mut Vec<f64>| target.energies(x, n, out),
            rng,
        )
    }

    /// One sweep under any batched energy `energy(x, batch, out)` (for annealing paths and for
    /// biased generation H₀ + H′, paper Eq. 21–23); returns the acceptance rate.
    ///
    /// # Errors
    /// The energy's, as [`sweep`](Self::sweep).
    pub fn sweep_energy<R: Rng + ?Sized>(
        &mut self,
        mut energy: impl FnMut(&[f64], usize, &mut Vec<f64>) -> Result<(), MaxEntError>,
        rng: &mut R,
    ) -> Result<f64, MaxEntError> {
        let (n, d) = (self.len(), self.dim);
        let block = match self.moves {
            Moves::Block(b) => b.min(d),
            Moves::Coordinate | Moves::Flip | Moves::Hamiltonian(_) => 1,
        };
        let (mut current, mut proposed) = (Vec::new(), Vec::new());
        energy(&self.positions, n, &mut current)?;
        let mut trial = self.positions.clone();
        let mut inside = vec![true; n];
        let mut accepted = 0usize;
        let mut proposals = 0usize;
        for start in (0..d).step_by(block) {
            let coords = start..(start + block).min(d);
            for w in 0..n {
                inside[w] = true;
                for j in coords.clone() {
                    let old = self.positions[w * d + j];
                    let x = match self.moves {
                        Moves::Flip => 1.0 - old,
                        Moves::Coordinate | Moves::Block(_) | Moves::Hamiltonian(_) => {
                            let s = self.scales.as_ref().map_or(1.0, |s| s[j]);
                            old + self.width * s * (2.0 * uniform_f64(rng) - 1.0)
                        }
                    };
                    trial[w * d + j] = x;
                    inside[w] &= self.bounds.is_none_or(|(lo, hi)| (lo..=hi).contains(&x));
                }
            }
            energy(&trial, n, &mut proposed)?;
            for w in 0..n {
                let delta = proposed[w] - current[w];
                let p = if delta <= 0.0 { 1.0 } else { libm::exp(-delta) };
                let accept =
                    inside[w] && delta.is_finite() && (rng.next_u64() >> 11) < threshold_53(p);
                for j in coords.clone() {
                    if accept {
                        self.positions[w * d + j] = trial[w * d + j];
                    } else {
                        trial[w * d + j] = self.positions[w * d + j];
                    }
                }
                if accept {
                    current[w] = proposed[w];
                    accepted += 1;
                }
            }
            proposals += n;
        }
        Ok(accepted as f64 / proposals as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maxent::RotatedVariances;
    use crate::nn::{ActivationKind, Network};
    use crate::rng::from_seed;

    /// Flip moves on a 4-bit MaxEnt model with random MLP observables: the walkers' histogram
    /// over the 16 states matches the exact Boltzmann weights (enumeration) by a χ² test.
    #[test]
    fn flip_moves_sample_the_exact_binary_distribution() {
        let mut rng = from_seed(31);
        let net = Network::<f64>::mlp(&[4, 6, 3], ActivationKind::Tanh, &mut rng).unwrap();
        let mut model = MaxEnt::new(net, vec![1.5, -2.0, 1.0]).unwrap();
        let states: Vec<f64> = (0..16u32)
            .flat_map(|s| (0..4).map(move |b| f64::from((s >> b) & 1)))
            .collect();
        let (mut f, mut h) = (Vec::new(), Vec::new());
        model.energy(&states, 16, &mut f, &mut h).unwrap();
        let weights: Vec<f64> = h.iter().map(|e| libm::exp(-e)).collect();
        let z: f64 = weights.iter().sum();
        let walkers_n = 400;
        let start: Vec<f64> = (0..walkers_n * 4)
            .map(|_| f64::from(u8::from(crate::rng::uniform_f64(&mut rng) < 0.5)))
            .collect();
        let mut walkers = Walkers::new(4, start, 1.0, None)
            .unwrap()
            .with_moves(Moves::Flip)
            .unwrap();
        for _ in 0..50 {
            walkers.sweep(&mut model, &mut rng).unwrap();
        }
        // Samples 10 sweeps apart are close to independent for 4 bits.
        let mut counts = [0usize; 16];
        let rounds = 50;
        for _ in 0..rounds {
            for _ in 0..10 {
                walkers.sweep(&mut model, &mut rng).unwrap();
            }
            for x in walkers.positions().chunks_exact(4) {
                let s: usize = (0..4).map(|b| (x[b] as usize) << b).sum();
                counts[s] += 1;
            }
        }
        let total = (rounds * walkers_n) as f64;
        let chi2: f64 = (0..16)
            .map(|s| {
                let e = total * weights[s] / z;
                (counts[s] as f64 - e).powi(2) / e
            })
            .sum();
        // 15 degrees of freedom: mean 15, sd √30 ≈ 5.5; allow 5 sd (rounds are nearly
        // independent, so the statistic is close to χ²₁₅).
        assert!(chi2 < 15.0 + 5.0 * 5.5, "χ² = {chi2}, counts {counts:?}");
        assert!(walkers.positions().iter().all(|&x| x == 0.0 || x == 1.0));
        let bad = Walkers::new(2, vec![0.5, 1.0], 1.0, None).unwrap();
        assert!(bad.with_moves(Moves::Flip).is_err());
        let any = Walkers::new(2, vec![0.5, 1.0], 1.0, None).unwrap();
        assert!(any.with_moves(Moves::Block(0)).is_err());
    }

    /// Block moves of both coordinates on the 2D Gaussian MaxEnt model of Eq. 12 (λ from
    /// Eq. 13–14 at θ = 0.4): the walkers' second moments match the exact covariance.
    #[test]
    fn block_moves_sample_the_exact_gaussian() {
        let theta = 0.4;
        let (a, b) = (2.0, 0.5); // variances along the rotated axes
        let mut model = MaxEnt::new(
            RotatedVariances::new(2, &[theta]),
            vec![1.0 / (2.0 * a), 1.0 / (2.0 * b)],
        )
        .unwrap();
        // Σ = Rᵀ diag(a, b) R with R = [[c, s], [−s, c]].
        let (s, c) = libm::sincos(theta);
        let exact = [
            a * c * c + b * s * s,
            (a - b) * s * c,
            a * s * s + b * c * c,
        ];
        let mut rng = from_seed(32);
        let mut walkers = Walkers::new(2, vec![0.0; 2000], 1.2, None)
            .unwrap()
            .with_moves(Moves::Block(2))
            .unwrap();
        for _ in 0..200 {
            walkers.sweep(&mut model, &mut rng).unwrap();
        }
        let mut sums = [[0.0; 3]; 20];
        for round in &mut sums {
            for _ in 0..20 {
                walkers.sweep(&mut model, &mut rng).unwrap();
                for x in walkers.positions().chunks_exact(2) {
                    round[0] += x[0] * x[0];
                    round[1] += x[0] * x[1];
                    round[2] += x[1] * x[1];
                }
            }
            for v in round.iter_mut() {
                *v /= 20.0 * 1000.0;
            }
        }
        for k in 0..3 {
            let values: Vec<f64> = sums.iter().map(|r| r[k]).collect();
            let (m, sd) = crate::stats::mean_and_sd(&values);
            let err = sd / libm::sqrt(values.len() as f64);
            assert!(
                (m - exact[k]).abs() < 5.0 * err,
                "moment {k}: {m} ± {err} vs exact {}",
                exact[k]
            );
        }
    }
}
