//! [`DenoiserConfig`]: every setting of a lattice denoiser in one place.
#[cfg(doc)]
use super::LatticeDenoiser;
use super::{Gate, LambdaDensity, PlanarMessages};
use alloc::vec;
use alloc::vec::Vec;

/// Settings of a [`LatticeDenoiser`]: what [`LatticeDenoiser::from_config`] builds and
/// [`LatticeDenoiser::config`] reads back (every default then resolved).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct DenoiserConfig {
    /// Hidden widths of the per-site field network. Default [64, 64].
    pub hidden: Vec<usize>,
    /// Condition on one-hot temperature labels (the thesis' classes) instead of T itself.
    /// Default false.
    pub labels: bool,
    /// Iterations of loopy belief propagation whose Bethe cavity field the network corrects
    /// (0: none; at most [`LatticeDenoiser::MAX_PROPAGATION`]). Default 4.
    pub propagation: usize,
    /// Gate of the network's correction to the Bethe field ([`Gate`]; needs belief
    /// propagation). Default none.
    pub gate: Option<Gate>,
    /// XY belief-propagation messages ([`PlanarMessages`]). Default (absent): first-harmonic for
    /// XY with belief propagation, else mean-field.
    pub planar_messages: Option<PlanarMessages>,
    /// Let the network see each site's own evidence (the site's own noisy value among the network's inputs).
    /// Default (absent): on for XY, off for Ising.
    pub site_evidence: Option<bool>,
    /// Where the training noise levels are drawn ([`LambdaDensity`]). Default uniform in λ.
    pub lambda_density: LambdaDensity,
    /// The coupling J of the nearest-neighbour Hamiltonian H = −J Σ_⟨ij⟩ sᵢ·sⱼ (no field) the
    /// model assumes: belief propagation and the clean-limit field run at βJ = J/T. Default
    /// (absent): the data's, where a run knows it; 1 for a model built directly.
    pub coupling: Option<f64>,
}

impl Default for DenoiserConfig {
    fn default() -> Self {
        Self {
            hidden: vec![64, 64],
            labels: false,
            propagation: 4,
            gate: None,
            planar_messages: None,
            site_evidence: None,
            lambda_density: LambdaDensity::Uniform,
            coupling: None,
        }
    }
}
