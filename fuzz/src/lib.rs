//! Structure-aware checkpoint edits shared by the `*_checkpoint_edits` targets.
//!
//! Byte-level fuzzing of a JSON loader rarely produces a document that parses and is *almost*
//! right; these helpers start from a valid checkpoint and apply a few fuzz-chosen edits: an
//! array one element short, one long or empty, a number set to an extreme (±1e308, −1, 0,
//! `u64::MAX`) or replaced by a string. A loader must refuse the result with a typed error, or
//! load something that then trains a step without a panic.
use arbitrary::Unstructured;
use serde_json::Value;

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
    if matches!(v, Value::Array(_) | Value::Number(_)) {
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

/// `valid` with one to three edits chosen by `u`, serialised back to JSON bytes.
pub fn edited(valid: &Value, u: &mut Unstructured) -> Vec<u8> {
    let mut doc = valid.clone();
    let edits = u.int_in_range(1..=3u8).unwrap_or(1);
    for _ in 0..edits {
        let n = count(&doc);
        let (Ok(mut target), Ok(kind)) =
            (u.int_in_range(0..=n.saturating_sub(1)), u.arbitrary::<u8>())
        else {
            break;
        };
        edit(&mut doc, &mut target, kind);
    }
    doc.to_string().into_bytes()
}

/// A checkpoint's JSON bytes as a document to edit.
pub fn document(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).expect("a saved checkpoint is JSON")
}
