//! Losses: each returns the mean loss over the batch and writes ∂loss/∂prediction.
use super::{NnError, Scalar};
use alloc::vec::Vec;

fn check<T: Scalar>(a: &[T], b: usize) -> Result<(), NnError> {
    if a.len() != b {
        return Err(NnError::InputLength {
            expected: b,
            got: a.len(),
        });
    }
    if a.is_empty() {
        return Err(NnError::Shape("empty batch"));
    }
    Ok(())
}

/// Mean squared error L = (1/n) Σ (ŷ − y)² over all n values; ∂L/∂ŷ = 2(ŷ − y)/n.
///
/// # Errors
/// [`NnError::InputLength`] for different lengths, [`NnError::Shape`] when empty.
pub fn mse<T: Scalar>(pred: &[T], target: &[T], grad: &mut Vec<T>) -> Result<T, NnError> {
    check(target, pred.len())?;
    let n = T::of(pred.len() as f64);
    grad.clear();
    grad.extend(
        pred.iter()
            .zip(target)
            .map(|(&p, &t)| T::of(2.0) * (p - t) / n),
    );
    Ok(pred
        .iter()
        .zip(target)
        .fold(T::zero(), |a, (&p, &t)| a + (p - t) * (p - t))
        / n)
}

/// Binary cross-entropy on logits z with targets y ∈ [0, 1], averaged over all values:
/// ℓ = max(z, 0) − z y + ln(1 + e^{−|z|}) (stable form); ∂ℓ/∂z = (σ(z) − y)/n.
///
/// # Errors
/// As [`mse`].
pub fn bce_with_logits<T: Scalar>(
    logits: &[T],
    target: &[T],
    grad: &mut Vec<T>,
) -> Result<T, NnError> {
    check(target, logits.len())?;
    let n = T::of(logits.len() as f64);
    grad.clear();
    let mut total = T::zero();
    for (&z, &y) in logits.iter().zip(target) {
        total = total + z.max(T::zero()) - z * y
            + z.map_f64(|v| libm::log1p(libm::exp(-libm::fabs(v))));
        grad.push((super::ActivationKind::Sigmoid.f(z) - y) / n);
    }
    Ok(total / n)
}

/// log-softmax of each row of `logits` (`classes` per row), computed with the max subtracted.
pub fn log_softmax<T: Scalar>(logits: &[T], classes: usize) -> Vec<T> {
    let mut out = Vec::with_capacity(logits.len());
    for row in logits.chunks_exact(classes) {
        let m = row.iter().fold(T::neg_infinity(), |a, &b| a.max(b));
        let lse = m + row
            .iter()
            .fold(T::zero(), |a, &z| a + (z - m).map_f64(libm::exp))
            .map_f64(libm::log);
        out.extend(row.iter().map(|&z| z - lse));
    }
    out
}

/// Softmax of each row.
pub fn softmax<T: Scalar>(logits: &[T], classes: usize) -> Vec<T> {
    log_softmax(logits, classes)
        .into_iter()
        .map(|v| v.map_f64(libm::exp))
        .collect()
}

/// Cross-entropy of logits against integer labels, averaged over the batch:
/// L = −(1/B) Σ_b log softmax(z_b)\[y_b\]; ∂L/∂z = (softmax(z) − onehot(y))/B.
///
/// # Errors
/// [`NnError::InputLength`] if `logits.len() != labels.len() · classes`, [`NnError::Parameter`]
/// for a label ≥ classes.
pub fn cross_entropy<T: Scalar>(
    logits: &[T],
    labels: &[usize],
    classes: usize,
    grad: &mut Vec<T>,
) -> Result<T, NnError> {
    check(logits, labels.len() * classes)?;
    if labels.iter().any(|&y| y >= classes) {
        return Err(NnError::Parameter("label out of range"));
    }
    let b = T::of(labels.len() as f64);
    let logp = log_softmax(logits, classes);
    grad.clear();
    let mut total = T::zero();
    for (row, &y) in logp.chunks_exact(classes).zip(labels) {
        total = total - row[y];
        grad.extend(row.iter().enumerate().map(|(c, &lp)| {
            (lp.map_f64(libm::exp) - if c == y { T::one() } else { T::zero() }) / b
        }));
    }
    Ok(total / b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fd(f: impl Fn(&[f64]) -> f64, x: &[f64]) -> Vec<f64> {
        let h = 1e-6;
        (0..x.len())
            .map(|i| {
                let (mut a, mut b) = (x.to_vec(), x.to_vec());
                a[i] += h;
                b[i] -= h;
                (f(&a) - f(&b)) / (2.0 * h)
            })
            .collect()
    }

    fn assert_close(a: &[f64], b: &[f64]) {
        for (x, y) in a.iter().zip(b) {
            assert!(
                (x - y).abs() <= 1e-4 * x.abs().max(y.abs()) + 1e-9,
                "{x} vs {y}"
            );
        }
    }

    #[test]
    fn gradients_match_finite_differences() {
        let pred = [0.3, -1.2, 2.5, 0.0, -0.4, 1.1];
        let target = [0.0, 1.0, 1.0, 0.5, 0.0, 1.0];
        let mut g = Vec::new();
        mse(&pred, &target, &mut g).unwrap();
        assert_close(
            &g,
            &fd(|p| mse(p, &target, &mut Vec::new()).unwrap(), &pred),
        );
        bce_with_logits(&pred, &target, &mut g).unwrap();
        assert_close(
            &g,
            &fd(
                |p| bce_with_logits(p, &target, &mut Vec::new()).unwrap(),
                &pred,
            ),
        );
        let labels = [2usize, 0];
        cross_entropy(&pred, &labels, 3, &mut g).unwrap();
        assert_close(
            &g,
            &fd(
                |p| cross_entropy(p, &labels, 3, &mut Vec::new()).unwrap(),
                &pred,
            ),
        );
    }

    #[test]
    fn known_values_and_stability() {
        let mut g = Vec::new();
        // BCE of logit 0 is ln 2 whatever the target; huge logits stay finite.
        assert!(
            (bce_with_logits(&[0.0], &[1.0], &mut g).unwrap() - core::f64::consts::LN_2).abs()
                < 1e-15
        );
        assert!(
            bce_with_logits(&[1e4, -1e4], &[1.0, 0.0], &mut g)
                .unwrap()
                .abs()
                < 1e-12
        );
        let p = softmax(&[1000.0f64, 1000.0, 0.0], 3);
        assert!((p[0] - 0.5).abs() < 1e-12 && p[2] < 1e-300);
        assert!(cross_entropy(&[0.0; 3], &[3], 3, &mut g).is_err());
        assert!(mse(&[0.0; 2], &[0.0; 3], &mut g).is_err());
        assert!(mse::<f64>(&[], &[], &mut g).is_err());
    }
}
