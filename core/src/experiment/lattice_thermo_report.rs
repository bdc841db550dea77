//! A [`LatticeThermo`] scan's outputs as text, CSV, JSON and SVG — what `entropic lattice
//! thermo` prints and writes —, and the reading back of its JSON (`thermo.json`) as the
//! reference entropies of a lattice entropy run: the file's format lives here, in one place.
//! Writing to a `String` cannot fail, so the `fmt::Write` results below are discarded.
#[cfg(any(feature = "serde", feature = "plot"))]
use super::ExperimentError;
#[cfg(feature = "serde")]
use super::{Hamiltonian, LatticeThermoConfig};
use super::{LatticeThermo, SLOW_POINT_RATIO, SpinModel, ThermoResult};
#[cfg(feature = "serde")]
use crate::estimate::{Estimate, Unit};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::Write as _;

/// A thermodynamics scan shown as a table, CSV, JSON and figures.
///
/// # Examples
/// ```
/// use entropic::experiment::{LatticeThermo, LatticeThermoConfig, LatticeThermoReport, Sequential};
/// let mut config = LatticeThermoConfig::default();
/// config.chain.size = 4;
/// config.temperatures = vec![2.5];
/// config.sweeps = 200;
/// let run = LatticeThermo::new(config)?;
/// let result = run.run(1, &Sequential)?;
/// let report = LatticeThermoReport::new(&run, &result);
/// assert!(report.exact_ising()); // zero-field nearest-neighbour Ising: Kaufman beside it
/// assert_eq!(report.csv().lines().count(), 2);
/// assert!(report.text().starts_with("Ising 4×4"));
/// # Ok::<(), entropic::experiment::ExperimentError>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct LatticeThermoReport<'a> {
    run: &'a LatticeThermo,
    result: &'a ThermoResult,
}

impl<'a> LatticeThermoReport<'a> {
    /// The report of `result`, what `run` returned.
    pub fn new(run: &'a LatticeThermo, result: &'a ThermoResult) -> Self {
        Self { run, result }
    }

    /// Whether Kaufman's and Onsager's exact Ising values apply and are shown: the Ising model
    /// without a field and without a next-nearest coupling.
    pub fn exact_ising(&self) -> bool {
        let c = &self.run.config().chain;
        c.model == SpinModel::Ising && c.field == 0.0 && c.next_nearest == 0.0
    }

    /// The table: u, c, |m| and s per temperature with error bars (and Kaufman's s with the
    /// distance in σ where [`Self::exact_ising`]); a row whose energy drifts says so.
    pub fn text(&self) -> String {
        let config = self.run.config();
        let spec = &config.chain;
        let is_ising = spec.model == SpinModel::Ising;
        let unit_note = if is_ising {
            "s in nats per spin"
        } else {
            "s is the excess entropy s − ln 2π, nats per spin"
        };
        let mut text = format!(
            "{} {}×{}, {} sweeps per point, {} integration points; {unit_note}\n{:>7} {:>22} {:>20} {:>20} {:>22}{}\n",
            if is_ising { "Ising" } else { "XY" },
            spec.size,
            spec.size,
            config.sweeps,
            self.result.points.len(),
            "T",
            "u",
            "c",
            "|m|",
            "s (MC + TI)",
            if self.exact_ising() {
                format!("{:>14} {:>10}", "s exact (L×L)", "|Δ|/σ")
            } else {
                String::new()
            }
        );
        for row in &self.result.rows {
            let (th, s) = (&row.point.thermo, row.entropy);
            let pm = |v: f64, e: f64| format!("{v:>10.5} ± {e:<8.5}");
            let _ = write!(
                text,
                "{:>7.4} {} {} {} {}",
                row.temperature.value(),
                pm(th.energy.value, th.energy.std_error),
                pm(th.specific_heat.value, th.specific_heat.std_error),
                pm(th.abs_magnetization.value, th.abs_magnetization.std_error),
                pm(s.value, s.std_error)
            );
            if let Some(e) = row.exact.entropy_per_spin {
                let _ = write!(
                    text,
                    " {e:>14.6} {:>10.2}",
                    (s.value - e).abs() / s.std_error
                );
            }
            let drift = if th.is_equilibrated() {
                ""
            } else {
                "  (energy drifts: run longer)"
            };
            let _ = writeln!(text, "{drift}");
        }
        let points = &self.result.points;
        for k in self.result.isolated_slow_points() {
            let tau = |j: usize| points[j].thermo.energy.autocorrelation.tau;
            let neighbours: Vec<String> = [k.wrapping_sub(1), k + 1]
                .into_iter()
                .filter(|&j| j < points.len())
                .map(|j| format!("{:.1}", tau(j)))
                .collect();
            let _ = writeln!(
                text,
                "warning: the chain at T = {:.4} has an energy autocorrelation time of {:.0} sweeps, over {SLOW_POINT_RATIO}× its neighbours' ({}): it may have stayed in one sector, which makes its energy and every entropy below that temperature suspect; check with more sweeps or --algorithm wolff",
                1.0 / points[k].beta,
                tau(k),
                neighbours.join(", ")
            );
        }
        text
    }

