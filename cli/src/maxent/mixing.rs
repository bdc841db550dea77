//! `entropic maxent mixing`: flags → [`MaxentMixingConfig`] → [`MaxentMixing`] on a Gaussian
//! target or a trained digits model → table, CSV, JSON and trace plots.
use super::digits::{load_checkpoint, model_path};
use crate::Global;
use crate::config::{ConfigArgs, Overlay};
use crate::output::Output;
use crate::runtime::Threads;
use anyhow::{Result, bail};
use entropic::experiment::maxent_digits_report::walker_grid;
use entropic::experiment::{MaxentMixing, MaxentMixingConfig, MixingRow, Runtime, WalkerSampler};
use entropic::maxent::{GaussianEnergy, Walkers};
use entropic::plot::{self, Series};
use entropic::rng::stream;
use serde_json::json;
use std::fmt::Write as _;
use std::path::PathBuf;

/// Options of `entropic maxent mixing`.
#[derive(Debug, clap::Args)]
pub struct MixingArgs {
    /// A checkpoint.json of `digits train` (or its directory): compare the samplers on the
    /// trained model, from its persistent walkers. Without it: the Gaussian target.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["dim", "condition"])]
    model: Option<PathBuf>,
    /// Gaussian target: dimension.
    #[arg(long, value_name = "D", default_value_t = 64)]
    dim: usize,
    /// Gaussian target: condition number of the covariance (variances log-spaced from 1 to
    /// this, along the axes of a random rotation).
    #[arg(long, value_name = "K", default_value_t = 100.0)]
    condition: f64,
    /// Walkers (Gaussian: drawn exactly from the target; digits: the first N of the
    /// checkpoint's, all by default).
    #[arg(long, value_name = "N")]
    walkers: Option<usize>,
    /// Samplers to compare: metropolis, mala, hmc (comma-separated).
    #[arg(long, value_name = "LIST", default_value = "metropolis,mala,hmc")]
    samplers: String,
    /// Leapfrog steps of an HMC trajectory.
    #[arg(long, value_name = "L", default_value_t = defaults().leapfrog)]
    leapfrog: usize,
    /// Warm-up sweeps (step adapted toward the sampler's target acceptance, then frozen).
    #[arg(long, value_name = "N", default_value_t = defaults().warmup)]
    warmup: usize,
    /// Measured sweeps.
    #[arg(long, value_name = "N", default_value_t = defaults().sweeps)]
    sweeps: usize,
    /// Samplers to precondition (comma-separated, or "all"): halfway through warm-up, scale each
    /// coordinate's moves by the walkers' spread along it (a diagonal mass matrix for MALA/HMC,
    /// per-coordinate widths for Metropolis). Default none.
    #[arg(long, value_name = "LIST")]
    precondition: Option<String>,
    /// Precondition MALA/HMC with the walkers' whole covariance (a dense mass matrix; box walls
    /// handled as billiards) instead of its diagonal.
    #[arg(long)]
    dense: bool,
    #[command(flatten)]
    config: ConfigArgs,
}

fn defaults() -> MaxentMixingConfig {
    MaxentMixingConfig::default()
}

/// Gaussian walkers unless `--walkers` says otherwise.
const GAUSSIAN_WALKERS: usize = 200;

impl MixingArgs {
    fn config(&self, global: &Global) -> Result<MaxentMixingConfig> {
        let (mut c, o): (MaxentMixingConfig, _) = Overlay::load(&self.config, &global.explicit)?;
        o.set("samplers", &mut c.samplers, parse_samplers(&self.samplers)?);
        o.set("leapfrog", &mut c.leapfrog, self.leapfrog);
        o.set("warmup", &mut c.warmup, self.warmup);
        o.set("sweeps", &mut c.sweeps, self.sweeps);
        let precondition = match self.precondition.as_deref() {
            None => Vec::new(),
            Some("all") => parse_samplers("metropolis,mala,hmc")?,
            Some(list) => parse_samplers(list)?,
        };
        o.set("precondition", &mut c.precondition, precondition);
        o.set("dense", &mut c.dense, self.dense);
        Ok(c)
    }
}

