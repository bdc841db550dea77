//! One training run with per-epoch diagnostics, checkpoints and resume; the `train` and
//! `report` commands.
use super::{Dataset, ReportArgs, Settings, TrainArgs, figures};
use crate::Global;
use crate::config::fixed;
use crate::output::{Output, write_atomic};
use crate::progress::Progress;
use anyhow::{Context, Result, bail};
use entropic::estimate::Estimate;
use entropic::experiment::Sequential;
use entropic::latent::{
    ClassBalance, Dynamics, LatentStatistics, LogLikelihoodTable, Rule, Trainer,
    tied_log_likelihood,
};
use entropic::rng::stream;
use entropic::train::Executor;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::fmt::Write as _;

/// Jackknife blocks of the log-likelihood estimate.
const BLOCKS: usize = 10;
/// Burn-in double steps before a diagnostic trajectory (the copied chains start in the steady
/// state of the slightly older parameters).
const BURN_IN: usize = 50;

/// What a run measured after one epoch.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct EpochRow {
    pub epoch: usize,
    pub batch: usize,
    /// Fast log-likelihood estimate (App. A.3), mean over the epoch's updates.
    #[serde(with = "super::float_json")]
    pub fast_ll: f64,
    /// Precise log-likelihood (Eq. 5 with the trajectory's occupancy) and its error bar.
    #[serde(with = "super::float_json")]
    pub ll: f64,
    #[serde(with = "super::float_json")]
    pub ll_err: f64,
    #[serde(with = "super::float_json")]
    pub sigma: f64,
    #[serde(with = "super::float_json")]
    pub tau: f64,
    #[serde(with = "super::float_json")]
    pub mean_diagonal: f64,
    #[serde(with = "super::float_json")]
    pub kl: f64,
}

impl EpochRow {
    pub const CSV_HEADER: &'static str = "epoch,batch,fast_ll,ll,ll_err,sigma,tau,mean_diagonal,kl";

    pub fn csv(&self) -> String {
        format!(
            "{},{},{},{},{},{},{},{},{}",
            self.epoch,
            self.batch,
            self.fast_ll,
            self.ll,
            self.ll_err,
            self.sigma,
            self.tau,
            self.mean_diagonal,
            self.kl
        )
    }
}

/// Diagnostics of a model from one long trajectory of (a copy of) its chains.
#[derive(Debug)]
pub struct Diagnosis {
    pub ll: Estimate,
    /// From the Rao-Blackwellised transition counts.
    pub dynamics: Dynamics,
    /// σ from the hard transition counts (the paper's estimator).
    pub counted_sigma: f64,
    pub occupancy: Vec<f64>,
    pub balance: ClassBalance,
    /// The exact log-likelihood, for the tied equilibrium counterpart.
    pub tied_ll: Option<f64>,
    pub path: Vec<usize>,
}

impl Diagnosis {
    pub fn json(&self) -> serde_json::Value {
        json!({
            "log_likelihood": self.ll.value,
            "log_likelihood_error": self.ll.std_error,
            "exact_tied_log_likelihood": self.tied_ll,
            "entropy_production": self.dynamics.entropy_production,
            "entropy_production_counted": self.counted_sigma,
            "decorrelation_time": self.dynamics.decorrelation_time,
            "second_eigenvalue": self.dynamics.second_eigenvalue,
            "mean_diagonal": self.dynamics.mean_diagonal,
            "occupancy": self.occupancy,
            "matrix": self.dynamics.matrix,
            "class_assignment": self.balance.assignment,
            "class_proportions": self.balance.generated,
            "class_kl": self.balance.kl,
            "latent_path": self.path,
        })
    }
}

