//! Versioned save / load of networks as JSON (feature `serde`).
//!
//! The document is `{"format": "entropic-network", "version": 1, "network": …}`. Floats are
//! written in their shortest round-tripping form, so a loaded network reproduces the saved one's
//! outputs bit for bit. Loading checks the format tag, the version, every layer's parameter count
//! against its shape, the chaining of widths and the finiteness of every parameter.
use super::{Network, NnError, Scalar};
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// Format tag of saved networks.
pub const FORMAT: &str = "entropic-network";
/// Current format version.
pub const VERSION: u32 = 1;

#[derive(serde::Serialize)]
struct SavedRef<'a, T> {
    format: &'a str,
    version: u32,
    network: &'a Network<T>,
}

#[derive(serde::Deserialize)]
struct Header {
    format: String,
    version: u32,
}

#[derive(serde::Deserialize)]
#[serde(bound(deserialize = "T: serde::Deserialize<'de>"))]
struct Saved<T> {
    network: Network<T>,
}

/// Serialise `network` to JSON bytes.
///
/// # Errors
/// [`NnError::NotFinite`] if a parameter is NaN or infinite (JSON cannot hold it).
///
/// # Examples
/// ```
/// use entropic::nn::{ActivationKind, Network, io};
/// let mut net = Network::<f32>::mlp(&[3, 4, 2], ActivationKind::Tanh, &mut entropic::rng::from_seed(1))?;
/// let bytes = io::to_json(&net)?;
/// let mut back: Network<f32> = io::from_json(&bytes)?;
/// let x = [0.1, -0.2, 0.3];
/// assert_eq!(net.forward(&x, 1)?.to_vec(), back.forward(&x, 1)?.to_vec());
/// assert!(io::from_json::<f32>(&bytes[..bytes.len() / 2]).is_err());
/// # Ok::<(), entropic::nn::NnError>(())
/// ```
pub fn to_json<T: Scalar + serde::Serialize>(network: &Network<T>) -> Result<Vec<u8>, NnError> {
    network.validate()?;
    serde_json::to_vec(&SavedRef {
        format: FORMAT,
        version: VERSION,
        network,
    })
    .map_err(|e| NnError::Malformed(e.to_string()))
}

fn classify(e: serde_json::Error) -> NnError {
    match e.classify() {
        serde_json::error::Category::Eof => NnError::Truncated,
        _ => NnError::Malformed(e.to_string()),
    }
}

/// Load a network saved by [`to_json`].
///
/// # Errors
/// [`NnError::Truncated`], [`NnError::Malformed`], [`NnError::WrongFormat`],
/// [`NnError::UnsupportedVersion`], or the [`Network::validate`] errors for inconsistent shapes
/// and non-finite parameters.
pub fn from_json<T: Scalar + serde::de::DeserializeOwned>(
    bytes: &[u8],
) -> Result<Network<T>, NnError> {
    let header: Header = serde_json::from_slice(bytes).map_err(classify)?;
    if header.format != FORMAT {
        return Err(NnError::WrongFormat);
    }
    if header.version != VERSION {
        return Err(NnError::UnsupportedVersion(header.version));
    }
    let saved: Saved<T> = serde_json::from_slice(bytes).map_err(classify)?;
    saved.network.validate()?;
    Ok(saved.network)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::{ActivationKind, AvgPool2d, Conv2d, Layer, Padding, Upsample2d};

    #[test]
    fn round_trip_and_typed_errors() {
        let mut rng = crate::rng::from_seed(3);
        let mut net = Network::<f32>::new(16);
        net.push(Layer::Conv2d(
            Conv2d::new(1, 2, 4, 4, 3, Padding::Same, &mut rng).unwrap(),
        ))
        .unwrap();
        let bytes = to_json(&net).unwrap();
        assert_eq!(to_json(&from_json::<f32>(&bytes).unwrap()).unwrap(), bytes);
        assert_eq!(
            from_json::<f32>(&bytes[..bytes.len() - 3]).unwrap_err(),
            NnError::Truncated
        );
        let text = core::str::from_utf8(&bytes).unwrap();
        let other = text.replace("entropic-network", "something-else");
        assert_eq!(
            from_json::<f32>(other.as_bytes()).unwrap_err(),
            NnError::WrongFormat
        );
        let future = text.replace("\"version\":1", "\"version\":7");
        assert_eq!(
            from_json::<f32>(future.as_bytes()).unwrap_err(),
            NnError::UnsupportedVersion(7)
        );
        // Drop one parameter: the shape check catches it.
        let start = text.find("\"params\":[").unwrap() + 10;
        let comma = start + text[start..].find(',').unwrap();
        let short = alloc::format!("{}{}", &text[..start], &text[comma + 1..]);
        assert!(matches!(
            from_json::<f32>(short.as_bytes()).unwrap_err(),
            NnError::Shape(_)
        ));
        assert!(matches!(
            from_json::<f32>(b"{\"format\":").unwrap_err(),
            NnError::Truncated
        ));
        assert!(matches!(
            from_json::<f32>(b"[1,2]").unwrap_err(),
            NnError::Malformed(_)
        ));
        let mlp = Network::<f64>::mlp(&[2, 2], ActivationKind::Relu, &mut rng).unwrap();
        let saved = to_json(&mlp).unwrap();
        assert!(from_json::<f64>(&saved).is_ok());
        // A width whose parameter count overflows (found by fuzzing: an overflow panic).
        let text = core::str::from_utf8(&saved).unwrap();
        let huge = text.replacen("\"outputs\":2", "\"outputs\":18446744073709551615", 1);
        assert_ne!(huge, text);
        assert!(matches!(
            from_json::<f64>(huge.as_bytes()).unwrap_err(),
            NnError::Shape(_)
        ));
    }

    /// A multi-scale network round-trips; a file with an impossible pooling factor or an even
    /// periodic kernel is a shape error, not a panic.
    #[test]
    fn resampling_layers_round_trip_and_bad_shapes_are_refused() {
        let mut rng = crate::rng::from_seed(4);
        let mut net = Network::<f64>::new(16);
        let conv = Conv2d::new(1, 2, 4, 4, 3, Padding::Periodic, &mut rng).unwrap();
        net.push(Layer::Conv2d(conv)).unwrap();
        net.push(Layer::AvgPool2d(AvgPool2d::new(2, 4, 4, 2).unwrap()))
            .unwrap();
        net.push(Layer::Upsample2d(Upsample2d::new(2, 4, 4, 2).unwrap()))
            .unwrap();
        let bytes = to_json(&net).unwrap();
        assert_eq!(to_json(&from_json::<f64>(&bytes).unwrap()).unwrap(), bytes);
        let text = core::str::from_utf8(&bytes).unwrap();
        for (from, to) in [
            ("\"factor\":2", "\"factor\":0"),
            ("\"kernel\":3", "\"kernel\":4"),
        ] {
            let bad = text.replacen(from, to, 1);
            assert_ne!(bad, text);
            assert!(matches!(
                from_json::<f64>(bad.as_bytes()).unwrap_err(),
                NnError::Shape(_)
            ));
        }
    }
}
