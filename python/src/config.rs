//! Keyword arguments → the core's config structs, through serde: the field names, defaults,
//! allowed values and error messages are the core's (and the CLI's JSON configs').
use crate::errors;
use pyo3::prelude::*;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Deserialize `value` into the config `T` (unknown fields and bad values are refused).
///
/// # Errors
/// `ValueError` with serde's message ("unknown variant `xz`, expected `ising` or `xy`").
pub fn from_json<T: DeserializeOwned>(what: &str, value: Value) -> PyResult<T> {
    serde_json::from_value(value).map_err(|e| errors::invalid(format!("{what}: {e}")))
}

/// A number or a sequence of numbers, as a list.
pub fn one_or_many(value: &Bound<'_, PyAny>) -> PyResult<Vec<f64>> {
    if let Ok(v) = value.extract::<f64>() {
        return Ok(vec![v]);
    }
    value.extract::<Vec<f64>>().map_err(|_| {
        pyo3::exceptions::PyTypeError::new_err("expected a number or a sequence of numbers")
    })
}
