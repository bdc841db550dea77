//! [`SpinConfigurations`]: equilibrium lattice configurations per temperature, the data a
//! lattice entropy run learns from and compares with.
use crate::diffusion::SpinKind;
use crate::experiment::{Chain, Configs, ExperimentError, LatticeSample, concatenate};
use crate::lattice::{Ising, Square, Xy, vortex_density};
use alloc::vec::Vec;
use core::f64::consts::TAU;

/// Configurations on an L×L torus, the same number at each of an increasing list of
/// temperatures, as `entropic lattice sample` writes them (`configs.npy`, temperatures × samples ×
/// L × L): ±1 spins ([`SpinKind::Ising`]) or angles in [0, 2π) ([`SpinKind::Planar`]).
///
/// Where the Hamiltonian the configurations were drawn from is known ([`Self::with_hamiltonian`]),
/// it gives the exact references and the per-site model's coupling, and the energies are
/// its own; where it is not, the energies are those of H = −Σ_⟨ij⟩ sᵢ·sⱼ (J = 1, no field), a
/// summary statistic the generation check compares, and a run has no exact reference.
#[derive(Clone, Debug, PartialEq)]
pub struct SpinConfigurations {
    kind: SpinKind,
    side: usize,
    temperatures: Vec<f64>,
    per_temperature: usize,
    raw: Vec<f64>,
    hamiltonian: Option<Hamiltonian>,
}

/// A Hamiltonian on the square lattice, H = −J Σ_⟨ij⟩ sᵢ·sⱼ − J₂ Σ_⟨⟨ij⟩⟩ sᵢsⱼ − h Σᵢ sᵢ (XY:
/// the field along the x axis, and J₂ = 0), the form `entropic lattice sample` draws from.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Hamiltonian {
    /// The coupling J (positive: ferromagnet).
    pub coupling: f64,
    /// The field h.
    pub field: f64,
    /// The next-nearest-neighbour (diagonal) coupling J₂ (Ising only); absent in metadata
    /// written before it existed (then 0).
    #[cfg_attr(feature = "serde", serde(default))]
    pub next_nearest: f64,
}

impl Hamiltonian {
    /// The nearest-neighbour Hamiltonian with coupling J and no field.
    pub fn coupling(coupling: f64) -> Self {
        Self {
            coupling,
            field: 0.0,
            next_nearest: 0.0,
        }
    }
}

impl SpinConfigurations {
    /// Wrap `raw` (temperature-major, then configuration, then site in row-major order). The
    /// temperature blocks are put in increasing order of temperature (the order every result
    /// table uses), whatever order they come in.
    ///
    /// # Errors
    /// [`ExperimentError::Config`] (field `data`) unless L ≥ 2, there is at least one temperature
    /// and two configurations per temperature, `raw` has temperatures × per_temperature × L² values,
    /// every value is a ±1 spin (Ising) or an angle in [0, 2π] (planar), and the temperatures are
    /// finite, positive and distinct.
    pub fn new(
        kind: SpinKind,
        side: usize,
        temperatures: Vec<f64>,
        per_temperature: usize,
        raw: Vec<f64>,
    ) -> Result<Self, ExperimentError> {
        let bad = |reason: &str| Err(ExperimentError::config("data", reason));
        if side < 2 || temperatures.is_empty() || per_temperature < 2 {
            return bad("needs L ≥ 2, at least one temperature and two configurations at each");
        }
        let expected = side
            .checked_mul(side)
            .and_then(|s| s.checked_mul(per_temperature))
            .and_then(|s| s.checked_mul(temperatures.len()));
        if expected != Some(raw.len()) {
            return bad("holds a number of values other than temperatures × samples × L × L");
        }
        match kind {
            SpinKind::Ising => {
                if let Some(v) = raw.iter().find(|&&v| v != 1.0 && v != -1.0) {
                    return Err(ExperimentError::config(
                        "data",
                        alloc::format!(
                            "must hold ±1 Ising spins, found {v} (XY angles are planar data)"
                        ),
                    ));
                }
            }
            SpinKind::Planar => {
                if let Some(v) = raw.iter().find(|v| !(0.0..=TAU).contains(*v)) {
                    return Err(ExperimentError::config(
                        "data",
                        alloc::format!(
                            "must hold XY angles in [0, 2π], found {v} (±1 spins are Ising data)"
                        ),
                    ));
                }
            }
        }
        if temperatures.iter().any(|t| !(t.is_finite() && *t > 0.0)) {
            return bad("temperatures must be finite and positive");
        }
        let mut order: Vec<usize> = (0..temperatures.len()).collect();
        order.sort_by(|&a, &b| temperatures[a].total_cmp(&temperatures[b]));
        if order
            .windows(2)
            .any(|w| temperatures[w[0]] == temperatures[w[1]])
        {
            return bad("temperatures must be distinct");
        }
        let block = per_temperature * side * side;
        let raw = if order.iter().enumerate().all(|(i, &k)| i == k) {
            raw
        } else {
            order
                .iter()
                .flat_map(|&k| raw[k * block..(k + 1) * block].iter().copied())
                .collect()
        };
        Ok(Self {
            kind,
            side,
            temperatures: order.iter().map(|&k| temperatures[k]).collect(),
            per_temperature,
            raw,
            hamiltonian: None,
        })
    }

