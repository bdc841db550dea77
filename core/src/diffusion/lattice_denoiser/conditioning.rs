//! [`Conditioning`]: what a lattice denoiser is conditioned on.
use super::super::DiffusionError;
#[cfg(doc)]
use super::LatticeDenoiser;
use alloc::vec::Vec;

/// What a [`LatticeDenoiser`] is conditioned on.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Conditioning {
    /// The temperature as a continuous input on [lo, hi] (features 1/T and T rescaled to
    /// [−1, 1]): one model for the whole range, usable between the training temperatures.
    Temperature {
        /// Lowest training temperature.
        lo: f64,
        /// Highest training temperature.
        hi: f64,
    },
    /// One class per training temperature (one-hot; the thesis' 31 labels).
    Labels(Vec<f64>),
}

impl Conditioning {
    /// # Errors
    /// [`DiffusionError::Parameter`] unless the temperatures are finite, positive and, for
    /// labels, distinct and non-empty (a range may be a single temperature).
    pub fn check(&self) -> Result<(), DiffusionError> {
        let ok = |t: f64| t.is_finite() && t > 0.0;
        let valid = match self {
            Self::Temperature { lo, hi } => ok(*lo) && ok(*hi) && lo <= hi,
            Self::Labels(ts) => {
                !ts.is_empty()
                    && ts.iter().all(|&t| ok(t))
                    && ts
                        .iter()
                        .enumerate()
                        .all(|(i, a)| ts[..i].iter().all(|b| a != b))
            }
        };
        if valid {
            Ok(())
        } else {
            Err(DiffusionError::Parameter(
                "conditioning temperatures must be finite, positive and (labels) distinct",
            ))
        }
    }

    /// Number of conditioning features.
    pub fn dim(&self) -> usize {
        match self {
            Self::Temperature { .. } => 2,
            Self::Labels(ts) => ts.len(),
        }
    }

    /// The lowest and highest training temperatures.
    pub fn range(&self) -> (f64, f64) {
        match self {
            Self::Temperature { lo, hi } => (*lo, *hi),
            Self::Labels(ts) => ts
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &t| {
                    (a.min(t), b.max(t))
                }),
        }
    }

    /// Write the features of temperature `t` into `out` (length [`Conditioning::dim`]).
    ///
    /// # Errors
    /// [`DiffusionError::Temperature`] if `t` is outside the range (relative tolerance 1e-9) or
    /// is not one of the labels.
    pub fn features(&self, t: f64, out: &mut [f64]) -> Result<(), DiffusionError> {
        let near = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs());
        let refuse = DiffusionError::Temperature {
            value: t,
            range: self.range(),
        };
        match self {
            Self::Temperature { lo, hi } => {
                if !(t.is_finite() && (t >= *lo || near(t, *lo)) && (t <= *hi || near(t, *hi))) {
                    return Err(refuse);
                }
                let mid = 0.5 * (lo + hi);
                let half = (0.5 * (hi - lo)).max(1e-12);
                out[0] = 1.0 / t;
                out[1] = ((t - mid) / half).clamp(-1.0, 1.0);
            }
            Self::Labels(ts) => {
                let k = ts.iter().position(|&l| near(l, t)).ok_or(refuse)?;
                out.iter_mut().for_each(|v| *v = 0.0);
                out[k] = 1.0;
            }
        }
        Ok(())
    }
}
