//! Structure-aware edits of a valid latent-cycle checkpoint: arrays one element short or long,
//! numbers set to extremes (±1e308, 0, −1, huge counts) or to non-numbers. Byte-level fuzzing
//! rarely reaches these (the JSON must stay valid); the loader must refuse them with a typed
//! error or load something that then trains an epoch without a panic.
#![no_main]
use arbitrary::Unstructured;
use entropic::latent::{BinaryData, TrainParams, Trainer};
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
        serde_json::from_slice(&t.to_json().unwrap()).unwrap()
    })
}

/// Every array and number of the document, by position in a depth-first walk.
fn count(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(count).sum::<usize>(),
        Value::Object(m) => m.values().map(count).sum(),
        Value::Number(_) => 1,
        _ => 0,
    }
}

/// Apply edit `kind` to the `target`-th array or number (counting down `target`).
fn edit(v: &mut Value, target: &mut usize, kind: u8) -> bool {
    let here = matches!(v, Value::Array(_) | Value::Number(_));
    if here {
        if *target == 0 {
            match (v, kind % 8) {
                (Value::Array(a), 0) => drop(a.pop()),
                (Value::Array(a), 1) => {
                    if let Some(first) = a.first().cloned() {
                        a.push(first);
                    }
                }
                (Value::Array(a), _) => a.clear(),
                (n, 2) => *n = Value::from(1e308),
                (n, 3) => *n = Value::from(-1e308),
                (n, 4) => *n = Value::from(-1),
                (n, 5) => *n = Value::from(u64::MAX),
                (n, 6) => *n = Value::from("NaN"),
                (n, _) => *n = Value::from(0),
            }
            return true;
        }
        *target -= 1;
    }
    match v {
        Value::Array(a) => a.iter_mut().any(|x| edit(x, target, kind)),
        Value::Object(m) => m.values_mut().any(|x| edit(x, target, kind)),
        _ => false,
    }
}

fuzz_target!(|bytes: &[u8]| {
    let mut u = Unstructured::new(bytes);
    let mut doc = valid().clone();
    let edits = u.int_in_range(1..=3u8).unwrap_or(1);
    for _ in 0..edits {
        let n = count(&doc);
        let (Ok(mut target), Ok(kind)) = (u.int_in_range(0..=n.saturating_sub(1)), u.arbitrary::<u8>())
        else {
            break;
        };
        edit(&mut doc, &mut target, kind);
    }
    let Ok(mut trainer) = Trainer::from_json(doc.to_string().as_bytes()) else {
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
