//! `entropic latent sweep`: many independent runs in parallel (Fig. 2, 4), the baselines, and a
//! report on whether the paper's claims hold.
use super::run::{CSV_HEADER, csv_row};
use super::{SweepArgs, experiment, figures};
use crate::Global;
use crate::output::{Output, write_atomic};
use crate::progress::Progress;
use crate::runtime::Threads;
use anyhow::{Context, Result, bail};
use entropic::experiment::{
    Correlation, Diagnosis, EmBaseline, EpochRow, LatentClaims, LatentSweep, LatentTrain,
    RunSummary, Sequential, SweepJob,
};
use entropic::latent::Trainer;
use entropic::plot::{self, Series};
use entropic::stats::mean_and_sd;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::fmt::Write as _;

/// The final numbers of one run, saved under runs/ so a sweep can resume.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct RunRecord {
    rule: String,
    index: usize,
    seed: u64,
    history: Vec<EpochRow>,
    #[serde(with = "entropic::float_json")]
    ll: f64,
    #[serde(with = "entropic::float_json")]
    ll_err: f64,
    tied_ll: Option<f64>,
    /// σ three ways with error bars.
    entropy_production: serde_json::Value,
    #[serde(with = "entropic::float_json")]
    sigma: f64,
    #[serde(with = "entropic::float_json")]
    sigma_counted: f64,
    one_way_pairs: usize,
    #[serde(with = "entropic::float_json")]
    sigma_model: f64,
    #[serde(with = "entropic::float_json")]
    tau: f64,
    #[serde(with = "entropic::float_json")]
    mean_diagonal: f64,
    #[serde(with = "entropic::float_json")]
    kl: f64,
    occupancy: Vec<f64>,
    assignment: Vec<usize>,
    trainer: serde_json::Value,
}

impl RunRecord {
    fn new(
        job: SweepJob,
        seed: u64,
        history: Vec<EpochRow>,
        trainer: &Trainer,
        d: &Diagnosis,
    ) -> Result<Self> {
        Ok(Self {
            rule: job.family().into(),
            index: job.index,
            seed,
            history,
            ll: d.ll.value,
            ll_err: d.ll.std_error,
            tied_ll: d.tied_ll,
            entropy_production: serde_json::to_value(d.sigma)?,
            sigma: d.sigma.rao_blackwell.value,
            sigma_counted: d.sigma.counted.sigma.value,
            one_way_pairs: d.sigma.counted.one_way_pairs,
            sigma_model: d.sigma.model.sigma.value,
            tau: d.dynamics.decorrelation_time,
            mean_diagonal: d.dynamics.mean_diagonal,
            kl: d.balance.kl,
            occupancy: d.occupancy.clone(),
            assignment: d.balance.assignment.clone(),
            trainer: serde_json::from_slice(&trainer.to_json()?)?,
        })
    }

    fn trainer(&self) -> Result<Trainer> {
        Ok(Trainer::from_json(&serde_json::to_vec(&self.trainer)?)?)
    }
}

