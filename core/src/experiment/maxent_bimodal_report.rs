//! A [`MaxentBimodal`] run's outputs as text, CSV, JSON and SVG — what `entropic maxent bimodal`
//! prints and writes (1D bimodal data, Min-MaxEnt vs VAE vs mean + variance MaxEnt; paper
//! Sec. I.2, Fig. 3–4). Writing to a `String` cannot fail, so the `fmt::Write` results below are
//! discarded.
use super::{BimodalResult, BimodalSeed, MaxentBimodal};
use crate::stats::mean_and_sd;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::Write as _;

/// KL(real ‖ model) per seed for Min-MaxEnt, the VAE and the mean + variance MaxEnt model —
/// final and best epoch, mean ± sd over seeds, and how often Min-MaxEnt wins — with the
/// learning curves and the first seed's densities.
///
/// # Examples
/// ```
/// use entropic::experiment::{MaxentBimodal, MaxentBimodalConfig, MaxentBimodalReport, Sequential};
/// let config = MaxentBimodalConfig { seeds: 2, epochs: 3, walkers: 100, ..MaxentBimodalConfig::default() };
/// let run = MaxentBimodal::new(config)?;
/// let result = run.run(1, &Sequential)?;
/// let report = MaxentBimodalReport::new(&run, &result);
/// assert!(report.text().contains("Min-MaxEnt has the lower final KL in"));
/// let [(_, summary), _, _] = report.tables();
/// assert_eq!(summary.lines().count(), 1 + 2);
/// # Ok::<(), entropic::experiment::ExperimentError>(())
/// ```
#[derive(Clone, Debug)]
pub struct MaxentBimodalReport<'a> {
    run: &'a MaxentBimodal,
    result: &'a BimodalResult,
    /// Per seed: Min-MaxEnt's final and best KL, the VAE's final and best, the Gaussian's.
    minmaxent_final: Vec<f64>,
    minmaxent_best: Vec<f64>,
    vae_final: Vec<f64>,
    vae_best: Vec<f64>,
    gaussian: Vec<f64>,
}

/// The last value of a curve (NaN if empty).
fn last(v: &[f64]) -> f64 {
    v.last().copied().unwrap_or(f64::NAN)
}

/// The smallest value of a curve (+∞ if empty).
fn best(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::INFINITY, f64::min)
}

impl<'a> MaxentBimodalReport<'a> {
    /// The report of `result`, what `run` returned.
    pub fn new(run: &'a MaxentBimodal, result: &'a BimodalResult) -> Self {
        let per_seed = |f: &dyn Fn(&BimodalSeed) -> f64| result.seeds.iter().map(f).collect();
        Self {
            run,
            result,
            minmaxent_final: per_seed(&|r| last(&r.minmaxent_kl)),
            minmaxent_best: per_seed(&|r| best(&r.minmaxent_kl)),
            vae_final: per_seed(&|r| last(&r.vae_kl)),
            vae_best: per_seed(&|r| best(&r.vae_kl)),
            gaussian: per_seed(&|r| r.gaussian_kl),
        }
    }

    /// Seeds where Min-MaxEnt's final KL is below the VAE's.
    pub fn minmaxent_wins(&self) -> usize {
        self.minmaxent_final
            .iter()
            .zip(&self.vae_final)
            .filter(|(a, b)| a < b)
            .count()
    }

    /// The table: final (and best-epoch) KL, mean ± sd over seeds, per model, and the wins.
    pub fn text(&self) -> String {
        let c = self.run.config();
        let mut text = String::new();
        let _ = writeln!(
            text,
            "{} ({} samples, {} seeds, {} Min-MaxEnt / {} VAE epochs): KL(real ‖ model), nats, mean ± sd over seeds",
            c.case.name(),
            c.case.samples(),
            c.seeds,
            c.epochs,
            self.run.vae_epochs()
        );
        for (name, fin, bst) in [
            (
                "Min-MaxEnt",
                &self.minmaxent_final,
                Some(&self.minmaxent_best),
            ),
            ("VAE", &self.vae_final, Some(&self.vae_best)),
            ("mean+variance MaxEnt", &self.gaussian, None),
        ] {
            let (m, s) = mean_and_sd(fin);
            let _ = write!(text, "  {name:<22} final {m:.4} ± {s:.4}");
            if let Some(b) = bst {
                let (bm, bs) = mean_and_sd(b);
                let _ = write!(text, "   best epoch {bm:.4} ± {bs:.4}");
            }
            let _ = writeln!(text);
        }
        let _ = writeln!(
            text,
            "  Min-MaxEnt has the lower final KL in {} of {} seeds",
            self.minmaxent_wins(),
            c.seeds
        );
        text
    }

