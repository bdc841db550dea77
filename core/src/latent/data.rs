use super::LatentError;
use alloc::vec::Vec;

/// A validated set of binary vectors x ∈ {0,1}^D, stored row-major as 0.0 / 1.0.
///
/// # Examples
/// ```
/// use entropic::latent::BinaryData;
/// let data = BinaryData::new(vec![0.0, 1.0, 1.0, 1.0], 2)?;
/// assert_eq!((data.len(), data.dim()), (2, 2));
/// assert_eq!(data.mean(), vec![0.5, 1.0]);
/// assert!(BinaryData::new(vec![0.0, 0.5], 2).is_err());
/// # Ok::<(), entropic::latent::LatentError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct BinaryData {
    x: Vec<f64>,
    d: usize,
}

impl BinaryData {
    /// # Errors
    /// [`LatentError::Shape`] for empty data, D = 0 or a length not a multiple of D;
    /// [`LatentError::NotBinary`] for any value other than 0 or 1 (NaN included).
    pub fn new(x: Vec<f64>, d: usize) -> Result<Self, LatentError> {
        if d == 0 || x.is_empty() || x.len() % d != 0 {
            return Err(LatentError::Shape(
                "binary data needs D ≥ 1 and a non-empty length that is a multiple of D",
            ));
        }
        if let Some(index) = x.iter().position(|&v| v != 0.0 && v != 1.0) {
            return Err(LatentError::NotBinary { index });
        }
        Ok(Self { x, d })
    }

    /// Number of vectors.
    pub fn len(&self) -> usize {
        self.x.len() / self.d
    }

    /// Never true (construction refuses empty data).
    pub fn is_empty(&self) -> bool {
        self.x.is_empty()
    }

    /// Dimension D.
    pub fn dim(&self) -> usize {
        self.d
    }

    /// Vector `n`.
    pub fn row(&self, n: usize) -> &[f64] {
        &self.x[n * self.d..(n + 1) * self.d]
    }

    /// All vectors, row-major.
    pub fn as_slice(&self) -> &[f64] {
        &self.x
    }

    /// Component means ⟨xᵢ⟩ over the vectors.
    pub fn mean(&self) -> Vec<f64> {
        self.mean_of(0..self.len())
    }

    /// Component means over the listed vectors.
    pub fn mean_of(&self, rows: impl IntoIterator<Item = usize>) -> Vec<f64> {
        let mut m = alloc::vec![0.0; self.d];
        let mut count = 0usize;
        for n in rows {
            count += 1;
            for (m, &x) in m.iter_mut().zip(self.row(n)) {
                *m += x;
            }
        }
        m.iter_mut().for_each(|m| *m /= count.max(1) as f64);
        m
    }

    /// Check that this data has the dimension a model expects.
    ///
    /// # Errors
    /// [`LatentError::Dimension`].
    pub fn expect_dim(&self, expected: usize) -> Result<(), LatentError> {
        if self.d == expected {
            Ok(())
        } else {
            Err(LatentError::Dimension {
                expected,
                found: self.d,
            })
        }
    }
}
