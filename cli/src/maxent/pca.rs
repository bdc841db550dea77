//! `entropic maxent pca`: flags → [`MaxentPcaConfig`] → [`MaxentPca`] → [`MaxentPcaReport`]
//! (text, CSV, JSON and plots; PCA as a Min-MaxEnt solution, paper Sec. I.1, Fig. 2).
use crate::Global;
use crate::config::{Flag, Flags, Settings};
use crate::output::Output;
use crate::runtime::Threads;
use anyhow::Result;
use entropic::experiment::{MaxentPca, MaxentPcaConfig, MaxentPcaReport};

/// Options of `entropic maxent pca`: the keys of [`MaxentPcaConfig`].
#[derive(Debug, clap::Args)]
pub struct PcaArgs {
    #[command(flatten)]
    settings: Settings<Self>,
}

impl Flags for PcaArgs {
    type Config = MaxentPcaConfig;
    #[rustfmt::skip]
    fn flags() -> Vec<Flag> {
        vec![
            Flag::new("sigma", "sigma", "S11,S22,S12", "Covariance as Σ11,Σ22,Σ12 (positive definite)."),
            Flag::new("samples", "samples", "N", "Training samples."),
            Flag::new("walkers", "walkers", "N", "Persistent MCMC walkers."),
            Flag::new("iterations", "iterations", "N", "Training iterations (one λ step and one θ step each)."),
            Flag::new("leapfrog", "leapfrog", "L", "Leapfrog steps of HMC walkers (1 = MALA); 0 keeps random-walk Metropolis."),
        ]
    }
}

pub fn run(args: &PcaArgs, global: &Global, out: &mut Output<'_>) -> Result<()> {
    let Some(config) = args.settings.run_config(out)? else {
        return Ok(());
    };
    let rt = Threads::new(global.quiet);
    let experiment = MaxentPca::new(config)?;
    let r = experiment.run(global.seed, &rt)?;
    rt.finish();
    let report = MaxentPcaReport::new(&experiment, &r);
    if out.keeps_files() {
        let [curve, training] = report.tables();
        for (name, csv) in [curve, training] {
            out.file(name, csv.as_bytes())?;
        }
        for (name, svg) in report.figures()? {
            out.file(name, svg.as_bytes())?;
        }
    }
    let doc = report.json(global.seed);
    out.json("pca.json", &doc)?;
    out.result(&report.text(), &doc)
}
