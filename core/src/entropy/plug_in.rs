use super::{EntropyError, EntropyEstimator, Samples};
use crate::estimate::{Estimate, Unit};
use crate::rng::uniform_f64;
use alloc::vec;
use alloc::vec::Vec;
use rand_core::Rng;

/// The plug-in (maximum-likelihood) entropy of discrete symbols with the Miller–Madow correction:
/// H = −Σ p̂ ln p̂ + (m − 1)/(2n), m the number of distinct symbols seen, n the sample size. The
/// error bar is the delta-method standard deviation √((Σ p̂ ln² p̂ − H²)/n). Reliable when n is
/// much larger than the number of states with appreciable probability (small alphabets, or
/// small spin systems such as 3×3 Ising, 512 states).
///
/// # Examples
/// ```
/// use entropic::entropy::{EntropyEstimator, PlugIn};
/// let fair_coin: Vec<u64> = (0..10_000).map(|i| i % 2).collect();
/// let h = PlugIn.estimate(&fair_coin[..])?;
/// assert!((h.value - 2f64.ln()).abs() < 1e-3);
/// # Ok::<(), entropic::entropy::EntropyError>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct PlugIn;

impl EntropyEstimator<[u64]> for PlugIn {
    fn estimate(&self, symbols: &[u64]) -> Result<Estimate, EntropyError> {
        let n = symbols.len();
        if n < 2 {
            return Err(EntropyError::TooFewSamples { len: n, min: 2 });
        }
        let mut sorted: Vec<u64> = symbols.to_vec();
        sorted.sort_unstable();
        let (mut h, mut h2, mut m) = (0.0, 0.0, 0usize);
        for run in sorted.chunk_by(|a, b| a == b) {
            let p = run.len() as f64 / n as f64;
            let lp = libm::log(p);
            h -= p * lp;
            h2 += p * lp * lp;
            m += 1;
        }
        let var = (h2 - h * h).max(0.0) / n as f64;
        Ok(Estimate::new(
            h + (m as f64 - 1.0) / (2.0 * n as f64),
            libm::sqrt(var),
            Unit::Nats,
            n,
        ))
    }
}

/// The plug-in entropy of discrete rows: each distinct row of `x` (values compared exactly) is
/// one symbol, so ±1 spin configurations, integer labels or any quantised data work as they
/// are.
///
/// # Examples
/// Two bits visiting their four states equally often: H = 2 ln 2 (plus the Miller–Madow term
/// 3/2n).
/// ```
/// use entropic::entropy::{EntropyEstimator, PlugIn};
/// use entropic::samples::Samples;
/// let bits: Vec<f64> = (0..4000).flat_map(|i| [f64::from(i % 2), f64::from(i / 2 % 2)]).collect();
/// let h = PlugIn.estimate(&Samples::new(bits, 2)?)?;
/// assert!((h.value - 2.0 * 2f64.ln() - 3.0 / 8000.0).abs() < 1e-12);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
impl EntropyEstimator<Samples> for PlugIn {
    fn estimate(&self, x: &Samples) -> Result<Estimate, EntropyError> {
        let mut order: Vec<usize> = (0..x.len()).collect();
        let lexicographic = |a: &usize, b: &usize| {
            x.row(*a)
                .iter()
                .zip(x.row(*b))
                .map(|(u, v)| u.total_cmp(v))
                .find(|o| o.is_ne())
                .unwrap_or(core::cmp::Ordering::Equal)
        };
        order.sort_unstable_by(lexicographic);
        let mut symbols = vec![0u64; x.len()];
        let mut symbol = 0u64;
        for (k, pair) in order.windows(2).enumerate() {
            if lexicographic(&pair[0], &pair[1]).is_ne() {
                symbol += 1;
            }
            symbols[order[k + 1]] = symbol;
        }
        self.estimate(&symbols[..])
    }
}

