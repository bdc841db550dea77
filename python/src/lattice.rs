//! `entropic.lattice`: equilibrium configurations, thermodynamics and exact values of Ising and
//! XY lattices ([`LatticeSample`], [`LatticeThermo`], Kaufman and Onsager).
use crate::config::{from_json, one_or_many};
use crate::{errors, runtime};
use entropic::experiment::{
    Configs, LatticeSample, LatticeSampleConfig, LatticeThermo, LatticeThermoConfig, concatenate,
};
use entropic::lattice::{ExactRow, Ising, Square, Temperature};
use numpy::{PyArray1, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde_json::{Map, Value};

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(sample, m)?)?;
    m.add_function(wrap_pyfunction!(thermo, m)?)?;
    m.add_function(wrap_pyfunction!(exact, m)?)?;
    Ok(())
}

/// Set `key` to `value` if one was given (absent settings keep the core's defaults).
fn put(c: &mut Map<String, Value>, key: &str, value: Option<impl Into<Value>>) {
    if let Some(v) = value {
        c.insert(key.into(), v.into());
    }
}

/// The Hamiltonian settings given: J, h, J₂ and the global flip.
type Couplings = (Option<f64>, Option<f64>, Option<f64>, Option<bool>);

/// The chain settings given.
fn chain(
    model: &str,
    size: Option<usize>,
    algorithm: &str,
    (coupling, field, next_nearest, global_flip): Couplings,
    thermalize: Option<usize>,
) -> Value {
    let mut c = Map::new();
    put(&mut c, "model", Some(model));
    put(&mut c, "algorithm", Some(algorithm));
    put(&mut c, "size", size);
    put(&mut c, "coupling", coupling);
    put(&mut c, "field", field);
    put(&mut c, "next_nearest", next_nearest);
    put(&mut c, "global_flip", global_flip);
    put(&mut c, "thermalize", thermalize);
    Value::Object(c)
}

/// Equilibrium configurations on a temperature grid, nearly independent: per temperature the
/// chain equilibrates (`thermalize` steps), measures τ_int in a pilot run (`pilot` steps) and
/// records `samples` configurations spaced by ⌈2 τ_int⌉ steps. Temperatures run in parallel;
/// temperature k draws from the stream (seed, k), so the result is the CLI's
/// `entropic --seed SEED lattice sample` bit for bit.
///
/// model: "ising" (default) or "xy"; size: L of the periodic L×L lattice (default 20);
/// temperatures: a number or a sequence; samples: configurations per temperature (default 1000);
/// algorithm: "metropolis" (default), "heat-bath", "wolff", "swendsen-wang" or "multispin";
/// coupling J (default 1); field h (default 0); seed (default 0); pilot: pilot steps (≥ 100,
/// default 2000); thermalize: equilibration steps (default 1000); next_nearest: the Ising
/// diagonal coupling J₂ (default 0; metropolis and heat-bath only); global_flip: end every
/// sweep with a flip of the whole lattice of probability ½ (Ising metropolis and heat-bath at
/// h = 0, default False), so that configurations below T_c hold both ordered phases;
/// progress: a callable progress(stage, done, total), e.g. `entropic.progress.Tqdm()`.
///
/// Returns an array of shape (temperatures, samples, L, L): int8 spins ±1 for Ising, float64
/// angles in [0, 2π) for XY (handed to numpy without a copy).
#[pyfunction]
#[pyo3(signature = (model="ising", size=None, temperatures=None, samples=None, algorithm="metropolis", coupling=None, field=None, seed=0, *, pilot=None, thermalize=None, next_nearest=None, global_flip=None, progress=None))]
#[allow(clippy::too_many_arguments)]
fn sample<'py>(
    py: Python<'py>,
    model: &str,
    size: Option<usize>,
    temperatures: Option<&Bound<'py, PyAny>>,
    samples: Option<usize>,
    algorithm: &str,
    coupling: Option<f64>,
    field: Option<f64>,
    seed: u64,
    pilot: Option<usize>,
    thermalize: Option<usize>,
    next_nearest: Option<f64>,
    global_flip: Option<bool>,
    progress: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let mut c = Map::new();
    let couplings = (coupling, field, next_nearest, global_flip);
    c.insert(
        "chain".into(),
        chain(model, size, algorithm, couplings, thermalize),
    );
    put(
        &mut c,
        "temperatures",
        temperatures.map(one_or_many).transpose()?,
    );
    put(&mut c, "samples", samples);
    put(&mut c, "pilot", pilot);
    let config: LatticeSampleConfig = from_json("lattice.sample", Value::Object(c))?;
    let run = LatticeSample::new(config).map_err(errors::invalid)?;
    let chains = runtime::blocking(py, progress, |rt| run.run(seed, rt))?;
    let c = run.config();
    let l = c.chain.size;
    let shape = [c.temperatures.len(), c.samples, l, l];
    Ok(match concatenate(&chains) {
        Configs::Spins(v) => PyArray1::from_vec(py, v).reshape(shape)?.into_any(),
        Configs::Angles(v) => PyArray1::from_vec(py, v).reshape(shape)?.into_any(),
    })
}

