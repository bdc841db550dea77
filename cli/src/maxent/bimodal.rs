//! `entropic maxent bimodal`: flags → [`MaxentBimodalConfig`] → [`MaxentBimodal`] →
//! [`MaxentBimodalReport`] (text, CSV, JSON and plots; 1D bimodal data, Min-MaxEnt vs VAE vs
//! mean + variance MaxEnt; paper Sec. I.2, Fig. 3–4).
use crate::Global;
use crate::config::{Flag, Flags, Settings};
use crate::output::Output;
use crate::runtime::Threads;
use anyhow::Result;
use entropic::experiment::{BimodalCase, MaxentBimodal, MaxentBimodalConfig, MaxentBimodalReport};

/// Options of `entropic maxent bimodal`: the keys of [`MaxentBimodalConfig`].
#[derive(Debug, clap::Args)]
pub struct BimodalArgs {
    #[command(flatten)]
    settings: Settings<Self>,
}

impl Flags for BimodalArgs {
    type Config = MaxentBimodalConfig;
    #[rustfmt::skip]
    fn flags() -> Vec<Flag> {
        vec![
            Flag::choice::<BimodalCase>("case", "case", "CASE", "Which data set."),
            Flag::new("seeds", "seeds", "N", "Independent repetitions (data, initialisation and sampling all reseeded)."),
            Flag::new("epochs", "epochs", "N", "Min-MaxEnt iterations (\"epochs\")."),
            Flag::new("vae-epochs", "vae_epochs", "N", "VAE epochs (passes over the data in minibatches of 100); default: --epochs."),
            Flag::new("walkers", "walkers", "N", "Persistent MCMC walkers of the Min-MaxEnt model."),
            Flag::new("grid", "grid", "N", "Quadrature nodes on the box for densities and KL."),
            Flag::new("leapfrog", "leapfrog", "L", "Leapfrog steps of HMC walkers (1 = MALA); 0 keeps random-walk Metropolis."),
        ]
    }
}

pub fn run(args: &BimodalArgs, global: &Global, out: &mut Output<'_>) -> Result<()> {
    let Some(config) = args.settings.run_config(out)? else {
        return Ok(());
    };
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
