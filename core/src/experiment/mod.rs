//! Experiments as library calls: each is a config struct (serde, with defaults) → a validated run
//! object → typed results. The CLI, the browser and the Python package are thin layers over these
//! runs: they turn flags, sliders or keyword arguments into a config, schedule the run through a
//! [`Runtime`] (threads, progress bars, Ctrl-C) and render the result.
//!
//! Contract of every run:
//! - `Run::new(config)` checks every setting before any work (ranges, the model × algorithm
//!   combination at every temperature, the memory the results need), returning
//!   [`ExperimentError`];
//! - `run(seed, &runtime)` is deterministic in `seed`: independent tasks draw from
//!   [`rng::stream`](crate::rng::stream)`(seed, task)`, so the scheduling never changes a bit;
//! - a run stops between steps when [`Runtime::cancelled`] says so.
//!
//! | run | config | what it does |
//! | --- | --- | --- |
//! | [`IsingRun`] | [`IsingConfig`] | one checkerboard Metropolis chain with error bars and exact references |
//! | [`LatticeSample`] | [`LatticeSampleConfig`] | τ-spaced equilibrium configurations on a temperature grid |
//! | [`LatticeThermo`] | [`LatticeThermoConfig`] | u, c, |m|, χ, Binder and the entropy by thermodynamic integration |
//! | [`LiveChain`] | [`ChainConfig`] | a chain stepped by the caller (the browser), temperature changeable, running error bars |
//! | [`GaussianTable`] | [`GaussianTableConfig`] | every sample-based entropy estimator on random Gaussians (Table 4.1) |
//! | [`EntropyCompare`] | [`EntropyCompareConfig`] | every entropy estimator on samples a user brings |
//! | [`MaxentPca`] | [`MaxentPcaConfig`] | PCA as a Min-MaxEnt solution (paper Fig. 2) |
//! | [`MaxentBimodal`] | [`MaxentBimodalConfig`] | 1D bimodal data: Min-MaxEnt vs VAE vs mean + variance MaxEnt (paper Fig. 3–4) |
//! | [`LatentTrain`] | [`LatentTrainConfig`] | one latent-cycle model trained with diagnostics after every epoch |
//! | [`LatentSweep`] | [`LatentTrainConfig`] + run counts | many independent latent-cycle runs beside the equilibrium and EM baselines (Fig. 2, 4) |
//! | `MaxentDigits` | `MaxentDigitsConfig` | Min-MaxEnt with CNN observables on the 8×8 digits (paper Fig. 5; feature `data`) |
//! | `DigitsSampling`, `DigitsDiscriminator` | their configs | steered and discriminator-biased generation from a trained digits model (paper Fig. 6–7; feature `data`) |
//! | [`LatticeEntropy`] | [`LatticeEntropyConfig`] | entropy per spin from a temperature-conditioned denoiser (I-MMSE) and its generation check |
//!
//! The unit of work of the lattice runs, one chain of any model × algorithm, is
//! [`ChainConfig::run`].
mod benchmark_report;
#[cfg(feature = "plot")]
pub mod bimodal_figures;
mod chain;
mod compare_report;
#[cfg(feature = "data")]
mod digit_classifier_report;
mod entropy_benchmark;
mod entropy_compare;
mod error;
mod estimator_table;
mod estimators;
#[cfg(feature = "serde")]
mod exact_length;
mod exact_report;
mod gaussian_report;
mod gaussian_table;
mod ising;
mod ising_report;
mod latent_claims;
#[cfg(all(feature = "plot", feature = "data"))]
pub mod latent_figures;
mod latent_sweep;
#[cfg(feature = "serde")]
mod latent_sweep_report;
mod latent_train;
mod latent_train_report;
mod lattice_dataset;
mod lattice_entropy;
mod lattice_sample;
mod lattice_sample_report;
mod lattice_temper;
mod lattice_temper_report;
mod lattice_thermo;
mod lattice_thermo_report;
mod live_chain;
#[cfg(feature = "data")]
mod maxent_bias;
#[cfg(feature = "data")]
mod maxent_bias_report;
mod maxent_bimodal;
mod maxent_bimodal_report;
#[cfg(feature = "data")]
mod maxent_digits;
#[cfg(feature = "data")]
pub mod maxent_digits_report;
mod maxent_mixing;
mod maxent_mixing_report;
mod maxent_pca;
mod maxent_pca_report;
mod mutual_information_compare;
mod runtime;
#[cfg(feature = "plot")]
pub mod temper_figures;
#[cfg(feature = "plot")]
pub mod thermo_figures;

