use crate::lattice::{Ising, IsingState, LatticeError, Square, Temperature, Xy, XyState};
use crate::model::Model;
use crate::model::{Sampler, StepStats};
use crate::rng::{threshold_53, uniform_f64, uniform_index};
use alloc::vec::Vec;
use rand_core::Rng;

/// Wolff's single-cluster algorithm (Wolff 1989; thesis Sec. 3.1.2, Algorithm 3).
///
/// Ising: a cluster grows from a random seed over neighbours whose bond is satisfied (aligned
/// for J > 0, anti-aligned for J < 0), each bond added with probability p = 1 − e^{−2β|J|}, and
/// the whole cluster is flipped. Needs h = 0 (the cluster flip is a symmetry of H only then) and,
/// for J < 0, even sides: the antiferromagnet is then the ferromagnet in the staggered spins
/// (−1)^{x+y} s, in which the cluster is grown (so both staggered phases are visited).
///
/// XY: a random direction r = (cos φ, sin φ), φ ∈ [0, π), defines the reflection
/// s ↦ s − 2(s·r) r, i.e. θ ↦ π + 2φ − θ (thesis Eq. 3.6 up to the choice of axis), wrapped into
/// [0, 2π). Neighbours j of a cluster site i join with probability
/// 1 − exp(−2βJ (r·sᵢ)(r·sⱼ)) when the product is positive (Wolff's embedding), both projections
/// taken before the flip. Needs J > 0 and h = 0.
///
/// One [`Sampler::step`] builds a fixed number of clusters (1 unless changed with
/// [`Wolff::set_clusters_per_step`] or [`Wolff::calibrate`]). The number must not depend on the
/// clusters of the run being measured: stopping "once N spins have flipped" would make the
/// stopping time depend on the state and bias the measured distribution (a 4×4 test showed
/// it). `calibrate` fixes it during equilibration to about N / ⟨cluster size⟩, so a step costs
/// about one sweep and autocorrelation times come out in sweep units. `StepStats::attempted` and
/// `accepted` count flipped spins, `clusters` the clusters.
///
/// # Examples
/// ```
/// use entropic::prelude::*;
/// use entropic::lattice::{Ising, Square, Temperature};
/// use entropic::sampler::Wolff;
/// let model = Ising::new(Square::with_side(32)?, 1.0, 0.0)?;
/// let mut wolff = Wolff::ising(&model, Temperature::ising_critical(1.0)?)?;
/// let mut state = model.ordered_state();
/// let mut rng = entropic::rng::from_seed(1);
/// let per_step = wolff.calibrate(&model, &mut state, 100, &mut rng);
/// let stats = run(&model, &mut wolff, &mut state, 10, &mut rng, &mut ());
/// assert_eq!(stats.clusters, 10 * per_step as u64);
/// # Ok::<(), entropic::lattice::LatticeError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Wolff {
    temperature: Temperature,
    /// Bond-activation threshold for the Ising cluster (53-bit, see [`threshold_53`]).
    add_threshold: u64,
    /// 2βJ, for the XY bond probabilities.
    two_beta_j: f64,
    /// Cluster membership marks for XY (site → cluster number), and the current cluster number.
    marks: Vec<u32>,
    generation: u32,
    /// Clusters built per step.
    clusters_per_step: usize,
    /// Sites whose neighbours are still to be examined, as (x, y).
    stack: Vec<(u32, u32)>,
    /// XY cluster frontier: site and its projection on r before the flip.
    xy_stack: Vec<(usize, f64)>,
}

impl Wolff {
    /// The Ising cluster sampler for `model` at temperature `t`.
    ///
    /// # Errors
    /// [`LatticeError::Unsupported`] unless h = 0, J₂ = 0 and J ≠ 0, and for J < 0 on a side
    /// that is odd (a frustrated torus).
    pub fn ising(model: &Ising, t: Temperature) -> Result<Self, LatticeError> {
        const ALGORITHM: &str = "the Wolff cluster update";
        let add_threshold = ising_bond_threshold(model, t, ALGORITHM)?;
        let sq = model.lattice();
        if model.coupling() < 0.0 && (sq.lx() % 2 == 1 || sq.ly() % 2 == 1) {
            return Err(LatticeError::Unsupported {
                algorithm: ALGORITHM,
                needs: "even sides for J < 0",
            });
        }
        Ok(Self::with(
            t,
            add_threshold,
            2.0 * model.coupling() * t.beta(),
        ))
    }

    /// The XY cluster sampler for `model` at temperature `t`.
    ///
    /// # Errors
    /// [`LatticeError::Unsupported`] unless J > 0 and h = 0.
    pub fn xy(model: &Xy, t: Temperature) -> Result<Self, LatticeError> {
        if model.coupling() <= 0.0 || model.field() != 0.0 {
            return Err(LatticeError::Unsupported {
                algorithm: "the Wolff cluster update",
                needs: "J > 0 and h = 0",
            });
        }
        Ok(Self::with(t, 0, 2.0 * model.coupling() * t.beta()))
    }

