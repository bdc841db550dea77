//! `entropic maxent bimodal`: flags → [`MaxentBimodalConfig`] → [`MaxentBimodal`] → text,
//! CSV, JSON and plots (1D bimodal data, Min-MaxEnt vs VAE vs mean + variance MaxEnt; paper
//! Sec. I.2, Fig. 3–4).
use crate::Global;
use crate::config::{ConfigArgs, Overlay};
use crate::output::Output;
use crate::runtime::Threads;
use anyhow::Result;
use entropic::experiment::{
    BimodalCase, BimodalSeed, MaxentBimodal, MaxentBimodalConfig, bimodal_figures,
};
use entropic::stats::mean_and_sd;
use serde_json::json;
use std::fmt::Write as _;

/// The data sets of Fig. 3 and 4 on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Case {
    /// ½ N(−2, 0.5²) + ½ N(2, 0.5²), 1000 samples, box [−6, 6] (Fig. 3a).
    Gaussian,
    /// The same mixture from only 10 samples (Fig. 3e).
    Gaussian10,
    /// ½ Cauchy(−2, γ = 0.5) + ½ Cauchy(2, γ = 0.5), 1000 samples, box [−10, 10] (Fig. 4).
    Cauchy,
}

impl From<Case> for BimodalCase {
    fn from(c: Case) -> Self {
        match c {
            Case::Gaussian => Self::Gaussian,
            Case::Gaussian10 => Self::Gaussian10,
            Case::Cauchy => Self::Cauchy,
        }
    }
}

fn defaults() -> MaxentBimodalConfig {
    MaxentBimodalConfig::default()
}

/// Options of `entropic maxent bimodal`.
#[derive(Debug, clap::Args)]
pub struct BimodalArgs {
    /// Which data set.
    #[arg(long, value_enum, default_value = "gaussian")]
    case: Case,
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
        o.set("case", &mut c.case, self.case.into());
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
    let (c, vae_epochs) = (experiment.config(), experiment.vae_epochs());
    let (grid, real, runs) = (&result.grid, &result.real, &result.seeds);

    // Final and best KL per seed.
    let last = |v: &[f64]| *v.last().expect("at least one epoch");
    let best = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    let finals = |f: &dyn Fn(&BimodalSeed) -> f64| runs.iter().map(f).collect::<Vec<f64>>();
    let mm_final = finals(&|r| last(&r.minmaxent_kl));
    let vae_final = finals(&|r| last(&r.vae_kl));
    let gauss = finals(&|r| r.gaussian_kl);
    let mm_best = finals(&|r| best(&r.minmaxent_kl));
    let vae_best = finals(&|r| best(&r.vae_kl));
    let wins = mm_final
        .iter()
        .zip(&vae_final)
        .filter(|(a, b)| a < b)
        .count();

    let mut text = String::new();
    writeln!(
        text,
        "{} ({} samples, {} seeds, {} Min-MaxEnt / {vae_epochs} VAE epochs): KL(real ‖ model), nats, mean ± sd over seeds",
        c.case.name(),
        c.case.samples(),
        c.seeds,
        c.epochs
    )?;
    for (name, fin, bst) in [
        ("Min-MaxEnt", &mm_final, Some(&mm_best)),
        ("VAE", &vae_final, Some(&vae_best)),
        ("mean+variance MaxEnt", &gauss, None),
    ] {
        let (m, s) = mean_and_sd(fin);
        write!(text, "  {name:<22} final {m:.4} ± {s:.4}")?;
        if let Some(b) = bst {
            let (bm, bs) = mean_and_sd(b);
            write!(text, "   best epoch {bm:.4} ± {bs:.4}")?;
        }
        writeln!(text)?;
    }
    writeln!(
        text,
        "  Min-MaxEnt has the lower final KL in {wins} of {} seeds",
        c.seeds
    )?;

    let mut summary_csv =
        String::from("case,seed,minmaxent_final,minmaxent_best,vae_final,vae_best,gaussian\n");
    let mut curves_csv = String::from(
        "case,seed,epoch,minmaxent_kl,minmaxent_entropy,vae_kl,chi2,lambda1,lambda2,theta_gradient_norm\n",
    );
    for (k, r) in runs.iter().enumerate() {
        writeln!(
            summary_csv,
            "{},{},{},{},{},{},{}",
            c.case.name(),
            r.seed,
            mm_final[k],
            mm_best[k],
            vae_final[k],
            vae_best[k],
            r.gaussian_kl
        )?;
        for e in 0..c.epochs.max(vae_epochs) {
            let cell = |v: Option<f64>| v.map_or(String::new(), |x| x.to_string());
            let rep = r.reports.get(e);
            writeln!(
                curves_csv,
                "{},{},{},{},{},{},{},{},{},{}",
                c.case.name(),
                r.seed,
                e,
                cell(r.minmaxent_kl.get(e).copied()),
                cell(r.minmaxent_entropy.get(e).copied()),
                cell(r.vae_kl.get(e).copied()),
                cell(rep.map(|x| x.chi2)),
                cell(rep.map(|x| x.lambda[0])),
                cell(rep.map(|x| x.lambda[1])),
                cell(rep.map(|x| x.theta_gradient_norm))
            )?;
        }
    }
    let first = &runs[0];
    let mut density_csv = String::from("x,real,minmaxent,vae,gaussian\n");
    for (k, &x) in grid.iter().enumerate() {
        writeln!(
            density_csv,
            "{x},{},{},{},{}",
            real[k], first.minmaxent_density[k], first.vae_density[k], first.gaussian_density[k]
        )?;
    }
    if out.keeps_files() {
        out.file("summary.csv", summary_csv.as_bytes())?;
        out.file("curves.csv", curves_csv.as_bytes())?;
        out.file("densities.csv", density_csv.as_bytes())?;
        for (name, svg) in bimodal_figures::figures(c, (grid, real), runs)? {
            out.file(name, svg.as_bytes())?;
        }
    }
    let (mm, vae_ms, ga) = (
        mean_and_sd(&mm_final),
        mean_and_sd(&vae_final),
        mean_and_sd(&gauss),
    );
    let doc = json!({
        "command": "maxent bimodal", "case": c.case.name(), "samples": c.case.samples(),
        "seeds": c.seeds, "epochs": c.epochs, "vae_epochs": vae_epochs, "walkers": c.walkers, "seed": global.seed,
        "minmaxent_final_kl": mm_final, "vae_final_kl": vae_final, "gaussian_kl": gauss,
        "minmaxent_best_kl": mm_best, "vae_best_kl": vae_best,
        "minmaxent_mean_sd": [mm.0, mm.1], "vae_mean_sd": [vae_ms.0, vae_ms.1], "gaussian_mean_sd": [ga.0, ga.1],
        "minmaxent_wins": wins,
    });
    out.json("bimodal.json", &doc)?;
    out.result(&text, &doc)
}
