//! The score-model and score-training-run loaders: arbitrary bytes load or give a typed error,
//! never a panic; a small model that loads evaluates its score, a small run takes a step.
#![no_main]
use entropic::diffusion::{Score, ScoreNet, ScoreTrainer};
use entropic::entropy::Samples;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() > 1 << 16 {
        return;
    }
    if let Ok(mut net) = ScoreNet::from_json(data) {
        let d = net.dim();
        if d <= 256 {
            let x = vec![0.5; d];
            let mut out = vec![0.0; d];
            // A loaded model scores a well-shaped batch: an error is a finding.
            net.score_batch(&x, &[0.5], &mut out)
                .expect("a loaded score network scores a batch of its own shape");
        }
    }
    if let Ok(mut run) = ScoreTrainer::from_json(data) {
        let d = run.model().dim();
        if (1..=32).contains(&d) && run.params().batch <= 1024 {
            let x: Vec<f64> = (0..8 * d).map(|i| (i % 5) as f64).collect();
            if let Ok(samples) = Samples::new(x, d) {
                let _ = run.run(&samples, 1);
            }
        }
    }
});
