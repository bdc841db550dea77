//! Kaufman's exact partition function of the finite periodic m×n Ising lattice at zero field,
//! evaluated in log space with analytic K-derivatives, so energy, specific heat and entropy come
//! out exact (to rounding) for any size up to [`Square::MAX_SITES`](super::Square::MAX_SITES).
//!
//! # Formula
//! Kaufman (1949), in the form of Beale (1996, PRL 76, 78), with K = β|J|:
//!
//! Z = ½ (2 sinh 2K)^{mn/2} (Z₁ + Z₂ + Z₃ + Z₄),
//!
//! Z₁ = Π_{k=0}^{n−1} 2 cosh(½ m γ_{2k+1}),  Z₂ = Π 2 sinh(½ m γ_{2k+1}),
//! Z₃ = Π_{k=0}^{n−1} 2 cosh(½ m γ_{2k}),    Z₄ = Π 2 sinh(½ m γ_{2k}),
//!
//! cosh γ_l = cosh 2K coth 2K − cos(π l / n) for l ≥ 1, and γ₀ = 2K + ln tanh K (negative below
//! T_c, which makes Z₄ negative there).
//!
//! # Precision
//! γ_l is computed as acosh(1 + ε) with ε = (sinh 2K − 1)²/sinh 2K + 2 sin²(πl/2n) written without
//! cancellation; every product is summed as logarithms; the factor of Z₃ and Z₄ that holds γ₀ is
//! kept out of the logarithms where γ₀ → 0 (at T_c), so ln Z, u and c stay accurate through T_c.
//! The lattice is symmetric under m ↔ n, so which side is which does not matter.
//!
//! # Domain
//! The closed form loses precision as K = β|J| → 0 and K → ∞ (cancellation, then overflow).
//! Lattices with both sides ≥ [`ising_series::MIN_SIDE`] switch to the high- and
//! low-temperature series of [`ising_series`] outside [10⁻², 2], which are exact to rounding
//! there, so every T > 0 is served; smaller lattices are served for
//! [`SMALL_LATTICE_K`] and refused outside it.
//!
//! The specific heat sums d² ln Σ Z_i/dK² as a weighted variance of the terms' (ln Z_i)' about
//! their mean plus the mean of (ln Z_i)'', never as a difference of squares, which at high
//! temperature would cancel to a relative N/K² · ε (measurements in
//! `docs/results/exact-references.md`).
use super::ising_series::{self, PerSpin};
use super::{Ising, LatticeError, Temperature};
use core::f64::consts::PI;

/// Exact thermodynamics of a finite periodic lattice at zero field.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FiniteThermo {
    /// ln Z of the whole lattice.
    pub ln_z: f64,
    /// ⟨E⟩/N.
    pub energy_per_spin: f64,
    /// c = β²(⟨E²⟩ − ⟨E⟩²)/N.
    pub specific_heat: f64,
    /// s = (ln Z + β⟨E⟩)/N, in nats.
    pub entropy_per_spin: f64,
}

/// K = β|J| range served for lattices with a side below [`ising_series::MIN_SIDE`], where the
/// closed form keeps c to a relative 10⁻⁶.
pub const SMALL_LATTICE_K: core::ops::RangeInclusive<f64> = 1e-3..=2.5;

