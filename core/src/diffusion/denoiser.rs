use super::{DiffusionError, Score, VpSde};
use crate::lattice::{Ising, Temperature};
use crate::model::Model;
use crate::special::sigmoid;
use alloc::vec;
use alloc::vec::Vec;

/// The log signal-to-noise ratio λ = ln(k_t²/(1 − k_t²)) of the VP-SDE at time t: x_t = k_t x₀ +
/// √(1 − k_t²) z has k² = sigmoid(λ) and 1 − k² = sigmoid(−λ).
pub fn log_snr(sde: &VpSde, t: f64) -> f64 {
    let b = sde.integrated_beta(t);
    // k² / (1 − k²) = 1 / (e^{∫β} − 1).
    -libm::log(libm::expm1(b))
}

/// The log-SNR range [λ(T), λ(ε)] the VP-SDE spans, from the noisiest to the cleanest time.
pub fn log_snr_range(sde: &VpSde) -> (f64, f64) {
    (log_snr(sde, sde.t_end()), log_snr(sde, sde.eps()))
}

/// The time at which the VP-SDE's log-SNR is λ (the inverse of [`log_snr`]): the root of
/// ∫₀ᵗβ = ln(1 + e^{−λ}) with ∫₀ᵗβ = β_min t + ½(β_max − β_min)t², in the form that does not
/// cancel. Times beyond [0, T] are returned as they are (the schedule extended).
pub fn time_at_log_snr(sde: &VpSde, lambda: f64) -> f64 {
    let b = libm::log1p(libm::exp(-lambda));
    let (lo, hi) = (sde.beta(0.0), sde.beta(1.0));
    2.0 * b / (lo + libm::sqrt(lo * lo + 2.0 * (hi - lo) * b))
}

/// (k, σ²) of x = k x₀ + σ z at log-SNR λ: k² = sigmoid(λ), σ² = sigmoid(−λ).
pub fn scale_and_variance(lambda: f64) -> (f64, f64) {
    (libm::sqrt(sigmoid(lambda)), sigmoid(-lambda))
}

/// A posterior-mean denoiser: x̂(x, λ) ≈ E[x₀ | k x₀ + σ z = x] at log-SNR λ (k² = sigmoid(λ),
/// σ² = sigmoid(−λ)). By Tweedie's formula it is the score, ∇ ln p(x) = −(x − k x̂)/σ².
///
/// # Examples
/// A denoiser of one's own: a biased coin on {−1, +1} with P(+1) = p has the posterior mean
/// x̂ = tanh(½ ln(p/(1 − p)) + k x/σ²); fed to the I-MMSE estimator it gives the coin's entropy
/// −p ln p − (1 − p) ln(1 − p).
/// ```
/// use entropic::diffusion::{Denoiser, DiffusionError, VpSde, scale_and_variance};
/// use entropic::entropy::{EntropyEstimator, Immse, Samples};
///
/// #[derive(Clone)]
/// struct Coin { p: f64 }
/// impl Denoiser for Coin {
///     fn dim(&self) -> usize { 1 }
///     fn denoise_batch(&mut self, x: &[f64], lambda: &[f64], out: &mut [f64]) -> Result<(), DiffusionError> {
///         if x.len() != lambda.len() || out.len() != x.len() {
///             return Err(DiffusionError::Shape("one value and one λ per row"));
///         }
///         let prior = 0.5 * libm::log(self.p / (1.0 - self.p));
///         for ((o, &v), &l) in out.iter_mut().zip(x).zip(lambda) {
///             let (k, var) = scale_and_variance(l);
///             *o = libm::tanh(prior + k * v / var);
///         }
///         Ok(())
///     }
/// }
///
/// let p = 0.8;
/// let data = Samples::new(vec![1.0, 1.0, 1.0, 1.0, -1.0], 1)?; // P(+1) = 0.8
/// let h = Immse::new(VpSde::default(), Coin { p }, 4000, 40, 1)?.estimate(&data)?;
/// let exact = -p * libm::log(p) - (1.0 - p) * libm::log(1.0 - p);
/// assert!((h.value - exact).abs() < 4.0 * h.std_error + 1e-3, "{} ± {} vs {exact}", h.value, h.std_error);
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
pub trait Denoiser {
    /// Dimension of x.
    fn dim(&self) -> usize;
    /// Write x̂ for the rows of `x` (one λ per row) into `out`. Estimators may ask for λ
    /// outside the range a learned model was trained on ([`crate::entropy::Immse::on_circles`]
    /// goes 6 beyond λ(ε)).
    ///
    /// # Errors
    /// [`DiffusionError::Shape`] if the lengths of `x`, `lambda` and `out` do not fit
    /// [`Denoiser::dim`]; an implementation's own error.
    fn denoise_batch(
        &mut self,
        x: &[f64],
        lambda: &[f64],
        out: &mut [f64],
    ) -> Result<(), DiffusionError>;
}

