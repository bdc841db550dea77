//! `entropic nn …`: the network toolkit's commands.
use crate::Global;
use crate::output::Output;
use crate::progress::Progress;
use anyhow::{Context, Result, bail};
use entropic::experiment::DigitClassifierReport;
use entropic::model::Observer;
use entropic::nn::classifier::{ClassifierParams, DigitClassifier, EpochReport};
use entropic::nn::{Network, io};
use std::path::PathBuf;

/// Network commands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Train the small CNN digit classifier on the embedded 8×8 digits and save it.
    ///
    /// Trains on the fixed training split (sample i with i mod 5 ≠ 4) with Adam, reports the
    /// held-out accuracy and confusion matrix, and writes classifier.json (a versioned saved
    /// network later commands use to score generated digits), metrics.json, loss.csv and
    /// loss.svg into --out.
    ///
    /// Example: entropic nn classify-digits --out out/classifier
    ClassifyDigits(TrainArgs),
    /// Load a saved digit classifier and report its held-out accuracy.
    ///
    /// Example: entropic nn evaluate-digits --classifier out/classifier/classifier.json
    EvaluateDigits(EvaluateArgs),
}

/// Options of `entropic nn classify-digits`.
#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// Passes over the training split.
    #[arg(long, default_value_t = ClassifierParams::default().epochs)]
    epochs: usize,
    /// Minibatch size.
    #[arg(long, default_value_t = ClassifierParams::default().batch)]
    batch: usize,
    /// Adam learning rate.
    #[arg(long, default_value_t = ClassifierParams::default().learning_rate)]
    learning_rate: f32,
}

/// Options of `entropic nn evaluate-digits`.
#[derive(Debug, clap::Args)]
pub struct EvaluateArgs {
    /// A classifier.json written by classify-digits.
    #[arg(long, value_name = "FILE")]
    classifier: PathBuf,
}

struct Curve<'a> {
    losses: Vec<f32>,
    progress: &'a Progress,
}

impl Observer<EpochReport> for Curve<'_> {
    fn on_step(&mut self, _epoch: usize, report: &EpochReport) {
        self.losses.push(report.loss);
        self.progress.tick();
    }
}

pub fn run(command: &Command, global: &Global, out: &mut Output<'_>) -> Result<()> {
    match command {
        Command::ClassifyDigits(args) => train(args, global, out),
        Command::EvaluateDigits(args) => evaluate(args, out),
    }
}

fn train(args: &TrainArgs, global: &Global, out: &mut Output<'_>) -> Result<()> {
    if !out.keeps_files() {
        bail!("classify-digits saves the classifier: give --out DIR");
    }
    let params = ClassifierParams {
        epochs: args.epochs,
        batch: args.batch,
        learning_rate: args.learning_rate,
    };
    params.check()?;
    let progress = Progress::new(params.epochs as u64, "epochs", global.quiet);
    let mut curve = Curve {
        losses: Vec::new(),
        progress: &progress,
    };
    let classifier = DigitClassifier::train(
        params,
        &mut entropic::rng::from_seed(global.seed),
        &mut curve,
    )?;
    progress.finish();
    let (accuracy, confusion) = classifier.evaluate_held_out()?;
    let report = DigitClassifierReport::new(accuracy, &confusion).with_training(
        params,
        global.seed,
        &curve.losses,
    );
    out.file("classifier.json", &io::to_json(classifier.network())?)?;
    out.file("loss.csv", report.loss_csv().as_bytes())?;
    out.file("loss.svg", report.loss_svg()?.as_bytes())?;
    let doc = report.json("nn classify-digits");
    out.json("metrics.json", &doc)?;
    out.result(&report.text(), &doc)
}

fn evaluate(args: &EvaluateArgs, out: &mut Output<'_>) -> Result<()> {
    let bytes = std::fs::read(&args.classifier)
        .with_context(|| format!("cannot read {}", args.classifier.display()))?;
    let network: Network<f32> =
        io::from_json(&bytes).with_context(|| format!("{}", args.classifier.display()))?;
    let classifier = DigitClassifier::from_network(network)?;
    let (accuracy, confusion) = classifier.evaluate_held_out()?;
    let report = DigitClassifierReport::new(accuracy, &confusion);
    out.result(&report.text(), &report.json("nn evaluate-digits"))
}
