//! `entropic maxent digits sample | discriminator`: flags → [`DigitsSamplingConfig`] /
//! [`DigitsDiscriminatorConfig`] → the library runs on a trained checkpoint → text, JSON and
//! figures (steering, Eq. 22–23, Fig. 7; discriminator bias, Eq. 20–21, Fig. 6).
use super::{load_checkpoint, model_path};
use crate::Global;
use crate::output::Output;
use crate::runtime::Threads;
use anyhow::{Context, Result};
use entropic::experiment::maxent_digits_report::walker_grid;
use entropic::experiment::{
    DigitsDiscriminator, DigitsDiscriminatorConfig, DigitsSampling, DigitsSamplingConfig,
    DigitsScore,
};
use entropic::maxent::digits::PIXELS;
use entropic::nn::{Network, io};
use entropic::plot::{self, Series};
use entropic::stats::mean_and_sd;
use serde_json::json;
use std::fmt::Write as _;
use std::path::PathBuf;

/// Options of `entropic maxent digits sample`.
#[derive(Debug, clap::Args)]
pub struct SampleArgs {
    /// A checkpoint.json of `digits train` (or its directory).
    #[arg(long, value_name = "FILE")]
    model: PathBuf,
    /// Steer towards this digit with an independent classifier (Eq. 23).
    #[arg(long, value_name = "DIGIT")]
    steer: Option<usize>,
    /// Strength α of the steering field.
    #[arg(long, value_name = "A", default_value_t = 20.0)]
    alpha: f64,
    /// A discriminator.json of `digits discriminator`: add α_g g(x) (Eq. 21).
    #[arg(long, value_name = "FILE")]
    discriminator: Option<PathBuf>,
    /// Strength α_g of the discriminator bias (1 makes H₀ + g the log-density ratio
    /// correction for a calibrated discriminator).
    #[arg(long, value_name = "A", default_value_t = 1.0)]
    disc_alpha: f64,
    /// Drop H₀ and sample from the steering field alone (the Fig. 7d ablation).
    #[arg(long)]
    classifier_only: bool,
    /// MCMC sweeps under the biased energy.
    #[arg(long, value_name = "N", default_value_t = 200)]
    sweeps: usize,
    /// 0: the trained walkers' own moves; L ≥ 1: HMC with L leapfrog steps per sweep on the
    /// biased energy and its gradient (1 = MALA), step adapted over the first quarter of the
    /// sweeps.
    #[arg(long, value_name = "L", default_value_t = 0)]
    leapfrog: usize,
}

/// Options of `entropic maxent digits discriminator`.
#[derive(Debug, clap::Args)]
pub struct DiscriminatorArgs {
    /// A checkpoint.json of `digits train` (or its directory).
    #[arg(long, value_name = "FILE")]
    model: PathBuf,
    /// Discriminator rounds.
    #[arg(long, value_name = "N", default_value_t = 3)]
    rounds: usize,
    /// Strength α of the bias α g(x) (1: g is the log-odds of "generated").
    #[arg(long, value_name = "A", default_value_t = 1.0)]
    alpha: f64,
    /// MCMC sweeps under the biased energy per round.
    #[arg(long, value_name = "N", default_value_t = 200)]
    sweeps: usize,
    /// Training epochs of each discriminator.
    #[arg(long, value_name = "N", default_value_t = 200)]
    epochs: usize,
    /// 0: the trained walkers' own moves; L ≥ 1: HMC with L leapfrog steps per sweep (1 =
    /// MALA).
    #[arg(long, value_name = "L", default_value_t = 0)]
    leapfrog: usize,
}

pub fn sample(args: &SampleArgs, global: &Global, out: &mut Output<'_>) -> Result<()> {
    let run = DigitsSampling::new(DigitsSamplingConfig {
        steer: args.steer,
        alpha: args.alpha,
        disc_alpha: args.disc_alpha,
        classifier_only: args.classifier_only,
        sweeps: args.sweeps,
        leapfrog: args.leapfrog,
    })?;
    let (mut trainer, images, _) = load_checkpoint(&model_path(&args.model))?;
    let discriminator = match &args.discriminator {
        Some(path) => {
            let bytes =
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            let g: Network<f64> = io::from_json(&bytes)
                .with_context(|| format!("{} is not a saved network", path.display()))?;
            Some(g)
        }
        None => None,
    };
    let rt = Threads::new(global.quiet);
    let result = run.run(&mut trainer, images, discriminator, global.seed, &rt)?;
    rt.finish();
    let (samples, unbiased) = (&result.samples, &result.unbiased);
    let (before, after) = (result.before, result.after);
    let n = (samples.len() / PIXELS) as f64;
    let mut text = String::new();
    if let Some(d) = args.steer {
        writeln!(
            text,
            "steering to {d} (α = {}{}): scoring classifier assigns {:.1}% of samples to {d} (model without steering: {:.1}%)",
            args.alpha,
            if args.classifier_only {
                ", classifier only"
            } else {
                ""
            },
            100.0 * after.histogram[d] as f64 / n,
            100.0 * before.histogram[d] as f64 / n
        )?;
    }
    writeln!(text, "unbiased model:")?;
    describe(&mut text, &before)?;
    writeln!(text, "biased samples:")?;
    describe(&mut text, &after)?;
    if out.keeps_files() {
        out.file(
            "samples.svg",
            walker_grid("Biased generation", samples, 40)?.as_bytes(),
        )?;
        out.file(
            "unbiased.svg",
            walker_grid("Unbiased model samples", unbiased, 40)?.as_bytes(),
        )?;
    }
    let doc = json!({
        "command": "maxent digits sample", "seed": global.seed, "steer": args.steer, "alpha": args.alpha,
        "classifier_only": args.classifier_only, "discriminator": args.discriminator,
        "sweeps": args.sweeps, "leapfrog": args.leapfrog,
        "target_fraction": args.steer.map(|d| after.histogram[d] as f64 / n),
        "target_fraction_unbiased": args.steer.map(|d| before.histogram[d] as f64 / n),
        "unbiased": before.to_json(), "biased": after.to_json(),
    });
    out.json("sample.json", &doc)?;
    out.result(&text, &doc)
}

