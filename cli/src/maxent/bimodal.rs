//! `entropic maxent bimodal`: 1D bimodal distributions, Min-MaxEnt vs VAE vs mean+variance
//! MaxEnt (paper Sec. I.2, Fig. 3–4).
use crate::Global;
use crate::output::Output;
use crate::plot::{self, Series};
use crate::progress::Progress;
use anyhow::{Result, bail};
use entropic::experiment::Sequential;
use entropic::maxent::{
    Component, IterationReport, MaxEnt, Mixture1d, TrainParams, Trainer, Walkers, kl_on_grid,
    quadrature_1d,
};
use entropic::nn::{ActivationKind, Network};
use entropic::rng::{stream, uniform_f64};
use entropic::stats::mean_and_sd;
use entropic::train::Executor;
use entropic::vae::{self, Vae, VaeParams};
use rayon::prelude::*;
use serde_json::json;
use std::fmt::Write as _;

/// The data sets of Fig. 3 and 4.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Case {
    /// ½ N(−2, 0.5²) + ½ N(2, 0.5²), 1000 samples, box [−6, 6] (Fig. 3a).
    Gaussian,
    /// The same mixture from only 10 samples (Fig. 3e).
    Gaussian10,
    /// ½ Cauchy(−2, γ = 0.5) + ½ Cauchy(2, γ = 0.5), 1000 samples, box [−10, 10] (Fig. 4).
    Cauchy,
}

impl Case {
    /// The paper gives no centres, widths or ranges; these are ours (README, "Min-MaxEnt").
    fn mixture(self) -> Mixture1d {
        let built = match self {
            Self::Gaussian | Self::Gaussian10 => {
                Mixture1d::new(Component::Normal, [(-2.0, 0.5), (2.0, 0.5)], (-6.0, 6.0))
            }
            Self::Cauchy => {
                Mixture1d::new(Component::Cauchy, [(-2.0, 0.5), (2.0, 0.5)], (-10.0, 10.0))
            }
        };
        built.expect("fixed, valid mixture parameters")
    }

    fn samples(self) -> usize {
        match self {
            Self::Gaussian10 => 10,
            Self::Gaussian | Self::Cauchy => 1000,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Gaussian => "gaussian",
            Self::Gaussian10 => "gaussian-10",
            Self::Cauchy => "cauchy",
        }
    }
}

/// Options of `entropic maxent bimodal`.
#[derive(Debug, clap::Args)]
pub struct BimodalArgs {
    /// Which data set.
    #[arg(long, value_enum, default_value = "gaussian")]
    case: Case,
    /// Independent repetitions (data, initialisation and sampling all reseeded).
    #[arg(long, value_name = "N", default_value_t = 5)]
    seeds: usize,
    /// Min-MaxEnt iterations ("epochs").
    #[arg(long, value_name = "N", default_value_t = 1000)]
    epochs: usize,
    /// VAE epochs (passes over the data in minibatches of 100); default: --epochs.
    #[arg(long, value_name = "N")]
    vae_epochs: Option<usize>,
    /// Persistent MCMC walkers of the Min-MaxEnt model.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    walkers: usize,
    /// Quadrature nodes on the box for densities and KL.
    #[arg(long, value_name = "N", default_value_t = 2001)]
    grid: usize,
}

/// One seed's curves and final densities.
struct SeedRun {
    seed: u64,
    minmaxent_kl: Vec<f64>,
    minmaxent_entropy: Vec<f64>,
    vae_kl: Vec<f64>,
    gaussian_kl: f64,
    reports: Vec<IterationReport>,
    minmaxent_density: Vec<f64>,
    vae_density: Vec<f64>,
    gaussian_density: Vec<f64>,
}

const HIDDEN: [usize; 2] = [16, 16];

