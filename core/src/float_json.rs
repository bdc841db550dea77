//! Serde for f64 that survives JSON: finite values as numbers, ±∞ and NaN as the strings
//! "inf", "-inf", "NaN" (JSON has no such numbers; serde_json would write null and fail to read it
//! back). Used as `#[serde(with = "float_json")]`.
use alloc::string::String;
use serde::{Deserialize, Deserializer, Serializer};

/// Write a finite value as a number, else as "inf", "-inf" or "NaN".
///
/// # Errors
/// The serializer's.
pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    if v.is_finite() {
        s.serialize_f64(*v)
    } else if v.is_nan() {
        s.serialize_str("NaN")
    } else if *v > 0.0 {
        s.serialize_str("inf")
    } else {
        s.serialize_str("-inf")
    }
}

/// Read what [`serialize`] wrote.
///
/// # Errors
/// Anything but a number or one of the three strings.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Repr {
        Number(f64),
        Text(String),
    }
    match Repr::deserialize(d)? {
        Repr::Number(v) => Ok(v),
        Repr::Text(t) => match t.as_str() {
            "inf" => Ok(f64::INFINITY),
            "-inf" => Ok(f64::NEG_INFINITY),
            "NaN" => Ok(f64::NAN),
            _ => Err(serde::de::Error::custom(
                "expected a number, \"inf\", \"-inf\" or \"NaN\"",
            )),
        },
    }
}
