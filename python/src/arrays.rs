//! numpy arrays in and out.
use crate::errors;
use entropic::samples::Samples;
use numpy::{AllowTypeChange, PyArrayLikeDyn, PyUntypedArrayMethods};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

/// An (n, d) array (or an (n,) array, read as d = 1) of any real dtype, in any memory layout, as
/// [`Samples`] (copied into row-major order: the core's estimators own their samples).
///
/// # Errors
/// `TypeError` for something that is not a real array; `ValueError` for another number of
/// dimensions, an empty array, or NaN / ∞ values.
pub fn samples(name: &str, x: &Bound<'_, PyAny>) -> PyResult<Samples> {
    let array: PyArrayLikeDyn<'_, f64, AllowTypeChange> = x.extract().map_err(|_| {
        PyTypeError::new_err(format!(
            "{name} must be a real array (n samples × d values)"
        ))
    })?;
    let d = match array.shape() {
        [_] => 1,
        [_, d] => *d,
        shape => {
            return Err(errors::invalid(format!(
                "{name} must have 1 or 2 dimensions (n samples × d values); it has shape {shape:?}"
            )));
        }
    };
    let values: Vec<f64> = array.as_array().iter().copied().collect();
    Samples::new(values, d).map_err(|e| errors::invalid(format!("{name}: {e}")))
}
