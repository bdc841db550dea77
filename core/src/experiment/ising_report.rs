//! An [`IsingRun`]'s outputs as text, JSON and SVG — what `entropic ising` (the quick-start
//! job) prints and writes beside its arrays. Writing to a `String` cannot fail, so the
//! `fmt::Write` results below are discarded.
use super::{IsingResult, IsingRun};
use alloc::format;
use alloc::string::String;
use core::fmt::Write as _;

/// One Ising chain's estimates shown as text and JSON, with its trace and final configuration
/// as figures.
///
/// # Examples
/// ```
/// use entropic::experiment::{IsingConfig, IsingReport, IsingRun, Sequential};
/// let run = IsingRun::new(IsingConfig { size: 8, sweeps: 500, thermalize: 100, ..IsingConfig::default() })?;
/// let result = run.run(7, &Sequential)?;
/// let text = IsingReport::new(&run, &result).text(7);
/// assert!(text.starts_with("Ising 8×8, T = 2"));
/// assert!(text.contains("exact_energy")); // Kaufman's value for the same torus
/// # Ok::<(), entropic::experiment::ExperimentError>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct IsingReport<'a> {
    run: &'a IsingRun,
    result: &'a IsingResult,
}

impl<'a> IsingReport<'a> {
    /// The report of `result`, what `run` returned.
    pub fn new(run: &'a IsingRun, result: &'a IsingResult) -> Self {
        Self { run, result }
    }

    /// The settings, energy and |m| per spin with error bars and τ_int (saying when the
    /// autocorrelation window did not close), the acceptance and the exact values.
    pub fn text(&self, seed: u64) -> String {
        let (c, r) = (self.run.config(), self.result);
        let n = c.size;
        let mut text = format!(
            "Ising {n}×{n}, T = {}, J = {}, h = {}: {} sweeps after {} thermalisation sweeps (seed {seed})\n",
            c.temperature, c.coupling, c.field, c.sweeps, c.thermalize,
        );
        for (name, est) in [("energy per spin", &r.energy), ("|m| per spin", &r.abs_m)] {
            let _ = writeln!(
                text,
                "{name:<16} {:>10.6} ± {:.6}   (τ_int = {:.2} sweeps{})",
                est.value,
                est.std_error,
                est.autocorrelation.tau,
                if est.autocorrelation.converged {
                    ""
                } else {
                    "; window did not close: run longer"
                }
            );
        }
        let _ = writeln!(text, "{:<16} {:>10.4}", "acceptance", r.acceptance);
        let x = &r.reference;
        // In the order of their names, as the JSON document has them.
        for (label, value) in [
            ("exact_abs_m", x.exact_abs_m),
            ("exact_energy", x.exact_energy),
            ("onsager_energy", x.onsager_energy),
            ("onsager_m", x.onsager_m),
        ] {
            if let Some(v) = value {
                let _ = writeln!(text, "{label:<16} {v:>10.6}");
            }
        }
        text
    }

    /// The settings and the estimates as one JSON document (also the run's metadata.json).
    #[cfg(feature = "serde")]
    pub fn json(&self, seed: u64) -> serde_json::Value {
        let (c, r) = (self.run.config(), self.result);
        serde_json::json!({
            "command": "ising",
            "size": c.size,
            "temperature": c.temperature,
            "coupling": c.coupling,
            "field": c.field,
            "seed": seed,
            "sweeps": c.sweeps,
            "thermalize": c.thermalize,
            "acceptance": r.acceptance,
            "energy_per_spin": r.energy,
            "abs_magnetization": r.abs_m,
            "reference": r.reference,
        })
    }

    /// `trace.svg` (energy and |m| per spin after every sweep) and `final_spins.svg`.
    ///
    /// # Errors
    /// [`PlotError`](crate::plot::PlotError) if drawing fails.
    #[cfg(feature = "plot")]
    pub fn figures(
        &self,
    ) -> Result<alloc::vec::Vec<(&'static str, String)>, crate::plot::PlotError> {
        use crate::plot::{self, Series};
        let (c, r) = (self.run.config(), self.result);
        let n = c.size;
        let sweep = |series: &[f64]| {
            series
                .iter()
                .enumerate()
                .map(|(k, &v)| ((k + 1) as f64, v))
                .collect()
        };
        let trace = plot::line_chart(
            &format!("Ising {n}×{n} at T = {}", c.temperature),
            "sweep",
            "per spin",
            &[
                Series {
                    name: "energy",
                    points: sweep(&r.energy_series),
                    errors: alloc::vec![],
                },
                Series {
                    name: "|m|",
                    points: sweep(&r.abs_m_series),
                    errors: alloc::vec![],
                },
            ],
        )?;
        let spins = plot::spin_lattice(n, n, r.final_state.spins())?;
        Ok(alloc::vec![
            ("trace.svg", trace),
            ("final_spins.svg", spins)
        ])
    }
}
