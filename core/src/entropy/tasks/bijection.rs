//! [`Transformed`]: a mutual-information task seen through invertible maps of X and of Y, which
//! leave I(X; Y) unchanged (the "Beyond Normal" benchmark's transformed tasks).
use super::MutualInformationTask;
use crate::entropy::{EntropyError, Samples};
use crate::special::{normal_cdf, probit};
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

/// An invertible map applied to every sample of X and of Y.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bijection {
    /// v ↦ sign(v) |v|^{3/2} per coordinate.
    HalfCube,
    /// v ↦ asinh(v) per coordinate (tames heavy tails).
    Asinh,
    /// v ↦ Φ(v) per coordinate: onto (0, 1), the copula's uniform margins for unit variances.
    NormalCdf,
    /// Rotation of the first two coordinates by the angle |x|²/2 (|x| the whole vector's norm,
    /// which the rotation keeps, so the map inverts); needs dimension ≥ 2.
    Spiral,
    /// v ↦ v + 0.4 sin(2v) per coordinate (monotone: slope ≥ 0.2).
    Wiggly,
}

impl Bijection {
    fn name(self) -> &'static str {
        match self {
            Self::HalfCube => "half-cube",
            Self::Asinh => "asinh",
            Self::NormalCdf => "normal-cdf",
            Self::Spiral => "spiral",
            Self::Wiggly => "wiggly",
        }
    }

    fn spiral_angle(v: &[f64]) -> f64 {
        0.5 * v.iter().map(|a| a * a).sum::<f64>()
    }

    fn rotate(v: &mut [f64], angle: f64) {
        let (s, c) = (libm::sin(angle), libm::cos(angle));
        let (a, b) = (v[0], v[1]);
        v[0] = c * a - s * b;
        v[1] = s * a + c * b;
    }

    /// The map, in place on one sample.
    pub fn apply(self, v: &mut [f64]) {
        match self {
            Self::Spiral => Self::rotate(v, Self::spiral_angle(v)),
            _ => v.iter_mut().for_each(|a| *a = self.scalar(*a)),
        }
    }

    /// The inverse map, in place on one sample.
    pub fn invert(self, v: &mut [f64]) {
        match self {
            Self::Spiral => Self::rotate(v, -Self::spiral_angle(v)),
            _ => v.iter_mut().for_each(|a| *a = self.scalar_inverse(*a)),
        }
    }

    fn scalar(self, a: f64) -> f64 {
        match self {
            Self::HalfCube => a.signum() * libm::pow(a.abs(), 1.5),
            Self::Asinh => libm::asinh(a),
            Self::NormalCdf => normal_cdf(a),
            Self::Wiggly => a + 0.4 * libm::sin(2.0 * a),
            Self::Spiral => a,
        }
    }

    fn scalar_inverse(self, b: f64) -> f64 {
        match self {
            Self::HalfCube => b.signum() * libm::cbrt(b * b),
            Self::Asinh => libm::sinh(b),
            Self::NormalCdf => probit(b),
            Self::Wiggly => {
                // The root lies in [b − 0.4, b + 0.4]; bisection to the last bit.
                let (mut lo, mut hi) = (b - 0.4, b + 0.4);
                for _ in 0..64 {
                    let mid = 0.5 * (lo + hi);
                    if self.scalar(mid) < b {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                0.5 * (lo + hi)
            }
            Self::Spiral => b,
        }
    }
}

/// A task with a [`Bijection`] applied to X and to Y: the same mutual information.
pub struct Transformed {
    base: Box<dyn MutualInformationTask>,
    map: Bijection,
}

impl Transformed {
    /// # Errors
    /// [`EntropyError::Parameter`] for [`Bijection::Spiral`] on a one-dimensional side.
    pub fn new(base: Box<dyn MutualInformationTask>, map: Bijection) -> Result<Self, EntropyError> {
        let (dx, dy) = base.dims();
        if map == Bijection::Spiral && dx.min(dy) < 2 {
            return Err(EntropyError::Parameter(
                "the spiral needs at least two dimensions on each side",
            ));
        }
        Ok(Self { base, map })
    }
}

impl core::fmt::Debug for Transformed {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Transformed")
            .field("base", &self.base.name())
            .field("map", &self.map)
            .finish()
    }
}

impl MutualInformationTask for Transformed {
    fn name(&self) -> String {
        alloc::format!("{}-{}", self.map.name(), self.base.name())
    }

    fn dims(&self) -> (usize, usize) {
        self.base.dims()
    }

    fn mutual_information(&self) -> f64 {
        self.base.mutual_information()
    }

    /// The base's pointwise MI at the inverse images (Jacobians cancel between the joint and
    /// the marginals).
    fn pointwise(&self, x: &[f64], y: &[f64]) -> f64 {
        let (mut u, mut v): (Vec<f64>, Vec<f64>) = (x.to_vec(), y.to_vec());
        self.map.invert(&mut u);
        self.map.invert(&mut v);
        self.base.pointwise(&u, &v)
    }

    fn sample(&self, n: usize, seed: u64) -> Result<(Samples, Samples), EntropyError> {
        let (x, y) = self.base.sample(n, seed)?;
        let map = |s: Samples| -> Result<Samples, EntropyError> {
            let d = s.dim();
            let mut v = s.as_slice().to_vec();
            v.chunks_mut(d).for_each(|row| self.map.apply(row));
            Ok(Samples::new(v, d)?)
        };
        Ok((map(x)?, map(y)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_map_inverts() {
        for map in [
            Bijection::HalfCube,
            Bijection::Asinh,
            Bijection::NormalCdf,
            Bijection::Spiral,
            Bijection::Wiggly,
        ] {
            for v in [[0.3, -1.7, 2.2], [-0.01, 0.0, 4.0], [3.5, 1.0, -3.0]] {
                let mut w = v;
                map.apply(&mut w);
                map.invert(&mut w);
                for (a, b) in v.iter().zip(w) {
                    assert!(
                        (a - b).abs() < 1e-9 * (1.0 + a.abs()),
                        "{map:?}: {v:?} → {w:?}"
                    );
                }
            }
        }
    }
}
