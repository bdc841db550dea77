//! The score-model loader: arbitrary bytes load or give a typed error, never a panic; a small
//! model that loads evaluates its score.
#![no_main]
use entropic::diffusion::{Score, ScoreNet};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() > 1 << 16 {
        return;
    }
    let Ok(mut net) = ScoreNet::from_json(data) else { return };
    let d = net.dim();
    if d <= 256 {
        let x = vec![0.5; d];
        let mut out = vec![0.0; d];
        net.score_batch(&x, &[0.5], &mut out);
    }
});
