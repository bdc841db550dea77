//! `entropic maxent pca`: flags → [`MaxentPcaConfig`] → [`MaxentPca`] → text, CSV, JSON and
//! plots (PCA as a Min-MaxEnt solution, paper Sec. I.1, Fig. 2).
use crate::Global;
use crate::config::{ConfigArgs, Overlay};
use crate::output::Output;
use crate::runtime::Threads;
use anyhow::Result;
use entropic::experiment::{MaxentPca, MaxentPcaConfig};
use entropic::maxent::pca_entropy_2d;
use entropic::plot::{self, Series};
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
    #[arg(long, value_name = "N", default_value_t = defaults().samples)]
    samples: usize,
    /// Persistent MCMC walkers.
    #[arg(long, value_name = "N", default_value_t = defaults().walkers)]
    walkers: usize,
    /// Training iterations (one λ step and one θ step each).
    #[arg(long, value_name = "N", default_value_t = defaults().iterations)]
    iterations: usize,
    /// Leapfrog steps of HMC walkers (1 = MALA); 0 keeps random-walk Metropolis.
    #[arg(long, value_name = "L", default_value_t = defaults().leapfrog)]
    leapfrog: usize,
    #[command(flatten)]
    config: ConfigArgs,
}

fn defaults() -> MaxentPcaConfig {
    MaxentPcaConfig::default()
}

impl PcaArgs {
    fn config(&self, global: &Global) -> Result<MaxentPcaConfig> {
        let (mut c, o): (MaxentPcaConfig, _) = Overlay::load(&self.config, &global.explicit)?;
        o.set("sigma", &mut c.sigma, parse_sigma(&self.sigma)?);
        o.set("samples", &mut c.samples, self.samples);
        o.set("walkers", &mut c.walkers, self.walkers);
        o.set("iterations", &mut c.iterations, self.iterations);
        o.set("leapfrog", &mut c.leapfrog, self.leapfrog);
        Ok(c)
    }
}

/// `--sigma S11,S22,S12`: three numbers (the run checks they form a covariance).
fn parse_sigma(text: &str) -> Result<[f64; 3]> {
    let v: Vec<f64> = text
        .split(',')
        .map(|s| s.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| anyhow::anyhow!("--sigma takes three numbers S11,S22,S12, got '{text}'"))?;
    v[..]
        .try_into()
        .map_err(|_| anyhow::anyhow!("--sigma takes three numbers S11,S22,S12, got '{text}'"))
}

pub fn run(args: &PcaArgs, global: &Global, out: &mut Output<'_>) -> Result<()> {
    let config = args.config(global)?;
    if args.config.print_config {
        return out.print_config(&config);
    }
    let rt = Threads::new(global.quiet);
    let experiment = MaxentPca::new(config)?;
    let r = experiment.run(global.seed, &rt)?;
    rt.finish();
    let (sigma, sample, theta) = (r.sigma, r.sample_sigma, r.theta);
    let rows = &r.reports;
    let mut text = String::new();
    writeln!(
        text,
        "learned θ = {theta:.6} rad; PCA angle of the sample covariance θ* = {:.6} (true Σ: {:.6})",
        r.pca_angle_sample, r.pca_angle_true
    )?;
    writeln!(text, "|θ − θ*| (mod π/2) = {:.2e} rad", r.angle_error)?;
    writeln!(
        text,
        "MaxEnt entropy at θ: {:.6} nats (minimum, at θ*: {:.6})",
        r.entropy_at_theta, r.entropy_minimum
    )?;
    writeln!(
        text,
        "final χ² = {:.3e}, λ = {:?}",
        rows.last().map_or(f64::NAN, |r| r.chi2),
        r.lambda
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
        "command": "maxent pca", "seed": global.seed, "config": experiment.config(),
        "sigma": sigma, "sample_sigma": sample, "theta": theta,
        "pca_angle_sample": r.pca_angle_sample, "pca_angle_true": r.pca_angle_true,
        "angle_error": r.angle_error, "lambda": r.lambda,
        "entropy_at_theta": r.entropy_at_theta, "entropy_minimum": r.entropy_minimum,
    });
    out.json("pca.json", &doc)?;
    out.result(&text, &doc)
}
