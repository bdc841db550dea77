//! `entropic maxent digits …`: Min-MaxEnt image generation on the 8×8 digits (paper Sec. I.3,
//! Fig. 5–7).
use crate::Global;
use crate::config::fixed;
use crate::output::{Output, write_atomic};
use crate::plot::{self, Scale, Series, Tile};
use crate::progress::Progress;
use anyhow::{Context, Result, bail};
use entropic::experiment::Sequential;
use entropic::maxent::digits::{PIXELS, digit_sets, digits_observables, nearest_distances};
use entropic::maxent::{
    EntropySettings, IterationReport, MaxEnt, Reference, TrainParams, Trainer, Walkers,
    maxent_entropy,
};
use entropic::nn::Network;
use entropic::nn::classifier::{ClassifierParams, DigitClassifier};
use entropic::rng::{stream, uniform_f64};
use entropic::stats::mean_and_sd;
use entropic::train::Executor;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

mod bias;

/// Digits commands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Train a Min-MaxEnt model with CNN observables on 200 unlabelled digits (Fig. 5).
    ///
    /// Writes per-epoch image grids of the walkers, training.csv/svg (χ², |dS/dθ|, |λ|),
    /// entropy.svg (the model entropy by thermodynamic integration, every --entropy-every epochs),
    /// checkpoint.json (atomically, every --checkpoint-every epochs; --resume continues it),
    /// and a score of the final samples: the fraction the separately trained classifier labels
    /// with confidence ≥ 0.9, the class histogram, and the memorisation check.
    ///
    /// Example: entropic maxent digits train --out out/digits
    Train(TrainArgs),
    /// Generate from a trained model, optionally steered towards a digit (Eq. 23) and/or
    /// biased by a discriminator (Eq. 21), without retraining (Fig. 6–7).
    ///
    /// Example: entropic maxent digits sample --model out/digits/checkpoint.json --steer 3 --alpha 20 --out out/steer3
    Sample(bias::SampleArgs),
    /// Train a discriminator g(x) between real and generated digits and iterate it (Eq. 20–21,
    /// Fig. 6): each round trains g on the real digits against samples of H₀ + α g_prev.
    ///
    /// Example: entropic maxent digits discriminator --model out/digits/checkpoint.json --rounds 3 --out out/disc
    Discriminator(bias::DiscriminatorArgs),
}

pub fn run(command: &Command, global: &Global, out: &mut Output<'_>) -> Result<()> {
    match command {
        Command::Train(args) => train(args, global, out),
        Command::Sample(args) => bias::sample(args, global, out),
        Command::Discriminator(args) => bias::discriminator(args, global, out),
    }
}

/// Options of `entropic maxent digits train`.
#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// Training images (the first N of the held-out split; labels discarded).
    #[arg(long, value_name = "N", default_value_t = 200)]
    images: usize,
    /// Persistent MCMC walkers (each one generated image).
    #[arg(long, value_name = "N", default_value_t = 400)]
    walkers: usize,
    /// Epochs (one λ step, one θ step and --sweeps MCMC sweeps each).
    #[arg(long, value_name = "N", default_value_t = 600)]
    epochs: usize,
    /// MCMC sweeps (64 single-pixel Metropolis moves per walker) per epoch.
    #[arg(long, value_name = "N", default_value_t = 4)]
    sweeps: usize,
    /// Adam rate of the λ step.
    #[arg(long, value_name = "R", default_value_t = 0.05)]
    lambda_rate: f64,
    /// Adam rate of the θ step (cosine-decayed to 1 %).
    #[arg(long, value_name = "R", default_value_t = 0.001)]
    theta_rate: f64,
    /// Channels of the two convolutions.
    #[arg(long, value_name = "C1,C2", default_value = "4,8")]
    channels: String,
    /// Observables (network outputs).
    #[arg(long, value_name = "M", default_value_t = 16)]
    outputs: usize,
    /// Write checkpoint.json every N epochs (and at the end).
    #[arg(long, value_name = "N", default_value_t = 10)]
    checkpoint_every: usize,
    /// Write an image grid of the walkers every N epochs.
    #[arg(long, value_name = "N", default_value_t = 100)]
    grid_every: usize,
    /// Estimate the model entropy every N epochs (and at the end) by thermodynamic integration
    /// from the uniform distribution on [0, 1]⁶⁴ (0 disables).
    #[arg(long, value_name = "N", default_value_t = 100)]
    entropy_every: usize,
    /// Continue the run saved in --out DIR/checkpoint.json.
    #[arg(long)]
    resume: bool,
    /// Stop after this many epochs in total (continue later with --resume).
    #[arg(long, value_name = "N")]
    pause_after: Option<usize>,
}

