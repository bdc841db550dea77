//! `entropic maxent digits …`: Min-MaxEnt image generation on the 8×8 digits (paper Sec. I.3,
//! Fig. 5–7).
use crate::Global;
use crate::checkpoint::CheckpointFile;
use crate::config::{Flag, Flags, Settings};
use crate::output::{Output, write_atomic};
use crate::runtime::Threads;
use anyhow::{Context, Result, bail};
use entropic::experiment::maxent_digits_report::{
    DigitsTrainReport, training_csv, training_figures, walker_grid,
};
use entropic::experiment::{
    DigitsCheckpoint, DigitsRow, DigitsScorer, DigitsTrainer, MaxentDigits, MaxentDigitsConfig,
};
use entropic::train::{Executor, Stopped};
use serde_json::json;
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

/// Options of `entropic maxent digits train`: the keys of [`MaxentDigitsConfig`] and the run's
/// checkpointing.
#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// Write checkpoint.json every N epochs (and at the end).
    #[arg(long, value_name = "N", default_value_t = 10)]
    checkpoint_every: usize,
    /// Write an image grid of the walkers every N epochs.
    #[arg(long, value_name = "N", default_value_t = 100)]
    grid_every: usize,
    /// Continue the run saved in --out DIR/checkpoint.json.
    #[arg(long)]
    resume: bool,
    /// Stop after this many epochs in total (continue later with --resume).
    #[arg(long, value_name = "N")]
    pause_after: Option<usize>,
    #[command(flatten)]
    settings: Settings<Self>,
}

impl Flags for TrainArgs {
    type Config = MaxentDigitsConfig;
    #[rustfmt::skip]
    fn flags() -> Vec<Flag> {
        vec![
            Flag::new("images", "images", "N", "Training images (the first N of the held-out split; labels discarded)."),
            Flag::new("walkers", "walkers", "N", "Persistent MCMC walkers (each one generated image)."),
            Flag::new("epochs", "epochs", "N", "Epochs (one λ step, one θ step and --sweeps MCMC sweeps each)."),
            Flag::new("sweeps", "sweeps", "N", "MCMC sweeps (64 single-pixel Metropolis moves per walker) per epoch."),
            Flag::new("lambda-rate", "lambda_rate", "R", "Adam rate of the λ step."),
            Flag::new("theta-rate", "theta_rate", "R", "Adam rate of the θ step (cosine-decayed to 1 %)."),
            Flag::new("channels", "channels", "C1,C2", "Channels of the two convolutions."),
            Flag::new("outputs", "outputs", "M", "Observables (network outputs)."),
            Flag::new("entropy-every", "entropy_every", "N", "Estimate the model entropy every N epochs (and at the end) by thermodynamic integration from the uniform distribution on [0, 1]⁶⁴ (0 disables)."),
        ]
    }
}

/// Read a checkpoint written by `digits train`: the trainer, its training images and history.
pub fn load_checkpoint(path: &Path) -> Result<(DigitsTrainer, usize, Vec<DigitsRow>)> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let (c, trainer) =
        DigitsCheckpoint::read(&bytes).with_context(|| path.display().to_string())?;
    Ok((trainer, c.images, c.history))
}

fn train(args: &TrainArgs, global: &Global, out: &mut Output<'_>) -> Result<()> {
    let Some(given) = args.settings.run_config(out)? else {
        return Ok(());
    };
    if args.checkpoint_every == 0 || args.grid_every == 0 {
        bail!("--checkpoint-every and --grid-every must be positive");
    }
    let dir = global.out.clone();
    let (checkpoint_file, stored) = CheckpointFile::open(dir.as_deref(), args.resume)?;
    let (run, mut trainer, mut history) = if let Some((bytes, path)) = stored {
        let (checkpoint, trainer) =
            DigitsCheckpoint::read(&bytes).with_context(|| path.display().to_string())?;
        let config = checkpoint
            .config(&trainer, given.clone())
            .with_context(|| path.display().to_string())?;
        args.settings.check_resumed(&given, &config)?;
        (MaxentDigits::new(config)?, trainer, checkpoint.history)
    } else {
        let run = MaxentDigits::new(given)?;
        let trainer = run.trainer(global.seed)?;
        (run, trainer, Vec::new())
    };
    if let Some(d) = &dir {
        std::fs::create_dir_all(d).with_context(|| format!("cannot create {}", d.display()))?;
    }
    let images = run.config().images;
    let epochs = trainer.params().iterations;
    let executor = Executor {
        chunk: 1,
        checkpoint_every: args.checkpoint_every,
        pause_after: args.pause_after,
    };
    let rt = Threads::new(global.quiet);
    let stopped = run
        .train(
            &mut trainer,
            &mut history,
            executor,
            global.seed,
            &rt,
            |t, h, due| {
                let done = t.iteration();
                if due && checkpoint_file.path().is_some() {
                    checkpoint_file
                        .write(&serde_json::to_vec(&DigitsCheckpoint::new(images, t, h)?)?)?;
                }
                if let Some(d) = &dir
                    && (done % args.grid_every == 0 || done == epochs)
                {
                    std::fs::create_dir_all(d.join("epochs"))?;
                    let title = format!("Min-MaxEnt walkers after epoch {done}");
                    let svg = walker_grid(&title, t.walkers().positions(), 40)?;
                    write_atomic(
                        &d.join(format!("epochs/epoch-{done:05}.svg")),
                        svg.as_bytes(),
                    )?;
                }
                Ok::<_, anyhow::Error>(())
            },
        )
        .with_context(|| {
            format!(
                "training stopped in epoch {}; the last good checkpoint is kept",
                trainer.iteration()
            )
        })?;
    rt.finish();
    if stopped != Stopped::Finished {
        let text = format!(
            "paused after epoch {} of {epochs}; continue with --resume\n",
            trainer.iteration()
        );
        let doc = json!({"command": "maxent digits train", "paused_after": trainer.iteration(), "epochs": epochs});
        return out.result(&text, &doc);
    }
    let data = run.data();

    let samples = trainer.walkers().positions().to_vec();
    let score = DigitsScorer::new(images, global.seed)?.score(&samples)?;
    let report = DigitsTrainReport::new(&run, &history, &score, trainer.walkers().len());
    if out.keeps_files() {
        out.file("training.csv", training_csv(&history).as_bytes())?;
        for (name, svg) in training_figures(&history, &samples, data)? {
            out.file(name, svg.as_bytes())?;
        }
    }
    let doc = report.json(global.seed);
    out.json("digits.json", &doc)?;
    out.result(&report.text(), &doc)
}

/// `--model` paths default to DIR/checkpoint.json when given a directory.
pub fn model_path(p: &Path) -> PathBuf {
    if p.is_dir() {
        p.join("checkpoint.json")
    } else {
        p.to_path_buf()
    }
}
