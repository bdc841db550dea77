use super::wolff::ising_bond_threshold;
use crate::lattice::{Ising, IsingState, LatticeError, Temperature};
use crate::model::{Sampler, StepStats};
use alloc::vec::Vec;
use rand_core::Rng;

/// Swendsen–Wang multi-cluster updates of the Ising model (Swendsen & Wang 1987).
///
/// One step: every satisfied bond (neighbours aligned for J > 0, anti-aligned for J < 0) is
/// activated independently with p = 1 − e^{−2β|J|} (the Fortuin–Kasteleyn representation); the
/// active bonds split the lattice into clusters (union–find), and every cluster is flipped with
/// probability ½, independently. The update satisfies detailed balance for H = −J Σ sᵢsⱼ on any
/// torus (flipping a cluster keeps its bonds satisfied) and, unlike single-spin moves, keeps its
/// autocorrelation time small at T_c. Needs h = 0 and J ≠ 0.
///
/// Random numbers, in order: one `u64` per satisfied bond (sites in row-major order, the bond to
/// the right before the bond below), then one per cluster, in the order of its smallest site.
/// `StepStats`: `attempted` = N sites, `accepted` = spins flipped, `clusters` = clusters.
///
/// # Examples
/// ```
/// use entropic::prelude::*;
/// use entropic::lattice::{Ising, Square, Temperature};
/// use entropic::sampler::SwendsenWang;
/// let model = Ising::new(Square::with_side(32)?, 1.0, 0.0)?;
/// let mut sw = SwendsenWang::new(&model, Temperature::ising_critical(1.0)?)?;
/// let mut state = model.ordered_state();
/// let stats = run(&model, &mut sw, &mut state, 10, &mut entropic::rng::from_seed(1), &mut ());
/// assert_eq!(stats.attempted, 10 * 32 * 32);
/// assert!(stats.clusters >= 10);
/// # Ok::<(), entropic::lattice::LatticeError>(())
/// ```
#[derive(Clone, Debug)]
pub struct SwendsenWang {
    temperature: Temperature,
    /// Bond-activation threshold (53-bit, see [`threshold_53`]).
    add_threshold: u64,
    /// The sign of J: a bond is satisfied when sᵢsⱼ equals it.
    satisfied: i8,
    /// Union–find forest over the sites; a root is the smallest site of its cluster.
    parent: Vec<u32>,
    /// Flip decision of each root (meaningful at roots only).
    flip: Vec<bool>,
}

const ALGORITHM: &str = "the Swendsen–Wang cluster update";

impl SwendsenWang {
    /// The sampler for `model` at temperature `t`.
    ///
    /// # Errors
    /// [`LatticeError::Unsupported`] unless h = 0, J₂ = 0 and J ≠ 0, or for more than 2³² − 1
    /// sites.
    pub fn new(model: &Ising, t: Temperature) -> Result<Self, LatticeError> {
        let add_threshold = ising_bond_threshold(model, t, ALGORITHM)?;
        if u32::try_from(model.lattice().sites()).is_err() {
            return Err(LatticeError::Unsupported {
                algorithm: ALGORITHM,
                needs: "fewer than 2³² sites",
            });
        }
        Ok(Self {
            temperature: t,
            add_threshold,
            satisfied: if model.coupling() > 0.0 { 1 } else { -1 },
            parent: Vec::new(),
            flip: Vec::new(),
        })
    }

    /// The temperature the sampler targets.
    pub fn temperature(&self) -> Temperature {
        self.temperature
    }

    /// The root of site `i`, halving the path on the way.
    fn find(&mut self, mut i: u32) -> u32 {
        while self.parent[i as usize] != i {
            let grand = self.parent[self.parent[i as usize] as usize];
            self.parent[i as usize] = grand;
            i = grand;
        }
        i
    }

    /// Merge the clusters of `a` and `b`, keeping the smaller root.
    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra < rb {
            self.parent[rb as usize] = ra;
        } else if rb < ra {
            self.parent[ra as usize] = rb;
        }
    }
}

