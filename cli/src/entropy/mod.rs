//! `entropic entropy …`: entropy estimators on data with known answers. Each command is flags →
//! a core experiment config ([`GaussianTableConfig`], [`EntropyCompareConfig`],
//! `LatticeEntropyConfig`) → the run → table, CSV, JSON and plots.
mod lattice;

use crate::Global;
use crate::config::{Flag, Flags, Settings, required};
use crate::input::hamiltonian_in;
use crate::output::Output;
use crate::runtime::Threads;
use anyhow::{Context, Result, bail};
use entropic::estimate::Unit;
use entropic::experiment::{
    BenchmarkReport, CompareReport, EntropyBenchmark, EntropyBenchmarkConfig, EntropyCompare,
    EntropyCompareConfig, EstimatorConfig, GaussianReport, GaussianTable, GaussianTableConfig,
    MutualInformationCompare, Suites,
};
use entropic::samples::Samples;
use std::path::Path;

/// Entropy commands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Gaussian sanity check (thesis Table 4.1): every estimator against ½ ln det(2πeΣ).
    ///
    /// For each dimension, draws --cases random covariances Σ = AAᵀ/d + ½I (A standard normal)
    /// and --samples samples of N(0, Σ), and runs: the Gaussian fit (bias-corrected, exact for
    /// Gaussian data), Kozachenko–Leonenko kNN, and MINDE with the *exact* diffused score (the
    /// oracle: what MINDE gives when score matching is perfect, i.e. its Monte Carlo error alone),
    /// and MINDE with a learned score (on the whitened samples: a residual network over their
    /// Gaussian fit trained by denoising score matching, with the fit as reference).
    /// Prints value ± error, error against the exact entropy, and time; writes gaussian.csv,
    /// gaussian.json and errors.svg.
    ///
    /// Example: entropic entropy gaussian --dims 9,16 --samples 20000 --out out/gaussian
    Gaussian(GaussianArgs),
    /// Run every estimator on one data file and print a table: value, error bar, time.
    ///
    /// --data is a .npy array whose first axis indexes samples (later axes are flattened, so
    /// `lattice sample` spin files work directly). Estimators: Gaussian fit (an upper bound),
    /// Kozachenko–Leonenko kNN on the raw and on the whitened samples, and MINDE with a learned
    /// score (on the whitened samples; its KL(data ‖ Gaussian fit) is printed below the table,
    /// with a warning when it is indistinguishable from zero); with --spins the ±1 values are
    /// dequantised (x = s + U[−1, 1), so h(x) = H(s) + N ln 2 exactly), N ln 2 is subtracted to give
    /// the absolute discrete entropy, and the plug-in estimate is added (N ≤ 64). Square
    /// lattices of spins (N = L²) also get the I-MMSE estimate of a lattice denoiser (the
    /// `entropy ising --model site` model, one temperature: trained on 75 % of the samples,
    /// evaluated on the rest; belief propagation at βJ when the temperature and the coupling
    /// are known). --exact prints each
    /// estimator's error against a known value.
    ///
    /// Example: entropic entropy compare --data out/ising4/configs.npy --spins --exact 5.7347
    Compare(CompareArgs),
    /// Mutual information I(X; Y) of paired samples by every estimator: value, error bar, time.
    ///
    /// X and Y are the first --split columns of --data and the rest, or --data and --y (two
    /// .npy files with the same number of rows; later axes are flattened). Estimators: the
    /// Gaussian (CCA) value (exact for jointly Gaussian data, a lower bound otherwise), KSG
    /// (Kraskov et al. 2004, both variants, k = --k, maximum norm), MINE (Donsker–Varadhan
    /// bound on a held-out fifth) and MINDE-C (the CCA value plus the integrated difference of a
    /// conditional and a marginal learned score of X; X and Y whitened), the last two with
    /// --train-steps Adam steps (0 skips both). Values in nats (bits with --bits); --exact
    /// prints each estimator's error. Writes mi.json.
    ///
    /// Example: entropic entropy mi --data pairs.npy --split 2 --exact 0.4133
    Mi(MiArgs),
    /// Every estimator on the ground-truth suites: entropy and mutual information known exactly.
    ///
    /// Entropy tasks (`entropic::entropy::tasks::entropy_suite`, d from 1 to 25): linear mixes
    /// of Laplace, uniform, exponential, logistic and Student-t sources (one with scales over
    /// four decades), multivariate Student-t, a log-normal and Gaussian mixtures; estimators:
    /// the Gaussian fit, kNN and learned MINDE. Mutual-information tasks
    /// (`mutual_information_suite`, after the "Beyond Normal" benchmark, d_x + d_y from 2 to 24):
    /// dense and sparse multinormal pairs, Student-t pairs, the half-cube, asinh, normal-CDF,
    /// spiral and wiggly maps, additive uniform noise; estimators: the Gaussian (CCA) value, KSG
    /// (both variants, k = --k, maximum norm), MINE and MINDE-C (--train-steps Adam steps). Each task runs
    /// at each --samples size with the estimators at their defaults (the flags below change
    /// them). Prints value ± error, error and time per row and the
    /// mean and largest |error| per estimator (d ≤ 16 and all). kNN runs on the raw and on the
    /// whitened samples; writes benchmark.csv,
    /// benchmark.json and errors.svg. Tasks run two at a time; times are wall seconds.
    ///
    /// Example: entropic entropy benchmark --samples 20000 --out out/entropy-benchmark
    Benchmark(BenchmarkArgs),
    /// Absolute Ising entropy per spin against Kaufman's exact values (thesis Table 4.3), from
    /// one temperature-conditioned diffusion model, plus a generation check.
    ///
    /// Reads a `lattice sample` directory, trains a lattice denoiser (the posterior mean
    /// E[s | x_t] of every spin given the noisy lattice, conditioned on T; by Tweedie's formula
    /// the score) — `--model site`, the per-site model whose belief propagation assumes J = 1, or
    /// `--model conv`, the whole-lattice model that knows nothing of the Hamiltonian — on
    /// all temperatures but a held-out fraction, and estimates each temperature's entropy on the
    /// held-out configurations by the I-MMSE relation H = ½∫ mmse(snr) dsnr — the discrete entropy
    /// itself, no dequantisation constant. Training is checkpointed (--resume, --pause-after).
    /// Then reverse-SDE samples at --generate temperatures are compared with the Monte Carlo
    /// energy and |m| (z-scores). Writes ising.csv/json, entropy.svg, errors.svg, training.svg,
    /// generated.svg, denoising.svg, model.json.
    ///
    /// Example: entropic lattice sample --temps 1:4:0.1 --size 20 --algorithm wolff --samples 4000 --out data/ising20
    ///          entropic entropy ising --data data/ising20 --bits --out out/ising20
    Ising(lattice::IsingArgs),
    /// XY excess entropy per spin s − ln 2π against thermodynamic integration (thesis Table 4.2),
    /// from one temperature-conditioned diffusion model, plus a generation check.
    ///
    /// As `entropy ising`, for a `lattice sample --model xy` directory: the denoiser's site
    /// posterior is a von Mises distribution (A(|η|) η/|η|, η = k x/σ² + h, h the network's
    /// field in the frame of the neighbours), and the entropy of the angles follows from the
    /// I-MMSE relation between the data and the uniform distribution on every circle:
    /// h(θ) = N ln 2π − ½∫ snr (mse_uniform − mse) dλ. The reference comes from --reference, the
    /// thermo.json of `lattice thermo --model xy` on the same size and temperatures. Writes
    /// xy.csv/json and the plots of `entropy ising` (lattices shown as cos θ).
    ///
    /// Example: entropic lattice sample --model xy --temps 0.1:1.5:n32 --size 20 --algorithm wolff --samples 4000 --out data/xy20
    ///          entropic lattice thermo --model xy --temps 0.1:1.5:n32 --size 20 --algorithm wolff --sweeps 25000 --out data/xy20-ti
    ///          entropic entropy xy --data data/xy20 --reference data/xy20-ti/thermo.json --out out/xy20
    Xy(lattice::XyArgs),
}

