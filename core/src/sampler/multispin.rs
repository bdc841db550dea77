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
/// and drawing stops when every lane is decided. So P(flip) is exactly `threshold_53(p)/2^53`,
/// the same as the scalar [`SingleFlip`](super::SingleFlip), and no random bit is ever shared
/// between two spins or two replicas.
///
/// # Site words in groups
/// A half sweep takes the row's same-colour site words 32 at a time (their updates are
/// independent), and draws their bits from as many xoshiro256++ streams held side by side
/// (seeded from the caller's RNG at the start of every sweep), so the bit-serial loop runs once
/// per group (about log₂ 2048 + 1.3 rounds) without a branch per word, and the streams fill
/// four AVX-512 registers: four independent dependency chains per round (how 32 was chosen:
/// BENCHMARKS.md, "Multispin round two"). Rows shorter than 64 sites leave lanes of a group
/// idle. [`PackedIsing`] has even sides, so words of one colour are never neighbours, across the
/// wrap included.
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
    rule: Rule,
}

/// What decides a flip: the acceptance thresholds and the sign of the coupling.
#[derive(Clone, Copy, Debug)]
struct Rule {
    /// 53-bit thresholds for ΔE = 4|J| and ΔE = 8|J|.
    p4: u64,
    p8: u64,
    /// All ones for J < 0 (count aligned rather than anti-aligned bonds), else zero.
    invert: u64,
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
            rule: Rule {
                p4: threshold_53(libm::exp(-4.0 * k)),
                p8: threshold_53(libm::exp(-8.0 * k)),
                invert: if model.model().coupling() < 0.0 {
                    u64::MAX
                } else {
                    0
                },
            },
        })
    }

    /// The temperature the sampler targets.
    pub fn temperature(&self) -> Temperature {
        self.temperature
    }
}

/// Flip masks of one group of site words: `w[l]` with neighbour words `nb[l]`, lanes at or
/// beyond `used` left alone. Returns the masks (1 = flip that replica's spin).
#[inline(always)]
fn flips(
    rule: Rule,
    w: &[u64; LANES],
    nb: &[[u64; LANES]; 4],
    used: usize,
    rng: &mut LaneRng,
) -> [u64; LANES] {
    let invert = rule.invert;
    let (mut at_least_two, mut one, mut none) = ([0; LANES], [0; LANES], [0; LANES]);
    for l in 0..LANES {
        let active = if l < used { u64::MAX } else { 0 };
        let [x1, x2, x3, x4] = [0, 1, 2, 3].map(|k| (w[l] ^ nb[k][l]) ^ invert); // 1 = unsatisfied
        let (s1, c1, s2, c2) = (x1 ^ x2, x1 & x2, x3 ^ x4, x3 & x4);
        at_least_two[l] = (c1 | c2 | (s1 & s2)) & active;
        one[l] = (s1 ^ s2) & !(c1 | c2) & active;
        none[l] = !(s1 | c1 | s2 | c2) & active;
    }
    // Bit-serial U < threshold for the lanes that need a decision, with the generators'
    // state in locals (registers) for the loop.
    let mut state = rng.s;
    let mut undecided: [u64; LANES] = core::array::from_fn(|l| one[l] | none[l]);
    let mut less = [0u64; LANES];
    let mut bit = 52;
    while undecided.iter().fold(0, |a, &u| a | u) != 0 {
        let r = LaneRng::step(&mut state);
        let (t4, t8) = (
            0u64.wrapping_sub((rule.p4 >> bit) & 1),
            0u64.wrapping_sub((rule.p8 >> bit) & 1),
        );
        for l in 0..LANES {
            let t = (one[l] & t4) | (none[l] & t8);
            less[l] |= undecided[l] & !r[l] & t;
            undecided[l] &= !(r[l] ^ t);
        }
        if bit == 0 {
            break; // U equals the threshold in all 53 bits: U < threshold is false.
        }
        bit -= 1;
    }
    rng.s = state;
    core::array::from_fn(|l| at_least_two[l] | less[l])
}