/// One row of training.csv.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Row {
    epoch: usize,
    chi2: f64,
    acceptance: f64,
    theta_gradient_norm: f64,
    lambda_norm: f64,
    /// Model entropy (nats) and its error bar, on the epochs where it was estimated.
    entropy: Option<(f64, f64)>,
}

impl From<&IterationReport> for Row {
    fn from(r: &IterationReport) -> Self {
        Self {
            epoch: r.iteration,
            chi2: r.chi2,
            acceptance: r.acceptance,
            theta_gradient_norm: r.theta_gradient_norm,
            lambda_norm: r.lambda.iter().map(|l| l * l).sum::<f64>().sqrt(),
            entropy: None,
        }
    }
}

/// checkpoint.json: the trainer and the curves so far.
#[derive(Serialize, Deserialize)]
struct Checkpoint {
    format: String,
    images: usize,
    history: Vec<Row>,
    trainer: serde_json::Value,
}

const CHECKPOINT_FORMAT: &str = "entropic-maxent-digits";

/// A trained digits model read from a checkpoint.
pub type DigitsTrainer = Trainer<Network<f64>>;

/// Read a checkpoint written by `digits train`.
pub fn load_checkpoint(path: &Path) -> Result<(DigitsTrainer, usize, Vec<Row>)> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let c: Checkpoint = serde_json::from_slice(&bytes)
        .ok()
        .filter(|c: &Checkpoint| c.format == CHECKPOINT_FORMAT)
        .with_context(|| format!("{} is not a digits checkpoint", path.display()))?;
    let trainer = DigitsTrainer::from_json(&serde_json::to_vec(&c.trainer)?)
        .with_context(|| format!("{} holds an invalid model", path.display()))?;
    let m = trainer.model().observables();
    if m.inputs() != PIXELS || trainer.walkers().dim() != PIXELS {
        bail!("{} is not a model of 8×8 images", path.display());
    }
    Ok((trainer, c.images, c.history))
}

fn parse_channels(text: &str) -> Result<(usize, usize)> {
    let v: Vec<usize> = text
        .split(',')
        .map(|s| s.trim().parse::<usize>())
        .collect::<Result<_, _>>()
        .ok()
        .filter(|v: &Vec<usize>| v.len() == 2 && v.iter().all(|&c| (1..=64).contains(&c)))
        .with_context(|| format!("--channels takes two counts C1,C2 in 1..=64, got '{text}'"))?;
    Ok((v[0], v[1]))
}

