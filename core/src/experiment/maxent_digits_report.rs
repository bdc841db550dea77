//! A digits run's outputs as text, CSV, JSON and SVG (feature `data`): the training curves, the
//! model entropy, walker grids and the score of generated digits — what `entropic maxent digits`
//! prints and writes, for any front end to write the same. Writing to a `String` cannot fail, so
//! the `fmt::Write` results below are discarded.
use super::{DigitsRow, DigitsScore, MaxentDigits};
#[cfg(feature = "plot")]
use crate::maxent::digits::PIXELS;
#[cfg(feature = "plot")]
use crate::plot::{self, PlotError, Scale, Series, Tile};
use alloc::string::{String, ToString};
#[cfg(feature = "plot")]
use alloc::vec;
#[cfg(feature = "plot")]
use alloc::vec::Vec;
use core::fmt::Write as _;

/// A finished [`MaxentDigits`] training run: its epochs, final χ² and model entropy, and the
/// score of its walkers as generated digits.
#[derive(Clone, Copy, Debug)]
pub struct DigitsTrainReport<'a> {
    run: &'a MaxentDigits,
    history: &'a [DigitsRow],
    score: &'a DigitsScore,
    /// Read by [`Self::json`] only.
    #[cfg_attr(not(feature = "serde"), allow(dead_code))]
    walkers: usize,
}

impl<'a> DigitsTrainReport<'a> {
    /// The report of a run of `run` with per-epoch `history`, whose `walkers` walkers scored
    /// `score`.
    pub fn new(
        run: &'a MaxentDigits,
        history: &'a [DigitsRow],
        score: &'a DigitsScore,
        walkers: usize,
    ) -> Self {
        Self {
            run,
            history,
            score,
            walkers,
        }
    }

    /// The run, its final χ², the score ([`DigitsScore::describe`]) and the last model
    /// entropy, if measured.
    pub fn text(&self) -> String {
        let c = self.run.config();
        let mut text = String::new();
        let _ = writeln!(
            text,
            "trained {} epochs on {} digits; final χ² = {:.3}",
            c.epochs,
            c.images,
            self.history.last().map_or(f64::NAN, |r| r.chi2)
        );
        text += &self.score.describe();
        if let Some((s, e)) = self.history.last().and_then(|r| r.entropy) {
            let _ = writeln!(
                text,
                "model entropy {s:.2} ± {e:.2} nats (uniform noise on [0,1]⁶⁴: 0)"
            );
        }
        text
    }

    /// `digits.json`: the settings, the final χ² and entropy, and the score.
    #[cfg(feature = "serde")]
    pub fn json(&self, seed: u64) -> serde_json::Value {
        let c = self.run.config();
        let last = self.history.last();
        serde_json::json!({
            "command": "maxent digits train", "seed": seed, "images": c.images,
            "epochs": c.epochs, "final_entropy": last.and_then(|r| r.entropy),
            "walkers": self.walkers, "final_chi2": last.map(|r| r.chi2),
            "config": c, "score": self.score.to_json(),
        })
    }
}

impl DigitsScore {
    /// The score as two text lines: the classifier's confidence and predicted classes, and the
    /// memorisation check's nearest-neighbour distances.
    pub fn describe(&self) -> String {
        let mut text = String::new();
        let _ = writeln!(
            text,
            "classifier confidence ≥ 0.9: {:.1}% of samples; predicted classes {:?}",
            100.0 * self.confident,
            self.histogram
        );
        let _ = writeln!(
            text,
            "memorisation check: mean nearest-neighbour distance of samples to the training digits {:.3}, to unseen digits {:.3}, paired difference {:.3} ± {:.3} (unseen digits to the training digits: {:.3})",
            self.to_training, self.to_unseen, self.gap.0, self.gap.1, self.unseen_to_training
        );
        text
    }

