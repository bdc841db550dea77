//! `entropic maxent pca`: PCA as a Min-MaxEnt solution (paper Sec. I.1, Fig. 2).
use crate::Global;
use crate::output::Output;
use crate::plot::{self, Series};
use crate::runtime::Threads;
use anyhow::{Result, bail};
use entropic::maxent::{
    IterationReport, MaxEnt, RotatedVariances, TrainParams, Trainer, Walkers, pca_angle_2d,
    pca_entropy_2d,
};
use entropic::train::Executor;
use serde_json::json;
use std::fmt::Write as _;

/// Options of `entropic maxent pca`.
#[derive(Debug, clap::Args)]
pub struct PcaArgs {
    /// Covariance as Σ11,Σ22,Σ12 (positive definite).
    #[arg(
        long,
        value_name = "S11,S22,S12",
        default_value = "3,2,1",
        allow_hyphen_values = true
    )]
    sigma: String,
    /// Training samples.
    #[arg(long, value_name = "N", default_value_t = 20_000)]
    samples: usize,
    /// Persistent MCMC walkers.
    #[arg(long, value_name = "N", default_value_t = 4_000)]
    walkers: usize,
    /// Training iterations (one λ step and one θ step each).
    #[arg(long, value_name = "N", default_value_t = 600)]
    iterations: usize,
}

fn parse_sigma(text: &str) -> Result<[[f64; 2]; 2]> {
    let v: Vec<f64> = text
        .split(',')
        .map(|s| s.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| anyhow::anyhow!("--sigma takes three numbers S11,S22,S12, got '{text}'"))?;
    let [a, b, c] = v[..] else {
        bail!("--sigma takes three numbers S11,S22,S12, got '{text}'")
    };
    if !(a.is_finite()
        && b.is_finite()
        && c.is_finite()
        && a > 0.0
        && b > 0.0
        && a * b - c * c > 0.0)
    {
        bail!("--sigma {text} is not a positive-definite covariance");
    }
    Ok([[a, c], [c, b]])
}

