//! Random-number conventions shared by every stochastic routine.
//!
//! Routines take `rng: &mut R` with `R: Rng + ?Sized`, so `&mut dyn Rng` works too. The core never
//! gathers entropy: front ends build a [`Xoshiro256PlusPlus`] from a user seed with [`from_seed`],
//! and independent chains get non-overlapping streams from [`streams`].
use alloc::vec::Vec;
pub use rand_core::{Rng, SeedableRng};
pub use rand_xoshiro::Xoshiro256PlusPlus;

/// The RNG every front end uses, seeded through SplitMix64 (`SeedableRng::seed_from_u64`).
///
/// # Examples
/// ```
/// use entropic::rng::{from_seed, uniform_f64};
/// let (mut a, mut b) = (from_seed(1), from_seed(1));
/// assert_eq!(uniform_f64(&mut a), uniform_f64(&mut b));
/// ```
pub fn from_seed(seed: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(seed)
}

/// `n` independent streams for `n` chains: stream `k` is the seeded generator advanced by `k`
/// jumps of 2^128 steps, so streams never overlap in any practical run.
///
/// # Examples
/// ```
/// let mut s = entropic::rng::streams(3, 2);
/// assert_ne!(rand_core::Rng::next_u64(&mut s[0]), rand_core::Rng::next_u64(&mut s[1]));
/// ```
pub fn streams(seed: u64, n: usize) -> Vec<Xoshiro256PlusPlus> {
    let mut base = from_seed(seed);
    (0..n)
        .map(|_| {
            let stream = base.clone();
            base.jump();
            stream
        })
        .collect()
}

/// Stream `k` of [`streams`] alone: the seeded generator advanced by `k` jumps. Lets parallel
/// work pick its stream by task index, so results do not depend on thread scheduling.
///
/// # Examples
/// ```
/// use entropic::rng::{stream, streams};
/// assert_eq!(stream(9, 2), streams(9, 3)[2]);
/// ```
pub fn stream(seed: u64, k: usize) -> Xoshiro256PlusPlus {
    let mut rng = from_seed(seed);
    for _ in 0..k {
        rng.jump();
    }
    rng
}

/// Substream `j` of [`stream`] `k`: that stream advanced by `j` long jumps of 2^192 steps. Splits
/// one task's work into pieces that can run in parallel with results independent of the thread
/// count; substream 0 is the stream itself, and substreams of different streams never overlap
/// (a long jump spans 2^64 ordinary jumps).
///
/// # Examples
/// ```
/// use entropic::rng::{stream, substream};
/// assert_eq!(substream(9, 2, 0), stream(9, 2));
/// assert_ne!(substream(9, 2, 1), stream(9, 3));
/// ```
pub fn substream(seed: u64, k: usize, j: usize) -> Xoshiro256PlusPlus {
    let mut rng = stream(seed, k);
    for _ in 0..j {
        rng.long_jump();
    }
    rng
}

/// Uniform `f64` in `[0, 1)`: the top 53 bits of one `u64` times 2^-53 (as rand's `StandardUniform`).
///
/// # Examples
/// ```
/// let mut rng = entropic::rng::from_seed(0);
/// let u = entropic::rng::uniform_f64(&mut rng);
/// assert!((0.0..1.0).contains(&u));
/// ```
#[inline]
pub fn uniform_f64<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    const SCALE: f64 = 1.0 / (1u64 << 53) as f64;
    (rng.next_u64() >> 11) as f64 * SCALE
}

/// Uniform index in `0..n` (`n > 0`) by Lemire's multiply-shift with rejection: exactly
/// uniform, one `u64` per draw except with probability < n / 2^64.
///
/// # Examples
/// ```
/// let mut rng = entropic::rng::from_seed(0);
/// assert!(entropic::rng::uniform_index(&mut rng, 10) < 10);
/// ```
#[inline]
pub fn uniform_index<R: Rng + ?Sized>(rng: &mut R, n: usize) -> usize {
    let n = n as u64;
    let mut m = u128::from(rng.next_u64()) * u128::from(n);
    if (m as u64) < n {
        let threshold = n.wrapping_neg() % n; // 2^64 mod n, computed only on the rare slow path
        while (m as u64) < threshold {
            m = u128::from(rng.next_u64()) * u128::from(n);
        }
    }
    (m >> 64) as usize
}

/// Two independent standard normal deviates by the Box–Muller transform (two uniforms; libm
/// for the transcendentals, so every target gives the same bits).
///
/// # Examples
/// ```
/// let (a, b) = entropic::rng::normal_pair(&mut entropic::rng::from_seed(3));
/// assert!(a.is_finite() && b.is_finite());
/// ```
pub fn normal_pair<R: Rng + ?Sized>(rng: &mut R) -> (f64, f64) {
    let u1 = 1.0 - uniform_f64(rng); // in (0, 1]: the logarithm stays finite
    let u2 = uniform_f64(rng);
    let r = libm::sqrt(-2.0 * libm::log(u1));
    let (s, c) = libm::sincos(core::f64::consts::TAU * u2);
    (r * c, r * s)
}

/// Acceptance threshold for a probability `p`, for comparison with `next_u64() >> 11`.
///
/// `(rng.next_u64() >> 11) < threshold_53(p)` happens with probability exactly `p` rounded down
/// to a multiple of 2^-53; `p >= 1` gives a threshold every draw passes.
#[inline]
pub fn threshold_53(p: f64) -> u64 {
    if p >= 1.0 {
        1u64 << 53
    } else if p > 0.0 {
        // p < 1, so the product is < 2^53 and converts exactly after truncation.
        (p * (1u64 << 53) as f64) as u64
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_edges() {
        assert_eq!(threshold_53(1.5), 1 << 53);
        assert_eq!(threshold_53(0.5), 1 << 52);
        assert_eq!(threshold_53(0.0), 0);
        assert_eq!(threshold_53(f64::NAN), 0);
    }

    #[test]
    fn golden_first_draws() {
        // Pins the seeding convention: a change here silently changes every seeded result.
        // The literal is the value pinned in tests/integration/value_stability.rs too.
        assert_eq!(from_seed(42).next_u64(), 15021278609987233951);
        let streams = streams(42, 3);
        assert_eq!(streams[0], from_seed(42));
        assert_ne!(streams[1], streams[2]);
    }
}
