use super::StatsError;

/// A derived quantity with its standard error.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Uncertain {
    /// Value computed from all samples.
    pub value: f64,
    /// Jackknife standard error.
    pub std_error: f64,
}

/// Blocked jackknife for a smooth function of means.
///
/// `samples[t]` holds K per-sample quantities (for example e, e², |m|, m², m⁴); `f` maps their
/// means to the derived quantity (for example β²N(⟨e²⟩ − ⟨e⟩²)). The series is cut into blocks
/// of `block` consecutive samples (choose block ≥ 2τ_int so blocks are nearly independent; a
/// trailing partial block is dropped) and each block is left out in turn:
/// σ² = (B − 1)/B Σ_b (f_(b) − f̄)².
///
/// # Errors
/// [`StatsError::TooShort`] if fewer than 2 blocks fit.
///
/// # Examples
/// ```
/// use entropic::stats::blocked_jackknife;
/// // The variance of 0,1,0,1,… is 1/4.
/// let samples: Vec<[f64; 2]> = (0..1000).map(|t| { let x = (t % 2) as f64; [x, x * x] }).collect();
/// let var = blocked_jackknife(&samples, 10, |m| m[1] - m[0] * m[0])?;
/// assert!((var.value - 0.25).abs() < 1e-12);
/// # Ok::<(), entropic::stats::StatsError>(())
/// ```
pub fn blocked_jackknife<const K: usize>(
    samples: &[[f64; K]],
    block: usize,
    f: impl Fn(&[f64; K]) -> f64,
) -> Result<Uncertain, StatsError> {
    let block = block.max(1);
    let blocks = samples.len() / block;
    if blocks < 2 {
        return Err(StatsError::TooShort {
            len: samples.len(),
            min: 2 * block,
        });
    }
    if let Some(index) = samples
        .iter()
        .position(|s| s.iter().any(|x| !x.is_finite()))
    {
        return Err(StatsError::NotFinite { index });
    }
    let used = blocks * block;
    let mut block_sums = alloc::vec![[0.0f64; K]; blocks];
    let mut total = [0.0f64; K];
    for (t, s) in samples[..used].iter().enumerate() {
        for k in 0..K {
            block_sums[t / block][k] += s[k];
            total[k] += s[k];
        }
    }
    let value = f(&total.map(|x| x / used as f64));
    let rest = (used - block) as f64;
    let leave_out: alloc::vec::Vec<f64> = block_sums
        .iter()
        .map(|b| f(&core::array::from_fn(|k| (total[k] - b[k]) / rest)))
        .collect();
    let mean = leave_out.iter().sum::<f64>() / blocks as f64;
    let var = (blocks - 1) as f64 / blocks as f64
        * leave_out
            .iter()
            .map(|x| (x - mean) * (x - mean))
            .sum::<f64>();
    Ok(Uncertain {
        value,
        std_error: libm::sqrt(var),
    })
}

/// The jackknife error of an estimate from its leave-one-block-out values f₍b₎:
/// σ² = (B − 1)/B Σ_b (f₍b₎ − f̄)², for estimators that are not functions of sample means (a
/// statistic of counts, a stationary vector). Fewer than two blocks give an error of NaN
/// (unknown), never 0.
///
/// # Examples
/// ```
/// use entropic::stats::leave_one_out;
/// // The mean of 1, 2, 3, 4, each value its own block: the jackknife gives sd/√n.
/// let values = [1.0, 2.0, 3.0, 4.0];
/// let loo: Vec<f64> = (0..4)
///     .map(|b| (values.iter().sum::<f64>() - values[b]) / 3.0)
///     .collect();
/// let e = leave_one_out(2.5, &loo);
/// let sd = (values.iter().map(|v| (v - 2.5) * (v - 2.5)).sum::<f64>() / 3.0).sqrt();
/// assert!((e.std_error - sd / 2.0).abs() < 1e-12);
/// ```
pub fn leave_one_out(value: f64, leave_out: &[f64]) -> Uncertain {
    let b = leave_out.len();
    if b < 2 {
        return Uncertain {
            value,
            std_error: f64::NAN,
        };
    }
    let mean = leave_out.iter().sum::<f64>() / b as f64;
    let var = (b - 1) as f64 / b as f64
        * leave_out
            .iter()
            .map(|x| (x - mean) * (x - mean))
            .sum::<f64>();
    Uncertain {
        value,
        std_error: libm::sqrt(var),
    }
}
