//! A network embedded as a JSON value in a saved diffusion model (score network, lattice
//! denoiser), in the versioned format of [`crate::nn::io`].
use super::DiffusionError;
use crate::nn::Network;

/// The network as a JSON value.
///
/// # Errors
/// [`DiffusionError::Malformed`] if the network has non-finite weights.
pub(super) fn to_value(net: &Network<f64>) -> Result<serde_json::Value, DiffusionError> {
    let bytes = crate::nn::io::to_json(net)
        .map_err(|_| DiffusionError::Malformed("the network has non-finite weights"))?;
    serde_json::from_slice(&bytes).map_err(|_| DiffusionError::Malformed("network JSON"))
}

/// The network of a JSON value written by [`to_value`], shapes and weights checked.
///
/// # Errors
/// [`DiffusionError::Malformed`] for anything that is not a valid saved network.
pub(super) fn from_value(value: &serde_json::Value) -> Result<Network<f64>, DiffusionError> {
    let bytes = serde_json::to_vec(value).map_err(|_| DiffusionError::Malformed("network JSON"))?;
    crate::nn::io::from_json(&bytes).map_err(|_| DiffusionError::Malformed("invalid network"))
}
