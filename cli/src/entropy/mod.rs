//! `entropic entropy …`: entropy estimators on data with known answers.
mod lattice;

use crate::Global;
use crate::output::Output;
use crate::plot::{self, Series};
use crate::progress::Progress;
use anyhow::{Result, bail};
use entropic::diffusion::{
    Conditioning, GaussianScore, LambdaDensity, LatticeData, LatticeDenoiser, ScoreNet,
    ScoreTrainParams, SpinKind, Trainer, VpSde,
};
use entropic::entropy::{
    DEQUANTISATION_NATS_PER_SPIN, EntropyEstimator, GaussianCase, GaussianFit, Immse,
    KozachenkoLeonenko, Leaf, Mice, Minde, Mine, PlugIn, Reference, Samples, dequantise_spins,
};
use entropic::estimate::{Estimate, Unit};
use entropic::rng::stream;
use rayon::prelude::*;
use serde_json::json;
use std::fmt::Write as _;
use std::time::Instant;

/// Entropy commands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Gaussian sanity check (thesis Table 4.1): every estimator against ½ ln det(2πeΣ).
    ///
    /// For each dimension, draws --cases random covariances Σ = AAᵀ/d + ½I (A standard normal)
    /// and --samples samples of N(0, Σ), and runs: the Gaussian fit (bias-corrected, exact for
    /// Gaussian data), Kozachenko–Leonenko kNN, and MINDE with the *exact* diffused score (the
    /// oracle: what MINDE gives when score matching is perfect, i.e. its Monte Carlo error alone),
    /// and MINDE with a learned score (a residual network over the Gaussian fit trained by
    /// denoising score matching, with the fit as reference).
    /// Prints value ± error, error against the exact entropy, and time; writes gaussian.csv,
    /// gaussian.json and errors.svg.
    ///
    /// Example: entropic entropy gaussian --dims 9,16 --samples 20000 --out out/gaussian
    Gaussian(GaussianArgs),
    /// Run every estimator on one data file and print a table: value, error bar, time.
    ///
    /// --data is a .npy array whose first axis indexes samples (later axes are flattened, so
    /// `lattice sample` spin files work directly). Estimators: Gaussian fit (an upper bound),
    /// Kozachenko–Leonenko kNN, and MINDE with a learned score; with --spins the ±1 values are
    /// dequantised (x = s + U[−1, 1), so h(x) = H(s) + N ln 2 exactly), N ln 2 is subtracted to give
    /// the absolute discrete entropy, and the plug-in estimate is added (N ≤ 64). Square
    /// lattices of spins (N = L²) also get the I-MMSE estimate of a lattice denoiser (the
    /// `entropy ising` model, one temperature: trained on 75 % of the samples, evaluated on the
    /// rest; belief propagation when the temperature is known). --exact prints each
    /// estimator's error against a known value.
    ///
    /// Example: entropic entropy compare --data out/ising4/configs.npy --spins --exact 5.7347
    Compare(CompareArgs),
    /// Absolute Ising entropy per spin against Kaufman's exact values (thesis Table 4.3), from
    /// one temperature-conditioned diffusion model, plus a generation check.
    ///
    /// Reads a `lattice sample` directory, trains a LatticeDenoiser (the posterior mean E[s | x_t]
    /// of every spin given the noisy lattice, conditioned on T; by Tweedie's formula the score) on
    /// all temperatures but a held-out fraction, and estimates each temperature's entropy on the
    /// held-out configurations by the I-MMSE relation H = ½∫ mmse(snr) dsnr — the discrete entropy
    /// itself, no dequantisation constant. Training is checkpointed (--resume, --pause-after).
    /// Then reverse-SDE samples at --generate temperatures are compared with the Monte Carlo
    /// energy and |m| (z-scores). Writes ising.csv/json, entropy.svg, errors.svg, training.svg,
    /// generated.svg, denoising.svg, model.json.
    ///
    /// Example: entropic lattice sample --temps 1:4:0.1 --size 20 --algorithm wolff --samples 4000 --out data/ising20
    ///          entropic entropy ising --data data/ising20 --bits --out out/ising20
    Ising(lattice::LatticeArgs),
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
    #[arg(long, value_name = "FILE")]
    data: std::path::PathBuf,
    /// The values are ±1 spins: dequantise, report the absolute discrete entropy, add plug-in.
    #[arg(long)]
    spins: bool,
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
    /// Temperature of the data: turns on belief propagation in the lattice denoiser (I-MMSE
    /// row). Default: from temperatures.npy beside a 4-axis --data, as `lattice sample` writes.
    #[arg(long, value_name = "T")]
    temperature: Option<f64>,
    /// Also run MICE (recursive halves, one MINE critic of N Adam steps per split: d − 1 critics;
    /// plug-in leaves on raw spins with --spins, 1D kNN leaves otherwise). 0 skips it.
    #[arg(long, value_name = "N", default_value_t = 0)]
    mice_steps: usize,
    #[command(flatten)]
    estimators: EstimatorArgs,
}