    /// State the Hamiltonian the configurations were drawn from.
    ///
    /// # Errors
    /// [`ExperimentError::Config`] (field `hamiltonian`) for a coupling or field that is not
    /// finite, or a next-nearest coupling for planar spins.
    pub fn with_hamiltonian(mut self, hamiltonian: Hamiltonian) -> Result<Self, ExperimentError> {
        let h = hamiltonian;
        if !(h.coupling.is_finite() && h.field.is_finite() && h.next_nearest.is_finite()) {
            return Err(ExperimentError::config(
                "hamiltonian",
                "the couplings and the field must be finite",
            ));
        }
        if h.next_nearest != 0.0 && self.kind == SpinKind::Planar {
            return Err(ExperimentError::config(
                "hamiltonian",
                "planar (XY) data have nearest-neighbour couplings only (J₂ = 0)",
            ));
        }
        self.hamiltonian = Some(hamiltonian);
        Ok(self)
    }

    /// The Hamiltonian the configurations were drawn from, where stated.
    pub fn hamiltonian(&self) -> Option<Hamiltonian> {
        self.hamiltonian
    }

    /// The configurations a [`LatticeSample`] run produced (`chains`, its result).
    ///
    /// # Errors
    /// As [`Self::new`], e.g. for fewer than two samples per temperature or chains of another
    /// run.
    pub fn from_sample(run: &LatticeSample, chains: &[Chain]) -> Result<Self, ExperimentError> {
        let temperatures = run.temperatures().iter().map(|t| t.value()).collect();
        let (kind, raw) = match concatenate(chains) {
            Configs::Spins(s) => (SpinKind::Ising, s.into_iter().map(f64::from).collect()),
            Configs::Angles(a) => (SpinKind::Planar, a),
        };
        let config = run.config();
        Self::new(kind, config.chain.size, temperatures, config.samples, raw)?.with_hamiltonian(
            Hamiltonian {
                coupling: config.chain.coupling,
                field: config.chain.field,
                next_nearest: config.chain.next_nearest,
            },
        )
    }

    /// What each site holds.
    pub fn kind(&self) -> SpinKind {
        self.kind
    }

    /// Lattice side L.
    pub fn side(&self) -> usize {
        self.side
    }

    /// Sites L².
    pub fn sites(&self) -> usize {
        self.side * self.side
    }

    /// The temperatures, increasing.
    pub fn temperatures(&self) -> &[f64] {
        &self.temperatures
    }

    /// Configurations per temperature.
    pub fn per_temperature(&self) -> usize {
        self.per_temperature
    }

    /// Raw values (spins or angles) of configurations [lo, hi) of temperature k.
    ///
    /// # Panics
    /// If k or hi are out of range.
    pub fn raw(&self, k: usize, lo: usize, hi: usize) -> &[f64] {
        let (n, s) = (self.per_temperature, self.sites());
        &self.raw[(k * n + lo) * s..(k * n + hi) * s]
    }

    /// Model coordinates (±1, or cos θ, sin θ per site) of configurations [lo, hi) of
    /// temperature k.
    pub fn values(&self, k: usize, lo: usize, hi: usize) -> Vec<f64> {
        let raw = self.raw(k, lo, hi);
        match self.kind {
            SpinKind::Ising => raw.to_vec(),
            SpinKind::Planar => raw
                .iter()
                .flat_map(|&a| [libm::cos(a), libm::sin(a)])
                .collect(),
        }
    }

