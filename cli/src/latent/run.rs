//! `entropic latent train` and `latent report`: flags → [`LatentTrainConfig`] →
//! [`LatentTrain`] (checkpointed after every epoch) → text, CSV, JSON and figures.
use super::{ReportArgs, TrainArgs, experiment};
use crate::Global;
use crate::config::fixed;
use crate::output::{Output, write_atomic};
use crate::runtime::Threads;
use anyhow::{Context, Result, bail};
use entropic::experiment::{
    Diagnosis, EntropyProductions, EpochRow, LatentCheckpoint, LatentOutcome, LatentTrain,
    MIN_DIAGNOSTIC_STEPS, latent_figures,
};
use serde_json::json;
use std::fmt::Write as _;

/// σ three ways on one line.
pub fn sigma_text(s: &EntropyProductions) -> String {
    let one_way = match s.counted.one_way_pairs {
        0 => String::new(),
        n => format!(", {n} pairs seen one way left out"),
    };
    format!(
        "hard counts {:.4} ± {:.4}{one_way}; Rao-Blackwellised {:.4} ± {:.4}; model's M {:.4} ± {:.4} ({})",
        s.counted.sigma.value,
        s.counted.sigma.std_error,
        s.rao_blackwell.value,
        s.rao_blackwell.std_error,
        s.model.sigma.value,
        s.model.sigma.std_error,
        if s.model.exact { "exact" } else { "sampled" }
    )
}

/// A diagnosis as JSON.
pub fn diagnosis_json(d: &Diagnosis) -> serde_json::Value {
    json!({
        "log_likelihood": d.ll.value,
        "log_likelihood_error": d.ll.std_error,
        "exact_tied_log_likelihood": d.tied_ll,
        "entropy_production": d.sigma,
        "decorrelation_time": d.dynamics.decorrelation_time,
        "second_eigenvalue": d.dynamics.second_eigenvalue,
        "mean_diagonal": d.dynamics.mean_diagonal,
        "occupancy": d.occupancy,
        "matrix": d.dynamics.matrix,
        "class_assignment": d.balance.assignment,
        "class_proportions": d.balance.generated,
        "class_kl": d.balance.kl,
        "latent_path": d.path,
    })
}

