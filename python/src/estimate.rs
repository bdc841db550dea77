//! Estimates and estimator rows as Python objects.
use entropic::estimate::{self, Unit};
use entropic::experiment;
use pyo3::prelude::*;

/// A value with one standard error, in nats or bits.
#[pyclass(module = "entropic", frozen, get_all)]
#[derive(Clone, Debug)]
pub struct Estimate {
    /// The point estimate.
    pub value: f64,
    /// One standard error (0 for exact values).
    pub std_error: f64,
    /// "nats" or "bits".
    pub unit: &'static str,
    /// How many samples the estimate used (0 for exact values).
    pub samples: usize,
}

impl From<estimate::Estimate> for Estimate {
    fn from(e: estimate::Estimate) -> Self {
        Self {
            value: e.value,
            std_error: e.std_error,
            unit: match e.unit {
                Unit::Nats => "nats",
                Unit::Bits => "bits",
            },
            samples: e.samples,
        }
    }
}

#[pymethods]
impl Estimate {
    fn __repr__(&self) -> String {
        format!(
            "Estimate(value={}, std_error={}, unit='{}', samples={})",
            self.value, self.std_error, self.unit, self.samples
        )
    }

    /// The same estimate in bits.
    fn bits(&self) -> Self {
        let scale = if self.unit == "nats" {
            std::f64::consts::LOG2_E
        } else {
            1.0
        };
        Self {
            value: self.value * scale,
            std_error: self.std_error * scale,
            unit: "bits",
            samples: self.samples,
        }
    }

    /// (value, std_error), for unpacking.
    fn __iter__(slf: PyRef<'_, Self>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let pair = (slf.value, slf.std_error).into_pyobject(py)?;
        Ok(pair.try_iter()?.into_any().unbind())
    }
}

/// One estimator's result in a comparison: its name, estimate, seconds and (learned MINDE) the
/// KL(data ‖ Gaussian fit) its score integrated.
#[pyclass(module = "entropic", frozen, get_all)]
#[derive(Clone, Debug)]
pub struct EstimatorRow {
    /// The estimator's name, as in the CLI's tables.
    pub estimator: &'static str,
    /// Its estimate.
    pub estimate: Estimate,
    /// Seconds it took.
    pub seconds: Option<f64>,
    /// Learned MINDE only: KL(data ‖ Gaussian fit) with its Monte Carlo error.
    pub divergence: Option<Estimate>,
    /// Whether the divergence is indistinguishable from zero (the row equals the Gaussian fit:
    /// Gaussian data, or a network that learned nothing).
    pub learned_nothing: bool,
}

impl From<experiment::EstimatorRow> for EstimatorRow {
    fn from(r: experiment::EstimatorRow) -> Self {
        Self {
            estimator: r.estimator,
            estimate: r.estimate.into(),
            seconds: r.seconds,
            divergence: r.divergence.map(Estimate::from),
            learned_nothing: r.learned_nothing(),
        }
    }
}

#[pymethods]
impl EstimatorRow {
    fn __repr__(&self) -> String {
        format!(
            "EstimatorRow(estimator='{}', estimate={})",
            self.estimator,
            self.estimate.__repr__()
        )
    }
}
