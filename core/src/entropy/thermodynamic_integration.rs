use super::{EntropyError, EntropyEstimator};
use crate::estimate::{Estimate, Unit};
use alloc::vec::Vec;

/// Monte Carlo energies per spin u(β) with standard errors at increasing β > 0, from independent
/// runs (one per β).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct EnergyCurve {
    /// (β, u, σ_u), strictly increasing in β.
    points: Vec<(f64, f64, f64)>,
}

impl EnergyCurve {
    /// # Errors
    /// [`EntropyError::InvalidCurve`] for an empty curve, β ≤ 0 or not strictly increasing,
    /// non-finite values or negative errors.
    pub fn new(mut points: Vec<(f64, f64, f64)>) -> Result<Self, EntropyError> {
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        let bad = |why: &'static str| Err(EntropyError::InvalidCurve(why));
        if points.is_empty() {
            return bad("no points");
        }
        if points
            .iter()
            .any(|p| !(p.0.is_finite() && p.1.is_finite() && p.2.is_finite()))
        {
            return bad("a value is not finite");
        }
        if points[0].0 <= 0.0 || points.windows(2).any(|w| w[1].0 <= w[0].0) {
            return bad("β must be positive and distinct");
        }
        if points.iter().any(|p| p.2 < 0.0) {
            return bad("a standard error is negative");
        }
        Ok(Self { points })
    }

    /// The points (β, u, σ_u).
    pub fn points(&self) -> &[(f64, f64, f64)] {
        &self.points
    }

    /// Nodes including β = 0, where u = 0 exactly.
    fn nodes(&self) -> Vec<(f64, f64, f64)> {
        let mut nodes = alloc::vec![(0.0, 0.0, 0.0)];
        nodes.extend_from_slice(&self.points);
        nodes
    }
}

/// Thermodynamic integration (thesis Sec. 4, the reference of Tables 4.2–4.3):
///
/// s(β) = s(0) + β u(β) − ∫₀^β u(β′) dβ′,
///
/// per spin, with the trapezoid rule on the curve's nodes plus β = 0, where ⟨H⟩ = 0 for both the
/// Ising and the XY model (any field: ⟨σ⟩ = ⟨cos θ⟩ = 0 at infinite temperature).
///
/// # Error bar
/// Statistical: s(β_k) is linear in the independent uᵢ, so σ² = Σ cᵢ² σᵢ² exactly. Discretisation:
/// each interval's trapezoid error h³|u″|/12, with u″ from divided differences of neighbouring
/// nodes, summed up to β_k (a conservative bound). The reported error combines the two in
/// quadrature; [`ThermodynamicIntegration::refinement`] proposes the midpoints of intervals whose
/// discretisation error exceeds a tolerance, for an adaptive grid.
///
/// # Examples
/// ```
/// use entropic::entropy::{EnergyCurve, ThermodynamicIntegration};
/// use entropic::prelude::*;
/// // Free Ising spins in a unit field: u = −tanh β, s = ln 2 cosh β − β tanh β.
/// let curve = EnergyCurve::new((1..=400).map(|k| { let b = k as f64 / 200.0; (b, -libm::tanh(b), 0.0) }).collect())?;
/// let s = ThermodynamicIntegration::ising().estimate(&curve)?;
/// let exact = libm::log(2.0 * libm::cosh(2.0)) - 2.0 * libm::tanh(2.0);
/// assert!((s.value - exact).abs() < 1e-5 && s.std_error < 1e-4);
/// # Ok::<(), entropic::entropy::EntropyError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ThermodynamicIntegration {
    s0: f64,
}

impl ThermodynamicIntegration {
    /// Ising spins: s(0) = ln 2 per spin.
    pub fn ising() -> Self {
        Self {
            s0: core::f64::consts::LN_2,
        }
    }

    /// XY excess entropy s − ln 2π: s(0) = 0.
    pub fn xy_excess() -> Self {
        Self { s0: 0.0 }
    }

    /// Discretisation error estimate of each interval [βᵢ, βᵢ₊₁] of the nodes (β = 0 included).
    fn interval_errors(nodes: &[(f64, f64, f64)]) -> Vec<f64> {
        let second = |a: (f64, f64, f64), b: (f64, f64, f64), c: (f64, f64, f64)| {
            let d1 = (b.1 - a.1) / (b.0 - a.0);
            let d2 = (c.1 - b.1) / (c.0 - b.0);
            2.0 * (d2 - d1) / (c.0 - a.0)
        };
        (0..nodes.len() - 1)
            .map(|i| {
                let h = nodes[i + 1].0 - nodes[i].0;
                let curvature = match nodes.len() {
                    0..=2 => 0.0,
                    _ => {
                        let mut c: f64 = 0.0;
                        if i >= 1 {
                            c = c.max(second(nodes[i - 1], nodes[i], nodes[i + 1]).abs());
                        }
                        if i + 2 < nodes.len() {
                            c = c.max(second(nodes[i], nodes[i + 1], nodes[i + 2]).abs());
                        }
                        c
                    }
                };
                h * h * h * curvature / 12.0
            })
            .collect()
    }

