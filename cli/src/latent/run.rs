//! `entropic latent train` and `latent report`: flags → [`LatentTrainConfig`] →
//! [`LatentTrain`](entropic::experiment::LatentTrain) (checkpointed after every epoch) →
//! [`LatentTrainReport`] (text, CSV, JSON and figures).
use super::{ReportArgs, TrainArgs, experiment};
use crate::Global;
use crate::checkpoint::CheckpointFile;
use crate::output::Output;
use crate::runtime::Threads;
use anyhow::{Context, Result, bail};
use entropic::experiment::{
    EpochRow, LatentCheckpoint, LatentTrainReport, MIN_DIAGNOSTIC_STEPS, latent_figures,
};
use serde_json::json;

pub fn train(args: &TrainArgs, global: &Global, out: &mut Output<'_>) -> Result<()> {
    let settings = &args.training.settings;
    let Some(given) = settings.run_config(out)? else {
        return Ok(());
    };
    let (checkpoint_file, stored) = CheckpointFile::open(global.out.as_deref(), args.resume)?;
    let (run, trainer, history, seed) = if let Some((bytes, path)) = stored {
        let (c, trainer) = LatentCheckpoint::read(&bytes)
            .with_context(|| format!("cannot resume from {}", path.display()))?;
        let stored = c.config(&trainer);
        settings.check_resumed(&given, &stored)?;
        (experiment(stored)?, trainer, c.history, c.seed)
    } else {
        let run = experiment(given)?;
        let trainer = run.trainer(global.seed)?;
        (run, trainer, Vec::new(), global.seed)
    };
    let epochs = trainer.params().epochs;
    let pause = args.pause_after.filter(|&p| p < epochs);
    if pause.is_some() && checkpoint_file.path().is_none() {
        bail!("--pause-after needs --out DIR for the checkpoint");
    }
    let checkpoint = |t: &entropic::latent::Trainer, h: &[EpochRow]| -> Result<()> {
        if checkpoint_file.path().is_some() {
            let c = LatentCheckpoint::new(&run, t, h, seed)?;
            checkpoint_file.write(&serde_json::to_vec(&c)?)?;
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
    let report = LatentTrainReport::new(&run, &outcome);
    out.file("history.csv", report.history_csv().as_bytes())?;
    if out.keeps_files() {
        for (name, svg) in report.figures()? {
            out.file(&name, svg.as_bytes())?;
        }
    }
    let summary = report.json();
    out.json("summary.json", &summary)?;
    out.result(&report.text(), &summary)
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
    let summary = json!({"epoch": trainer.epoch(), "diagnostics": d.to_json()});
    out.json("report.json", &summary)?;
    out.result(&d.summary(trainer.epoch()), &summary)
}