    /// Raw values of model coordinates: the sign of each Ising coordinate, the angle in [0, 2π)
    /// of each planar pair.
    pub fn raw_from_values(&self, x: &[f64]) -> Vec<f64> {
        match self.kind {
            SpinKind::Ising => x
                .iter()
                .map(|&v| if v >= 0.0 { 1.0 } else { -1.0 })
                .collect(),
            SpinKind::Planar => x
                .chunks(2)
                .map(|p| match libm::atan2(p[1], p[0]) {
                    a if a < 0.0 => a + TAU,
                    a => a,
                })
                .collect(),
        }
    }

    /// Index of the data temperature nearest `t`, if within half the grid's smallest spacing (or
    /// equal to it within rounding).
    ///
    /// # Errors
    /// [`ExperimentError::Config`] naming `field` for a temperature away from the data's.
    pub fn index_of(&self, field: &'static str, t: f64) -> Result<usize, ExperimentError> {
        let spacing = self
            .temperatures
            .windows(2)
            .map(|w| w[1] - w[0])
            .fold(f64::INFINITY, f64::min);
        let (k, gap) = self
            .temperatures
            .iter()
            .enumerate()
            .map(|(k, &v)| (k, (v - t).abs()))
            .fold((0, f64::INFINITY), |a, b| if b.1 < a.1 { b } else { a });
        if gap <= 0.5 * spacing || gap <= 1e-9 * t.abs().max(1.0) {
            Ok(k)
        } else {
            let last = self.temperatures[self.temperatures.len() - 1];
            Err(ExperimentError::config(
                field,
                alloc::format!(
                    "temperature {t} is not near one of the data's ({:.4} … {last:.4})",
                    self.temperatures[0]
                ),
            ))
        }
    }

    /// Energy per spin (of the stated Hamiltonian, else J = 1 and no field) and |m| per spin
    /// of each configuration given by raw values.
    ///
    /// # Errors
    /// [`ExperimentError::Lattice`] for values that are not this kind's.
    pub fn observables(&self, raw: &[f64]) -> Result<(Vec<f64>, Vec<f64>), ExperimentError> {
        let lattice = Square::with_side(self.side)?;
        let h = self.hamiltonian.unwrap_or(Hamiltonian::coupling(1.0));
        let (mut e, mut m) = (Vec::new(), Vec::new());
        match self.kind {
            SpinKind::Ising => {
                let model =
                    Ising::new(lattice, h.coupling, h.field)?.with_next_nearest(h.next_nearest)?;
                for c in raw.chunks(self.sites()) {
                    let state = model.state_from_spins(c.iter().map(|&v| v as i8).collect())?;
                    e.push(model.energy_per_spin(&state));
                    m.push(model.abs_magnetization_per_spin(&state));
                }
            }
            SpinKind::Planar => {
                let model = Xy::new(lattice, h.coupling, h.field)?;
                for c in raw.chunks(self.sites()) {
                    let state = model.state_from_angles(c)?;
                    e.push(model.energy_per_spin(&state));
                    m.push(model.abs_magnetization_per_spin(&state));
                }
            }
        }
        Ok((e, m))
    }

    /// Vortices plus antivortices per site ([`vortex_density`]) of each planar configuration
    /// given by raw values; `None` for Ising spins.
    ///
    /// # Errors
    /// [`ExperimentError::Lattice`] for values that are not angles.
    pub fn vortices(&self, raw: &[f64]) -> Result<Option<Vec<f64>>, ExperimentError> {
        if self.kind == SpinKind::Ising {
            return Ok(None);
        }
        let model = Xy::new(Square::with_side(self.side)?, 1.0, 0.0)?;
        raw.chunks(self.sites())
            .map(|c| Ok(vortex_density(&model, &model.state_from_angles(c)?)))
            .collect::<Result<Vec<f64>, ExperimentError>>()
            .map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn temperature_blocks_are_put_in_increasing_order() {
        // Two temperatures given high first; each block's configurations are recognisable.
        let hot = [1.0, -1.0, 1.0, -1.0];
        let cold = [1.0, 1.0, 1.0, 1.0];
        let raw: Vec<f64> = [hot, hot, cold, cold].concat();
        let c = SpinConfigurations::new(SpinKind::Ising, 2, vec![3.0, 1.0], 2, raw).unwrap();
        assert_eq!(c.temperatures(), &[1.0, 3.0]);
        assert_eq!(c.raw[..8], [cold, cold].concat()[..]);
        assert_eq!(c.raw[8..], [hot, hot].concat()[..]);
        let twice = SpinConfigurations::new(SpinKind::Ising, 2, vec![1.0, 1.0], 2, vec![1.0; 16]);
        assert!(matches!(
            twice,
            Err(ExperimentError::Config { field: "data", .. })
        ));
    }
}