/// Energy, specific heat, |m|, susceptibility, Binder cumulant and the entropy per spin by
/// thermodynamic integration s(β) = s(0) + βu − ∫₀^β u dβ′ over an adaptively refined β grid of
/// independent chains (point k from the stream (seed, k); the CLI's `lattice thermo`).
///
/// Arguments as `sample` (with next_nearest; the global flip changes no average), plus sweeps:
/// measured steps per integration point (default 5000),
/// ti_step: largest β step of the grid (default 0.05), ti_tolerance: refinement tolerance of the
/// entropy in nats per spin (default 2e-4), ti_max_points (default 400).
///
/// Returns a dict of float64 arrays, one entry per requested temperature: "temperature",
/// "energy", "abs_magnetization", "specific_heat", "susceptibility", "binder", "entropy" (nats
/// per spin; XY: the excess s − ln 2π), each with a "*_err" standard error, and the exact
/// values where they exist (NaN elsewhere): "exact_energy", "exact_specific_heat",
/// "exact_entropy" (Kaufman, same torus), "onsager_entropy" (L = ∞).
#[pyfunction]
#[pyo3(signature = (model="ising", size=None, temperatures=None, sweeps=None, algorithm="metropolis", coupling=None, field=None, seed=0, *, thermalize=None, next_nearest=None, ti_step=None, ti_tolerance=None, ti_max_points=None, progress=None))]
#[allow(clippy::too_many_arguments)]
fn thermo<'py>(
    py: Python<'py>,
    model: &str,
    size: Option<usize>,
    temperatures: Option<&Bound<'py, PyAny>>,
    sweeps: Option<usize>,
    algorithm: &str,
    coupling: Option<f64>,
    field: Option<f64>,
    seed: u64,
    thermalize: Option<usize>,
    next_nearest: Option<f64>,
    ti_step: Option<f64>,
    ti_tolerance: Option<f64>,
    ti_max_points: Option<usize>,
    progress: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let mut c = Map::new();
    let couplings = (coupling, field, next_nearest, None);
    c.insert(
        "chain".into(),
        chain(model, size, algorithm, couplings, thermalize),
    );
    put(
        &mut c,
        "temperatures",
        temperatures.map(one_or_many).transpose()?,
    );
    put(&mut c, "sweeps", sweeps);
    put(&mut c, "ti_step", ti_step);
    put(&mut c, "ti_tolerance", ti_tolerance);
    put(&mut c, "ti_max_points", ti_max_points);
    let config: LatticeThermoConfig = from_json("lattice.thermo", Value::Object(c))?;
    let run = LatticeThermo::new(config).map_err(errors::invalid)?;
    let result = runtime::blocking(py, progress, |rt| run.run(seed, rt))?;
    let rows = &result.rows;
    let out = PyDict::new(py);
    let column = |name: &str, f: &dyn Fn(&entropic::experiment::ThermoRow) -> f64| {
        out.set_item(name, PyArray1::from_vec(py, rows.iter().map(f).collect()))
    };
    let nan = f64::NAN;
    column("temperature", &|r| r.temperature.value())?;
    column("energy", &|r| r.point.thermo.energy.value)?;
    column("energy_err", &|r| r.point.thermo.energy.std_error)?;
    column("abs_magnetization", &|r| {
        r.point.thermo.abs_magnetization.value
    })?;
    column("abs_magnetization_err", &|r| {
        r.point.thermo.abs_magnetization.std_error
    })?;
    column("specific_heat", &|r| r.point.thermo.specific_heat.value)?;
    column("specific_heat_err", &|r| {
        r.point.thermo.specific_heat.std_error
    })?;
    column("susceptibility", &|r| r.point.thermo.susceptibility.value)?;
    column("susceptibility_err", &|r| {
        r.point.thermo.susceptibility.std_error
    })?;
    column("binder", &|r| r.point.thermo.binder.value)?;
    column("binder_err", &|r| r.point.thermo.binder.std_error)?;
    column("entropy", &|r| r.entropy.value)?;
    column("entropy_err", &|r| r.entropy.std_error)?;
    column("exact_energy", &|r| r.exact.energy_per_spin.unwrap_or(nan))?;
    column("exact_specific_heat", &|r| {
        r.exact.specific_heat.unwrap_or(nan)
    })?;
    column("exact_entropy", &|r| {
        r.exact.entropy_per_spin.unwrap_or(nan)
    })?;
    column("onsager_entropy", &|r| {
        r.exact.onsager_entropy_per_spin.unwrap_or(nan)
    })?;
    Ok(out)
}

