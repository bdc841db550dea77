//! A [`MaxentMixing`] run's outputs as text, CSV, JSON and SVG — what `entropic maxent mixing`
//! prints and writes. Writing to a `String` cannot fail, so the `fmt::Write` results below are
//! discarded.
use super::{MaxentMixing, MixingRow, WalkerSampler};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::Write as _;

/// Sweeps of the trace figure.
#[cfg(feature = "plot")]
const TRACE_SWEEPS: usize = 500;

/// The samplers' acceptance, autocorrelation times, effective samples per sweep and per second
/// (and against random-walk Metropolis), and — on a target with a known slow axis — the walkers'
/// final variance along it against the exact value.
///
/// # Examples
/// ```
/// use entropic::experiment::{
///     GaussianMixingTarget, MaxentMixing, MaxentMixingConfig, MaxentMixingReport, Sequential,
/// };
/// let run = MaxentMixing::new(MaxentMixingConfig { warmup: 20, sweeps: 50, ..MaxentMixingConfig::default() })?;
/// let mut target = GaussianMixingTarget::new(4, 10.0, 50, 1)?;
/// let rows = run.run(&mut target.energy, &target.start, Some(&target.widest), 1, &Sequential)?;
/// let report = MaxentMixingReport::new(&run, &rows, "Gaussian, d = 4")
///     .with_slow_axis(&target.widest, target.variance);
/// assert_eq!(report.csv().lines().count(), 1 + 3);
/// assert!(report.text().contains("variance along the widest axis"));
/// # Ok::<(), entropic::experiment::ExperimentError>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct MaxentMixingReport<'a> {
    /// Read by [`Self::json`] only.
    #[cfg_attr(not(feature = "serde"), allow(dead_code))]
    run: &'a MaxentMixing,
    rows: &'a [MixingRow],
    target: &'a str,
    slow_axis: Option<(&'a [f64], f64)>,
}

impl<'a> MaxentMixingReport<'a> {
    /// The report of `rows`, what `run` measured on the target described by `target`.
    pub fn new(run: &'a MaxentMixing, rows: &'a [MixingRow], target: &'a str) -> Self {
        Self {
            run,
            rows,
            target,
            slow_axis: None,
        }
    }

    /// The target's slow axis `u` and the exact variance along it: the report then compares
    /// the walkers' final [`MixingRow::variance_along`] with it.
    pub fn with_slow_axis(self, u: &'a [f64], variance: f64) -> Self {
        Self {
            slow_axis: Some((u, variance)),
            ..self
        }
    }

    /// Effective samples per second of random-walk Metropolis, if it ran and was timed.
    fn baseline(&self) -> Option<f64> {
        self.rows
            .iter()
            .find(|r| r.sampler == WalkerSampler::Metropolis)
            .and_then(|r| r.mixing.effective_samples_per_second())
    }

    /// The table: per sampler L, step, acceptance, τ of the energy and of the slow projection,
    /// ESS per sweep, seconds per sweep, ESS per second and its ratio to Metropolis; τ windows
    /// that did not close are marked; then the slow-axis variances, if known.
    pub fn text(&self) -> String {
        let mut text = format!("sampler mixing on the {}\n", self.target);
        let _ = writeln!(
            text,
            "{:<15} {:>4} {:>9} {:>7} {:>9} {:>9} {:>10} {:>10} {:>10} {:>8}",
            "sampler",
            "L",
            "step",
            "accept",
            "τ_H",
            "τ_slow",
            "ESS/sweep",
            "s/sweep",
            "ESS/s",
            "× RWM"
        );
        let baseline = self.baseline();
        for r in self.rows {
            let m = &r.mixing;
            let ess = m.effective_samples_per_second();
            let _ = writeln!(
                text,
                "{:<15} {:>4} {:>9.4} {:>7.3} {:>9.2} {:>9.2} {:>10.2} {:>10.2e} {:>10} {:>8}{}",
                r.label(),
                r.leapfrog,
                r.step,
                m.acceptance,
                m.energy.tau,
                m.projection.tau,
                m.effective_samples_per_sweep(),
                m.seconds_per_sweep.unwrap_or(f64::NAN),
                ess.map_or("—".into(), |e| format!("{e:.1}")),
                ess.zip(baseline)
                    .map_or("—".into(), |(e, b)| format!("{:.1}", e / b)),
                if m.converged() {
                    ""
                } else {
                    "  (τ window did not close: τ is a lower bound)"
                }
            );
        }
        if let Some((axis, top)) = self.slow_axis {
            let measured: Vec<String> = self
                .rows
                .iter()
                .map(|r| format!("{} {:.1}", r.sampler.name(), r.variance_along(axis)))
                .collect();
            let _ = writeln!(
                text,
                "variance along the widest axis at the end (exact {top}): {}",
                measured.join(", ")
            );
        }
        text
    }

