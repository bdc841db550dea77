//! The Min-MaxEnt checkpoint loader (`digits train --resume`, `digits sample --model`):
//! arbitrary bytes load or give a typed error, never a panic; a small checkpoint that loads
//! takes one more training step without panicking.
#![no_main]
use entropic::maxent::{Observables, Trainer};
use entropic::nn::Network;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() > 1 << 16 {
        return;
    }
    let Ok(mut trainer) = Trainer::<Network<f64>>::from_json(data) else {
        return;
    };
    let d = trainer.model().observables().dim();
    let p = trainer.params();
    let small = d <= 64
        && trainer.model().observables().parameter_count() <= 10_000
        && trainer.walkers().len() <= 64
        && p.sweeps <= 4
        && (1..=256).contains(&trainer.data_len());
    if !small || trainer.is_done() {
        return;
    }
    let x: Vec<f64> = (0..trainer.data_len() * d)
        .map(|i| (i % 7) as f64 / 7.0)
        .collect();
    let _ = trainer.step(&x);
});
