//! `entropic maxent mixing`: flags → [`MaxentMixingConfig`] → [`MaxentMixing`] on a Gaussian
//! target or a trained digits model → [`MaxentMixingReport`] (table, CSV, JSON and trace plots).
use super::digits::{load_checkpoint, model_path};
use crate::Global;
use crate::config::{Flag, Flags, Settings, list};
use crate::output::Output;
use crate::runtime::Threads;
use anyhow::{Result, bail};
use entropic::experiment::{
    GaussianMixingTarget, MaxentMixing, MaxentMixingConfig, MaxentMixingReport, Runtime,
};
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
    #[command(flatten)]
    settings: Settings<Self>,
}

impl Flags for MixingArgs {
    type Config = MaxentMixingConfig;
    #[rustfmt::skip]
    fn flags() -> Vec<Flag> {
        vec![
            Flag::new("samplers", "samplers", "LIST,..", "Samplers to compare: metropolis, mala, hmc (comma-separated)."),
            Flag::new("leapfrog", "leapfrog", "L", "Leapfrog steps of an HMC trajectory."),
            Flag::new("warmup", "warmup", "N", "Warm-up sweeps (step adapted toward the sampler's target acceptance, then frozen)."),
            Flag::new("sweeps", "sweeps", "N", "Measured sweeps."),
            Flag::new("precondition", "precondition", "LIST,..", "Samplers to precondition (comma-separated, or \"all\"): halfway through warm-up, scale each coordinate's moves by the walkers' spread along it (a diagonal mass matrix for MALA/HMC, per-coordinate widths for Metropolis).")
                .with(|text| list(if text.trim() == "all" { "metropolis,mala,hmc" } else { text })),
            Flag::switch("dense", "dense", true, "Precondition MALA/HMC with the walkers' whole covariance (a dense mass matrix; box walls handled as billiards) instead of its diagonal."),
        ]
    }
}

/// Gaussian walkers unless `--walkers` says otherwise.
const GAUSSIAN_WALKERS: usize = 200;

pub fn run(args: &MixingArgs, global: &Global, out: &mut Output<'_>) -> Result<()> {
    let Some(config) = args.settings.run_config(out)? else {
        return Ok(());
    };
    let experiment = MaxentMixing::new(config)?;
    if args.walkers == Some(0) {
        bail!("--walkers must be at least 1");
    }
    let rt = Threads::new(global.quiet);
    let (rows, target_name, gaussian) = match &args.model {
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
            let mut target =
                GaussianMixingTarget::new(args.dim, args.condition, walkers, global.seed)?;
            let (energy, start) = (&mut target.energy, &target.start);
            let rows = experiment.run(energy, start, Some(&target.widest), global.seed, &rt)?;
            let name = format!(
                "Gaussian, d = {}, condition number {}",
                args.dim, args.condition
            );
            (rows, name, Some(target))
        }
    };
    rt.finish();
    let mut report = MaxentMixingReport::new(&experiment, &rows, &target_name);
    if let Some(t) = &gaussian {
        report = report.with_slow_axis(&t.widest, t.variance);
    }
    if out.keeps_files() {
        out.file("mixing.csv", report.csv().as_bytes())?;
        out.file("traces.svg", report.traces_svg()?.as_bytes())?;
        if gaussian.is_none() {
            for (name, svg) in report.digit_grids()? {
                out.file(&name, svg.as_bytes())?;
            }
        }
    }
    let doc = report.json(global.seed);
    out.json("mixing.json", &doc)?;
    out.result(&report.text(), &doc)
}
