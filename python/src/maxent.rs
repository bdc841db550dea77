//! `entropic.maxent`: the Min-MaxEnt experiments of the paper ([`MaxentPca`], Fig. 2;
//! [`MaxentBimodal`], Fig. 3–4), configured by keywords named as their config fields.
use crate::config::from_kwargs;
use crate::files::{check_checkpoint, read_checkpoint, write_atomic};
use crate::json::to_python;
use crate::{errors, runtime};
use entropic::experiment::{
    DigitsCheckpoint, DigitsRow, DigitsScorer, DigitsTrainer, ExperimentError, MaxentBimodal,
    MaxentBimodalConfig, MaxentDigits, MaxentDigitsConfig, MaxentPca, MaxentPcaConfig,
};
use entropic::train::{Executor, Stopped};
use numpy::{PyArray1, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::path::PathBuf;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(pca, m)?)?;
    m.add_function(wrap_pyfunction!(bimodal, m)?)?;
    m.add_function(wrap_pyfunction!(digits, m)?)?;
    m.add_class::<DigitsModel>()?;
    Ok(())
}

/// PCA as a Min-MaxEnt solution (paper Fig. 2; the CLI's `maxent pca`): 2D Gaussian data, the
/// observable (θ·x)² with a learned direction θ; training minimises the model's entropy, which
/// turns θ to the smaller principal axis.
///
/// Config keywords (the core's defaults): sigma, the data's covariance [Σ11, Σ22, Σ12]
/// ([3, 2, 1]); samples (20000); walkers (4000); iterations (600); leapfrog (0: random-walk
/// Metropolis walkers, 1: MALA, > 1: HMC with that many leapfrog steps).
///
/// Returns a dict: sigma, sample_sigma (2×2), theta, pca_angle_sample, pca_angle_true,
/// angle_error (radians), lambda, entropy_at_theta, entropy_minimum, and reports: one array
/// per quantity over the iterations (iteration, chi2, acceptance, lambda, theta_gradient_norm).
#[pyfunction]
#[pyo3(signature = (*, seed=0, progress=None, **config))]
fn pca<'py>(
    py: Python<'py>,
    seed: u64,
    progress: Option<&Bound<'py, PyAny>>,
    config: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let config: MaxentPcaConfig = from_kwargs("maxent.pca", config)?;
    let run = MaxentPca::new(config).map_err(errors::invalid)?;
    let result = runtime::blocking(py, progress, |rt| run.run(seed, rt))?;
    to_python(py, &result)
}

/// 1D bimodal data: Min-MaxEnt against a VAE and the mean + variance MaxEnt model (paper
/// Fig. 3–4; the CLI's `maxent bimodal`).
///
/// Config keywords (the core's defaults): case ("gaussian": ½ N(−2, 0.5²) + ½ N(2, 0.5²), 1000
/// samples; "gaussian10": the same from 10 samples; "cauchy": two Cauchy bumps; "gaussian");
/// seeds (5); epochs (1000 Min-MaxEnt iterations); vae_epochs (= epochs); walkers (1000); grid
/// (2001 quadrature nodes); leapfrog (0, as for `pca`).
///
/// Returns a dict: grid and real (the data's density on it), and seeds: one array per quantity
/// with a row per seed — seed, minmaxent_kl, minmaxent_entropy and vae_kl per epoch,
/// gaussian_kl, the final densities (minmaxent_density, vae_density, gaussian_density) — and
/// reports, one dict of per-iteration arrays per seed.
#[pyfunction]
#[pyo3(signature = (*, seed=0, progress=None, **config))]
fn bimodal<'py>(
    py: Python<'py>,
    seed: u64,
    progress: Option<&Bound<'py, PyAny>>,
    config: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let config: MaxentBimodalConfig = from_kwargs("maxent.bimodal", config)?;
    let run = MaxentBimodal::new(config).map_err(errors::invalid)?;
    let result = runtime::blocking(py, progress, |rt| run.run(seed, rt))?;
    to_python(py, &result)
}

/// A Min-MaxEnt digits run (trained or paused): its history and its walkers, each a generated
/// 8×8 digit.
#[pyclass(module = "entropic.maxent", frozen)]
#[derive(Debug)]
pub struct DigitsModel {
    run: MaxentDigits,
    trainer: DigitsTrainer,
    history: Vec<DigitsRow>,
    seed: u64,
}

/// The checkpoint of a digits run as JSON bytes.
fn checkpoint_bytes(
    run: &MaxentDigits,
    trainer: &DigitsTrainer,
    history: &[DigitsRow],
) -> Result<Vec<u8>, ExperimentError> {
    let c = DigitsCheckpoint::new(run.config().images, trainer, history)?;
    serde_json::to_vec(&c).map_err(|_| ExperimentError::Checkpoint("could not be serialised"))
}

