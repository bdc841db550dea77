//! Keyword arguments → the core's config structs, through serde: the field names, defaults,
//! allowed values and error messages are the core's (and the CLI's JSON configs').
use crate::errors;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyList, PyTuple};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

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

/// The config `T` from keyword arguments named as its fields (nested configs as dicts); absent
/// fields keep the core's defaults.
///
/// # Errors
/// `TypeError` for a value that is not a number, bool, string, sequence or dict; `ValueError`
/// for an unknown field or a bad value.
pub fn from_kwargs<T: DeserializeOwned>(
    what: &str,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<T> {
    let value = match kwargs {
        Some(d) => to_json(d.as_any())?,
        None => Value::Object(Map::new()),
    };
    from_json(what, value)
}

/// A Python value of a config (numbers, booleans, strings, sequences, dicts) as JSON.
fn to_json(value: &Bound<'_, PyAny>) -> PyResult<Value> {
    if value.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = value.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if let Ok(i) = value.extract::<i64>() {
        return Ok(i.into());
    }
    if let Ok(x) = value.extract::<f64>() {
        return Ok(x.into());
    }
    if let Ok(s) = value.extract::<String>() {
        return Ok(s.into());
    }
    if let Ok(d) = value.cast::<PyDict>() {
        let mut m = Map::new();
        for (k, v) in d.iter() {
            m.insert(k.extract::<String>()?, to_json(&v)?);
        }
        return Ok(Value::Object(m));
    }
    if value.cast::<PyList>().is_ok() || value.cast::<PyTuple>().is_ok() {
        return value.try_iter()?.map(|v| to_json(&v?)).collect();
    }
    Err(PyTypeError::new_err(format!(
        "a setting must be a number, bool, string, sequence or dict, not {}",
        value.get_type().name()?
    )))
}
