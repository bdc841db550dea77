//! `entropic.entropy`: every entropy and mutual-information estimator on numpy arrays, singly
//! and side by side ([`EntropyCompare`], [`MutualInformationCompare`]).
use crate::config::from_kwargs;
use crate::estimate::{Estimate, EstimatorRow};
use crate::files::write_atomic;
use crate::json::to_python;
use crate::{arrays, errors, runtime};
use entropic::diffusion::{ConvDenoiser, LatticeDenoiser, SavedModel, SpinKind};
use entropic::entropy::{
    EntropyEstimator, GaussianFit, GaussianMutualInformation, Ksg, KsgVariant, Leaf, Mice,
    MutualInformation, PlugIn, Whitened,
};
use entropic::experiment::{
    EntropyCompare, EntropyCompareConfig, EstimatorConfig, ExperimentError, Hamiltonian,
    LatticeEntropy, LatticeEntropyConfig, LatticeEntropyResult, LatticeModel, ModelChoice,
    MutualInformationCompare, Runtime, SpinConfigurations, timed,
};
use entropic::rng::stream;
use numpy::{AllowTypeChange, PyArray1, PyArrayLikeDyn, PyUntypedArrayMethods};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::path::{Path, PathBuf};

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(gaussian_fit, m)?)?;
    m.add_function(wrap_pyfunction!(knn, m)?)?;
    m.add_function(wrap_pyfunction!(plug_in, m)?)?;
    m.add_function(wrap_pyfunction!(minde, m)?)?;
    m.add_function(wrap_pyfunction!(mice, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_function(wrap_pyfunction!(gaussian_mi, m)?)?;
    m.add_function(wrap_pyfunction!(ksg, m)?)?;
    m.add_function(wrap_pyfunction!(mine, m)?)?;
    m.add_function(wrap_pyfunction!(minde_c, m)?)?;
    m.add_function(wrap_pyfunction!(mutual_information, m)?)?;
    m.add_function(wrap_pyfunction!(lattice, m)?)?;
    Ok(())
}

/// The estimators' settings from keyword arguments (names of [`EstimatorConfig`]: k, draws,
/// train_steps, hidden, importance, input_scale, sigma_power, parts), checked.
fn settings(kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<EstimatorConfig> {
    let config: EstimatorConfig = from_kwargs("estimator settings", kwargs)?;
    config.check().map_err(errors::invalid)?;
    Ok(config)
}

/// Run a single estimator on the worker thread (GIL released); `work` gets the stop check its
/// training asks (Ctrl-C).
fn single(
    py: Python<'_>,
    work: impl FnOnce(&dyn Fn() -> bool) -> Result<entropic::estimate::Estimate, ExperimentError> + Send,
) -> PyResult<Estimate> {
    runtime::blocking(py, None, |rt| work(&|| rt.cancelled())).map(Estimate::from)
}

/// Differential entropy of the Gaussian with the samples' mean and covariance (nats): an upper
/// bound on the true h(x), exact for Gaussian data.
///
/// x: an (n, d) array (or (n,) for d = 1).
#[pyfunction]
fn gaussian_fit(py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<Estimate> {
    let x = arrays::samples("x", x)?;
    single(py, move |_| Ok(GaussianFit.estimate(&x)?))
}

/// Kozachenko–Leonenko k-nearest-neighbour differential entropy (nats), maximum norm. With
/// whiten=True the samples are first whitened by their Cholesky factor (ln |det L| added back),
/// which removes most of kNN's bias on anisotropic data.
#[pyfunction]
#[pyo3(signature = (x, k=5, *, whiten=false))]
fn knn(py: Python<'_>, x: &Bound<'_, PyAny>, k: usize, whiten: bool) -> PyResult<Estimate> {
    let x = arrays::samples("x", x)?;
    let config = settings(None).map(|c| EstimatorConfig { k, ..c })?;
    let knn = config.knn().map_err(errors::invalid)?;
    single(py, move |_| {
        Ok(if whiten {
            Whitened(knn).estimate(&x)?
        } else {
            knn.estimate(&x)?
        })
    })
}

/// Plug-in (maximum-likelihood) entropy of discrete rows, with the Miller–Madow correction
/// (nats): each distinct row of x is one symbol (±1 spin configurations, labels, quantised
/// values). Reliable when n is much larger than the number of states that carry probability.
#[pyfunction]
fn plug_in(py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<Estimate> {
    let x = arrays::samples("x", x)?;
    single(py, move |_| Ok(PlugIn.estimate(&x)?))
}

/// MINDE with a learned score (nats; the CLI's `minde-learned` row): the samples are whitened,
/// a residual score network over their Gaussian fit is trained by denoising score matching,
/// and H = H(fit) − KL(data ‖ fit) with KL from the score integral. Returns an EstimatorRow
/// whose `divergence` is that KL and `learned_nothing` flags a KL indistinguishable from zero.
///
/// Settings (keywords): train_steps (4000), draws (100000), hidden ([128, 128]), importance
/// (False), input_scale (8), sigma_power (0.5), parts (1); seed (0).
#[pyfunction]
#[pyo3(signature = (x, *, seed=0, **settings_))]
fn minde(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    seed: u64,
    settings_: Option<&Bound<'_, PyDict>>,
) -> PyResult<EstimatorRow> {
    let x = arrays::samples("x", x)?;
    let config = settings(settings_)?;
    if config.train_steps == 0 {
        return Err(errors::invalid("minde: train_steps must be at least 1"));
    }
    config.check_memory(x.dim()).map_err(errors::invalid)?;
    runtime::blocking(py, None, |rt| {
        let mut rng = stream(seed, 0);
        let (learned, seconds) = timed(rt, || {
            config.learned_minde(&x, seed, &mut rng, &|| rt.cancelled())
        });
        let (h, kl) = learned?;
        Ok(entropic::experiment::EstimatorRow {
            divergence: Some(kl),
            ..entropic::experiment::EstimatorRow::new("minde-learned", h, seconds)
        })
    })
    .map(EstimatorRow::from)
}

/// MICE: the entropy split recursively into halves, H = H(left) + H(right) − I(left; right), each
/// I by MINE (`steps` Adam steps per split, from `seed`) and the 1D leaves by kNN (k), or by
/// plug-in for discrete data (leaf="plug-in").
#[pyfunction]
#[pyo3(signature = (x, *, steps=3000, seed=0, k=5, leaf="knn"))]
fn mice(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    steps: usize,
    seed: u64,
    k: usize,
    leaf: &str,
) -> PyResult<Estimate> {
    let x = arrays::samples("x", x)?;
    let leaf = match leaf {
        "knn" => Leaf::Knn(k),
        "plug-in" => Leaf::PlugIn,
        other => {
            return Err(errors::invalid(format!(
                "mice: leaf must be \"knn\" or \"plug-in\", not {other:?}"
            )));
        }
    };
    let config = EstimatorConfig {
        train_steps: steps,
        ..settings(None)?
    };
    let mice = Mice {
        mine: config.mine(seed),
        leaf,
    };
    single(py, move |stop| Ok(mice.estimate_until(&x, stop)?))
}

/// Every entropy estimator on the same samples, side by side (the CLI's `entropy compare`):
/// the Gaussian fit, kNN raw and whitened, learned MINDE (unless train_steps=0), and for ±1
/// spins (spins=True) the dequantised values, the plug-in row (N ≤ 64) and, for square
/// lattices, a lattice denoiser's I-MMSE estimate; MICE if mice_steps > 0. Every estimate is
/// the total entropy of one sample in nats (for spins the absolute discrete entropy).
///
/// Returns a list of EstimatorRow, in that order.
#[pyfunction]
#[pyo3(signature = (x, *, spins=false, temperature=None, coupling=None, mice_steps=0, seed=0, progress=None, **settings_))]
#[allow(clippy::too_many_arguments)]
fn compare(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    spins: bool,
    temperature: Option<f64>,
    coupling: Option<f64>,
    mice_steps: usize,
    seed: u64,
    progress: Option<&Bound<'_, PyAny>>,
    settings_: Option<&Bound<'_, PyDict>>,
) -> PyResult<Vec<EstimatorRow>> {
    let x = arrays::samples("x", x)?;
    let config = EntropyCompareConfig {
        spins,
        temperature,
        coupling,
        mice_steps,
        estimators: settings(settings_)?,
    };
    let run = EntropyCompare::new(config, x).map_err(errors::invalid)?;
    let rows = runtime::blocking(py, progress, |rt| run.run(seed, rt))?;
    Ok(rows.into_iter().map(EstimatorRow::from).collect())
}

/// Paired samples as (x, y) with the same number of rows.
fn pairs(
    x: &Bound<'_, PyAny>,
    y: &Bound<'_, PyAny>,
) -> PyResult<(entropic::samples::Samples, entropic::samples::Samples)> {
    let (x, y) = (arrays::samples("x", x)?, arrays::samples("y", y)?);
    if x.len() != y.len() {
        return Err(errors::invalid(format!(
            "x has {} rows and y {}; the samples must be paired",
            x.len(),
            y.len()
        )));
    }
    Ok((x, y))
}

/// I(X; Y) of the Gaussian with the pairs' covariance (nats): the canonical-correlation value,
/// exact for jointly Gaussian data.
#[pyfunction]
fn gaussian_mi(py: Python<'_>, x: &Bound<'_, PyAny>, y: &Bound<'_, PyAny>) -> PyResult<Estimate> {
    let (x, y) = pairs(x, y)?;
    single(py, move |_| Ok(GaussianMutualInformation.estimate(&x, &y)?))
}

/// Kraskov–Stögbauer–Grassberger I(X; Y) (nats), maximum norm, k neighbours; variant 1 or 2 (the
/// paper's first and second estimators).
#[pyfunction]
#[pyo3(signature = (x, y, k=5, variant=1))]
fn ksg(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    y: &Bound<'_, PyAny>,
    k: usize,
    variant: u8,
) -> PyResult<Estimate> {
    let (x, y) = pairs(x, y)?;
    let variant = match variant {
        1 => KsgVariant::First,
        2 => KsgVariant::Second,
        v => {
            return Err(errors::invalid(format!(
                "ksg: variant must be 1 or 2, not {v}"
            )));
        }
    };
    let ksg = Ksg::new(k, variant).map_err(errors::invalid)?;
    single(py, move |_| Ok(ksg.estimate(&x, &y)?))
}

/// MINE (Donsker–Varadhan bound with a bias-corrected gradient; nats): a critic network trained
/// for `steps` Adam steps (initialisation, batches and pairings from `seed`).
#[pyfunction]
#[pyo3(signature = (x, y, *, steps=3000, seed=0))]
fn mine(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    y: &Bound<'_, PyAny>,
    steps: usize,
    seed: u64,
) -> PyResult<Estimate> {
    let (x, y) = pairs(x, y)?;
    let mine = EstimatorConfig {
        train_steps: steps,
        ..settings(None)?
    }
    .mine(seed);
    single(py, move |stop| Ok(mine.estimate_until(&x, &y, stop)?))
}

/// MINDE-C I(X; Y) (nats): a conditional score network (residual over the pairs' Gaussian fit)
/// trained by denoising, I = I(CCA) + ∫ (g²/2) E[2 Δs_G·Δn + |Δn|²] dt.
///
/// Settings (keywords): train_steps (4000), draws (100000), hidden ([128, 128]), input_scale
/// (8), sigma_power (0.5), parts (1); seed (0).
#[pyfunction]
#[pyo3(signature = (x, y, *, seed=0, **settings_))]
fn minde_c(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    y: &Bound<'_, PyAny>,
    seed: u64,
    settings_: Option<&Bound<'_, PyDict>>,
) -> PyResult<Estimate> {
    let (x, y) = pairs(x, y)?;
    let config = settings(settings_)?;
    config
        .check_memory(x.dim() + y.dim())
        .map_err(errors::invalid)?;
    let minde = config.minde_c(seed);
    single(py, move |stop| Ok(minde.estimate_until(&x, &y, stop)?))
}

/// Every mutual-information estimator on the same pairs, side by side (the CLI's `entropy mi`):
/// the Gaussian (CCA) value, KSG 1 and 2 and, unless train_steps=0, MINE and MINDE-C.
///
/// Returns a list of EstimatorRow, in that order.
#[pyfunction]
#[pyo3(signature = (x, y, *, seed=0, progress=None, **settings_))]
fn mutual_information(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    y: &Bound<'_, PyAny>,
    seed: u64,
    progress: Option<&Bound<'_, PyAny>>,
    settings_: Option<&Bound<'_, PyDict>>,
) -> PyResult<Vec<EstimatorRow>> {
    let (x, y) = (arrays::samples("x", x)?, arrays::samples("y", y)?);
    let run = MutualInformationCompare::new(settings(settings_)?, x, y).map_err(errors::invalid)?;
    let rows = runtime::blocking(py, progress, |rt| run.run(seed, rt))?;
    Ok(rows.into_iter().map(EstimatorRow::from).collect())
}

/// Entropy per spin of lattice configurations from a temperature-conditioned denoiser (thesis
/// Ch. 4; the CLI's `entropy ising` / `entropy xy`): one model is trained by denoising score
/// matching on every temperature's training configurations, the entropy at each temperature is
/// the I-MMSE integral over its held-out configurations (nats per spin; XY: the excess
/// s − ln 2π), with Kaufman's exact value beside it (Ising), and the reverse SDE of the same
/// model generates configurations compared with the data (energy, |m|, vortices).
///
/// configs: (temperatures, samples, L, L) as `lattice.sample` returns: ±1 spins (integer dtype,
/// Ising) or angles in [0, 2π] (float dtype, XY); `kind` ("ising" or "xy") overrides the
/// inference from the dtype. temperatures: one per first-axis entry. coupling, field,
/// next_nearest (Ising J₂): the Hamiltonian the data came from, if known (the per-site model's
/// belief propagation uses it and refuses a field or J₂; the whole-lattice model,
/// model="conv", never uses it; Kaufman's reference needs h = J₂ = 0). references: XY only, the dict
/// `lattice.thermo` returns (temperature, entropy, entropy_err) for the same lattice.
///
/// Config keywords as the core's LatticeEntropyConfig (`entropic entropy ising
/// --print-config`): model ("site" or "conv"), holdout, denoiser, conv, training (dict: steps,
/// batch, learning_rate, …), draws, strata, generation (dict; temperatures=[] skips the check).
///
/// model_file: evaluate the model saved there (by save_model, or the CLI's model.json) instead of
/// training one (give the same model="site" / "conv" it was trained as); a list of files
/// evaluates their ensemble (the mean of the models' denoisers: never a larger squared error than
/// the members' average, so a tighter I-MMSE bound; K× the cost). save_model: write the trained
/// model there (atomically; the CLI's format).
///
/// Returns a dict: rows (temperature, estimate, reference per data temperature), generation
/// (rows, configurations, start_step), denoising (examples), losses (per training step; empty
/// for a loaded model).
#[pyfunction]
#[pyo3(signature = (configs, temperatures, *, kind=None, coupling=None, field=None, next_nearest=None, references=None, model_file=None, save_model=None, seed=0, progress=None, **config))]
#[allow(clippy::too_many_arguments)]
fn lattice<'py>(
    py: Python<'py>,
    configs: &Bound<'py, PyAny>,
    temperatures: &Bound<'py, PyAny>,
    kind: Option<&str>,
    coupling: Option<f64>,
    field: Option<f64>,
    next_nearest: Option<f64>,
    references: Option<&Bound<'py, PyDict>>,
    model_file: Option<&Bound<'py, PyAny>>,
    save_model: Option<PathBuf>,
    seed: u64,
    progress: Option<&Bound<'py, PyAny>>,
    config: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let config: LatticeEntropyConfig = from_kwargs("entropy.lattice", config)?;
    let array: PyArrayLikeDyn<'py, f64, AllowTypeChange> = configs.extract().map_err(|_| {
        PyTypeError::new_err("configs must be a real array (temperatures × samples × L × L)")
    })?;
    let [t, n, l, l2] = *array.shape() else {
        return Err(errors::invalid(format!(
            "configs must have shape (temperatures, samples, L, L); it has {:?}",
            array.shape()
        )));
    };
    if l != l2 {
        return Err(errors::invalid("configs: lattices must be square (L × L)"));
    }
    let is_integer = configs
        .getattr("dtype")
        .and_then(|d| d.getattr("kind"))
        .and_then(|k| k.extract::<String>())
        .is_ok_and(|k| matches!(k.as_str(), "i" | "u" | "b"));
    let kind = match kind {
        Some("ising") => SpinKind::Ising,
        Some("xy") => SpinKind::Planar,
        None if is_integer => SpinKind::Ising,
        None => SpinKind::Planar,
        Some(other) => {
            return Err(errors::invalid(format!(
                "kind must be \"ising\" or \"xy\", not {other:?}"
            )));
        }
    };
    let temps = crate::config::one_or_many(temperatures)?;
    if temps.len() != t {
        return Err(errors::invalid(format!(
            "{} temperatures given for {t} blocks of configurations",
            temps.len()
        )));
    }
    let raw: Vec<f64> = array.as_array().iter().copied().collect();
    let mut data = SpinConfigurations::new(kind, l, temps, n, raw).map_err(errors::invalid)?;
    if coupling.is_some() || field.is_some() || next_nearest.is_some() {
        let h = Hamiltonian {
            coupling: coupling.unwrap_or(1.0),
            field: field.unwrap_or(0.0),
            next_nearest: next_nearest.unwrap_or(0.0),
        };
        data = data.with_hamiltonian(h).map_err(errors::invalid)?;
    }
    let mut run = LatticeEntropy::new(config, data).map_err(errors::invalid)?;
    if let Some(r) = references {
        let column = |name: &str| -> PyResult<Vec<f64>> {
            r.get_item(name)?
                .ok_or_else(|| errors::invalid(format!("references needs the key {name:?}")))?
                .extract()
        };
        let (ts, s, e) = (
            column("temperature")?,
            column("entropy")?,
            column("entropy_err")?,
        );
        let pairs: Vec<(f64, entropic::estimate::Estimate)> = ts
            .iter()
            .zip(s.iter().zip(&e))
            .map(|(&t, (&v, &err))| {
                (
                    t,
                    entropic::estimate::Estimate::new(v, err, entropic::estimate::Unit::Nats, 0),
                )
            })
            .collect();
        run = run.with_reference(&pairs).map_err(errors::invalid)?;
    }
    let paths: Vec<PathBuf> = match model_file {
        None => Vec::new(),
        Some(f) => match f.extract::<PathBuf>() {
            Ok(path) => vec![path],
            Err(_) => f.extract().map_err(|_| {
                PyTypeError::new_err("model_file must be a path or a list of paths")
            })?,
        },
    };
    if model_file.is_some() && paths.is_empty() {
        return Err(errors::invalid("model_file: the list of models is empty"));
    }
    if paths.len() > 1 && save_model.is_some() {
        return Err(errors::invalid(
            "save_model: an ensemble's members are already files; nothing is trained to save",
        ));
    }
    let saved = paths
        .into_iter()
        .map(|path| {
            std::fs::read(&path)
                .map(|bytes| (path.clone(), bytes))
                .map_err(|e| errors::invalid(format!("cannot read {}: {e}", path.display())))
        })
        .collect::<PyResult<Vec<_>>>()?;
    let save = save_model.as_deref();
    match run.config().model {
        ModelChoice::Site => {
            lattice_model::<LatticeDenoiser>(py, &run, saved, save, seed, progress)
        }
        ModelChoice::Conv => lattice_model::<ConvDenoiser>(py, &run, saved, save, seed, progress),
    }
}

/// Train the model `M` (or load the `saved` ones: one model, or an ensemble), evaluate it,
/// optionally save it, and convert the result.
fn lattice_model<'py, M: LatticeModel + SavedModel + Send>(
    py: Python<'py>,
    run: &LatticeEntropy,
    saved: Vec<(PathBuf, Vec<u8>)>,
    save: Option<&Path>,
    seed: u64,
    progress: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let mut loaded = saved
        .into_iter()
        .map(|(path, bytes)| {
            run.load_model::<M>(&bytes).map_err(|e| {
                errors::invalid(format!(
                    "{} (is it a saved model=\"{}\" model?): {e}",
                    path.display(),
                    M::CHOICE.name()
                ))
            })
        })
        .collect::<PyResult<Vec<M>>>()?;
    if loaded.len() > 1 {
        let result = runtime::blocking(py, progress, |rt| {
            run.evaluate(loaded, Vec::new(), seed, rt)
        })?;
        return lattice_result(py, &result);
    }
    let result = runtime::blocking(py, progress, |rt| match loaded.pop() {
        Some(model) => run.evaluate(model, Vec::new(), seed, rt),
        None => run.run::<M, _>(seed, rt),
    })?;
    if let Some(path) = save {
        let bytes = result
            .model
            .to_json()
            .map_err(|e| errors::failed(e.into()))?;
        write_atomic(path, &bytes)
            .map_err(|e| errors::invalid(format!("cannot write {}: {e}", path.display())))?;
    }
    lattice_result(py, &result)
}

/// A lattice entropy run's result as a dict (the model itself stays in Rust).
fn lattice_result<'py, M>(
    py: Python<'py>,
    result: &LatticeEntropyResult<M>,
) -> PyResult<Bound<'py, PyAny>> {
    let out = PyDict::new(py);
    out.set_item("rows", to_python(py, &result.rows)?)?;
    out.set_item("generation", to_python(py, &result.generation)?)?;
    out.set_item("denoising", to_python(py, &result.denoising)?)?;
    out.set_item("losses", PyArray1::from_vec(py, result.losses.clone()))?;
    Ok(out.into_any())
}