/// Min-MaxEnt with CNN observables on the 8×8 digits (paper Fig. 5; the CLI's `maxent digits
/// train`): λ by χ² descent, θ by the entropy gradient, persistent walkers as the generated
/// digits.
///
/// Config keywords (the core's defaults): images (200), walkers (400), epochs (600), sweeps
/// (4), leapfrog (0), precondition (False), lambda_rate (0.05), theta_rate (0.001), channels
/// ([4, 8]), outputs (16), entropy_every (100; 0 never).
///
/// checkpoint: a path written atomically every epoch (the CLI's checkpoint.json format; a new
/// run refuses a path that already holds a file);
/// resume=True continues the run saved there (every setting the training depends on is the
/// checkpoint's and overrides the config keywords, which give only entropy_every; give the seed
/// the run was started with: the entropy estimates draw from it);
/// pause_after: stop once that many epochs are done.
#[pyfunction]
#[pyo3(signature = (*, seed=0, checkpoint=None, resume=false, pause_after=None, progress=None, **config))]
fn digits(
    py: Python<'_>,
    seed: u64,
    checkpoint: Option<PathBuf>,
    resume: bool,
    pause_after: Option<usize>,
    progress: Option<&Bound<'_, PyAny>>,
    config: Option<&Bound<'_, PyDict>>,
) -> PyResult<DigitsModel> {
    let given: MaxentDigitsConfig = from_kwargs("maxent.digits", config)?;
    let (run, trainer, history) = if resume {
        let Some(path) = &checkpoint else {
            return Err(errors::invalid("resume=True needs checkpoint=PATH"));
        };
        let (c, trainer) = read_checkpoint(path, DigitsCheckpoint::read)?;
        let config = c
            .config(&trainer, given)
            .map_err(|e| errors::invalid(format!("cannot resume from {}: {e}", path.display())))?;
        let run = MaxentDigits::new(config).map_err(errors::invalid)?;
        (run, trainer, c.history)
    } else {
        let run = MaxentDigits::new(given).map_err(errors::invalid)?;
        let trainer = run.trainer(seed).map_err(errors::invalid)?;
        (run, trainer, Vec::new())
    };
    check_checkpoint(checkpoint.as_deref(), resume)?;
    let executor = Executor {
        chunk: 1,
        checkpoint_every: 1,
        pause_after,
    };
    let (trainer, history) = runtime::blocking(py, progress, |rt| {
        let (mut trainer, mut history) = (trainer, history);
        let stopped = run.train(
            &mut trainer,
            &mut history,
            executor,
            seed,
            rt,
            |t, h, due| {
                if let (true, Some(path)) = (due, &checkpoint) {
                    let bytes = checkpoint_bytes(&run, t, h)?;
                    write_atomic(path, &bytes)
                        .map_err(|_| ExperimentError::Checkpoint("could not be written"))?;
                }
                Ok::<_, ExperimentError>(())
            },
        )?;
        match stopped {
            Stopped::Cancelled { .. } => Err(ExperimentError::Cancelled),
            _ => Ok((trainer, history)),
        }
    })?;
    Ok(DigitsModel {
        run,
        trainer,
        history,
        seed,
    })
}

#[pymethods]
impl DigitsModel {
    /// Epochs completed.
    #[getter]
    fn epoch(&self) -> usize {
        self.trainer.iteration()
    }

    /// The run's config (pass it back as keywords to train the same run again).
    #[getter]
    fn config<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, self.run.config())
    }

    /// One array per quantity over the epochs: epoch, chi2, acceptance, theta_gradient_norm,
    /// lambda_norm, and entropy ((value, error) rows where estimated, else None).
    #[getter]
    fn history<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.history)
    }

    /// The walkers, each a generated digit: an array (walkers, 8, 8) of pixel values in [0, 1]
    /// (the 8×8 digits' intensities divided by 16).
    fn samples<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let x = self.trainer.walkers().positions().to_vec();
        let n = self.trainer.walkers().len();
        Ok(PyArray1::from_vec(py, x).reshape([n, 8, 8])?.into_any())
    }

    /// How the generated digits score with an independently trained classifier (the CLI's
    /// table): confident (share classified with probability > 0.9), histogram (per class),
    /// to_training / to_unseen (mean nearest distances), gap, unseen_to_training. Trains the
    /// classifier first (a few seconds; draws from the run's seed).
    fn score<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (images, seed) = (self.run.config().images, self.seed);
        let samples = self.trainer.walkers().positions().to_vec();
        let score = runtime::blocking(py, None, |_| {
            DigitsScorer::new(images, seed)?.score(&samples)
        })?;
        to_python(py, &score)
    }

    /// Save the run as a checkpoint (the CLI's checkpoint.json format), atomically.
    fn save(&self, path: PathBuf) -> PyResult<()> {
        let bytes =
            checkpoint_bytes(&self.run, &self.trainer, &self.history).map_err(errors::failed)?;
        write_atomic(&path, &bytes)
            .map_err(|e| errors::invalid(format!("cannot write {}: {e}", path.display())))
    }

    fn __repr__(&self) -> String {
        format!(
            "DigitsModel(epoch={}/{}, walkers={}, seed={})",
            self.trainer.iteration(),
            self.trainer.params().iterations,
            self.trainer.walkers().len(),
            self.seed
        )
    }
}