/// One seed of all three models on the quadrature grid, where `real` is the data density.
fn run_seed(
    args: &BimodalArgs,
    seed: u64,
    (grid, real): (&[f64], &[f64]),
    progress: &Progress,
) -> Result<SeedRun> {
    let case = args.case;
    let mixture = case.mixture();
    let (lo, hi) = mixture.bounds();
    let h = grid[1] - grid[0];
    let mut rng = stream(seed, 0);
    let data = mixture.sample(case.samples(), &mut rng);

    // Mean+variance MaxEnt: the Gaussian with the data's mean and variance (on the box).
    let n = data.len() as f64;
    let mean = data.iter().sum::<f64>() / n;
    let var = data.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
    let gaussian_density: Vec<f64> = grid
        .iter()
        .map(|&x| {
            (-(x - mean) * (x - mean) / (2.0 * var)).exp() / (std::f64::consts::TAU * var).sqrt()
        })
        .collect();
    let gaussian_kl = kl_on_grid(real, &gaussian_density, h)?;

    // Min-MaxEnt with MLP observables 1 → 16 → 16 → 2 (tanh).
    let mut widths = vec![1];
    widths.extend(HIDDEN);
    widths.push(2);
    let net = Network::<f64>::mlp(&widths, ActivationKind::Tanh, &mut rng)?;
    let start: Vec<f64> = (0..args.walkers)
        .map(|_| lo + (hi - lo) * uniform_f64(&mut rng))
        .collect();
    let walkers = Walkers::new(1, start, 1.0, Some((lo, hi)))?;
    let params = TrainParams {
        iterations: args.epochs,
        lambda_rate: 0.05,
        theta_rate: 0.01,
        warmup: 20,
        adaptation: 20,
        ..TrainParams::default()
    };
    let mut trainer = Trainer::new(
        MaxEnt::new(net, vec![0.0, 0.0])?,
        walkers,
        &data,
        params,
        seed,
    )?;
    let (mut minmaxent_kl, mut minmaxent_entropy, mut reports) =
        (Vec::new(), Vec::new(), Vec::new());
    let mut minmaxent_density = Vec::new();
    // One iteration per chunk: the density is scored after every iteration.
    let executor = Executor {
        chunk: 1,
        ..Executor::default()
    };
    executor.run(&mut trainer, &data[..], &Sequential, |t, r, _| {
        reports.extend_from_slice(r);
        let q = quadrature_1d(t.model_mut(), lo, hi, grid.len())?;
        minmaxent_kl.push(kl_on_grid(real, &q.density, h)?);
        minmaxent_entropy.push(q.entropy);
        minmaxent_density = q.density;
        progress.tick();
        Ok::<_, anyhow::Error>(())
    })?;

    // VAE: encoder 1 → 16 → 16 → 2 (μ, ln σ² of a 1D latent), mirrored decoder.
    let mut vae_rng = stream(seed, 1);
    let mut model = Vae::new(1, 1, &HIDDEN, ActivationKind::Tanh, &mut vae_rng)?;
    let vae_epochs = args.vae_epochs.unwrap_or(args.epochs);
    let vae_params = VaeParams {
        epochs: vae_epochs,
        batch: 100.min(data.len()),
        ..VaeParams::default()
    };
    let mut vae_trainer = vae::Trainer::new(vae_params)?;
    let (mut vae_kl, mut vae_density) = (Vec::new(), Vec::new());
    for _ in 0..vae_epochs {
        vae_trainer.epoch(&mut model, &data, &mut vae_rng)?;
        vae_density = model.density_1d(grid, 401)?;
        vae_kl.push(kl_on_grid(real, &vae_density, h)?);
        progress.tick();
    }
    Ok(SeedRun {
        seed,
        minmaxent_kl,
        minmaxent_entropy,
        vae_kl,
        gaussian_kl,
        reports,
        minmaxent_density,
        vae_density,
        gaussian_density,
    })
}

