//! Python bindings of entropic: a thin layer over the core's experiment runs and estimators.
//!
//! Every function turns keyword arguments into the core's config struct (through serde, so the
//! names, defaults and validation are the CLI's), runs it on a worker thread through
//! [`runtime::blocking`] (the GIL released, progress forwarded, Ctrl-C turned into cancellation)
//! and hands results to numpy without copying where the layout allows. No numerical code lives
//! here or in the Python package.
mod arrays;
mod config;
mod entropy;
mod errors;
mod estimate;
mod files;
mod json;
mod latent;
mod lattice;
mod maxent;
mod runtime;

use pyo3::prelude::*;

/// The compiled core of the `entropic` package; import `entropic`, not this module.
#[pymodule]
fn _entropic(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("EntropicError", py.get_type::<errors::EntropicError>())?;
    m.add_class::<estimate::Estimate>()?;
    m.add_class::<estimate::EstimatorRow>()?;
    for (name, register) in [
        (
            "lattice",
            lattice::register as fn(&Bound<'_, PyModule>) -> PyResult<()>,
        ),
        ("entropy", entropy::register),
        ("maxent", maxent::register),
        ("latent", latent::register),
    ] {
        let sub = PyModule::new(py, name)?;
        register(&sub)?;
        m.add_submodule(&sub)?;
    }
    Ok(())
}