pub use benchmark_report::{BENCHMARK_ESTIMATORS, BenchmarkReport, SUMMARY_MAX_DIM, SummaryLine};
pub use chain::{
    Algorithm, Chain, ChainConfig, Configs, MIN_PILOT, Plan, Spacing, SpinModel, Tuning,
};
pub use compare_report::CompareReport;
#[cfg(feature = "data")]
pub use digit_classifier_report::DigitClassifierReport;
pub use entropy_benchmark::{
    BenchmarkRow, EntropyBenchmark, EntropyBenchmarkConfig, Suites, benchmark_summary,
};
pub use entropy_compare::{EntropyCompare, EntropyCompareConfig, MAX_PLUG_IN_SPINS};
pub use error::ExperimentError;
#[cfg(feature = "serde")]
pub use estimator_table::estimator_rows_json;
pub use estimator_table::estimator_table;
pub use estimators::{EstimatorConfig, EstimatorRow};
pub use exact_report::ExactReport;
pub use gaussian_report::{GAUSSIAN_ESTIMATORS, GaussianReport};
pub use gaussian_table::{
    GaussianRow, GaussianTable, GaussianTableConfig, MAX_GAUSSIAN_DIM, gaussian_summary,
};
pub use ising::{IsingConfig, IsingReference, IsingResult, IsingRun, Start};
pub use ising_report::IsingReport;
pub use latent_claims::{Correlation, Group, LatentClaims, RunSummary, Verdict};
pub use latent_sweep::{EmBaseline, LatentSweep, MIN_SWEEP_RUNS, SweepJob};
#[cfg(feature = "serde")]
pub use latent_sweep_report::{SweepRecord, SweepReport};
#[cfg(feature = "serde")]
pub use latent_train::LatentCheckpoint;
pub use latent_train::{
    Diagnosis, EntropyProductions, EpochRow, LabelledImages, LatentOutcome, LatentTrain,
    LatentTrainConfig, MIN_DIAGNOSTIC_STEPS,
};
pub use latent_train_report::LatentTrainReport;
pub use lattice_dataset::dataset_shape;
#[cfg(feature = "serde")]
pub use lattice_dataset::{dataset_hamiltonian, dataset_metadata};
pub use lattice_entropy::{
    ConvDenoiserConfig, DenoiserConfig, DenoisingExample, Drift, EntropyRow, GENERATION_PIECE,
    Generation, GenerationConfig, GenerationRow, Hamiltonian, LatticeDenoisers, LatticeEntropy,
    LatticeEntropyConfig, LatticeEntropyReport, LatticeEntropyResult, LatticeModel,
    MAX_PROPAGATION_BETA, MIN_PROPAGATION_T, ModelChoice, SpinConfigurations, TrainingConfig,
};
pub use lattice_sample::{LatticeSample, LatticeSampleConfig, concatenate};
pub use lattice_sample_report::LatticeSampleReport;
pub use lattice_temper::{LatticeTemper, LatticeTemperConfig, LatticeTemperResult, TemperRung};
pub use lattice_temper_report::LatticeTemperReport;
pub use lattice_thermo::{
    LatticeThermo, LatticeThermoConfig, SLOW_POINT_RATIO, ThermoExact, ThermoPoint, ThermoResult,
    ThermoRow,
};
pub use lattice_thermo_report::LatticeThermoReport;
#[cfg(feature = "serde")]
pub use lattice_thermo_report::thermo_entropies;
pub use live_chain::{Configuration, LIVE_WINDOW, LiveChain, LiveEstimates};
#[cfg(feature = "data")]
pub use maxent_bias::{
    BiasedChain, BiasedEnergy, DigitsDiscriminator, DigitsDiscriminatorConfig, DigitsSamples,
    DigitsSampling, DigitsSamplingConfig, DiscriminatorOutcome, DiscriminatorRound,
    train_discriminator,
};
#[cfg(feature = "data")]
pub use maxent_bias_report::{DigitsSamplingReport, DiscriminatorReport, RoundSummary};
pub use maxent_bimodal::{
    BimodalCase, BimodalResult, BimodalSeed, BimodalSeedRun, MaxentBimodal, MaxentBimodalConfig,
};
pub use maxent_bimodal_report::MaxentBimodalReport;
#[cfg(all(feature = "data", feature = "serde"))]
pub use maxent_digits::DigitsCheckpoint;
#[cfg(feature = "data")]
pub use maxent_digits::{
    ClassifierRole, DigitsRow, DigitsScore, DigitsScorer, DigitsTrainer, MaxentDigits,
    MaxentDigitsConfig, trained_classifier,
};
pub use maxent_mixing::{
    GaussianMixingTarget, MaxentMixing, MaxentMixingConfig, Mixing, MixingRow, WalkerSampler,
    measure_mixing,
};
pub use maxent_mixing_report::MaxentMixingReport;
pub use maxent_pca::{MaxentPca, MaxentPcaConfig, MaxentPcaResult};
pub use maxent_pca_report::MaxentPcaReport;
pub use mutual_information_compare::MutualInformationCompare;
pub use runtime::{Runtime, Sequential, timed};
pub(crate) use runtime::{check_cancelled, unless_cancelled};

