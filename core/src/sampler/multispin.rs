use super::checkerboard::half_sweep;
use crate::lattice::{LatticeError, PackedIsing, PackedState, Temperature};
use crate::model::{Sampler, StepStats};
use crate::rng::threshold_53;
use rand_core::Rng;

/// Multi-spin-coded checkerboard Metropolis for 64 independent replicas at once
/// ([`PackedIsing`]): one `u64` per site, bit r = replica r.
///
/// Per site word the kernel counts, lane by lane with bit-sliced adders, how many of the four
/// bonds are unsatisfied (a ∈ 0…4). With K = |J|: a ≥ 2 means ΔE ≤ 0 and the flip is accepted;
/// a = 1 means ΔE = 4|J| and a = 0 means ΔE = 8|J|, accepted with p₄ = e^{−4β|J|} and
/// p₈ = e^{−8β|J|}. (For J < 0 "unsatisfied" means aligned.)
///
/// # Independent acceptance
/// Every lane that needs a decision gets its own uniform U (53 bits), compared with its own
/// threshold bit-serially from the most significant bit: each fresh `u64` supplies the next bit
/// of U for all 64 lanes, a lane is decided at the first bit where U and its threshold differ,
/// and drawing stops when every lane is decided (about log₂ 64 + 1.3 words per site). So
/// P(flip) is exactly `threshold_53(p)/2^53`, the same as the scalar [`SingleFlip`](super::SingleFlip),
/// and no random bit is ever shared between two spins or two replicas.
///
/// # Examples
/// ```
/// use entropic::prelude::*;
/// use entropic::lattice::{Ising, PackedIsing, Square, Temperature};
/// use entropic::sampler::MultiSpin;
/// let packed = PackedIsing::new(Ising::new(Square::with_side(16)?, 1.0, 0.0)?)?;
/// let mut sampler = MultiSpin::new(&packed, Temperature::new(1.5)?)?;
/// let mut state = packed.ordered_state();
/// let stats = run(&packed, &mut sampler, &mut state, 20, &mut entropic::rng::from_seed(3), &mut ());
/// assert_eq!(stats.attempted, 20 * 64 * 256);
/// assert!(packed.abs_magnetizations(&state).iter().all(|&m| m > 0.9));
/// # Ok::<(), entropic::lattice::LatticeError>(())
/// ```
#[derive(Clone, Debug)]
pub struct MultiSpin {
    temperature: Temperature,
    /// 53-bit thresholds for ΔE = 4|J| and ΔE = 8|J|.
    p4: u64,
    p8: u64,
    /// J < 0: count aligned rather than anti-aligned bonds.
    antiferro: bool,
}

impl MultiSpin {
    /// The sampler for `model` at temperature `t`.
    ///
    /// # Errors
    /// [`LatticeError::Unsupported`] on a lattice with a side of 2, where checkerboard Metropolis
    /// is not ergodic (see [`SingleFlip`](super::SingleFlip)).
    pub fn new(model: &PackedIsing, t: Temperature) -> Result<Self, LatticeError> {
        let sq = model.model().lattice();
        if sq.lx() == 2 || sq.ly() == 2 {
            return Err(super::single_flip::SIDE_TWO);
        }
        let k = model.model().coupling().abs() * t.beta();
        Ok(Self {
            temperature: t,
            p4: threshold_53(libm::exp(-4.0 * k)),
            p8: threshold_53(libm::exp(-8.0 * k)),
            antiferro: model.model().coupling() < 0.0,
        })
    }

    /// The temperature the sampler targets.
    pub fn temperature(&self) -> Temperature {
        self.temperature
    }

    /// New word for site word `w` with neighbour words `nb`; adds the flips to `flipped`.
    #[inline(always)]
    fn update<R: Rng + ?Sized>(&self, w: u64, nb: [u64; 4], rng: &mut R, flipped: &mut u64) -> u64 {
        let invert = if self.antiferro { u64::MAX } else { 0 };
        let [x1, x2, x3, x4] = nb.map(|n| (w ^ n) ^ invert); // 1 = unsatisfied bond
        let (s1, c1, s2, c2) = (x1 ^ x2, x1 & x2, x3 ^ x4, x3 & x4);
        let at_least_two = c1 | c2 | (s1 & s2);
        let one = (s1 ^ s2) & !(c1 | c2);
        let none = !(s1 | c1 | s2 | c2);
        // Bit-serial U < threshold for the lanes that need a decision.
        let (mut undecided, mut less) = (one | none, 0u64);
        let mut bit = 52;
        while undecided != 0 {
            let r = rng.next_u64();
            let t = (one & 0u64.wrapping_sub((self.p4 >> bit) & 1))
                | (none & 0u64.wrapping_sub((self.p8 >> bit) & 1));
            less |= undecided & !r & t;
            undecided &= !(r ^ t);
            if bit == 0 {
                break; // U equals the threshold in all 53 bits: U < threshold is false.
            }
            bit -= 1;
        }
        let flip = at_least_two | less;
        *flipped += u64::from(flip.count_ones());
        w ^ flip
    }
}