    fn with(temperature: Temperature, add_threshold: u64, two_beta_j: f64) -> Self {
        Self {
            temperature,
            add_threshold,
            two_beta_j,
            marks: Vec::new(),
            generation: 0,
            clusters_per_step: 1,
            stack: Vec::new(),
            xy_stack: Vec::new(),
        }
    }

    /// The temperature the sampler targets.
    pub fn temperature(&self) -> Temperature {
        self.temperature
    }

    /// Clusters built per step (at least 1).
    pub fn clusters_per_step(&self) -> usize {
        self.clusters_per_step
    }

    /// Set the clusters built per step (0 is treated as 1).
    pub fn set_clusters_per_step(&mut self, clusters: usize) {
        self.clusters_per_step = clusters.max(1);
    }

    /// Equilibrate with single-cluster moves until `sweeps`·N spins have been flipped, then set
    /// the clusters per step to round(N / mean cluster size), the mean taken over the second half
    /// of the equilibration (the first half may start far from equilibrium). Call it before
    /// measuring, never during. Returns the clusters per step.
    pub fn calibrate<M, R>(
        &mut self,
        model: &M,
        state: &mut M::State,
        sweeps: usize,
        rng: &mut R,
    ) -> usize
    where
        M: Model + OnSquare,
        Self: Sampler<M>,
        R: Rng + ?Sized,
    {
        self.clusters_per_step = 1;
        let n = model.square().sites() as u64;
        let total = n * sweeps.max(2) as u64;
        let (mut flipped, mut late_flipped, mut late_clusters) = (0u64, 0u64, 0u64);
        while flipped < total {
            let size = self.step(model, state, rng).accepted;
            flipped += size;
            if 2 * flipped > total {
                late_flipped += size;
                late_clusters += 1;
            }
        }
        let mean = late_flipped as f64 / late_clusters.max(1) as f64;
        self.set_clusters_per_step(libm::round(n as f64 / mean.max(1.0)) as usize);
        self.clusters_per_step
    }

    /// Grow and flip one Ising cluster; returns its size.
    ///
    /// Branch-free growth: every examined bond draws its own `u64`, and a site joins when its
    /// gauge spin g·s (g = 1, or (−1)^{x+y} when `staggered`) still equals the seed's *and* the
    /// draw falls below the threshold; the stack has room for every site, so the push is an
    /// unconditional write and a conditional increment.
    fn ising_cluster<R: Rng + ?Sized>(
        &mut self,
        (lx, ly): (usize, usize),
        staggered: bool,
        spins: &mut [i8],
        rng: &mut R,
    ) -> u64 {
        let n = lx * ly;
        if self.stack.len() != n + 1 {
            self.stack.clear();
            self.stack.resize(n + 1, (0, 0));
        }
        let gauge = |x: usize, y: usize| if staggered && (x + y) % 2 == 1 { -1 } else { 1 };
        let seed = uniform_index(rng, n);
        let s0 = spins[seed] * gauge(seed % lx, seed / lx);
        spins[seed] = -spins[seed];
        self.stack[0] = ((seed % lx) as u32, (seed / lx) as u32);
        let (mut top, mut size) = (1usize, 1u64);
        while top > 0 {
            top -= 1;
            let (x, y) = self.stack[top];
            let (x, y) = (x as usize, y as usize);
            let left = if x == 0 { lx - 1 } else { x - 1 };
            let right = if x + 1 == lx { 0 } else { x + 1 };
            let up = if y == 0 { ly - 1 } else { y - 1 };
            let down = if y + 1 == ly { 0 } else { y + 1 };
            for (nx, ny) in [(left, y), (right, y), (x, up), (x, down)] {
                let k = ny * lx + nx;
                let s = spins[k];
                // Flipped sites no longer equal s0 in the gauge, so the spin test doubles as a
                // visited mark.
                let join =
                    (s * gauge(nx, ny) == s0) & ((rng.next_u64() >> 11) < self.add_threshold);
                spins[k] = if join { -s } else { s };
                self.stack[top] = (nx as u32, ny as u32);
                top += usize::from(join);
                size += u64::from(join);
            }
        }
        size
    }