    /// The score as JSON, with descriptive keys.
    #[cfg(feature = "serde")]
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({"confident_fraction": self.confident, "class_histogram": self.histogram,
               "nn_distance_to_training": self.to_training, "nn_distance_to_unseen": self.to_unseen,
               "nn_distance_gap": self.gap.0, "nn_distance_gap_error": self.gap.1,
               "nn_distance_unseen_to_training": self.unseen_to_training})
    }
}

/// Image grid of the first `count` 8×8 images of `images` (10 per row, grey scale).
///
/// # Errors
/// [`PlotError`] if drawing fails.
#[cfg(feature = "plot")]
pub fn walker_grid(title: &str, images: &[f64], count: usize) -> Result<String, PlotError> {
    let rows: Vec<Vec<Tile>> = images
        .chunks_exact(PIXELS)
        .take(count)
        .collect::<Vec<_>>()
        .chunks(10)
        .map(|row| {
            row.iter()
                .map(|p| Tile {
                    title: String::new(),
                    pixels: p.to_vec(),
                    scale: Scale::Gray,
                })
                .collect()
        })
        .collect();
    plot::image_grid(title, &rows, 8)
}

/// The training history as CSV: per epoch χ², acceptance, |dS/dθ|, |λ| and, where estimated,
/// the model entropy with its error bar.
pub fn training_csv(history: &[DigitsRow]) -> String {
    let mut csv = String::from(
        "epoch,chi2,acceptance,theta_gradient_norm,lambda_norm,entropy,entropy_error\n",
    );
    for r in history {
        let (s, e) = r.entropy.map_or((String::new(), String::new()), |(s, e)| {
            (s.to_string(), e.to_string())
        });
        let _ = writeln!(
            csv,
            "{},{},{},{},{},{s},{e}",
            r.epoch, r.chi2, r.acceptance, r.theta_gradient_norm, r.lambda_norm
        );
    }
    csv
}

/// The figures of a finished run as (file name, SVG): the training curves (`training.svg`),
/// the model entropy where it was estimated (`entropy.svg`), the final walkers
/// (`samples.svg`) and the training digits (`training_digits.svg`), 40 of each.
///
/// # Errors
/// [`PlotError`] if drawing fails.
#[cfg(feature = "plot")]
pub fn training_figures(
    history: &[DigitsRow],
    samples: &[f64],
    data: &[f64],
) -> Result<Vec<(&'static str, String)>, PlotError> {
    let curve = |name: &'static str, f: &dyn Fn(&DigitsRow) -> f64| Series {
        name,
        points: history
            .iter()
            .map(|r| ((r.epoch + 1) as f64, f(r).max(1e-12).log10()))
            .collect(),
        errors: vec![],
    };
    let mut files = vec![(
        "training.svg",
        plot::line_chart(
            "Min-MaxEnt on 8×8 digits (log10)",
            "epoch",
            "log10",
            &[
                curve("χ²", &|r| r.chi2),
                curve("|dS/dθ|", &|r| r.theta_gradient_norm),
                curve("|λ|", &|r| r.lambda_norm),
            ],
        )?,
    )];
    let (points, errors): (Vec<(f64, f64)>, Vec<f64>) = history
        .iter()
        .filter_map(|r| r.entropy.map(|(s, e)| (((r.epoch + 1) as f64, s), e)))
        .unzip();
    if !points.is_empty() {
        files.push((
            "entropy.svg",
            plot::line_chart(
                "MaxEnt model entropy during training (TI from the uniform box)",
                "epoch",
                "S (nats; uniform on [0,1]⁶⁴ = 0)",
                &[Series {
                    name: "S = ln Z + ⟨λ·f⟩",
                    points,
                    errors,
                }],
            )?,
        ));
    }
    files.push((
        "samples.svg",
        walker_grid("Generated digits (final walkers)", samples, 40)?,
    ));
    files.push((
        "training_digits.svg",
        walker_grid("Training digits", data, 40)?,
    ));
    Ok(files)
}
