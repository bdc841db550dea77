use super::StatsError;
use alloc::vec;
use alloc::vec::Vec;

/// Spearman's rank correlation ρ of paired samples (Pearson correlation of the ranks, ties
/// given their mean rank); +∞ values rank above every finite one.
///
/// # Errors
/// [`StatsError::TooShort`] for fewer than 3 pairs or mismatched lengths,
/// [`StatsError::NotFinite`] for NaN (index into x followed by y).
///
/// # Examples
/// ```
/// use entropic::stats::spearman;
/// assert_eq!(spearman(&[1.0, 2.0, 3.0, 4.0], &[10.0, 20.0, 25.0, 100.0])?, 1.0);
/// assert_eq!(spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0])?, -1.0);
/// # Ok::<(), entropic::stats::StatsError>(())
/// ```
pub fn spearman(x: &[f64], y: &[f64]) -> Result<f64, StatsError> {
    if x.len() != y.len() || x.len() < 3 {
        return Err(StatsError::TooShort {
            len: x.len().min(y.len()),
            min: 3,
        });
    }
    if let Some(index) = x.iter().chain(y).position(|v| v.is_nan()) {
        return Err(StatsError::NotFinite { index });
    }
    let (rx, ry) = (ranks(x), ranks(y));
    let n = x.len() as f64;
    let mean = (n + 1.0) / 2.0;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in rx.iter().zip(&ry) {
        sxy += (a - mean) * (b - mean);
        sxx += (a - mean) * (a - mean);
        syy += (b - mean) * (b - mean);
    }
    if sxx == 0.0 || syy == 0.0 {
        return Ok(0.0);
    }
    Ok(sxy / libm::sqrt(sxx * syy))
}

/// Ranks 1..n of `v`, ties given their mean rank.
pub(crate) fn ranks(v: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut r = vec![0.0; v.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
            j += 1;
        }
        let mean_rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            r[k] = mean_rank;
        }
        i = j + 1;
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_get_mean_ranks_and_matches_a_hand_computation() {
        assert_eq!(ranks(&[3.0, 1.0, 3.0, 2.0]), vec![3.5, 1.0, 3.5, 2.0]);
        // x ranks 1..5, y ranks 2,1,4,3,5: Σd² = 4, ρ = 1 − 6·4/(5·24) = 0.8.
        let rho = spearman(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 1.0, 4.0, 3.0, 5.0]).unwrap();
        assert!((rho - 0.8).abs() < 1e-15);
        assert!(spearman(&[1.0, 2.0], &[1.0, 2.0]).is_err());
        assert!(spearman(&[1.0, f64::NAN, 2.0], &[1.0, 2.0, 3.0]).is_err());
    }
}