/// Options of `entropic entropy compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// A .npy array of samples (n × …).
    #[arg(long, value_name = "FILE", required_unless_present = "print_config")]
    data: Option<std::path::PathBuf>,
    /// A known total entropy (in the output unit) to compare against.
    #[arg(long, value_name = "H", allow_negative_numbers = true)]
    exact: Option<f64>,
    /// Report in bits instead of nats.
    #[arg(long)]
    bits: bool,
    /// For a 4-axis array (temperatures × samples × L × L, as `lattice sample` writes): which
    /// temperature to use.
    #[arg(long, value_name = "K", default_value_t = 0)]
    select: usize,
    #[command(flatten)]
    settings: Settings<Self>,
}

impl Flags for CompareArgs {
    type Config = EntropyCompareConfig;
    #[rustfmt::skip]
    fn flags() -> Vec<Flag> {
        let mut flags = vec![
            Flag::switch("spins", "spins", true, "The values are ±1 spins: dequantise, report the absolute discrete entropy, add plug-in."),
            Flag::new("temperature", "temperature", "T", "Temperature of the data: the lattice denoiser's conditioning (I-MMSE row). Default: from temperatures.npy beside a 4-axis --data, as `lattice sample` writes."),
            Flag::new("coupling", "coupling", "J", "Coupling J of the data's Hamiltonian H = −J Σ sᵢsⱼ (no field): with the temperature, turns on belief propagation in the lattice denoiser. Default: from metadata.json beside a 4-axis --data (if it states no field); else unknown, and the row learns the coupling."),
            Flag::new("mice-steps", "mice_steps", "N", "Also run MICE (recursive halves, one MINE critic of N Adam steps per split: d − 1 critics; plug-in leaves on raw spins with --spins, 1D kNN leaves otherwise). 0 skips it."),
        ];
        flags.extend(estimator_flags("estimators."));
        flags
    }
}