/// Settings of the estimators, shared by `gaussian` and `compare`.
#[derive(Debug, clap::Args)]
pub struct EstimatorArgs {
    /// Neighbour order k of the kNN estimator.
    #[arg(long, value_name = "K", default_value_t = 5)]
    k: usize,
    /// Monte Carlo draws of the MINDE time integral (and of the I-MMSE λ integral).
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    draws: usize,
    /// Training steps of the learned score and of the lattice denoiser (0: skip both).
    #[arg(long, value_name = "N", default_value_t = 4000)]
    train_steps: usize,
    /// Hidden widths of the score network (and of the lattice denoiser's field network).
    #[arg(long, value_name = "W,..", default_value = "128,128")]
    hidden: String,
    /// Train the score network with t importance-sampled uniformly in log-SNR (the loss is
    /// reweighted, so the objective is unchanged; README).
    #[arg(long)]
    importance: bool,
}

/// Options of `entropic entropy gaussian`.
#[derive(Debug, clap::Args)]
pub struct GaussianArgs {
    /// Dimensions, comma-separated.
    #[arg(long, value_name = "D,..", default_value = "9,16")]
    dims: String,
    /// Samples per distribution.
    #[arg(long, value_name = "N", default_value_t = 20_000)]
    samples: usize,
    /// Random covariances per dimension.
    #[arg(long, value_name = "N", default_value_t = 5)]
    cases: usize,
    #[command(flatten)]
    estimators: EstimatorArgs,
}

pub fn run(command: &Command, global: &Global, out: &mut Output<'_>) -> Result<()> {
    match command {
        Command::Gaussian(args) => gaussian(args, global, out),
        Command::Compare(args) => compare(args, global, out),
        Command::Ising(args) => lattice::ising(args, global, out),
        Command::Xy(args) => lattice::xy(args, global, out),
    }
}

const ESTIMATORS: [&str; 4] = ["gaussian-fit", "knn", "minde-exact-score", "minde-learned"];

struct Row {
    dim: usize,
    case: usize,
    exact: f64,
    estimator: &'static str,
    estimate: Estimate,
    seconds: f64,
}

fn parse_widths(text: &str) -> Result<Vec<usize>> {
    let widths: Vec<usize> = text
        .split(',')
        .map(|s| s.trim().parse::<usize>())
        .collect::<Result<_, _>>()
        .map_err(|_| anyhow::anyhow!("--hidden takes comma-separated widths, got '{text}'"))?;
    if widths.contains(&0) {
        bail!("--hidden widths must be at least 1");
    }
    Ok(widths)
}