fn train(args: &TrainArgs, global: &Global, out: &mut Output<'_>) -> Result<()> {
    let dir = global.out.clone();
    let checkpoint_path = dir.as_ref().map(|d| d.join("checkpoint.json"));
    let (mut trainer, images, data, mut history) = if args.resume {
        let Some(path) = &checkpoint_path else {
            bail!("--resume needs --out DIR holding the checkpoint.json of the run");
        };
        let (trainer, images, history) = load_checkpoint(path)?;
        let stored = trainer.params();
        let net = |channels, outputs| -> Result<String> {
            let n = digits_observables(channels, outputs, &mut stream(0, 0))?.parameter_count();
            Ok(format!("{n} observable parameters"))
        };
        let outputs = trainer.model().lambda().len();
        global.explicit.check_resumed(&[
            fixed("images", args.images, images),
            fixed(
                "walkers",
                args.walkers,
                trainer.walkers().positions().len() / PIXELS,
            ),
            fixed("epochs", args.epochs, stored.iterations),
            fixed("sweeps", args.sweeps, stored.sweeps),
            fixed("lambda_rate", args.lambda_rate, stored.lambda_rate),
            fixed("theta_rate", args.theta_rate, stored.theta_rate),
            fixed("outputs", args.outputs, outputs),
            (
                "channels",
                net(parse_channels(&args.channels)?, outputs)?,
                format!(
                    "{} observable parameters",
                    trainer.model().observables().parameter_count()
                ),
            ),
        ])?;
        (trainer, images, digit_sets(images)?.train, history)
    } else {
        if let Some(path) = checkpoint_path.as_ref().filter(|p| p.exists()) {
            bail!(
                "{} already holds a run; continue it with --resume or choose another --out",
                path.display()
            );
        }
        if args.checkpoint_every == 0 || args.grid_every == 0 {
            bail!("--checkpoint-every and --grid-every must be positive");
        }
        let channels = parse_channels(&args.channels)?;
        if args.outputs == 0 || args.walkers == 0 {
            bail!("--outputs and --walkers must be positive");
        }
        let data = digit_sets(args.images)?.train;
        let mut rng = stream(global.seed, 0);
        let net = digits_observables(channels, args.outputs, &mut rng)?;
        // Walkers start as uniform noise in [0, 1]⁶⁴ ("noisy images at the first epochs").
        let start: Vec<f64> = (0..args.walkers * PIXELS)
            .map(|_| uniform_f64(&mut rng))
            .collect();
        let walkers = Walkers::new(PIXELS, start, 0.3, Some((0.0, 1.0)))?;
        let params = TrainParams {
            iterations: args.epochs,
            sweeps: args.sweeps,
            lambda_rate: args.lambda_rate,
            theta_rate: args.theta_rate,
            warmup: 20,
            adaptation: args.epochs,
            ..TrainParams::default()
        };
        let model = MaxEnt::new(net, vec![0.0; args.outputs])?;
        let trainer = Trainer::new(model, walkers, &data, params, global.seed)?;
        (trainer, args.images, data, Vec::new())
    };
    if let Some(d) = &dir {
        std::fs::create_dir_all(d).with_context(|| format!("cannot create {}", d.display()))?;
    }
    let epochs = trainer.params().iterations;
    let until = args.pause_after.unwrap_or(epochs).min(epochs);
    let progress = Progress::new(epochs as u64, "epochs", global.quiet);
    progress.extend(epochs as u64, trainer.iteration() as u64);
    let save = |t: &DigitsTrainer, h: &[Row]| -> Result<()> {
        if let Some(path) = &checkpoint_path {
            let c = Checkpoint {
                format: CHECKPOINT_FORMAT.into(),
                images,
                history: h.to_vec(),
                trainer: serde_json::from_slice(&t.to_json()?)?,
            };
            write_atomic(path, &serde_json::to_vec(&c)?)?;
        }
        Ok(())
    };
    // One iteration per chunk: the entropy and the walker grids have their own cadence.
    let executor = Executor {
        chunk: 1,
        checkpoint_every: args.checkpoint_every,
        pause_after: Some(until),
    };
    executor
        .run(&mut trainer, &data[..], &Sequential, |t, reports, due| {
            let done = t.iteration();
            for report in reports {
                let mut row = Row::from(report);
                if args.entropy_every > 0 && (done % args.entropy_every == 0 || done == epochs) {
                    row.entropy = Some(model_entropy(t, global.seed, done)?);
                }
                history.push(row);
                progress.tick();
            }
            if due {
                save(t, &history)?;
            }
            if let Some(d) = &dir
                && (done % args.grid_every.max(1) == 0 || done == epochs)
            {
                std::fs::create_dir_all(d.join("epochs"))?;
                let svg = walker_grid(
                    &format!("Min-MaxEnt walkers after epoch {done}"),
                    t.walkers().positions(),
                    40,
                )?;
                write_atomic(
                    &d.join(format!("epochs/epoch-{done:05}.svg")),
                    svg.as_bytes(),
                )?;
            }
            Ok::<_, anyhow::Error>(())
        })
        .with_context(|| {
            format!(
                "training stopped in epoch {}; the last good checkpoint is kept",
                trainer.iteration()
            )
        })?;
    progress.finish();
    if !trainer.is_done() {
        let text = format!(
            "paused after epoch {} of {epochs}; continue with --resume\n",
            trainer.iteration()
        );
        let doc = json!({"command": "maxent digits train", "paused_after": trainer.iteration(), "epochs": epochs});
        return out.result(&text, &doc);
    }

    let samples = trainer.walkers().positions().to_vec();
    let score = Scorer::new(images, global.seed)?.score(&samples)?;
    let mut text = String::new();
    writeln!(
        text,
        "trained {epochs} epochs on {images} digits; final χ² = {:.3}",
        history.last().map_or(f64::NAN, |r| r.chi2)
    )?;
    score.describe(&mut text)?;
    if out.keeps_files() {
        let mut csv = String::from(
            "epoch,chi2,acceptance,theta_gradient_norm,lambda_norm,entropy,entropy_error\n",
        );
        for r in &history {
            let (s, e) = r.entropy.map_or((String::new(), String::new()), |(s, e)| {
                (s.to_string(), e.to_string())
            });
            writeln!(
                csv,
                "{},{},{},{},{},{s},{e}",
                r.epoch, r.chi2, r.acceptance, r.theta_gradient_norm, r.lambda_norm
            )?;
        }
        out.file("training.csv", csv.as_bytes())?;
        let curve = |name: &'static str, f: &dyn Fn(&Row) -> f64| Series {
            name,
            points: history
                .iter()
                .map(|r| ((r.epoch + 1) as f64, f(r).max(1e-12).log10()))
                .collect(),
            errors: vec![],
        };
        out.file(
            "training.svg",
            plot::line_chart(
                "Min-MaxEnt on 8×8 digits (log10)",
                "epoch",
                "log10",
                &[
                    curve("χ²", &|r| r.chi2),
                    curve("|dS/dθ|", &|r| r.theta_gradient_norm),
                    curve("|λ|", &|r| r.lambda_norm),
                ],
            )?
            .as_bytes(),
        )?;
        let entropy: Vec<&Row> = history.iter().filter(|r| r.entropy.is_some()).collect();
        if !entropy.is_empty() {
            let (points, errors) = entropy
                .iter()
                .map(|r| {
                    let (s, e) = r.entropy.expect("filtered");
                    (((r.epoch + 1) as f64, s), e)
                })
                .unzip();
            out.file(
                "entropy.svg",
                plot::line_chart(
                    "MaxEnt model entropy during training (TI from the uniform box)",
                    "epoch",
                    "S (nats; uniform on [0,1]⁶⁴ = 0)",
                    &[Series {
                        name: "S = ln Z + ⟨λ·f⟩",
                        points,
                        errors,
                    }],
                )?
                .as_bytes(),
            )?;
        }
        out.file(
            "samples.svg",
            walker_grid("Generated digits (final walkers)", &samples, 40)?.as_bytes(),
        )?;
        out.file(
            "training_digits.svg",
            walker_grid("Training digits", &data, 40)?.as_bytes(),
        )?;
    }
    let final_entropy = history.last().and_then(|r| r.entropy);
    if let Some((s, e)) = final_entropy {
        writeln!(
            text,
            "model entropy {s:.2} ± {e:.2} nats (uniform noise on [0,1]⁶⁴: 0)"
        )?;
    }
    let doc = json!({
        "command": "maxent digits train", "seed": global.seed, "images": images, "epochs": epochs,
        "final_entropy": final_entropy,
        "walkers": trainer.walkers().len(), "final_chi2": history.last().map(|r| r.chi2),
        "score": score.to_json(),
    });
    out.json("digits.json", &doc)?;
    out.result(&text, &doc)
}

