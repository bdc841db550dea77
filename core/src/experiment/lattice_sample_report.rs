//! A [`LatticeSample`] dataset's outputs — what `entropic lattice sample` prints and writes beside
//! the arrays: the spacing table, `metadata.json` and one picture per temperature.
//! Writing to a `String` cannot fail, so the `fmt::Write` results below are discarded.
#[cfg(feature = "plot")]
use super::ExperimentError;
use super::chain::{Chain, Configs};
use super::{LatticeSample, concatenate};
use alloc::format;
use alloc::string::{String, ToString};
#[cfg(feature = "plot")]
use alloc::vec::Vec;
use core::fmt::Write as _;

/// A sampled dataset shown as a table, its `metadata.json` and figures.
///
/// # Examples
/// ```
/// use entropic::experiment::{LatticeSample, LatticeSampleConfig, LatticeSampleReport, Sequential};
/// let mut config = LatticeSampleConfig::default();
/// config.chain.size = 4;
/// config.temperatures = vec![1.5, 3.0];
/// config.samples = 10;
/// config.pilot = 200;
/// let run = LatticeSample::new(config)?;
/// let chains = run.run(1, &Sequential)?;
/// let report = LatticeSampleReport::new(&run, &chains);
/// assert_eq!(report.text().lines().count(), 3); // header and one line per temperature
/// assert_eq!(report.shape(), [2, 10, 4, 4]);
/// # Ok::<(), entropic::experiment::ExperimentError>(())
/// ```
#[derive(Clone, Debug)]
pub struct LatticeSampleReport<'a> {
    run: &'a LatticeSample,
    chains: &'a [Chain],
    configs: Configs,
}

impl<'a> LatticeSampleReport<'a> {
    /// The report of `chains`, what `run` returned.
    pub fn new(run: &'a LatticeSample, chains: &'a [Chain]) -> Self {
        Self {
            run,
            chains,
            configs: concatenate(chains),
        }
    }

    /// Every configuration in one temperature-major array: the contents of `configs.npy`.
    pub fn configs(&self) -> &Configs {
        &self.configs
    }

    /// The shape of `configs.npy`: temperatures × samples × L × L.
    pub fn shape(&self) -> [u64; 4] {
        let c = self.run.config();
        super::dataset_shape(&c.chain, c.temperatures.len(), &self.configs)
    }

    /// Per temperature: the spacing of the samples in steps, the pilot run's τ_int of e and |m|,
    /// the acceptance and the effective samples per second ("—" where not measured).
    pub fn text(&self) -> String {
        let mut text = format!(
            "{:>8} {:>8} {:>10} {:>10} {:>10} {:>10}\n",
            "T", "spacing", "τ_int(e)", "τ_int(|m|)", "acceptance", "ESS/s"
        );
        for (t, chain) in self.run.config().temperatures.iter().zip(self.chains) {
            if let Some(s) = chain.spacing {
                let ess = chain.effective_samples_per_second();
                let _ = writeln!(
                    text,
                    "{t:>8.4} {:>8} {:>10.2} {:>10.2} {:>10.3} {:>10}",
                    s.steps,
                    s.tau_energy,
                    s.tau_abs_m,
                    chain.acceptance,
                    ess.map_or("—".to_string(), |v| format!("{v:.0}"))
                );
            }
        }
        text
    }

    /// `metadata.json` of a run with `seed`: the dataset's keys ([`super::dataset_metadata`]),
    /// the pilot and samples per temperature, and per temperature what the chain tuned, its
    /// spacing, τ_int, acceptance and effective samples per second.
    #[cfg(feature = "serde")]
    pub fn json(&self, seed: u64) -> serde_json::Value {
        use super::chain::Tuning;
        use serde_json::json;
        let c = self.run.config();
        let temperatures: alloc::vec::Vec<_> = c
            .temperatures
            .iter()
            .zip(self.chains)
            .map(|(t, chain)| {
                let mut entry = match chain.tuning {
                    Tuning::None => json!({}),
                    Tuning::ClustersPerStep(c) => json!({ "clusters_per_step": c }),
                    Tuning::Replicas(r) => json!({ "replicas": r }),
                    Tuning::ProposalWidth(w) => json!({ "proposal_width": w }),
                };
                if let Some(s) = chain.spacing {
                    entry["effective_samples_per_second"] =
                        chain.effective_samples_per_second().into();
                    entry["spacing_steps"] = s.steps.into();
                    entry["tau_int_energy"] = s.tau_energy.into();
                    entry["tau_int_abs_m"] = s.tau_abs_m.into();
                    entry["tau_converged"] = s.converged.into();
                }
                entry["temperature"] = (*t).into();
                entry["acceptance"] = chain.acceptance.into();
                entry
            })
            .collect();
        let mut doc = super::dataset_metadata(
            "lattice sample",
            seed,
            &c.chain,
            c.temperatures.len(),
            &self.configs,
        );
        doc["pilot"] = c.pilot.into();
        doc["samples"] = c.samples.into();
        doc["temperatures"] = temperatures.into();
        doc
    }

    /// One picture per temperature, its first configuration, as (`config_T<T>.svg`, SVG).
    ///
    /// # Errors
    /// [`ExperimentError::Plot`] if drawing fails.
    #[cfg(feature = "plot")]
    pub fn figures(&self) -> Result<Vec<(String, String)>, ExperimentError> {
        let c = self.run.config();
        let l = c.chain.size;
        let sites = l * l;
        c.temperatures
            .iter()
            .enumerate()
            .map(|(k, t)| {
                let first = k * c.samples * sites;
                let svg = match &self.configs {
                    Configs::Spins(v) => crate::plot::spin_lattice(l, l, &v[first..first + sites]),
                    Configs::Angles(v) => {
                        crate::plot::angle_lattice(l, l, &v[first..first + sites])
                    }
                }?;
                Ok((format!("config_T{t:.4}.svg"), svg))
            })
            .collect()
    }
}
