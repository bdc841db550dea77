//! `entropic.maxent`: the Min-MaxEnt experiments of the paper ([`MaxentPca`], Fig. 2;
//! [`MaxentBimodal`], Fig. 3–4), configured by keywords named as their config fields.
use crate::config::from_kwargs;
use crate::json::to_python;
use crate::{errors, runtime};
use entropic::experiment::{MaxentBimodal, MaxentBimodalConfig, MaxentPca, MaxentPcaConfig};
use pyo3::prelude::*;
use pyo3::types::PyDict;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(pca, m)?)?;
    m.add_function(wrap_pyfunction!(bimodal, m)?)?;
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
