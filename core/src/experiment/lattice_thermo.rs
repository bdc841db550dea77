//! Thermodynamics on a temperature grid with the entropy by thermodynamic integration: the
//! library side of `entropic lattice thermo`.
use super::chain::{ChainConfig, Plan};
use super::{ExperimentError, Runtime, SpinModel, temperatures, where_defined};
use crate::entropy::{EnergyCurve, ThermodynamicIntegration};
use crate::estimate::Estimate;
use crate::lattice::{Ising, Temperature, kaufman, onsager, xy_limits};
use crate::rng::stream;
use crate::stats::Thermodynamics;
use alloc::vec::Vec;

/// Fewest measured sweeps per point: the specific heat's jackknife and the drift check need it.
const MIN_SWEEPS: usize = 20;

/// Settings of a [`LatticeThermo`].
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct LatticeThermoConfig {
    /// Model and algorithm.
    pub chain: ChainConfig,
    /// Temperatures reported (each positive and finite; at least one). Default [2.0].
    pub temperatures: Vec<f64>,
    /// Measured sweeps per temperature and per integration point (≥ 20). Default 5000.
    pub sweeps: usize,
    /// Spacing of the initial β grid of the integration (> 0). Default 0.05.
    pub ti_step: f64,
    /// Refine intervals whose trapezoid error estimate exceeds this (nats per spin, > 0).
    /// Default 2·10⁻⁴.
    pub ti_tolerance: f64,
    /// Most integration points in total; at least the initial grid (the requested β plus the
    /// uniform grid below the largest). Default 400.
    pub ti_max_points: usize,
}

impl Default for LatticeThermoConfig {
    fn default() -> Self {
        Self {
            chain: ChainConfig::default(),
            temperatures: alloc::vec![2.0],
            sweeps: 5000,
            ti_step: 0.05,
            ti_tolerance: 2e-4,
            ti_max_points: 400,
        }
    }
}

/// One integration point: an independent chain at β.
#[derive(Clone, Debug, PartialEq)]
pub struct ThermoPoint {
    /// Inverse temperature.
    pub beta: f64,
    /// Its thermodynamics.
    pub thermo: Thermodynamics,
    /// Acceptance of its measured sweeps.
    pub acceptance: f64,
}

/// Exact values at a reported temperature, where they exist.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ThermoExact {
    /// Kaufman's energy per spin of the same L×L torus (Ising, h = 0; none on lattices with a side
    /// below 7 outside [`kaufman::SMALL_LATTICE_K`]).
    pub energy_per_spin: Option<f64>,
    /// Kaufman's specific heat per spin (Ising, h = 0).
    pub specific_heat: Option<f64>,
    /// Kaufman's entropy per spin (Ising, h = 0).
    pub entropy_per_spin: Option<f64>,
    /// Onsager's infinite-lattice entropy per spin (Ising, h = 0).
    pub onsager_entropy_per_spin: Option<f64>,
    /// High-temperature series for the XY excess entropy (J > 0, h = 0).
    pub xy_high_temperature_entropy: Option<f64>,
    /// Spin-wave (harmonic) XY excess entropy of the same lattice (J > 0, h = 0).
    pub xy_spin_wave_entropy: Option<f64>,
}

/// One reported temperature.
#[derive(Clone, Debug, PartialEq)]
pub struct ThermoRow {
    /// The temperature.
    pub temperature: Temperature,
    /// Its integration point.
    pub point: ThermoPoint,
    /// Entropy per spin in nats (XY: the excess s − ln 2π).
    pub entropy: Estimate,
    /// Exact values beside it.
    pub exact: ThermoExact,
}

/// What a [`LatticeThermo`] produced.
#[derive(Clone, Debug, PartialEq)]
pub struct ThermoResult {
    /// Every integration point, by increasing β.
    pub points: Vec<ThermoPoint>,
    /// The entropy at every point (same order).
    pub entropies: Vec<Estimate>,
    /// The requested temperatures, in the config's order.
    pub rows: Vec<ThermoRow>,
}

