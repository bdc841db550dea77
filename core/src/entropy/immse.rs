use super::{EntropyError, EntropyEstimator, Samples};
use crate::diffusion::{Denoiser, SpinKind, VpSde, log_snr_range, scale_and_variance};
use crate::estimate::{Estimate, Unit};
use crate::rng::{from_seed, normal_pair, uniform_f64, uniform_index};
use alloc::vec;
use alloc::vec::Vec;

/// Draws per batched denoiser evaluation.
const BATCH: usize = 64;
/// Most distinct values per coordinate accepted as discrete data.
const MAX_ALPHABET: usize = 64;
/// How far beyond λ(ε) the integral runs for data on circles (snr × e⁶ ≈ 400): the integrand
/// there decays like J/snr (J the conditional Fisher information of an angle), so the tail left
/// out is J/(2 snr_max) ≈ 10⁻⁵ nats per site even for the 20×20 XY model at T = 0.1.
const CIRCLE_EXTENSION: f64 = 6.0;
/// Tolerance of |x| = 1 for data on circles.
const UNIT_TOLERANCE: f64 = 1e-9;

/// The prior Q whose mismatched-estimation error is the control variate.
enum Reference {
    /// Uniform on each coordinate's alphabet (discrete data): −E_P ln Q = Σᵢ ln |Aᵢ|.
    Alphabets(Vec<Vec<f64>>),
    /// Uniform on the circle for each coordinate pair (planar unit vectors): the density of the
    /// angles with respect to dθ has −E_P ln Q = m ln 2π for m circles.
    Circles,
}

impl Reference {
    /// Q's posterior mean of one data row `x` observed at (k, σ²), into `out`.
    fn posterior_mean(&self, x: &[f64], k: f64, s2: f64, out: &mut [f64]) {
        match self {
            Self::Alphabets(alphabet) => {
                for ((o, &x), a) in out.iter_mut().zip(x).zip(alphabet) {
                    *o = uniform_posterior_mean(a, x, k, s2);
                }
            }
            Self::Circles => {
                for (o, x) in out.chunks_mut(2).zip(x.chunks(2)) {
                    SpinKind::Planar.mean(&[k * x[0] / s2, k * x[1] / s2], o);
                }
            }
        }
    }

    /// Q's prior mean of coordinate `j`.
    fn centre(&self, j: usize) -> f64 {
        match self {
            Self::Alphabets(alphabet) => alphabet[j].iter().sum::<f64>() / alphabet[j].len() as f64,
            Self::Circles => 0.0,
        }
    }

    /// −E_P ln Q, the exactly known value of the control variate's integral.
    fn cross_entropy(&self, dim: usize) -> f64 {
        match self {
            Self::Alphabets(alphabet) => alphabet.iter().map(|a| libm::log(a.len() as f64)).sum(),
            Self::Circles => (dim / 2) as f64 * libm::log(2.0 * core::f64::consts::PI),
        }
    }
}

/// The distinct values of every column (sorted), or `None` if a column has more than
/// [`MAX_ALPHABET`].
fn alphabets(x: &Samples) -> Option<Vec<Vec<f64>>> {
    (0..x.dim())
        .map(|j| {
            let mut values: Vec<f64> = Vec::new();
            for i in 0..x.len() {
                let v = x.row(i)[j];
                if let Err(pos) = values.binary_search_by(|a| a.total_cmp(&v)) {
                    if values.len() == MAX_ALPHABET {
                        return None;
                    }
                    values.insert(pos, v);
                }
            }
            Some(values)
        })
        .collect()
}

/// Running sums of the per-draw terms (a, b) of one λ-cell.
#[derive(Clone, Copy, Debug, Default)]
struct Cell {
    n: f64,
    a: f64,
    b: f64,
    aa: f64,
    bb: f64,
    ab: f64,
}

impl Cell {
    fn add(&mut self, a: f64, b: f64) {
        self.n += 1.0;
        self.a += a;
        self.b += b;
        self.aa += a * a;
        self.bb += b * b;
        self.ab += a * b;
    }

