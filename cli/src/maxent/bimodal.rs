//! `entropic maxent bimodal`: flags → [`MaxentBimodalConfig`] → [`MaxentBimodal`] →
//! [`MaxentBimodalReport`] (text, CSV, JSON and plots; 1D bimodal data, Min-MaxEnt vs VAE vs
//! mean + variance MaxEnt; paper Sec. I.2, Fig. 3–4).
use crate::Global;
use crate::config::{ConfigArgs, Overlay};
use crate::output::Output;
use crate::runtime::Threads;
use anyhow::Result;
use entropic::experiment::{BimodalCase, MaxentBimodal, MaxentBimodalConfig, MaxentBimodalReport};

fn defaults() -> MaxentBimodalConfig {
    MaxentBimodalConfig::default()
}

/// Options of `entropic maxent bimodal`.
#[derive(Debug, clap::Args)]
pub struct BimodalArgs {
    /// Which data set.
    #[arg(long, value_enum, default_value = "gaussian")]
    case: BimodalCase,
    /// Independent repetitions (data, initialisation and sampling all reseeded).
    #[arg(long, value_name = "N", default_value_t = defaults().seeds)]
    seeds: usize,
    /// Min-MaxEnt iterations ("epochs").
    #[arg(long, value_name = "N", default_value_t = defaults().epochs)]
    epochs: usize,
    /// VAE epochs (passes over the data in minibatches of 100); default: --epochs.
    #[arg(long, value_name = "N")]
    vae_epochs: Option<usize>,
    /// Persistent MCMC walkers of the Min-MaxEnt model.
    #[arg(long, value_name = "N", default_value_t = defaults().walkers)]
    walkers: usize,
    /// Quadrature nodes on the box for densities and KL.
    #[arg(long, value_name = "N", default_value_t = defaults().grid)]
    grid: usize,
    /// Leapfrog steps of HMC walkers (1 = MALA); 0 keeps random-walk Metropolis.
    #[arg(long, value_name = "L", default_value_t = defaults().leapfrog)]
    leapfrog: usize,
    #[command(flatten)]
    config: ConfigArgs,
}

impl BimodalArgs {
    fn config(&self, global: &Global) -> Result<MaxentBimodalConfig> {
        let (mut c, o): (MaxentBimodalConfig, _) = Overlay::load(&self.config, &global.explicit)?;
        o.set("case", &mut c.case, self.case);
        o.set("seeds", &mut c.seeds, self.seeds);
        o.set("epochs", &mut c.epochs, self.epochs);
        if self.vae_epochs.is_some() {
            c.vae_epochs = self.vae_epochs;
        }
        o.set("walkers", &mut c.walkers, self.walkers);
        o.set("grid", &mut c.grid, self.grid);
        o.set("leapfrog", &mut c.leapfrog, self.leapfrog);
        Ok(c)
    }
}

pub fn run(args: &BimodalArgs, global: &Global, out: &mut Output<'_>) -> Result<()> {
    let config = args.config(global)?;
    if args.config.print_config {
        return out.print_config(&config);
    }
    let experiment = MaxentBimodal::new(config)?;
    let rt = Threads::new(global.quiet);
    let result = experiment.run(global.seed, &rt)?;
    rt.finish();
    let report = MaxentBimodalReport::new(&experiment, &result);
    if out.keeps_files() {
        for (name, csv) in report.tables() {
            out.file(name, csv.as_bytes())?;
        }
        for (name, svg) in report.figures()? {
            out.file(name, svg.as_bytes())?;
        }
    }
    let doc = report.json(global.seed);
    out.json("bimodal.json", &doc)?;
    out.result(&report.text(), &doc)
}
