//! The outputs of biased generation on a trained digits model as text, CSV, JSON and SVG (feature
//! `data`) — what `entropic maxent digits sample` and `… discriminator` print and write: steering
//! (Eq. 22–23, Fig. 7) and the discriminator bias (Eq. 20–21, Fig. 6). Writing to a `String`
//! cannot fail, so the `fmt::Write` results below are discarded.
#[cfg(feature = "plot")]
use super::maxent_digits_report::walker_grid;
use super::{DigitsDiscriminator, DigitsSamples, DigitsSampling, DiscriminatorOutcome};
use crate::maxent::digits::PIXELS;
use crate::stats::mean_and_sd;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write as _;

/// Walkers shown in a sample grid.
#[cfg(feature = "plot")]
const GRID_IMAGES: usize = 40;

/// Bins of the discriminator-score histograms.
const SCORE_BINS: usize = 30;

/// The scoring classifier's verdict on the unbiased and the biased samples, and — when steering
/// to a digit — the fraction assigned to it before and after.
///
/// `discriminator` names the discriminator file used, if any (it is recorded in the JSON).
#[derive(Clone, Copy, Debug)]
pub struct DigitsSamplingReport<'a> {
    run: &'a DigitsSampling,
    result: &'a DigitsSamples,
    /// Read by [`Self::json`] only.
    #[cfg_attr(not(feature = "serde"), allow(dead_code))]
    discriminator: Option<&'a str>,
}

impl<'a> DigitsSamplingReport<'a> {
    /// The report of `result`, what `run` returned, with the discriminator named `discriminator`.
    pub fn new(
        run: &'a DigitsSampling,
        result: &'a DigitsSamples,
        discriminator: Option<&'a str>,
    ) -> Self {
        Self {
            run,
            result,
            discriminator,
        }
    }

    /// Fractions of the unbiased and of the biased samples the classifier assigns to the
    /// steering target, if steering.
    pub fn target_fractions(&self) -> Option<(f64, f64)> {
        let n = (self.result.samples.len() / PIXELS) as f64;
        let r = self.result;
        self.run.config().steer.map(|d| {
            (
                r.before.histogram[d] as f64 / n,
                r.after.histogram[d] as f64 / n,
            )
        })
    }

    /// The steering line (if steering), then the scores of the unbiased model and of the
    /// biased samples ([`DigitsScore::describe`](super::DigitsScore::describe), indented).
    pub fn text(&self) -> String {
        let c = self.run.config();
        let mut text = String::new();
        if let (Some(d), Some((before, after))) = (c.steer, self.target_fractions()) {
            let _ = writeln!(
                text,
                "steering to {d} (α = {}{}): scoring classifier assigns {:.1}% of samples to {d} (model without steering: {:.1}%)",
                c.alpha,
                if c.classifier_only {
                    ", classifier only"
                } else {
                    ""
                },
                100.0 * after,
                100.0 * before
            );
        }
        for (title, score) in [
            ("unbiased model:", &self.result.before),
            ("biased samples:", &self.result.after),
        ] {
            let _ = writeln!(text, "{title}");
            for line in score.describe().lines() {
                let _ = writeln!(text, "  {line}");
            }
        }
        text
    }

    /// `sample.json`: the settings, the target fractions and both scores.
    #[cfg(feature = "serde")]
    pub fn json(&self, seed: u64) -> serde_json::Value {
        let c = self.run.config();
        let fractions = self.target_fractions();
        serde_json::json!({
            "command": "maxent digits sample", "seed": seed, "steer": c.steer, "alpha": c.alpha,
            "classifier_only": c.classifier_only, "discriminator": self.discriminator,
            "sweeps": c.sweeps, "leapfrog": c.leapfrog,
            "target_fraction": fractions.map(|f| f.1),
            "target_fraction_unbiased": fractions.map(|f| f.0),
            "unbiased": self.result.before.to_json(), "biased": self.result.after.to_json(),
        })
    }

    /// `samples.svg` (the biased samples) and `unbiased.svg`, 40 walkers each.
    ///
    /// # Errors
    /// [`PlotError`](crate::plot::PlotError) if drawing fails.
    #[cfg(feature = "plot")]
    pub fn figures(&self) -> Result<[(&'static str, String); 2], crate::plot::PlotError> {
        let r = self.result;
        Ok([
            (
                "samples.svg",
                walker_grid("Biased generation", &r.samples, GRID_IMAGES)?,
            ),
            (
                "unbiased.svg",
                walker_grid("Unbiased model samples", &r.unbiased, GRID_IMAGES)?,
            ),
        ])
    }
}

/// One discriminator round in numbers: the mean score g and the fraction called "generated"
/// (g > 0) on the real digits, on H₀'s samples and on the biased samples.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RoundSummary {
    /// The round, from 0.
    pub round: usize,
    /// Mean g on the real digits.
    pub mean_g_real: f64,
    /// Mean g on the trained model's samples.
    pub mean_g_model: f64,
    /// Mean g on the samples of H₀ + α g.
    pub mean_g_biased: f64,
    /// Fraction of real digits with g > 0.
    pub generated_fraction_real: f64,
    /// Fraction of the model's samples with g > 0.
    pub generated_fraction_model: f64,
    /// Fraction of the biased samples with g > 0.
    pub generated_fraction_biased: f64,
}