/// Kaufman's exact solution for `model` (which must have h = 0; J < 0 needs even sides, where
/// flipping one sublattice maps it onto the ferromagnet) at temperature `t`.
///
/// # Errors
/// [`LatticeError::Unsupported`] if h ≠ 0, J₂ ≠ 0 or J = 0,
/// [`LatticeError::OddSide`] for an antiferromagnet on a lattice with an odd side (frustrated),
/// and [`LatticeError::OutsideDomain`] for β|J| outside [`SMALL_LATTICE_K`] on a lattice with a
/// side below 7, or β|J| = ∞.
///
/// # Examples
/// ```
/// use entropic::lattice::{Ising, Square, Temperature, kaufman, onsager};
/// // A 1024×1024 lattice at T = 2 is the infinite lattice to many digits.
/// let model = Ising::new(Square::with_side(1024)?, 1.0, 0.0)?;
/// let t = Temperature::new(2.0)?;
/// let finite = kaufman::exact(&model, t)?;
/// assert!((finite.energy_per_spin - onsager::energy_per_spin(1.0, t)?).abs() < 1e-10);
/// # Ok::<(), entropic::lattice::LatticeError>(())
/// ```
pub fn exact(model: &Ising, t: Temperature) -> Result<FiniteThermo, LatticeError> {
    if model.field() != 0.0 {
        return Err(LatticeError::Unsupported {
            algorithm: "Kaufman's solution",
            needs: "zero field (h = 0)",
        });
    }
    if model.next_nearest() != 0.0 {
        return Err(LatticeError::Unsupported {
            algorithm: "Kaufman's solution",
            needs: "no next-nearest coupling (J₂ = 0)",
        });
    }
    let j = model.coupling();
    if j == 0.0 {
        return Err(LatticeError::Unsupported {
            algorithm: "Kaufman's solution",
            needs: "a non-zero coupling J",
        });
    }
    let sq = model.lattice();
    if j < 0.0 && !sq.is_bipartite() {
        return Err(LatticeError::OddSide {
            lx: sq.lx(),
            ly: sq.ly(),
        });
    }
    let (m, n) = (sq.lx(), sq.ly());
    let sites = (m * n) as f64;
    let k = j.abs() * t.beta();
    if !k.is_finite() {
        return Err(LatticeError::OutsideDomain {
            what: "β|J|",
            value: k,
            domain: "finite values (the temperature underflows)",
        });
    }
    let large = m.min(n) >= ising_series::MIN_SIDE;
    let series = |p: PerSpin| FiniteThermo {
        ln_z: sites * p.ln_z,
        energy_per_spin: -j.abs() * p.d1,
        specific_heat: p.c,
        entropy_per_spin: p.s,
    };
    if large && k < ising_series::HIGH_T_BELOW {
        return Ok(series(ising_series::high_t(k, Some((m, n)))));
    }
    if large && k > ising_series::LOW_T_ABOVE {
        let ground = core::f64::consts::LN_2 / sites;
        return Ok(series(ising_series::low_t(k, ground)));
    }
    if !large && !SMALL_LATTICE_K.contains(&k) {
        return Err(LatticeError::OutsideDomain {
            what: "β|J|",
            value: k,
            domain: "[0.001, 2.5], where the closed form is precise on lattices with a side below 7 (sides ≥ 7 use series outside it)",
        });
    }
    let d = derivatives_in_k(m, n, k);
    let ln_z = d.ln_z;
    let u = -j.abs() * d.d1 / sites;
    Ok(FiniteThermo {
        ln_z,
        energy_per_spin: u,
        specific_heat: k * k * d.d2 / sites,
        entropy_per_spin: ln_z / sites + t.beta() * u,
    })
}

/// ln Z and its first two derivatives with respect to K.
struct LogZ {
    ln_z: f64,
    d1: f64,
    d2: f64,
}

/// ln(2 cosh x) or ln|2 sinh x|, and the first two derivatives of ln f(x) with respect to x.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Cosh,
    Sinh,
}

impl Kind {
    fn ln_abs(self, x: f64) -> f64 {
        let a = x.abs();
        match self {
            Kind::Cosh => a + libm::log1p(libm::exp(-2.0 * a)),
            Kind::Sinh => a + libm::log(-libm::expm1(-2.0 * a)),
        }
    }

    /// (ln f)'(x): tanh x or coth x.
    fn g(self, x: f64) -> f64 {
        match self {
            Kind::Cosh => libm::tanh(x),
            Kind::Sinh => 1.0 / libm::tanh(x),
        }
    }

    /// (ln f)''(x): 1 − tanh² or 1 − coth².
    fn g_prime(self, x: f64) -> f64 {
        let g = self.g(x);
        1.0 - g * g
    }
}

/// γ_l, γ_l' and γ_l'' with respect to K (l ≥ 1).
fn gamma(l: usize, n: usize, k: f64) -> (f64, f64, f64) {
    let s = libm::sinh(2.0 * k);
    let c = libm::cosh(2.0 * k);
    let half = libm::sin(PI * l as f64 / (2.0 * n as f64));
    let eps = (s - 1.0) * (s - 1.0) / s + 2.0 * half * half;
    let sinh_g = libm::sqrt(eps * (2.0 + eps));
    let g = libm::log1p(eps + sinh_g);
    // c(K) = cosh² 2K / sinh 2K and its derivatives.
    let c1 = 2.0 * c * (s * s - 1.0) / (s * s);
    let c2 = 4.0 * s - 4.0 / s + 8.0 * c * c / (s * s * s);
    let g1 = c1 / sinh_g;
    let g2 = (c2 - (1.0 + eps) * g1 * g1) / sinh_g;
    (g, g1, g2)
}