/// A [`Denoiser`] used as a [`Score`] through Tweedie's formula
/// ∇ₓ ln p_t(x) = −(x − k_t x̂(x, λ(t)))/σ_t² with λ(t) the [`VpSde`]'s log-SNR: any denoiser
/// drives the reverse-SDE samplers. It is still a [`Denoiser`] (delegating), so the same value
/// feeds the entropy estimators.
#[derive(Clone, Debug)]
pub struct Tweedie<D> {
    sde: VpSde,
    denoiser: D,
    lambda: Vec<f64>,
    mean: Vec<f64>,
}

impl<D: Denoiser> Tweedie<D> {
    /// The score of `denoiser` under the diffusion `sde`.
    pub fn new(sde: VpSde, denoiser: D) -> Self {
        Self {
            sde,
            denoiser,
            lambda: Vec::new(),
            mean: Vec::new(),
        }
    }

    /// The wrapped denoiser.
    pub fn denoiser(&self) -> &D {
        &self.denoiser
    }

    /// The wrapped denoiser, by value.
    pub fn into_denoiser(self) -> D {
        self.denoiser
    }
}

impl<D: Denoiser> Denoiser for Tweedie<D> {
    fn dim(&self) -> usize {
        self.denoiser.dim()
    }

    fn denoise_batch(
        &mut self,
        x: &[f64],
        lambda: &[f64],
        out: &mut [f64],
    ) -> Result<(), DiffusionError> {
        self.denoiser.denoise_batch(x, lambda, out)
    }
}

impl<D: Denoiser> Score for Tweedie<D> {
    fn dim(&self) -> usize {
        self.denoiser.dim()
    }

    fn score_batch(&mut self, x: &[f64], t: &[f64], out: &mut [f64]) -> Result<(), DiffusionError> {
        let d = self.denoiser.dim();
        super::score::check_rows(d, x, t, out)?;
        self.lambda.clear();
        self.lambda.extend(t.iter().map(|&t| log_snr(&self.sde, t)));
        self.mean.resize(x.len(), 0.0);
        self.denoiser
            .denoise_batch(x, &self.lambda, &mut self.mean)?;
        for ((o, (x, m)), &l) in out
            .chunks_mut(d)
            .zip(x.chunks(d).zip(self.mean.chunks(d)))
            .zip(&self.lambda)
        {
            let (k, s2) = scale_and_variance(l);
            for ((o, &x), &m) in o.iter_mut().zip(x).zip(m) {
                *o = -(x - k * m) / s2;
            }
        }
        Ok(())
    }
}

/// The exact posterior mean of a discrete distribution given by its support points and
/// probabilities (for small systems, e.g. every state of a 3×3 Ising lattice): the oracle the
/// denoising estimators are tested with.
#[derive(Clone, Debug, PartialEq)]
pub struct ExactDenoiser {
    dim: usize,
    states: Vec<f64>,
    log_p: Vec<f64>,
}

impl ExactDenoiser {
    /// `states` row-major m×`dim`, `probabilities` of length m (normalised here).
    ///
    /// # Errors
    /// [`DiffusionError::Shape`] for mismatched lengths, no states, non-finite values or
    /// probabilities that are negative or all zero.
    pub fn new(
        dim: usize,
        states: Vec<f64>,
        probabilities: &[f64],
    ) -> Result<Self, DiffusionError> {
        let m = probabilities.len();
        if dim == 0 || m == 0 || states.len() != m * dim || states.iter().any(|v| !v.is_finite()) {
            return Err(DiffusionError::Shape(
                "need m ≥ 1 finite states of the given dimension, one probability each",
            ));
        }
        let total: f64 = probabilities.iter().sum();
        if probabilities.iter().any(|p| p.is_nan() || *p < 0.0)
            || !total.is_finite()
            || total <= 0.0
        {
            return Err(DiffusionError::Shape(
                "probabilities must be non-negative with a positive finite sum",
            ));
        }
        let log_p = probabilities
            .iter()
            .map(|&p| libm::log(p / total))
            .collect();
        Ok(Self { dim, states, log_p })
    }
}

impl ExactDenoiser {
    /// Largest Ising lattice [`ExactDenoiser::ising`] tabulates: 16 sites (65 536 states).
    pub const MAX_ISING_SITES: usize = 16;