/// MINDE with a learned residual score and the Gaussian-fit reference.
fn learned_minde<R: rand_core::Rng>(
    x: &Samples,
    hidden: &[usize],
    (steps, importance): (usize, bool),
    draws: usize,
    seed: u64,
    rng: &mut R,
) -> Result<Estimate> {
    let sde = VpSde::default();
    let mut net = ScoreNet::new(sde, x, hidden, rng)?;
    if importance {
        net = net.with_importance(LambdaDensity::Uniform)?;
    }
    let params = ScoreTrainParams {
        steps,
        ..ScoreTrainParams::default()
    };
    net.train(x, &params, rng)?;
    Ok(Minde::new(sde, net, Reference::GaussianFit, draws, seed)?.estimate(x)?)
}

/// Absolute entropy of square ±1 lattices (`spins` row-major n × L²) by I-MMSE with a
/// [`LatticeDenoiser`] trained on the first 75 % of the configurations and evaluated on the
/// rest. A known temperature turns on belief propagation (4 iterations); without one the
/// model is conditioned on a nominal T = 1 and learns the coupling from the data alone.
fn lattice_immse(
    spins: &[f64],
    side: usize,
    temperature: Option<f64>,
    settings: &EstimatorArgs,
    seed: u64,
) -> Result<Estimate> {
    let sites = side * side;
    let n = spins.len() / sites;
    let n_train = n * 3 / 4;
    if n_train < 1 || n - n_train < 2 {
        bail!("the lattice I-MMSE row needs at least 4 configurations");
    }
    let t = temperature.unwrap_or(1.0);
    let propagation = if temperature.is_some() { 4 } else { 0 };
    let sde = VpSde::default();
    let train = LatticeData::new(side, spins[..n_train * sites].to_vec(), vec![t; n_train])?;
    let conditioning = Conditioning::Temperature { lo: t, hi: t };
    let mut rng = stream(seed, 1);
    let hidden = parse_widths(&settings.hidden)?;
    let model = LatticeDenoiser::new(
        sde,
        SpinKind::Ising,
        side,
        conditioning,
        &hidden,
        propagation,
        &mut rng,
    )?;
    let params = ScoreTrainParams {
        steps: settings.train_steps,
        batch: 64,
        learning_rate: 2e-3,
        ema_decay: 0.999,
    };
    let mut trainer = Trainer::new(model, &train, params, seed)?;
    trainer.run(&train, settings.train_steps)?;
    let held = Samples::new(spins[n_train * sites..].to_vec(), sites)?;
    let denoiser = trainer.finish().at_temperature(t)?;
    Ok(Immse::new(sde, denoiser, settings.draws, 40, seed)?.estimate(&held)?)
}

/// The temperature of a compare run: --temperature, or entry `select` of temperatures.npy beside
/// a 4-axis data file.
fn data_temperature(args: &CompareArgs, axes: usize) -> Result<Option<f64>> {
    if let Some(t) = args.temperature {
        if !(t.is_finite() && t > 0.0) {
            bail!("--temperature must be finite and positive");
        }
        return Ok(Some(t));
    }
    let beside = args.data.with_file_name("temperatures.npy");
    if axes != 4 || !beside.is_file() {
        return Ok(None);
    }
    let bytes = std::fs::read(&beside)?;
    let temps = crate::input::read_npy_matrix(&bytes)
        .map_err(|e| anyhow::anyhow!("{}: {e}", beside.display()))?;
    Ok(temps.data.get(args.select).copied().filter(|t| *t > 0.0))
}

fn timed(f: impl FnOnce() -> Result<Estimate>) -> Result<(Estimate, f64)> {
    let start = Instant::now();
    let e = f()?;
    Ok((e, start.elapsed().as_secs_f64()))
}