/// γ₀ = 2K + ln tanh K and its derivatives.
fn gamma0(k: f64) -> (f64, f64, f64) {
    let s = libm::sinh(2.0 * k);
    let c = libm::cosh(2.0 * k);
    (
        2.0 * k + libm::log(libm::tanh(k)),
        2.0 + 2.0 / s,
        -4.0 * c / (s * s),
    )
}

/// One of Z₁…Z₄ split as f(x₀) · R: the first factor (which holds γ₀ for Z₃, Z₄) and the
/// logarithm of the rest with its K-derivatives.
struct Term {
    kind: Kind,
    /// x₀ = m γ/2 of the first factor and its K-derivatives.
    x0: (f64, f64, f64),
    ln_rest: f64,
    d1_rest: f64,
    d2_rest: f64,
}

impl Term {
    fn new(kind: Kind, odd: bool, m: usize, n: usize, k: f64) -> Self {
        let half_m = m as f64 / 2.0;
        let scaled = |(g, g1, g2): (f64, f64, f64)| (half_m * g, half_m * g1, half_m * g2);
        let first = if odd { gamma(1, n, k) } else { gamma0(k) };
        let (mut ln_rest, mut d1_rest, mut d2_rest) = (0.0, 0.0, 0.0);
        for r in 1..n {
            let l = 2 * r + usize::from(odd);
            let (x, x1, x2) = scaled(gamma(l, n, k));
            ln_rest += kind.ln_abs(x);
            d1_rest += x1 * kind.g(x);
            d2_rest += x2 * kind.g(x) + x1 * x1 * kind.g_prime(x);
        }
        Self {
            kind,
            x0: scaled(first),
            ln_rest,
            d1_rest,
            d2_rest,
        }
    }

    /// Sign and ln|Z_i|.
    fn sign_ln(&self) -> (f64, f64) {
        let x = self.x0.0;
        let sign = if self.kind == Kind::Sinh && x < 0.0 {
            -1.0
        } else {
            1.0
        };
        (sign, self.kind.ln_abs(x) + self.ln_rest)
    }

    /// The term's share of the bracket Σ Z_i (given its logarithm) and its K-derivatives.
    fn weighted(&self, ln_sum: f64) -> Weighted {
        let (x, x1, x2) = self.x0;
        let r1 = self.d1_rest;
        if self.kind == Kind::Sinh && x.abs() < 1.0 {
            // Near T_c: f = 2 sinh x → 0 while f'/f diverges; use f, f', f'' themselves.
            let rho = libm::exp(self.ln_rest - ln_sum);
            let (f, f1) = (2.0 * libm::sinh(x), 2.0 * libm::cosh(x) * x1);
            let f2 = 2.0 * libm::sinh(x) * x1 * x1 + 2.0 * libm::cosh(x) * x2;
            Weighted::NearZero {
                rho,
                f: (f, f1, f2),
                d1_rest: r1,
                d2_rest: self.d2_rest,
            }
        } else {
            let (sign, ln_abs) = self.sign_ln();
            let g = self.kind.g(x);
            Weighted::Regular {
                p: sign * libm::exp(ln_abs - ln_sum),
                d1_ln: x1 * g + r1,
                d2_ln: x2 * g + x1 * x1 * self.kind.g_prime(x) + self.d2_rest,
            }
        }
    }
}

/// One term Z_i of the bracket as its share of Σ Z and its K-derivatives.
enum Weighted {
    /// The share p = Z_i/Σ Z, (ln |Z_i|)' and (ln |Z_i|)'', all finite.
    Regular { p: f64, d1_ln: f64, d2_ln: f64 },
    /// Z_i = f · R → 0 at T_c, where (ln |Z_i|)' diverges: ρ = R/Σ Z, (f, f', f'') and the
    /// first two derivatives of ln R.
    NearZero {
        rho: f64,
        f: (f64, f64, f64),
        d1_rest: f64,
        d2_rest: f64,
    },
}

impl Weighted {
    fn share(&self) -> f64 {
        match *self {
            Weighted::Regular { p, .. } => p,
            Weighted::NearZero { rho, f, .. } => rho * f.0,
        }
    }

    /// Z_i'/Σ Z.
    fn first(&self) -> f64 {
        match *self {
            Weighted::Regular { p, d1_ln, .. } => p * d1_ln,
            Weighted::NearZero {
                rho, f, d1_rest, ..
            } => rho * (f.1 + f.0 * d1_rest),
        }
    }

