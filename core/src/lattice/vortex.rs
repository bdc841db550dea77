//! Vortices of an XY configuration: the winding of the angle around each plaquette.
//!
//! The charge of the plaquette whose top-left corner is site i (corners i, i + x̂, i + x̂ + ŷ,
//! i + ŷ, in that order) is q = (1/2π) Σ_edges w(θ_to − θ_from), with w(d) the difference
//! reduced to [−π, π). The sum of four such differences is a multiple of 2π, so q ∈ {−1, 0, 1}.
//! Each bond's reduced difference is computed once and shared by the two plaquettes on either
//! side of it, so on the periodic lattice the charges sum to zero exactly.
//!
//! Vortex–antivortex pairs unbind at the Berezinskii–Kosterlitz–Thouless transition; their
//! density measures disorder that spin waves alone do not carry (the diffusion-entropy thesis
//! discusses the XY transition in Sec. 3.1.2). For independent uniform angles (T → ∞) a plaquette
//! carries a vortex with probability exactly 1/3: q ≠ 0 iff the sum of three independent uniform
//! differences on [−π, π) leaves [−π, π), and P(|U₁ + U₂ + U₃| > 1/2) = 2 · 1/6 for Uᵢ uniform
//! on [−1/2, 1/2) (Irwin–Hall).
use super::{Xy, XyState, wrap_angle};
use alloc::vec::Vec;
use core::f64::consts::{PI, TAU};

/// Vortex charges qₚ ∈ {−1, 0, 1} of the N plaquettes, indexed by their top-left site.
///
/// # Examples
/// Angles turning by a quarter turn at each corner of one plaquette make a vortex there:
/// ```
/// use entropic::lattice::{Square, Xy, plaquette_charges};
/// use core::f64::consts::FRAC_PI_2;
/// let model = Xy::new(Square::with_side(4)?, 1.0, 0.0)?;
/// let mut angles = vec![0.0; 16];
/// // Corners of plaquette 5 (sites 5, 6, 10, 9) at 0, π/2, π, 3π/2.
/// for (k, site) in [5, 6, 10, 9].into_iter().enumerate() {
///     angles[site] = FRAC_PI_2 * k as f64;
/// }
/// let q = plaquette_charges(&model, &model.state_from_angles(&angles)?);
/// assert_eq!(q[5], 1);
/// assert_eq!(q.iter().map(|&q| i32::from(q)).sum::<i32>(), 0);
/// # Ok::<(), entropic::lattice::LatticeError>(())
/// ```
pub fn plaquette_charges(model: &Xy, state: &XyState) -> Vec<i8> {
    let lattice = model.lattice();
    let theta = state.angles();
    let n = lattice.sites();
    let mut along_x = Vec::with_capacity(n);
    let mut along_y = Vec::with_capacity(n);
    for i in 0..n {
        let [_, right, _, down] = lattice.neighbours(i);
        along_x.push(reduced(theta[right] - theta[i]));
        along_y.push(reduced(theta[down] - theta[i]));
    }
    (0..n)
        .map(|i| {
            let [_, right, _, down] = lattice.neighbours(i);
            let circulation = along_x[i] + along_y[right] - along_x[down] - along_y[i];
            libm::round(circulation / TAU) as i8
        })
        .collect()
}

/// Vortices plus antivortices per site, Σₚ |qₚ| / N ([`plaquette_charges`]).
///
/// # Examples
/// ```
/// use entropic::lattice::{Square, Xy, vortex_density};
/// let model = Xy::new(Square::with_side(8)?, 1.0, 0.0)?;
/// assert_eq!(vortex_density(&model, &model.ordered_state()), 0.0);
/// # Ok::<(), entropic::lattice::LatticeError>(())
/// ```
pub fn vortex_density(model: &Xy, state: &XyState) -> f64 {
    let charges = plaquette_charges(model, state);
    let vortices: usize = charges.iter().map(|q| q.unsigned_abs() as usize).sum();
    vortices as f64 / charges.len() as f64
}

/// An angle difference reduced to [−π, π) ([`wrap_angle`] shifted by π).
fn reduced(d: f64) -> f64 {
    wrap_angle(d + PI) - PI
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lattice::Square;
    use crate::rng::{from_seed, uniform_f64};
    use proptest::prelude::*;

    fn charges_of(side: usize, angles: &[f64]) -> Vec<i8> {
        let model = Xy::new(Square::with_side(side).unwrap(), 1.0, 0.0).unwrap();
        plaquette_charges(&model, &model.state_from_angles(angles).unwrap())
    }

    #[test]
    fn a_planted_vortex_is_found_where_it_is() {
        // θ = atan2 around the centre of plaquette 14 (corners 14, 15, 21, 20) of a 6×6 lattice.
        let side = 6;
        let angles: Vec<f64> = (0..side * side)
            .map(|i| {
                let (x, y) = ((i % side) as f64, (i / side) as f64);
                libm::atan2(y - 2.5, x - 2.5)
            })
            .collect();
        let q = charges_of(side, &angles);
        assert_eq!(q[14], 1);
        // Only the centre and the seams (last row, last column) can carry charge.
        for (p, &c) in q.iter().enumerate() {
            if p != 14 && p % side != side - 1 && p / side != side - 1 {
                assert_eq!(c, 0, "plaquette {p}");
            }
        }
    }

    #[test]
    fn independent_angles_carry_a_vortex_on_a_third_of_the_plaquettes() {
        // T → ∞: the exact density is 1/3 (module docs). Error bar from the spread of the
        // per-configuration densities.
        let (side, configs) = (16, 400);
        let mut rng = from_seed(11);
        let densities: Vec<f64> = (0..configs)
            .map(|_| {
                let angles: Vec<f64> = (0..side * side)
                    .map(|_| TAU * uniform_f64(&mut rng))
                    .collect();
                let q = charges_of(side, &angles);
                q.iter().filter(|&&q| q != 0).count() as f64 / q.len() as f64
            })
            .collect();
        let (mean, sd) = crate::stats::mean_and_sd(&densities);
        let error = sd / (configs as f64).sqrt();
        assert!((mean - 1.0 / 3.0).abs() < 4.0 * error, "{mean} ± {error}");
    }

    #[test]
    fn reduction_is_half_open() {
        assert_eq!(reduced(PI), -PI);
        assert_eq!(reduced(-PI), -PI);
        assert!((reduced(TAU - 0.1) + 0.1).abs() < 1e-15);
        assert!((reduced(0.3) - 0.3).abs() < 1e-15);
    }

    proptest! {
        #[test]
        fn charges_are_neutral_and_follow_the_symmetries(
            angles in proptest::collection::vec(0.0..TAU, 25),
            turn in 0.0..TAU,
        ) {
            let q = charges_of(5, &angles);
            prop_assert!(q.iter().all(|q| q.abs() <= 1));
            prop_assert_eq!(q.iter().map(|&q| i32::from(q)).sum::<i32>(), 0);
            // A global rotation changes nothing, a reflection θ → −θ flips every charge (up to
            // differences within rounding of ±π, which a random draw does not hit).
            let turned: Vec<f64> = angles.iter().map(|a| a + turn).collect();
            prop_assert_eq!(&charges_of(5, &turned), &q);
            let mirrored: Vec<f64> = angles.iter().map(|a| -a).collect();
            let flipped: Vec<i8> = q.iter().map(|q| -q).collect();
            prop_assert_eq!(charges_of(5, &mirrored), flipped);
        }
    }
}