pub fn run(args: &BimodalArgs, global: &Global, out: &mut Output<'_>) -> Result<()> {
    let vae_epochs = args.vae_epochs.unwrap_or(args.epochs);
    if args.seeds == 0 || args.epochs == 0 || args.walkers == 0 || vae_epochs == 0 {
        bail!("--seeds, --epochs, --vae-epochs and --walkers must be positive");
    }
    if args.grid < 11 {
        bail!("--grid needs at least 11 nodes");
    }
    // About a dozen densities on the grid are alive at once (data, three models, per seed).
    entropic::experiment::check_memory("the quadrature grids", &[16, args.grid, 8])?;
    let (lo, hi) = args.case.mixture().bounds();
    let h = (hi - lo) / (args.grid - 1) as f64;
    let grid: Vec<f64> = (0..args.grid).map(|k| lo + h * k as f64).collect();
    let real: Vec<f64> = grid
        .iter()
        .map(|&x| args.case.mixture().density(x))
        .collect();
    let progress = Progress::new(
        (args.seeds * (args.epochs + vae_epochs)) as u64,
        "epochs",
        global.quiet,
    );
    let runs: Vec<SeedRun> = (0..args.seeds as u64)
        .into_par_iter()
        .map(|s| run_seed(args, global.seed.wrapping_add(s), (&grid, &real), &progress))
        .collect::<Result<_>>()?;
    progress.finish();

    // Final and best KL per seed.
    let last = |v: &[f64]| *v.last().expect("at least one epoch");
    let best = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    let finals = |f: &dyn Fn(&SeedRun) -> f64| runs.iter().map(f).collect::<Vec<f64>>();
    let mm_final = finals(&|r| last(&r.minmaxent_kl));
    let vae_final = finals(&|r| last(&r.vae_kl));
    let gauss = finals(&|r| r.gaussian_kl);
    let mm_best = finals(&|r| best(&r.minmaxent_kl));
    let vae_best = finals(&|r| best(&r.vae_kl));
    let wins = mm_final
        .iter()
        .zip(&vae_final)
        .filter(|(a, b)| a < b)
        .count();

    let mut text = String::new();
    writeln!(
        text,
        "{} ({} samples, {} seeds, {} Min-MaxEnt / {vae_epochs} VAE epochs): KL(real ‖ model), nats, mean ± sd over seeds",
        args.case.name(),
        args.case.samples(),
        args.seeds,
        args.epochs
    )?;
    for (name, fin, bst) in [
        ("Min-MaxEnt", &mm_final, Some(&mm_best)),
        ("VAE", &vae_final, Some(&vae_best)),
        ("mean+variance MaxEnt", &gauss, None),
    ] {
        let (m, s) = mean_and_sd(fin);
        write!(text, "  {name:<22} final {m:.4} ± {s:.4}")?;
        if let Some(b) = bst {
            let (bm, bs) = mean_and_sd(b);
            write!(text, "   best epoch {bm:.4} ± {bs:.4}")?;
        }
        writeln!(text)?;
    }
    writeln!(
        text,
        "  Min-MaxEnt has the lower final KL in {wins} of {} seeds",
        args.seeds
    )?;

    let mut summary_csv =
        String::from("case,seed,minmaxent_final,minmaxent_best,vae_final,vae_best,gaussian\n");
    let mut curves_csv = String::from(
        "case,seed,epoch,minmaxent_kl,minmaxent_entropy,vae_kl,chi2,lambda1,lambda2,theta_gradient_norm\n",
    );
    for (k, r) in runs.iter().enumerate() {
        writeln!(
            summary_csv,
            "{},{},{},{},{},{},{}",
            args.case.name(),
            r.seed,
            mm_final[k],
            mm_best[k],
            vae_final[k],
            vae_best[k],
            r.gaussian_kl
        )?;
        for e in 0..args.epochs.max(vae_epochs) {
            let cell = |v: Option<f64>| v.map_or(String::new(), |x| x.to_string());
            let rep = r.reports.get(e);
            writeln!(
                curves_csv,
                "{},{},{},{},{},{},{},{},{},{}",
                args.case.name(),
                r.seed,
                e,
                cell(r.minmaxent_kl.get(e).copied()),
                cell(r.minmaxent_entropy.get(e).copied()),
                cell(r.vae_kl.get(e).copied()),
                cell(rep.map(|x| x.chi2)),
                cell(rep.map(|x| x.lambda[0])),
                cell(rep.map(|x| x.lambda[1])),
                cell(rep.map(|x| x.theta_gradient_norm))
            )?;
        }
    }
    let first = &runs[0];
    let mut density_csv = String::from("x,real,minmaxent,vae,gaussian\n");
    for (k, &x) in grid.iter().enumerate() {
        writeln!(
            density_csv,
            "{x},{},{},{},{}",
            real[k], first.minmaxent_density[k], first.vae_density[k], first.gaussian_density[k]
        )?;
    }
    if out.keeps_files() {
        out.file("summary.csv", summary_csv.as_bytes())?;
        out.file("curves.csv", curves_csv.as_bytes())?;
        out.file("densities.csv", density_csv.as_bytes())?;
        write_figures(args, (&grid, &real), &runs, out)?;
    }
    let (mm, vae_ms, ga) = (
        mean_and_sd(&mm_final),
        mean_and_sd(&vae_final),
        mean_and_sd(&gauss),
    );
    let doc = json!({
        "command": "maxent bimodal", "case": args.case.name(), "samples": args.case.samples(),
        "seeds": args.seeds, "epochs": args.epochs, "vae_epochs": vae_epochs, "walkers": args.walkers, "seed": global.seed,
        "minmaxent_final_kl": mm_final, "vae_final_kl": vae_final, "gaussian_kl": gauss,
        "minmaxent_best_kl": mm_best, "vae_best_kl": vae_best,
        "minmaxent_mean_sd": [mm.0, mm.1], "vae_mean_sd": [vae_ms.0, vae_ms.1], "gaussian_mean_sd": [ga.0, ga.1],
        "minmaxent_wins": wins,
    });
    out.json("bimodal.json", &doc)?;
    out.result(&text, &doc)
}