/// Diagnose `trainer`'s model over `steps` double steps of a copy of its chains.
pub fn diagnose(
    trainer: &Trainer,
    ds: &Dataset,
    steps: usize,
    rng_seed: u64,
    k: usize,
) -> Result<Diagnosis> {
    let model = trainer.model();
    let mut rng = stream(rng_seed, k);
    let mut chains = trainer.chains().clone();
    let stats = LatentStatistics::sample(model, &mut chains, BURN_IN, steps, BLOCKS, 32, &mut rng)?;
    let table = LogLikelihoodTable::new(model, &ds.data)?;
    let ll = stats.log_likelihood(&table)?;
    let occupancy = stats.occupancy();
    // A stuck equilibrium chain can leave M numerically reducible: fall back to the occupancy.
    let dynamics = Dynamics::from_log_matrix(stats.log_matrix())
        .or_else(|_| Dynamics::with_occupancy(stats.log_matrix(), occupancy.clone()))?;
    let counted = Dynamics::from_matrix(stats.counted_matrix()).or_else(|_| {
        Dynamics::with_occupancy(
            stats.counted_matrix().iter().map(|m| m.ln()).collect(),
            occupancy.clone(),
        )
    })?;
    let balance = ClassBalance::new(model, &occupancy, &ds.classifier, &ds.target)?;
    let tied_ll = match trainer.params().rule {
        Rule::Contrastive => Some(tied_log_likelihood(model, &ds.data)?),
        Rule::TwoStep => None,
    };
    Ok(Diagnosis {
        ll,
        dynamics,
        counted_sigma: counted.entropy_production,
        occupancy,
        balance,
        tied_ll,
        path: stats.path().to_vec(),
    })
}

/// A run in progress, as saved in checkpoint.json.
#[derive(Serialize, Deserialize)]
struct Checkpoint {
    seed: u64,
    per_class: usize,
    diagnostic_steps: usize,
    final_steps: usize,
    history: Vec<EpochRow>,
    trainer: serde_json::Value,
}

/// A finished run.
pub struct Outcome {
    pub seed: u64,
    pub history: Vec<EpochRow>,
    pub trainer: Trainer,
    pub last: Diagnosis,
}

/// Train `trainer` until `until` epochs are complete, diagnosing after every epoch;
/// `after_epoch` sees the trainer and history after each (for checkpoints and progress).
pub fn train_until(
    trainer: &mut Trainer,
    history: &mut Vec<EpochRow>,
    until: usize,
    seed: u64,
    ds: &Dataset,
    diagnostic_steps: usize,
    mut after_epoch: impl FnMut(&Trainer, &[EpochRow]) -> Result<()>,
) -> Result<()> {
    // One epoch per chunk (a checkpoint is due every epoch), so each report is diagnosed at
    // the state right after its epoch.
    let executor = Executor {
        chunk: 1,
        checkpoint_every: 1,
        pause_after: Some(until),
    };
    executor
        .run(trainer, &ds.data, &Sequential, |t, reports, due| {
            for report in reports {
                let d = diagnose(t, ds, diagnostic_steps, seed, report.epoch + 1)?;
                history.push(EpochRow {
                    epoch: report.epoch,
                    batch: report.batch,
                    fast_ll: report.fast_log_likelihood,
                    ll: d.ll.value,
                    ll_err: d.ll.std_error,
                    sigma: d.dynamics.entropy_production,
                    tau: d.dynamics.decorrelation_time,
                    mean_diagonal: d.dynamics.mean_diagonal,
                    kl: d.balance.kl,
                });
            }
            if due { after_epoch(t, history) } else { Ok(()) }
        })
        .with_context(|| {
            format!(
                "training stopped in epoch {}; the last good checkpoint is kept",
                trainer.epoch()
            )
        })?;
    Ok(())
}

/// Train to the last epoch and run the final diagnostics.
pub fn train_to_end(
    mut trainer: Trainer,
    mut history: Vec<EpochRow>,
    seed: u64,
    ds: &Dataset,
    diagnostic_steps: usize,
    final_steps: usize,
    after_epoch: impl FnMut(&Trainer, &[EpochRow]) -> Result<()>,
) -> Result<Outcome> {
    let end = trainer.params().epochs;
    train_until(
        &mut trainer,
        &mut history,
        end,
        seed,
        ds,
        diagnostic_steps,
        after_epoch,
    )?;
    let last = diagnose(&trainer, ds, final_steps, seed, end + 1)?;
    Ok(Outcome {
        seed,
        history,
        trainer,
        last,
    })
}