fn describe(text: &mut String, s: &DigitsScore) -> Result<()> {
    for line in s.describe().lines() {
        writeln!(text, "  {line}")?;
    }
    Ok(())
}

pub fn discriminator(
    args: &DiscriminatorArgs,
    global: &Global,
    out: &mut Output<'_>,
) -> Result<()> {
    let run = DigitsDiscriminator::new(DigitsDiscriminatorConfig {
        rounds: args.rounds,
        alpha: args.alpha,
        sweeps: args.sweeps,
        epochs: args.epochs,
        leapfrog: args.leapfrog,
    })?;
    let (mut trainer, images, _) = load_checkpoint(&model_path(&args.model))?;
    let rt = Threads::new(global.quiet);
    let outcome = run.run(&mut trainer, images, global.seed, &rt)?;
    rt.finish();
    let mut rows = Vec::new();
    let mut text = String::new();
    let mean = |v: &[f64]| mean_and_sd(v).0;
    let called_generated =
        |v: &[f64]| v.iter().filter(|&&l| l > 0.0).count() as f64 / v.len() as f64;
    for (round, r) in outcome.rounds.iter().enumerate() {
        let (g_real, g_plain, g_biased) = (&r.g_real, &r.g_model, &r.g_biased);
        writeln!(
            text,
            "round {round}: mean g — real {:.2}, H₀ samples {:.2}, H₀ + α g samples {:.2}; called generated: real {:.1}%, H₀ {:.1}%, biased {:.1}%",
            mean(g_real),
            mean(g_plain),
            mean(g_biased),
            100.0 * called_generated(g_real),
            100.0 * called_generated(g_plain),
            100.0 * called_generated(g_biased)
        )?;
        rows.push(json!({"round": round, "mean_g_real": mean(g_real), "mean_g_model": mean(g_plain),
            "mean_g_biased": mean(g_biased), "generated_fraction_real": called_generated(g_real),
            "generated_fraction_model": called_generated(g_plain), "generated_fraction_biased": called_generated(g_biased)}));
    }
    let last = outcome.rounds.last().context("at least one round")?;
    let hist_series = [
        ("real digits", &last.g_real),
        ("Min-MaxEnt (H₀)", &last.g_model),
        ("biased (H₀ + α g)", &last.g_biased),
    ];
    let (g, biased) = (&outcome.discriminator, &outcome.biased);
    if out.keeps_files() {
        out.file("discriminator.json", &io::to_json(g)?)?;
        out.file(
            "biased_samples.svg",
            walker_grid("Discriminator-biased generation", biased, 40)?.as_bytes(),
        )?;
        let (lo, hi) = hist_series
            .iter()
            .flat_map(|(_, v)| v.iter().copied())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            });
        let bins = 30;
        let width = ((hi - lo) / bins as f64).max(1e-9);
        let mut csv = String::from("series,bin_centre,fraction\n");
        let series: Vec<Series<'_>> = hist_series
            .iter()
            .map(|(name, v)| {
                let mut counts = vec![0usize; bins];
                for &l in v.iter() {
                    counts[(((l - lo) / width) as usize).min(bins - 1)] += 1;
                }
                let points: Vec<(f64, f64)> = counts
                    .iter()
                    .enumerate()
                    .map(|(b, &c)| (lo + width * (b as f64 + 0.5), c as f64 / v.len() as f64))
                    .collect();
                for (x, f) in &points {
                    let _ = writeln!(csv, "{name},{x},{f}");
                }
                Series {
                    name,
                    points,
                    errors: vec![],
                }
            })
            .collect();
        out.file("scores.csv", csv.as_bytes())?;
        out.file(
            "scores.svg",
            plot::line_chart(
                "Discriminator score g (log-odds of 'generated'), last round (Fig. 6)",
                "g(x)",
                "fraction",
                &series,
            )?
            .as_bytes(),
        )?;
    }
    let doc = json!({"command": "maxent digits discriminator", "seed": global.seed, "alpha": args.alpha, "rounds": rows});
    out.json("discriminator_rounds.json", &doc)?;
    out.result(&text, &doc)
}