/// How many times both neighbours' energy autocorrelation time a point's must be for
/// [`ThermoResult::isolated_slow_points`] to report it. Near a transition τ_int rises smoothly
/// (neighbouring points within a factor of a few); a chain stuck in a sector that its update
/// rarely leaves — a twisted XY state under local moves — stands alone, 300× its neighbours in
/// the case that set this.
pub const SLOW_POINT_RATIO: f64 = 10.0;

impl ThermoResult {
    /// Indices into [`Self::points`] whose energy τ_int exceeds [`SLOW_POINT_RATIO`] times that
    /// of every neighbour in β (one neighbour at either end). Such a chain has likely sampled
    /// one sector only, so its energy — and every entropy integrated through it, i.e. at all
    /// lower temperatures — is suspect; a cluster algorithm or longer run checks it.
    pub fn isolated_slow_points(&self) -> Vec<usize> {
        let tau = |k: usize| self.points[k].thermo.energy.autocorrelation.tau;
        (0..self.points.len())
            .filter(|&k| {
                let neighbours = [k.checked_sub(1), Some(k + 1)];
                let mut neighbours = neighbours
                    .into_iter()
                    .flatten()
                    .filter(|&j| j < self.points.len())
                    .peekable();
                neighbours.peek().is_some()
                    && neighbours.all(|j| tau(k) > SLOW_POINT_RATIO * tau(j))
            })
            .collect()
    }
}

/// Energy, specific heat, |m|, susceptibility, Binder cumulant and the entropy per spin by
/// thermodynamic integration s(β) = s(0) + βu − ∫₀^β u dβ′ over an adaptively refined β grid of
/// independent chains (point k of the run draws from [`stream`]`(seed, k)`).
///
/// # Examples
/// ```
/// use entropic::experiment::{LatticeThermo, LatticeThermoConfig, Sequential};
///
/// let mut config = LatticeThermoConfig::default();
/// config.chain.size = 4;
/// config.temperatures = vec![3.0];
/// config.sweeps = 2000;
/// config.ti_step = 0.1;
/// config.ti_max_points = 12;
/// let result = LatticeThermo::new(config)?.run(5, &Sequential)?;
/// let row = &result.rows[0];
/// let exact = row.exact.entropy_per_spin.unwrap(); // Kaufman, same 4×4 torus
/// assert!((row.entropy.value - exact).abs() < 5.0 * row.entropy.std_error + 0.01);
/// # Ok::<(), entropic::experiment::ExperimentError>(())
/// ```
#[derive(Clone, Debug)]
pub struct LatticeThermo {
    config: LatticeThermoConfig,
    temperatures: Vec<Temperature>,
    initial: Vec<f64>,
}

impl LatticeThermo {
    /// Check every setting before any work.
    ///
    /// # Errors
    /// [`ExperimentError::Config`] for fewer than 20 sweeps, a non-positive step or tolerance, or
    /// a point budget below the initial grid; the lattice layer's errors for a bad model,
    /// algorithm or temperature (at every point of the initial grid).
    pub fn new(config: LatticeThermoConfig) -> Result<Self, ExperimentError> {
        if config.sweeps < MIN_SWEEPS {
            return Err(ExperimentError::config(
                "sweeps",
                alloc::format!("must be at least {MIN_SWEEPS}, got {}", config.sweeps),
            ));
        }
        let positive = |x: f64| x.is_finite() && x > 0.0;
        if !positive(config.ti_step) {
            return Err(ExperimentError::config("ti_step", "must be positive"));
        }
        if !positive(config.ti_tolerance) {
            return Err(ExperimentError::config("ti_tolerance", "must be positive"));
        }
        let temperatures = temperatures(&config.temperatures)?;
        let initial = initial_grid(&temperatures, config.ti_step)?;
        if config.ti_max_points < initial.len() {
            return Err(ExperimentError::config(
                "ti_max_points",
                alloc::format!(
                    "the initial grid alone has {} points (the requested β and steps of {} below the largest); got {}",
                    initial.len(),
                    config.ti_step,
                    config.ti_max_points
                ),
            ));
        }
        for &beta in &initial {
            config.chain.validate_at(Temperature::new(1.0 / beta)?)?;
        }
        Ok(Self {
            config,
            temperatures,
            initial,
        })
    }

