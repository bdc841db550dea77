//! [`entropy_suite`]: the standard list of entropy tasks.
use super::{EntropyTask, GaussianMixture, LinearMix, LogNormal, MultivariateStudent, Univariate};
use crate::entropy::EntropyError;
use alloc::boxed::Box;
use alloc::vec::Vec;

/// The entropy benchmark's tasks, d from 1 to 25, every random matrix drawn from `seed`:
/// linear mixes of Laplace (d = 1, 8, 25), uniform (d = 2, 10, and d = 8 with scales over four
/// decades), exponential (d = 4), logistic (d = 16) and Student-t(3) (d = 3) sources; the
/// multivariate Student's t with ν = 3 (d = 10) and ν = 5 (d = 25); a log-normal (d = 6); and
/// Gaussian mixtures with separated (d = 2) and overlapping (d = 8) components. Mixes other
/// than the anisotropic one have scales over a factor 4 (2 for d = 25).
///
/// # Errors
/// None for the built-in settings (the signature carries the constructors' checks).
pub fn entropy_suite(seed: u64) -> Result<Vec<Box<dyn EntropyTask>>, EntropyError> {
    let s = |k: u64| seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(k);
    let mix = |law, d, condition, k| -> Result<Box<dyn EntropyTask>, EntropyError> {
        Ok(Box::new(LinearMix::new(law, d, condition, s(k))?))
    };
    Ok(alloc::vec![
        mix(Univariate::Laplace, 1, 1.0, 0)?,
        mix(Univariate::Laplace, 8, 4.0, 1)?,
        mix(Univariate::Laplace, 25, 2.0, 2)?,
        mix(Univariate::Uniform, 2, 1.0, 3)?,
        mix(Univariate::Uniform, 10, 4.0, 4)?,
        mix(Univariate::Uniform, 8, 1e4, 5)?,
        mix(Univariate::Exponential, 4, 4.0, 6)?,
        mix(Univariate::Logistic, 16, 4.0, 7)?,
        mix(Univariate::StudentT(3), 3, 4.0, 8)?,
        Box::new(MultivariateStudent::new(10, 3, s(9))?),
        Box::new(MultivariateStudent::new(25, 5, s(10))?),
        Box::new(LogNormal::new(6, s(11))?),
        Box::new(GaussianMixture::new(2, 4, 8.0, s(12))?),
        Box::new(GaussianMixture::new(8, 4, 1.5, s(13))?),
    ])
}