    /// Grow and flip one XY cluster; returns its size.
    fn xy_cluster<R: Rng + ?Sized>(&mut self, model: &Xy, state: &mut XyState, rng: &mut R) -> u64 {
        let sq = model.lattice();
        let n = sq.sites();
        if self.marks.len() != n || self.generation == u32::MAX {
            self.marks.clear();
            self.marks.resize(n, 0);
            self.generation = 0;
        }
        self.generation += 1;
        let phi = core::f64::consts::PI * uniform_f64(rng);
        let (sin_phi, cos_phi) = libm::sincos(phi);
        let project = |u: [f64; 2]| u[0] * cos_phi + u[1] * sin_phi;
        let reflect = |theta: f64| core::f64::consts::PI + 2.0 * phi - theta;
        let seed = uniform_index(rng, n);
        let a_seed = project(state.unit_vectors()[seed]);
        state.set(seed, reflect(state.angles()[seed]));
        self.marks[seed] = self.generation;
        let mut frontier: Vec<(usize, f64)> = core::mem::take(&mut self.xy_stack);
        frontier.clear();
        frontier.push((seed, a_seed));
        let mut size = 1;
        while let Some((i, a_i)) = frontier.pop() {
            for k in sq.neighbours(i) {
                if self.marks[k] == self.generation {
                    continue;
                }
                let a_k = project(state.unit_vectors()[k]);
                let x = self.two_beta_j * a_i * a_k;
                if x > 0.0 && (rng.next_u64() >> 11) < threshold_53(-libm::expm1(-x)) {
                    state.set(k, reflect(state.angles()[k]));
                    self.marks[k] = self.generation;
                    frontier.push((k, a_k));
                    size += 1;
                }
            }
        }
        self.xy_stack = frontier;
        size
    }
}

/// The 53-bit threshold of the Ising bond probability p = 1 − e^{−2β|J|} shared by the cluster
/// algorithms, after checking h = 0 (where flipping a cluster is a symmetry of H) and J ≠ 0 for
/// `algorithm`.
pub(super) fn ising_bond_threshold(
    model: &Ising,
    t: Temperature,
    algorithm: &'static str,
) -> Result<u64, LatticeError> {
    if model.coupling() == 0.0 || model.field() != 0.0 || model.next_nearest() != 0.0 {
        return Err(LatticeError::Unsupported {
            algorithm,
            needs: "J ≠ 0, h = 0 and no next-nearest coupling (J₂ = 0)",
        });
    }
    Ok(threshold_53(-libm::expm1(
        -2.0 * model.coupling().abs() * t.beta(),
    )))
}

/// Models that live on a [`Square`] lattice, so [`Wolff::calibrate`] can count sites.
///
/// Sealed: implemented for [`Ising`] and [`Xy`], the models [`Wolff`] samples (its cluster
/// moves are written for them); a model of one's own brings its own [`Sampler`].
///
/// # Examples
/// ```
/// use entropic::lattice::{Square, Temperature, Xy};
/// use entropic::sampler::{OnSquare, Wolff};
/// let model = Xy::new(Square::with_side(8)?, 1.0, 0.0)?;
/// assert_eq!(model.square().sites(), 64);
/// // calibrate counts flipped spins against sweeps × the lattice's sites.
/// let mut wolff = Wolff::xy(&model, Temperature::new(0.9)?)?;
/// let mut rng = entropic::rng::from_seed(1);
/// let mut state = model.random_state(&mut rng);
/// assert!(wolff.calibrate(&model, &mut state, 20, &mut rng) >= 1);
/// # Ok::<(), entropic::lattice::LatticeError>(())
/// ```
pub trait OnSquare: sealed::Sealed {
    /// The lattice.
    fn square(&self) -> &Square;
}

mod sealed {
    /// The models [`OnSquare`](super::OnSquare) is implemented for.
    pub trait Sealed {}
    impl Sealed for crate::lattice::Ising {}
    impl Sealed for crate::lattice::Xy {}
}

impl OnSquare for Ising {
    fn square(&self) -> &Square {
        self.lattice()
    }
}

impl OnSquare for Xy {
    fn square(&self) -> &Square {
        self.lattice()
    }
}

impl Sampler<Xy> for Wolff {
    fn step<R: Rng + ?Sized>(&mut self, model: &Xy, state: &mut XyState, rng: &mut R) -> StepStats {
        assert_eq!(
            state.angles().len(),
            model.lattice().sites(),
            "state does not belong to this model's lattice"
        );
        let mut stats = StepStats::default();
        for _ in 0..self.clusters_per_step {
            stats.accepted += self.xy_cluster(model, state, rng);
            stats.clusters += 1;
        }
        stats.attempted = stats.accepted;
        stats
    }
}

