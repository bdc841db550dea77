//! Weight initialisation.
use super::Scalar;
use crate::rng::uniform_f64;
use rand_core::Rng;

/// Fill `w` uniformly in ±√(6/(fan_in + fan_out)) (Glorot & Bengio 2010).
pub fn glorot_uniform<T: Scalar, R: Rng + ?Sized>(
    w: &mut [T],
    fan_in: usize,
    fan_out: usize,
    rng: &mut R,
) {
    let limit = libm::sqrt(6.0 / (fan_in + fan_out) as f64);
    for x in w {
        *x = T::of(limit * (2.0 * uniform_f64(rng) - 1.0));
    }
}
