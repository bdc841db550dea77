//! Composite Gauss–Legendre quadrature.
use alloc::vec::Vec;

/// An n-point Gauss–Legendre rule on [−1, 1], applied on equal panels of an interval.
///
/// Nodes are found by Newton iteration on the Legendre recurrence, so the rule is exact for
/// polynomials of degree ≤ 2n − 1 up to rounding.
///
/// # Examples
/// ```
/// use entropic::special::GaussLegendre;
/// let rule = GaussLegendre::new(8);
/// let v = rule.integrate(|x| libm::sin(x), 0.0, core::f64::consts::PI, 4);
/// assert!((v - 2.0).abs() < 1e-13);
/// ```
#[derive(Clone, Debug)]
pub struct GaussLegendre {
    nodes: Vec<f64>,
    weights: Vec<f64>,
}

impl GaussLegendre {
    /// The rule with `n ≥ 1` points (`n = 0` is treated as 1).
    pub fn new(n: usize) -> Self {
        let n = n.max(1);
        let mut nodes = Vec::with_capacity(n);
        let mut weights = Vec::with_capacity(n);
        for i in 0..n {
            // Tricomi's initial guess, then Newton on P_n.
            let mut x = libm::cos(core::f64::consts::PI * (i as f64 + 0.75) / (n as f64 + 0.5));
            let mut dp = 1.0;
            for _ in 0..100 {
                let (p, d) = legendre_with_derivative(n, x);
                dp = d;
                let dx = p / d;
                x -= dx;
                if dx.abs() < 1e-16 {
                    break;
                }
            }
            let (_, d) = legendre_with_derivative(n, x);
            if d != 0.0 {
                dp = d;
            }
            nodes.push(x);
            weights.push(2.0 / ((1.0 - x * x) * dp * dp));
        }
        Self { nodes, weights }
    }

    /// ∫ₐᵇ f(x) dx on `panels` equal sub-intervals (`panels = 0` is treated as 1).
    pub fn integrate<F: FnMut(f64) -> f64>(&self, mut f: F, a: f64, b: f64, panels: usize) -> f64 {
        let panels = panels.max(1);
        let h = (b - a) / panels as f64;
        let mut total = 0.0;
        for p in 0..panels {
            let mid = a + (p as f64 + 0.5) * h;
            let mut s = 0.0;
            for (x, w) in self.nodes.iter().zip(&self.weights) {
                s += w * f(mid + 0.5 * h * x);
            }
            total += 0.5 * h * s;
        }
        total
    }
}

/// P_n(x) and P_n'(x) by the three-term recurrence.
fn legendre_with_derivative(n: usize, x: f64) -> (f64, f64) {
    let (mut p0, mut p1) = (1.0, x);
    for k in 2..=n {
        let k = k as f64;
        let p2 = ((2.0 * k - 1.0) * x * p1 - (k - 1.0) * p0) / k;
        p0 = p1;
        p1 = p2;
    }
    let p = if n == 0 { 1.0 } else { p1 };
    let d = n as f64 * (x * p - p0) / (x * x - 1.0);
    (p, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_for_polynomials() {
        let rule = GaussLegendre::new(5);
        // degree 9 is the highest a 5-point rule integrates exactly
        let v = rule.integrate(|x| libm::pow(x, 9.0) + x * x, 0.0, 1.0, 1);
        assert!((v - (0.1 + 1.0 / 3.0)).abs() < 1e-15);
        let w: f64 = rule.weights.iter().sum();
        assert!((w - 2.0).abs() < 1e-14);
    }
}
