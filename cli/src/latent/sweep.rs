//! `entropic latent sweep`: many independent runs in parallel (Fig. 2, 4), the baselines, and a
//! report on whether the paper's claims hold.
use super::{SweepArgs, experiment};
use crate::Global;
use crate::output::{Output, write_atomic};
use crate::progress::Progress;
use crate::runtime::Threads;
use anyhow::{Context, Result, bail};
use entropic::experiment::{LatentSweep, Sequential, SweepRecord, SweepReport};
use rayon::prelude::*;
use serde_json::json;

pub fn sweep(args: &SweepArgs, global: &Global, out: &mut Output<'_>) -> Result<()> {
    let Some(config) = args.training.settings.run_config(out)? else {
        return Ok(());
    };
    let epochs = config.training.epochs;
    if args.resume && global.out.is_none() {
        bail!("--resume needs --out DIR holding the runs/ of the sweep");
    }
    if args.shard.is_some() && global.out.is_none() {
        bail!("--shard needs --out DIR: a shard's runs are saved under DIR/runs for the merge");
    }
    let sweep = LatentSweep::new(experiment(config)?, args.runs, args.baseline_runs)?;
    let runs_dir = global.out.as_ref().map(|d| d.join("runs"));
    if let Some(dir) = &runs_dir {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let (shard, shards) = args.shard.unwrap_or((0, 1));
    let jobs = sweep.jobs(shard, shards);
    let total = (jobs.len() * epochs) as u64;
    let progress = Progress::new(total, "sweep", global.quiet);
    let records: Vec<SweepRecord> = jobs
        .par_iter()
        .map(|&job| -> Result<SweepRecord> {
            let file = runs_dir
                .as_ref()
                .map(|d| d.join(format!("{}_{:03}.json", job.family(), job.index)));
            if let (true, Some(f)) = (args.resume, &file) {
                if let Ok(bytes) = std::fs::read(f) {
                    let record: SweepRecord = serde_json::from_slice(&bytes)
                        .with_context(|| format!("{} is not a saved run", f.display()))?;
                    (0..epochs).for_each(|_| progress.tick());
                    return Ok(record);
                }
            }
            let o = sweep
                .run_job(job, global.seed, &Sequential, |_, _| {
                    progress.tick();
                    Ok::<_, anyhow::Error>(())
                })
                .with_context(|| format!("{} run {}", job.family(), job.index))?;
            let record = SweepRecord::new(job, o.seed, o.history, &o.trainer, &o.last)?;
            if let Some(f) = &file {
                write_atomic(f, &serde_json::to_vec(&record)?)?;
            }
            Ok(record)
        })
        .collect::<Result<_>>()?;
    progress.finish();
    if args.shard.is_some() {
        let text = format!(
            "shard {shard}/{shards}: {} runs saved under runs/; when every shard is done, \
             `latent sweep --resume` with the same settings and --out writes the report\n",
            records.len()
        );
        let json = json!({"shard": shard, "shards": shards, "runs_saved": records.len()});
        return out.result(&text, &json);
    }
    let em = sweep.em_baselines(global.seed, &Threads::new(global.quiet))?;
    let report = SweepReport::new(&records, &em, sweep.train());
    for (name, csv) in report.tables() {
        out.file(name, csv.as_bytes())?;
    }
    if out.keeps_files() {
        for (name, svg) in report.figures()? {
            out.file(&name, svg.as_bytes())?;
        }
    }
    let (text, json) = report.markdown()?;
    out.file("report.md", text.as_bytes())?;
    out.json("report.json", &json)?;
    out.result(&text, &json)
}