    /// Z_i/Σ Z · [(ln Z_i)'' + ((ln Z_i)' − z₁)²], which is
    /// (Z_i'' − 2 z₁ Z_i' + z₁² Z_i)/Σ Z, written with differences from z₁ only.
    fn second_about(&self, z1: f64) -> f64 {
        match *self {
            Weighted::Regular { p, d1_ln, d2_ln } => p * (d2_ln + (d1_ln - z1) * (d1_ln - z1)),
            Weighted::NearZero {
                rho,
                f: (f, f1, f2),
                d1_rest,
                d2_rest,
            } => {
                let r = d1_rest - z1;
                rho * (f2 + 2.0 * f1 * r + f * (d2_rest + r * r))
            }
        }
    }
}

/// (ln Σ Z_i)' and (ln Σ Z_i)'' from the terms' shares.
///
/// The second derivative is summed as Σ p̂_i [(ln Z_i)'' + ((ln Z_i)' − z₁)²] with the shares
/// normalised (p̂ = p/Σp), not as Σ p̂_i Z_i''/Z_i − z₁²: at high temperature every (ln Z_i)' is
/// ≈ N/2K, and the difference of the two squares would cancel to a relative N/K² · ε
/// (measured in `docs/results/exact-references.md`).
fn bracket_derivatives(terms: &[Weighted]) -> (f64, f64) {
    let total: f64 = terms.iter().map(Weighted::share).sum();
    let z1 = terms.iter().map(Weighted::first).sum::<f64>() / total;
    let z2 = terms.iter().map(|t| t.second_about(z1)).sum::<f64>() / total;
    (z1, z2)
}

