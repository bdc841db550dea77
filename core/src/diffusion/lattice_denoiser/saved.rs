//! The versioned JSON form of a [`LatticeDenoiser`].
use super::*;

const FORMAT: &str = "entropic-lattice-denoiser";
const VERSION: u32 = 1;

#[derive(serde::Serialize, serde::Deserialize)]
struct Saved {
    format: alloc::string::String,
    version: u32,
    sde: VpSde,
    kind: SpinKind,
    side: usize,
    conditioning: Conditioning,
    /// Absent in files written before belief propagation existed: none.
    #[serde(default)]
    propagation: usize,
    /// Absent in files written before the gate existed: none.
    #[serde(default)]
    gate: Option<SavedGate>,
    /// Absent in files written before the first-harmonic messages existed: mean-field.
    #[serde(default)]
    planar_messages: PlanarMessages,
    /// Absent in files written before the λ density existed: uniform.
    #[serde(default)]
    lambda_density: LambdaDensity,
    /// Absent in files written before the site's own evidence was an input: not seen.
    #[serde(default)]
    site_evidence: bool,
    /// Absent in files written before the coupling was a setting: J = 1.
    #[serde(default = "unit_coupling")]
    coupling: f64,
    network: serde_json::Value,
}

fn unit_coupling() -> f64 {
    1.0
}

/// A saved [`Gate`]; files written before [`Gate::Coupling`] existed hold a bare λ₀, a
/// [`Gate::Constant`].
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
enum SavedGate {
    Bare(f64),
    Tagged(Gate),
}

impl LatticeDenoiser {
    /// Save as versioned JSON; [`LatticeDenoiser::from_json`] restores it bit for bit.
    ///
    /// # Errors
    /// [`DiffusionError::Malformed`] if the network has non-finite weights.
    pub fn to_json(&self) -> Result<Vec<u8>, DiffusionError> {
        let network = crate::diffusion::saved_network::to_value(&self.net)?;
        serde_json::to_vec(&Saved {
            format: FORMAT.into(),
            version: VERSION,
            sde: self.sde,
            kind: self.kind,
            side: self.side,
            conditioning: self.conditioning.clone(),
            propagation: self.propagation,
            gate: self.gate.map(SavedGate::Tagged),
            planar_messages: self.planar_messages(),
            lambda_density: self.lambda_density,
            site_evidence: self.site_evidence,
            coupling: self.coupling,
            network,
        })
        .map_err(|_| DiffusionError::Malformed("could not serialise"))
    }

    /// Load a model saved by [`LatticeDenoiser::to_json`], checking every shape.
    ///
    /// # Errors
    /// [`DiffusionError::Malformed`] for anything that is not a consistent saved denoiser.
    pub fn from_json(bytes: &[u8]) -> Result<Self, DiffusionError> {
        let bad = DiffusionError::Malformed;
        let saved: Saved =
            serde_json::from_slice(bytes).map_err(|_| bad("not a readable lattice denoiser"))?;
        if saved.format != FORMAT || saved.version != VERSION {
            return Err(bad("unknown format or version"));
        }
        let net = crate::diffusion::saved_network::from_value(&saved.network)?;
        let gate = saved.gate.map(|g| match g {
            SavedGate::Bare(l0) => Gate::Constant(l0),
            SavedGate::Tagged(g) => g,
        });
        if saved.sde.check().is_err()
            || saved.conditioning.check().is_err()
            || saved.side < 2
            || saved.side > 1 << 12
            || saved.propagation > Self::MAX_PROPAGATION
            || gate.is_some_and(|g| saved.propagation == 0 || g.check().is_err())
            || net.inputs()
                != input_width(
                    saved.kind,
                    &saved.conditioning,
                    saved.propagation,
                    saved.site_evidence,
                )
            || net.outputs() != saved.kind.components()
        {
            return Err(bad("inconsistent settings or shapes"));
        }
        Self {
            sde: saved.sde,
            kind: saved.kind,
            side: saved.side,
            conditioning: saved.conditioning,
            propagation: saved.propagation,
            harmonic: None,
            gate,
            lambda_density: LambdaDensity::Uniform,
            site_evidence: saved.site_evidence,
            coupling: 1.0,
            net,
        }
        .with_planar_messages(saved.planar_messages)
        .and_then(|m| m.with_lambda_density(saved.lambda_density))
        .and_then(|m| m.with_coupling(saved.coupling))
        .map_err(|_| bad("inconsistent settings or shapes"))
    }
}