    /// The settings.
    pub fn config(&self) -> &LatticeThermoConfig {
        &self.config
    }

    /// Run the initial grid, refine where the trapezoid error is large, integrate (stage
    /// "β points", once per refinement round).
    ///
    /// # Errors
    /// [`ExperimentError::Cancelled`] when `rt` says so; a refined point at a temperature the
    /// sampler refuses.
    pub fn run<R: Runtime>(&self, seed: u64, rt: &R) -> Result<ThermoResult, ExperimentError> {
        let c = &self.config;
        let sites = c.chain.size * c.chain.size;
        let ti = match c.chain.model {
            SpinModel::Ising => ThermodynamicIntegration::ising(),
            SpinModel::Xy => ThermodynamicIntegration::xy_excess(),
        };
        let mut points: Vec<ThermoPoint> = Vec::new();
        let mut todo = self.initial.clone();
        loop {
            let offset = points.len();
            let new = rt.map("β points", todo.len(), |k| {
                let beta = todo[k];
                let mut rng = stream(seed, offset + k);
                let chain = c.chain.run(
                    Temperature::new(1.0 / beta)?,
                    Plan::Series { sweeps: c.sweeps },
                    &mut rng,
                    rt,
                )?;
                let thermo = Thermodynamics::from_series(
                    &chain.energy,
                    &chain.abs_m,
                    beta,
                    sites,
                    c.chain.model.components(),
                )?;
                Ok::<_, ExperimentError>(ThermoPoint {
                    beta,
                    thermo,
                    acceptance: chain.acceptance,
                })
            });
            for p in new {
                points.push(p?);
            }
            points.sort_by(|a, b| a.beta.total_cmp(&b.beta));
            let curve = energy_curve(&points)?;
            let room = c.ti_max_points.saturating_sub(points.len());
            todo = ti
                .refinement(&curve, c.ti_tolerance)
                .into_iter()
                .take(room)
                .collect();
            if todo.is_empty() {
                break;
            }
        }
        let entropies = ti.entropies(&energy_curve(&points)?);
        let mut rows = Vec::with_capacity(self.temperatures.len());
        for &t in &self.temperatures {
            // Requested β are in the initial grid bit for bit, so this always finds them.
            let k = points
                .iter()
                .position(|p| p.beta == t.beta())
                .ok_or_else(|| ExperimentError::config("temperatures", "lost a requested β"))?;
            rows.push(ThermoRow {
                temperature: t,
                point: points[k].clone(),
                entropy: entropies[k],
                exact: self.exact(t)?,
            });
        }
        Ok(ThermoResult {
            points,
            entropies,
            rows,
        })
    }

    /// The exact values at `t` for this model ([`ChainConfig::exact`]).
    ///
    /// # Errors
    /// The lattice layer's error where a reference cannot be evaluated.
    pub fn exact(&self, t: Temperature) -> Result<ThermoExact, ExperimentError> {
        self.config.chain.exact(t)
    }
}

impl ChainConfig {
    /// The exact values at `t` for this chain's model, where they exist: Kaufman's finite
    /// lattice and Onsager's entropy for the zero-field nearest-neighbour Ising model, the high-temperature and
    /// spin-wave XY entropies for the zero-field ferromagnetic XY model.
    ///
    /// # Errors
    /// The lattice layer's error where a reference cannot be evaluated.
    pub fn exact(&self, t: Temperature) -> Result<ThermoExact, ExperimentError> {
        let c = self;
        let mut e = ThermoExact::default();
        match c.model {
            SpinModel::Ising if c.field == 0.0 && c.next_nearest == 0.0 => {
                let model = Ising::new(c.square()?, c.coupling, 0.0)?;
                if let Some(f) = where_defined(kaufman::exact(&model, t))? {
                    e.energy_per_spin = Some(f.energy_per_spin);
                    e.specific_heat = Some(f.specific_heat);
                    e.entropy_per_spin = Some(f.entropy_per_spin);
                }
                e.onsager_entropy_per_spin = Some(onsager::entropy_per_spin(c.coupling, t)?);
            }
            SpinModel::Xy if c.field == 0.0 && c.coupling > 0.0 => {
                e.xy_high_temperature_entropy = Some(xy_limits::high_temperature(c.coupling, t)?.1);
                e.xy_spin_wave_entropy = Some(xy_limits::spin_wave(c.coupling, t, &c.square()?)?.1);
            }
            _ => {}
        }
        Ok(e)
    }
}