fn gaussian(args: &GaussianArgs, global: &Global, out: &mut Output<'_>) -> Result<()> {
    let dims: Vec<usize> = args
        .dims
        .split(',')
        .map(|s| s.trim().parse::<usize>())
        .collect::<Result<_, _>>()
        .map_err(|_| {
            anyhow::anyhow!(
                "--dims takes comma-separated dimensions, got '{}'",
                args.dims
            )
        })?;
    if dims.iter().any(|&d| d == 0 || d > 512) {
        bail!("--dims must be between 1 and 512");
    }
    if args.cases == 0 {
        bail!("--cases must be at least 1");
    }
    let largest = dims.iter().copied().max().unwrap_or(1);
    // Two cases run at once (one per core), each holding its samples.
    entropic::experiment::check_memory("the samples", &[2, args.samples, largest, 8])?;
    let knn = KozachenkoLeonenko::new(args.estimators.k)?;
    let hidden = parse_widths(&args.estimators.hidden)?;
    let sde = VpSde::default();
    let jobs: Vec<(usize, usize)> = dims
        .iter()
        .flat_map(|&d| (0..args.cases).map(move |c| (d, c)))
        .collect();
    let progress = Progress::new(jobs.len() as u64, "cases", global.quiet);
    let rows: Vec<Vec<Row>> = jobs
        .par_iter()
        .enumerate()
        .map(|(j, &(d, case))| -> Result<Vec<Row>> {
            let mut rng = stream(global.seed, j);
            let g = GaussianCase::random(d, &mut rng)?;
            let x: Samples = g.sample(args.samples, &mut rng)?;
            let exact = g.entropy();
            let score = GaussianScore::new(sde, &g.mean, &g.covariance)?;
            let minde = Minde::new(
                sde,
                score,
                Reference::Isotropic,
                args.estimators.draws,
                global.seed ^ j as u64,
            )?;
            let mut runs: Vec<(&'static str, Result<(Estimate, f64)>)> = vec![
                ("gaussian-fit", timed(|| Ok(GaussianFit.estimate(&x)?))),
                ("knn", timed(|| Ok(knn.estimate(&x)?))),
                ("minde-exact-score", timed(|| Ok(minde.estimate(&x)?))),
            ];
            if args.estimators.train_steps > 0 {
                runs.push((
                    "minde-learned",
                    timed(|| {
                        learned_minde(
                            &x,
                            &hidden,
                            (args.estimators.train_steps, args.estimators.importance),
                            args.estimators.draws,
                            global.seed ^ j as u64,
                            &mut rng,
                        )
                    }),
                ));
            }
            progress.tick();
            runs.into_iter()
                .map(|(estimator, r)| {
                    let (estimate, seconds) = r?;
                    Ok(Row {
                        dim: d,
                        case,
                        exact,
                        estimator,
                        estimate,
                        seconds,
                    })
                })
                .collect()
        })
        .collect::<Result<_>>()?;
    progress.finish();
    let rows: Vec<Row> = rows.into_iter().flatten().collect();
    let mut csv = String::from("dim,case,exact,estimator,value,std_error,error,seconds\n");
    let mut text = format!(
        "Gaussian sanity check: {} samples per case, nats\n{:>4} {:>4} {:>9} {:>18} {:>9} {:>7} {:>8} {:>7}\n",
        args.samples, "d", "case", "exact", "estimator", "value", "±", "error", "time s"
    );
    for r in &rows {
        let err = r.estimate.value - r.exact;
        writeln!(
            csv,
            "{},{},{},{},{},{},{},{}",
            r.dim,
            r.case,
            r.exact,
            r.estimator,
            r.estimate.value,
            r.estimate.std_error,
            err,
            r.seconds
        )?;
        writeln!(
            text,
            "{:>4} {:>4} {:>9.4} {:>18} {:>9.4} {:>7.4} {:>+8.4} {:>7.2}",
            r.dim,
            r.case,
            r.exact,
            r.estimator,
            r.estimate.value,
            r.estimate.std_error,
            err,
            r.seconds
        )?;
    }
    let mut summary = Vec::new();
    for &d in &dims {
        for name in ESTIMATORS {
            let errs: Vec<f64> = rows
                .iter()
                .filter(|r| r.dim == d && r.estimator == name)
                .map(|r| r.estimate.value - r.exact)
                .collect();
            if errs.is_empty() {
                continue;
            }
            let mean_abs = errs.iter().map(|e| e.abs()).sum::<f64>() / errs.len() as f64;
            let bias = errs.iter().sum::<f64>() / errs.len() as f64;
            writeln!(
                text,
                "d = {d:>3} {name:>18}: mean |error| {mean_abs:.4}, mean error {bias:+.4}"
            )?;
            summary.push(json!({"dim": d, "estimator": name, "mean_abs_error": mean_abs, "mean_error": bias}));
        }
    }
    out.file("gaussian.csv", csv.as_bytes())?;
    if out.keeps_files() {
        let series: Vec<Series<'_>> = ESTIMATORS
            .into_iter()
            .filter(|name| rows.iter().any(|r| r.estimator == *name))
            .map(|name| {
                let pts: Vec<&Row> = rows.iter().filter(|r| r.estimator == name).collect();
                Series {
                    name,
                    points: pts
                        .iter()
                        .enumerate()
                        .map(|(i, r)| (i as f64, r.estimate.value - r.exact))
                        .collect(),
                    errors: pts.iter().map(|r| r.estimate.std_error).collect(),
                }
            })
            .collect();
        let svg = plot::line_chart(
            "Entropy estimate − exact, Gaussian cases (dimensions in order of --dims)",
            "case",
            "error (nats)",
            &series,
        )?;
        out.file("errors.svg", svg.as_bytes())?;
    }
    let doc = json!({
        "samples": args.samples,
        "k": args.estimators.k,
        "draws": args.estimators.draws,
        "train_steps": args.estimators.train_steps,
        "importance": args.estimators.importance,
        "rows": rows.iter().map(|r| json!({
            "dim": r.dim, "case": r.case, "exact": r.exact, "estimator": r.estimator,
            "value": r.estimate.value, "std_error": r.estimate.std_error,
            "error": r.estimate.value - r.exact, "seconds": r.seconds,
        })).collect::<Vec<_>>(),
        "summary": summary,
    });
    out.json("gaussian.json", &doc)?;
    out.result(&text, &doc)
}

