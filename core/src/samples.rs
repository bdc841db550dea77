//! [`Samples`]: n points in ℝ^d, validated once, shared by the layers that learn from data
//! (`diffusion`) and those that estimate from it (`entropy`), so neither imports the other for it.
use alloc::vec::Vec;
use core::fmt;

/// Why a [`Samples`] array or statistic was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SamplesError {
    /// The array is malformed (d = 0, empty, ragged, NaN / ∞, a column range out of bounds).
    Invalid(&'static str),
    /// Fewer samples than the statistic needs.
    TooFew {
        /// Samples given.
        len: usize,
        /// Samples needed.
        min: usize,
    },
}

impl fmt::Display for SamplesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid(why) => write!(f, "samples: {why}"),
            Self::TooFew { len, min } => write!(f, "{len} samples; at least {min} are needed"),
        }
    }
}

impl core::error::Error for SamplesError {}

/// A validated set of n samples of a d-dimensional continuous variable, row-major.
///
/// # Examples
/// ```
/// use entropic::entropy::Samples;
/// let s = Samples::new(vec![0.0, 1.0, 2.0, 3.0], 2)?;
/// assert_eq!((s.len(), s.dim()), (2, 2));
/// assert!(Samples::new(vec![f64::NAN, 0.0], 2).is_err());
/// # Ok::<(), entropic::samples::SamplesError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Samples {
    x: Vec<f64>,
    d: usize,
}

impl Samples {
    /// # Errors
    /// [`SamplesError::Invalid`] for d = 0, an empty or ragged array, or NaN / ∞ values.
    pub fn new(x: Vec<f64>, d: usize) -> Result<Self, SamplesError> {
        if d == 0 || x.is_empty() || x.len() % d != 0 {
            return Err(SamplesError::Invalid(
                "need d ≥ 1 and a non-empty length that is a multiple of d",
            ));
        }
        if x.iter().any(|v| !v.is_finite()) {
            return Err(SamplesError::Invalid("a value is NaN or infinite"));
        }
        Ok(Self { x, d })
    }

    /// Number of samples n.
    pub fn len(&self) -> usize {
        self.x.len() / self.d
    }

    /// Never true.
    pub fn is_empty(&self) -> bool {
        self.x.is_empty()
    }

    /// Dimension d.
    pub fn dim(&self) -> usize {
        self.d
    }

    /// Sample `i`.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.d..(i + 1) * self.d]
    }

    /// All samples, row-major.
    pub fn as_slice(&self) -> &[f64] {
        &self.x
    }

    /// The columns lo..hi of every sample, as new samples.
    ///
    /// # Errors
    /// [`SamplesError::Invalid`] unless lo < hi ≤ d.
    pub fn columns(&self, lo: usize, hi: usize) -> Result<Samples, SamplesError> {
        if lo >= hi || hi > self.d {
            return Err(SamplesError::Invalid("column range out of bounds"));
        }
        let x = (0..self.len())
            .flat_map(|i| self.row(i)[lo..hi].iter().copied())
            .collect();
        Ok(Samples { x, d: hi - lo })
    }

    /// The samples whose index i satisfies `keep(i)`, in order, as new samples (e.g.
    /// `|i| i % 4 == 1`: every fourth sample from the second).
    ///
    /// # Examples
    /// ```
    /// use entropic::samples::Samples;
    /// let x = Samples::new((0..10).map(f64::from).collect(), 2)?;
    /// let odd = x.select(|i| i % 2 == 1)?;
    /// assert_eq!(odd.as_slice(), &[2.0, 3.0, 6.0, 7.0]);
    /// assert!(x.select(|_| false).is_err());
    /// # Ok::<(), entropic::samples::SamplesError>(())
    /// ```
    ///
    /// # Errors
    /// [`SamplesError::Invalid`] if no index is kept.
    pub fn select(&self, keep: impl Fn(usize) -> bool) -> Result<Samples, SamplesError> {
        let x: Vec<f64> = (0..self.len())
            .filter(|&i| keep(i))
            .flat_map(|i| self.row(i).iter().copied())
            .collect();
        if x.is_empty() {
            return Err(SamplesError::Invalid("no sample selected"));
        }
        Ok(Samples { x, d: self.d })
    }

    /// Sample mean and unbiased covariance (d×d, row-major).
    ///
    /// # Errors
    /// [`SamplesError::TooFew`] for fewer than d + 1 samples.
    pub fn mean_and_covariance(&self) -> Result<(Vec<f64>, Vec<f64>), SamplesError> {
        let (n, d) = (self.len(), self.d);
        if n < d + 1 {
            return Err(SamplesError::TooFew { len: n, min: d + 1 });
        }
        let mut mean = alloc::vec![0.0; d];
        for i in 0..n {
            for (m, &x) in mean.iter_mut().zip(self.row(i)) {
                *m += x;
            }
        }
        mean.iter_mut().for_each(|m| *m /= n as f64);
        let mut cov = alloc::vec![0.0; d * d];
        for i in 0..n {
            let r = self.row(i);
            for a in 0..d {
                let da = r[a] - mean[a];
                for b in a..d {
                    cov[a * d + b] += da * (r[b] - mean[b]);
                }
            }
        }
        for a in 0..d {
            for b in a..d {
                cov[a * d + b] /= (n - 1) as f64;
                cov[b * d + a] = cov[a * d + b];
            }
        }
        Ok((mean, cov))
    }
}