use crate::lattice::{LatticeError, Temperature};
use alloc::vec::Vec;

/// The most an experiment will hold in one result array: 8 GiB. Larger requests (usually a
/// typo: `--sweeps 1e12`) are refused up front with [`ExperimentError::TooLarge`] instead of
/// growing until the machine kills the process.
pub const MAX_STORED_BYTES: u128 = 8 << 30;

/// Refuse an array whose size in bytes (the product of `factors`, computed without overflow)
/// exceeds [`MAX_STORED_BYTES`]: the check front ends make before work whose memory comes from
/// user input, so a typo gives an error naming the size instead of an allocation abort.
///
/// # Errors
/// [`ExperimentError::TooLarge`] naming `what` and the size.
///
/// # Examples
/// ```
/// use entropic::experiment::check_memory;
/// assert!(check_memory("the samples", &[1000, 16, 8]).is_ok());
/// let e = check_memory("the samples", &[100_000_000_000, 16, 8]).unwrap_err();
/// assert_eq!(e.to_string(), "the samples would need 11.6 TiB; refused");
/// ```
pub fn check_memory(what: &'static str, factors: &[usize]) -> Result<(), ExperimentError> {
    let bytes = factors
        .iter()
        .try_fold(1u128, |acc, &f| acc.checked_mul(f as u128))
        .unwrap_or(u128::MAX);
    if bytes > MAX_STORED_BYTES {
        return Err(ExperimentError::TooLarge { what, bytes });
    }
    Ok(())
}

/// Refuse a dense network whose weights, gradients and two Adam moments (4 × 8 bytes per
/// weight) exceed [`MAX_STORED_BYTES`]: `widths` are the layer widths from input to output (an
/// upper bound of the input width is enough).
///
/// # Errors
/// [`ExperimentError::TooLarge`] naming `what` and the size.
pub fn check_network(what: &'static str, widths: &[usize]) -> Result<(), ExperimentError> {
    let weights = widths
        .windows(2)
        .try_fold(0usize, |acc, w| acc.checked_add(w[0].checked_mul(w[1])?))
        .unwrap_or(usize::MAX);
    check_memory(what, &[weights, 4, 8])
}

/// An exact reference that may not exist here: `None` where the lattice layer says the
/// parameters are outside the domain it computes accurately (small lattices at extreme K).
fn where_defined<T>(r: Result<T, LatticeError>) -> Result<Option<T>, ExperimentError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(LatticeError::OutsideDomain { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Validated temperatures (at least one).
fn temperatures(values: &[f64]) -> Result<Vec<Temperature>, ExperimentError> {
    if values.is_empty() {
        return Err(ExperimentError::config(
            "temperatures",
            "needs at least one temperature",
        ));
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
        return Err(ExperimentError::config(
            "temperatures",
            alloc::format!(
                "T = {} is given twice (each temperature's outputs are named by it)",
                crate::lattice::Readable(w[0])
            ),
        ));
    }
    values.iter().map(|&t| Ok(Temperature::new(t)?)).collect()
}