/// The requested β (kept bit-exact: rows look them up) plus a uniform grid from `step` to the
/// largest β without the points that coincide with a requested one; sorted.
fn initial_grid(temperatures: &[Temperature], step: f64) -> Result<Vec<f64>, ExperimentError> {
    let mut betas: Vec<f64> = temperatures.iter().map(|t| t.beta()).collect();
    betas.sort_by(f64::total_cmp);
    betas.dedup();
    let requested = betas.clone();
    let max_beta = requested.last().copied().unwrap_or(0.0);
    let steps = max_beta / step;
    if steps > 1e6 {
        return Err(ExperimentError::config(
            "ti_step",
            alloc::format!(
                "{step} gives {steps:.3e} grid points below β = {max_beta}; at most 10⁶"
            ),
        ));
    }
    let mut k = 1;
    while (k as f64) * step < max_beta {
        let b = k as f64 * step;
        if requested.iter().all(|r| (b - r).abs() > 1e-9 * r) {
            betas.push(b);
        }
        k += 1;
    }
    betas.sort_by(f64::total_cmp);
    Ok(betas)
}

fn energy_curve(points: &[ThermoPoint]) -> Result<EnergyCurve, ExperimentError> {
    Ok(EnergyCurve::new(
        points
            .iter()
            .map(|p| (p.beta, p.thermo.energy.value, p.thermo.energy.std_error))
            .collect(),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Xoshiro256PlusPlus, normal_pair};
    use alloc::vec;
    use rand_core::SeedableRng;

    /// Points whose energies are AR(1) series with coefficients `phis` (τ_int = (1 + φ) / (2(1 − φ))).
    fn result(phis: &[f64]) -> ThermoResult {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let points = phis
            .iter()
            .enumerate()
            .map(|(k, &phi)| {
                let mut e = 0.0;
                let energy: Vec<f64> = (0..40_000)
                    .map(|_| {
                        e = phi * e + normal_pair(&mut rng).0;
                        e - 1.0
                    })
                    .collect();
                let m = vec![0.5; energy.len()];
                let beta = 0.1 * (k + 1) as f64;
                ThermoPoint {
                    beta,
                    thermo: Thermodynamics::from_series(&energy, &m, beta, 100, 1).unwrap(),
                    acceptance: 0.5,
                }
            })
            .collect();
        ThermoResult {
            points,
            entropies: Vec::new(),
            rows: Vec::new(),
        }
    }

    #[test]
    fn a_lone_slow_chain_is_reported_and_a_smooth_peak_is_not() {
        // τ ≈ 1.5, 2, 100, 2, 1.5: the middle point stands alone.
        assert_eq!(
            result(&[0.5, 0.6, 0.99, 0.6, 0.5]).isolated_slow_points(),
            [2]
        );
        // τ ≈ 1.5, 4.5, 9.5, 4.5, 1.5: a critical slowing down, rising and falling.
        assert!(
            result(&[0.5, 0.8, 0.9, 0.8, 0.5])
                .isolated_slow_points()
                .is_empty()
        );
        // The last point has one neighbour.
        assert_eq!(result(&[0.5, 0.5, 0.99]).isolated_slow_points(), [2]);
        assert!(result(&[0.9]).isolated_slow_points().is_empty());
    }
}
