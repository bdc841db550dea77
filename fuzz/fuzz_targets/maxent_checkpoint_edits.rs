//! Structure-aware edits (`entropic_fuzz::edited`) of a valid Min-MaxEnt checkpoint (the
//! network's weights, λ, the walkers, both optimisers' state, the RNG): the loader refuses them
//! with a typed error or loads something that takes training steps without a panic (a step may
//! still return an error, e.g. a non-finite λ).
#![no_main]
use arbitrary::Unstructured;
use entropic::maxent::{MaxEnt, Observables, TrainParams, Trainer, Walkers};
use entropic::nn::{ActivationKind, Network};
use entropic::rng::from_seed;
use entropic_fuzz::{document, edited};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use std::sync::OnceLock;

/// One-dimensional data, two clusters.
fn data() -> Vec<f64> {
    (0..40)
        .map(|i| if i % 2 == 0 { -1.0 } else { 1.0 } + 0.01 * i as f64)
        .collect()
}

/// A small run after three steps (so both optimisers have state), as JSON.
fn valid() -> &'static Value {
    static VALID: OnceLock<Value> = OnceLock::new();
    VALID.get_or_init(|| {
        let mut rng = from_seed(3);
        let net = Network::<f64>::mlp(&[1, 4, 2], ActivationKind::Tanh, &mut rng).unwrap();
        let walkers = Walkers::new(1, data()[..8].to_vec(), 0.5, Some((-4.0, 4.0))).unwrap();
        let params = TrainParams {
            iterations: 10,
            warmup: 2,
            ..TrainParams::default()
        };
        let model = MaxEnt::new(net, vec![0.0, 0.0]).unwrap();
        let mut t = Trainer::new(model, walkers, &data(), params, 3).unwrap();
        for _ in 0..3 {
            t.step(&data()).unwrap();
        }
        document(&t.to_json().unwrap())
    })
}

fuzz_target!(|bytes: &[u8]| {
    let doc = edited(valid(), &mut Unstructured::new(bytes));
    let Ok(mut trainer) = Trainer::<Network<f64>>::from_json(&doc) else {
        return;
    };
    let p = trainer.params();
    let small = trainer.model().observables().dim() == 1
        && trainer.model().observables().parameter_count() <= 1000
        && trainer.walkers().len() <= 64
        && p.sweeps <= 8
        && trainer.data_len() == data().len();
    for _ in 0..2 {
        if !small || trainer.is_done() || trainer.step(&data()).is_err() {
            break;
        }
    }
});
