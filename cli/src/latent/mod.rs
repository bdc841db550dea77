//! `entropic latent …`: the nonequilibrium latent-cycle model (nonequilibrium-latent-cycles paper).
mod run;
mod sweep;

use crate::Global;
use crate::config::{Flag, Flags, Settings};
use crate::output::Output;
use anyhow::Result;
use entropic::experiment::{LabelledImages, LatentTrain, LatentTrainConfig};
use entropic::latent::{Encoding, Rule};
use std::path::PathBuf;

/// Latent-cycle commands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Train one model on the embedded binarised MNIST 0/1/2 and diagnose it.
    ///
    /// Runs the paper's training (Sec. IV.1: L = 6 one-hot hidden states, persistent chain of
    /// T = 48 double steps, RMSprop η = 0.1, minibatch 16 → 160 over 120 epochs of 30 updates).
    /// After every epoch it measures, on a copy of the chains, the precise log-likelihood
    /// (App. A.3, with a jackknife error bar), the entropy production σ (Eq. 21) three ways with
    /// error bars (the paper's hard counts, Rao-Blackwellised counts, the model's own M), the
    /// decorrelation time τ (Eq. 23), the mean diagonal of M (Eq. 24) and the class KL (Eq. 22).
    /// With --out it writes history.csv, summary.json, the plots of Fig. 2-3 and checkpoint.json
    /// after every epoch (atomically); --resume continues from it bit-identically.
    ///
    /// Example: entropic latent train --seed 3 --out out/latent
    Train(TrainArgs),
    /// Train many independent models in parallel (Fig. 2 and 4) beside the baselines.
    ///
    /// Trains --runs models (seed k from stream k of --seed), the equilibrium counterpart (softmax kernel, w̄
    /// tied to wᵀ, same chains and budget) for --baseline-runs seeds, and a Bernoulli mixture
    /// with L components by EM (the likelihood ceiling of the model class). Writes runs.csv,
    /// histories.csv, baselines.csv, report.md (whether the paper's claims hold for each of the
    /// three σ estimators, and the Fig. 2(c) regimes, with numbers) and the figures. Finished runs are saved under runs/; --resume skips them.
    ///
    /// Example: entropic latent sweep --runs 36 --out out/sweep
    Sweep(SweepArgs),
    /// Diagnose a saved model: long-trajectory log-likelihood, σ, τ, M, class KL, Fig. 3 plots.
    ///
    /// Example: entropic latent report --checkpoint out/latent/checkpoint.json --out out/report
    Report(ReportArgs),
}

/// Training and diagnostic settings shared by `train` and `sweep`: the keys of
/// [`LatentTrainConfig`].
#[derive(Debug, Clone, clap::Args)]
pub struct Training {
    #[command(flatten)]
    settings: Settings<Self>,
}

impl Flags for Training {
    type Config = LatentTrainConfig;
    #[rustfmt::skip]
    fn flags() -> Vec<Flag> {
        let mut flags = vec![
            Flag::new("hidden", "hidden", "L", "Hidden units L."),
            Flag::choice::<Encoding>("encoding", "encoding", "ENCODING", "Hidden encoding."),
            Flag::new("steps", "steps", "T", "Double steps T of the persistent chain per update."),
            Flag::new("chains", "chains", "N", "Persistent chains."),
            Flag::new("learning-rate", "learning_rate", "ETA", "RMSprop learning rate."),
            Flag::new("rms-decay", "rms_decay", "RHO", "RMSprop decay of the squared-gradient average."),
            Flag::split("batch", &["batch_start", "batch_end"], "FIRST:LAST", "Minibatch size, first:last epoch (linear in between)."),
            Flag::new("epochs", "epochs", "N", "Epochs."),
            Flag::new("updates", "updates_per_epoch", "N", "Updates per epoch."),
            Flag::choice::<Rule>("rule", "rule", "RULE", "Learning rule."),
        ];
        flags = flags.into_iter().map(|f| f.under("training.")).collect();
        flags.extend([
            Flag::new("per-class", "per_class", "N", "Images per digit class (at most 980; fewer for quick runs)."),
            Flag::new("diagnostic-steps", "diagnostic_steps", "N", "Chain double steps for the per-epoch diagnostics."),
            Flag::new("final-steps", "final_steps", "N", "Chain double steps for the final diagnostics."),
        ]);
        flags
    }
}

/// Options of `entropic latent train`.
#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    #[command(flatten)]
    training: Training,
    /// Continue the run whose checkpoint.json is in --out.
    #[arg(long)]
    resume: bool,
    /// Stop once this many epochs are complete (for job time limits); --resume continues.
    #[arg(long, value_name = "EPOCH")]
    pause_after: Option<usize>,
}

/// Options of `entropic latent sweep`.
#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    #[command(flatten)]
    training: Training,
    /// Independent nonequilibrium models (at least 3: the report correlates σ over runs).
    #[arg(long, value_name = "N", default_value_t = 36)]
    runs: usize,
    /// Equilibrium-counterpart runs and EM fits.
    #[arg(long, value_name = "N", default_value_t = 8)]
    baseline_runs: usize,
    /// Skip runs already saved under --out/runs. After shards (--shard) have saved every run,
    /// this is the merge: it trains nothing and writes the report.
    #[arg(long)]
    resume: bool,
    /// Run only shard I of N (0 ≤ I < N): the runs whose index in the job list (the
    /// nonequilibrium runs, then the baselines) is I modulo N, saved under --out/runs; no report.
    /// For Slurm job arrays or GNU parallel: N shards on one shared --out, then `--resume`.
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    shard: Option<(usize, usize)>,
}

/// "I/N" with 0 ≤ I < N.
fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let bad = || format!("--shard takes I/N with 0 ≤ I < N, e.g. 0/4; got {s:?}");
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let (i, n) = (
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if i >= n {
        return Err(bad());
    }
    Ok((i, n))
}

/// Options of `entropic latent report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// A checkpoint.json written by `latent train`.
    #[arg(long, value_name = "FILE")]
    checkpoint: PathBuf,
    /// Chain double steps for the diagnostics.
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    steps: usize,
}

pub fn run(command: &Command, global: &Global, out: &mut Output<'_>) -> Result<()> {
    match command {
        Command::Train(args) => run::train(args, global, out),
        Command::Sweep(args) => sweep::sweep(args, global, out),
        Command::Report(args) => run::report(args, global, out),
    }
}

/// The run of `config` on the embedded MNIST 0/1/2 images.
fn experiment(config: LatentTrainConfig) -> Result<LatentTrain> {
    let images = LabelledImages::mnist012(config.per_class)?;
    Ok(LatentTrain::new(config, images)?)
}