impl Sampler<Ising> for Wolff {
    fn step<R: Rng + ?Sized>(
        &mut self,
        model: &Ising,
        state: &mut IsingState,
        rng: &mut R,
    ) -> StepStats {
        let sides = (model.lattice().lx(), model.lattice().ly());
        let staggered = model.coupling() < 0.0;
        let spins = state.spins_for(model);
        let mut stats = StepStats::default();
        for _ in 0..self.clusters_per_step {
            stats.accepted += self.ising_cluster(sides, staggered, spins, rng);
            stats.clusters += 1;
        }
        stats.attempted = stats.accepted;
        stats
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

    /// Energy and |m| of a Wolff chain (50 000 calibrated steps from a random start) within 4σ of
    /// exact enumeration.
    fn assert_matches_enumeration(model: &Ising, t: f64, seed: u64) {
        let t = Temperature::new(t).unwrap();
        let exact = enumeration::exact(model, t).unwrap();
        let mut wolff = Wolff::ising(model, t).unwrap();
        let mut rng = from_seed(seed);
        let mut state = model.random_state(&mut rng);
        wolff.calibrate(model, &mut state, 1_000, &mut rng);
        let mut obs = (
            SeriesRecorder::new(|s: &IsingState| model.energy_per_spin(s)),
            SeriesRecorder::new(|s: &IsingState| model.abs_magnetization_per_spin(s)),
        );
        run(model, &mut wolff, &mut state, 50_000, &mut rng, &mut obs);
        assert_within_sigmas(
            &MeanEstimate::from_series(obs.0.series()).unwrap(),
            exact.energy_per_spin,
            4.0,
        );
        assert_within_sigmas(
            &MeanEstimate::from_series(obs.1.series()).unwrap(),
            exact.abs_magnetization,
            4.0,
        );
    }

    #[test]
    fn reproduces_exact_four_by_four() {
        let model = Ising::new(Square::with_side(4).unwrap(), 1.0, 0.0).unwrap();
        for (k, t) in [1.5, 2.27, 3.5].into_iter().enumerate() {
            assert_matches_enumeration(&model, t, 200 + k as u64);
        }
    }

    #[test]
    fn matches_kaufman_on_sixteen_near_tc() {
        let model = Ising::new(Square::with_side(16).unwrap(), 1.0, 0.0).unwrap();
        for t in [2.0, 2.269_185_314_213_022, 2.6] {
            let t = Temperature::new(t).unwrap();
            let mut wolff = Wolff::ising(&model, t).unwrap();
            let mut rng = from_seed(77);
            let mut state = model.random_state(&mut rng);
            wolff.calibrate(&model, &mut state, 500, &mut rng);
            let mut rec = SeriesRecorder::new(|s: &IsingState| model.energy_per_spin(s));
            run(&model, &mut wolff, &mut state, 20_000, &mut rng, &mut rec);
            let exact = kaufman::exact(&model, t).unwrap();
            assert_within_sigmas(
                &MeanEstimate::from_series(rec.series()).unwrap(),
                exact.energy_per_spin,
                4.0,
            );
        }
    }

    /// The antiferromagnet on even tori: energy and |m| of 4×4 and 4×2 against enumeration, and
    /// at T = 1 (deep in the ordered phase) both staggered phases are visited.
    #[test]
    fn reproduces_exact_antiferromagnet() {
        for (k, (lx, ly, t)) in [(4, 4, 1.5), (4, 4, 3.5), (4, 2, 2.0)]
            .into_iter()
            .enumerate()
        {
            let model = Ising::new(Square::new(lx, ly).unwrap(), -1.0, 0.0).unwrap();
            assert_matches_enumeration(&model, t, 300 + k as u64);
        }
        let sq = Square::with_side(8).unwrap();
        let model = Ising::new(sq, -1.0, 0.0).unwrap();
        let t = Temperature::new(1.0).unwrap();
        let mut wolff = Wolff::ising(&model, t).unwrap();
        let mut rng = from_seed(9);
        let mut state = model.ordered_state();
        let staggered = |s: &IsingState| -> i64 {
            s.spins()
                .iter()
                .enumerate()
                .map(|(i, &v)| i64::from(v) * if (i % 8 + i / 8) % 2 == 0 { 1 } else { -1 })
                .sum()
        };
        let mut signs = [0u32; 2];
        for _ in 0..2000 {
            wolff.step(&model, &mut state, &mut rng);
            signs[usize::from(staggered(&state) > 0)] += 1;
        }
        assert!(signs[0] > 200 && signs[1] > 200, "{signs:?}");
    }

    #[test]
    fn rejects_field_and_frustrated_antiferromagnet() {
        let t = Temperature::new(2.0).unwrap();
        let sq = Square::with_side(4).unwrap();
        assert!(Wolff::ising(&Ising::new(sq, 1.0, 0.1).unwrap(), t).is_err());
        assert!(Wolff::ising(&Ising::new(sq, -1.0, 0.0).unwrap(), t).is_ok());
        let odd = Square::new(3, 4).unwrap();
        assert!(Wolff::ising(&Ising::new(odd, -1.0, 0.0).unwrap(), t).is_err());
        assert!(Wolff::ising(&Ising::new(odd, 1.0, 0.0).unwrap(), t).is_ok());
    }
}