fn compare(args: &CompareArgs, global: &Global, out: &mut Output<'_>) -> Result<()> {
    let hidden = parse_widths(&args.estimators.hidden)?;
    let knn = KozachenkoLeonenko::new(args.estimators.k)?;
    let bytes = std::fs::read(&args.data)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", args.data.display()))?;
    let m = crate::input::read_npy_matrix(&bytes)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.data.display()))?;
    let axes = m.shape.len();
    let m = if axes == 4 {
        m.select_first_axis(args.select)?
    } else {
        m
    };
    let temperature = data_temperature(args, axes)?;
    // Square lattices of spins also get the lattice denoiser's I-MMSE row.
    let side = (m.cols as f64).sqrt().round() as usize;
    let lattice = (args.spins && args.estimators.train_steps > 0 && side >= 2)
        .then_some(side)
        .filter(|s| s * s == m.cols);
    let lattice_spins = lattice.map(|_| m.data.clone());
    let unit = if args.bits { Unit::Bits } else { Unit::Nats };
    let mut rng = stream(global.seed, 0);
    // MICE works on the raw values; copy them only when it runs.
    let raw = if args.mice_steps > 0 {
        Some(Samples::new(m.data.clone(), m.cols)?)
    } else {
        None
    };
    let (x, offset, symbols) = if args.spins {
        if m.data.iter().any(|&v| v != 1.0 && v != -1.0) {
            bail!("--spins needs every value to be +1 or -1");
        }
        let spins: Vec<i8> = m.data.iter().map(|&v| v as i8).collect();
        let symbols: Option<Vec<u64>> = (m.cols <= 64).then(|| {
            spins
                .chunks(m.cols)
                .map(|row| {
                    row.iter()
                        .enumerate()
                        .filter(|(_, s)| **s > 0)
                        .fold(0u64, |a, (i, _)| a | 1 << i)
                })
                .collect()
        });
        let x = dequantise_spins(&spins, m.cols, &mut rng)?;
        (x, m.cols as f64 * DEQUANTISATION_NATS_PER_SPIN, symbols)
    } else {
        (Samples::new(m.data, m.cols)?, 0.0, None)
    };
    let shift = |e: Estimate| Estimate::new(e.value - offset, e.std_error, e.unit, e.samples);
    let mut rows: Vec<(&str, Estimate, f64)> = Vec::new();
    let progress = Progress::new(5, "estimators", global.quiet);
    let (e, t) = timed(|| Ok(shift(GaussianFit.estimate(&x)?)))?;
    rows.push(("gaussian-fit (upper bound)", e, t));
    progress.tick();
    let (e, t) = timed(|| Ok(shift(knn.estimate(&x)?)))?;
    rows.push(("knn", e, t));
    progress.tick();
    if args.estimators.train_steps > 0 {
        let (e, t) = timed(|| {
            Ok(shift(learned_minde(
                &x,
                &hidden,
                (args.estimators.train_steps, args.estimators.importance),
                args.estimators.draws,
                global.seed,
                &mut rng,
            )?))
        })?;
        rows.push(("minde-learned", e, t));
    }
    progress.tick();
    if let (Some(side), Some(spins)) = (lattice, &lattice_spins) {
        let (e, t) =
            timed(|| lattice_immse(spins, side, temperature, &args.estimators, global.seed))?;
        rows.push(("immse-lattice (held-out 25 %)", e, t));
    }
    if let Some(symbols) = &symbols {
        let (e, t) = timed(|| Ok(PlugIn.estimate(&symbols[..])?))?;
        rows.push(("plug-in", e, t));
    }
    progress.tick();
    if let Some(raw) = &raw {
        // For spins, MICE's plug-in leaves and MINE splits give the discrete entropy directly,
        // with no dequantisation offset.
        let mice = Mice {
            mine: Mine {
                steps: args.mice_steps,
                seed: global.seed,
                ..Mine::default()
            },
            leaf: if args.spins {
                Leaf::PlugIn
            } else {
                Leaf::Knn(args.estimators.k)
            },
        };
        let (e, t) = timed(|| Ok(mice.estimate(raw)?))?;
        rows.push(("mice (MINE splits)", e, t));
    }
    progress.finish();
    let (n, d) = (x.len(), x.dim());
    let mut text = format!(
        "{} samples × {d} values{}; entropy in {}\n{:>30} {:>11} {:>9} {:>10} {:>9} {:>8}\n",
        n,
        if args.spins {
            " (±1 spins, dequantised; absolute discrete entropy)"
        } else {
            ""
        },
        if args.bits { "bits" } else { "nats" },
        "estimator",
        "value",
        "±",
        "per value",
        "error",
        "time s"
    );
    let mut json_rows = Vec::new();
    for (name, e, secs) in &rows {
        let e = e.to_unit(unit);
        let err = args.exact.map(|h| e.value - h);
        writeln!(
            text,
            "{name:>30} {:>11.4} {:>9.4} {:>10.5} {:>9} {:>8.2}",
            e.value,
            e.std_error,
            e.value / d as f64,
            err.map_or("—".to_string(), |v| format!("{v:+.4}")),
            secs
        )?;
        json_rows.push(
            json!({"estimator": name, "value": e.value, "std_error": e.std_error,
            "per_value": e.value / d as f64, "error": err, "seconds": secs}),
        );
    }
    if let Some(h) = args.exact {
        writeln!(text, "{:>30} {h:>11.4}", "exact (given)")?;
    }
    let doc = json!({"samples": n, "dim": d, "spins": args.spins, "unit": if args.bits { "bits" } else { "nats" },
        "exact": args.exact, "rows": json_rows});
    out.json("compare.json", &doc)?;
    out.result(&text, &doc)
}