/// Per round, how the discriminator scores real digits, the model's samples and the biased
/// samples ([`RoundSummary`]); the last round's score histograms (Fig. 6) and biased samples.
#[derive(Clone, Debug)]
pub struct DiscriminatorReport<'a> {
    /// Read by [`Self::json`] only.
    #[cfg_attr(not(feature = "serde"), allow(dead_code))]
    run: &'a DigitsDiscriminator,
    outcome: &'a DiscriminatorOutcome,
    rounds: Vec<RoundSummary>,
}

impl<'a> DiscriminatorReport<'a> {
    /// The report of `outcome`, what `run` returned.
    pub fn new(run: &'a DigitsDiscriminator, outcome: &'a DiscriminatorOutcome) -> Self {
        let mean = |v: &[f64]| mean_and_sd(v).0;
        let generated = |v: &[f64]| v.iter().filter(|&&g| g > 0.0).count() as f64 / v.len() as f64;
        let rounds = outcome
            .rounds
            .iter()
            .enumerate()
            .map(|(round, r)| RoundSummary {
                round,
                mean_g_real: mean(&r.g_real),
                mean_g_model: mean(&r.g_model),
                mean_g_biased: mean(&r.g_biased),
                generated_fraction_real: generated(&r.g_real),
                generated_fraction_model: generated(&r.g_model),
                generated_fraction_biased: generated(&r.g_biased),
            })
            .collect();
        Self {
            run,
            outcome,
            rounds,
        }
    }

    /// The rounds in numbers.
    pub fn rounds(&self) -> &[RoundSummary] {
        &self.rounds
    }

    /// One line per round: the mean g and the fractions called generated.
    pub fn text(&self) -> String {
        let mut text = String::new();
        for r in &self.rounds {
            let _ = writeln!(
                text,
                "round {}: mean g — real {:.2}, H₀ samples {:.2}, H₀ + α g samples {:.2}; called generated: real {:.1}%, H₀ {:.1}%, biased {:.1}%",
                r.round,
                r.mean_g_real,
                r.mean_g_model,
                r.mean_g_biased,
                100.0 * r.generated_fraction_real,
                100.0 * r.generated_fraction_model,
                100.0 * r.generated_fraction_biased
            );
        }
        text
    }

    /// `discriminator_rounds.json`: α and the rounds.
    #[cfg(feature = "serde")]
    pub fn json(&self, seed: u64) -> serde_json::Value {
        serde_json::json!({"command": "maxent digits discriminator", "seed": seed,
            "alpha": self.run.config().alpha, "rounds": self.rounds})
    }

    /// The last round's histograms of g on the real digits, H₀'s samples and the biased
    /// samples: 30 equal bins over the range of all three, as (series name, [(bin centre,
    /// fraction)]).
    pub fn score_histograms(&self) -> Vec<(&'static str, Vec<(f64, f64)>)> {
        let Some(last) = self.outcome.rounds.last() else {
            return Vec::new();
        };
        let series = [
            ("real digits", &last.g_real),
            ("Min-MaxEnt (H₀)", &last.g_model),
            ("biased (H₀ + α g)", &last.g_biased),
        ];
        let (lo, hi) = series
            .iter()
            .flat_map(|(_, v)| v.iter().copied())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            });
        let width = ((hi - lo) / SCORE_BINS as f64).max(1e-9);
        series
            .iter()
            .map(|(name, v)| {
                let mut counts = [0usize; SCORE_BINS];
                for &g in v.iter() {
                    counts[(((g - lo) / width) as usize).min(SCORE_BINS - 1)] += 1;
                }
                let points = counts
                    .iter()
                    .enumerate()
                    .map(|(b, &c)| (lo + width * (b as f64 + 0.5), c as f64 / v.len() as f64))
                    .collect();
                (*name, points)
            })
            .collect()
    }

    /// `scores.csv`: the [`Self::score_histograms`].
    pub fn scores_csv(&self) -> String {
        let mut csv = String::from("series,bin_centre,fraction\n");
        for (name, points) in self.score_histograms() {
            for (x, f) in points {
                let _ = writeln!(csv, "{name},{x},{f}");
            }
        }
        csv
    }

    /// `biased_samples.svg` (the last round's biased samples) and `scores.svg` (the score
    /// histograms, Fig. 6).
    ///
    /// # Errors
    /// [`PlotError`](crate::plot::PlotError) if drawing fails.
    #[cfg(feature = "plot")]
    pub fn figures(&self) -> Result<[(&'static str, String); 2], crate::plot::PlotError> {
        use crate::plot::{Series, line_chart};
        let series: Vec<Series<'_>> = self
            .score_histograms()
            .into_iter()
            .map(|(name, points)| Series {
                name,
                points,
                errors: alloc::vec![],
            })
            .collect();
        Ok([
            (
                "biased_samples.svg",
                walker_grid(
                    "Discriminator-biased generation",
                    &self.outcome.biased,
                    GRID_IMAGES,
                )?,
            ),
            (
                "scores.svg",
                line_chart(
                    "Discriminator score g (log-odds of 'generated'), last round (Fig. 6)",
                    "g(x)",
                    "fraction",
                    &series,
                )?,
            ),
        ])
    }
}