    /// Entropy per spin (nats) at every point of the curve.
    pub fn entropies(&self, curve: &EnergyCurve) -> Vec<Estimate> {
        let nodes = curve.nodes();
        let errors = Self::interval_errors(&nodes);
        let mut out = Vec::with_capacity(nodes.len() - 1);
        let (mut integral, mut discretisation) = (0.0, 0.0);
        for k in 1..nodes.len() {
            let (b0, u0, _) = nodes[k - 1];
            let (bk, uk, sk) = nodes[k];
            integral += 0.5 * (bk - b0) * (u0 + uk);
            discretisation += errors[k - 1];
            // Coefficients of the independent u_i in s_k.
            let mut var = 0.0;
            for i in 1..k {
                let c = 0.5 * (nodes[i + 1].0 - nodes[i - 1].0);
                var += c * c * nodes[i].2 * nodes[i].2;
            }
            let ck = bk - 0.5 * (bk - b0);
            var += ck * ck * sk * sk;
            let value = self.s0 + bk * uk - integral;
            out.push(Estimate::new(
                value,
                libm::sqrt(var + discretisation * discretisation),
                Unit::Nats,
                k,
            ));
        }
        out
    }

    /// Midpoints of the intervals whose estimated discretisation error exceeds `tolerance`.
    pub fn refinement(&self, curve: &EnergyCurve, tolerance: f64) -> Vec<f64> {
        let nodes = curve.nodes();
        Self::interval_errors(&nodes)
            .iter()
            .enumerate()
            .filter(|(_, e)| **e > tolerance)
            .map(|(i, _)| 0.5 * (nodes[i].0 + nodes[i + 1].0))
            .collect()
    }
}

