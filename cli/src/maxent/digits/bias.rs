//! Generation without retraining: steering (Eq. 22–23, Fig. 7) and discriminator bias
//! (Eq. 20–21, Fig. 6). Walkers start from the trained model's persistent walkers (samples of
//! H₀) and are run under H = H₀ + H′.
use super::{
    DigitsTrainer, Role, Score, Scorer, load_checkpoint, model_path, trained_classifier,
    walker_grid,
};
use crate::Global;
use crate::output::Output;
use crate::plot::{self, Series};
use crate::progress::Progress;
use anyhow::{Context, Result, bail};
use entropic::maxent::digits::{PIXELS, digit_sets, digits_observables, steering_field};
use entropic::nn::classifier::DigitClassifier;
use entropic::nn::loss::bce_with_logits;
use entropic::nn::optim::{Adam, Optimizer};
use entropic::nn::{Network, io};
use entropic::rng::{stream, uniform_index};
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
}

/// The biased energy H = [H₀] + α_s H′_steer + α_g g.
struct Bias {
    steer: Option<(DigitClassifier, usize, f64)>,
    discriminator: Option<(Network<f64>, f64)>,
    with_model: bool,
    /// Buffers reused across the 64 energy evaluations of every sweep.
    scratch: Scratch,
}

#[derive(Default)]
struct Scratch {
    observables: Vec<f64>,
    pixels_f32: Vec<f32>,
    probabilities: Vec<f64>,
    field: Vec<f64>,
}

impl Bias {
    fn new(
        steer: Option<(DigitClassifier, usize, f64)>,
        discriminator: Option<(Network<f64>, f64)>,
        with_model: bool,
    ) -> Self {
        Self {
            steer,
            discriminator,
            with_model,
            scratch: Scratch::default(),
        }
    }

    fn energy(&mut self, trainer: &mut DigitsTrainer, x: &[f64], n: usize, out: &mut Vec<f64>) {
        let s = &mut self.scratch;
        out.clear();
        if self.with_model {
            trainer.model_mut().energy(x, n, &mut s.observables, out);
        } else {
            out.resize(n, 0.0);
        }
        if let Some((clf, target, alpha)) = &mut self.steer {
            s.pixels_f32.clear();
            s.pixels_f32.extend(x.iter().map(|&v| v as f32));
            let p = clf
                .probabilities(&s.pixels_f32, n)
                .expect("walker batches are 64 pixels per image");
            s.probabilities.clear();
            s.probabilities.extend(p.iter().map(|&v| f64::from(v)));
            steering_field(&s.probabilities, *target, *alpha, &mut s.field);
            for (e, h) in out.iter_mut().zip(&s.field) {
                *e += h;
            }
        }
        if let Some((g, alpha)) = &mut self.discriminator {
            let logits = g
                .forward(x, n)
                .expect("walker batches are 64 pixels per image");
            for (e, l) in out.iter_mut().zip(logits) {
                *e += *alpha * l;
            }
        }
    }
}

/// Run `sweeps` sweeps of the trained walkers under the biased energy; returns the samples.
fn generate(
    trainer: &mut DigitsTrainer,
    bias: &mut Bias,
    sweeps: usize,
    seed: u64,
    progress: &Progress,
) -> Result<Vec<f64>> {
    let mut walkers = trainer.walkers().clone();
    let mut rng = stream(seed, 3);
    for _ in 0..sweeps {
        walkers.sweep_energy(|x, n, out| bias.energy(trainer, x, n, out), &mut rng);
        progress.tick();
    }
    Ok(walkers.positions().to_vec())
}

fn check_alpha(alpha: f64, flag: &str) -> Result<()> {
    if !(alpha.is_finite() && alpha >= 0.0) {
        bail!("{flag} must be a finite number ≥ 0, got {alpha}");
    }
    Ok(())
}

pub fn sample(args: &SampleArgs, global: &Global, out: &mut Output<'_>) -> Result<()> {
    check_alpha(args.alpha, "--alpha")?;
    check_alpha(args.disc_alpha, "--disc-alpha")?;
    if let Some(d) = args.steer {
        if d > 9 {
            bail!("--steer takes a digit 0–9, got {d}");
        }
    }
    if args.classifier_only && args.steer.is_none() {
        bail!("--classifier-only needs --steer DIGIT");
    }
    if args.sweeps == 0 {
        bail!("--sweeps must be positive");
    }
    let (mut trainer, images, _) = load_checkpoint(&model_path(&args.model))?;
    let discriminator = match &args.discriminator {
        Some(path) => {
            let bytes =
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            let g: Network<f64> = io::from_json(&bytes)
                .with_context(|| format!("{} is not a saved network", path.display()))?;
            if g.inputs() != PIXELS || g.outputs() != 1 {
                bail!("{} is not a discriminator of 8×8 images", path.display());
            }
            Some((g, args.disc_alpha))
        }
        None => None,
    };
    let steer = match args.steer {
        // The steering classifier: same architecture as the scoring one, its own seed.
        Some(d) => Some((
            trained_classifier(global.seed, Role::Steering)?,
            d,
            args.alpha,
        )),
        None => None,
    };
    let mut bias = Bias::new(steer, discriminator, !args.classifier_only);
    let progress = Progress::new(args.sweeps as u64, "sweeps", global.quiet);
    let unbiased = trainer.walkers().positions().to_vec();
    let samples = generate(&mut trainer, &mut bias, args.sweeps, global.seed, &progress)?;
    progress.finish();
    let mut scorer = Scorer::new(images, global.seed)?;
    let before = scorer.score(&unbiased)?;
    let after = scorer.score(&samples)?;
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
            walker_grid("Biased generation", &samples, 40)?.as_bytes(),
        )?;
        out.file(
            "unbiased.svg",
            walker_grid("Unbiased model samples", &unbiased, 40)?.as_bytes(),
        )?;
    }
    let doc = json!({
        "command": "maxent digits sample", "seed": global.seed, "steer": args.steer, "alpha": args.alpha,
        "classifier_only": args.classifier_only, "discriminator": args.discriminator,
        "target_fraction": args.steer.map(|d| after.histogram[d] as f64 / n),
        "target_fraction_unbiased": args.steer.map(|d| before.histogram[d] as f64 / n),
        "unbiased": before.to_json(), "biased": after.to_json(),
    });
    out.json("sample.json", &doc)?;
    out.result(&text, &doc)
}