/// Entropy (nats) of the current MaxEnt model, S = ln Z + ⟨H⟩, by thermodynamic integration
/// from the uniform distribution on the pixel box, with 100 of the walkers (copied; training is
/// not disturbed) and its own RNG stream, so resumed runs reproduce it.
fn model_entropy(trainer: &mut DigitsTrainer, seed: u64, epoch: usize) -> Result<(f64, f64)> {
    let mut walkers = trainer.walkers().first(100);
    let reference = Reference::uniform_box(PIXELS, 0.0, 1.0)?;
    let settings = EntropySettings {
        intervals: 10,
        burn_in: 10,
        sweeps: 20,
    };
    let mut rng = stream(seed, 1000 + epoch);
    let e = maxent_entropy(
        trainer.model_mut(),
        &reference,
        &mut walkers,
        settings,
        &mut rng,
    )?;
    Ok((e.value, e.std_error))
}

/// Image grid of the first `count` images (10 per row).
pub fn walker_grid(title: &str, images: &[f64], count: usize) -> Result<String> {
    let rows: Vec<Vec<Tile>> = images
        .chunks_exact(PIXELS)
        .take(count)
        .collect::<Vec<_>>()
        .chunks(10)
        .map(|row| {
            row.iter()
                .map(|p| Tile {
                    title: String::new(),
                    pixels: p.to_vec(),
                    scale: Scale::Gray,
                })
                .collect()
        })
        .collect();
    plot::image_grid(title, &rows, 8)
}

/// The two independently seeded digit classifiers of the experiment.
#[derive(Clone, Copy, Debug)]
pub enum Role {
    /// Scores generated digits.
    Scoring,
    /// The h of Eq. 23 that steers generation.
    Steering,
}

