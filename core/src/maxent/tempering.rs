use super::{Energy, MaxEntError, Walkers};
use crate::rng::threshold_53;
use crate::sampler::swap_probability;
use alloc::vec::Vec;
use rand_core::Rng;

/// Replica exchange for [`Walkers`]: rung k holds a copy of the walkers sampling
/// P_k ∝ e^{−β_k H} on a ladder 1 = β₀ > β₁ > … (rung 0 is the target), each with its own moves
/// and width. After every rung's sweep, walker i of rung k and walker i of rung k + 1 swap
/// positions with probability min(1, exp((β_k − β_{k+1})(H_k − H_{k+1}))) — even pairs
/// (0–1, 2–3, …) on even rounds, odd pairs on odd rounds — so a walker heated over a barrier
/// carries what it found down to the target. Each pair (k, i) is an independent two-replica
/// exchange, so detailed balance holds walker by walker.
///
/// # Examples
/// ```
/// use entropic::maxent::{MaxEnt, Moments, TemperedWalkers, Walkers};
/// // The double well H = 8(x² − 1)²: a barrier of 8 between x = ±1.
/// let mut model = MaxEnt::new(Moments::new(1, 4)?, vec![0.0, -16.0, 0.0, 8.0])?;
/// let walkers = Walkers::new(1, vec![1.0; 400], 0.3, None)?; // all in the right well
/// let mut pt = TemperedWalkers::new(walkers, vec![1.0, 0.5, 0.25, 0.12, 0.06])?;
/// let mut rng = entropic::rng::from_seed(2);
/// for _ in 0..400 {
///     pt.sweep(&mut model, &mut rng);
/// }
/// let left = pt.target().positions().iter().filter(|x| **x < 0.0).count();
/// assert!((120..280).contains(&left), "{left} of 400 in the left well");
/// # Ok::<(), entropic::maxent::MaxEntError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct TemperedWalkers {
    rungs: Vec<Walkers>,
    betas: Vec<f64>,
    round: u64,
    /// (accepted, proposed) swaps per neighbouring pair.
    swaps: Vec<(u64, u64)>,
}

/// The energy β H (and its gradient β ∇H) of one rung.
struct Tempered<'a, E: ?Sized> {
    inner: &'a mut E,
    beta: f64,
}

impl<E: Energy + ?Sized> Energy for Tempered<'_, E> {
    fn energies(&mut self, x: &[f64], batch: usize, out: &mut Vec<f64>) -> Result<(), MaxEntError> {
        self.inner.energies(x, batch, out)?;
        out.iter_mut().for_each(|h| *h *= self.beta);
        Ok(())
    }

    fn gradients(
        &mut self,
        x: &[f64],
        batch: usize,
        out: &mut Vec<f64>,
    ) -> Result<bool, MaxEntError> {
        let has = self.inner.gradients(x, batch, out)?;
        out.iter_mut().for_each(|g| *g *= self.beta);
        Ok(has)
    }

    fn energies_and_gradients(
        &mut self,
        x: &[f64],
        batch: usize,
        (h, grad): (&mut Vec<f64>, &mut Vec<f64>),
    ) -> Result<bool, MaxEntError> {
        let has = self.inner.energies_and_gradients(x, batch, (h, grad))?;
        h.iter_mut().for_each(|v| *v *= self.beta);
        grad.iter_mut().for_each(|g| *g *= self.beta);
        Ok(has)
    }
}

impl TemperedWalkers {
    /// One rung per inverse temperature in `betas` (strictly decreasing, starting at 1, all
    /// positive and finite; at least two), each a copy of `walkers`.
    ///
    /// # Errors
    /// [`MaxEntError::Parameter`] for a ladder that breaks these rules.
    pub fn new(walkers: Walkers, betas: Vec<f64>) -> Result<Self, MaxEntError> {
        let ordered = betas.windows(2).all(|w| w[1] < w[0]);
        if betas.len() < 2
            || betas[0] != 1.0
            || !ordered
            || betas.iter().any(|b| !(b.is_finite() && *b > 0.0))
        {
            return Err(MaxEntError::Parameter(
                "a tempering ladder needs ≥ 2 inverse temperatures, strictly decreasing from 1, all > 0",
            ));
        }
        Ok(Self {
            rungs: alloc::vec![walkers; betas.len()],
            swaps: alloc::vec![(0, 0); betas.len() - 1],
            betas,
            round: 0,
        })
    }

    /// The walkers of rung 0: samples of the target e^{−H}.
    pub fn target(&self) -> &Walkers {
        &self.rungs[0]
    }

    /// Every rung's walkers, rung 0 first.
    pub fn rungs(&self) -> &[Walkers] {
        &self.rungs
    }

    /// The ladder β₀ = 1 > β₁ > ….
    pub fn betas(&self) -> &[f64] {
        &self.betas
    }

    /// Fraction of accepted swaps per neighbouring pair (k, k + 1) so far (NaN before any).
    pub fn swap_acceptance(&self) -> Vec<f64> {
        self.swaps
            .iter()
            .map(|&(a, p)| a as f64 / p as f64)
            .collect()
    }

    /// Adapt every rung's width toward `target` acceptance from `acceptance` (one entry per
    /// rung, as [`TemperedWalkers::sweep`] returns). For warm-up only.
    pub fn adapt(&mut self, acceptance: &[f64], target: f64) {
        for (rung, a) in self.rungs.iter_mut().zip(acceptance) {
            rung.adapt(*a, target);
        }
    }