fn describe(text: &mut String, s: &Score) -> Result<()> {
    let mut t = String::new();
    s.describe(&mut t)?;
    for line in t.lines() {
        writeln!(text, "  {line}")?;
    }
    Ok(())
}

/// Train g (logit of "generated") on real (label 0) vs generated (label 1) images with Adam
/// and balanced minibatches of 32 + 32.
fn train_discriminator(
    real: &[f64],
    generated: &[f64],
    epochs: usize,
    seed: u64,
) -> Result<Network<f64>> {
    let mut rng = stream(seed, 5);
    let mut g = digits_observables((4, 8), 1, &mut rng)?;
    let mut adam = Adam::default_params();
    let (nr, ng) = (real.len() / PIXELS, generated.len() / PIXELS);
    let steps = epochs * nr.max(ng).div_ceil(32);
    let (mut x, mut y, mut grad) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..steps {
        x.clear();
        y.clear();
        for (set, n, label) in [(real, nr, 0.0), (generated, ng, 1.0)] {
            for _ in 0..32 {
                let i = uniform_index(&mut rng, n);
                x.extend_from_slice(&set[i * PIXELS..(i + 1) * PIXELS]);
                y.push(label);
            }
        }
        g.zero_grad();
        let logits = g.forward(&x, 64)?.to_vec();
        let loss = bce_with_logits(&logits, &y, &mut grad)?;
        if !loss.is_finite() {
            bail!("the discriminator's loss diverged");
        }
        g.backward(&grad)?;
        adam.step(1e-3, &mut g.params_and_grads());
    }
    Ok(g)
}

fn logits(g: &mut Network<f64>, x: &[f64]) -> Result<Vec<f64>> {
    Ok(g.forward(x, x.len() / PIXELS)?.to_vec())
}

pub fn discriminator(
    args: &DiscriminatorArgs,
    global: &Global,
    out: &mut Output<'_>,
) -> Result<()> {
    check_alpha(args.alpha, "--alpha")?;
    if args.rounds == 0 || args.sweeps == 0 || args.epochs == 0 {
        bail!("--rounds, --sweeps and --epochs must be positive");
    }
    let (mut trainer, images, _) = load_checkpoint(&model_path(&args.model))?;
    let real = digit_sets(images)?.train;
    let progress = Progress::new((args.rounds * args.sweeps) as u64, "sweeps", global.quiet);
    let mut bias = Bias::new(None, None, true);
    // The trained model's own walkers: round 0's "generated" set, and the H₀ samples every
    // round's discriminator is evaluated on (biased sampling works on copies of them).
    let plain = trainer.walkers().positions().to_vec();
    let mut pool = plain.clone();
    let mut rows = Vec::new();
    let mut text = String::new();
    let mut hist_series = Vec::new();
    let mut last = None;
    for round in 0..args.rounds {
        let mut g = train_discriminator(&real, &pool, args.epochs, global.seed + round as u64)?;
        let (g_real, g_plain) = (logits(&mut g, &real)?, logits(&mut g, &plain)?);
        bias.discriminator = Some((g.clone(), args.alpha));
        let biased = generate(
            &mut trainer,
            &mut bias,
            args.sweeps,
            global.seed + 100 + round as u64,
            &progress,
        )?;
        let g_biased = logits(&mut g, &biased)?;
        let mean = |v: &[f64]| mean_and_sd(v).0;
        let called_generated =
            |v: &[f64]| v.iter().filter(|&&l| l > 0.0).count() as f64 / v.len() as f64;
        writeln!(
            text,
            "round {round}: mean g — real {:.2}, H₀ samples {:.2}, H₀ + α g samples {:.2}; called generated: real {:.1}%, H₀ {:.1}%, biased {:.1}%",
            mean(&g_real),
            mean(&g_plain),
            mean(&g_biased),
            100.0 * called_generated(&g_real),
            100.0 * called_generated(&g_plain),
            100.0 * called_generated(&g_biased)
        )?;
        rows.push(json!({"round": round, "mean_g_real": mean(&g_real), "mean_g_model": mean(&g_plain),
            "mean_g_biased": mean(&g_biased), "generated_fraction_real": called_generated(&g_real),
            "generated_fraction_model": called_generated(&g_plain), "generated_fraction_biased": called_generated(&g_biased)}));
        if round + 1 == args.rounds {
            hist_series = vec![
                ("real digits", g_real),
                ("Min-MaxEnt (H₀)", g_plain),
                ("biased (H₀ + α g)", g_biased),
            ];
        }
        // The next discriminator also sees what this round's bias generated.
        pool.extend_from_slice(&biased);
        last = Some((g, biased));
    }
    progress.finish();
    let (g, biased) = last.expect("at least one round");
    if out.keeps_files() {
        out.file("discriminator.json", &io::to_json(&g)?)?;
        out.file(
            "biased_samples.svg",
            walker_grid("Discriminator-biased generation", &biased, 40)?.as_bytes(),
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
                for &l in v {
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
