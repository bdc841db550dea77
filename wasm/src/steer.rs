//! [`SteerDemo`]: a trained Min-MaxEnt digits model (a `maxent digits train` checkpoint)
//! generating 8×8 digits, steered toward a chosen digit by a classifier's bias without
//! retraining (paper Eq. 22–23, Fig. 7), and scored by an independent classifier.
use entropic::experiment::{
    BiasedChain, BiasedEnergy, ClassifierRole, DigitsCheckpoint, DigitsSampling,
    DigitsSamplingConfig, DigitsScorer, DigitsTrainer, ExperimentError, trained_classifier,
};
use entropic::maxent::Walkers;
use entropic::nn::classifier::DigitClassifier;
use wasm_bindgen::prelude::*;

/// A loaded digits model with a few of its walkers sampling H₀ + H′ (Eq. 23).
#[wasm_bindgen]
#[derive(Debug)]
pub struct SteerDemo {
    trainer: DigitsTrainer,
    images: usize,
    start: Walkers,
    sampling: DigitsSamplingConfig,
    seed: u64,
    chain: BiasedChain,
    energy: BiasedEnergy,
    steering: Option<DigitClassifier>,
    scorer: Option<DigitsScorer>,
}

impl SteerDemo {
    /// Load the `checkpoint.json` of `entropic maxent digits train` and start its first
    /// `walkers` walkers (samples of H₀) on the unbiased model. `sweeps` and `leapfrog` are
    /// [`DigitsSamplingConfig`]'s (the chain's budget per target and its moves); the
    /// classifiers are those of [`DigitsSampling`] with `seed`.
    ///
    /// # Errors
    /// [`ExperimentError::Checkpoint`] for bytes that are not a digits checkpoint;
    /// [`ExperimentError::Config`] for a walker count outside 1 to the model's walkers or
    /// settings [`DigitsSampling::new`] refuses.
    pub fn try_new(
        checkpoint: &[u8],
        walkers: usize,
        sweeps: usize,
        leapfrog: usize,
        seed: u64,
    ) -> Result<Self, ExperimentError> {
        let sampling = DigitsSampling::new(DigitsSamplingConfig {
            sweeps,
            leapfrog,
            ..DigitsSamplingConfig::default()
        })?
        .config()
        .clone();
        let (c, trainer) = DigitsCheckpoint::read(checkpoint)?;
        let available = trainer.walkers().len();
        if walkers == 0 || walkers > available {
            return Err(ExperimentError::config(
                "walkers",
                format!("must be 1 to the model's {available}, got {walkers}"),
            ));
        }
        let start = trainer.walkers().first(walkers);
        let chain = BiasedChain::new(start.clone(), leapfrog, sweeps, seed)?;
        Ok(Self {
            trainer,
            images: c.images,
            start,
            sampling,
            seed,
            chain,
            energy: BiasedEnergy::model(),
            steering: None,
            scorer: None,
        })
    }

    /// Restart the walkers from the model's samples under H₀ steered toward `digit` (0–9) with
    /// strength `alpha`, or under H₀ alone for `None`. The steering classifier is trained on
    /// first use.
    ///
    /// # Errors
    /// [`ExperimentError::Config`] for a digit above 9 or a strength that is not finite and
    /// ≥ 0; the classifier's training errors.
    pub fn try_target(&mut self, digit: Option<usize>, alpha: f64) -> Result<(), ExperimentError> {
        let sampling = DigitsSampling::new(DigitsSamplingConfig {
            steer: digit,
            alpha,
            ..self.sampling.clone()
        })?
        .config()
        .clone();
        self.energy = match digit {
            None => BiasedEnergy::model(),
            Some(d) => {
                let classifier = match self.steering.take() {
                    Some(c) => c,
                    None => trained_classifier(self.seed, ClassifierRole::Steering)?,
                };
                self.steering = Some(classifier.clone());
                BiasedEnergy::model().steered(classifier, d, sampling.alpha)?
            }
        };
        self.sampling = sampling;
        self.chain = BiasedChain::new(
            self.start.clone(),
            self.sampling.leapfrog,
            self.sampling.sweeps,
            self.seed,
        )?;
        Ok(())
    }

    /// Up to `sweeps` more sweeps (never past the budget); returns the last acceptance (NaN if
    /// none ran).
    ///
    /// # Errors
    /// The energy's ([`BiasedChain::sweep`]).
    pub fn try_sweep(&mut self, sweeps: usize) -> Result<f64, ExperimentError> {
        let mut acceptance = f64::NAN;
        for _ in 0..sweeps.min(self.sampling.sweeps - self.chain.sweeps()) {
            acceptance = self.chain.sweep(&mut self.energy, &mut self.trainer)?;
        }
        Ok(acceptance)
    }

    /// The scoring classifier's top class per image, and the fraction it labels with
    /// confidence ≥ 0.9: [count of class 0, …, count of class 9, confident fraction]. The
    /// scoring classifier (not the steering one) is trained on first use.
    ///
    /// # Errors
    /// The classifier's training errors.
    pub fn try_score(&mut self) -> Result<Vec<f64>, ExperimentError> {
        let scorer = match &mut self.scorer {
            Some(s) => s,
            None => self
                .scorer
                .insert(DigitsScorer::new(self.images, self.seed)?),
        };
        let score = scorer.score(self.chain.positions())?;
        let mut out: Vec<f64> = score.histogram.iter().map(|&n| n as f64).collect();
        out.push(score.confident);
        Ok(out)
    }
}

