//! Structure-aware edits (`entropic_fuzz::edited`) of a valid latent-cycle checkpoint: the
//! loader refuses them with a typed error or loads something that trains an epoch without a
//! panic.
#![no_main]
use arbitrary::Unstructured;
use entropic::latent::{BinaryData, TrainParams, Trainer};
use entropic_fuzz::{document, edited};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use std::sync::OnceLock;

const D: usize = 8;
const ROWS: usize = 6;

fn data() -> BinaryData {
    BinaryData::new((0..ROWS * D).map(|i| ((i / 3) % 2) as f64).collect(), D).unwrap()
}

/// A small valid run after one epoch (so the optimiser has state), as JSON.
fn valid() -> &'static Value {
    static VALID: OnceLock<Value> = OnceLock::new();
    VALID.get_or_init(|| {
        let params = TrainParams {
            hidden: 3,
            steps: 4,
            chains: 2,
            epochs: 3,
            updates_per_epoch: 2,
            batch_start: 2,
            batch_end: 4,
            ..TrainParams::default()
        };
        let mut t = Trainer::new(params, &data(), 1).unwrap();
        t.run_epoch(&data()).unwrap();
        document(&t.to_json().unwrap())
    })
}

fuzz_target!(|bytes: &[u8]| {
    let doc = edited(valid(), &mut Unstructured::new(bytes));
    let Ok(mut trainer) = Trainer::from_json(&doc) else {
        return;
    };
    let p = trainer.params();
    let small = trainer.model().dim() == D
        && trainer.model().states() <= 64
        && p.steps.saturating_mul(p.chains) <= 1000
        && p.updates_per_epoch <= 10
        && trainer.chains().len() <= 16
        && trainer.data_len() == ROWS;
    if small && !trainer.is_done() {
        let _ = trainer.run_epoch(&data());
    }
});