    /// Means of a and b and their sample (co)variances.
    fn moments(&self) -> (f64, f64, f64, f64, f64) {
        let (ma, mb) = (self.a / self.n, self.b / self.n);
        let f = self.n / (self.n - 1.0);
        (
            ma,
            mb,
            f * (self.aa / self.n - ma * ma).max(0.0),
            f * (self.bb / self.n - mb * mb).max(0.0),
            f * (self.ab / self.n - ma * mb),
        )
    }
}

/// Posterior mean of one coordinate under a uniform prior on `alphabet`, observed as
/// x = k a + σ z (log-sum-exp).
fn uniform_posterior_mean(alphabet: &[f64], x: f64, k: f64, s2: f64) -> f64 {
    let logw = |a: f64| -0.5 * (x - k * a) * (x - k * a) / s2;
    let top = alphabet
        .iter()
        .map(|&a| logw(a))
        .fold(f64::NEG_INFINITY, f64::max);
    let (mut num, mut den) = (0.0, 0.0);
    for &a in alphabet {
        let w = libm::exp(logw(a) - top);
        num += w * a;
        den += w;
    }
    num / den
}

/// Entropy of **discrete** data, or of **angles** given as unit vectors, from a posterior-mean
/// [`Denoiser`], by the I-MMSE relation
/// (Guo, Shamai & Verdú 2005): for y = √snr x₀ + z, dI(x₀; y)/dsnr = ½ mmse(snr), and
/// I(x₀; y) → H(x₀) as snr → ∞ when x₀ is discrete, so
///
/// H(x₀) = ½ ∫₀^∞ mmse(snr) dsnr = ½ ∫ snr · E|x₀ − E[x₀ | x_λ]|² dλ,  λ = ln snr.
///
/// The VP-SDE's x_t = k x₀ + σ z is y scaled by σ (snr = k²/σ², λ = [`log_snr`](crate::diffusion::log_snr)), so a denoiser of
/// the diffusion — equivalently its score, by Tweedie's formula — gives the entropy directly: this
/// is MINDE's entropy-as-integrated-score-error (thesis Eq. 2.54) with the reference taken to be
/// the data's own noise-free limit. The Gaussian cross-entropy and the dequantisation constant never
/// appear, which is what lets a score model give **absolute** Ising entropies (plain dequantised
/// MINDE is +3.5 nats off on a 4×4 lattice, see the README).
///
/// **Control variate.** The same relation holds for a mismatched prior Q (Verdú 2010):
/// ½ ∫ mse_Q dsnr = H(x₀) + D(P ‖ Q) = −E_P ln Q. With Q uniform on each coordinate's alphabet
/// (the values seen in the samples; at most 64 per coordinate, otherwise the data are refused as
/// not discrete) the right side is Σᵢ ln |Aᵢ| exactly and Q's posterior mean is a per-coordinate
/// softmax, so
///
/// E\[I_Q\] = Σᵢ ln |Aᵢ| for the Monte Carlo integral I_Q of ½ snr |x₀ − x̂_Q|² on the same noisy
/// draws (for ±1 spins x̂_Q = tanh(k x/σ²)); the estimate is I − c (I_Q − Σᵢ ln |Aᵢ|) with the
/// variance-minimising c = Cov(I, I_Q)/Var(I_Q) from the cells' sample covariances (c → 1 when
/// the data are nearly uniform, c → 0 when Q is a poor guide, as for an ordered lattice).
///
/// Over the schedule's range [λ(T), λ(ε)] the integral is a stratified Monte Carlo average:
/// `strata` equal λ-cells, draw r in cell r mod `strata` with λ uniform inside it, x₀ a random
/// sample, x from the SDE; the error bar combines the cells' standard errors. Below λ(T),
/// ½ ∫₀^{snr_T} (mse_Q − mse) = ½ snr_T Σᵢ (E x₀ᵢ − Āᵢ)² to first order (Āᵢ the alphabet's mean;
/// ~0 for symmetric spins); above λ(ε) both errors vanish (≲ e^{−snr δ²/8} for support points δ
/// apart: e^{−4500} for ±1 spins at ε = 10⁻³).
///
/// Any denoiser's mean squared error is at least the MMSE, so an imperfect model biases the
/// estimate **upwards**: up to Monte Carlo error it is an upper bound on H(x₀).
///
/// **Angles** ([`Immse::on_circles`], the XY model): x₀ = (cos θᵢ, sin θᵢ)ᵢ has no density in
/// ℝ^2m and I(x₀; y) grows like (m/2) ln snr, but the mismatched relation still holds between
/// priors on the same circles: ½ ∫ (mse_Q − mmse) dsnr = D(P ‖ Q) with Q uniform on every circle,
/// whose posterior mean is the von Mises mean A(k|x|/σ²) x/|x|. So
/// h(θ) = m ln 2π − ½ ∫ snr (mse_Q − mse) dλ (differential entropy of the angles, nats, w.r.t.
/// dθ), the control variate enters with c = 1, the integral runs to λ(ε) + 6 (the denoiser
/// must accept λ beyond its training range; the difference decays like 1/snr) and the excess
/// entropy per spin of Table 4.2 is h/m − ln 2π.
///
/// # Examples
/// ```
/// use entropic::diffusion::{ExactDenoiser, VpSde};
/// use entropic::entropy::{EntropyEstimator, Immse, Samples};
/// // A fair coin on {−1, +1}: H = ln 2.
/// let coin = ExactDenoiser::new(1, vec![-1.0, 1.0], &[0.5, 0.5])?;
/// let data = Samples::new(vec![-1.0, 1.0], 1)?;
/// let h = Immse::new(VpSde::default(), coin, 4000, 40, 1)?.estimate(&data)?;
/// assert!((h.value - core::f64::consts::LN_2).abs() < 4.0 * h.std_error + 1e-3);
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Immse<D> {
    sde: VpSde,
    denoiser: D,
    draws: usize,
    strata: usize,
    seed: u64,
    circles: bool,
}