/// Exact zero-field Ising values (the CLI's `lattice exact`): Kaufman's energy, entropy (nats)
/// and specific heat per spin and ln Z (whole lattice) of the periodic L×L torus, and Onsager's
/// L = ∞ energy and entropy per spin, at each temperature.
///
/// Returns a dict of float64 arrays: "temperature", "energy", "entropy", "specific_heat",
/// "ln_z", "onsager_energy", "onsager_entropy".
#[pyfunction]
#[pyo3(signature = (size, temperatures, coupling=1.0))]
fn exact<'py>(
    py: Python<'py>,
    size: usize,
    temperatures: &Bound<'py, PyAny>,
    coupling: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let model = Ising::new(
        Square::with_side(size).map_err(errors::invalid)?,
        coupling,
        0.0,
    )
    .map_err(errors::invalid)?;
    let temps: Vec<Temperature> = one_or_many(temperatures)?
        .into_iter()
        .map(|t| Temperature::new(t).map_err(errors::invalid))
        .collect::<PyResult<_>>()?;
    let mut columns: [Vec<f64>; 7] = Default::default();
    for r in ExactRow::table(&model, &temps).map_err(errors::invalid)? {
        let f = r.finite;
        let row = [
            r.temperature.value(),
            f.energy_per_spin,
            f.entropy_per_spin,
            f.specific_heat,
            f.ln_z,
            r.onsager_energy,
            r.onsager_entropy,
        ];
        for (column, v) in columns.iter_mut().zip(row) {
            column.push(v);
        }
    }
    let out = PyDict::new(py);
    let names = [
        "temperature",
        "energy",
        "entropy",
        "specific_heat",
        "ln_z",
        "onsager_energy",
        "onsager_entropy",
    ];
    for (name, column) in names.into_iter().zip(columns) {
        out.set_item(name, PyArray1::from_vec(py, column))?;
    }
    Ok(out)
}