    /// One sweep of every rung under β_k H, then one round of swaps; returns each rung's
    /// acceptance.
    ///
    /// # Errors
    /// The energy's (the round is then not counted and no swap is made).
    pub fn sweep<E: Energy + ?Sized, R: Rng + ?Sized>(
        &mut self,
        target: &mut E,
        rng: &mut R,
    ) -> Result<Vec<f64>, MaxEntError> {
        let acceptance = self
            .rungs
            .iter_mut()
            .zip(&self.betas)
            .map(|(rung, &beta)| {
                rung.sweep(
                    &mut Tempered {
                        inner: &mut *target,
                        beta,
                    },
                    rng,
                )
            })
            .collect::<Result<_, _>>()?;
        let (n, d) = (self.rungs[0].len(), self.rungs[0].dim());
        let energies: Vec<Vec<f64>> = self
            .rungs
            .iter()
            .map(|rung| {
                let mut h = Vec::new();
                target.energies(rung.positions(), n, &mut h)?;
                Ok(h)
            })
            .collect::<Result<_, MaxEntError>>()?;
        let first = (self.round % 2) as usize;
        for k in (first..self.betas.len() - 1).step_by(2) {
            let (low, high) = self.rungs.split_at_mut(k + 1);
            let (a, b) = (&mut low[k], &mut high[0]);
            for (i, (e_a, e_b)) in energies[k].iter().zip(&energies[k + 1]).enumerate() {
                let p = swap_probability(self.betas[k], self.betas[k + 1], *e_a, *e_b);
                let accept = p.is_finite() && (rng.next_u64() >> 11) < threshold_53(p);
                self.swaps[k].1 += 1;
                if accept {
                    self.swaps[k].0 += 1;
                    a.positions_mut()[i * d..(i + 1) * d]
                        .swap_with_slice(&mut b.positions_mut()[i * d..(i + 1) * d]);
                }
            }
        }
        self.round += 1;
        Ok(acceptance)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maxent::{MaxEnt, Moments, Moves, quadrature_1d};
    use crate::rng::from_seed;

    /// The double well H = 8(x² − 1)² with every walker starting in the right well. Alone,
    /// random-walk Metropolis keeps (almost) all of them there; with a five-rung ladder, the
    /// target rung's ⟨x⟩ and ⟨x²⟩ match quadrature within 4σ (walkers are independent chains,
    /// σ from the exact variance), for random-walk and for HMC rungs.
    #[test]
    fn tempering_crosses_a_barrier_single_walkers_cannot() {
        let mut model = MaxEnt::new(
            Moments::new(1, 4).unwrap(),
            alloc::vec![0.0, -16.0, 0.0, 8.0],
        )
        .unwrap();
        let exact = quadrature_1d(&mut model, -3.0, 3.0, 6001).unwrap();
        let h = exact.x[1] - exact.x[0];
        let moment = |p: i32| -> f64 {
            exact
                .x
                .iter()
                .zip(&exact.density)
                .map(|(x, q)| x.powi(p) * q * h)
                .sum()
        };
        let (m2, m4) = (moment(2), moment(4));
        let n = 2000;
        let mut rng = from_seed(8);
        let mut alone = Walkers::new(1, alloc::vec![1.0; n], 0.3, None).unwrap();
        for _ in 0..600 {
            alone.sweep(&mut model, &mut rng).unwrap();
        }
        let left = alone.positions().iter().filter(|x| **x < 0.0).count();
        assert!(left < n / 20, "{left} of {n} crossed without tempering");
        for moves in [Moves::Coordinate, Moves::Hamiltonian(5)] {
            let walkers = Walkers::new(1, alloc::vec![1.0; n], 0.3, None)
                .unwrap()
                .with_moves(moves)
                .unwrap();
            let ladder = alloc::vec![1.0, 0.5, 0.25, 0.12, 0.06];
            let mut pt = TemperedWalkers::new(walkers, ladder).unwrap();
            for k in 0..600 {
                let a = pt.sweep(&mut model, &mut rng).unwrap();
                if k < 100 {
                    pt.adapt(&a, 0.6);
                }
            }
            let x = pt.target().positions();
            let mean = x.iter().sum::<f64>() / n as f64;
            let second = x.iter().map(|v| v * v).sum::<f64>() / n as f64;
            let (se1, se2) = ((m2 / n as f64).sqrt(), ((m4 - m2 * m2) / n as f64).sqrt());
            assert!(mean.abs() < 4.0 * se1, "{moves:?}: ⟨x⟩ {mean} ± {se1}");
            assert!(
                (second - m2).abs() < 4.0 * se2,
                "{moves:?}: ⟨x²⟩ {second} vs {m2}"
            );
            assert!(
                pt.swap_acceptance().iter().all(|a| *a > 0.1),
                "{:?}",
                pt.swap_acceptance()
            );
        }
    }

    #[test]
    fn bad_ladders_are_refused() {
        let w = Walkers::new(1, alloc::vec![0.0; 3], 0.1, None).unwrap();
        for ladder in [
            alloc::vec![1.0],
            alloc::vec![0.9, 0.5],
            alloc::vec![1.0, 1.0],
            alloc::vec![1.0, 0.5, 0.7],
            alloc::vec![1.0, 0.0],
            alloc::vec![1.0, f64::NAN],
        ] {
            assert!(
                TemperedWalkers::new(w.clone(), ladder.clone()).is_err(),
                "{ladder:?}"
            );
        }
    }
}