/// The estimators' flags (the keys of [`EstimatorConfig`] under `prefix`), shared by
/// `gaussian`, `benchmark` and `compare`.
#[rustfmt::skip]
fn estimator_flags(prefix: &str) -> Vec<Flag> {
    [
        Flag::new("k", "k", "K", "Neighbour order k of the kNN estimator."),
        Flag::new("draws", "draws", "N", "Monte Carlo draws of the MINDE time integral (and of the I-MMSE λ integral; ≥ 80)."),
        Flag::new("train-steps", "train_steps", "N", "Training steps of the learned score and of the lattice denoiser (0: skip both)."),
        Flag::new("hidden", "hidden", "W,..", "Hidden widths of the score network (and of the lattice denoiser's field network)."),
        Flag::switch("importance", "importance", true, "Train the score network with t importance-sampled uniformly in log-SNR (the loss is reweighted, so the objective is unchanged)."),
        Flag::new("input-scale", "input_scale", "C", "Factor on the whitened x_t where it enters the score network (> 0)."),
        Flag::new("sigma-power", "sigma_power", "ALPHA", "The score network outputs the residual score times σ_t^α (0: the score residual, 1: the noise-prediction residual)."),
    ]
    .into_iter()
    .map(|f| f.under(prefix))
    .collect()
}

/// Options of `entropic entropy benchmark`.
#[derive(Debug, clap::Args)]
pub struct BenchmarkArgs {
    /// Seed of the entropy tasks' random matrices (the samples and estimators follow --seed).
    #[arg(long, value_name = "S", default_value_t = 0)]
    suite_seed: u64,
    #[command(flatten)]
    settings: Settings<Self>,
}

impl Flags for BenchmarkArgs {
    type Config = EntropyBenchmarkConfig;
    #[rustfmt::skip]
    fn flags() -> Vec<Flag> {
        let mut flags = vec![
            Flag::new("samples", "samples", "N,..", "Sample sizes, comma-separated; every task runs at each."),
            Flag::new("tasks", "tasks", "NAME,..", "Only these tasks (comma-separated names as the table prints them). Default: all."),
            Flag::choice::<Suites>("suites", "suites", "SUITES", "Which suites run."),
        ];
        flags.extend(estimator_flags("estimators."));
        flags
    }
}

