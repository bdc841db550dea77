//! The latent-cycle paper's figures as SVG documents (features `plot` and `data`): training
//! curves coloured by final σ (Fig. 2a-b) and the anatomy of one model (Fig. 3: weights,
//! occupancy, M, a generated sequence). Each function returns (file name, SVG) pairs.
use super::{Diagnosis, EpochRow};
use crate::data::Mnist012;
use crate::latent::Trainer;
use crate::plot::{self, PlotError, Scale, Tile};
use crate::rng::from_seed;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// Colour positions in [0, 1] for values on a log scale (non-positive values at 0).
fn log_positions(values: &[f64]) -> Vec<f64> {
    let logs: Vec<f64> = values
        .iter()
        .map(|&v| if v > 0.0 { libm::log(v) } else { f64::NAN })
        .collect();
    let (lo, hi) = logs
        .iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    logs.iter()
        .map(|&v| {
            if !v.is_finite() {
                0.0
            } else if hi > lo {
                (v - lo) / (hi - lo)
            } else {
                0.5
            }
        })
        .collect()
}

/// Log-likelihood and σ against epoch for every run, coloured by the final σ (Fig. 2a-b).
///
/// `runs` holds each run's history and final σ.
pub fn run_curves(
    prefix: &str,
    runs: &[(&[EpochRow], f64)],
) -> Result<Vec<(String, String)>, PlotError> {
    let mut files = Vec::new();
    let colour = log_positions(&runs.iter().map(|r| r.1).collect::<Vec<_>>());
    let curves = |f: &dyn Fn(&EpochRow) -> f64| -> Vec<(Vec<(f64, f64)>, f64)> {
        runs.iter()
            .zip(&colour)
            .map(|(r, &c)| {
                (
                    r.0.iter().map(|h| ((h.epoch + 1) as f64, f(h))).collect(),
                    c,
                )
            })
            .collect()
    };
    let svg = plot::colored_lines(
        "Log-likelihood during training (Fig. 2a)",
        "epoch",
        "ln p(x), nats per image",
        "final σ, log scale, blue low → red high",
        &curves(&|h| h.ll),
    )?;
    files.push((format!("{prefix}log_likelihood.svg"), svg));
    let svg = plot::colored_lines(
        "Entropy production of the model's M during training (Fig. 2b)",
        "epoch",
        "σ, nats per step",
        "final σ, log scale",
        &curves(&|h| h.sigma_model),
    )?;
    files.push((format!("{prefix}entropy_production.svg"), svg));
    Ok(files)
}

/// Fig. 3 for one model: w and w̄ per hidden unit with occupancies, the matrix M, and a generated
/// sequence (mean images ⟨x(t)⟩_{z(t−1)} and samples x(t)). One-hot models only show units;
/// binary models show the first 16 states' mean images.
pub fn model_figures(
    prefix: &str,
    trainer: &Trainer,
    d: &Diagnosis,
    seed: u64,
) -> Result<Vec<(String, String)>, PlotError> {
    let mut files = Vec::new();
    let model = trainer.model();
    let (side, px, l) = (Mnist012::SIDE, Mnist012::PIXELS, model.hidden());
    let cond = model.conditionals();
    let digits = |k: usize| d.balance.assignment[k];
    let w_row: Vec<Tile> = (0..l)
        .map(|b| Tile {
            title: if model.encoding().is_one_hot() {
                format!("w_{b}, p̄={:.2}", d.occupancy[b])
            } else {
                format!("w_{b}")
            },
            pixels: (0..px).map(|i| model.w()[i * l + b]).collect(),
            scale: Scale::Diverging,
        })
        .collect();
    let wbar_row: Vec<Tile> = (0..l)
        .map(|b| Tile {
            title: format!("w̄_{b}, ā={:.2}", model.abar()[b]),
            pixels: model.wbar()[b * px..(b + 1) * px].to_vec(),
            scale: Scale::Diverging,
        })
        .collect();
    let mean_row: Vec<Tile> = (0..model.states().min(16))
        .map(|k| Tile {
            title: format!("σ(h_{k}) → {}, p̄={:.2}", digits(k), d.occupancy[k]),
            pixels: cond.mean(k).to_vec(),
            scale: Scale::Gray,
        })
        .collect();
    let svg = plot::image_grid(
        &format!(
            "Weights (red +, blue −) and mean images; σ = {:.3}, ln p = {:.2}, KL = {:.3}",
            d.dynamics.entropy_production, d.ll.value, d.balance.kl
        ),
        &[w_row, wbar_row, mean_row],
        side,
    )?;
    files.push((format!("{prefix}weights.svg"), svg));
    let svg = plot::heat_map(
        "Latent transition matrix M (row z' → column z)",
        "z'",
        &d.dynamics.matrix,
        model.states(),
    )?;
    files.push((format!("{prefix}matrix.svg"), svg));
    // A generated sequence: chain 0 of a copy of the chains, 13 double steps, from its own
    // generator, independent of the training and diagnostic streams.
    let steps = 13;
    let generated = trainer.generate(steps, &mut from_seed(seed ^ 0x5EC0_E9CE_0F1A_7E57));
    let visits: Vec<(&[f64], usize)> = generated
        .x
        .chunks(px)
        .zip(&generated.states)
        .take(steps)
        .map(|(x, &z)| (x, z))
        .collect();
    let means: Vec<Tile> = visits
        .windows(2)
        .map(|w| Tile {
            title: format!("z={}", w[0].1),
            pixels: cond.mean(w[0].1).to_vec(),
            scale: Scale::Gray,
        })
        .collect();
    let samples: Vec<Tile> = visits
        .iter()
        .skip(1)
        .enumerate()
        .map(|(t, (x, _))| Tile {
            title: format!("x({})", t + 1),
            pixels: x.to_vec(),
            scale: Scale::Gray,
        })
        .collect();
    let svg = plot::image_grid(
        "Generated sequence: ⟨x(t)⟩ given z(t−1) (top) and sampled x(t) (bottom)",
        &[means, samples],
        side,
    )?;
    files.push((format!("{prefix}sequence.svg"), svg));
    Ok(files)
}