#[wasm_bindgen]
impl SteerDemo {
    /// Load a checkpoint; throws a readable message for a corrupt or foreign file or bad
    /// settings.
    #[wasm_bindgen(constructor)]
    pub fn new(
        checkpoint: &[u8],
        walkers: usize,
        sweeps: usize,
        leapfrog: usize,
        seed: u64,
    ) -> Result<SteerDemo, JsError> {
        Self::try_new(checkpoint, walkers, sweeps, leapfrog, seed).map_err(|e| match e {
            ExperimentError::Checkpoint(_) => JsError::new(&format!("the model file {e}")),
            e => JsError::new(&e.to_string()),
        })
    }

    /// Steer toward `digit` (0–9) with strength `alpha`, or sample the model alone for a
    /// negative digit; restarts the walkers from the model's samples. Throws for a digit above
    /// 9 or a strength that is not finite and ≥ 0.
    pub fn target(&mut self, digit: i32, alpha: f64) -> Result<(), JsError> {
        let digit = usize::try_from(digit).ok();
        self.try_target(digit, alpha)
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// Run up to `sweeps` more sweeps; returns the last acceptance. Throws if sampling failed.
    pub fn step(&mut self, sweeps: usize) -> Result<f64, JsError> {
        self.try_sweep(sweeps)
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// [sweeps done, sweep budget, target digit (−1 for none), α of the last steer].
    pub fn state(&self) -> Vec<f64> {
        vec![
            self.chain.sweeps() as f64,
            self.sampling.sweeps as f64,
            self.sampling.steer.map_or(-1.0, |d| d as f64),
            self.sampling.alpha,
        ]
    }

    /// The walkers' images, 64 pixels in [0, 1] each (row-major 8 × 8).
    pub fn images(&self) -> Vec<f64> {
        self.chain.positions().to_vec()
    }

    /// [count of class 0, …, count of class 9, confident fraction] by the scoring classifier;
    /// throws if its training failed.
    pub fn score(&mut self) -> Result<Vec<f64>, JsError> {
        self.try_score().map_err(|e| JsError::new(&e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use entropic::experiment::{MaxentDigits, MaxentDigitsConfig};

    fn checkpoint() -> Vec<u8> {
        let run = MaxentDigits::new(MaxentDigitsConfig {
            walkers: 20,
            epochs: 2,
            entropy_every: 0,
            ..MaxentDigitsConfig::default()
        })
        .unwrap();
        let trainer = run.trainer(1).unwrap();
        serde_json::to_vec(&DigitsCheckpoint::new(200, &trainer, &[]).unwrap()).unwrap()
    }

    /// The steered chain is the CLI's: the same sweeps of the same walkers under the same
    /// energy give the same bits as `BiasedEnergy::generate` on a model cut to those walkers.
    #[test]
    fn steered_walkers_are_the_cli_generation() {
        let bytes = checkpoint();
        let mut demo = SteerDemo::try_new(&bytes, 20, 3, 0, 4).unwrap();
        demo.try_target(Some(3), 20.0).unwrap();
        assert!(demo.try_sweep(2).unwrap().is_finite());
        assert!(demo.try_sweep(5).unwrap().is_finite());
        assert!(
            demo.try_sweep(1).unwrap().is_nan(),
            "the budget is 3 sweeps"
        );
        let (_, mut trainer) = DigitsCheckpoint::read(&bytes).unwrap();
        let classifier = trained_classifier(4, ClassifierRole::Steering).unwrap();
        let expected = BiasedEnergy::model()
            .steered(classifier, 3, 20.0)
            .unwrap()
            .generate(&mut trainer, 3, 0, 4, &entropic::experiment::Sequential)
            .unwrap();
        assert_eq!(demo.images(), expected);
        let score = demo.try_score().unwrap();
        assert_eq!(score[..10].iter().sum::<f64>(), 20.0);
        assert!((0.0..=1.0).contains(&score[10]));
    }

    /// The shipped model loads with today's loader (a format change would strand the page).
    #[test]
    fn shipped_model_loads() {
        let bytes = include_bytes!("../www/models/digits.json");
        let mut demo = SteerDemo::try_new(bytes, 64, 100, 10, 0).unwrap();
        assert_eq!(demo.images().len(), 64 * 64);
        assert!(demo.images().iter().all(|p| (0.0..=1.0).contains(p)));
        assert!(demo.try_sweep(1).unwrap().is_finite());
        assert_eq!(demo.state(), [1.0, 100.0, -1.0, 20.0]);
    }

    #[test]
    fn bad_input_is_refused() {
        assert!(matches!(
            SteerDemo::try_new(b"{}", 10, 10, 0, 0),
            Err(ExperimentError::Checkpoint(_))
        ));
        let bytes = checkpoint();
        for (walkers, sweeps, leapfrog) in [(0, 10, 0), (21, 10, 0), (5, 0, 0), (5, 10, 1001)] {
            assert!(SteerDemo::try_new(&bytes, walkers, sweeps, leapfrog, 0).is_err());
        }
        let mut demo = SteerDemo::try_new(&bytes, 5, 10, 0, 0).unwrap();
        assert!(demo.try_target(Some(10), 20.0).is_err());
        assert!(demo.try_target(Some(3), f64::NAN).is_err());
    }
}