pub fn train(args: &TrainArgs, global: &Global, out: &mut Output<'_>) -> Result<()> {
    let s: &Settings = &args.settings;
    let checkpoint_path = global.out.as_ref().map(|d| d.join("checkpoint.json"));
    let (trainer, history, seed, per_class, diag_steps, final_steps) = if args.resume {
        let Some(path) = &checkpoint_path else {
            bail!("--resume needs --out DIR holding the checkpoint.json of the run");
        };
        let bytes = std::fs::read(path)
            .with_context(|| format!("cannot read checkpoint {}", path.display()))?;
        let c: Checkpoint = serde_json::from_slice(&bytes)
            .with_context(|| format!("{} is not a latent-cycle checkpoint", path.display()))?;
        let trainer = Trainer::from_json(&serde_json::to_vec(&c.trainer)?)
            .with_context(|| format!("cannot resume from {}", path.display()))?;
        let (given, stored) = (s.params()?, trainer.params());
        global.explicit.check_resumed(&[
            fixed("hidden", given.hidden, stored.hidden),
            fixed("encoding", given.encoding, stored.encoding),
            fixed("steps", given.steps, stored.steps),
            fixed("chains", given.chains, stored.chains),
            fixed("learning_rate", given.learning_rate, stored.learning_rate),
            fixed("rms_decay", given.rms_decay, stored.rms_decay),
            fixed(
                "batch",
                (given.batch_start, given.batch_end),
                (stored.batch_start, stored.batch_end),
            ),
            fixed("epochs", given.epochs, stored.epochs),
            fixed("updates", given.updates_per_epoch, stored.updates_per_epoch),
            fixed("rule", given.rule, stored.rule),
            fixed("per_class", s.per_class, c.per_class),
            fixed("diagnostic_steps", s.diagnostic_steps, c.diagnostic_steps),
            fixed("final_steps", s.final_steps, c.final_steps),
        ])?;
        if c.history.len() != trainer.epoch() {
            bail!(
                "{}: history and trainer disagree on the epoch",
                path.display()
            );
        }
        (
            trainer,
            c.history,
            c.seed,
            c.per_class,
            c.diagnostic_steps,
            c.final_steps,
        )
    } else {
        let params = s.params()?;
        let ds = Dataset::load(s.per_class)?;
        let trainer = Trainer::new(params, &ds.data, global.seed)?;
        (
            trainer,
            Vec::new(),
            global.seed,
            s.per_class,
            s.diagnostic_steps,
            s.final_steps,
        )
    };
    let ds = Dataset::load(per_class)?;
    let epochs = trainer.params().epochs;
    let progress = Progress::new(epochs as u64, "train", global.quiet);
    progress.extend(epochs as u64, trainer.epoch() as u64);
    let checkpoint = |t: &Trainer, h: &[EpochRow]| -> Result<()> {
        if let Some(path) = &checkpoint_path {
            let c = Checkpoint {
                seed,
                per_class,
                diagnostic_steps: diag_steps,
                final_steps,
                history: h.to_vec(),
                trainer: serde_json::from_slice(&t.to_json()?)?,
            };
            std::fs::create_dir_all(path.parent().expect("a file in --out"))?;
            write_atomic(path, &serde_json::to_vec(&c)?)?;
        }
        progress.tick();
        Ok(())
    };
    let (mut trainer, mut history) = (trainer, history);
    if let Some(pause) = args.pause_after.filter(|&p| p < epochs) {
        if checkpoint_path.is_none() {
            bail!("--pause-after needs --out DIR for the checkpoint");
        }
        train_until(
            &mut trainer,
            &mut history,
            pause,
            seed,
            &ds,
            diag_steps,
            checkpoint,
        )?;
        progress.finish();
        let text = format!(
            "paused after epoch {} of {epochs}; continue with --resume\n",
            trainer.epoch()
        );
        return out.result(
            &text,
            &json!({"paused_at": trainer.epoch(), "epochs": epochs}),
        );
    }
    let outcome = train_to_end(
        trainer,
        history,
        seed,
        &ds,
        diag_steps,
        final_steps,
        checkpoint,
    )?;
    progress.finish();
    let mut csv = format!("{}\n", EpochRow::CSV_HEADER);
    for row in &outcome.history {
        writeln!(csv, "{}", row.csv())?;
    }
    out.file("history.csv", csv.as_bytes())?;
    if out.keeps_files() {
        let sigma = outcome.last.dynamics.entropy_production;
        figures::run_curves(out, "", &[(&outcome.history, sigma)])?;
        figures::model_figures(out, "", &outcome.trainer, &outcome.last, seed)?;
    }
    let summary = summary_json(&outcome, &ds);
    out.json("summary.json", &summary)?;
    let last = &outcome.last;
    let mut text = String::new();
    writeln!(
        text,
        "latent-cycle model, {} epochs, L = {}, seed {seed}",
        epochs,
        outcome.trainer.model().hidden()
    )?;
    writeln!(
        text,
        "log-likelihood     {:.3} ± {:.3} nats/image (occupancy of {} chain steps)",
        last.ll.value, last.ll.std_error, final_steps
    )?;
    if let Some(t) = last.tied_ll {
        writeln!(text, "exact (tied)       {t:.3} nats/image")?;
    }
    writeln!(
        text,
        "entropy production {:.4} nats/step (hard counts: {:.4})",
        last.dynamics.entropy_production, last.counted_sigma
    )?;
    writeln!(
        text,
        "decorrelation time {:.2} steps, mean diagonal {:.4} (1/K = {:.4}, K latent states)",
        last.dynamics.decorrelation_time,
        last.dynamics.mean_diagonal,
        1.0 / outcome.trainer.model().states() as f64
    )?;
    writeln!(
        text,
        "class KL           {:.4} nats (digits per hidden state {:?})",
        last.balance.kl, last.balance.assignment
    )?;
    out.result(&text, &summary)
}

