//! The core's errors as Python exceptions.
//!
//! - a setting or an array the core refuses before any work: `ValueError` with the core's
//!   message (a request too large to hold is a bad argument too);
//! - a run stopped by Ctrl-C: `KeyboardInterrupt`;
//! - anything that failed during the work (a diverged model, a result outside its possible
//!   range, an estimator that cannot handle the data): [`EntropicError`].
use entropic::experiment::ExperimentError;
use pyo3::exceptions::{PyException, PyKeyboardInterrupt, PyValueError};
use pyo3::{PyErr, create_exception};

create_exception!(
    entropic,
    EntropicError,
    PyException,
    "A computation of entropic failed while running (bad arguments raise ValueError instead)."
);

/// An error of a run's setup (`Run::new`): the arguments were bad.
pub fn invalid(e: impl core::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// An error of a run's work.
pub fn failed(e: ExperimentError) -> PyErr {
    match e {
        ExperimentError::Cancelled => PyKeyboardInterrupt::new_err("cancelled"),
        ExperimentError::Config { .. } | ExperimentError::TooLarge { .. } => invalid(e),
        other => EntropicError::new_err(other.to_string()),
    }
}