pub fn run(args: &PcaArgs, global: &Global, out: &mut Output<'_>) -> Result<()> {
    let sigma = parse_sigma(&args.sigma)?;
    if args.samples < 10 || args.walkers == 0 || args.walkers > args.samples {
        bail!("need --samples ≥ 10 and 1 ≤ --walkers ≤ --samples");
    }
    let mut rng = entropic::rng::from_seed(global.seed);
    let l11 = sigma[0][0].sqrt();
    let l21 = sigma[0][1] / l11;
    let l22 = (sigma[1][1] - l21 * l21).sqrt();
    let data: Vec<f64> = (0..args.samples)
        .flat_map(|_| {
            let (z1, z2) = entropic::rng::normal_pair(&mut rng);
            [l11 * z1, l21 * z1 + l22 * z2]
        })
        .collect();
    let n = args.samples as f64;
    let c = |a: usize, b: usize| data.chunks_exact(2).map(|x| x[a] * x[b]).sum::<f64>() / n;
    let sample = [[c(0, 0), c(0, 1)], [c(1, 0), c(1, 1)]];
    let lambda = vec![1.0 / (2.0 * sample[0][0]), 1.0 / (2.0 * sample[1][1])];
    let model = MaxEnt::new(RotatedVariances::new(2, &[0.0]), lambda)?;
    let walkers = Walkers::new(2, data[..2 * args.walkers].to_vec(), 1.0, None)?;
    let params = TrainParams {
        iterations: args.iterations,
        ..TrainParams::default()
    };
    let mut trainer = Trainer::new(model, walkers, &data, params, global.seed.wrapping_add(1))?;
    let mut rows: Vec<IterationReport> = Vec::new();
    let rt = Threads::new(global.quiet);
    Executor::default().run(&mut trainer, &data[..], &rt, |_, reports, _| {
        rows.extend_from_slice(reports);
        Ok::<_, anyhow::Error>(())
    })?;
    rt.finish();
    let model = trainer.model();

    let theta = model.observables().angles()[0];
    let (star_sample, star_true) = (pca_angle_2d(sample), pca_angle_2d(sigma));
    let diff = ((theta - star_sample + std::f64::consts::FRAC_PI_4)
        .rem_euclid(std::f64::consts::FRAC_PI_2)
        - std::f64::consts::FRAC_PI_4)
        .abs();
    let mut text = String::new();
    writeln!(
        text,
        "learned θ = {theta:.6} rad; PCA angle of the sample covariance θ* = {star_sample:.6} (true Σ: {star_true:.6})"
    )?;
    writeln!(text, "|θ − θ*| (mod π/2) = {diff:.2e} rad")?;
    writeln!(
        text,
        "MaxEnt entropy at θ: {:.6} nats (minimum, at θ*: {:.6})",
        pca_entropy_2d(sample, theta),
        pca_entropy_2d(sample, star_sample)
    )?;
    writeln!(
        text,
        "final χ² = {:.3e}, λ = {:?}",
        rows.last().map_or(f64::NAN, |r| r.chi2),
        model.lambda()
    )?;

    let angles: Vec<f64> = (0..=360)
        .map(|k| -std::f64::consts::FRAC_PI_2 + std::f64::consts::PI * k as f64 / 360.0)
        .collect();
    let curve_csv: String =
        std::iter::once("theta,entropy_true_sigma,entropy_sample_sigma\n".to_string())
            .chain(angles.iter().map(|&a| {
                format!(
                    "{a},{},{}\n",
                    pca_entropy_2d(sigma, a),
                    pca_entropy_2d(sample, a)
                )
            }))
            .collect();
    let train_csv: String = std::iter::once(
        "iteration,chi2,lambda1,lambda2,theta_gradient_norm,acceptance\n".to_string(),
    )
    .chain(rows.iter().map(|r| {
        format!(
            "{},{},{},{},{},{}\n",
            r.iteration, r.chi2, r.lambda[0], r.lambda[1], r.theta_gradient_norm, r.acceptance
        )
    }))
    .collect();
    if out.keeps_files() {
        out.file("entropy_vs_angle.csv", curve_csv.as_bytes())?;
        out.file("training.csv", train_csv.as_bytes())?;
        let s_curve = Series {
            name: "S(θ), Eq. 15 (sample Σ)",
            points: angles
                .iter()
                .map(|&a| (a, pca_entropy_2d(sample, a)))
                .collect(),
            errors: vec![],
        };
        let learned = Series {
            name: "learned θ",
            points: vec![(theta, pca_entropy_2d(sample, theta))],
            errors: vec![0.0],
        };
        out.file(
            "entropy_vs_angle.svg",
            plot::line_chart(
                "MaxEnt entropy vs rotation angle",
                "θ (rad)",
                "S (nats)",
                &[s_curve, learned],
            )?
            .as_bytes(),
        )?;
        let chi = Series {
            name: "χ²",
            points: rows
                .iter()
                .map(|r| (r.iteration as f64, r.chi2.max(1e-12).log10()))
                .collect(),
            errors: vec![],
        };
        let grad = Series {
            name: "|dS/dθ|",
            points: rows
                .iter()
                .filter(|r| r.theta_gradient_norm > 0.0)
                .map(|r| (r.iteration as f64, r.theta_gradient_norm.log10()))
                .collect(),
            errors: vec![],
        };
        out.file(
            "training.svg",
            plot::line_chart(
                "Min-MaxEnt training (log10)",
                "iteration",
                "log10",
                &[chi, grad],
            )?
            .as_bytes(),
        )?;
    }
    let doc = json!({
        "command": "maxent pca", "seed": global.seed, "sigma": sigma, "sample_sigma": sample, "samples": args.samples,
        "walkers": args.walkers, "iterations": args.iterations, "theta": theta, "pca_angle_sample": star_sample,
        "pca_angle_true": star_true, "angle_error": diff, "lambda": model.lambda(),
        "entropy_at_theta": pca_entropy_2d(sample, theta), "entropy_minimum": pca_entropy_2d(sample, star_sample),
    });
    out.json("pca.json", &doc)?;
    out.result(&text, &doc)
}