impl<D: Denoiser + Clone> Immse<D> {
    /// # Errors
    /// [`EntropyError::Parameter`] unless strata ≥ 1 and draws ≥ 2·strata (two per cell, for
    /// the error bar).
    pub fn new(
        sde: VpSde,
        denoiser: D,
        draws: usize,
        strata: usize,
        seed: u64,
    ) -> Result<Self, EntropyError> {
        if strata == 0 || draws < strata.saturating_mul(2) {
            return Err(EntropyError::Parameter(
                "I-MMSE needs at least one λ-cell and two draws per cell",
            ));
        }
        Ok(Self {
            sde,
            denoiser,
            draws,
            strata,
            seed,
            circles: false,
        })
    }

    /// The estimator for angles given as unit vectors, coordinate pairs (cos θᵢ, sin θᵢ): it
    /// returns the differential entropy of the angles (nats, with respect to dθ; see the type's
    /// documentation).
    ///
    /// # Errors
    /// As [`Immse::new`].
    pub fn on_circles(
        sde: VpSde,
        denoiser: D,
        draws: usize,
        strata: usize,
        seed: u64,
    ) -> Result<Self, EntropyError> {
        Ok(Self {
            circles: true,
            ..Self::new(sde, denoiser, draws, strata, seed)?
        })
    }
}

