//! [`Univariate`]: one-dimensional laws with closed-form entropy, the sources of a
//! [`super::LinearMix`].
use super::{chi_square, open_unit};
use crate::rng::normal_pair;
use crate::special::digamma;
use rand_core::Rng;

/// A univariate law with closed-form density, sampler and differential entropy h (nats).
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Univariate {
    /// Laplace(0, 1): p(u) = ½ e^{−|u|}, h = 1 + ln 2.
    Laplace,
    /// Uniform on [−√3, √3] (unit variance): h = ln(2√3).
    Uniform,
    /// Exponential(1): p(u) = e^{−u} on u ≥ 0, h = 1.
    Exponential,
    /// Logistic(0, 1): p(u) = e^{−u}/(1 + e^{−u})², h = 2.
    Logistic,
    /// Student's t with ν degrees of freedom (heavy-tailed):
    /// h = (ν+1)/2 [ψ((ν+1)/2) − ψ(ν/2)] + ln(√ν B(ν/2, ½)). ν ≥ 1.
    StudentT(u32),
}

impl Univariate {
    /// The differential entropy in nats.
    pub fn entropy(self) -> f64 {
        match self {
            Self::Laplace => 1.0 + core::f64::consts::LN_2,
            Self::Uniform => libm::log(2.0 * libm::sqrt(3.0)),
            Self::Exponential => 1.0,
            Self::Logistic => 2.0,
            Self::StudentT(nu) => {
                let v = f64::from(nu);
                (v + 1.0) / 2.0 * (digamma((v + 1.0) / 2.0) - digamma(v / 2.0))
                    + 0.5 * libm::log(v)
                    + ln_beta(v / 2.0, 0.5)
            }
        }
    }

    /// ln p(u) (−∞ outside the support).
    pub fn log_density(self, u: f64) -> f64 {
        match self {
            Self::Laplace => -core::f64::consts::LN_2 - u.abs(),
            Self::Uniform => {
                let half = libm::sqrt(3.0);
                if u.abs() <= half {
                    -libm::log(2.0 * half)
                } else {
                    f64::NEG_INFINITY
                }
            }
            Self::Exponential => {
                if u >= 0.0 {
                    -u
                } else {
                    f64::NEG_INFINITY
                }
            }
            // −|u| − 2 ln(1 + e^{−|u|}): symmetric and overflow-free.
            Self::Logistic => -u.abs() - 2.0 * libm::log1p(libm::exp(-u.abs())),
            Self::StudentT(nu) => {
                let v = f64::from(nu);
                -(v + 1.0) / 2.0 * libm::log1p(u * u / v)
                    - 0.5 * libm::log(v)
                    - ln_beta(v / 2.0, 0.5)
            }
        }
    }

    /// One draw.
    pub fn sample<R: Rng + ?Sized>(self, rng: &mut R) -> f64 {
        match self {
            Self::Laplace => {
                let u = open_unit(rng) - 0.5;
                -u.signum() * libm::log(1.0 - 2.0 * u.abs())
            }
            Self::Uniform => libm::sqrt(3.0) * (2.0 * open_unit(rng) - 1.0),
            Self::Exponential => -libm::log(open_unit(rng)),
            Self::Logistic => {
                let u = open_unit(rng);
                libm::log(u / (1.0 - u))
            }
            Self::StudentT(nu) => {
                // z / √(χ²_ν / ν) with χ²_ν a sum of ν squared standard normals.
                let z = normal_pair(rng).0;
                z / libm::sqrt(chi_square(nu, rng) / f64::from(nu))
            }
        }
    }

    /// A short name.
    pub fn name(self) -> alloc::string::String {
        match self {
            Self::Laplace => "laplace".into(),
            Self::Uniform => "uniform".into(),
            Self::Exponential => "exponential".into(),
            Self::Logistic => "logistic".into(),
            Self::StudentT(nu) => alloc::format!("student{nu}"),
        }
    }
}

/// ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b).
fn ln_beta(a: f64, b: f64) -> f64 {
    libm::lgamma(a) + libm::lgamma(b) - libm::lgamma(a + b)
}
