//! [`AdditiveNoise`]: Y = X + N with X uniform and N uniform noise.
use super::MutualInformationTask;
use crate::entropy::{EntropyError, Samples};
use crate::rng::{from_seed, uniform_f64};
use alloc::string::String;
use alloc::vec::Vec;

/// X ~ U(0, 1), Y = X + N with N ~ U(−ε, ε), ε ≤ ½: Y has a trapezoidal density (ramps of
/// width 2ε at both ends), h(Y) = ε and h(Y | X) = ln 2ε, so I = ε − ln 2ε.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdditiveNoise {
    eps: f64,
}

impl AdditiveNoise {
    /// # Errors
    /// [`EntropyError::Parameter`] unless 0 < ε ≤ ½.
    pub fn new(eps: f64) -> Result<Self, EntropyError> {
        if !(eps > 0.0 && eps <= 0.5) {
            return Err(EntropyError::Parameter(
                "the noise half-width must be in (0, ½]",
            ));
        }
        Ok(Self { eps })
    }

    /// The trapezoidal density of Y.
    fn density_y(&self, y: f64) -> f64 {
        let e = self.eps;
        ((y + e).min(1.0 + e - y) / (2.0 * e)).clamp(0.0, 1.0)
    }
}

impl MutualInformationTask for AdditiveNoise {
    fn name(&self) -> String {
        alloc::format!("additive-noise-eps{}", self.eps)
    }

    fn dims(&self) -> (usize, usize) {
        (1, 1)
    }

    fn mutual_information(&self) -> f64 {
        self.eps - libm::log(2.0 * self.eps)
    }

    fn pointwise(&self, _x: &[f64], y: &[f64]) -> f64 {
        -libm::log(2.0 * self.eps) - libm::log(self.density_y(y[0]))
    }

    fn sample(&self, n: usize, seed: u64) -> Result<(Samples, Samples), EntropyError> {
        let mut rng = from_seed(seed);
        let (mut x, mut y) = (Vec::with_capacity(n), Vec::with_capacity(n));
        for _ in 0..n {
            let u = uniform_f64(&mut rng);
            x.push(u);
            y.push(u + self.eps * (2.0 * uniform_f64(&mut rng) - 1.0));
        }
        Ok((Samples::new(x, 1)?, Samples::new(y, 1)?))
    }
}