impl<D: Denoiser + Clone> EntropyEstimator<Samples> for Immse<D> {
    fn estimate(&self, x: &Samples) -> Result<Estimate, EntropyError> {
        let (n, d) = (x.len(), x.dim());
        if d != self.denoiser.dim() {
            return Err(EntropyError::Samples(
                "the samples' dimension differs from the denoiser's",
            ));
        }
        if n < 2 {
            return Err(EntropyError::Samples("I-MMSE needs at least 2 samples"));
        }
        let reference = if self.circles {
            let on_circle = |v: &[f64]| (libm::hypot(v[0], v[1]) - 1.0).abs() <= UNIT_TOLERANCE;
            if d % 2 != 0 || !(0..n).all(|i| x.row(i).chunks(2).all(on_circle)) {
                return Err(EntropyError::Samples(
                    "I-MMSE on circles needs unit vectors (cos θ, sin θ) in coordinate pairs",
                ));
            }
            Reference::Circles
        } else {
            Reference::Alphabets(alphabets(x).ok_or(EntropyError::Samples(
                "I-MMSE needs discrete data (at most 64 distinct values per coordinate)",
            ))?)
        };
        let (lo, hi) = log_snr_range(&self.sde);
        let hi = hi + if self.circles { CIRCLE_EXTENSION } else { 0.0 };
        let width = (hi - lo) / self.strata as f64;
        let mut rng = from_seed(self.seed);
        let mut denoiser = self.denoiser.clone();
        let mut cells = vec![Cell::default(); self.strata];
        let (mut xt, mut x0, mut hat, mut q) = (Vec::new(), Vec::new(), Vec::new(), vec![0.0; d]);
        let (mut lambdas, mut cell_of) = (Vec::new(), Vec::new());
        let mut done = 0;
        while done < self.draws {
            let b = BATCH.min(self.draws - done);
            xt.resize(b * d, 0.0);
            x0.resize(b * d, 0.0);
            hat.resize(b * d, 0.0);
            lambdas.clear();
            cell_of.clear();
            for i in 0..b {
                let cell = (done + i) % self.strata;
                let l = lo + width * (cell as f64 + uniform_f64(&mut rng));
                let (k, s2) = scale_and_variance(l);
                let s = libm::sqrt(s2);
                let row = x.row(uniform_index(&mut rng, n));
                x0[i * d..(i + 1) * d].copy_from_slice(row);
                for (pair, r) in xt[i * d..(i + 1) * d].chunks_mut(2).zip(row.chunks(2)) {
                    let (z1, z2) = normal_pair(&mut rng);
                    for ((v, &r), z) in pair.iter_mut().zip(r).zip([z1, z2]) {
                        *v = k * r + s * z;
                    }
                }
                lambdas.push(l);
                cell_of.push(cell);
            }
            denoiser.denoise_batch(&xt, &lambdas, &mut hat)?;
            for i in 0..b {
                let (k, s2) = scale_and_variance(lambdas[i]);
                let r = i * d..(i + 1) * d;
                let (x0i, xti, hati) = (&x0[r.clone()], &xt[r.clone()], &hat[r]);
                reference.posterior_mean(xti, k, s2, &mut q);
                let (mut err, mut err_q) = (0.0, 0.0);
                for ((&x0, &hat), &q) in x0i.iter().zip(hati).zip(&q) {
                    err += (x0 - hat) * (x0 - hat);
                    err_q += (x0 - q) * (x0 - q);
                }
                let half_snr = 0.5 * libm::exp(lambdas[i]);
                let (a, b) = (half_snr * err, half_snr * err_q);
                if !a.is_finite() {
                    return Err(EntropyError::Samples(
                        "the denoiser returned NaN or infinite values",
                    ));
                }
                cells[cell_of[i]].add(a, b);
            }
            done += b;
        }
        // Stratified integrals of a = ½ snr |x₀ − x̂|² and b = ½ snr |x₀ − x̂_Q|², their
        // variances and covariance.
        let (mut ia, mut ib, mut vaa, mut vbb, mut vab) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for cell in &cells {
            let (ma, mb, caa, cbb, cab) = cell.moments();
            let w2n = width * width / cell.n;
            ia += width * ma;
            ib += width * mb;
            vaa += w2n * caa;
            vbb += w2n * cbb;
            vab += w2n * cab;
        }
        // Below λ(T), to first order in snr: ½ snr_T tr Cov(x₀) and ½ snr_T Σᵢ E(x₀ᵢ − Āᵢ)².
        let (mut tail_a, mut tail_b) = (0.0, 0.0);
        for j in 0..d {
            let col = || (0..n).map(move |i| x.row(i)[j]);
            let mean = col().sum::<f64>() / n as f64;
            let centre = reference.centre(j);
            tail_a += col().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64;
            tail_b += col().map(|v| (v - centre) * (v - centre)).sum::<f64>() / n as f64;
        }
        let snr_lo = libm::exp(lo);
        let (ia, ib) = (ia + 0.5 * snr_lo * tail_a, ib + 0.5 * snr_lo * tail_b);
        // E[I_b] = −E_P ln Q exactly (discrete data): subtract c (I_b − that) with the
        // variance-minimising c. On circles I_b alone diverges as λ → ∞ and only the difference
        // converges: c = 1.
        let known = reference.cross_entropy(d);
        let c = if self.circles {
            1.0
        } else if vbb > 0.0 {
            vab / vbb
        } else {
            0.0
        };
        let value = ia - c * (ib - known);
        let var = (vaa - 2.0 * c * vab + c * c * vbb).max(0.0);
        Ok(Estimate::new(value, libm::sqrt(var), Unit::Nats, n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diffusion::{
        Conditioning, ExactDenoiser, LatticeData, LatticeDenoiser, ScoreTrainParams, SpinKind,
        Trainer,
    };
    use crate::entropy::ExactEnumeration;
    use crate::lattice::{Ising, Square, Temperature, enumeration};

    fn spin_samples(model: &Ising, t: f64, count: usize, seed: u64) -> Vec<f64> {
        let mut rng = from_seed(seed);
        enumeration::boltzmann_samples(model, Temperature::new(t).unwrap(), count, &mut rng)
            .unwrap()
            .into_iter()
            .map(f64::from)
            .collect()
    }

    #[test]
    fn exact_denoiser_gives_the_enumerated_ising_entropy() {
        let model = Ising::new(Square::with_side(3).unwrap(), 1.0, 0.0).unwrap();
        for t in [1.5, 3.0] {
            let denoiser = ExactDenoiser::ising(&model, Temperature::new(t).unwrap()).unwrap();
            let data = Samples::new(spin_samples(&model, t, 4000, 1), 9).unwrap();
            let h = Immse::new(VpSde::default(), denoiser, 6000, 60, 2)
                .unwrap()
                .estimate(&data)
                .unwrap();
            let exact = ExactEnumeration::new(Temperature::new(t).unwrap())
                .estimate(&model)
                .unwrap()
                .value;
            std::println!("T = {t}: I-MMSE {h} vs exact {exact:.4}");
            assert!(
                (h.value - exact).abs() < 4.0 * h.std_error,
                "{h} vs {exact}"
            );
        }
    }

    /// Independent von Mises(κ, 0) angles on `sites` circles: the exact posterior of each has
    /// natural parameter k x/σ² + (κ, 0).
    #[derive(Clone)]
    struct VonMisesSites {
        sites: usize,
        kappa: f64,
    }

    impl Denoiser for VonMisesSites {
        fn dim(&self) -> usize {
            2 * self.sites
        }

        fn denoise_batch(
            &mut self,
            x: &[f64],
            lambda: &[f64],
            out: &mut [f64],
        ) -> Result<(), crate::diffusion::DiffusionError> {
            let d = self.dim();
            for ((row, &l), o) in x.chunks(d).zip(lambda).zip(out.chunks_mut(d)) {
                let (k, s2) = scale_and_variance(l);
                for (v, o) in row.chunks(2).zip(o.chunks_mut(2)) {
                    SpinKind::Planar.mean(&[k * v[0] / s2 + self.kappa, k * v[1] / s2], o);
                }
            }
            Ok(())
        }
    }

    /// von Mises samples by rejection from the uniform angle (acceptance e^{κ(cos θ − 1)}).
    fn von_mises_angles(kappa: f64, count: usize, seed: u64) -> Vec<f64> {
        let mut rng = from_seed(seed);
        let mut out = Vec::with_capacity(count);
        while out.len() < count {
            let t = 2.0 * core::f64::consts::PI * uniform_f64(&mut rng);
            if uniform_f64(&mut rng) < libm::exp(kappa * (libm::cos(t) - 1.0)) {
                out.push(t);
            }
        }
        out
    }

    #[test]
    fn exact_von_mises_denoiser_gives_the_angle_entropy() {
        // h = ln 2π I₀(κ) − κ A(κ) per angle.
        let (sites, kappa) = (3, 2.0);
        let angles = von_mises_angles(kappa, 3000 * sites, 4);
        let units: Vec<f64> = angles
            .iter()
            .flat_map(|&t| [libm::cos(t), libm::sin(t)])
            .collect();
        let data = Samples::new(units, 2 * sites).unwrap();
        let denoiser = VonMisesSites { sites, kappa };
        let h = Immse::on_circles(VpSde::default(), denoiser, 8000, 40, 5)
            .unwrap()
            .estimate(&data)
            .unwrap();
        let exact = sites as f64
            * (libm::log(2.0 * core::f64::consts::PI) + crate::special::ln_bessel_i0(kappa)
                - kappa * crate::special::bessel_ratio(kappa));
        std::println!("von Mises κ = {kappa}: I-MMSE {h} vs exact {exact:.4}");
        assert!(
            (h.value - exact).abs() < 4.0 * h.std_error,
            "{h} vs {exact}"
        );
        // Not unit vectors: refused.
        let off = Samples::new(vec![0.5; 12], 2 * sites).unwrap();
        let denoiser = VonMisesSites { sites, kappa };
        let estimator = Immse::on_circles(VpSde::default(), denoiser, 100, 10, 5).unwrap();
        assert!(estimator.estimate(&off).is_err());
    }

    #[test]
    fn learned_conditional_denoiser_gives_absolute_ising_entropies() {
        // One temperature-conditioned model for T ∈ {1.5, 2.5, 4}; each entropy within 4σ plus
        // the issue's accuracy goal (0.01 bits per spin) of enumeration.
        let model = Ising::new(Square::with_side(3).unwrap(), 1.0, 0.0).unwrap();
        let temps = [1.5, 2.5, 4.0];
        let (mut spins, mut labels) = (Vec::new(), Vec::new());
        for (k, &t) in temps.iter().enumerate() {
            spins.extend(spin_samples(&model, t, 3000, 10 + k as u64));
            labels.extend([t; 3000]);
        }
        let data = LatticeData::new(3, spins.clone(), labels).unwrap();
        let sde = VpSde::default();
        let cond = Conditioning::Temperature { lo: 1.5, hi: 4.0 };
        let mut rng = from_seed(3);
        let net =
            LatticeDenoiser::new(sde, SpinKind::Ising, 3, cond, &[32, 32], 0, &mut rng).unwrap();
        let params = ScoreTrainParams {
            steps: 3000,
            batch: 16,
            learning_rate: 2e-3,
            ema_decay: 0.99,
            parts: 1,
        };
        let mut run = Trainer::new(net, &data, params, 4).unwrap();
        let losses = run.run(&data, usize::MAX).unwrap();
        let trained = run.finish();
        let goal = 9.0 * 0.01 * core::f64::consts::LN_2;
        for (k, &t) in temps.iter().enumerate() {
            let rows = Samples::new(spins[k * 27_000..(k + 1) * 27_000].to_vec(), 9).unwrap();
            let h = Immse::new(sde, trained.at_temperature(t).unwrap(), 6000, 60, 5)
                .unwrap()
                .estimate(&rows)
                .unwrap();
            let exact = ExactEnumeration::new(Temperature::new(t).unwrap())
                .estimate(&model)
                .unwrap()
                .value;
            std::println!(
                "T = {t}: learned I-MMSE {h} vs exact {exact:.4} (loss {:.4} → {:.4})",
                losses[0],
                losses[losses.len() - 1]
            );
            assert!(
                (h.value - exact).abs() < 4.0 * h.std_error + goal,
                "{h} vs {exact}"
            );
        }
    }
}
