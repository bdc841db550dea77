//! `entropic.latent`: the latent-cycle generative model of the nonequilibrium paper
//! ([`LatentTrain`] on the embedded binarised MNIST 0/1/2), trained from keywords named as its
//! config fields, checkpointed after every epoch, resumable, and generating sequences.
use crate::config::from_kwargs;
use crate::files::{check_checkpoint, read_checkpoint, write_atomic};
use crate::json::to_python;
use crate::{errors, runtime};
use entropic::experiment::{
    Diagnosis, EpochRow, ExperimentError, LabelledImages, LatentCheckpoint, LatentTrain,
    LatentTrainConfig, check_memory,
};
use entropic::latent::Trainer;
use entropic::rng::from_seed;
use numpy::{PyArray1, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use std::path::PathBuf;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(train, m)?)?;
    m.add_class::<LatentModel>()?;
    Ok(())
}

/// A trained (or paused) latent-cycle run: its history, final diagnostics and the model with its
/// persistent chains.
#[pyclass(module = "entropic.latent", frozen)]
#[derive(Debug)]
pub struct LatentModel {
    run: LatentTrain,
    trainer: Trainer,
    history: Vec<EpochRow>,
    diagnosis: Option<Diagnosis>,
    seed: u64,
}

/// The checkpoint of a run as JSON bytes.
fn checkpoint_bytes(
    run: &LatentTrain,
    trainer: &Trainer,
    history: &[EpochRow],
    seed: u64,
) -> Result<Vec<u8>, ExperimentError> {
    let c = LatentCheckpoint::new(run, trainer, history, seed)?;
    serde_json::to_vec(&c).map_err(|_| ExperimentError::Checkpoint("could not be serialised"))
}

/// Train a latent-cycle model (the CLI's `latent train`) on the embedded binarised MNIST 0/1/2.
///
/// Config keywords (the core's defaults; `entropic latent train --print-config` shows them):
/// training (a dict of the trainer's settings: hidden, encoding, steps, chains, learning_rate,
/// rms_decay, batch_start, batch_end, epochs, updates_per_epoch, rule, …), per_class,
/// diagnostic_steps, final_steps.
///
/// checkpoint: a path written atomically after every epoch (the CLI's checkpoint.json format; a
/// new run refuses a path that already holds a file);
/// resume=True continues the run saved there (its config is the checkpoint's: give no config
/// keywords); pause_after: stop after that many epochs (the returned model has no diagnosis).
/// Diagnostics after epoch e draw from the stream (seed, e + 1), so a paused and resumed run
/// ends with the same bits as one run straight through.
#[pyfunction]
#[pyo3(signature = (*, seed=0, checkpoint=None, resume=false, pause_after=None, progress=None, **config))]
fn train(
    py: Python<'_>,
    seed: u64,
    checkpoint: Option<PathBuf>,
    resume: bool,
    pause_after: Option<usize>,
    progress: Option<&Bound<'_, PyAny>>,
    config: Option<&Bound<'_, PyDict>>,
) -> PyResult<LatentModel> {
    let (run, trainer, history, seed) = if resume {
        let Some(path) = &checkpoint else {
            return Err(errors::invalid("resume=True needs checkpoint=PATH"));
        };
        if config.is_some_and(|c| !c.is_empty()) {
            return Err(errors::invalid(
                "a resumed run keeps its checkpoint's config: give no config keywords",
            ));
        }
        let (c, trainer) = read_checkpoint(path, LatentCheckpoint::read)?;
        let config = c.config(&trainer);
        let run = LatentTrain::new(config.clone(), images(&config)?).map_err(errors::invalid)?;
        (run, trainer, c.history, c.seed)
    } else {
        let config: LatentTrainConfig = from_kwargs("latent.train", config)?;
        let run = LatentTrain::new(config.clone(), images(&config)?).map_err(errors::invalid)?;
        let trainer = run.trainer(seed).map_err(errors::invalid)?;
        (run, trainer, Vec::new(), seed)
    };
    check_checkpoint(checkpoint.as_deref(), resume)?;
    let epochs = trainer.params().epochs;
    let pause = pause_after.filter(|&p| p < epochs);
    let save = |t: &Trainer, h: &[EpochRow]| -> Result<(), ExperimentError> {
        if let Some(path) = &checkpoint {
            let bytes = checkpoint_bytes(&run, t, h, seed)?;
            write_atomic(path, &bytes)
                .map_err(|_| ExperimentError::Checkpoint("could not be written"))?;
        }
        Ok(())
    };
    let (trainer, history, diagnosis) = runtime::blocking(py, progress, |rt| {
        let (mut trainer, mut history) = (trainer, history);
        match pause {
            Some(p) => {
                run.train_until(&mut trainer, &mut history, p, seed, rt, save)?;
                Ok((trainer, history, None))
            }
            None => {
                let o = run.finish(trainer, history, seed, rt, save)?;
                Ok((o.trainer, o.history, Some(o.last)))
            }
        }
    })?;
    Ok(LatentModel {
        run,
        trainer,
        history,
        diagnosis,
        seed,
    })
}