    /// `summary.csv` (final and best KL per seed), `curves.csv` (KL, entropy, χ², λ and
    /// |dS/dθ| per seed and epoch; empty cells past a model's last epoch) and `densities.csv`
    /// (the first seed's densities on the grid), as (file name, CSV).
    pub fn tables(&self) -> [(&'static str, String); 3] {
        let c = self.run.config();
        let case = c.case.name();
        let mut summary =
            String::from("case,seed,minmaxent_final,minmaxent_best,vae_final,vae_best,gaussian\n");
        let mut curves = String::from(
            "case,seed,epoch,minmaxent_kl,minmaxent_entropy,vae_kl,chi2,lambda1,lambda2,theta_gradient_norm\n",
        );
        let cell = |v: Option<f64>| v.map_or(String::new(), |x| x.to_string());
        for (k, r) in self.result.seeds.iter().enumerate() {
            let _ = writeln!(
                summary,
                "{case},{},{},{},{},{},{}",
                r.seed,
                self.minmaxent_final[k],
                self.minmaxent_best[k],
                self.vae_final[k],
                self.vae_best[k],
                r.gaussian_kl
            );
            for e in 0..c.epochs.max(self.run.vae_epochs()) {
                let rep = r.reports.get(e);
                let _ = writeln!(
                    curves,
                    "{case},{},{e},{},{},{},{},{},{},{}",
                    r.seed,
                    cell(r.minmaxent_kl.get(e).copied()),
                    cell(r.minmaxent_entropy.get(e).copied()),
                    cell(r.vae_kl.get(e).copied()),
                    cell(rep.map(|x| x.chi2)),
                    cell(rep.map(|x| x.lambda[0])),
                    cell(rep.map(|x| x.lambda[1])),
                    cell(rep.map(|x| x.theta_gradient_norm))
                );
            }
        }
        let mut densities = String::from("x,real,minmaxent,vae,gaussian\n");
        if let Some(first) = self.result.seeds.first() {
            for (k, &x) in self.result.grid.iter().enumerate() {
                let _ = writeln!(
                    densities,
                    "{x},{},{},{},{}",
                    self.result.real[k],
                    first.minmaxent_density[k],
                    first.vae_density[k],
                    first.gaussian_density[k]
                );
            }
        }
        [
            ("summary.csv", summary),
            ("curves.csv", curves),
            ("densities.csv", densities),
        ]
    }

    /// `bimodal.json`: the settings, every seed's final and best KL, their mean and sd, and
    /// the wins.
    #[cfg(feature = "serde")]
    pub fn json(&self, seed: u64) -> serde_json::Value {
        let c = self.run.config();
        let (mm, vae, ga) = (
            mean_and_sd(&self.minmaxent_final),
            mean_and_sd(&self.vae_final),
            mean_and_sd(&self.gaussian),
        );
        serde_json::json!({
            "command": "maxent bimodal", "case": c.case.name(), "samples": c.case.samples(),
            "seeds": c.seeds, "epochs": c.epochs, "vae_epochs": self.run.vae_epochs(),
            "walkers": c.walkers, "seed": seed,
            "minmaxent_final_kl": self.minmaxent_final, "vae_final_kl": self.vae_final,
            "gaussian_kl": self.gaussian,
            "minmaxent_best_kl": self.minmaxent_best, "vae_best_kl": self.vae_best,
            "minmaxent_mean_sd": [mm.0, mm.1], "vae_mean_sd": [vae.0, vae.1],
            "gaussian_mean_sd": [ga.0, ga.1],
            "minmaxent_wins": self.minmaxent_wins(),
        })
    }

    /// The figures ([`super::bimodal_figures::figures`]) as (file name, SVG).
    ///
    /// # Errors
    /// [`PlotError`](crate::plot::PlotError) if drawing fails.
    #[cfg(feature = "plot")]
    pub fn figures(&self) -> Result<Vec<(&'static str, String)>, crate::plot::PlotError> {
        let r = self.result;
        super::bimodal_figures::figures(self.run.config(), (&r.grid, &r.real), &r.seeds)
    }
}
