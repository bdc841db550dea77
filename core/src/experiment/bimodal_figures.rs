//! The figures of a [`MaxentBimodal`](super::MaxentBimodal) comparison as SVG documents
//! (feature `plot`): what `entropic maxent bimodal` writes beside its table (paper Fig. 2–4).
use super::{BimodalSeed, MaxentBimodalConfig};
use crate::maxent::IterationReport;
use crate::plot::{self, PlotError, Series};
use crate::stats::mean_and_sd;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

/// The figures of a bimodal comparison as (file name, SVG): KL against epoch for Min-MaxEnt,
/// the VAE and the mean + variance MaxEnt model (mean ± sd of log10 KL over the seeds,
/// `kl_vs_epoch.svg`), the first seed's densities against the real one on `grid`
/// (`densities.svg`), and its λ, |dS/dθ| and model entropy during training (`training.svg`,
/// Fig. 3b–d).
///
/// # Errors
/// [`PlotError`] if drawing fails.
pub fn figures(
    c: &MaxentBimodalConfig,
    (grid, real): (&[f64], &[f64]),
    runs: &[BimodalSeed],
) -> Result<Vec<(&'static str, String)>, PlotError> {
    let epochs = c.epochs;
    // Mean over seeds per epoch, log10, with the spread as error bars every few epochs.
    let curve = |name: &'static str, get: &dyn Fn(&BimodalSeed) -> &[f64]| {
        let epochs = get(&runs[0]).len();
        let stride = (epochs / 50).max(1);
        let mut points = Vec::new();
        let mut errors = Vec::new();
        for e in (0..epochs).step_by(stride) {
            let logs: Vec<f64> = runs.iter().map(|r| get(r)[e].max(1e-6).log10()).collect();
            let (m, s) = mean_and_sd(&logs);
            points.push(((e + 1) as f64, m));
            errors.push(s);
        }
        Series {
            name,
            points,
            errors,
        }
    };
    let gauss = mean_and_sd(
        &runs
            .iter()
            .map(|r| r.gaussian_kl.log10())
            .collect::<Vec<_>>(),
    )
    .0;
    let kl = [
        curve("Min-MaxEnt", &|r| &r.minmaxent_kl),
        curve("VAE", &|r| &r.vae_kl),
        Series {
            name: "mean+variance MaxEnt",
            points: vec![
                (1.0, gauss),
                (epochs.max(runs[0].vae_kl.len()) as f64, gauss),
            ],
            errors: vec![],
        },
    ];
    let mut files = vec![(
        "kl_vs_epoch.svg",
        plot::line_chart(
            &format!(
                "KL(real ‖ model), {} ({} seeds, mean ± sd of log10)",
                c.case.name(),
                runs.len()
            ),
            "epoch",
            "log10 KL (nats)",
            &kl,
        )?,
    )];
    let first = &runs[0];
    let dens = |name: &'static str, v: &[f64]| Series {
        name,
        points: grid.iter().copied().zip(v.iter().copied()).collect(),
        errors: vec![],
    };
    files.push((
        "densities.svg",
        plot::line_chart(
            &format!("Densities after training (seed {})", first.seed),
            "x",
            "p(x)",
            &[
                dens("Min-MaxEnt", &first.minmaxent_density),
                dens("VAE", &first.vae_density),
                dens("mean+variance MaxEnt", &first.gaussian_density),
                dens("real", real),
            ],
        )?,
    ));
    let per_epoch = |name: &'static str, f: &dyn Fn(&IterationReport) -> f64| Series {
        name,
        points: first
            .reports
            .iter()
            .map(|r| ((r.iteration + 1) as f64, f(r)))
            .collect(),
        errors: vec![],
    };
    files.push((
        "training.svg",
        plot::line_chart(
            &format!("Min-MaxEnt training, seed {} (Fig. 3b–d)", first.seed),
            "epoch",
            "value",
            &[
                per_epoch("λ₁", &|r| r.lambda[0]),
                per_epoch("λ₂", &|r| r.lambda[1]),
                per_epoch("|dS/dθ|", &|r| r.theta_gradient_norm),
                Series {
                    name: "model entropy S (nats, quadrature)",
                    points: first
                        .minmaxent_entropy
                        .iter()
                        .enumerate()
                        .map(|(e, &s)| ((e + 1) as f64, s))
                        .collect(),
                    errors: vec![],
                },
            ],
        )?,
    ));
    Ok(files)
}