fn write_figures(
    args: &BimodalArgs,
    (grid, real): (&[f64], &[f64]),
    runs: &[SeedRun],
    out: &mut Output<'_>,
) -> Result<()> {
    let epochs = args.epochs;
    // Mean over seeds per epoch, log10, with the spread as error bars every few epochs.
    let curve = |name: &'static str, get: &dyn Fn(&SeedRun) -> &[f64]| {
        let epochs = get(&runs[0]).len();
        let stride = (epochs / 50).max(1);
        let mut points = Vec::new();
        let mut errors = Vec::new();
        for e in (0..epochs).step_by(stride) {
            let logs: Vec<f64> = runs.iter().map(|r| get(r)[e].max(1e-6).log10()).collect();
            let (m, s) = mean_and_sd(&logs);
            points.push(((e + 1) as f64, m));
            errors.push(s);
        }
        Series {
            name,
            points,
            errors,
        }
    };
    let gauss = mean_and_sd(
        &runs
            .iter()
            .map(|r| r.gaussian_kl.log10())
            .collect::<Vec<_>>(),
    )
    .0;
    let kl = [
        curve("Min-MaxEnt", &|r| &r.minmaxent_kl),
        curve("VAE", &|r| &r.vae_kl),
        Series {
            name: "mean+variance MaxEnt",
            points: vec![
                (1.0, gauss),
                (epochs.max(runs[0].vae_kl.len()) as f64, gauss),
            ],
            errors: vec![],
        },
    ];
    out.file(
        "kl_vs_epoch.svg",
        plot::line_chart(
            &format!(
                "KL(real ‖ model), {} ({} seeds, mean ± sd of log10)",
                args.case.name(),
                runs.len()
            ),
            "epoch",
            "log10 KL (nats)",
            &kl,
        )?
        .as_bytes(),
    )?;
    let first = &runs[0];
    let dens = |name: &'static str, v: &[f64]| Series {
        name,
        points: grid.iter().copied().zip(v.iter().copied()).collect(),
        errors: vec![],
    };
    out.file(
        "densities.svg",
        plot::line_chart(
            &format!("Densities after training (seed {})", first.seed),
            "x",
            "p(x)",
            &[
                dens("Min-MaxEnt", &first.minmaxent_density),
                dens("VAE", &first.vae_density),
                dens("mean+variance MaxEnt", &first.gaussian_density),
                dens("real", real),
            ],
        )?
        .as_bytes(),
    )?;
    let per_epoch = |name: &'static str, f: &dyn Fn(&IterationReport) -> f64| Series {
        name,
        points: first
            .reports
            .iter()
            .map(|r| ((r.iteration + 1) as f64, f(r)))
            .collect(),
        errors: vec![],
    };
    out.file(
        "training.svg",
        plot::line_chart(
            &format!("Min-MaxEnt training, seed {} (Fig. 3b–d)", first.seed),
            "epoch",
            "value",
            &[
                per_epoch("λ₁", &|r| r.lambda[0]),
                per_epoch("λ₂", &|r| r.lambda[1]),
                per_epoch("|dS/dθ|", &|r| r.theta_gradient_norm),
                Series {
                    name: "model entropy S (nats, quadrature)",
                    points: first
                        .minmaxent_entropy
                        .iter()
                        .enumerate()
                        .map(|(e, &s)| ((e + 1) as f64, s))
                        .collect(),
                    errors: vec![],
                },
            ],
        )?
        .as_bytes(),
    )?;
    Ok(())
}
