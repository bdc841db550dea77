//! A latent-cycle run's outputs as text, CSV, JSON and SVG — what `entropic latent train` and
//! `latent report` print and write. Writing to a `String` cannot fail, so the `fmt::Write`
//! results below are discarded.
use super::{Diagnosis, EntropyProductions, EpochRow, LatentOutcome, LatentTrain};
use alloc::format;
use alloc::string::String;
use core::fmt::Write as _;

impl EntropyProductions {
    /// σ three ways on one line, each ± its jackknife error: hard counts (with the number of
    /// pairs seen one way left out, if any), Rao-Blackwellised, and the model's M (exact or
    /// sampled).
    pub fn describe(&self) -> String {
        let one_way = match self.counted.one_way_pairs {
            0 => String::new(),
            n => format!(", {n} pairs seen one way left out"),
        };
        format!(
            "hard counts {:.4} ± {:.4}{one_way}; Rao-Blackwellised {:.4} ± {:.4}; model's M {:.4} ± {:.4} ({})",
            self.counted.sigma.value,
            self.counted.sigma.std_error,
            self.rao_blackwell.value,
            self.rao_blackwell.std_error,
            self.model.sigma.value,
            self.model.sigma.std_error,
            if self.model.exact { "exact" } else { "sampled" }
        )
    }
}

impl Diagnosis {
    /// Two lines for a model after `epoch` epochs: log-likelihood, τ, mean diagonal and class
    /// KL, then σ ([`EntropyProductions::describe`]).
    pub fn summary(&self, epoch: usize) -> String {
        format!(
            "epoch {epoch}: log-likelihood {:.3} ± {:.3}, τ {:.2}, mean diagonal {:.4}, class KL {:.4}\nσ (nats/step): {}\n",
            self.ll.value,
            self.ll.std_error,
            self.dynamics.decorrelation_time,
            self.dynamics.mean_diagonal,
            self.balance.kl,
            self.sigma.describe()
        )
    }

    /// The diagnosis as JSON, with descriptive keys.
    #[cfg(feature = "serde")]
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "log_likelihood": self.ll.value,
            "log_likelihood_error": self.ll.std_error,
            "exact_tied_log_likelihood": self.tied_ll,
            "entropy_production": self.sigma,
            "decorrelation_time": self.dynamics.decorrelation_time,
            "second_eigenvalue": self.dynamics.second_eigenvalue,
            "mean_diagonal": self.dynamics.mean_diagonal,
            "occupancy": self.occupancy,
            "matrix": self.dynamics.matrix,
            "class_assignment": self.balance.assignment,
            "class_proportions": self.balance.generated,
            "class_kl": self.balance.kl,
            "latent_path": self.path,
        })
    }
}

/// A finished [`LatentTrain`] run: the final log-likelihood, σ, τ and class balance as text,
/// the per-epoch history as CSV, a JSON summary and the figures.
#[derive(Clone, Copy, Debug)]
pub struct LatentTrainReport<'a> {
    run: &'a LatentTrain,
    outcome: &'a LatentOutcome,
}

impl<'a> LatentTrainReport<'a> {
    /// The report of `outcome`, what `run` finished with.
    pub fn new(run: &'a LatentTrain, outcome: &'a LatentOutcome) -> Self {
        Self { run, outcome }
    }

    /// Six lines (five without the tied model's exact likelihood): the run, the
    /// log-likelihood, σ three ways, τ and the mean diagonal against 1/K, the class KL.
    pub fn text(&self) -> String {
        let (o, last) = (self.outcome, &self.outcome.last);
        let model = o.trainer.model();
        let mut text = String::new();
        let _ = writeln!(
            text,
            "latent-cycle model, {} epochs, L = {}, seed {}",
            o.trainer.params().epochs,
            model.hidden(),
            o.seed
        );
        let _ = writeln!(
            text,
            "log-likelihood     {:.3} ± {:.3} nats/image (occupancy of {} chain steps)",
            last.ll.value,
            last.ll.std_error,
            self.run.config().final_steps
        );
        if let Some(t) = last.tied_ll {
            let _ = writeln!(text, "exact (tied)       {t:.3} nats/image");
        }
        let _ = writeln!(
            text,
            "entropy production (nats/step): {}",
            last.sigma.describe()
        );
        let _ = writeln!(
            text,
            "decorrelation time {:.2} steps, mean diagonal {:.4} (1/K = {:.4}, K latent states)",
            last.dynamics.decorrelation_time,
            last.dynamics.mean_diagonal,
            1.0 / model.states() as f64
        );
        let _ = writeln!(
            text,
            "class KL           {:.4} nats (digits per hidden state {:?})",
            last.balance.kl, last.balance.assignment
        );
        text
    }

    /// `history.csv`: [`EpochRow::CSV_HEADER`] and one row per epoch.
    pub fn history_csv(&self) -> String {
        let mut csv = format!("{}\n", EpochRow::CSV_HEADER);
        for row in &self.outcome.history {
            let _ = writeln!(csv, "{}", row.csv_row());
        }
        csv
    }

    /// `summary.json`: seed, training parameters, settings, the image count and the nearest-
    /// centroid classifier's accuracy on them, the final diagnosis and the last epoch's row.
    #[cfg(feature = "serde")]
    pub fn json(&self) -> serde_json::Value {
        let (o, images) = (self.outcome, self.run.images());
        serde_json::json!({
            "seed": o.seed,
            "params": o.trainer.params(),
            "config": self.run.config(),
            "images": images.data.len(),
            "classifier_accuracy": images.classifier.accuracy(&images.data, &images.labels),
            "final": o.last.to_json(),
            "last_epoch": o.history.last(),
        })
    }

    /// The training curves ([`super::latent_figures::run_curves`]) and the model's figures
    /// ([`super::latent_figures::model_figures`]) as (file name, SVG).
    ///
    /// # Errors
    /// [`PlotError`](crate::plot::PlotError) if drawing fails.
    #[cfg(all(feature = "plot", feature = "data"))]
    pub fn figures(&self) -> Result<alloc::vec::Vec<(String, String)>, crate::plot::PlotError> {
        use super::latent_figures::{model_figures, run_curves};
        let o = self.outcome;
        let sigma = o.last.sigma.model.sigma.value;
        let mut files = run_curves("", &[(&o.history, sigma)])?;
        files.extend(model_figures("", &o.trainer, &o.last, o.seed)?);
        Ok(files)
    }
}
