//! `entropic maxent digits sample | discriminator`: flags → [`DigitsSamplingConfig`] /
//! [`DigitsDiscriminatorConfig`] → the library runs on a trained checkpoint →
//! [`DigitsSamplingReport`] / [`DiscriminatorReport`] (text, JSON and figures; steering,
//! Eq. 22–23, Fig. 7; discriminator bias, Eq. 20–21, Fig. 6).
use super::{load_checkpoint, model_path};
use crate::Global;
use crate::config::{ConfigArgs, Overlay, required};
use crate::output::Output;
use crate::runtime::Threads;
use anyhow::{Context, Result};
use entropic::experiment::{
    DigitsDiscriminator, DigitsDiscriminatorConfig, DigitsSampling, DigitsSamplingConfig,
    DigitsSamplingReport, DiscriminatorReport,
};
use entropic::nn::{Network, io};
use std::path::PathBuf;

fn sampling_defaults() -> DigitsSamplingConfig {
    DigitsSamplingConfig::default()
}

fn discriminator_defaults() -> DigitsDiscriminatorConfig {
    DigitsDiscriminatorConfig::default()
}

/// Options of `entropic maxent digits sample`.
#[derive(Debug, clap::Args)]
pub struct SampleArgs {
    /// A checkpoint.json of `digits train` (or its directory).
    #[arg(long, value_name = "FILE", required_unless_present = "print_config")]
    model: Option<PathBuf>,
    /// Steer towards this digit with an independent classifier (Eq. 23).
    #[arg(long, value_name = "DIGIT")]
    steer: Option<usize>,
    /// Strength α of the steering field.
    #[arg(long, value_name = "A", default_value_t = sampling_defaults().alpha)]
    alpha: f64,
    /// A discriminator.json of `digits discriminator`: add α_g g(x) (Eq. 21).
    #[arg(long, value_name = "FILE")]
    discriminator: Option<PathBuf>,
    /// Strength α_g of the discriminator bias (1 makes H₀ + g the log-density ratio
    /// correction for a calibrated discriminator).
    #[arg(long, value_name = "A", default_value_t = sampling_defaults().disc_alpha)]
    disc_alpha: f64,
    /// Drop H₀ and sample from the steering field alone (the Fig. 7d ablation).
    #[arg(long)]
    classifier_only: bool,
    /// MCMC sweeps under the biased energy.
    #[arg(long, value_name = "N", default_value_t = sampling_defaults().sweeps)]
    sweeps: usize,
    /// 0: the trained walkers' own moves; L ≥ 1: HMC with L leapfrog steps per sweep on the
    /// biased energy and its gradient (1 = MALA), step adapted over the first quarter of the
    /// sweeps.
    #[arg(long, value_name = "L", default_value_t = sampling_defaults().leapfrog)]
    leapfrog: usize,
    #[command(flatten)]
    config: ConfigArgs,
}

impl SampleArgs {
    fn config(&self, global: &Global) -> Result<DigitsSamplingConfig> {
        let (mut c, o): (DigitsSamplingConfig, _) = Overlay::load(&self.config, &global.explicit)?;
        if self.steer.is_some() {
            c.steer = self.steer;
        }
        o.set("alpha", &mut c.alpha, self.alpha);
        o.set("disc_alpha", &mut c.disc_alpha, self.disc_alpha);
        o.set(
            "classifier_only",
            &mut c.classifier_only,
            self.classifier_only,
        );
        o.set("sweeps", &mut c.sweeps, self.sweeps);
        o.set("leapfrog", &mut c.leapfrog, self.leapfrog);
        Ok(c)
    }
}

/// Options of `entropic maxent digits discriminator`.
#[derive(Debug, clap::Args)]
pub struct DiscriminatorArgs {
    /// A checkpoint.json of `digits train` (or its directory).
    #[arg(long, value_name = "FILE", required_unless_present = "print_config")]
    model: Option<PathBuf>,
    /// Discriminator rounds.
    #[arg(long, value_name = "N", default_value_t = discriminator_defaults().rounds)]
    rounds: usize,
    /// Strength α of the bias α g(x) (1: g is the log-odds of "generated").
    #[arg(long, value_name = "A", default_value_t = discriminator_defaults().alpha)]
    alpha: f64,
    /// MCMC sweeps under the biased energy per round.
    #[arg(long, value_name = "N", default_value_t = discriminator_defaults().sweeps)]
    sweeps: usize,
    /// Training epochs of each discriminator.
    #[arg(long, value_name = "N", default_value_t = discriminator_defaults().epochs)]
    epochs: usize,
    /// 0: the trained walkers' own moves; L ≥ 1: HMC with L leapfrog steps per sweep (1 =
    /// MALA).
    #[arg(long, value_name = "L", default_value_t = discriminator_defaults().leapfrog)]
    leapfrog: usize,
    #[command(flatten)]
    config: ConfigArgs,
}

impl DiscriminatorArgs {
    fn config(&self, global: &Global) -> Result<DigitsDiscriminatorConfig> {
        let (mut c, o): (DigitsDiscriminatorConfig, _) =
            Overlay::load(&self.config, &global.explicit)?;
        o.set("rounds", &mut c.rounds, self.rounds);
        o.set("alpha", &mut c.alpha, self.alpha);
        o.set("sweeps", &mut c.sweeps, self.sweeps);
        o.set("epochs", &mut c.epochs, self.epochs);
        o.set("leapfrog", &mut c.leapfrog, self.leapfrog);
        Ok(c)
    }
}

pub fn sample(args: &SampleArgs, global: &Global, out: &mut Output<'_>) -> Result<()> {
    let config = args.config(global)?;
    if args.config.print_config {
        return out.print_config(&config);
    }
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
    let config = args.config(global)?;
    if args.config.print_config {
        return out.print_config(&config);
    }
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