/// The digits CNN trained on the training split (never on the Min-MaxEnt training images).
/// The two roles differ only in their RNG streams, so the score is not measured by the network
/// that steers.
pub fn trained_classifier(seed: u64, role: Role) -> Result<DigitClassifier> {
    let k = match role {
        Role::Scoring => 7,
        Role::Steering => 11,
    };
    Ok(DigitClassifier::train(
        ClassifierParams::default(),
        &mut stream(seed, k),
        &mut (),
    )?)
}

/// Quality of generated digits.
pub struct Score {
    /// Fraction classified with confidence ≥ 0.9.
    pub confident: f64,
    /// Images per predicted class.
    pub histogram: [usize; 10],
    /// Mean nearest-neighbour distance to the training digits.
    pub to_training: f64,
    /// Mean nearest-neighbour distance to unseen digits.
    pub to_unseen: f64,
    /// Mean over samples of (distance to training − distance to unseen) and its standard
    /// error: clearly negative means the samples sit closer to the training set (memorisation).
    pub gap: (f64, f64),
    /// Real digits' baseline: mean distance of the unseen digits to the training set.
    pub unseen_to_training: f64,
}

impl Score {
    fn describe(&self, text: &mut String) -> Result<()> {
        writeln!(
            text,
            "classifier confidence ≥ 0.9: {:.1}% of samples; predicted classes {:?}",
            100.0 * self.confident,
            self.histogram
        )?;
        writeln!(
            text,
            "memorisation check: mean nearest-neighbour distance of samples to the training digits {:.3}, to unseen digits {:.3}, paired difference {:.3} ± {:.3} (unseen digits to the training digits: {:.3})",
            self.to_training, self.to_unseen, self.gap.0, self.gap.1, self.unseen_to_training
        )?;
        Ok(())
    }

    fn to_json(&self) -> serde_json::Value {
        json!({"confident_fraction": self.confident, "class_histogram": self.histogram,
               "nn_distance_to_training": self.to_training, "nn_distance_to_unseen": self.to_unseen,
               "nn_distance_gap": self.gap.0, "nn_distance_gap_error": self.gap.1,
               "nn_distance_unseen_to_training": self.unseen_to_training})
    }
}

/// Scores generated digits: the scoring classifier and the image sets of the memorisation check.
pub struct Scorer {
    classifier: DigitClassifier,
    data: Vec<f64>,
    unseen: Vec<f64>,
    /// Real digits' baseline, the same for every score.
    unseen_to_training: f64,
}

impl Scorer {
    /// For a model trained on the first `images` digits of the held-out split.
    pub fn new(images: usize, seed: u64) -> Result<Self> {
        let sets = digit_sets(images)?;
        let unseen_to_training = mean_and_sd(&nearest_distances(&sets.unseen, &sets.train)?).0;
        Ok(Self {
            classifier: trained_classifier(seed, Role::Scoring)?,
            data: sets.train,
            unseen: sets.unseen,
            unseen_to_training,
        })
    }

    /// Score `samples` (64 pixels each in [0, 1]).
    pub fn score(&mut self, samples: &[f64]) -> Result<Score> {
        let n = samples.len() / PIXELS;
        let x: Vec<f32> = samples.iter().map(|&v| v as f32).collect();
        let p = self.classifier.probabilities(&x, n)?;
        let mut histogram = [0usize; 10];
        let mut confident = 0usize;
        for row in p.chunks_exact(10) {
            let best = (0..10).fold(0, |b, c| if row[c] > row[b] { c } else { b });
            histogram[best] += 1;
            if row[best] >= 0.9 {
                confident += 1;
            }
        }
        let to_training = nearest_distances(samples, &self.data)?;
        let to_unseen = nearest_distances(samples, &self.unseen)?;
        let diff: Vec<f64> = to_training
            .iter()
            .zip(&to_unseen)
            .map(|(a, b)| a - b)
            .collect();
        let (m, sd) = mean_and_sd(&diff);
        Ok(Score {
            confident: confident as f64 / n as f64,
            histogram,
            to_training: mean_and_sd(&to_training).0,
            to_unseen: mean_and_sd(&to_unseen).0,
            gap: (m, sd / (n as f64).sqrt()),
            unseen_to_training: self.unseen_to_training,
        })
    }
}

/// `--model` paths default to DIR/checkpoint.json when given a directory.
pub fn model_path(p: &Path) -> PathBuf {
    if p.is_dir() {
        p.join("checkpoint.json")
    } else {
        p.to_path_buf()
    }
}