impl Sampler<PackedIsing> for MultiSpin {
    /// One sweep of every replica: 64·N attempted flips.
    fn step<R: Rng + ?Sized>(
        &mut self,
        model: &PackedIsing,
        state: &mut PackedState,
        rng: &mut R,
    ) -> StepStats {
        let sq = model.model().lattice();
        let (lx, ly) = (sq.lx(), sq.ly());
        let words = state.words_mut();
        assert_eq!(
            words.len(),
            lx * ly,
            "state does not belong to this model's lattice"
        );
        let mut flipped = 0;
        for parity in [0, 1] {
            half_sweep(lx, ly, words, parity, |w, nb| {
                self.update(w, nb, rng, &mut flipped)
            });
        }
        StepStats {
            attempted: (64 * lx * ly) as u64,
            accepted: flipped,
            clusters: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lattice::{Ising, Square, enumeration, kaufman};
    use crate::model::run;
    use crate::rng::from_seed;
    use crate::stats::{MeanEstimate, SeriesRecorder};
    use crate::test_util::assert_within_sigmas;

    fn replica_means(
        model: &PackedIsing,
        t: Temperature,
        seed: u64,
        sweeps: usize,
    ) -> (MeanEstimate, MeanEstimate) {
        let mut sampler = MultiSpin::new(model, t).unwrap();
        let mut rng = from_seed(seed);
        let mut state = model.random_state(&mut rng);
        run(model, &mut sampler, &mut state, 500, &mut rng, &mut ());
        let mean = |v: [f64; 64]| v.iter().sum::<f64>() / 64.0;
        let mut obs = (
            SeriesRecorder::new(|s: &PackedState| mean(model.energies_per_spin(s))),
            SeriesRecorder::new(|s: &PackedState| mean(model.abs_magnetizations(s))),
        );
        run(model, &mut sampler, &mut state, sweeps, &mut rng, &mut obs);
        (
            MeanEstimate::from_series(obs.0.series()).unwrap(),
            MeanEstimate::from_series(obs.1.series()).unwrap(),
        )
    }

    #[test]
    fn reproduces_exact_four_by_four() {
        for (j, t) in [(1.0, 1.5), (1.0, 2.27), (1.0, 3.0), (-1.0, 2.0)] {
            let model =
                PackedIsing::new(Ising::new(Square::with_side(4).unwrap(), j, 0.0).unwrap())
                    .unwrap();
            let t = Temperature::new(t).unwrap();
            let exact = enumeration::exact(model.model(), t).unwrap();
            let (e, m) = replica_means(&model, t, 300, 5_000);
            assert_within_sigmas(&e, exact.energy_per_spin, 4.0);
            if j > 0.0 {
                assert_within_sigmas(&m, exact.abs_magnetization, 4.0);
            }
        }
    }

    #[test]
    fn matches_kaufman_on_sixteen_near_tc() {
        let model = PackedIsing::new(Ising::new(Square::with_side(16).unwrap(), 1.0, 0.0).unwrap())
            .unwrap();
        for t in [2.1, 2.269_185_314_213_022, 2.5] {
            let t = Temperature::new(t).unwrap();
            let (e, _) = replica_means(&model, t, 301, 4_000);
            assert_within_sigmas(
                &e,
                kaufman::exact(model.model(), t).unwrap().energy_per_spin,
                4.0,
            );
        }
    }

    #[test]
    fn replicas_are_uncorrelated() {
        // Replicas 0 and 1 of the same run: the correlation of their energy series must vanish
        // within its standard error (≈ 1/√n_eff); shared random bits would correlate them.
        let model =
            PackedIsing::new(Ising::new(Square::with_side(8).unwrap(), 1.0, 0.0).unwrap()).unwrap();
        let mut sampler = MultiSpin::new(&model, Temperature::new(2.5).unwrap()).unwrap();
        let mut rng = from_seed(5);
        let mut state = model.random_state(&mut rng);
        let mut pairs = alloc::vec::Vec::new();
        for _ in 0..20_000 {
            sampler.step(&model, &mut state, &mut rng);
            let e = model.energies_per_spin(&state);
            pairs.push((e[0], e[1]));
        }
        let n = pairs.len() as f64;
        let (ma, mb) = (
            pairs.iter().map(|p| p.0).sum::<f64>() / n,
            pairs.iter().map(|p| p.1).sum::<f64>() / n,
        );
        let cov = pairs.iter().map(|p| (p.0 - ma) * (p.1 - mb)).sum::<f64>() / n;
        let va = pairs.iter().map(|p| (p.0 - ma) * (p.0 - ma)).sum::<f64>() / n;
        let vb = pairs.iter().map(|p| (p.1 - mb) * (p.1 - mb)).sum::<f64>() / n;
        let corr = cov / libm::sqrt(va * vb);
        // τ_int ≈ 2 sweeps here, so n_eff ≈ n/4; 4 standard errors.
        assert!(
            corr.abs() < 4.0 * libm::sqrt(4.0 / n),
            "replica correlation {corr}"
        );
    }

    #[test]
    fn golden_value_stability() {
        let model =
            PackedIsing::new(Ising::new(Square::with_side(8).unwrap(), 1.0, 0.0).unwrap()).unwrap();
        let mut sampler = MultiSpin::new(&model, Temperature::new(2.5).unwrap()).unwrap();
        let mut rng = from_seed(2024);
        let mut state = model.random_state(&mut rng);
        let stats = run(&model, &mut sampler, &mut state, 20, &mut rng, &mut ());
        let digest = state.words().iter().fold(0u64, |h, w| h.rotate_left(5) ^ w);
        assert_eq!((stats.accepted, digest), GOLDEN);
    }
    /// Recorded from the first run of this kernel (x86_64).
    const GOLDEN: (u64, u64) = (25866, 16957012896891617962);
}