/// The embedded images the config asks for.
fn images(config: &LatentTrainConfig) -> PyResult<LabelledImages> {
    LabelledImages::mnist012(config.per_class).map_err(errors::invalid)
}

#[pymethods]
impl LatentModel {
    /// Epochs completed.
    #[getter]
    fn epoch(&self) -> usize {
        self.trainer.epoch()
    }

    /// The run's seed.
    #[getter]
    fn seed(&self) -> u64 {
        self.seed
    }

    /// The run's config (a dict; pass it back as keywords to train the same run again).
    #[getter]
    fn config<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, self.run.config())
    }

    /// One array per column of the per-epoch diagnostics: epoch, batch, fast_ll, ll, ll_err,
    /// sigma (Rao-Blackwellised), sigma_counted, sigma_model, tau, mean_diagonal, kl.
    #[getter]
    fn history<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let out = PyDict::new(py);
        let rows = &self.history;
        let column = |name: &str, f: fn(&EpochRow) -> f64| {
            out.set_item(name, PyArray1::from_vec(py, rows.iter().map(f).collect()))
        };
        out.set_item(
            "epoch",
            PyArray1::from_vec(py, rows.iter().map(|r| r.epoch as u64).collect()),
        )?;
        out.set_item(
            "batch",
            PyArray1::from_vec(py, rows.iter().map(|r| r.batch as u64).collect()),
        )?;
        column("fast_ll", |r| r.fast_ll)?;
        column("ll", |r| r.ll)?;
        column("ll_err", |r| r.ll_err)?;
        column("sigma", |r| r.sigma)?;
        column("sigma_counted", |r| r.sigma_counted)?;
        column("sigma_model", |r| r.sigma_model)?;
        column("tau", |r| r.tau)?;
        column("mean_diagonal", |r| r.mean_diagonal)?;
        column("kl", |r| r.kl)?;
        Ok(out)
    }

    /// The final diagnostics (None for a paused run): ll (log-likelihood per image with its
    /// error), dynamics (the latent transition matrix M, decorrelation time, spectrum, σ),
    /// sigma (entropy production three ways with error bars), occupancy, balance (generated
    /// class proportions and their KL), tied_ll, path.
    #[getter]
    fn diagnosis<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match &self.diagnosis {
            Some(d) => to_python(py, d),
            None => Ok(py.None().into_bound(py)),
        }
    }

    /// Generate: a copy of the persistent chains, each run `steps` double steps on from where
    /// training left it (draws from `seed`). Returns (x, z): x of shape (chains, steps, 28, 28)
    /// (binary pixels as float64), z of shape (chains, steps) (latent state indices).
    #[pyo3(signature = (steps=13, seed=0))]
    fn generate<'py>(
        &self,
        py: Python<'py>,
        steps: usize,
        seed: u64,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let chains = self.trainer.chains().len();
        let pixels = self.trainer.model().dim();
        check_memory("the generated sequences", &[chains, steps, pixels, 8])
            .map_err(errors::invalid)?;
        let trainer = &self.trainer;
        let s = py.detach(|| trainer.generate(steps, &mut from_seed(seed)));
        let side = entropic::data::Mnist012::SIDE;
        let x = PyArray1::from_vec(py, s.x).reshape([chains, steps, side, side])?;
        let z = PyArray1::from_vec(py, s.states.into_iter().map(|k| k as i64).collect())
            .reshape([chains, steps])?;
        PyTuple::new(py, [x.into_any(), z.into_any()])
    }

    /// Save the run as a checkpoint (the CLI's checkpoint.json format), atomically.
    fn save(&self, path: PathBuf) -> PyResult<()> {
        let bytes = checkpoint_bytes(&self.run, &self.trainer, &self.history, self.seed)
            .map_err(errors::failed)?;
        write_atomic(&path, &bytes)
            .map_err(|e| errors::invalid(format!("cannot write {}: {e}", path.display())))
    }

    fn __repr__(&self) -> String {
        format!(
            "LatentModel(epoch={}/{}, hidden={}, seed={})",
            self.trainer.epoch(),
            self.trainer.params().epochs,
            self.trainer.model().hidden(),
            self.seed
        )
    }
}
