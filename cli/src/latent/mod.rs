//! `entropic latent …`: the nonequilibrium latent-cycle model (nonequilibrium-latent-cycles paper).
mod figures;
mod float_json;
mod run;
mod sweep;

use crate::Global;
use crate::output::Output;
use anyhow::{Result, anyhow, bail};
use entropic::data::{MNIST012, Mnist012};
use entropic::latent::{BinaryData, Encoding, NearestCentroid, Rule, TrainParams};
use std::path::PathBuf;

/// Latent-cycle commands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Train one model on the embedded binarised MNIST 0/1/2 and diagnose it.
    ///
    /// Runs the paper's training (Sec. IV.1: L = 6 one-hot hidden states, persistent chain of
    /// T = 48 double steps, RMSprop η = 0.1, minibatch 16 → 160 over 120 epochs of 30 updates).
    /// After every epoch it measures, on a copy of the chains, the precise log-likelihood
    /// (App. A.3, with a jackknife error bar), the entropy production σ (Eq. 21), the
    /// decorrelation time τ (Eq. 23), the mean diagonal of M (Eq. 24) and the class KL (Eq. 22).
    /// With --out it writes history.csv, summary.json, the plots of Fig. 2-3 and checkpoint.json
    /// after every epoch (atomically); --resume continues from it bit-identically.
    ///
    /// Example: entropic latent train --seed 3 --out out/latent
    Train(TrainArgs),
    /// Train many independent models in parallel (Fig. 2 and 4) beside the baselines.
    ///
    /// Trains --runs models (seed k from stream k of --seed), the equilibrium counterpart (w̄
    /// tied to wᵀ, same chains and budget) for --baseline-runs seeds, and a Bernoulli mixture
    /// with L components by EM (the likelihood ceiling of the model class). Writes runs.csv,
    /// histories.csv, baselines.csv, report.md (whether the paper's claims hold, with numbers)
    /// and the figures. Finished runs are saved under runs/; --resume skips them.
    ///
    /// Example: entropic latent sweep --runs 36 --out out/sweep
    Sweep(SweepArgs),
    /// Diagnose a saved model: long-trajectory log-likelihood, σ, τ, M, class KL, Fig. 3 plots.
    ///
    /// Example: entropic latent report --checkpoint out/latent/checkpoint.json --out out/report
    Report(ReportArgs),
}

/// The hidden encoding on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum EncodingArg {
    /// Exactly one of L hidden units active (the paper's experiments).
    OneHot,
    /// Any of the 2^L binary hidden vectors (L ≤ 12).
    Binary,
}

/// The learning rule on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RuleArg {
    /// The nonequilibrium model, approximate two-step gradient (Eq. 16-17).
    TwoStep,
    /// The equilibrium counterpart: w̄ tied to wᵀ, PCD gradient.
    Equilibrium,
}

/// Training and diagnostic settings shared by `train` and `sweep`.
#[derive(Debug, Clone, clap::Args)]
pub struct Settings {
    /// Hidden units L.
    #[arg(long, value_name = "L", default_value_t = 6)]
    hidden: usize,
    /// Hidden encoding.
    #[arg(long, value_enum, default_value_t = EncodingArg::OneHot)]
    encoding: EncodingArg,
    /// Double steps T of the persistent chain per update.
    #[arg(long, value_name = "T", default_value_t = 48)]
    steps: usize,
    /// Persistent chains.
    #[arg(long, value_name = "N", default_value_t = 1)]
    chains: usize,
    /// RMSprop learning rate.
    #[arg(long, value_name = "ETA", default_value_t = 0.1)]
    learning_rate: f64,
    /// RMSprop decay of the squared-gradient average.
    #[arg(long, value_name = "RHO", default_value_t = 0.99)]
    rms_decay: f64,
    /// Minibatch size, first:last epoch (linear in between).
    #[arg(long, value_name = "FIRST:LAST", default_value = "16:160")]
    batch: String,
    /// Epochs.
    #[arg(long, value_name = "N", default_value_t = 120)]
    epochs: usize,
    /// Updates per epoch.
    #[arg(long, value_name = "N", default_value_t = 30)]
    updates: usize,
    /// Learning rule.
    #[arg(long, value_enum, default_value_t = RuleArg::TwoStep)]
    rule: RuleArg,
    /// Images per digit class (at most 980; fewer for quick runs).
    #[arg(long, value_name = "N", default_value_t = Mnist012::PER_CLASS)]
    per_class: usize,
    /// Chain double steps for the per-epoch diagnostics.
    #[arg(long, value_name = "N", default_value_t = 5_000)]
    diagnostic_steps: usize,
    /// Chain double steps for the final diagnostics.
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    final_steps: usize,
}