    /// `thermo.csv`: one line per temperature with every measured value, its error bar, τ_int,
    /// the drift in σ, the acceptance and the exact values (empty where there is none).
    pub fn csv(&self) -> String {
        let mut csv = String::from(
            "T,beta,u,u_err,c,c_err,abs_m,abs_m_err,chi,chi_err,binder,binder_err,s,s_err,tau_int_energy,drift_sigmas,acceptance,exact_u,exact_c,exact_s,onsager_s,xy_high_t_s,xy_spin_wave_s\n",
        );
        let opt = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
        for row in &self.result.rows {
            let (p, s, x) = (&row.point, row.entropy, &row.exact);
            let th = &p.thermo;
            let _ = writeln!(
                csv,
                "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                row.temperature.value(),
                p.beta,
                th.energy.value,
                th.energy.std_error,
                th.specific_heat.value,
                th.specific_heat.std_error,
                th.abs_magnetization.value,
                th.abs_magnetization.std_error,
                th.susceptibility.value,
                th.susceptibility.std_error,
                th.binder.value,
                th.binder.std_error,
                s.value,
                s.std_error,
                th.energy.autocorrelation.tau,
                th.energy_drift_sigmas,
                p.acceptance,
                opt(x.energy_per_spin),
                opt(x.specific_heat),
                opt(x.entropy_per_spin),
                opt(x.onsager_entropy_per_spin),
                opt(x.xy_high_temperature_entropy),
                opt(x.xy_spin_wave_entropy)
            );
        }
        csv
    }

    /// `thermo.json`: the model and its Hamiltonian, the rows (thermodynamics, entropy,
    /// acceptance, exact values) and the integration curve (β, u, error) — the file
    /// [`thermo_entropies`] reads back.
    #[cfg(feature = "serde")]
    pub fn json(&self, seed: u64) -> serde_json::Value {
        use serde_json::json;
        let config: &LatticeThermoConfig = self.run.config();
        let spec = &config.chain;
        let rows: Vec<_> = self
            .result
            .rows
            .iter()
            .map(|r| {
                json!({
                    "temperature": r.temperature.value(), "thermodynamics": r.point.thermo,
                    "entropy": r.entropy, "acceptance": r.point.acceptance, "exact": r.exact,
                })
            })
            .collect();
        let curve: Vec<_> = self
            .result
            .points
            .iter()
            .map(|p| json!([p.beta, p.thermo.energy.value, p.thermo.energy.std_error]))
            .collect();
        json!({
            "command": "lattice thermo", "model": spec.model, "algorithm": spec.algorithm, "size": spec.size,
            "coupling": spec.coupling, "field": spec.field, "next_nearest": spec.next_nearest,
            "sweeps": config.sweeps, "seed": seed,
            "entropy_unit": if spec.model == SpinModel::Ising { "nats per spin" } else { "nats per spin, excess s − ln 2π" },
            "rows": rows, "integration_curve_beta_u_err": curve,
            "isolated_slow_points_beta": self.result.isolated_slow_points().iter().map(|&k| self.result.points[k].beta).collect::<Vec<_>>(),
        })
    }

    /// The figures as (file name, SVG) ([`super::thermo_figures::figures`]), with the exact
    /// Ising curves where [`Self::exact_ising`].
    ///
    /// # Errors
    /// As [`super::thermo_figures::figures`].
    #[cfg(feature = "plot")]
    pub fn figures(&self) -> Result<alloc::vec::Vec<(&'static str, String)>, ExperimentError> {
        super::thermo_figures::figures(&self.run.config().chain, self.result, self.exact_ising())
    }
}

