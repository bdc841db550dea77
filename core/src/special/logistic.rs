//! Numerically stable logistic-family functions in f64 (via [`libm`], so bit-identical across
//! targets).

/// σ(x) = 1 / (1 + e^{−x}), without overflow for large |x|.
pub fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + libm::exp(-x))
    } else {
        let e = libm::exp(x);
        e / (1.0 + e)
    }
}

/// softplus(x) = ln(1 + eˣ), exact to rounding for every finite x.
pub fn softplus(x: f64) -> f64 {
    if x > 0.0 {
        x + libm::log1p(libm::exp(-x))
    } else {
        libm::log1p(libm::exp(x))
    }
}

/// ln Σᵢ e^{vᵢ}; −∞ for an empty slice or when every term is −∞.
pub fn log_sum_exp(values: &[f64]) -> f64 {
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY {
        return max;
    }
    max + libm::log(values.iter().map(|&v| libm::exp(v - max)).sum::<f64>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agree_with_naive_formulas_where_those_are_safe() {
        for &x in &[-30.0, -2.5, -1e-3, 0.0, 0.7, 12.0] {
            assert!((sigmoid(x) - 1.0 / (1.0 + libm::exp(-x))).abs() < 1e-15);
            assert!((softplus(x) - libm::log(1.0 + libm::exp(x))).abs() < 1e-14);
        }
        assert_eq!(sigmoid(-800.0), 0.0);
        assert_eq!(sigmoid(800.0), 1.0);
        assert_eq!(softplus(800.0), 800.0);
        let v = [1.0, 2.0, 3.0];
        let naive = libm::log(v.iter().map(|&x| libm::exp(x)).sum::<f64>());
        assert!((log_sum_exp(&v) - naive).abs() < 1e-15);
        assert!(
            (log_sum_exp(&[1000.0, 1000.0]) - (1000.0 + core::f64::consts::LN_2)).abs() < 1e-12
        );
        assert_eq!(log_sum_exp(&[]), f64::NEG_INFINITY);
    }
}
