//! The versioned JSON form of a [`ConvDenoiser`].
use super::*;

const FORMAT: &str = "entropic-conv-denoiser";
const VERSION: u32 = 1;
/// Largest side, channel count and number of blocks a saved model may claim (a file may say
/// anything; these keep a bad one from asking for memory that cannot exist).
const MAX_SIDE: usize = 1 << 12;
const MAX_CHANNELS: usize = 1024;
const MAX_BLOCKS: usize = 256;

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Saved {
    format: alloc::string::String,
    version: u32,
    sde: VpSde,
    kind: SpinKind,
    side: usize,
    conditioning: Conditioning,
    config: ConvDenoiserConfig,
    /// The f64 weights in the network's tensor order.
    params: Vec<f64>,
}

impl<T: Scalar> ConvDenoiser<T> {
    /// Save as versioned JSON; [`ConvDenoiser::from_json`] restores it bit for bit.
    ///
    /// # Errors
    /// [`DiffusionError::Malformed`] if a weight is not finite.
    pub fn to_json(&self) -> Result<Vec<u8>, DiffusionError> {
        if self.params.iter().any(|w| !w.is_finite()) {
            return Err(DiffusionError::Malformed(
                "the network has non-finite weights",
            ));
        }
        serde_json::to_vec(&Saved {
            format: FORMAT.into(),
            version: VERSION,
            sde: self.sde,
            kind: self.kind,
            side: self.side(),
            conditioning: self.conditioning.clone(),
            config: self.config(),
            params: self.params.clone(),
        })
        .map_err(|_| DiffusionError::Malformed("could not serialise"))
    }

    /// Load a model saved by [`ConvDenoiser::to_json`], checking every shape.
    ///
    /// # Errors
    /// [`DiffusionError::Malformed`] for anything that is not a consistent saved model.
    pub fn from_json(bytes: &[u8]) -> Result<Self, DiffusionError> {
        let bad = DiffusionError::Malformed;
        let saved: Saved = serde_json::from_slice(bytes)
            .map_err(|_| bad("not a readable convolutional lattice denoiser"))?;
        if saved.format != FORMAT || saved.version != VERSION {
            return Err(bad("unknown format or version"));
        }
        let c = &saved.config;
        if saved.sde.check().is_err()
            || saved.side > MAX_SIDE
            || c.channels > MAX_CHANNELS
            || c.dilations.len() > MAX_BLOCKS
        {
            return Err(bad("inconsistent settings or shapes"));
        }
        let mut model = Self::from_config(
            saved.sde,
            saved.kind,
            saved.side,
            saved.conditioning,
            c,
            &mut crate::rng::from_seed(0),
        )
        .map_err(|_| bad("inconsistent settings or shapes"))?;
        if saved.params.len() != model.params.len() || saved.params.iter().any(|w| !w.is_finite()) {
            return Err(bad(
                "weights that do not fit the network, or are not finite",
            ));
        }
        let mut tied = saved.params.clone();
        model.net.shape().tie(&mut tied);
        if tied != saved.params {
            return Err(bad(
                "weights that break the equivariant network's complex ties",
            ));
        }
        model.params = saved.params;
        Ok(model)
    }
}
