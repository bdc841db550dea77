//! The digit classifier's held-out evaluation and training curve as text, CSV, JSON and SVG —
//! what `entropic nn classify-digits` and `nn evaluate-digits` print and write. Writing to a
//! `String` cannot fail, so the `fmt::Write` results below are discarded.
use crate::nn::classifier::ClassifierParams;
use alloc::format;
use alloc::string::String;
use core::fmt::Write as _;

/// Held-out accuracy and confusion matrix of a [`DigitClassifier`](crate::nn::classifier::DigitClassifier),
/// with its training (settings and loss per epoch) when it was trained here.
///
/// # Examples
/// ```
/// use entropic::experiment::DigitClassifierReport;
/// let mut confusion = [[0u32; 10]; 10];
/// confusion[3][3] = 9;
/// confusion[3][8] = 1;
/// let report = DigitClassifierReport::new(0.9, &confusion);
/// assert!(report.text().starts_with("held-out accuracy 90.00% (10 images)"));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct DigitClassifierReport<'a> {
    accuracy: f64,
    confusion: &'a [[u32; 10]; 10],
    training: Option<Training<'a>>,
}

/// How the classifier was trained here: the settings, the seed and the loss per epoch.
#[derive(Clone, Copy, Debug)]
struct Training<'a> {
    params: ClassifierParams,
    seed: u64,
    losses: &'a [f32],
}

impl<'a> DigitClassifierReport<'a> {
    /// The report of an evaluation: `accuracy` and `confusion` (rows: true digit, columns:
    /// predicted).
    pub fn new(accuracy: f64, confusion: &'a [[u32; 10]; 10]) -> Self {
        Self {
            accuracy,
            confusion,
            training: None,
        }
    }

    /// With the training that produced the classifier: its settings, the seed of its random
    /// numbers and the training loss after each epoch.
    pub fn with_training(self, params: ClassifierParams, seed: u64, losses: &'a [f32]) -> Self {
        Self {
            training: Some(Training {
                params,
                seed,
                losses,
            }),
            ..self
        }
    }

    /// The epochs, seed and final training loss (if trained here), the accuracy and the confusion matrix.
    pub fn text(&self) -> String {
        let mut text = String::new();
        if let Some(t) = self.training {
            let _ = writeln!(
                text,
                "trained {} epochs from seed {} (final training loss {:.4})",
                t.params.epochs,
                t.seed,
                t.losses.last().copied().unwrap_or(f32::NAN)
            );
        }
        let _ = writeln!(
            text,
            "held-out accuracy {:.2}% ({} images)",
            100.0 * self.accuracy,
            self.confusion.iter().flatten().sum::<u32>()
        );
        let _ = writeln!(text, "confusion (rows: true digit, columns: predicted)");
        let header: String = (0..10).map(|c| format!("{c:>4}")).collect();
        let _ = writeln!(text, "     {header}");
        for (d, row) in self.confusion.iter().enumerate() {
            let cells: String = row.iter().map(|v| format!("{v:>4}")).collect();
            let _ = writeln!(text, "  {d}: {cells}");
        }
        text
    }

    /// `loss.csv`: the training loss per epoch (a header only if not trained here).
    pub fn loss_csv(&self) -> String {
        let mut csv = String::from("epoch,loss\n");
        for (e, l) in self
            .training
            .iter()
            .flat_map(|t| t.losses.iter().enumerate())
        {
            let _ = writeln!(csv, "{e},{l}");
        }
        csv
    }

    /// The command's JSON document: `command`, and with training also the seed, the settings
    /// and the loss curve.
    #[cfg(feature = "serde")]
    pub fn json(&self, command: &str) -> serde_json::Value {
        match self.training {
            Some(Training {
                params: p,
                seed,
                losses,
            }) => serde_json::json!({
                "command": command, "seed": seed, "epochs": p.epochs, "batch": p.batch,
                "learning_rate": p.learning_rate, "held_out_accuracy": self.accuracy,
                "confusion": self.confusion, "training_loss": losses,
            }),
            None => serde_json::json!({
                "command": command, "held_out_accuracy": self.accuracy,
                "confusion": self.confusion,
            }),
        }
    }

    /// `loss.svg`: the training loss against epoch.
    ///
    /// # Errors
    /// [`PlotError`](crate::plot::PlotError) if drawing fails.
    #[cfg(feature = "plot")]
    pub fn loss_svg(&self) -> Result<String, crate::plot::PlotError> {
        use crate::plot::{Series, line_chart};
        let points = self
            .training
            .iter()
            .flat_map(|t| t.losses.iter().enumerate())
            .map(|(e, &l)| (e as f64, f64::from(l)))
            .collect();
        line_chart(
            "Digit classifier training",
            "epoch",
            "cross-entropy",
            &[Series {
                name: "training loss",
                points,
                errors: alloc::vec![],
            }],
        )
    }
}
