//! Special functions and quadrature used by the exact references (pure `libm`, so every target
//! gives the same bits).
mod bessel;
mod bessel_chebyshev;
mod bessel_harmonic;
mod digamma;
mod elliptic;
mod logistic;
mod normal;
mod quadrature;

pub use bessel::{bessel_i0, bessel_i1, bessel_ratio, bessel_ratios, ln_bessel_i0};
pub use bessel_harmonic::LogBesselHarmonic;
pub use digamma::digamma;
pub use elliptic::{agm, elliptic_k};
pub use logistic::{log_sum_exp, sigmoid, softplus};
pub use normal::{normal_cdf, probit};
pub use quadrature::GaussLegendre;
