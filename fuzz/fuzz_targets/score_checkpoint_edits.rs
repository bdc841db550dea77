//! Structure-aware edits (`entropic_fuzz::edited`) of a valid score-network training run (the
//! network, its EMA copy, Adam's moments, the schedule, the RNG): the loader refuses them with a
//! typed error or loads something that trains steps without a panic.
#![no_main]
use arbitrary::Unstructured;
use entropic::diffusion::{Score, ScoreNet, ScoreTrainParams, ScoreTrainer, VpSde};
use entropic::entropy::Samples;
use entropic::rng::from_seed;
use entropic_fuzz::{document, edited};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use std::sync::OnceLock;

const D: usize = 2;

fn samples() -> Samples {
    Samples::new(
        (0..40 * D)
            .map(|i| ((i * 7) % 11) as f64 / 5.0 - 1.0)
            .collect(),
        D,
    )
    .unwrap()
}

/// A small run after three steps (so Adam has state), as JSON.
fn valid() -> &'static Value {
    static VALID: OnceLock<Value> = OnceLock::new();
    VALID.get_or_init(|| {
        let mut rng = from_seed(5);
        let net = ScoreNet::new(VpSde::default(), &samples(), &[4], &mut rng).unwrap();
        let params = ScoreTrainParams {
            steps: 10,
            batch: 4,
            ..ScoreTrainParams::default()
        };
        let mut t = ScoreTrainer::new(net, &samples(), params, 5).unwrap();
        t.run(&samples(), 3).unwrap();
        document(&t.to_json().unwrap())
    })
}

fuzz_target!(|bytes: &[u8]| {
    let doc = edited(valid(), &mut Unstructured::new(bytes));
    let Ok(mut run) = ScoreTrainer::from_json(&doc) else {
        return;
    };
    if run.model().dim() == D && run.params().batch <= 64 {
        let _ = run.run(&samples(), 2);
    }
});