    /// The exact denoiser of a small Ising model's Boltzmann distribution
    /// p(s) ∝ exp(−E(s)/T), every state tabulated as ±1 coordinates.
    ///
    /// # Errors
    /// [`DiffusionError::Shape`] above [`ExactDenoiser::MAX_ISING_SITES`] sites.
    pub fn ising(model: &Ising, t: Temperature) -> Result<Self, DiffusionError> {
        let n = model.lattice().sites();
        if n > Self::MAX_ISING_SITES {
            return Err(DiffusionError::Shape(
                "the exact Ising denoiser tabulates at most 16 sites",
            ));
        }
        let mut state = model.ordered_state();
        let (mut states, mut energies) = (Vec::with_capacity(n << n), Vec::with_capacity(1 << n));
        for bits in 0u32..1 << n {
            for (i, s) in state.spins_mut().iter_mut().enumerate() {
                *s = if bits >> i & 1 == 1 { 1 } else { -1 };
            }
            states.extend(state.spins().iter().map(|&s| f64::from(s)));
            energies.push(model.energy(&state));
        }
        let e0 = energies.iter().copied().fold(f64::INFINITY, f64::min);
        let weights: Vec<f64> = energies
            .iter()
            .map(|e| libm::exp(-(e - e0) * t.beta()))
            .collect();
        Self::new(n, states, &weights)
    }
}

impl Denoiser for ExactDenoiser {
    fn dim(&self) -> usize {
        self.dim
    }

    /// E[x₀ | x] = Σ_s w_s s with w_s ∝ p_s exp(−|x − k s|²/(2σ²)) (log-sum-exp).
    fn denoise_batch(
        &mut self,
        x: &[f64],
        lambda: &[f64],
        out: &mut [f64],
    ) -> Result<(), DiffusionError> {
        let d = self.dim;
        super::score::check_rows(d, x, lambda, out)?;
        let mut logw = vec![0.0; self.log_p.len()];
        for ((row, &l), o) in x.chunks(d).zip(lambda).zip(out.chunks_mut(d)) {
            let (k, s2) = scale_and_variance(l);
            for ((lw, &lp), s) in logw.iter_mut().zip(&self.log_p).zip(self.states.chunks(d)) {
                let r2: f64 = row
                    .iter()
                    .zip(s)
                    .map(|(x, s)| (x - k * s) * (x - k * s))
                    .sum();
                *lw = lp - 0.5 * r2 / s2;
            }
            let top = logw.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            o.iter_mut().for_each(|v| *v = 0.0);
            let mut norm = 0.0;
            for (lw, s) in logw.iter().zip(self.states.chunks(d)) {
                let w = libm::exp(lw - top);
                norm += w;
                o.iter_mut().zip(s).for_each(|(o, s)| *o += w * s);
            }
            o.iter_mut().for_each(|v| *v /= norm);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_snr_matches_the_schedule() {
        let sde = VpSde::default();
        for t in [1e-3, 0.1, 0.5, 1.0] {
            let (k, s2) = scale_and_variance(log_snr(&sde, t));
            assert!((k - sde.mean_coefficient(t)).abs() < 1e-12);
            assert!((s2 - sde.variance(t)).abs() < 1e-12 * s2.max(1e-3));
            let back = time_at_log_snr(&sde, log_snr(&sde, t));
            assert!((back - t).abs() < 1e-12 * t.max(0.01), "{t} → {back}");
        }
    }

    #[test]
    fn exact_denoiser_of_one_spin_is_tanh() {
        // x₀ = ±1 with p(+1) = 0.7: E[x₀ | x] = tanh(k x/σ² + atanh(0.4)).
        let mut d = ExactDenoiser::new(1, vec![1.0, -1.0], &[0.7, 0.3]).unwrap();
        let mut out = [0.0; 3];
        let (x, l) = ([0.3, -1.1, 2.0], [0.5, -2.0, 3.0]);
        d.denoise_batch(&x, &l, &mut out).unwrap();
        for ((&x, &l), &o) in x.iter().zip(&l).zip(&out) {
            let (k, s2) = scale_and_variance(l);
            assert!((o - libm::tanh(k * x / s2 + libm::atanh(0.4))).abs() < 1e-12);
        }
        assert!(ExactDenoiser::new(1, vec![1.0], &[0.5, 0.5]).is_err());
        assert!(ExactDenoiser::new(1, vec![1.0, -1.0], &[-0.5, 0.5]).is_err());
    }
}