/// Options of `entropic entropy mi`.
#[derive(Debug, clap::Args)]
pub struct MiArgs {
    /// A .npy array of samples (n × …): X and Y side by side (with --split), or X alone (with
    /// --y).
    #[arg(long, value_name = "FILE", required_unless_present = "print_config")]
    data: Option<std::path::PathBuf>,
    /// X is the first K columns of --data, Y the rest.
    #[arg(
        long,
        value_name = "K",
        conflicts_with = "y",
        required_unless_present_any = ["y", "print_config"]
    )]
    split: Option<usize>,
    /// A second .npy array holding Y, row i paired with row i of --data.
    #[arg(long, value_name = "FILE")]
    y: Option<std::path::PathBuf>,
    /// A known mutual information (in the output unit) to compare against.
    #[arg(long, value_name = "I", allow_negative_numbers = true)]
    exact: Option<f64>,
    /// Report in bits instead of nats.
    #[arg(long)]
    bits: bool,
    #[command(flatten)]
    settings: Settings<Self>,
}

impl Flags for MiArgs {
    type Config = EstimatorConfig;
    #[rustfmt::skip]
    fn flags() -> Vec<Flag> {
        vec![
            Flag::new("k", "k", "K", "Neighbour order k of KSG."),
            Flag::new("train-steps", "train_steps", "N", "Adam steps of the MINE critic and of MINDE-C's score network (0 skips both)."),
        ]
    }
}

/// Options of `entropic entropy gaussian`.
#[derive(Debug, clap::Args)]
pub struct GaussianArgs {
    #[command(flatten)]
    settings: Settings<Self>,
}

impl Flags for GaussianArgs {
    type Config = GaussianTableConfig;
    #[rustfmt::skip]
    fn flags() -> Vec<Flag> {
        let mut flags = vec![
            Flag::new("dims", "dims", "D,..", "Dimensions, comma-separated."),
            Flag::new("samples", "samples", "N", "Samples per distribution."),
            Flag::new("cases", "cases", "N", "Random covariances per dimension."),
        ];
        flags.extend(estimator_flags("estimators."));
        flags
    }
}

pub fn run(command: &Command, global: &Global, out: &mut Output<'_>) -> Result<()> {
    match command {
        Command::Gaussian(args) => gaussian(args, global, out),
        Command::Compare(args) => compare(args, global, out),
        Command::Benchmark(args) => benchmark(args, global, out),
        Command::Mi(args) => mutual_information(args, global, out),
        Command::Ising(args) => lattice::ising(args, global, out),
        Command::Xy(args) => lattice::xy(args, global, out),
    }
}

fn gaussian(args: &GaussianArgs, global: &Global, out: &mut Output<'_>) -> Result<()> {
    let Some(config) = args.settings.run_config(out)? else {
        return Ok(());
    };
    let table = GaussianTable::new(config)?;
    let rt = Threads::new(global.quiet);
    let rows = table.run(global.seed, &rt)?;
    rt.finish();
    let report = GaussianReport::new(&table, &rows);
    let (text, doc) = (report.text(), report.json());
    out.file("gaussian.csv", report.csv().as_bytes())?;
    if out.keeps_files() {
        out.file("errors.svg", report.errors_svg()?.as_bytes())?;
    }
    out.json("gaussian.json", &doc)?;
    out.result(&text, &doc)
}

fn benchmark(args: &BenchmarkArgs, global: &Global, out: &mut Output<'_>) -> Result<()> {
    let Some(config) = args.settings.run_config(out)? else {
        return Ok(());
    };
    let run = EntropyBenchmark::new(config, args.suite_seed)?;
    let rt = Threads::new(global.quiet);
    let rows = run.run(global.seed, &rt)?;
    rt.finish();
    let report = BenchmarkReport::new(&run, args.suite_seed, &rows);
    let (text, doc) = (report.text(), report.json());
    out.file("benchmark.csv", report.csv().as_bytes())?;
    if out.keeps_files() {
        out.file("errors.svg", report.errors_svg()?.as_bytes())?;
    }
    out.json("benchmark.json", &doc)?;
    out.result(&text, &doc)
}