/// The entropies of a `thermo.json` ([`LatticeThermoReport::json`]) as (temperature, entropy
/// per spin in nats) pairs, checked to describe `model` on an L×L lattice with `side` and, where
/// stated, the same Hamiltonian: the reference of a lattice entropy run.
///
/// # Errors
/// [`ExperimentError::Config`] (field `reference`) whose reason reads after the file's name:
/// "is not the thermo.json of `lattice thermo --model …`", "is for another lattice size …",
/// "is for J = …, h = …, J₂ = …, the data's … for …".
#[cfg(feature = "serde")]
pub fn thermo_entropies(
    bytes: &[u8],
    model: SpinModel,
    side: usize,
    hamiltonian: Option<Hamiltonian>,
) -> Result<Vec<(f64, Estimate)>, ExperimentError> {
    #[derive(serde::Deserialize)]
    struct Thermo {
        command: String,
        model: SpinModel,
        size: usize,
        coupling: f64,
        field: f64,
        /// Absent in files written before J₂ existed (then 0).
        #[serde(default)]
        next_nearest: f64,
        rows: Vec<Row>,
    }
    #[derive(serde::Deserialize)]
    struct Row {
        temperature: f64,
        entropy: Value,
    }
    #[derive(serde::Deserialize)]
    struct Value {
        value: f64,
        std_error: f64,
    }
    let name = match model {
        SpinModel::Ising => "ising",
        SpinModel::Xy => "xy",
    };
    let not_thermo = || {
        ExperimentError::config(
            "reference",
            format!("is not the thermo.json of `lattice thermo --model {name}`"),
        )
    };
    let doc: Thermo = serde_json::from_slice(bytes).map_err(|_| not_thermo())?;
    if doc.command != "lattice thermo" || doc.model != model {
        return Err(not_thermo());
    }
    if doc.size != side {
        return Err(ExperimentError::config(
            "reference",
            format!("is for another lattice size than the data's {side}"),
        ));
    }
    if let Some(h) = hamiltonian
        && (h.coupling != doc.coupling
            || h.field != doc.field
            || h.next_nearest != doc.next_nearest)
    {
        return Err(ExperimentError::config(
            "reference",
            format!(
                "is for J = {}, h = {}, J₂ = {}, the data's metadata.json for J = {}, h = {}, J₂ = {}",
                doc.coupling, doc.field, doc.next_nearest, h.coupling, h.field, h.next_nearest
            ),
        ));
    }
    Ok(doc
        .rows
        .into_iter()
        .map(|r| {
            let e = r.entropy;
            (
                r.temperature,
                Estimate::new(e.value, e.std_error, Unit::Nats, 0),
            )
        })
        .collect())
}

#[cfg(all(test, feature = "serde"))]
mod tests {
    use super::*;
    use crate::experiment::{LatticeThermoConfig, Sequential};

    /// What the report writes, the reader takes back: the same entropies, and a file of
    /// another model, size or Hamiltonian is refused.
    #[test]
    fn thermo_json_reads_back_and_is_checked() {
        let mut config = LatticeThermoConfig::default();
        config.chain.size = 4;
        config.chain.next_nearest = -0.2;
        config.temperatures = alloc::vec![2.0, 3.0];
        config.sweeps = 100;
        let run = LatticeThermo::new(config).unwrap();
        let result = run.run(3, &Sequential).unwrap();
        let report = LatticeThermoReport::new(&run, &result);
        assert!(!report.exact_ising());
        assert!(!report.text().contains("s exact"));
        let bytes = serde_json::to_vec(&report.json(3)).unwrap();
        let h = Hamiltonian {
            coupling: 1.0,
            field: 0.0,
            next_nearest: -0.2,
        };
        let back = thermo_entropies(&bytes, SpinModel::Ising, 4, Some(h)).unwrap();
        assert_eq!(back.len(), 2);
        for ((t, e), row) in back.iter().zip(&result.rows) {
            assert_eq!(*t, row.temperature.value());
            assert_eq!(e.value, row.entropy.value);
        }
        let reason = |r: Result<_, ExperimentError>| match r {
            Err(ExperimentError::Config { reason, .. }) => reason,
            other => panic!("{other:?}"),
        };
        assert!(reason(thermo_entropies(&bytes, SpinModel::Xy, 4, None)).contains("--model xy"));
        assert!(reason(thermo_entropies(&bytes, SpinModel::Ising, 6, None)).contains("size"));
        let other = Hamiltonian::coupling(1.0);
        assert!(reason(thermo_entropies(&bytes, SpinModel::Ising, 4, Some(other))).contains("J₂"));
        assert!(reason(thermo_entropies(b"{}", SpinModel::Ising, 4, None)).contains("not the"));
    }
}