impl EntropyEstimator<EnergyCurve> for ThermodynamicIntegration {
    /// Entropy per spin at the largest β of the curve.
    fn estimate(&self, curve: &EnergyCurve) -> Result<Estimate, EntropyError> {
        self.entropies(curve)
            .pop()
            .ok_or(EntropyError::InvalidCurve("no points"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lattice::{Ising, IsingState, Square, Temperature, Xy, XyState, kaufman, xy_limits};
    use crate::model::run;
    use crate::rng::from_seed;
    use crate::sampler::{SingleFlip, XyMetropolis};
    use crate::stats::{MeanEstimate, SeriesRecorder};

    #[test]
    fn validation() {
        assert!(EnergyCurve::new(alloc::vec![]).is_err());
        assert!(EnergyCurve::new(alloc::vec![(0.0, 0.0, 0.0)]).is_err());
        assert!(EnergyCurve::new(alloc::vec![(1.0, f64::NAN, 0.0)]).is_err());
        assert!(EnergyCurve::new(alloc::vec![(1.0, 0.0, 0.1), (1.0, 0.0, 0.1)]).is_err());
    }

    #[test]
    fn adaptive_grid_on_exact_ising_energies() {
        // Exact Kaufman energies of a 16×16 lattice: the refined grid brings TI within its own
        // discretisation error bar of the exact entropy at T = 1.5 (through T_c).
        let model = Ising::new(Square::with_side(16).unwrap(), 1.0, 0.0).unwrap();
        let u = |b: f64| {
            kaufman::exact(&model, Temperature::new(1.0 / b).unwrap())
                .unwrap()
                .energy_per_spin
        };
        let mut betas: Vec<f64> = (1..=8).map(|k| k as f64 / 12.0).collect();
        let ti = ThermodynamicIntegration::ising();
        for _ in 0..12 {
            let curve = EnergyCurve::new(betas.iter().map(|&b| (b, u(b), 0.0)).collect()).unwrap();
            let more = ti.refinement(&curve, 1e-6);
            if more.is_empty() {
                break;
            }
            betas.extend(more);
        }
        let curve = EnergyCurve::new(betas.iter().map(|&b| (b, u(b), 0.0)).collect()).unwrap();
        let s = ti.estimate(&curve).unwrap();
        let exact = kaufman::exact(&model, Temperature::new(1.5).unwrap())
            .unwrap()
            .entropy_per_spin;
        assert!(
            (s.value - exact).abs() <= s.std_error.max(1e-6) * 2.0,
            "{} ± {} vs {exact}",
            s.value,
            s.std_error
        );
        assert!(s.std_error < 1e-4);
    }

    fn xy_curve(model: &Xy, betas: &[f64], sweeps: usize) -> EnergyCurve {
        let points = betas
            .iter()
            .enumerate()
            .map(|(k, &b)| {
                let t = Temperature::new(1.0 / b).unwrap();
                let mut sampler = XyMetropolis::new(t);
                let mut rng = from_seed(1000 + k as u64);
                let mut state = model.ordered_state();
                sampler.tune(model, &mut state, 300, &mut rng);
                let mut rec = SeriesRecorder::new(|s: &XyState| model.energy_per_spin(s));
                run(model, &mut sampler, &mut state, sweeps, &mut rng, &mut rec);
                let m = MeanEstimate::from_series(rec.series()).unwrap();
                (b, m.value, m.std_error)
            })
            .collect();
        EnergyCurve::new(points).unwrap()
    }

    #[test]
    fn xy_entropy_matches_high_temperature_series() {
        let model = Xy::new(Square::with_side(8).unwrap(), 1.0, 0.0).unwrap();
        let betas: Vec<f64> = (1..=10).map(|k| 0.02 * k as f64).collect();
        let s = ThermodynamicIntegration::xy_excess()
            .estimate(&xy_curve(&model, &betas, 4000))
            .unwrap();
        let (_, exact) = xy_limits::high_temperature(1.0, Temperature::new(5.0).unwrap()).unwrap();
        assert!(
            (s.value - exact).abs() <= 4.0 * s.std_error,
            "{} ± {} vs {exact}",
            s.value,
            s.std_error
        );
        assert!(s.std_error < 2e-3, "error bar {}", s.std_error);
    }

    #[test]
    fn xy_entropy_matches_spin_waves_at_low_temperature() {
        // β from 0 to 20 (T = 0.05): dense where u changes fastest (β < 3), sparse after, where
        // u ≈ −2 + T/2 is smooth in β.
        let model = Xy::new(Square::with_side(8).unwrap(), 1.0, 0.0).unwrap();
        let mut betas: Vec<f64> = (1..=30).map(|k| 0.1 * k as f64).collect();
        betas.extend((1..=34).map(|k| 3.0 + 0.5 * k as f64));
        let s = ThermodynamicIntegration::xy_excess()
            .estimate(&xy_curve(&model, &betas, 3000))
            .unwrap();
        let (_, exact) =
            xy_limits::spin_wave(1.0, Temperature::new(0.05).unwrap(), model.lattice()).unwrap();
        assert!(
            (s.value - exact).abs() <= 4.0 * s.std_error,
            "{} ± {} vs {exact}",
            s.value,
            s.std_error
        );
        assert!(s.std_error < 0.05, "error bar {}", s.std_error);
    }

    #[test]
    fn ising_monte_carlo_ti_matches_kaufman() {
        let model = Ising::new(Square::with_side(8).unwrap(), 1.0, 0.0).unwrap();
        let betas: Vec<f64> = (1..=40).map(|k| 0.02 * k as f64).collect();
        let points = betas
            .iter()
            .enumerate()
            .map(|(k, &b)| {
                let t = Temperature::new(1.0 / b).unwrap();
                let mut sampler = SingleFlip::checkerboard_metropolis(&model, t).unwrap();
                let mut rng = from_seed(2000 + k as u64);
                let mut state = model.random_state(&mut rng);
                run(&model, &mut sampler, &mut state, 500, &mut rng, &mut ());
                let mut rec = SeriesRecorder::new(|s: &IsingState| model.energy_per_spin(s));
                run(&model, &mut sampler, &mut state, 5000, &mut rng, &mut rec);
                let m = MeanEstimate::from_series(rec.series()).unwrap();
                (b, m.value, m.std_error)
            })
            .collect();
        let s = ThermodynamicIntegration::ising()
            .estimate(&EnergyCurve::new(points).unwrap())
            .unwrap();
        let exact = kaufman::exact(&model, Temperature::new(1.25).unwrap())
            .unwrap()
            .entropy_per_spin;
        assert!(
            (s.value - exact).abs() <= 4.0 * s.std_error,
            "{} ± {} vs {exact}",
            s.value,
            s.std_error
        );
        assert!(s.std_error < 0.01, "error bar {}", s.std_error);
    }
}