/// A .npy file as a matrix of rows (later axes flattened).
fn read_rows(path: &std::path::Path) -> Result<crate::input::Matrix> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    crate::input::read_npy_matrix(&bytes).with_context(|| path.display().to_string())
}

fn mutual_information(args: &MiArgs, global: &Global, out: &mut Output<'_>) -> Result<()> {
    let Some(config) = args.settings.run_config(out)? else {
        return Ok(());
    };
    if args.exact.is_some_and(|i| !i.is_finite()) {
        bail!("--exact must be a finite mutual information");
    }
    let m = read_rows(required(&args.data, "data")?)?;
    let (x, y) = match (&args.y, args.split) {
        (Some(path), _) => {
            let y = read_rows(path)?;
            if y.rows != m.rows {
                bail!(
                    "--data has {} rows and --y {}; the samples must be paired row by row",
                    m.rows,
                    y.rows
                );
            }
            (Samples::new(m.data, m.cols)?, Samples::new(y.data, y.cols)?)
        }
        (None, Some(k)) => {
            if k == 0 || k >= m.cols {
                bail!(
                    "--split must be between 1 and {} (the data have {} columns)",
                    m.cols.saturating_sub(1),
                    m.cols
                );
            }
            let joint = Samples::new(m.data, m.cols)?;
            (joint.columns(0, k)?, joint.columns(k, m.cols)?)
        }
        (None, None) => bail!("give --split K or --y FILE"),
    };
    let run = MutualInformationCompare::new(config, x, y)?;
    let rt = Threads::new(global.quiet);
    let rows = run.run(global.seed, &rt)?;
    rt.finish();
    let unit = if args.bits { Unit::Bits } else { Unit::Nats };
    let report = CompareReport::mutual_information(&run, &rows, unit, args.exact);
    let doc = report.json();
    out.json("mi.json", &doc)?;
    out.result(&report.text(), &doc)
}

/// The temperature of a compare run's data: entry `select` of temperatures.npy beside a 4-axis
/// data file, if there is one.
fn temperature_beside(args: &CompareArgs, data: &Path, axes: usize) -> Result<Option<f64>> {
    let beside = data.with_file_name("temperatures.npy");
    if axes != 4 || !beside.is_file() {
        return Ok(None);
    }
    let bytes = std::fs::read(&beside)?;
    let temps =
        crate::input::read_npy_matrix(&bytes).with_context(|| beside.display().to_string())?;
    Ok(temps.data.get(args.select).copied().filter(|t| *t > 0.0))
}

fn compare(args: &CompareArgs, global: &Global, out: &mut Output<'_>) -> Result<()> {
    let Some(mut config) = args.settings.run_config(out)? else {
        return Ok(());
    };
    if args.exact.is_some_and(|h| !h.is_finite()) {
        bail!("--exact must be a finite entropy");
    }
    let data = required(&args.data, "data")?;
    let bytes = std::fs::read(data).with_context(|| format!("cannot read {}", data.display()))?;
    let m = crate::input::read_npy_matrix(&bytes).with_context(|| data.display().to_string())?;
    let axes = m.shape.len();
    let m = if axes == 4 {
        m.select_first_axis(args.select)?
    } else {
        m
    };
    if config.temperature.is_none() {
        config.temperature = temperature_beside(args, data, axes)?;
    }
    if config.coupling.is_none() && axes == 4 {
        let dir = data.parent().unwrap_or(Path::new("."));
        config.coupling = hamiltonian_in(dir)?
            .filter(|h| h.field == 0.0)
            .map(|h| h.coupling);
    }
    let run = EntropyCompare::new(config, Samples::new(m.data, m.cols)?)?;
    let rt = Threads::new(global.quiet);
    let rows = run.run(global.seed, &rt)?;
    rt.finish();
    let unit = if args.bits { Unit::Bits } else { Unit::Nats };
    let report = CompareReport::entropy(&run, &rows, unit, args.exact);
    let doc = report.json();
    out.json("compare.json", &doc)?;
    out.result(&report.text(), &doc)
}