/// Update the site words of colour `parity` (x + y ≡ parity mod 2) row by row; returns the
/// number of spins flipped. Compiled for AVX-512 and AVX2 besides the baseline and chosen at
/// run time (`multiversion`, with the `std` feature; without it the build's own target
/// features), so the generators and masks live in vector registers where the CPU has them.
#[cfg_attr(
    feature = "std",
    multiversion::multiversion(targets("x86_64+avx512f+avx512vl", "x86_64+avx2"))
)]
fn half_sweep(
    rule: Rule,
    (lx, ly): (usize, usize),
    words: &mut [u64],
    parity: usize,
    rng: &mut LaneRng,
) -> u64 {
    let mut flipped = 0;
    for y in 0..ly {
        let (up, down) = ((y + ly - 1) % ly * lx, (y + 1) % ly * lx);
        let row = y * lx;
        // Groups of up to LANES words of this colour: x = x0, x0 + 2, …
        let mut x0 = (y + parity) & 1;
        while x0 < lx {
            let used = (lx - x0).div_ceil(2).min(LANES);
            let mut w = [0u64; LANES];
            let mut nb = [[0u64; LANES]; 4];
            for l in 0..used {
                let x = x0 + 2 * l;
                let left = if x == 0 { lx - 1 } else { x - 1 };
                let right = if x + 1 == lx { 0 } else { x + 1 };
                w[l] = words[row + x];
                nb[0][l] = words[row + left];
                nb[1][l] = words[row + right];
                nb[2][l] = words[up + x];
                nb[3][l] = words[down + x];
            }
            let flip = flips(rule, &w, &nb, used, rng);
            for l in 0..used {
                words[row + x0 + 2 * l] = w[l] ^ flip[l];
                flipped += u64::from(flip[l].count_ones());
            }
            x0 += 2 * LANES;
        }
    }
    flipped
}

/// Site words updated together ([`MultiSpin`]'s groups).
const LANES: usize = 32;

/// [`LANES`] xoshiro256++ generators held as a structure of arrays, so that one step of all of
/// them is a handful of vector instructions. Each lane is the reference generator (tested
/// against `rand_xoshiro::Xoshiro256PlusPlus` from the same state).
#[derive(Clone, Debug)]
struct LaneRng {
    s: [[u64; LANES]; 4],
}

impl LaneRng {
    /// Seed every lane's 256-bit state from `rng` (a state of all zeros, probability 2⁻²⁵⁶,
    /// is replaced by a fixed non-zero one: xoshiro never leaves zero).
    fn from_rng<R: Rng + ?Sized>(rng: &mut R) -> Self {
        let mut s = [[0u64; LANES]; 4];
        for l in 0..LANES {
            for word in &mut s {
                word[l] = rng.next_u64();
            }
            if s.iter().all(|word| word[l] == 0) {
                s[0][l] = 1;
            }
        }
        Self { s }
    }

    /// The next output of every lane.
    #[cfg(test)]
    fn next(&mut self) -> [u64; LANES] {
        Self::step(&mut self.s)
    }

    /// Advance the generators whose state is `s` and return every lane's output.
    #[inline(always)]
    fn step(s: &mut [[u64; LANES]; 4]) -> [u64; LANES] {
        let [s0, s1, s2, s3] = s;
        let mut out = [0u64; LANES];
        for l in 0..LANES {
            out[l] = s0[l]
                .wrapping_add(s3[l])
                .rotate_left(23)
                .wrapping_add(s0[l]);
            let t = s1[l] << 17;
            s2[l] ^= s0[l];
            s3[l] ^= s1[l];
            s1[l] ^= s2[l];
            s0[l] ^= s3[l];
            s2[l] ^= t;
            s3[l] = s3[l].rotate_left(45);
        }
        out
    }
}

impl Sampler<PackedIsing> for MultiSpin {
    /// One sweep of every replica: 64·N attempted flips. Draws 4 words from `rng` per lane
    /// generator (128 in all) to seed the sweep's generators.
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
        let mut lanes = LaneRng::from_rng(rng);
        let flipped = half_sweep(self.rule, (lx, ly), words, 0, &mut lanes)
            + half_sweep(self.rule, (lx, ly), words, 1, &mut lanes);
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

    /// Each lane generator is xoshiro256++: the same outputs as the reference implementation
    /// started from that lane's state.
    #[test]
    fn lane_generators_are_xoshiro256_plus_plus() {
        use rand_xoshiro::Xoshiro256PlusPlus;
        use rand_xoshiro::rand_core::SeedableRng;
        let mut lanes = LaneRng::from_rng(&mut from_seed(11));
        let mut reference: alloc::vec::Vec<Xoshiro256PlusPlus> = (0..LANES)
            .map(|l| {
                let mut seed = [0u8; 32];
                for (k, word) in lanes.s.iter().enumerate() {
                    seed[8 * k..8 * k + 8].copy_from_slice(&word[l].to_le_bytes());
                }
                Xoshiro256PlusPlus::from_seed(seed)
            })
            .collect();
        for _ in 0..100 {
            let got = lanes.next();
            for (l, r) in reference.iter_mut().enumerate() {
                assert_eq!(got[l], r.next_u64());
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
    /// Recorded from the first run of the grouped kernel (x86_64 with AVX-512, 2026-12-04;
    /// integer arithmetic only, so every dispatched version gives these bits). The one-word
    /// kernel before it drew its bits from the caller's RNG directly and gave
    /// (25866, 16957012896891617962).
    const GOLDEN: (u64, u64) = (25101, 159224322997664639);
}
