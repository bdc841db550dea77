use crate::special::{bessel_ratios, ln_bessel_i0};

/// What one lattice site holds, with the exact single-site posterior algebra the
/// [`LatticeDenoiser`](super::LatticeDenoiser) is built on.
///
/// A site observed as x = k s + σ z under a prior ∝ exp(h·s) (the field of the other sites) has
/// the posterior ∝ exp(η·s), η = k x/σ² + h:
/// - **Ising**, s = ±1: E[s | x] = tanh η and −ln p(s | x) = ln 2cosh η − sη. Every prior on ±1
///   has this form, so the factorisation is exact.
/// - **Planar**, s = (cos θ, sin θ) on the unit circle (XY rotors): a von Mises posterior,
///   E[s | x] = A(|η|) η/|η| with A = I₁/I₀, and −ln p(θ | x) = ln 2π I₀(|η|) − η·s (density
///   with respect to dθ). Exact for XY conditionals given clean neighbours (βJ Σⱼ sⱼ); given
///   noisy neighbours the true conditional is a mixture of von Mises densities, so here the form
///   is an approximation (README, modelling choices).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum SpinKind {
    /// ±1 spins, one coordinate per site.
    Ising,
    /// Unit vectors in the plane, two coordinates (cos θ, sin θ) per site.
    Planar,
}

impl SpinKind {
    /// Coordinates per site: 1 (Ising) or 2 (planar).
    pub fn components(self) -> usize {
        match self {
            Self::Ising => 1,
            Self::Planar => 2,
        }
    }

    /// The posterior mean E[s | η] of one site (η and `out` of length
    /// [`SpinKind::components`]).
    pub fn mean(self, eta: &[f64], out: &mut [f64]) {
        let c = self.components();
        let mut padded = [0.0; 2];
        padded[..c].copy_from_slice(eta);
        out.copy_from_slice(&self.means([padded])[0][..c]);
    }

    /// [`SpinKind::mean`] of N sites at once, each η padded to two coordinates (Ising reads
    /// and writes the first). Planar sites evaluate A side by side ([`bessel_ratios`]), which
    /// is faster than N calls and gives the same bits.
    pub fn means<const N: usize>(self, eta: [[f64; 2]; N]) -> [[f64; 2]; N] {
        match self {
            Self::Ising => eta.map(|e| [libm::tanh(e[0]), 0.0]),
            Self::Planar => {
                let r = eta.map(|e| norm(e[0], e[1]));
                let ratio = bessel_ratios(r);
                core::array::from_fn(|k| {
                    let scale = if r[k] > 0.0 { ratio[k] / r[k] } else { 0.0 };
                    [scale * eta[k][0], scale * eta[k][1]]
                })
            }
        }
    }

    /// Replace the natural parameters η of consecutive sites (c coordinates each) by their
    /// posterior means, four sites at a time ([`SpinKind::means`]).
    pub fn to_means(self, v: &mut [f64]) {
        self.map_in_fours(v, |eta| self.means(eta));
    }

    /// Replace the values of consecutive sites (c coordinates each) by `f` of them, four sites
    /// per call, each padded to two coordinates (a short last group is padded with zeros).
    pub(crate) fn map_in_fours(
        self,
        v: &mut [f64],
        mut f: impl FnMut([[f64; 2]; 4]) -> [[f64; 2]; 4],
    ) {
        let c = self.components();
        for group in v.chunks_mut(4 * c) {
            let mut lanes = [[0.0; 2]; 4];
            for (l, g) in lanes.iter_mut().zip(group.chunks(c)) {
                l[..c].copy_from_slice(g);
            }
            for (g, m) in group.chunks_mut(c).zip(f(lanes)) {
                g.copy_from_slice(&m[..c]);
            }
        }
    }

    /// −ln p(s | η) of the site value `s` (its gradient in η is E[s | η] − s).
    pub fn log_loss(self, eta: &[f64], s: &[f64]) -> f64 {
        match self {
            Self::Ising => {
                let a = eta[0].abs();
                a + libm::log1p(libm::exp(-2.0 * a)) - s[0] * eta[0]
            }
            Self::Planar => {
                let r = norm(eta[0], eta[1]);
                libm::log(2.0 * core::f64::consts::PI) + ln_bessel_i0(r)
                    - eta[0] * s[0]
                    - eta[1] * s[1]
            }
        }
    }

    /// The local frame of a site for a reference vector `v` (planar: v/|v|, or e₁ if v = 0;
    /// Ising: no rotation). Features are expressed in it and the network's field is rotated back
    /// from it, which makes the planar model exactly equivariant under global rotations.
    pub fn frame(self, v: [f64; 2]) -> [f64; 2] {
        let r = norm(v[0], v[1]);
        match self {
            Self::Planar if r > 0.0 => [v[0] / r, v[1] / r],
            _ => [1.0, 0.0],
        }
    }

