//! A lattice-entropy run's outputs as text, CSV, JSON and SVG: what `entropic entropy ising | xy`
//! prints and writes, for any front end to write the same. Writing to a `String` cannot fail, so
//! the `fmt::Write` results below are discarded.
#[cfg(feature = "serde")]
use super::LatticeEntropyConfig;
use super::{EntropyRow, Generation, LatticeEntropy, LatticeModel};
use crate::diffusion::SpinKind;
use crate::diffusion::log_snr;
use crate::estimate::{Estimate, Unit};
#[cfg(feature = "plot")]
use crate::experiment::ExperimentError;
#[cfg(feature = "plot")]
use crate::plot::{self, Scale, Series, Tile};
use crate::stats::IndependentMean;
use alloc::format;
use alloc::string::String;
#[cfg(feature = "plot")]
use alloc::string::ToString;
#[cfg(feature = "plot")]
use alloc::vec;
use alloc::vec::Vec;
use core::fmt::Write as _;
#[cfg(feature = "serde")]
use serde_json::json;

/// How a lattice-entropy run is shown: the entropy table as text and CSV, the generation check
/// as text, the figures and the JSON document, in the unit asked for and naming what the
/// estimates are compared against.
///
/// # Examples
/// ```
/// use entropic::diffusion::SpinKind;
/// use entropic::estimate::{Estimate, Unit};
/// use entropic::experiment::{
///     EntropyRow, LatticeEntropy, LatticeEntropyConfig, LatticeEntropyReport, ModelChoice,
///     SpinConfigurations,
/// };
/// // 12 configurations of 4×4 spins at each of T = 2 and 3.
/// let raw: Vec<f64> = (0..2 * 12 * 16).map(|i| if i % 3 == 0 { 1.0 } else { -1.0 }).collect();
/// let data = SpinConfigurations::new(SpinKind::Ising, 4, vec![2.0, 3.0], 12, raw)?;
/// let config = LatticeEntropyConfig { model: ModelChoice::Conv, ..Default::default() };
/// let run = LatticeEntropy::new(config, data)?;
/// let rows = [EntropyRow {
///     temperature: 2.0,
///     estimate: Estimate::new(0.50, 0.01, Unit::Nats, 100),
///     reference: Some(Estimate::exact(0.52, Unit::Nats)),
/// }];
/// let report = LatticeEntropyReport::new(&run, Unit::Nats, false);
/// let (mean, max) = report.summary(&rows).expect("one row has a reference");
/// assert!((mean - 0.02).abs() < 1e-12 && (max - 0.02).abs() < 1e-12);
/// assert!(report.csv(&rows).starts_with("temperature,estimate,std_error,reference"));
/// # Ok::<(), entropic::experiment::ExperimentError>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct LatticeEntropyReport<'a> {
    experiment: &'a LatticeEntropy,
    name: &'static str,
    title: &'static str,
    against: &'static str,
    quantity: &'static str,
    unit: Unit,
}

impl<'a> LatticeEntropyReport<'a> {
    /// The report of `experiment` in `unit`; `integrated`: the references are a thermodynamic
    /// integration's rather than Kaufman's exact values.
    pub fn new(experiment: &'a LatticeEntropy, unit: Unit, integrated: bool) -> Self {
        let ising = experiment.data().kind() == SpinKind::Ising;
        let referenced = experiment.references().iter().any(Option::is_some);
        Self {
            experiment,
            name: if ising { "ising" } else { "xy" },
            title: if ising { "Ising" } else { "XY" },
            against: match (referenced, integrated) {
                (false, _) => {
                    "no reference (the data's Hamiltonian is unknown or not covered by Kaufman's solution: give a thermodynamic-integration reference)"
                }
                (true, true) => "thermodynamic integration",
                (true, false) => "Kaufman (exact)",
            },
            quantity: if ising {
                "entropy per spin"
            } else {
                "excess entropy s − ln 2π per spin"
            },
            unit,
        }
    }