/// Options of `entropic latent train`.
#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    #[command(flatten)]
    settings: Settings,
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
    settings: Settings,
    /// Independent nonequilibrium models.
    #[arg(long, value_name = "N", default_value_t = 36)]
    runs: usize,
    /// Equilibrium-counterpart runs and EM fits.
    #[arg(long, value_name = "N", default_value_t = 8)]
    baseline_runs: usize,
    /// Skip runs already saved under --out/runs.
    #[arg(long)]
    resume: bool,
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

/// The data every command trains and scores on.
pub struct Dataset {
    data: BinaryData,
    labels: Vec<u8>,
    classifier: NearestCentroid,
    /// Class proportions P^D(k) of Eq. 22.
    target: Vec<f64>,
}

impl Dataset {
    /// The first `per_class` images of each digit 0, 1, 2 of the embedded set.
    fn load(per_class: usize) -> Result<Self> {
        if per_class == 0 || per_class > Mnist012::PER_CLASS {
            bail!(
                "--per-class must be between 1 and {}, got {per_class}",
                Mnist012::PER_CLASS
            );
        }
        let mut seen = [0usize; 3];
        let mut x = Vec::new();
        let mut labels = Vec::new();
        for i in 0..MNIST012.len() {
            let label = MNIST012.label(i);
            if seen[usize::from(label)] < per_class {
                seen[usize::from(label)] += 1;
                x.extend(MNIST012.image(i).map(f64::from));
                labels.push(label);
            }
        }
        let data = BinaryData::new(x, Mnist012::PIXELS)?;
        let classifier = NearestCentroid::fit(&data, &labels, 3)?;
        let target = (0..3u8)
            .map(|k| labels.iter().filter(|&&l| l == k).count() as f64 / labels.len() as f64)
            .collect();
        Ok(Self {
            data,
            labels,
            classifier,
            target,
        })
    }
}

impl Settings {
    fn params(&self) -> Result<TrainParams> {
        // Two L×L transition matrices and the L×784 coupling with its optimiser state.
        entropic::experiment::check_memory(
            "the latent model",
            &[self.hidden, self.hidden + 4 * 784, 8],
        )?;
        let (first, last) = self
            .batch
            .split_once(':')
            .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)))
            .ok_or_else(|| anyhow!("--batch takes FIRST:LAST, got '{}'", self.batch))?;
        let params = TrainParams {
            hidden: self.hidden,
            encoding: match self.encoding {
                EncodingArg::OneHot => Encoding::OneHot,
                EncodingArg::Binary => Encoding::Binary,
            },
            steps: self.steps,
            chains: self.chains,
            learning_rate: self.learning_rate,
            rms_decay: self.rms_decay,
            batch_start: first,
            batch_end: last,
            epochs: self.epochs,
            updates_per_epoch: self.updates,
            init_fraction: 0.1,
            rule: match self.rule {
                RuleArg::TwoStep => Rule::TwoStep,
                RuleArg::Equilibrium => Rule::Contrastive,
            },
        };
        params.check()?;
        if self.diagnostic_steps < 100 || self.final_steps < 100 {
            bail!("--diagnostic-steps and --final-steps must be at least 100");
        }
        Ok(params)
    }
}
