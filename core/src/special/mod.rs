//! Special functions and quadrature used by the exact references (pure `libm`, so every target
//! gives the same bits).
mod elliptic;
mod quadrature;

pub use elliptic::{agm, elliptic_k};
pub use quadrature::GaussLegendre;