pub fn summary_json(o: &Outcome, ds: &Dataset) -> serde_json::Value {
    json!({
        "seed": o.seed,
        "params": o.trainer.params(),
        "images": ds.data.len(),
        "classifier_accuracy": ds.classifier.accuracy(&ds.data, &ds.labels),
        "final": o.last.json(),
        "last_epoch": o.history.last(),
    })
}

pub fn report(args: &ReportArgs, global: &Global, out: &mut Output<'_>) -> Result<()> {
    if args.steps < 100 {
        bail!("--steps must be at least 100");
    }
    let bytes = std::fs::read(&args.checkpoint)
        .with_context(|| format!("cannot read {}", args.checkpoint.display()))?;
    let c: Checkpoint = serde_json::from_slice(&bytes).with_context(|| {
        format!(
            "{} is not a latent-cycle checkpoint",
            args.checkpoint.display()
        )
    })?;
    let trainer = Trainer::from_json(&serde_json::to_vec(&c.trainer)?)
        .with_context(|| format!("cannot load {}", args.checkpoint.display()))?;
    let ds = Dataset::load(c.per_class)?;
    let d = diagnose(&trainer, &ds, args.steps, global.seed, 0)?;
    if out.keeps_files() {
        figures::model_figures(out, "", &trainer, &d, global.seed)?;
    }
    let summary = json!({"epoch": trainer.epoch(), "diagnostics": d.json()});
    out.json("report.json", &summary)?;
    let text = format!(
        "epoch {}: log-likelihood {:.3} ± {:.3}, σ {:.4}, τ {:.2}, mean diagonal {:.4}, class KL {:.4}\n",
        trainer.epoch(),
        d.ll.value,
        d.ll.std_error,
        d.dynamics.entropy_production,
        d.dynamics.decorrelation_time,
        d.dynamics.mean_diagonal,
        d.balance.kl
    );
    out.result(&text, &summary)
}