impl Sampler<Ising> for SwendsenWang {
    fn step<R: Rng + ?Sized>(
        &mut self,
        model: &Ising,
        state: &mut IsingState,
        rng: &mut R,
    ) -> StepStats {
        let (lx, ly) = (model.lattice().lx(), model.lattice().ly());
        let spins = state.spins_for(model);
        let n = lx * ly;
        self.parent.clear();
        self.parent.extend(0..n as u32);
        self.flip.clear();
        self.flip.resize(n, false);
        for y in 0..ly {
            for x in 0..lx {
                let i = y * lx + x;
                let right = y * lx + (x + 1) % lx;
                let below = ((y + 1) % ly) * lx + x;
                for j in [right, below] {
                    if spins[i] * spins[j] == self.satisfied
                        && (rng.next_u64() >> 11) < self.add_threshold
                    {
                        self.union(i as u32, j as u32);
                    }
                }
            }
        }
        let (mut flipped, mut clusters) = (0u64, 0u64);
        for (i, spin) in spins.iter_mut().enumerate() {
            let root = self.find(i as u32) as usize;
            if root == i {
                self.flip[i] = rng.next_u64() >> 63 == 1;
                clusters += 1;
            }
            if self.flip[root] {
                *spin = -*spin;
                flipped += 1;
            }
        }
        StepStats {
            attempted: n as u64,
            accepted: flipped,
            clusters,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lattice::{Square, enumeration, kaufman};
    use crate::model::run;
    use crate::rng::from_seed;
    use crate::stats::{MeanEstimate, SeriesRecorder};
    use crate::test_util::assert_within_sigmas;

    fn means(
        model: &Ising,
        t: Temperature,
        seed: u64,
        steps: usize,
    ) -> (MeanEstimate, MeanEstimate) {
        let mut sw = SwendsenWang::new(model, t).unwrap();
        let mut rng = from_seed(seed);
        let mut state = model.random_state(&mut rng);
        run(model, &mut sw, &mut state, 200, &mut rng, &mut ());
        let mut obs = (
            SeriesRecorder::new(|s: &IsingState| model.energy_per_spin(s)),
            SeriesRecorder::new(|s: &IsingState| model.abs_magnetization_per_spin(s)),
        );
        run(model, &mut sw, &mut state, steps, &mut rng, &mut obs);
        (
            MeanEstimate::from_series(obs.0.series()).unwrap(),
            MeanEstimate::from_series(obs.1.series()).unwrap(),
        )
    }

    /// The exact Swendsen–Wang kernel of a 3×2 torus (64 states, 12 bonds — the vertical pairs
    /// bonded twice through the wrap, as the sampler and the energy both count them), from its
    /// definition: T(s, s′) = Σ_A P(A | s) · 1[s ⊕ s′ is a union of clusters of A] / 2^{c(A)}
    /// over the subsets A of satisfied bonds, each active with p = 1 − e^{−2β|J|}. It satisfies
    /// detailed balance, π(s) T(s, s′) = π(s′) T(s′, s) with π ∝ e^{−βE}, to rounding; and the
    /// sampler's empirical transitions from every state (4000 steps each) match it within
    /// 5σ + 1/n per entry. For the ferromagnet and for the antiferromagnet, frustrated on this
    /// torus (a ring of 3).
    #[test]
    fn kernel_satisfies_detailed_balance_and_the_sampler_follows_it() {
        for j in [1.0, -1.0] {
            check_kernel(j);
        }
    }

    fn check_kernel(j: f64) {
        let (lx, ly, t) = (3usize, 2usize, 2.5);
        let model = Ising::new(Square::new(lx, ly).unwrap(), j, 0.0).unwrap();
        let n = lx * ly;
        let bonds: Vec<(usize, usize)> = (0..n)
            .flat_map(|i| {
                let (x, y) = (i % lx, i / lx);
                [(i, y * lx + (x + 1) % lx), (i, ((y + 1) % ly) * lx + x)]
            })
            .collect();
        let spins_of = |s: usize| -> Vec<i8> {
            (0..n)
                .map(|k| if s >> k & 1 == 1 { -1 } else { 1 })
                .collect()
        };
        let energy = |s: &[i8]| -> f64 {
            -j * bonds
                .iter()
                .map(|&(a, b)| f64::from(s[a] * s[b]))
                .sum::<f64>()
        };
        let p = 1.0 - libm::exp(-2.0 * j.abs() / t);
        let states = 1usize << n;
        let mut kernel = alloc::vec![0.0; states * states];
        for s in 0..states {
            let spins = spins_of(s);
            let aligned: Vec<(usize, usize)> = bonds
                .iter()
                .copied()
                .filter(|&(a, b)| f64::from(spins[a] * spins[b]) * j > 0.0)
                .collect();
            for subset in 0..1usize << aligned.len() {
                let active = subset.count_ones() as i32;
                let weight = p.powi(active) * (1.0 - p).powi(aligned.len() as i32 - active);
                // Clusters by repeated relabelling (tiny graph).
                let mut label: Vec<usize> = (0..n).collect();
                loop {
                    let mut changed = false;
                    for (k, &(a, b)) in aligned.iter().enumerate() {
                        if subset >> k & 1 == 1 && label[a] != label[b] {
                            let m = label[a].min(label[b]);
                            label[a] = m;
                            label[b] = m;
                            changed = true;
                        }
                    }
                    if !changed {
                        break;
                    }
                }
                let roots: Vec<usize> = (0..n).filter(|&i| label[i] == i).collect();
                let share = weight / (1u64 << roots.len()) as f64;
                for flips in 0..1usize << roots.len() {
                    let mask = (0..n)
                        .filter(|&i| {
                            let r = roots.iter().position(|&r| r == label[i]).unwrap();
                            flips >> r & 1 == 1
                        })
                        .fold(0usize, |m, i| m | 1 << i);
                    kernel[s * states + (s ^ mask)] += share;
                }
            }
        }
        let weight: Vec<f64> = (0..states)
            .map(|s| libm::exp(-energy(&spins_of(s)) / t))
            .collect();
        for a in 0..states {
            let row: f64 = kernel[a * states..(a + 1) * states].iter().sum();
            assert!((row - 1.0).abs() < 1e-12, "row {a} sums to {row}");
            for b in 0..states {
                let (ab, ba) = (
                    weight[a] * kernel[a * states + b],
                    weight[b] * kernel[b * states + a],
                );
                assert!(
                    (ab - ba).abs() < 1e-12 * (ab + ba + 1e-300),
                    "{a} → {b}: {ab} vs {ba}"
                );
            }
        }
        let mut sw = SwendsenWang::new(&model, Temperature::new(t).unwrap()).unwrap();
        let mut rng = from_seed(12);
        let steps = 4000;
        for a in 0..states {
            let mut counts = alloc::vec![0u32; states];
            for _ in 0..steps {
                let mut state = model.ordered_state();
                state.spins_mut().copy_from_slice(&spins_of(a));
                sw.step(&model, &mut state, &mut rng);
                let b = state
                    .spins()
                    .iter()
                    .enumerate()
                    .fold(0usize, |m, (k, &v)| if v < 0 { m | 1 << k } else { m });
                counts[b] += 1;
            }
            for b in 0..states {
                let exact = kernel[a * states + b];
                let f = f64::from(counts[b]) / steps as f64;
                let sigma = libm::sqrt(exact * (1.0 - exact) / steps as f64);
                assert!(
                    (f - exact).abs() <= 5.0 * sigma + 1.0 / steps as f64,
                    "{a} → {b}: {f} vs {exact}"
                );
            }
        }
    }

    /// Energy and |m| of the 4×4 and 3×5 tori against exact enumeration, below, at and above T_c,
    /// for ferro- and antiferromagnets (the 3×5 antiferromagnet is frustrated).
    #[test]
    fn reproduces_exact_small_lattices() {
        for (k, (lx, ly, j, t)) in [
            (4, 4, 1.0, 1.5),
            (4, 4, 1.0, 2.27),
            (4, 4, 1.0, 3.5),
            (3, 5, 0.5, 1.2),
            (4, 4, -1.0, 1.5),
            (3, 5, -0.5, 1.2),
        ]
        .into_iter()
        .enumerate()
        {
            let model = Ising::new(Square::new(lx, ly).unwrap(), j, 0.0).unwrap();
            let t = Temperature::new(t).unwrap();
            let exact = enumeration::exact(&model, t).unwrap();
            let (e, m) = means(&model, t, 400 + k as u64, 40_000);
            assert_within_sigmas(&e, exact.energy_per_spin, 4.0);
            assert_within_sigmas(&m, exact.abs_magnetization, 4.0);
        }
    }

    /// 16×16 against Kaufman's finite-lattice energy near T_c, where the clusters percolate.
    #[test]
    fn matches_kaufman_on_sixteen_near_tc() {
        let model = Ising::new(Square::with_side(16).unwrap(), 1.0, 0.0).unwrap();
        for (k, t) in [2.0, 2.269_185_314_213_022, 2.6].into_iter().enumerate() {
            let t = Temperature::new(t).unwrap();
            let (e, _) = means(&model, t, 500 + k as u64, 20_000);
            let exact = kaufman::exact(&model, t).unwrap();
            assert_within_sigmas(&e, exact.energy_per_spin, 4.0);
            // Few sweeps per independent sample at T_c: the point of a cluster algorithm.
            assert!(
                e.autocorrelation.tau < 10.0,
                "τ = {}",
                e.autocorrelation.tau
            );
        }
    }

    #[test]
    fn rejects_a_field() {
        let t = Temperature::new(2.0).unwrap();
        let sq = Square::with_side(4).unwrap();
        assert!(SwendsenWang::new(&Ising::new(sq, 1.0, 0.1).unwrap(), t).is_err());
        assert!(SwendsenWang::new(&Ising::new(sq, -1.0, 0.1).unwrap(), t).is_err());
        assert!(SwendsenWang::new(&Ising::new(sq, -1.0, 0.0).unwrap(), t).is_ok());
    }
}