fn derivatives_in_k(m: usize, n: usize, k: f64) -> LogZ {
    let terms = [
        Term::new(Kind::Cosh, true, m, n, k),
        Term::new(Kind::Sinh, true, m, n, k),
        Term::new(Kind::Cosh, false, m, n, k),
        Term::new(Kind::Sinh, false, m, n, k),
    ];
    // ln Σ σ_i e^{ℓ_i}: the sum is positive (Z₁ > Z₂ ≥ 0 and Z₃ ≥ |Z₄|).
    let parts = terms.each_ref().map(Term::sign_ln);
    let top = parts.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    let sum: f64 = parts.iter().map(|(s, l)| s * libm::exp(l - top)).sum();
    let ln_sum = top + libm::log(sum);

    let (z1, z2) = bracket_derivatives(&terms.each_ref().map(|t| t.weighted(ln_sum)));
    let sites = (m * n) as f64;
    let s = libm::sinh(2.0 * k);
    let coth = libm::cosh(2.0 * k) / s;
    LogZ {
        ln_z: -core::f64::consts::LN_2 + 0.5 * sites * libm::log(2.0 * s) + ln_sum,
        d1: sites * coth + z1,
        d2: -2.0 * sites / (s * s) + z2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lattice::{Square, enumeration, onsager};

    /// The closed form at K on an L×L torus, per spin.
    fn closed(l: usize, k: f64) -> PerSpin {
        let d = derivatives_in_k(l, l, k);
        let sites = (l * l) as f64;
        PerSpin {
            ln_z: d.ln_z / sites,
            d1: d.d1 / sites,
            c: k * k * d.d2 / sites,
            s: d.ln_z / sites - k * d.d1 / sites,
        }
    }

    /// The tables of docs/results/exact-references.md: the closed form's relative error against
    /// the series, u and c on 16×16 over K (high-T series up to K = 10⁻², low-T from K = 2), and
    /// c at high T over the side. Printed, not checked (the test below checks the switch points):
    /// `cargo test -p entropic --lib kaufman::tests::closed_form_against_the_series -- --ignored
    /// --nocapture`.
    #[test]
    #[ignore = "prints the tables of docs/results/exact-references.md"]
    fn closed_form_against_the_series() {
        let relative = |a: f64, b: f64| ((a - b) / b).abs();
        std::println!("16×16: K, relative error of u, of c");
        for k in [1e-4, 1e-3, 1e-2, 2.0, 3.0, 4.0] {
            let series = if k <= ising_series::HIGH_T_BELOW {
                ising_series::high_t(k, Some((16, 16)))
            } else {
                ising_series::low_t(k, core::f64::consts::LN_2 / 256.0)
            };
            let a = closed(16, k);
            std::println!(
                "{k:e} {:.1e} {:.1e}",
                relative(a.d1, series.d1),
                relative(a.c, series.c)
            );
        }
        let ks = [0.0101, 0.02, 0.03, 0.05];
        std::println!("relative error of c at K = {ks:?}, by side");
        for l in [16, 40, 100, 400, 1000] {
            let row = ks.map(|k| relative(closed(l, k).c, ising_series::high_t(k, Some((l, l))).c));
            std::println!(
                "{l} {:.1e} {:.1e} {:.1e} {:.1e}",
                row[0],
                row[1],
                row[2],
                row[3]
            );
        }
    }

    #[test]
    fn series_agree_with_the_closed_form_at_the_switch_points() {
        // Two independent exact representations; tolerances are the closed form's own
        // precision there (module docs), not tuned. At high T, c is summed as a variance
        // about the mean (`bracket_derivatives`): measured ≤ 2·10⁻¹² relative up to 1000×1000
        // at K = 10⁻² (it was 5·10⁻² as a difference of squares).
        for l in [7, 10, 16, 100, 1000] {
            let k = ising_series::HIGH_T_BELOW;
            let (a, b) = (closed(l, k), ising_series::high_t(k, Some((l, l))));
            assert!(
                (a.d1 - b.d1).abs() < 1e-9 * b.d1,
                "{l}: u {} vs {}",
                a.d1,
                b.d1
            );
            assert!((a.c - b.c).abs() < 1e-10 * b.c, "{l}: c {} vs {}", a.c, b.c);
            assert!((a.s - b.s).abs() < 1e-12, "{l}: s {} vs {}", a.s, b.s);
            let k = ising_series::LOW_T_ABOVE;
            let ground = core::f64::consts::LN_2 / (l * l) as f64;
            let (a, b) = (closed(l, k), ising_series::low_t(k, ground));
            assert!((a.d1 - b.d1).abs() < 1e-11, "{l}: u {} vs {}", a.d1, b.d1);
            assert!((a.c - b.c).abs() < 1e-5 * b.c, "{l}: c {} vs {}", a.c, b.c);
            assert!((a.s - b.s).abs() < 1e-11, "{l}: s {} vs {}", a.s, b.s);
        }
    }

    #[test]
    fn every_temperature_is_served_on_large_lattices() {
        // The cases that came out wrong before the series (u = 8234 at T = 10¹⁶, NaN at
        // T ≤ 10⁻³, c < 0 at T = 0.01): now the exact limits.
        let model = Ising::new(Square::with_side(20).unwrap(), 1.0, 0.0).unwrap();
        let n = 400.0;
        for (t, u, c, s) in [
            (1e16, -2e-16, 2e-32, core::f64::consts::LN_2),
            (1e-3, -2.0, 0.0, core::f64::consts::LN_2 / n),
            (1e-2, -2.0, 0.0, core::f64::consts::LN_2 / n),
            (1e-300, -2.0, 0.0, core::f64::consts::LN_2 / n),
        ] {
            let f = exact(&model, Temperature::new(t).unwrap()).unwrap();
            assert!(
                (f.energy_per_spin - u).abs() <= 1e-15 * u.abs(),
                "T = {t}: {f:?}"
            );
            assert!(
                (f.specific_heat - c).abs() <= 1e-15 * c.abs().max(1e-300),
                "T = {t}: {f:?}"
            );
            assert!((f.entropy_per_spin - s).abs() <= 1e-15, "T = {t}: {f:?}");
        }
        // Antiferromagnet: the same numbers (bipartite lattice).
        let afm = Ising::new(Square::with_side(20).unwrap(), -1.0, 0.0).unwrap();
        let t = Temperature::new(0.05).unwrap();
        assert_eq!(exact(&afm, t).unwrap(), exact(&model, t).unwrap());
    }

    #[test]
    fn small_lattices_refuse_where_the_closed_form_is_imprecise() {
        let model = Ising::new(Square::with_side(4).unwrap(), 1.0, 0.0).unwrap();
        for t in [1e4, 0.2] {
            assert!(matches!(
                exact(&model, Temperature::new(t).unwrap()),
                Err(LatticeError::OutsideDomain { .. })
            ));
        }
        assert!(exact(&model, Temperature::new(500.0).unwrap()).is_ok());
    }

    #[test]
    fn matches_enumeration() {
        for (lx, ly) in [
            (4, 4),
            (2, 2),
            (3, 3),
            (4, 2),
            (2, 6),
            (3, 5),
            (5, 5),
            (4, 6),
        ] {
            let model = Ising::new(Square::new(lx, ly).unwrap(), 1.0, 0.0).unwrap();
            // 5×5 (2^25 states) only at two temperatures to keep the suite quick.
            let temps: &[f64] = if lx * ly > 24 {
                &[1.0, 2.269_185_314_213_022]
            } else {
                &[0.5, 1.0, 2.0, 2.269_185_314_213_022, 3.0, 10.0]
            };
            for &t in temps {
                let t = Temperature::new(t).unwrap();
                let e = enumeration::exact(&model, t).unwrap();
                let k = exact(&model, t).unwrap();
                let ctx = || alloc::format!("{lx}×{ly} at T = {}", t.value());
                assert!(
                    (e.ln_z - k.ln_z).abs() < 1e-10 * e.ln_z.abs(),
                    "ln Z {}: {} vs {}",
                    ctx(),
                    e.ln_z,
                    k.ln_z
                );
                assert!(
                    (e.energy_per_spin - k.energy_per_spin).abs() < 1e-9,
                    "u {}",
                    ctx()
                );
                assert!(
                    (e.specific_heat - k.specific_heat).abs() < 1e-8,
                    "c {}: {} vs {}",
                    ctx(),
                    e.specific_heat,
                    k.specific_heat
                );
                assert!(
                    (e.entropy_per_spin - k.entropy_per_spin).abs() < 1e-9,
                    "s {}",
                    ctx()
                );
            }
        }
    }

    #[test]
    fn antiferromagnet_maps_to_ferromagnet() {
        let t = Temperature::new(1.7).unwrap();
        let af = Ising::new(Square::with_side(4).unwrap(), -1.0, 0.0).unwrap();
        let e = enumeration::exact(&af, t).unwrap();
        let k = exact(&af, t).unwrap();
        assert!((e.energy_per_spin - k.energy_per_spin).abs() < 1e-10);
        let frustrated = Ising::new(Square::new(3, 4).unwrap(), -1.0, 0.0).unwrap();
        assert!(exact(&frustrated, t).is_err());
        let field = Ising::new(Square::new(4, 4).unwrap(), 1.0, 0.1).unwrap();
        assert!(exact(&field, t).is_err());
    }

    #[test]
    fn large_lattices_approach_onsager_and_stay_finite() {
        for l in [64usize, 256, 1024] {
            let model = Ising::new(Square::with_side(l).unwrap(), 1.0, 0.0).unwrap();
            for t in [1.0, 2.0, 2.269_185_314_213_022, 2.5, 4.0] {
                let t = Temperature::new(t).unwrap();
                let k = exact(&model, t).unwrap();
                assert!(
                    k.ln_z.is_finite() && k.specific_heat.is_finite(),
                    "L = {l}, T = {}",
                    t.value()
                );
                let s_inf = onsager::entropy_per_spin(1.0, t).unwrap();
                // Finite-size corrections are O(1/L) at T_c and exponentially small elsewhere.
                assert!(
                    (k.entropy_per_spin - s_inf).abs() < 2.0 / l as f64,
                    "L = {l}, T = {}",
                    t.value()
                );
            }
        }
    }

    #[test]
    fn derivatives_are_consistent_near_tc() {
        // u = −∂(ln Z/N)/∂β and c = β² ∂²(ln Z/N)/∂β² by Richardson-extrapolated central
        // differences (error O(h⁴)), at and near T_c where the derivatives vary fastest.
        let model = Ising::new(Square::with_side(32).unwrap(), 1.0, 0.0).unwrap();
        for t in [2.2, 2.269_185_314_213_022, 2.3] {
            let beta = 1.0 / t;
            let lz = |b: f64| {
                exact(&model, Temperature::new(1.0 / b).unwrap())
                    .unwrap()
                    .ln_z
                    / 1024.0
            };
            let d1 = |h: f64| -(lz(beta + h) - lz(beta - h)) / (2.0 * h);
            let d2 =
                |h: f64| beta * beta * (lz(beta + h) - 2.0 * lz(beta) + lz(beta - h)) / (h * h);
            let h = 2e-4;
            let u_fd = (4.0 * d1(h / 2.0) - d1(h)) / 3.0;
            let c_fd = (4.0 * d2(h / 2.0) - d2(h)) / 3.0;
            let k = exact(&model, Temperature::new(t).unwrap()).unwrap();
            assert!(
                (u_fd - k.energy_per_spin).abs() < 1e-9,
                "u at T = {t}: {u_fd} vs {}",
                k.energy_per_spin
            );
            assert!(
                (c_fd - k.specific_heat).abs() < 1e-5,
                "c at T = {t}: {c_fd} vs {}",
                k.specific_heat
            );
        }
    }
}
