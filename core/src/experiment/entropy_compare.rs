//! Every entropy estimator on one set of samples a user brings; the library side of `entropic
//! entropy compare`.
use super::estimators::{EstimatorConfig, EstimatorRow};
use super::lattice_entropy::{
    Hamiltonian, LatticeEntropy, LatticeEntropyConfig, SpinConfigurations,
};
use super::runtime::timed;
use super::{ExperimentError, Runtime};
use crate::diffusion::{LatticeDenoiser, SpinKind};
use crate::entropy::{
    DEQUANTISATION_NATS_PER_SPIN, EntropyError, EntropyEstimator, GaussianFit, Leaf, Mice, Mine,
    PlugIn, Whitened, dequantise_spins,
};
use crate::estimate::Estimate;
use crate::experiment::check_cancelled;
use crate::rng::stream;
use crate::samples::Samples;
use alloc::vec;
use alloc::vec::Vec;

/// Most spins per sample for the plug-in row: beyond, the 2^N states dwarf any sample, nearly
/// every configuration is seen once and the plug-in value is about ln n, not an estimate.
pub const MAX_PLUG_IN_SPINS: usize = 64;

/// Settings of an [`EntropyCompare`].
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct EntropyCompareConfig {
    /// The values are ±1 spins: dequantise them (x = s + U[−1, 1), so h(x) = H(s) + N ln 2
    /// exactly), report the absolute discrete entropy and add the plug-in estimate (N ≤ 64) and,
    /// for square lattices (N = L²), the I-MMSE estimate of a lattice denoiser. Default false.
    pub spins: bool,
    /// Temperature of spin data: the lattice denoiser's conditioning (nominal T = 1 when
    /// unknown). Default: unknown.
    pub temperature: Option<f64>,
    /// Coupling J of spin data drawn from H = −J Σ_⟨ij⟩ sᵢsⱼ (no field): with the temperature,
    /// turns on belief propagation in the lattice denoiser (4 iterations at βJ). Default:
    /// unknown (no propagation; the model learns the coupling).
    pub coupling: Option<f64>,
    /// Adam steps of each MINE critic of MICE (recursive halves; plug-in leaves on spins, 1D
    /// kNN leaves otherwise); 0 skips MICE. Default 0.
    pub mice_steps: usize,
    /// The estimators.
    pub estimators: EstimatorConfig,
}

/// Rows, in order: the Gaussian fit (an upper bound), kNN on the raw and on the whitened samples
/// ([`Whitened`]), MINDE with a learned score (unless
/// `train_steps` is 0), for spins the lattice denoiser's I-MMSE (square lattices, trained on the
/// first 75 % of the samples, evaluated on the rest), plug-in (N ≤ 64), and MICE if asked for.
/// Every estimate is the total entropy of one sample in nats; for spins the absolute discrete
/// entropy (the dequantisation constant N ln 2 subtracted). Draws come from
/// [`stream`]`(seed, 0)` (dequantisation, then the learned score).
///
/// # Examples
/// 2000 draws of two independent fair coins as ±1 spins: 2 ln 2 nats.
/// ```
/// use entropic::experiment::{EntropyCompare, EntropyCompareConfig, Sequential};
/// use entropic::samples::Samples;
/// let mut rng = entropic::rng::from_seed(4);
/// let spins: Vec<f64> = (0..4000)
///     .map(|_| if entropic::rng::uniform_f64(&mut rng) < 0.5 { -1.0 } else { 1.0 })
///     .collect();
/// let mut config = EntropyCompareConfig::default();
/// config.spins = true;
/// config.estimators.train_steps = 0;
/// let rows = EntropyCompare::new(config, Samples::new(spins, 2)?)?.run(1, &Sequential)?;
/// let plug_in = rows.iter().find(|r| r.estimator == "plug-in").expect("N ≤ 64");
/// assert!((plug_in.estimate.value - 2.0 * std::f64::consts::LN_2).abs() < 0.01);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct EntropyCompare {
    config: EntropyCompareConfig,
    x: Samples,
    lattice: Option<LatticeEntropy>,
}

impl EntropyCompare {
    /// Check the settings against the samples `x` (n × d).
    ///
    /// # Errors
    /// [`ExperimentError::Config`] naming the setting (`data` for spins that are not ±1);
    /// the lattice run's errors.
    pub fn new(config: EntropyCompareConfig, x: Samples) -> Result<Self, ExperimentError> {
        config.estimators.check()?;
        config.estimators.check_memory(x.dim())?;
        if let Some(t) = config.temperature
            && !(t.is_finite() && t > 0.0)
        {
            return Err(ExperimentError::config(
                "temperature",
                "must be finite and positive",
            ));
        }
        let d = x.dim();
        let side = libm::round(libm::sqrt(d as f64)) as usize;
        let lattice = if config.spins {
            if (0..x.len()).any(|i| x.row(i).iter().any(|&v| v != 1.0 && v != -1.0)) {
                return Err(ExperimentError::config(
                    "data",
                    "spins must all be +1 or -1",
                ));
            }
            (config.estimators.train_steps > 0 && side >= 2 && side * side == d)
                .then(|| Self::lattice(&config, &x, side))
                .transpose()?
        } else {
            None
        };
        Ok(Self { config, x, lattice })
    }