    /// `mixing.csv`: one row per sampler (an untimed run leaves the time columns empty).
    pub fn csv(&self) -> String {
        let mut csv = String::from(
            "sampler,preconditioned,leapfrog,step,acceptance,tau_energy,tau_slow,converged,ess_per_sweep,seconds_per_sweep,ess_per_second\n",
        );
        for r in self.rows {
            let m = &r.mixing;
            let _ = writeln!(
                csv,
                "{},{},{},{},{},{},{},{},{},{},{}",
                r.sampler.name(),
                r.preconditioned,
                r.leapfrog,
                r.step,
                m.acceptance,
                m.energy.tau,
                m.projection.tau,
                m.converged(),
                m.effective_samples_per_sweep(),
                m.seconds_per_sweep.map_or(String::new(), |s| s.to_string()),
                m.effective_samples_per_second()
                    .map_or(String::new(), |s| s.to_string()),
            );
        }
        csv
    }

    /// `mixing.json`: the settings, the target, every row and the slow-axis variances.
    #[cfg(feature = "serde")]
    pub fn json(&self, seed: u64) -> serde_json::Value {
        serde_json::json!({
            "command": "maxent mixing", "seed": seed, "config": self.run.config(),
            "target": self.target, "rows": self.rows,
            "slow_variance": self.slow_axis.map(|(axis, top)| serde_json::json!({
                "exact": top,
                "measured": self.rows.iter().map(|r| r.variance_along(axis)).collect::<Vec<_>>(),
            })),
        })
    }

    /// `traces.svg`: one walker's projection on the slow direction over the first 500 measured
    /// sweeps, one line per sampler.
    ///
    /// # Errors
    /// [`PlotError`](crate::plot::PlotError) if drawing fails.
    #[cfg(feature = "plot")]
    pub fn traces_svg(&self) -> Result<String, crate::plot::PlotError> {
        use crate::plot::{Series, line_chart};
        let shown = self
            .rows
            .first()
            .map_or(0, |r| r.mixing.trace.len().min(TRACE_SWEEPS));
        let series: Vec<Series<'_>> = self
            .rows
            .iter()
            .map(|r| Series {
                name: r.label(),
                points: r.mixing.trace[..shown]
                    .iter()
                    .enumerate()
                    .map(|(t, &v)| (t as f64, v))
                    .collect(),
                errors: alloc::vec![],
            })
            .collect();
        line_chart(
            "One walker's projection on the slow direction",
            "sweep",
            "projection",
            &series,
        )
    }

    /// `samples-<label>.svg` per sampler: its first 100 final walkers as 8×8 images (for a
    /// digits model), as (file name, SVG).
    ///
    /// # Errors
    /// [`PlotError`](crate::plot::PlotError) if drawing fails.
    #[cfg(all(feature = "plot", feature = "data"))]
    pub fn digit_grids(&self) -> Result<Vec<(String, String)>, crate::plot::PlotError> {
        use super::maxent_digits_report::walker_grid;
        self.rows
            .iter()
            .map(|r| {
                let title = format!("walkers after {} ({} sweeps)", r.label(), r.mixing.sweeps);
                Ok((
                    format!("samples-{}.svg", r.label()),
                    walker_grid(&title, &r.positions, 100)?,
                ))
            })
            .collect()
    }
}