pub fn train(args: &TrainArgs, global: &Global, out: &mut Output<'_>) -> Result<()> {
    let given = args.settings.config(global)?;
    if args.settings.config.print_config {
        return out.print_config(&given);
    }
    let checkpoint_path = global.out.as_ref().map(|d| d.join("checkpoint.json"));
    let (run, trainer, history, seed) = if args.resume {
        let Some(path) = &checkpoint_path else {
            bail!("--resume needs --out DIR holding the checkpoint.json of the run");
        };
        let bytes = std::fs::read(path)
            .with_context(|| format!("cannot read checkpoint {}", path.display()))?;
        let (c, trainer) = LatentCheckpoint::read(&bytes)
            .with_context(|| format!("cannot resume from {}", path.display()))?;
        let stored = c.config(&trainer);
        let (g, s) = (&given.training, &stored.training);
        global.explicit.check_resumed(&[
            fixed("hidden", g.hidden, s.hidden),
            fixed("encoding", g.encoding, s.encoding),
            fixed("steps", g.steps, s.steps),
            fixed("chains", g.chains, s.chains),
            fixed("learning_rate", g.learning_rate, s.learning_rate),
            fixed("rms_decay", g.rms_decay, s.rms_decay),
            fixed(
                "batch",
                (g.batch_start, g.batch_end),
                (s.batch_start, s.batch_end),
            ),
            fixed("epochs", g.epochs, s.epochs),
            fixed("updates", g.updates_per_epoch, s.updates_per_epoch),
            fixed("rule", g.rule, s.rule),
            fixed("per_class", given.per_class, stored.per_class),
            fixed(
                "diagnostic_steps",
                given.diagnostic_steps,
                stored.diagnostic_steps,
            ),
            fixed("final_steps", given.final_steps, stored.final_steps),
        ])?;
        (experiment(stored)?, trainer, c.history, c.seed)
    } else {
        let run = experiment(given)?;
        let trainer = run.trainer(global.seed)?;
        (run, trainer, Vec::new(), global.seed)
    };
    let epochs = trainer.params().epochs;
    let pause = args.pause_after.filter(|&p| p < epochs);
    if pause.is_some() && checkpoint_path.is_none() {
        bail!("--pause-after needs --out DIR for the checkpoint");
    }
    let checkpoint = |t: &entropic::latent::Trainer, h: &[EpochRow]| -> Result<()> {
        if let Some(path) = &checkpoint_path {
            let c = LatentCheckpoint::new(&run, t, h, seed)?;
            std::fs::create_dir_all(path.parent().expect("a file in --out"))?;
            write_atomic(path, &serde_json::to_vec(&c)?)?;
        }
        Ok(())
    };
    let rt = Threads::new(global.quiet);
    let stopped_at = |epoch: usize| {
        format!("training stopped in epoch {epoch}; the last good checkpoint is kept")
    };
    let (mut trainer, mut history) = (trainer, history);
    if let Some(pause) = pause {
        run.train_until(&mut trainer, &mut history, pause, seed, &rt, checkpoint)
            .with_context(|| stopped_at(history.len()))?;
        rt.finish();
        let text = format!(
            "paused after epoch {} of {epochs}; continue with --resume\n",
            trainer.epoch()
        );
        return out.result(
            &text,
            &json!({"paused_at": trainer.epoch(), "epochs": epochs}),
        );
    }
    let done = history.len();
    let outcome = run
        .finish(trainer, history, seed, &rt, checkpoint)
        .with_context(|| stopped_at(done))?;
    rt.finish();
    let mut csv = format!("{}\n", EpochRow::CSV_HEADER);
    for row in &outcome.history {
        writeln!(csv, "{}", row.csv_row())?;
    }
    out.file("history.csv", csv.as_bytes())?;
    if out.keeps_files() {
        let sigma = outcome.last.sigma.model.sigma.value;
        let files = latent_figures::run_curves("", &[(&outcome.history, sigma)])?
            .into_iter()
            .chain(latent_figures::model_figures(
                "",
                &outcome.trainer,
                &outcome.last,
                seed,
            )?);
        for (name, svg) in files {
            out.file(&name, svg.as_bytes())?;
        }
    }
    let summary = summary_json(&outcome, &run);
    out.json("summary.json", &summary)?;
    let last = &outcome.last;
    let final_steps = run.config().final_steps;
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
        "entropy production (nats/step): {}",
        sigma_text(&last.sigma)
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

pub fn summary_json(o: &LatentOutcome, run: &LatentTrain) -> serde_json::Value {
    let images = run.images();
    json!({
        "seed": o.seed,
        "params": o.trainer.params(),
        "config": run.config(),
        "images": images.data.len(),
        "classifier_accuracy": images.classifier.accuracy(&images.data, &images.labels),
        "final": diagnosis_json(&o.last),
        "last_epoch": o.history.last(),
    })
}

pub fn report(args: &ReportArgs, global: &Global, out: &mut Output<'_>) -> Result<()> {
    if args.steps < MIN_DIAGNOSTIC_STEPS {
        bail!("--steps must be at least {MIN_DIAGNOSTIC_STEPS}");
    }
    let bytes = std::fs::read(&args.checkpoint)
        .with_context(|| format!("cannot read {}", args.checkpoint.display()))?;
    let (c, trainer) = LatentCheckpoint::read(&bytes)
        .with_context(|| format!("cannot load {}", args.checkpoint.display()))?;
    let run = experiment(c.config(&trainer))?;
    let d = run.diagnose(&trainer, args.steps, global.seed, 0)?;
    if out.keeps_files() {
        for (name, svg) in latent_figures::model_figures("", &trainer, &d, global.seed)? {
            out.file(&name, svg.as_bytes())?;
        }
    }
    let summary = json!({"epoch": trainer.epoch(), "diagnostics": diagnosis_json(&d)});
    out.json("report.json", &summary)?;
    let text = format!(
        "epoch {}: log-likelihood {:.3} ± {:.3}, τ {:.2}, mean diagonal {:.4}, class KL {:.4}\nσ (nats/step): {}\n",
        trainer.epoch(),
        d.ll.value,
        d.ll.std_error,
        d.dynamics.decorrelation_time,
        d.dynamics.mean_diagonal,
        d.balance.kl,
        sigma_text(&d.sigma)
    );
    out.result(&text, &summary)
}
