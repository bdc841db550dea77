//! The core's serialisable results as Python objects: objects → dicts, numeric arrays → numpy
//! arrays (int64 when every entry is an integer, float64 otherwise; equal-length rows → 2-D),
//! and records (arrays of objects with the same keys, e.g. per-iteration reports) → one dict of
//! columns, each converted by the same rules.
use numpy::{PyArray1, PyArray2, PyArrayMethods};
use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde::Serialize;
use serde_json::Value;

/// `value` (any `Serialize`) as a Python object.
///
/// # Errors
/// `EntropicError` if it does not serialise (a bug).
pub fn to_python<'py, T: Serialize>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyAny>> {
    let json = serde_json::to_value(value)
        .map_err(|e| crate::errors::EntropicError::new_err(format!("result: {e}")))?;
    convert(py, &json)
}

fn numbers(values: &[Value]) -> Option<Result<Vec<i64>, Vec<f64>>> {
    if values.iter().all(|v| v.is_i64()) {
        return Some(Ok(values.iter().filter_map(Value::as_i64).collect()));
    }
    values
        .iter()
        .map(Value::as_f64)
        .collect::<Option<Vec<f64>>>()
        .map(Err)
}

/// Records with the same keys as columns (key order of the first record).
fn records(items: &[Value]) -> Option<Vec<(&str, Vec<Value>)>> {
    let first = items.first()?.as_object()?;
    if first.is_empty() {
        return None;
    }
    let mut columns: Vec<(&str, Vec<Value>)> = first
        .keys()
        .map(|k| (k.as_str(), Vec::with_capacity(items.len())))
        .collect();
    for item in items {
        let record = item.as_object()?;
        if record.len() != columns.len() {
            return None;
        }
        for (k, column) in &mut columns {
            column.push(record.get(*k)?.clone());
        }
    }
    Some(columns)
}

fn convert<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => b.into_bound_py_any(py)?,
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.into_bound_py_any(py)?,
            None => n.as_f64().unwrap_or(f64::NAN).into_bound_py_any(py)?,
        },
        Value::String(s) => s.into_bound_py_any(py)?,
        Value::Array(items) => {
            if !items.is_empty()
                && let Some(flat) = numbers(items)
            {
                return Ok(match flat {
                    Ok(ints) => PyArray1::from_vec(py, ints).into_any(),
                    Err(floats) => PyArray1::from_vec(py, floats).into_any(),
                });
            }
            if let Some(columns) = records(items) {
                let dict = PyDict::new(py);
                for (k, column) in columns {
                    dict.set_item(k, convert(py, &Value::Array(column))?)?;
                }
                return Ok(dict.into_any());
            }
            let rows: Option<Vec<&Vec<Value>>> = items.iter().map(Value::as_array).collect();
            if let Some(rows) = rows
                && let Some(first) = rows.first()
                && !first.is_empty()
                && rows.iter().all(|r| r.len() == first.len())
                && let Some(values) = rows
                    .iter()
                    .flat_map(|r| r.iter().map(Value::as_f64))
                    .collect::<Option<Vec<f64>>>()
            {
                let matrix = PyArray1::from_vec(py, values).reshape([rows.len(), first.len()])?;
                let matrix: Bound<'py, PyArray2<f64>> = matrix;
                return Ok(matrix.into_any());
            }
            let list = PyList::empty(py);
            for item in items {
                list.append(convert(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, convert(py, v)?)?;
            }
            dict.into_any()
        }
    })
}
