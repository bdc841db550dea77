//! Sinusoidal embeddings of a scalar (diffusion time, temperature) and conditioning by
//! concatenation.
use super::{NnError, Scalar};
use alloc::vec::Vec;

/// Sinusoidal embedding of a scalar s into `dim` (even) features (Vaswani et al. 2017; used for
/// the diffusion time and the temperature of the score network):
///
/// e_{2k}(s) = sin(s·ω_k), e_{2k+1}(s) = cos(s·ω_k), ω_k = `scale` · P^{−k/(dim/2)},
///
/// with maximum period P. The derivative de/ds is exact, so gradients can flow into a
/// conditioning input.
///
/// # Examples
/// ```
/// use entropic::nn::embed::SinusoidalEmbedding;
/// let e = SinusoidalEmbedding::new(4, 1.0, 10_000.0)?;
/// let v = e.embed::<f64>(&[0.0]);
/// assert_eq!(v, vec![0.0, 1.0, 0.0, 1.0]);
/// # Ok::<(), entropic::nn::NnError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "Fields"))]
pub struct SinusoidalEmbedding {
    dim: usize,
    scale: f64,
    max_period: f64,
}

/// The saved fields, checked by [`SinusoidalEmbedding::new`] on load.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
struct Fields {
    dim: usize,
    scale: f64,
    max_period: f64,
}

#[cfg(feature = "serde")]
impl TryFrom<Fields> for SinusoidalEmbedding {
    type Error = NnError;

    fn try_from(f: Fields) -> Result<Self, NnError> {
        Self::new(f.dim, f.scale, f.max_period)
    }
}

impl SinusoidalEmbedding {
    /// # Errors
    /// [`NnError::Parameter`] for an odd or zero `dim`, or a non-positive scale or period.
    pub fn new(dim: usize, scale: f64, max_period: f64) -> Result<Self, NnError> {
        if dim == 0 || dim % 2 == 1 {
            return Err(NnError::Parameter(
                "embedding width must be even and positive",
            ));
        }
        if !(scale.is_finite() && scale > 0.0 && max_period.is_finite() && max_period > 0.0) {
            return Err(NnError::Parameter(
                "embedding scale and period must be positive",
            ));
        }
        Ok(Self {
            dim,
            scale,
            max_period,
        })
    }

    /// Features per scalar.
    pub fn dim(&self) -> usize {
        self.dim
    }

    fn frequency(&self, k: usize) -> f64 {
        self.scale * libm::pow(self.max_period, -(k as f64) / (self.dim / 2) as f64)
    }

    /// Embeddings of every scalar, `dim` features each, concatenated.
    pub fn embed<T: Scalar>(&self, s: &[T]) -> Vec<T> {
        let mut out = Vec::with_capacity(s.len() * self.dim);
        for &x in s {
            let x = x.to_f64().unwrap_or(f64::NAN);
            for k in 0..self.dim / 2 {
                let (sin, cos) = libm::sincos(x * self.frequency(k));
                out.push(T::of(sin));
                out.push(T::of(cos));
            }
        }
        out
    }

    /// Chain rule through the embedding: given ∂L/∂e for every scalar, return ∂L/∂s.
    pub fn backward<T: Scalar>(&self, s: &[T], de: &[T]) -> Vec<T> {
        s.iter()
            .zip(de.chunks_exact(self.dim))
            .map(|(&x, g)| {
                let x = x.to_f64().unwrap_or(f64::NAN);
                let mut total = 0.0;
                for k in 0..self.dim / 2 {
                    let w = self.frequency(k);
                    let (sin, cos) = libm::sincos(x * w);
                    let (gs, gc) = (
                        g[2 * k].to_f64().unwrap_or(f64::NAN),
                        g[2 * k + 1].to_f64().unwrap_or(f64::NAN),
                    );
                    total += w * (gs * cos - gc * sin);
                }
                T::of(total)
            })
            .collect()
    }
}

/// Conditioning by concatenation: row b of the result is [x_b, c_b] for a batch of `batch`
/// samples (the score network's input is [state, embed(t), embed(T)] built this way).
///
/// # Errors
/// [`NnError::InputLength`] unless both inputs divide into `batch` rows.
pub fn concat_rows<T: Scalar>(x: &[T], c: &[T], batch: usize) -> Result<Vec<T>, NnError> {
    if batch == 0 || x.len() % batch != 0 || c.len() % batch != 0 {
        return Err(NnError::InputLength {
            expected: batch,
            got: x.len() + c.len(),
        });
    }
    let (wx, wc) = (x.len() / batch, c.len() / batch);
    Ok(x.chunks_exact(wx.max(1))
        .zip(c.chunks_exact(wc.max(1)))
        .flat_map(|(a, b)| a.iter().chain(b).copied())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivative_matches_finite_difference() {
        let e = SinusoidalEmbedding::new(8, 3.0, 100.0).unwrap();
        let s = [0.37f64, -1.2];
        let g: Vec<f64> = (0..16).map(|k| libm::sin(k as f64)).collect();
        let analytic = e.backward(&s, &g);
        let h = 1e-6;
        for i in 0..2 {
            let mut up = s;
            let mut down = s;
            up[i] += h;
            down[i] -= h;
            let f = |v: &[f64]| e.embed(v).iter().zip(&g).map(|(a, b)| a * b).sum::<f64>();
            let numeric = (f(&up) - f(&down)) / (2.0 * h);
            assert!(
                (analytic[i] - numeric).abs() < 1e-6 * numeric.abs().max(1.0),
                "{} vs {numeric}",
                analytic[i]
            );
        }
    }

    #[test]
    fn concatenation_and_errors() {
        assert_eq!(
            concat_rows(&[1.0f32, 2.0, 3.0, 4.0], &[9.0, 8.0], 2).unwrap(),
            [1.0, 2.0, 9.0, 3.0, 4.0, 8.0]
        );
        assert!(concat_rows(&[1.0f32; 3], &[0.0; 2], 2).is_err());
        assert!(SinusoidalEmbedding::new(3, 1.0, 1.0).is_err());
        assert!(SinusoidalEmbedding::new(4, 0.0, 1.0).is_err());
    }
}
