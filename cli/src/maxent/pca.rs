//! `entropic maxent pca`: flags → [`MaxentPcaConfig`] → [`MaxentPca`] → [`MaxentPcaReport`]
//! (text, CSV, JSON and plots; PCA as a Min-MaxEnt solution, paper Sec. I.1, Fig. 2).
use crate::Global;
use crate::config::{ConfigArgs, Overlay};
use crate::output::Output;
use crate::runtime::Threads;
use anyhow::Result;
use entropic::experiment::{MaxentPca, MaxentPcaConfig, MaxentPcaReport};

/// Options of `entropic maxent pca`.
#[derive(Debug, clap::Args)]
pub struct PcaArgs {
    /// Covariance as Σ11,Σ22,Σ12 (positive definite).
    #[arg(
        long,
        value_name = "S11,S22,S12",
        default_value = "3,2,1",
        allow_hyphen_values = true
    )]
    sigma: String,
    /// Training samples.
    #[arg(long, value_name = "N", default_value_t = defaults().samples)]
    samples: usize,
    /// Persistent MCMC walkers.
    #[arg(long, value_name = "N", default_value_t = defaults().walkers)]
    walkers: usize,
    /// Training iterations (one λ step and one θ step each).
    #[arg(long, value_name = "N", default_value_t = defaults().iterations)]
    iterations: usize,
    /// Leapfrog steps of HMC walkers (1 = MALA); 0 keeps random-walk Metropolis.
    #[arg(long, value_name = "L", default_value_t = defaults().leapfrog)]
    leapfrog: usize,
    #[command(flatten)]
    config: ConfigArgs,
}

fn defaults() -> MaxentPcaConfig {
    MaxentPcaConfig::default()
}

impl PcaArgs {
    fn config(&self, global: &Global) -> Result<MaxentPcaConfig> {
        let (mut c, o): (MaxentPcaConfig, _) = Overlay::load(&self.config, &global.explicit)?;
        o.set("sigma", &mut c.sigma, parse_sigma(&self.sigma)?);
        o.set("samples", &mut c.samples, self.samples);
        o.set("walkers", &mut c.walkers, self.walkers);
        o.set("iterations", &mut c.iterations, self.iterations);
        o.set("leapfrog", &mut c.leapfrog, self.leapfrog);
        Ok(c)
    }
}

/// `--sigma S11,S22,S12`: three numbers (the run checks they form a covariance).
fn parse_sigma(text: &str) -> Result<[f64; 3]> {
    let v: Vec<f64> = text
        .split(',')
        .map(|s| s.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| anyhow::anyhow!("--sigma takes three numbers S11,S22,S12, got '{text}'"))?;
    v[..]
        .try_into()
        .map_err(|_| anyhow::anyhow!("--sigma takes three numbers S11,S22,S12, got '{text}'"))
}

pub fn run(args: &PcaArgs, global: &Global, out: &mut Output<'_>) -> Result<()> {
    let config = args.config(global)?;
    if args.config.print_config {
        return out.print_config(&config);
    }
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
