//! `entropic maxent digits sample | discriminator`: flags → [`DigitsSamplingConfig`] /
//! [`DigitsDiscriminatorConfig`] → the library runs on a trained checkpoint →
//! [`DigitsSamplingReport`] / [`DiscriminatorReport`] (text, JSON and figures; steering,
//! Eq. 22–23, Fig. 7; discriminator bias, Eq. 20–21, Fig. 6).
use super::{load_checkpoint, model_path};
use crate::Global;
use crate::config::{Flag, Flags, Settings, required};
use crate::output::Output;
use crate::runtime::Threads;
use anyhow::{Context, Result};
use entropic::experiment::{
    DigitsDiscriminator, DigitsDiscriminatorConfig, DigitsSampling, DigitsSamplingConfig,
    DigitsSamplingReport, DiscriminatorReport,
};
use entropic::nn::{Network, io};
use std::path::PathBuf;

/// Options of `entropic maxent digits sample`.
#[derive(Debug, clap::Args)]
pub struct SampleArgs {
    /// A checkpoint.json of `digits train` (or its directory).
    #[arg(long, value_name = "FILE", required_unless_present = "print_config")]
    model: Option<PathBuf>,
    /// A discriminator.json of `digits discriminator`: add α_g g(x) (Eq. 21).
    #[arg(long, value_name = "FILE")]
    discriminator: Option<PathBuf>,
    #[command(flatten)]
    settings: Settings<Self>,
}

impl Flags for SampleArgs {
    type Config = DigitsSamplingConfig;
    #[rustfmt::skip]
    fn flags() -> Vec<Flag> {
        vec![
            Flag::new("steer", "steer", "DIGIT", "Steer towards this digit with an independent classifier (Eq. 23)."),
            Flag::new("alpha", "alpha", "A", "Strength α of the steering field."),
            Flag::new("disc-alpha", "disc_alpha", "A", "Strength α_g of the discriminator bias (1 makes H₀ + g the log-density ratio correction for a calibrated discriminator)."),
            Flag::switch("classifier-only", "classifier_only", true, "Drop H₀ and sample from the steering field alone (the Fig. 7d ablation)."),
            Flag::new("sweeps", "sweeps", "N", "MCMC sweeps under the biased energy."),
            Flag::new("leapfrog", "leapfrog", "L", "0: the trained walkers' own moves; L ≥ 1: HMC with L leapfrog steps per sweep on the biased energy and its gradient (1 = MALA), step adapted over the first quarter of the sweeps."),
        ]
    }
}

/// Options of `entropic maxent digits discriminator`.
#[derive(Debug, clap::Args)]
pub struct DiscriminatorArgs {
    /// A checkpoint.json of `digits train` (or its directory).
    #[arg(long, value_name = "FILE", required_unless_present = "print_config")]
    model: Option<PathBuf>,
    #[command(flatten)]
    settings: Settings<Self>,
}

impl Flags for DiscriminatorArgs {
    type Config = DigitsDiscriminatorConfig;
    #[rustfmt::skip]
    fn flags() -> Vec<Flag> {
        vec![
            Flag::new("rounds", "rounds", "N", "Discriminator rounds."),
            Flag::new("alpha", "alpha", "A", "Strength α of the bias α g(x) (1: g is the log-odds of \"generated\")."),
            Flag::new("sweeps", "sweeps", "N", "MCMC sweeps under the biased energy per round."),
            Flag::new("epochs", "epochs", "N", "Training epochs of each discriminator."),
            Flag::new("leapfrog", "leapfrog", "L", "0: the trained walkers' own moves; L ≥ 1: HMC with L leapfrog steps per sweep (1 = MALA)."),
        ]
    }
}

pub fn sample(args: &SampleArgs, global: &Global, out: &mut Output<'_>) -> Result<()> {
    let Some(config) = args.settings.run_config(out)? else {
        return Ok(());
    };
    let run = DigitsSampling::new(config)?;
    let (mut trainer, images, _) = load_checkpoint(&model_path(required(&args.model, "model")?))?;
    let discriminator = match &args.discriminator {
        Some(path) => {
            let bytes =
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            let g: Network<f64> = io::from_json(&bytes)
                .with_context(|| format!("{} is not a saved network", path.display()))?;
            Some(g)
        }
        None => None,
    };
    let rt = Threads::new(global.quiet);
    let result = run.run(&mut trainer, images, discriminator, global.seed, &rt)?;
    rt.finish();
    let name = args.discriminator.as_ref().map(|p| p.to_string_lossy());
    let report = DigitsSamplingReport::new(&run, &result, name.as_deref());
    if out.keeps_files() {
        for (file, svg) in report.figures()? {
            out.file(file, svg.as_bytes())?;
        }
    }
    let doc = report.json(global.seed);
    out.json("sample.json", &doc)?;
    out.result(&report.text(), &doc)
}

pub fn discriminator(
    args: &DiscriminatorArgs,
    global: &Global,
    out: &mut Output<'_>,
) -> Result<()> {
    let Some(config) = args.settings.run_config(out)? else {
        return Ok(());
    };
    let run = DigitsDiscriminator::new(config)?;
    let (mut trainer, images, _) = load_checkpoint(&model_path(required(&args.model, "model")?))?;
    let rt = Threads::new(global.quiet);
    let outcome = run.run(&mut trainer, images, global.seed, &rt)?;
    rt.finish();
    let report = DiscriminatorReport::new(&run, &outcome);
    if out.keeps_files() {
        out.file("discriminator.json", &io::to_json(&outcome.discriminator)?)?;
        let [samples, scores] = report.figures()?;
        out.file(samples.0, samples.1.as_bytes())?;
        out.file("scores.csv", report.scores_csv().as_bytes())?;
        out.file(scores.0, scores.1.as_bytes())?;
    }
    let doc = report.json(global.seed);
    out.json("discriminator_rounds.json", &doc)?;
    out.result(&report.text(), &doc)
}