    /// The lattice denoiser's run: one temperature (the given one, else a nominal T = 1), 25 %
    /// held out, no generation check; belief propagation only when the temperature and the
    /// coupling are known.
    fn lattice(
        config: &EntropyCompareConfig,
        x: &Samples,
        side: usize,
    ) -> Result<LatticeEntropy, ExperimentError> {
        let n = x.len();
        if n < 4 {
            return Err(ExperimentError::config(
                "data",
                "the lattice I-MMSE row needs at least 4 configurations",
            ));
        }
        let raw = (0..n).flat_map(|i| x.row(i).iter().copied()).collect();
        let t = config.temperature.unwrap_or(1.0);
        let data = SpinConfigurations::new(SpinKind::Ising, side, vec![t], n, raw)?;
        let hamiltonian = config
            .temperature
            .and(config.coupling)
            .map(Hamiltonian::coupling);
        let data = match hamiltonian {
            Some(h) => data.with_hamiltonian(h)?,
            None => data,
        };
        let e = &config.estimators;
        let mut lattice = LatticeEntropyConfig::default();
        lattice.denoiser.hidden = e.hidden.clone();
        lattice.denoiser.propagation = if hamiltonian.is_some() { 4 } else { 0 };
        lattice.training.steps = e.train_steps;
        lattice.draws = e.draws;
        lattice.generation.temperatures = Some(Vec::new());
        LatticeEntropy::new(lattice, data)
    }

    /// The settings.
    pub fn config(&self) -> &EntropyCompareConfig {
        &self.config
    }

    /// The samples the estimators run on.
    pub fn samples(&self) -> &Samples {
        &self.x
    }

    /// Run every estimator in turn (progress per estimator).
    ///
    /// # Errors
    /// [`ExperimentError::Cancelled`]; an estimator's error.
    pub fn run<R: Runtime>(&self, seed: u64, rt: &R) -> Result<Vec<EstimatorRow>, ExperimentError> {
        let (c, e) = (&self.config, &self.config.estimators);
        let d = self.x.dim();
        let mut rng = stream(seed, 0);
        let (x, offset) = if c.spins {
            let spins: Vec<i8> = (0..self.x.len())
                .flat_map(|i| self.x.row(i).iter().map(|&v| v as i8))
                .collect();
            let x = dequantise_spins(&spins, d, &mut rng)?;
            (x, d as f64 * DEQUANTISATION_NATS_PER_SPIN)
        } else {
            (self.x.clone(), 0.0)
        };
        let shift = |r: Result<Estimate, EntropyError>| {
            r.map(|e| Estimate::new(e.value - offset, e.std_error, e.unit, e.samples))
        };
        let mut rows = Vec::new();
        let total = 4
            + usize::from(self.lattice.is_some())
            + usize::from(c.spins && d <= MAX_PLUG_IN_SPINS)
            + usize::from(c.mice_steps > 0);
        let push = |rows: &mut Vec<EstimatorRow>,
                    estimator,
                    (estimate, seconds): (Result<Estimate, ExperimentError>, _)|
         -> Result<(), ExperimentError> {
            check_cancelled(rt)?;
            rows.push(EstimatorRow::new(estimator, estimate?, seconds));
            rt.progress("estimators", rows.len() as u64, total as u64);
            Ok(())
        };
        push(
            &mut rows,
            "gaussian-fit (upper bound)",
            timed(rt, || Ok(shift(GaussianFit.estimate(&x))?)),
        )?;
        let knn = e.knn()?;
        push(&mut rows, "knn", timed(rt, || Ok(shift(knn.estimate(&x))?)))?;
        push(
            &mut rows,
            "knn-whitened",
            timed(rt, || Ok(shift(Whitened(knn).estimate(&x))?)),
        )?;
        if e.train_steps > 0 {
            let mut divergence = None;
            let learned = timed(rt, || {
                let (h, kl) = e.learned_minde(&x, seed, &mut rng, &|| rt.cancelled())?;
                divergence = Some(kl);
                Ok(Estimate::new(
                    h.value - offset,
                    h.std_error,
                    h.unit,
                    h.samples,
                ))
            });
            push(&mut rows, "minde-learned", learned)?;
            if let Some(row) = rows.last_mut() {
                row.divergence = divergence;
            }
        }
        if let Some(lattice) = &self.lattice {
            let immse = timed(rt, || {
                let mut trainer = lattice.trainer::<LatticeDenoiser>(seed)?;
                trainer.run(lattice.training_data(), e.train_steps)?;
                let rows = lattice.estimate(&trainer.finish(), seed, &super::Sequential)?;
                let h = rows[0].estimate;
                let n = d as f64;
                Ok(Estimate::new(
                    h.value * n,
                    h.std_error * n,
                    h.unit,
                    h.samples,
                ))
            });
            push(&mut rows, "immse-lattice (held-out 25 %)", immse)?;
        }
        if c.spins && d <= MAX_PLUG_IN_SPINS {
            push(
                &mut rows,
                "plug-in",
                timed(rt, || Ok(PlugIn.estimate(&self.x)?)),
            )?;
        }
        if c.mice_steps > 0 {
            // For spins, MICE's plug-in leaves and MINE splits give the discrete entropy
            // directly, with no dequantisation offset.
            let mice = Mice {
                mine: Mine {
                    steps: c.mice_steps,
                    seed,
                    ..Mine::default()
                },
                leaf: if c.spins {
                    Leaf::PlugIn
                } else {
                    Leaf::Knn(e.k)
                },
            };
            push(
                &mut rows,
                "mice (MINE splits)",
                timed(rt, || Ok(mice.estimate_until(&self.x, &|| rt.cancelled())?)),
            )?;
        }
        Ok(rows)
    }
}
