//! `entropic entropy …`: entropy estimators on data with known answers.
use crate::Global;
use crate::output::Output;
use crate::plot::{self, Series};
use crate::progress::Progress;
use anyhow::{Result, bail};
use entropic::diffusion::{GaussianScore, ScoreNet, ScoreTrainParams, VpSde};
use entropic::entropy::{
    EntropyEstimator, GaussianCase, GaussianFit, KozachenkoLeonenko, Minde, Reference, Samples,
};
use entropic::estimate::Estimate;
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
    /// Neighbour order k of the kNN estimator.
    #[arg(long, value_name = "K", default_value_t = 5)]
    k: usize,
    /// Monte Carlo draws of the MINDE time integral.
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    draws: usize,
    /// Denoising-score-matching steps of the learned score (0: skip the learned MINDE).
    #[arg(long, value_name = "N", default_value_t = 4000)]
    train_steps: usize,
    /// Hidden widths of the score network.
    #[arg(long, value_name = "W,..", default_value = "128,128")]
    hidden: String,
}

pub fn run(command: &Command, global: &Global, out: &mut Output<'_>) -> Result<()> {
    match command {
        Command::Gaussian(args) => gaussian(args, global, out),
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
    let knn = KozachenkoLeonenko::new(args.k)?;
    let hidden: Vec<usize> = args
        .hidden
        .split(',')
        .map(|s| s.trim().parse::<usize>())
        .collect::<Result<_, _>>()
        .map_err(|_| {
            anyhow::anyhow!(
                "--hidden takes comma-separated widths, got '{}'",
                args.hidden
            )
        })?;
    if hidden.contains(&0) {
        bail!("--hidden widths must be at least 1");
    }
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
                args.draws,
                global.seed ^ j as u64,
            )?;
            let mut runs: Vec<(&'static str, Result<(Estimate, f64)>)> = vec![
                ("gaussian-fit", timed(|| Ok(GaussianFit.estimate(&x)?))),
                ("knn", timed(|| Ok(knn.estimate(&x)?))),
                ("minde-exact-score", timed(|| Ok(minde.estimate(&x)?))),
            ];
            if args.train_steps > 0 {
                runs.push((
                    "minde-learned",
                    timed(|| {
                        let mut net = ScoreNet::new(sde, &x, &hidden, &mut rng)?;
                        let params = ScoreTrainParams {
                            steps: args.train_steps,
                            ..ScoreTrainParams::default()
                        };
                        net.train(&x, &params, &mut rng)?;
                        let m = Minde::new(
                            sde,
                            net,
                            Reference::GaussianFit,
                            args.draws,
                            global.seed ^ j as u64,
                        )?;
                        Ok(m.estimate(&x)?)
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
        "k": args.k,
        "draws": args.draws,
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
