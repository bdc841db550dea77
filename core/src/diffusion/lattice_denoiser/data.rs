//! [`LatticeData`]: the training configurations of a lattice denoiser.
use super::super::{DiffusionError, SpinKind};
#[cfg(doc)]
use super::LatticeDenoiser;
use alloc::vec::Vec;

/// Spin configurations of an L×L periodic lattice (±1 Ising spins or planar unit vectors), each
/// with the temperature it was sampled at: the training data of a [`LatticeDenoiser`].
#[derive(Clone, Debug, PartialEq)]
pub struct LatticeData {
    kind: SpinKind,
    side: usize,
    spins: Vec<f64>,
    pub(super) temperatures: Vec<f64>,
}

impl LatticeData {
    /// `spins` row-major n×L² (each ±1), one temperature per configuration.
    ///
    /// # Errors
    /// [`DiffusionError::Shape`] for L < 2, no configurations, mismatched lengths, spins other than
    /// ±1 or temperatures that are not finite and positive.
    pub fn new(
        side: usize,
        spins: Vec<f64>,
        temperatures: Vec<f64>,
    ) -> Result<Self, DiffusionError> {
        check_shape(side, spins.len(), &temperatures)?;
        if spins.iter().any(|&s| s != 1.0 && s != -1.0) {
            return Err(DiffusionError::Shape("spins must be ±1"));
        }
        Ok(Self {
            kind: SpinKind::Ising,
            side,
            spins,
            temperatures,
        })
    }

    /// XY configurations from `angles` row-major n×L² (radians, any finite value), stored as
    /// unit vectors (cos θ, sin θ), one temperature per configuration.
    ///
    /// # Errors
    /// [`DiffusionError::Shape`] for L < 2, no configurations, mismatched lengths, angles that
    /// are not finite or temperatures that are not finite and positive.
    pub fn planar(
        side: usize,
        angles: &[f64],
        temperatures: Vec<f64>,
    ) -> Result<Self, DiffusionError> {
        check_shape(side, angles.len(), &temperatures)?;
        if angles.iter().any(|a| !a.is_finite()) {
            return Err(DiffusionError::Shape("angles must be finite"));
        }
        Ok(Self {
            kind: SpinKind::Planar,
            side,
            spins: angles
                .iter()
                .flat_map(|&a| [libm::cos(a), libm::sin(a)])
                .collect(),
            temperatures,
        })
    }

    /// What each site holds.
    pub fn kind(&self) -> SpinKind {
        self.kind
    }

    /// Number of configurations.
    pub fn len(&self) -> usize {
        self.temperatures.len()
    }

    /// Always false (construction refuses empty data).
    pub fn is_empty(&self) -> bool {
        self.temperatures.is_empty()
    }

    /// Lattice side L.
    pub fn side(&self) -> usize {
        self.side
    }

    /// Configuration `i` (L² spins, [`SpinKind::components`] coordinates each).
    pub fn config(&self, i: usize) -> &[f64] {
        let n = self.side * self.side * self.kind.components();
        &self.spins[i * n..(i + 1) * n]
    }

    /// Temperature of configuration `i`.
    pub fn temperature(&self, i: usize) -> f64 {
        self.temperatures[i]
    }
}

/// L ≥ 2, at least one configuration, L² values per temperature, temperatures finite and > 0.
fn check_shape(side: usize, values: usize, temperatures: &[f64]) -> Result<(), DiffusionError> {
    let n = side.saturating_mul(side);
    if side < 2 || temperatures.is_empty() || values != temperatures.len().saturating_mul(n) {
        return Err(DiffusionError::Shape(
            "need L ≥ 2 and one temperature per L×L configuration",
        ));
    }
    if temperatures.iter().any(|&t| !(t.is_finite() && t > 0.0)) {
        return Err(DiffusionError::Shape(
            "temperatures must be finite and positive",
        ));
    }
    Ok(())
}