    /// Components of `v` along (u, u⊥) of the frame `u`, into `out`.
    pub fn to_frame(self, u: [f64; 2], v: &[f64], out: &mut [f64]) {
        match self {
            Self::Ising => out[0] = v[0],
            Self::Planar => {
                out[0] = v[0] * u[0] + v[1] * u[1];
                out[1] = -v[0] * u[1] + v[1] * u[0];
            }
        }
    }

    /// The vector with components `f` along (u, u⊥), into `out` (inverse of
    /// [`SpinKind::to_frame`]).
    pub fn from_frame(self, u: [f64; 2], f: &[f64], out: &mut [f64]) {
        match self {
            Self::Ising => out[0] = f[0],
            Self::Planar => {
                out[0] = f[0] * u[0] - f[1] * u[1];
                out[1] = f[0] * u[1] + f[1] * u[0];
            }
        }
    }
}

/// |(a, b)|: √(a² + b²), with `hypot`'s care only where the squares overflow or underflow (the
/// planar kernels call this for every site of every lattice).
pub(super) fn norm(a: f64, b: f64) -> f64 {
    let r2 = a * a + b * b;
    if r2.is_finite() && r2 > 1e-300 {
        libm::sqrt(r2)
    } else {
        libm::hypot(a, b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::special::GaussLegendre;

    /// The closed forms against direct quadrature of the posterior ∝ exp(η·s) over the circle.
    #[test]
    fn planar_mean_and_log_loss_match_quadrature() {
        let tau = 2.0 * core::f64::consts::PI;
        let rule = GaussLegendre::new(20);
        for eta in [[0.0, 0.0], [0.7, -0.2], [3.0, 4.0], [-60.0, 10.0]] {
            let weight = |t: f64| libm::exp(eta[0] * libm::cos(t) + eta[1] * libm::sin(t));
            let z = rule.integrate(weight, 0.0, tau, 200);
            let c = rule.integrate(|t| libm::cos(t) * weight(t), 0.0, tau, 200) / z;
            let s = rule.integrate(|t| libm::sin(t) * weight(t), 0.0, tau, 200) / z;
            let mut m = [0.0; 2];
            SpinKind::Planar.mean(&eta, &mut m);
            assert!(
                (m[0] - c).abs() < 1e-10 && (m[1] - s).abs() < 1e-10,
                "{eta:?}"
            );
            let at = [libm::cos(0.3), libm::sin(0.3)];
            let nll = -libm::log(weight(0.3) / z);
            assert!(
                (SpinKind::Planar.log_loss(&eta, &at) - nll).abs() < 1e-9,
                "{eta:?}"
            );
        }
        let mut m = [0.0];
        SpinKind::Ising.mean(&[0.5], &mut m);
        let p = libm::exp(0.5) / (libm::exp(0.5) + libm::exp(-0.5));
        assert!((m[0] - (2.0 * p - 1.0)).abs() < 1e-15);
        assert!((SpinKind::Ising.log_loss(&[0.5], &[1.0]) + libm::log(p)).abs() < 1e-15);
    }

    /// Four sites at a time give the bits of one site at a time, for lattices whose size is
    /// not a multiple of four.
    #[test]
    fn grouped_means_match_single_sites() {
        for kind in [SpinKind::Ising, SpinKind::Planar] {
            let c = kind.components();
            let eta: alloc::vec::Vec<f64> = (0..7 * c)
                .map(|i| 2.5 * libm::sin(1.3 * i as f64))
                .collect();
            let mut grouped = eta.clone();
            kind.to_means(&mut grouped);
            for (e, g) in eta.chunks(c).zip(grouped.chunks(c)) {
                let mut want = [0.0; 2];
                kind.mean(e, &mut want[..c]);
                assert_eq!(g, &want[..c]);
            }
        }
    }

    #[test]
    fn frames_round_trip_and_align_the_reference() {
        let u = SpinKind::Planar.frame([3.0, -4.0]);
        let mut f = [0.0; 2];
        SpinKind::Planar.to_frame(u, &[3.0, -4.0], &mut f);
        assert!((f[0] - 5.0).abs() < 1e-15 && f[1].abs() < 1e-15);
        let mut back = [0.0; 2];
        SpinKind::Planar.from_frame(u, &[0.2, 1.1], &mut f);
        SpinKind::Planar.to_frame(u, &f, &mut back);
        assert!((back[0] - 0.2).abs() < 1e-15 && (back[1] - 1.1).abs() < 1e-15);
        assert_eq!(SpinKind::Planar.frame([0.0, 0.0]), [1.0, 0.0]);
    }
}