    /// "ising" or "xy": the stem of the run's file names.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The unit's name, "nats" or "bits".
    pub fn unit_name(&self) -> &'static str {
        match self.unit {
            Unit::Nats => "nats",
            Unit::Bits => "bits",
        }
    }

    /// (estimate, reference) of a row in the output unit; an absent reference is NaN.
    fn values(&self, row: &EntropyRow) -> (Estimate, Estimate) {
        let missing = Estimate::exact(f64::NAN, Unit::Nats);
        (
            row.estimate.to_unit(self.unit),
            row.reference.unwrap_or(missing).to_unit(self.unit),
        )
    }

    /// Mean and largest |estimate − reference| over the rows with a reference (output unit),
    /// if any row has one.
    pub fn summary(&self, rows: &[EntropyRow]) -> Option<(f64, f64)> {
        let errors: Vec<f64> = rows
            .iter()
            .filter_map(|r| {
                let (v, x) = self.values(r);
                r.reference.map(|_| (v.value - x.value).abs())
            })
            .collect();
        let mean = errors.iter().sum::<f64>() / errors.len() as f64;
        (!errors.is_empty()).then(|| (mean, errors.iter().fold(0.0f64, |a, &e| a.max(e))))
    }

    /// The entropy table: one line per temperature (estimate, reference, error), the mean and
    /// largest |error|, the training time in seconds and the size of the model — `models` holds
    /// one, or the members of an ensemble ([`super::LatticeDenoisers`]).
    pub fn table<M: LatticeModel>(
        &self,
        rows: &[EntropyRow],
        seconds: f64,
        models: &[M],
    ) -> String {
        let (unit, side) = (self.unit_name(), self.experiment.data().side());
        let order = self.experiment.config().symmetries.order();
        let averaged = if order > 1 {
            format!(" averaged over {order} lattice symmetries")
        } else {
            String::new()
        };
        let mut text = format!(
            "{} {side}×{side}: {} ({unit}) from {} conditional {}{averaged} (I-MMSE) vs {}\n{:>7} {:>10} {:>9} {:>10} {:>9} {:>10}\n",
            self.title,
            self.quantity,
            match models.len() {
                1 => String::from("one"),
                k => format!("the mean of {k} trained"),
            },
            M::NAME,
            self.against,
            "T",
            "estimate",
            "± err",
            "reference",
            "± err",
            "error",
        );
        for r in rows {
            let (v, x) = self.values(r);
            let _ = writeln!(
                text,
                "{:>7.3} {:>10.5} {:>9.5} {:>10.5} {:>9.5} {:>+10.5}",
                r.temperature,
                v.value,
                v.std_error,
                x.value,
                x.std_error,
                v.value - x.value
            );
        }
        let errors = match self.summary(rows) {
            Some((mean, max)) => {
                format!("mean |error| {mean:.5} {unit}/spin, max |error| {max:.5}")
            }
            None => String::from("no reference"),
        };
        let size: usize = models.iter().map(LatticeModel::parameter_count).sum();
        let size = match models.len() {
            1 => format!("{size} parameters"),
            k => format!("{size} parameters in {k} models"),
        };
        let _ = writeln!(text, "{errors}; training {seconds:.0} s ({size})");
        text
    }

    /// The entropy table as CSV (temperature, estimate, error bars, reference, error, unit).
    pub fn csv(&self, rows: &[EntropyRow]) -> String {
        let mut csv =
            String::from("temperature,estimate,std_error,reference,reference_error,error,unit\n");
        for r in rows {
            let (v, x) = self.values(r);
            let _ = writeln!(
                csv,
                "{},{},{},{},{},{},{}",
                r.temperature,
                v.value,
                v.std_error,
                x.value,
                x.std_error,
                v.value - x.value,
                self.unit_name()
            );
        }
        csv
    }

    /// The generation check as text: energy and |m| (and for XY the vortex density) of the
    /// reverse-SDE samples against the Monte Carlo data, with z-scores; empty without one.
    pub fn generation(&self, generation: &Generation) -> String {
        let mut text = String::new();
        if generation.rows.is_empty() {
            return text;
        }
        let c = &self.experiment.config().generation;
        let show =
            |m: &IndependentMean, d: usize| format!("{:.*} ± {:.*}", d, m.value, d, m.std_error);
        let _ = writeln!(
            text,
            "\ngeneration ({} reverse-SDE samples, {} {:?} steps on a {:?} grid, {} corrector moves each) vs Monte Carlo ({} configurations):\n{:>7} {:>18} {:>18} {:>6} {:>18} {:>18} {:>6}",
            c.samples,
            c.steps,
            c.predictor,
            c.grid,
            c.corrector_steps,
            self.experiment.data().per_temperature(),
            "T",
            "e generated",
            "e MC",
            "z",
            "|m| generated",
            "|m| MC",
            "z"
        );
        for r in &generation.rows {
            let _ = writeln!(
                text,
                "{:>7.3} {:>18} {:>18} {:>+6.2} {:>18} {:>18} {:>+6.2}",
                r.temperature,
                show(&r.energy_generated, 4),
                show(&r.energy_mc, 4),
                r.energy_generated.z(&r.energy_mc),
                show(&r.abs_m_generated, 4),
                show(&r.abs_m_mc, 4),
                r.abs_m_generated.z(&r.abs_m_mc)
            );
        }
        if generation.rows.iter().any(|r| r.vortices.is_some()) {
            let _ = writeln!(
                text,
                "vortices + antivortices per site:\n{:>7} {:>20} {:>20} {:>6}",
                "T", "generated", "MC", "z"
            );
            for r in &generation.rows {
                if let Some((g, d)) = &r.vortices {
                    let _ = writeln!(
                        text,
                        "{:>7.3} {:>20} {:>20} {:>+6.2}",
                        r.temperature,
                        show(g, 5),
                        show(d, 5),
                        g.z(d)
                    );
                }
            }
        }
        if let Some(lambda) = c.from_log_snr {
            let sde = crate::diffusion::VpSde::default();
            let start = generation.start_step;
            let planar = generation
                .rows
                .iter()
                .any(|r| r.drift.as_ref().is_some_and(|d| d.vortices.is_some()));
            let _ = write!(
                text,
                "paired drift from the {} held-out starting configurations (perturbed to step {start} of {}, log-SNR {:.2} ≥ {lambda}):\n{:>7} {:>18} {:>6} {:>18} {:>6}",
                c.samples,
                c.steps,
                log_snr(&sde, c.sampling().time(&sde, start)),
                "T",
                "Δe",
                "z",
                "Δ|m|",
                "z"
            );
            let _ = if planar {
                writeln!(text, " {:>20} {:>6}", "Δvortices", "z")
            } else {
                writeln!(text)
            };
            // The z-score against no drift (0 for a drift of exactly zero: nothing moved).
            let none = IndependentMean {
                value: 0.0,
                std_error: 0.0,
                samples: 0,
            };
            let z = |x: &IndependentMean| x.z(&none);
            for r in &generation.rows {
                if let Some(d) = &r.drift {
                    let _ = write!(
                        text,
                        "{:>7.3} {:>18} {:>+6.2} {:>18} {:>+6.2}",
                        r.temperature,
                        show(&d.energy, 4),
                        z(&d.energy),
                        show(&d.abs_m, 4),
                        z(&d.abs_m)
                    );
                    let _ = match &d.vortices {
                        Some(v) => writeln!(text, " {:>20} {:>+6.2}", show(v, 5), z(v)),
                        None => writeln!(text),
                    };
                }
            }
        }
        text
    }

    /// The run's files besides the tables, as (name, contents): the training losses
    /// (`losses.csv`) and the figures — entropy and error against temperature, the training
    /// curve, Monte Carlo beside generated configurations and the denoising examples of
    /// [`LatticeEntropy::denoising`] with `seed` (`entropy.svg`, `errors.svg`, `training.svg`,
    /// `generated.svg`, `denoising.svg`; the last two only when there is something to show).
    ///
    /// # Errors
    /// [`ExperimentError::Plot`] if drawing fails; the denoising examples' errors.
    #[cfg(feature = "plot")]
    pub fn figures<M: LatticeModel>(
        &self,
        rows: &[EntropyRow],
        losses: &[f64],
        generation: &Generation,
        models: &[M],
        seed: u64,
    ) -> Result<Vec<(&'static str, String)>, ExperimentError> {
        let mut files = Vec::new();
        let data = self.experiment.data();
        let side = data.side();
        let loss_csv: String = core::iter::once("step,loss\n".to_string())
            .chain(losses.iter().enumerate().map(|(i, l)| format!("{i},{l}\n")))
            .collect();
        files.push(("losses.csv", loss_csv));
        let unit = self.unit_name();
        let values: Vec<(f64, Estimate, Estimate)> = rows
            .iter()
            .map(|r| {
                let (v, x) = self.values(r);
                (r.temperature, v, x)
            })
            .collect();
        let series =
            |name: &'static str, pick: fn(&(f64, Estimate, Estimate)) -> Estimate| Series {
                name,
                points: values.iter().map(|r| (r.0, pick(r).value)).collect(),
                errors: values.iter().map(|r| pick(r).std_error).collect(),
            };
        let entropy_svg = plot::line_chart(
            &format!("{} {side}×{side}: {}", self.title, self.quantity),
            "T",
            &format!("{unit}/spin"),
            &[series(self.against, |r| r.2), series(M::NAME, |r| r.1)],
        )?;
        files.push(("entropy.svg", entropy_svg));
        let errors_svg = plot::line_chart(
            &format!("I-MMSE error against {}", self.against),
            "T",
            &format!("estimate − reference ({unit}/spin)"),
            &[Series {
                name: "error ± combined error bar",
                points: values
                    .iter()
                    .map(|r| (r.0, r.1.value - r.2.value))
                    .collect(),
                errors: values
                    .iter()
                    .map(|r| libm::hypot(r.1.std_error, r.2.std_error))
                    .collect(),
            }],
        )?;
        files.push(("errors.svg", errors_svg));
        let training_svg = plot::line_chart(
            "denoiser training (log-loss per site, moving average of 100 steps)",
            "step",
            "nats",
            &[Series {
                name: "loss",
                points: moving_average(losses, 100),
                errors: Vec::new(),
            }],
        )?;
        files.push(("training.svg", training_svg));
        let (shown, pixels): (&str, fn(f64) -> f64) = match data.kind() {
            SpinKind::Ising => ("spins", |v| v),
            SpinKind::Planar => ("cos θ", f64::cos),
        };
        let tile = |title: String, raw: &[f64]| Tile {
            title,
            pixels: raw.iter().map(|&v| pixels(v)).collect(),
            scale: Scale::Diverging,
        };
        let s = data.sites();
        let tiles: Vec<Vec<Tile>> = self
            .experiment
            .generation_temperatures()
            .iter()
            .zip(&generation.configurations)
            .map(|(&k, raw)| {
                let t = data.temperatures()[k];
                vec![
                    tile(format!("MC T={t:.3}"), data.raw(k, 0, 1)),
                    tile(format!("MC T={t:.3}"), data.raw(k, 1, 2)),
                    tile(format!("generated T={t:.3}"), &raw[..s]),
                    tile(format!("generated T={t:.3}"), &raw[s..2 * s]),
                ]
            })
            .collect();
        if !tiles.is_empty() {
            let title = format!("Monte Carlo vs reverse-SDE samples ({shown})");
            files.push(("generated.svg", plot::image_grid(&title, &tiles, side)?));
        }
        let panel = |title: String, pixels: &[f64]| Tile {
            title,
            pixels: pixels.to_vec(),
            scale: Scale::Diverging,
        };
        let denoise: Vec<Vec<Tile>> = self
            .experiment
            .denoising(models, seed)?
            .iter()
            .map(|d| {
                vec![
                    panel(format!("real T={:.3}", d.temperature), &d.real),
                    panel("noisy".into(), &d.noisy),
                    panel("denoised".into(), &d.denoised),
                ]
            })
            .collect();
        if !denoise.is_empty() {
            let title = format!("real, noisy (λ = 0, snr 1) and denoised E[s | x] ({shown})");
            files.push(("denoising.svg", plot::image_grid(&title, &denoise, side)?));
        }
        Ok(files)
    }

    /// The run as one JSON document: the config, the data's shape and Hamiltonian, the model
    /// and its settings, the entropy rows with the mean and largest |error|, and the generation
    /// check (values with error bars as [value, error] pairs, and z-scores).
    #[cfg(feature = "serde")]
    pub fn json<M: LatticeModel<Config: serde::Serialize>>(
        &self,
        config: &LatticeEntropyConfig,
        rows: &[EntropyRow],
        generation: &Generation,
        models: &[M],
        train_seconds: f64,
    ) -> serde_json::Value {
        let pair = |m: &IndependentMean| [m.value, m.std_error];
        let summary = self.summary(rows);
        let experiment = self.experiment;
        json!({
            "config": config,
            "side": experiment.data().side(),
            "unit": self.unit_name(),
            "quantity": self.quantity,
            "reference": self.against,
            "hamiltonian": experiment.data().hamiltonian(),
            "holdout_per_temperature": experiment.holdout(),
            "train_per_temperature": experiment.training_per_temperature(),
            "model": M::CHOICE,
            "model_name": M::NAME,
            "ensemble": models.len(),
            "parameters": models.iter().map(LatticeModel::parameter_count).sum::<usize>(),
            "model_settings": models.first().map(|m| m.config()),
            "sampler": format!("{:?}", config.generation.sampling()),
            "train_seconds": train_seconds,
            "mean_abs_error_per_spin": summary.map(|s| s.0),
            "max_abs_error_per_spin": summary.map(|s| s.1),
            "rows": rows.iter().map(|r| {
                let (v, x) = self.values(r);
                json!({
                    "temperature": r.temperature,
                    "estimate": v.value,
                    "std_error": v.std_error,
                    "reference": r.reference.map(|_| x.value),
                    "reference_error": r.reference.map(|_| x.std_error),
                })
            }).collect::<Vec<_>>(),
            "gen_start_step": generation.start_step,
            "generation": generation.rows.iter().map(|r| json!({
                "temperature": r.temperature,
                "energy_generated": pair(&r.energy_generated),
                "energy_mc": pair(&r.energy_mc),
                "energy_z": r.energy_generated.z(&r.energy_mc),
                "abs_m_generated": pair(&r.abs_m_generated),
                "abs_m_mc": pair(&r.abs_m_mc),
                "abs_m_z": r.abs_m_generated.z(&r.abs_m_mc),
                "energy_drift": r.drift.as_ref().map(|d| pair(&d.energy)),
                "abs_m_drift": r.drift.as_ref().map(|d| pair(&d.abs_m)),
                "vortex_drift": r.drift.as_ref().and_then(|d| d.vortices.as_ref()).map(pair),
                "vortices": r.vortices.as_ref().map(|(g, d)| json!({
                    "generated": pair(g),
                    "mc": pair(d),
                    "z": g.z(d),
                })),
            })).collect::<Vec<_>>(),
        })
    }
}

/// Means of consecutive chunks of `window` values, at each chunk's middle index.
#[cfg(feature = "plot")]
fn moving_average(values: &[f64], window: usize) -> Vec<(f64, f64)> {
    values
        .chunks(window.max(1))
        .enumerate()
        .map(|(i, c)| {
            (
                (i * window + c.len() / 2) as f64,
                c.iter().sum::<f64>() / c.len() as f64,
            )
        })
        .collect()
}
