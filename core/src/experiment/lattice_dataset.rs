//! The spin-lattice dataset format — what `entropic lattice sample` and `lattice temper --keep`
//! write and `entropy ising|xy` read: `configs.npy` (temperatures × samples × L × L; int8 spins
//! or float64 angles), `temperatures.npy` and `metadata.json`, whose keys are written and read
//! here, in one place.
use super::chain::{ChainConfig, Configs};
#[cfg(feature = "serde")]
use super::{ExperimentError, Hamiltonian};
#[cfg(feature = "serde")]
use alloc::format;

/// The shape of `configs.npy` for `temperatures` temperatures of `configs` on `spec`'s L×L
/// lattice: temperatures × samples × L × L (samples per temperature: the total over them).
pub fn dataset_shape(spec: &ChainConfig, temperatures: usize, configs: &Configs) -> [u64; 4] {
    let l = spec.size as u64;
    let t = temperatures as u64;
    let total = match configs {
        Configs::Spins(v) => v.len(),
        Configs::Angles(v) => v.len(),
    } as u64;
    [t, total / (t * l * l).max(1), l, l]
}

/// The `metadata.json` keys every dataset carries: the command that wrote it, the model with its
/// Hamiltonian (which [`dataset_hamiltonian`] reads back), the sampler, the seed, the shape and
/// dtype of `configs.npy`. The writer adds its own keys (samples, spacing, per-temperature
/// diagnostics).
#[cfg(feature = "serde")]
pub fn dataset_metadata(
    command: &str,
    seed: u64,
    spec: &ChainConfig,
    temperatures: usize,
    configs: &Configs,
) -> serde_json::Value {
    let dtype = match configs {
        Configs::Spins(_) => "int8 spins ±1",
        Configs::Angles(_) => "float64 angles in [0, 2π)",
    };
    serde_json::json!({
        "command": command,
        "model": spec.model,
        "algorithm": spec.algorithm,
        "size": spec.size,
        "coupling": spec.coupling,
        "field": spec.field,
        "next_nearest": spec.next_nearest,
        "global_flip": spec.global_flip,
        "thermalize": spec.thermalize,
        "seed": seed,
        "configs_shape": dataset_shape(spec, temperatures, configs),
        "configs_dtype": dtype,
    })
}

/// The Hamiltonian a dataset's `metadata.json` states: its finite `coupling` and `field` and,
/// if present, `next_nearest` (0 when absent: files written before J₂ existed, or by hand).
///
/// # Errors
/// [`ExperimentError::Config`] (field `metadata`) whose reason reads after the file's name: "is
/// not JSON", "states no finite coupling (the Hamiltonian the data were drawn from)", and so on.
///
/// # Examples
/// ```
/// use entropic::experiment::dataset_hamiltonian;
/// let h = dataset_hamiltonian(br#"{"coupling": 1.0, "field": 0.1}"#)?;
/// assert_eq!((h.coupling, h.field, h.next_nearest), (1.0, 0.1, 0.0));
/// assert!(dataset_hamiltonian(br#"{"coupling": 1.0}"#).is_err());
/// # Ok::<(), entropic::experiment::ExperimentError>(())
/// ```
#[cfg(feature = "serde")]
pub fn dataset_hamiltonian(bytes: &[u8]) -> Result<Hamiltonian, ExperimentError> {
    let doc: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|_| ExperimentError::config("metadata", "is not JSON"))?;
    let number = |key: &str| {
        doc.get(key)
            .and_then(serde_json::Value::as_f64)
            .filter(|v| v.is_finite())
            .ok_or_else(|| {
                ExperimentError::config(
                    "metadata",
                    format!("states no finite {key} (the Hamiltonian the data were drawn from)"),
                )
            })
    };
    Ok(Hamiltonian {
        coupling: number("coupling")?,
        field: number("field")?,
        next_nearest: match doc.get("next_nearest") {
            None => 0.0,
            Some(_) => number("next_nearest")?,
        },
    })
}
