//! A [`LatticeTemper`] run's outputs as text, CSV and JSON — what `entropic lattice temper`
//! prints and writes beside its figures ([`super::temper_figures`]). Writing to a `String`
//! cannot fail, so the `fmt::Write` results below are discarded.
use super::{LatticeTemper, LatticeTemperResult};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::Write as _;

/// A replica-exchange run shown as a table (one line per rung, with the exact energy and its
/// distance in σ where there is one, and the helicity modulus for XY), CSV and JSON.
///
/// # Examples
/// ```
/// use entropic::experiment::{LatticeTemper, LatticeTemperConfig, LatticeTemperReport, Sequential};
/// let mut config = LatticeTemperConfig::default();
/// config.chain.size = 4;
/// config.temperatures = vec![2.0, 3.0];
/// config.rounds = 200;
/// let run = LatticeTemper::new(config)?;
/// let result = run.run(1, &Sequential)?;
/// let report = LatticeTemperReport::new(&run, &result);
/// let csv = report.csv();
/// assert_eq!(csv.lines().count(), 3);
/// // Every line has the header's columns.
/// assert!(csv.lines().all(|l| l.split(',').count() == 12));
/// assert!(report.text(1).contains("round trips"));
/// # Ok::<(), entropic::experiment::ExperimentError>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct LatticeTemperReport<'a> {
    run: &'a LatticeTemper,
    result: &'a LatticeTemperResult,
}

impl<'a> LatticeTemperReport<'a> {
    /// The report of `result`, what `run` returned.
    pub fn new(run: &'a LatticeTemper, result: &'a LatticeTemperResult) -> Self {
        Self { run, result }
    }

    /// The table of a run with `seed`: the model (with J₂ where it is not 0) and the ladder,
    /// one line per rung, the swap acceptance per pair and the round trips.
    pub fn text(&self, seed: u64) -> String {
        let (config, result) = (self.run.config(), self.result);
        let spec = &config.chain;
        let next_nearest = if spec.next_nearest == 0.0 {
            String::new()
        } else {
            format!(", J₂ = {}", spec.next_nearest)
        };
        let mut text = format!(
            "{:?} {}×{}, J = {}, h = {}{next_nearest}: replica exchange over {} temperatures, {} per rung, {} rounds after {} (seed {})\n{:>8} {:>10} {:>9} {:>10} {:>7} {:>9} {:>9} {:>7} {:>10} {:>9}\n",
            spec.model,
            spec.size,
            spec.size,
            spec.coupling,
            spec.field,
            result.rungs.len(),
            spec.algorithm.name(),
            config.rounds,
            spec.thermalize,
            seed,
            "T",
            "e",
            "± err",
            "exact e",
            "z",
            "|m|",
            "± err",
            "τ_int(e)",
            "acceptance",
            "ESS/s"
        );
        if result.rungs.iter().any(|r| r.helicity.is_some()) {
            // The helicity modulus Υ (XY), after the other columns.
            text.pop();
            let _ = writeln!(text, " {:>9} {:>9}", "Υ", "± err");
        }
        for r in &result.rungs {
            let exact = r.reference.exact_energy;
            let _ = write!(
                text,
                "{:>8.4} {:>10.5} {:>9.5} {:>10} {:>7} {:>9.5} {:>9.5} {:>7.1} {:>10.3} {:>9}",
                r.temperature,
                r.energy.value,
                r.energy.std_error,
                exact.map_or("—".into(), |x| format!("{x:.5}")),
                exact.map_or("—".into(), |x| format!(
                    "{:+.2}",
                    (r.energy.value - x) / r.energy.std_error
                )),
                r.abs_m.value,
                r.abs_m.std_error,
                r.energy.autocorrelation.tau,
                r.acceptance,
                r.effective_samples_per_second
                    .map_or("—".into(), |v| format!("{v:.0}"))
            );
            let _ = match r.helicity {
                Some(y) => writeln!(text, " {:>9.5} {:>9.5}", y.value, y.std_error),
                None => writeln!(text),
            };
        }
        let swaps: Vec<String> = result
            .swap_acceptance
            .iter()
            .map(|a| format!("{a:.2}"))
            .collect();
        let _ = writeln!(
            text,
            "swap acceptance per pair: {}\nround trips (all replicas): {}",
            swaps.join(" "),
            result.round_trips
        );
        text
    }

    /// `temper.csv`: one line per rung (energy, |m|, their exact values where known, τ_int,
    /// acceptance, effective samples per second, helicity modulus); empty where there is none.
    pub fn csv(&self) -> String {
        // (Before 2026-12-04 the header lacked the last three columns.)
        let mut csv = String::from(
            "T,e,e_err,exact_e,abs_m,abs_m_err,exact_abs_m,tau_int_e,acceptance,ess_per_second,helicity,helicity_err\n",
        );
        let opt = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
        for r in &self.result.rungs {
            let _ = writeln!(
                csv,
                "{},{},{},{},{},{},{},{},{},{},{},{}",
                r.temperature,
                r.energy.value,
                r.energy.std_error,
                opt(r.reference.exact_energy),
                r.abs_m.value,
                r.abs_m.std_error,
                opt(r.reference.exact_abs_m),
                r.energy.autocorrelation.tau,
                r.acceptance,
                opt(r.effective_samples_per_second),
                opt(r.helicity.map(|y| y.value)),
                opt(r.helicity.map(|y| y.std_error))
            );
        }
        csv
    }

    /// `temper.json`: the model with its Hamiltonian, the settings, every rung, the swap
    /// acceptances, the round trips and the seconds per round.
    #[cfg(feature = "serde")]
    pub fn json(&self, seed: u64) -> serde_json::Value {
        let (config, result) = (self.run.config(), self.result);
        let spec = &config.chain;
        serde_json::json!({
            "command": "lattice temper", "model": spec.model, "algorithm": spec.algorithm,
            "size": spec.size, "coupling": spec.coupling, "field": spec.field, "next_nearest": spec.next_nearest,
            "rounds": config.rounds, "thermalize": spec.thermalize, "cold_start": config.cold_start,
            "seed": seed, "rungs": result.rungs, "swap_acceptance": result.swap_acceptance,
            "round_trips": result.round_trips, "seconds_per_round": result.seconds_per_round,
        })
    }

    /// The kept configurations' `metadata.json` (with `--keep`; `None` without): the dataset's
    /// keys ([`super::dataset_metadata`], as `lattice sample` writes them, so the entropy
    /// commands read them), the rounds, the configurations per rung and their spacing in rounds,
    /// and each rung's temperature and acceptance.
    #[cfg(feature = "serde")]
    pub fn dataset_json(&self, seed: u64) -> Option<serde_json::Value> {
        let (config, rungs) = (self.run.config(), &self.result.rungs);
        let configs = self.result.configs.as_ref()?;
        let mut doc =
            super::dataset_metadata("lattice temper", seed, &config.chain, rungs.len(), configs);
        doc["rounds"] = config.rounds.into();
        doc["samples"] = config.keep.into();
        doc["spacing_rounds"] = (config.rounds / config.keep.max(1)).into();
        doc["temperatures"] = rungs
            .iter()
            .map(|r| serde_json::json!({"temperature": r.temperature, "acceptance": r.acceptance}))
            .collect::<alloc::vec::Vec<_>>()
            .into();
        Some(doc)
    }
}