pub fn sweep(args: &SweepArgs, global: &Global, out: &mut Output<'_>) -> Result<()> {
    let config = args.settings.config(global)?;
    if args.settings.config.print_config {
        return out.print_config(&config);
    }
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
    let records: Vec<RunRecord> = jobs
        .par_iter()
        .map(|&job| -> Result<RunRecord> {
            let file = runs_dir
                .as_ref()
                .map(|d| d.join(format!("{}_{:03}.json", job.family(), job.index)));
            if let (true, Some(f)) = (args.resume, &file) {
                if let Ok(bytes) = std::fs::read(f) {
                    let record: RunRecord = serde_json::from_slice(&bytes)
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
            let record = RunRecord::new(job, o.seed, o.history, &o.trainer, &o.last)?;
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
    let run = sweep.train();
    let neq: Vec<&RunRecord> = records
        .iter()
        .filter(|r| r.rule == "nonequilibrium")
        .collect();
    let eq: Vec<&RunRecord> = records.iter().filter(|r| r.rule == "equilibrium").collect();
    write_tables(out, &records, &em)?;
    if out.keeps_files() {
        write_figures(out, &neq, run)?;
    }
    let (text, json) = report(&neq, &eq, &em, run)?;
    out.file("report.md", text.as_bytes())?;
    out.json("report.json", &json)?;
    out.result(&text, &json)
}

fn write_tables(out: &mut Output<'_>, records: &[RunRecord], em: &[EmBaseline]) -> Result<()> {
    let mut runs = String::from(
        "rule,run,seed,ll,ll_err,exact_tied_ll,sigma_counted,one_way_pairs,sigma,sigma_model,tau,mean_diagonal,kl,occupancy,assignment\n",
    );
    let mut hist = format!("rule,run,{}\n", CSV_HEADER);
    for r in records {
        let join = |v: &[String]| v.join(" ");
        writeln!(
            runs,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            r.rule,
            r.index,
            r.seed,
            r.ll,
            r.ll_err,
            r.tied_ll.map_or(String::new(), |v| v.to_string()),
            r.sigma_counted,
            r.one_way_pairs,
            r.sigma,
            r.sigma_model,
            r.tau,
            r.mean_diagonal,
            r.kl,
            join(
                &r.occupancy
                    .iter()
                    .map(|p| format!("{p:.4}"))
                    .collect::<Vec<_>>()
            ),
            join(
                &r.assignment
                    .iter()
                    .map(|a| a.to_string())
                    .collect::<Vec<_>>()
            ),
        )?;
        for h in &r.history {
            writeln!(hist, "{},{},{}", r.rule, r.index, csv_row(h))?;
        }
    }
    out.file("runs.csv", runs.as_bytes())?;
    out.file("histories.csv", hist.as_bytes())?;
    let mut base = String::from("model,run,log_likelihood,iterations\n");
    for (i, e) in em.iter().enumerate() {
        writeln!(
            base,
            "bernoulli_mixture_em,{i},{},{}",
            e.log_likelihood, e.iterations
        )?;
    }
    for r in records.iter().filter(|r| r.rule == "equilibrium") {
        writeln!(
            base,
            "equilibrium_exact,{},{},{}",
            r.index,
            r.tied_ll.unwrap_or(f64::NAN),
            r.history.len()
        )?;
    }
    out.file("baselines.csv", base.as_bytes())
}

fn write_figures(out: &mut Output<'_>, neq: &[&RunRecord], run: &LatentTrain) -> Result<()> {
    let l = run.config().training.hidden;
    // The figures' σ is the model's own (chain-independent, never +∞); the paper's hard-count
    // σ has its own Fig. 2(c) and the estimators are compared in sigma_estimators.svg.
    let curves: Vec<(&[EpochRow], f64)> = neq
        .iter()
        .map(|r| (r.history.as_slice(), r.sigma_model))
        .collect();
    figures::run_curves(out, "", &curves)?;
    let points = |rs: &[&RunRecord], f: &dyn Fn(&RunRecord) -> f64| -> Vec<(f64, f64)> {
        rs.iter().map(|r| (r.sigma_model, f(r))).collect()
    };
    let scatter = |name: &str,
                   title: &str,
                   y: &str,
                   f: &dyn Fn(&RunRecord) -> f64,
                   reference: Option<(f64, &str)>|
     -> Result<(String, String)> {
        // The equilibrium counterpart's σ is estimation noise (~1e-8): it is left out here and
        // reported in report.md.
        let groups = [Series {
            name: "nonequilibrium runs",
            points: points(neq, f),
            errors: vec![],
        }];
        Ok((
            name.to_string(),
            plot::log_x_scatter(
                title,
                "entropy production σ of the model's M (nats/step)",
                y,
                &groups,
                reference,
            )?,
        ))
    };
    let figs = [
        scatter(
            "ll_vs_sigma.svg",
            "Final log-likelihood vs σ (Fig. 2c)",
            "ln p(x), nats per image",
            &|r| r.ll,
            None,
        )?,
        scatter(
            "kl_vs_sigma.svg",
            "Class KL vs σ (Fig. 4a)",
            "KL(P_D ‖ P_e), nats",
            &|r| r.kl,
            None,
        )?,
        scatter(
            "tau_vs_sigma.svg",
            "Decorrelation time vs σ (Fig. 4b)",
            "τ (double steps)",
            &|r| r.tau,
            None,
        )?,
        scatter(
            "diagonal_vs_sigma.svg",
            "Mean diagonal of M vs σ (Fig. 4c)",
            "Tr(M)/L",
            &|r| r.mean_diagonal,
            Some((1.0 / l as f64, "1/L")),
        )?,
    ];
    for (name, svg) in figs {
        out.file(&name, svg.as_bytes())?;
    }
    let paper = [Series {
        name: "nonequilibrium runs",
        points: neq.iter().map(|r| (r.sigma_counted, r.ll)).collect(),
        errors: vec![],
    }];
    let svg = plot::log_x_scatter(
        "Final log-likelihood vs σ from hard counts (Fig. 2c, the paper's estimator)",
        "σ over pairs seen both ways (nats/step)",
        "ln p(x), nats per image",
        &paper,
        None,
    )?;
    out.file("ll_vs_sigma_counted.svg", svg.as_bytes())?;
    let estimators: Vec<Series<'_>> = ESTIMATORS[..2]
        .iter()
        .map(|(name, f)| Series {
            name,
            points: neq.iter().map(|r| (r.sigma_model, f(r).log10())).collect(),
            errors: vec![],
        })
        .collect();
    let svg = plot::log_x_scatter(
        "Trajectory estimators of σ against the model's own",
        "σ of the model's M (nats/step)",
        "log10 σ of the estimator",
        &estimators,
        None,
    )?;
    out.file("sigma_estimators.svg", svg.as_bytes())?;
    // Fig. 3 for the highest- and lowest-σ runs.
    let by_sigma = |a: &&&RunRecord, b: &&&RunRecord| a.sigma_model.total_cmp(&b.sigma_model);
    for (prefix, r) in [
        ("high_sigma_", neq.iter().max_by(by_sigma)),
        ("low_sigma_", neq.iter().min_by(by_sigma)),
    ] {
        let Some(r) = r else { continue };
        let trainer = r.trainer()?;
        let d = run.diagnose(
            &trainer,
            run.config().final_steps,
            r.seed,
            trainer.params().epochs + 1,
        )?;
        figures::model_figures(out, prefix, &trainer, &d, r.seed)?;
    }
    Ok(())
}

/// One σ estimator of a run: its name and the value it gave.
type Estimator = (&'static str, fn(&RunRecord) -> f64);

/// The σ estimators of a run, in the order of the report's columns.
const ESTIMATORS: [Estimator; 3] = [
    ("hard counts (paper)", |r| r.sigma_counted),
    ("Rao-Blackwellised", |r| r.sigma),
    ("model's M", |r| r.sigma_model),
];

fn claims(runs: &[&RunRecord], sigma: fn(&RunRecord) -> f64, l: usize) -> Result<LatentClaims> {
    let summaries: Vec<RunSummary> = runs
        .iter()
        .map(|r| RunSummary {
            sigma: sigma(r),
            ll: r.ll,
            tau: r.tau,
            mean_diagonal: r.mean_diagonal,
            kl: r.kl,
        })
        .collect();
    Ok(LatentClaims::new(&summaries, l)?)
}

fn report(
    neq: &[&RunRecord],
    eq: &[&RunRecord],
    em: &[EmBaseline],
    run: &LatentTrain,
) -> Result<(String, serde_json::Value)> {
    let n = neq.len();
    let (l, ds) = (run.config().training.hidden, run.images());
    let final_steps = run.config().final_steps;
    let all: Vec<LatentClaims> = ESTIMATORS
        .iter()
        .map(|(_, f)| claims(neq, *f, l))
        .collect::<Result<_>>()?;
    let ll: Vec<f64> = neq.iter().map(|r| r.ll).collect();
    let (ll_m, ll_sd) = mean_and_sd(&ll);
    let ll_best = ll.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let eq_ll: Vec<f64> = eq.iter().filter_map(|r| r.tied_ll).collect();
    let em_ll: Vec<f64> = em.iter().map(|e| e.log_likelihood).collect();
    let one_way: Vec<usize> = neq.iter().map(|r| r.one_way_pairs).collect();
    let with_one_way = one_way.iter().filter(|&&c| c > 0).count();
    let mut t = String::new();
    writeln!(
        t,
        "# Latent-cycle sweep: {n} nonequilibrium runs, L = {l}, {} images\n",
        ds.data.len()
    )?;
    writeln!(
        t,
        "Data: the first {} binarised images of each digit 0, 1, 2 of the MNIST **test** set (the \
         paper uses the first 1000 of the training set, not shipped here). Digit of each hidden \
         unit: nearest class centroid (accuracy on the data {:.3}).\n",
        ds.data.len() / 3,
        ds.classifier.accuracy(&ds.data, &ds.labels)
    )?;
    writeln!(t, "## Log-likelihoods (nats per image)\n")?;
    writeln!(t, "| model | runs | mean ± sd | best |")?;
    writeln!(t, "| --- | --- | --- | --- |")?;
    writeln!(
        t,
        "| nonequilibrium (occupancy estimate, Eq. 5) | {n} | {ll_m:.2} ± {ll_sd:.2} | {ll_best:.2} |"
    )?;
    for (name, v) in [
        ("equilibrium counterpart, softmax kernel (exact)", &eq_ll),
        ("Bernoulli mixture, EM (exact)", &em_ll),
    ] {
        if !v.is_empty() {
            let (m, sd) = mean_and_sd(v);
            let best = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            writeln!(t, "| {name} | {} | {m:.2} ± {sd:.2} | {best:.2} |", v.len())?;
        }
    }
    if !eq.is_empty() {
        let eq_sigma: Vec<f64> = eq.iter().map(|r| r.sigma_model).collect();
        let (m, _) = mean_and_sd(&eq_sigma);
        writeln!(
            t,
            "\nEquilibrium counterpart σ of the model's M (sampling noise only; exactly 0 in \
             theory): mean {m:.2e}."
        )?;
    }
    writeln!(t, "\n## Entropy production three ways\n")?;
    writeln!(
        t,
        "- hard counts (paper, Eq. 21 with M and p̄ counted on the final {}-step trajectory): a \
         pair of states seen in one direction only would make σ = +∞, so such pairs are left \
         out and counted; {with_one_way} of {n} runs have at least one (most: {}).",
        final_steps,
        one_way.iter().max().copied().unwrap_or(0)
    )?;
    writeln!(
        t,
        "- Rao-Blackwellised: the same trajectory's expected transitions Σ_t Ā_(x(t)·), p̄ the \
         stationary vector of that M."
    )?;
    writeln!(
        t,
        "- model's M: Eq. 3's matrix sampled row by row (independent draws x ~ A_(z'·)), p̄ its \
         stationary vector; independent of the chain.\n"
    )?;
    writeln!(t, "| σ estimator | range over runs (nats/step) |")?;
    writeln!(t, "| --- | --- |")?;
    for (name, f) in ESTIMATORS {
        let (a, b) = neq
            .iter()
            .map(|r| f(r))
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            });
        writeln!(t, "| {name} | {a:.4} … {b:.4} |")?;
    }
    writeln!(t, "\n## The paper's claims on our data\n")?;
    let header: Vec<&str> = ESTIMATORS.iter().map(|e| e.0).collect();
    writeln!(t, "| claim | {} |", header.join(" | "))?;
    writeln!(t, "| --- | --- | --- | --- |")?;
    let cells = |f: &dyn Fn(&LatentClaims) -> String| -> String {
        all.iter().map(f).collect::<Vec<_>>().join(" | ")
    };
    let corr = |c: &Correlation| format!("ρ = {:.2} → {}", c.rho, c.verdict.as_str());
    writeln!(
        t,
        "| 1. high ln p only with high σ: ρ(σ, ln p) | {} |",
        cells(&|c| corr(&c.sigma_ll))
    )?;
    writeln!(
        t,
        "| ln p below / at or above the median σ | {} |",
        cells(&|c| format!(
            "{:.2} ± {:.2} / {:.2} ± {:.2}",
            c.below_median.ll_mean,
            c.below_median.ll_sd,
            c.above_median.ll_mean,
            c.above_median.ll_sd
        ))
    )?;
    let c0 = &all[0];
    writeln!(
        t,
        "| 2. mean diagonal below 1/L = {:.4} (no σ involved) | {} of {n} runs at or above it, range {:.4} … {:.4} → {} | | |",
        1.0 / l as f64,
        c0.diagonal_at_or_above_uniform,
        c0.diagonal_range.0,
        c0.diagonal_range.1,
        if c0.diagonal_at_or_above_uniform == 0 {
            "holds"
        } else {
            "does not hold"
        }
    )?;
    writeln!(
        t,
        "| 3. τ grows with σ: ρ(σ, τ) | {} |",
        cells(&|c| corr(&c.sigma_tau))
    )?;
    writeln!(
        t,
        "| 4. low class KL only with large σ: ρ(σ, KL) | {} |",
        cells(&|c| corr(&c.sigma_kl))
    )?;
    writeln!(
        t,
        "\n{} of {n} runs give every digit a hidden unit; the rest have KL = ∞ (ranked above \
         every finite KL). Verdicts: z = ρ·√(n−1) in the claim's direction, supported for z > 2, \
         contradicted for z < −2 (about two standard deviations of ρ under independence).",
        c0.finite_kl
    )?;
    writeln!(t, "\n## Regimes of Fig. 2(c)\n")?;
    writeln!(
        t,
        "Three clusters of the runs' ranks in σ and ln p (k-means from the σ terciles), by \
         increasing σ; the paper sees (i) low ln p and low σ, (ii) high ln p with intermediate σ, \
         (iii) high ln p with high σ.\n"
    )?;
    writeln!(
        t,
        "| σ estimator | cluster | runs | median σ | ln p mean ± sd |"
    )?;
    writeln!(t, "| --- | --- | --- | --- | --- |")?;
    for ((name, _), c) in ESTIMATORS.iter().zip(&all) {
        for (i, g) in c.regimes.iter().enumerate() {
            writeln!(
                t,
                "| {name} | {} | {} | {:.4} | {:.2} ± {:.2} |",
                ["low σ", "middle σ", "high σ"][i],
                g.runs,
                g.median_sigma,
                g.ll_mean,
                g.ll_sd
            )?;
        }
    }
    let json = json!({
        "runs": n,
        "hidden": l,
        "nonequilibrium_ll": {"mean": ll_m, "sd": ll_sd, "best": ll_best},
        "equilibrium_exact_ll": eq_ll,
        "em_ll": em_ll,
        "runs_with_one_way_pairs": with_one_way,
        "claims": {
            "counted": all[0],
            "rao_blackwell": all[1],
            "model": all[2],
        },
    });
    Ok((t, json))
}