fn parse_samplers(text: &str) -> Result<Vec<WalkerSampler>> {
    text.split(',')
        .map(|s| match s.trim() {
            "metropolis" => Ok(WalkerSampler::Metropolis),
            "mala" => Ok(WalkerSampler::Mala),
            "hmc" => Ok(WalkerSampler::Hmc),
            other => {
                bail!("--samplers and --precondition take metropolis, mala, hmc; got '{other}'")
            }
        })
        .collect()
}

pub fn run(args: &MixingArgs, global: &Global, out: &mut Output<'_>) -> Result<()> {
    let config = args.config(global)?;
    if args.config.print_config {
        return out.print_config(&config);
    }
    let experiment = MaxentMixing::new(config)?;
    if args.walkers == Some(0) {
        bail!("--walkers must be at least 1");
    }
    let rt = Threads::new(global.quiet);
    let (rows, target_name, exact) = match &args.model {
        Some(path) => {
            let (mut trainer, _, _) = load_checkpoint(&model_path(path))?;
            let start = trainer.walkers().first(args.walkers.unwrap_or(usize::MAX));
            let model = trainer.model_mut();
            // The network's batches on every core; the samples do not change.
            model.observables_mut().set_threads(rt.threads());
            let rows = experiment.run(model, &start, None, global.seed, &rt)?;
            (rows, format!("digits model {}", path.display()), None)
        }
        None => {
            let walkers = args.walkers.unwrap_or(GAUSSIAN_WALKERS);
            entropic::experiment::check_memory("the Gaussian walkers", &[walkers, args.dim, 8])?;
            entropic::experiment::check_memory("the Gaussian target", &[args.dim, args.dim, 8])?;
            let mut rng = stream(global.seed, 10);
            let mut target = GaussianEnergy::anisotropic(args.dim, args.condition, &mut rng)?;
            let widest = target.axis(args.dim - 1).to_vec();
            let top = target.variances()[args.dim - 1];
            let start = target.exact_draws(walkers, &mut rng);
            let start = Walkers::new(args.dim, start, 0.1, None)?;
            let rows = experiment.run(&mut target, &start, Some(&widest), global.seed, &rt)?;
            let name = format!(
                "Gaussian, d = {}, condition number {}",
                args.dim, args.condition
            );
            (rows, name, Some((widest, top)))
        }
    };
    rt.finish();
    let baseline = rows
        .iter()
        .find(|r| r.sampler == WalkerSampler::Metropolis)
        .and_then(|r| r.mixing.effective_samples_per_second());
    let mut text = format!("sampler mixing on the {target_name}\n");
    writeln!(
        text,
        "{:<15} {:>4} {:>9} {:>7} {:>9} {:>9} {:>10} {:>10} {:>10} {:>8}",
        "sampler", "L", "step", "accept", "τ_H", "τ_slow", "ESS/sweep", "s/sweep", "ESS/s", "× RWM"
    )?;
    for r in &rows {
        let m = &r.mixing;
        let ess = m.effective_samples_per_second();
        writeln!(
            text,
            "{:<15} {:>4} {:>9.4} {:>7.3} {:>9.2} {:>9.2} {:>10.2} {:>10.2e} {:>10} {:>8}{}",
            label(r),
            r.leapfrog,
            r.step,
            m.acceptance,
            m.energy.tau,
            m.projection.tau,
            m.effective_samples_per_sweep(),
            m.seconds_per_sweep.unwrap_or(f64::NAN),
            ess.map_or("—".into(), |e| format!("{e:.1}")),
            ess.zip(baseline)
                .map_or("—".into(), |(e, b)| format!("{:.1}", e / b)),
            if m.converged() {
                ""
            } else {
                "  (τ window did not close: τ is a lower bound)"
            }
        )?;
    }
    if let Some((axis, top)) = &exact {
        writeln!(
            text,
            "variance along the widest axis at the end (exact {top}): {}",
            rows.iter()
                .map(|r| format!("{} {:.1}", r.sampler.name(), slow_variance(r, axis)))
                .collect::<Vec<_>>()
                .join(", ")
        )?;
    }
    let mut csv = String::from(
        "sampler,preconditioned,leapfrog,step,acceptance,tau_energy,tau_slow,converged,ess_per_sweep,seconds_per_sweep,ess_per_second\n",
    );
    for r in &rows {
        let m = &r.mixing;
        writeln!(
            csv,
            "{},{},{},{},{},{},{},{},{},{},{}",
            r.sampler.name(),
            r.preconditioned,
            r.leapfrog,
            r.step,
            m.acceptance,
            m.energy.tau,
            m.projection.tau,
            m.converged(),
            m.effective_samples_per_sweep(),
            m.seconds_per_sweep.map_or(String::new(), |s| s.to_string()),
            m.effective_samples_per_second()
                .map_or(String::new(), |s| s.to_string()),
        )?;
    }
    if out.keeps_files() {
        out.file("mixing.csv", csv.as_bytes())?;
        let shown = rows.first().map_or(0, |r| r.mixing.trace.len().min(500));
        let series: Vec<Series<'_>> = rows
            .iter()
            .map(|r| Series {
                name: label(r),
                points: r.mixing.trace[..shown]
                    .iter()
                    .enumerate()
                    .map(|(t, &v)| (t as f64, v))
                    .collect(),
                errors: vec![],
            })
            .collect();
        out.file(
            "traces.svg",
            plot::line_chart(
                "One walker's projection on the slow direction",
                "sweep",
                "projection",
                &series,
            )?
            .as_bytes(),
        )?;
        if exact.is_none() {
            for r in &rows {
                out.file(
                    &format!("samples-{}.svg", label(r)),
                    walker_grid(
                        &format!("walkers after {} ({} sweeps)", label(r), r.mixing.sweeps),
                        &r.positions,
                        100,
                    )?
                    .as_bytes(),
                )?;
            }
        }
    }
    let doc = json!({
        "command": "maxent mixing", "seed": global.seed, "config": experiment.config(),
        "target": target_name, "rows": rows,
        "slow_variance": exact.as_ref().map(|(axis, top)| json!({
            "exact": top,
            "measured": rows.iter().map(|r| slow_variance(r, axis)).collect::<Vec<_>>(),
        })),
    });
    out.json("mixing.json", &doc)?;
    out.result(&text, &doc)
}

/// The sampler's name, marked when preconditioned (diagonal or dense).
fn label(row: &MixingRow) -> &'static str {
    match (row.sampler, row.preconditioned, row.dense) {
        (WalkerSampler::Metropolis, false, _) => "metropolis",
        (WalkerSampler::Metropolis, true, _) => "metropolis+pre",
        (WalkerSampler::Mala, false, _) => "mala",
        (WalkerSampler::Mala, true, false) => "mala+pre",
        (WalkerSampler::Mala, true, true) => "mala+dense",
        (WalkerSampler::Hmc, false, _) => "hmc",
        (WalkerSampler::Hmc, true, false) => "hmc+pre",
        (WalkerSampler::Hmc, true, true) => "hmc+dense",
    }
}

/// Variance of the final walkers along `axis` (the target is centred).
fn slow_variance(row: &MixingRow, axis: &[f64]) -> f64 {
    let d = axis.len();
    let n = row.positions.len() / d;
    row.positions
        .chunks_exact(d)
        .map(|x| x.iter().zip(axis).map(|(a, b)| a * b).sum::<f64>().powi(2))
        .sum::<f64>()
        / n as f64
}