/// Dequantise ±1 spin configurations (rows of `spins`, `n` spins each): xᵢ = sᵢ + uᵢ with uᵢ
/// uniform on [−1, 1), one spin step wide, so the cells of +1 and −1 ([0, 2) and [−2, 0)) tile
/// the line without overlap. The density of x is p(s)/2ⁿ on the cell of s, hence
///
/// h(x) = H(s) + n ln 2 exactly,
///
/// and any continuous estimator of h(x) gives the absolute discrete entropy H(s) = h(x) − n ln 2
/// (see [`DEQUANTISATION_NATS_PER_SPIN`]).
///
/// # Errors
/// [`EntropyError::Samples`] for n = 0, a ragged array or a value other than ±1.
pub fn dequantise_spins<R: Rng + ?Sized>(
    spins: &[i8],
    n: usize,
    rng: &mut R,
) -> Result<Samples, EntropyError> {
    if spins.iter().any(|&s| s != 1 && s != -1) {
        return Err(EntropyError::Samples("spins must be +1 or −1"));
    }
    let x = spins
        .iter()
        .map(|&s| f64::from(s) + 2.0 * uniform_f64(rng) - 1.0)
        .collect();
    Ok(Samples::new(x, n)?)
}

/// ln 2: the differential entropy per spin added by [`dequantise_spins`].
pub const DEQUANTISATION_NATS_PER_SPIN: f64 = core::f64::consts::LN_2;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entropy::KozachenkoLeonenko;
    use crate::lattice::{Ising, Square, Temperature, enumeration};
    use crate::rng::from_seed;

    /// Exact Boltzmann samples as symbols (the spins' bits).
    fn exact_samples(model: &Ising, t: Temperature, count: usize, seed: u64) -> Vec<u64> {
        let spins = enumeration::boltzmann_samples(model, t, count, &mut from_seed(seed)).unwrap();
        spins
            .chunks(model.lattice().sites())
            .map(|row| {
                row.iter()
                    .enumerate()
                    .filter(|(_, s)| **s > 0)
                    .fold(0, |a, (i, _)| a | 1 << i)
            })
            .collect()
    }

    #[test]
    fn plug_in_matches_enumeration_on_three_by_three_ising() {
        let model = Ising::new(Square::new(3, 3).unwrap(), 1.0, 0.0).unwrap();
        for t in [1.5, 2.5, 5.0] {
            let t = Temperature::new(t).unwrap();
            let exact = enumeration::exact(&model, t).unwrap().entropy_per_spin * 9.0;
            let h = PlugIn
                .estimate(&exact_samples(&model, t, 50_000, 1)[..])
                .unwrap();
            // Miller–Madow leaves O(1/n²) bias: the delta-method bar is the whole error.
            assert!(
                (h.value - exact).abs() < 4.0 * h.std_error + 2e-3,
                "T={t:?}: {h:?} vs {exact}"
            );
        }
    }

    #[test]
    fn dequantised_entropy_is_discrete_entropy_plus_ln2_per_spin() {
        // One spin with p(+1) = 0.8: h(x) = H(0.8) + ln 2; 1D kNN is accurate for this
        // piecewise-constant density.
        let mut rng = from_seed(2);
        let spins: Vec<i8> = (0..20_000)
            .map(|_| if uniform_f64(&mut rng) < 0.8 { 1 } else { -1 })
            .collect();
        let x = dequantise_spins(&spins, 1, &mut rng).unwrap();
        let h = KozachenkoLeonenko::new(4).unwrap().estimate(&x).unwrap();
        let discrete = -(0.8f64 * 0.8f64.ln() + 0.2f64 * 0.2f64.ln());
        let recovered = h.value - DEQUANTISATION_NATS_PER_SPIN;
        assert!(
            (recovered - discrete).abs() < 4.0 * h.std_error,
            "{recovered} vs {discrete}"
        );
        assert!(dequantise_spins(&[1, 0], 1, &mut rng).is_err());
        assert!(dequantise_spins(&[1; 3], 2, &mut rng).is_err());
    }
}
