use super::Temperature;
use super::{LatticeError, Square};
use crate::model::Model;
use crate::rng::uniform_f64;
use alloc::vec::Vec;
use core::f64::consts::TAU;
use rand_core::Rng;

/// The 2D XY (plane-rotator) model H(θ) = −J Σ_⟨ij⟩ cos(θᵢ − θⱼ) − h Σᵢ cos θᵢ on a periodic
/// square lattice (diffusion-entropy thesis, Eq. 3.4).
///
/// # Examples
/// ```
/// use entropic::prelude::*;
/// use entropic::lattice::{Square, Xy};
/// let model = Xy::new(Square::with_side(4)?, 1.0, 0.0)?;
/// assert_eq!(model.energy(&model.ordered_state()), -32.0);
/// # Ok::<(), entropic::lattice::LatticeError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Xy {
    lattice: Square,
    j: f64,
    h: f64,
}

/// An XY configuration: one angle per site in [0, 2π), with its unit vector (cos θ, sin θ) kept
/// beside it (always recomputed from the stored angle, so the two never drift apart).
#[derive(Clone, Debug, PartialEq)]
pub struct XyState {
    angles: Vec<f64>,
    unit: Vec<[f64; 2]>,
}

/// θ reduced to [0, 2π). Reductions that round up to 2π (tiny negative inputs) give 0, so the
/// half-open interval holds exactly (the thesis code let angles leave it).
///
/// # Examples
/// ```
/// use entropic::lattice::wrap_angle;
/// assert_eq!(wrap_angle(-1e-18), 0.0);
/// assert!((wrap_angle(7.0) - (7.0 - core::f64::consts::TAU)).abs() < 1e-15);
/// ```
pub fn wrap_angle(theta: f64) -> f64 {
    let mut r = libm::fmod(theta, TAU);
    if r < 0.0 {
        r += TAU;
    }
    if r >= TAU { 0.0 } else { r }
}

impl XyState {
    /// The angles, row-major, each in [0, 2π).
    pub fn angles(&self) -> &[f64] {
        &self.angles
    }

    /// The unit vectors (cos θ, sin θ), row-major.
    pub fn unit_vectors(&self) -> &[[f64; 2]] {
        &self.unit
    }

    /// Set site `i` to angle `theta` (wrapped), updating its unit vector.
    #[inline]
    pub(crate) fn set(&mut self, i: usize, theta: f64) {
        let theta = wrap_angle(theta);
        self.angles[i] = theta;
        let (s, c) = libm::sincos(theta);
        self.unit[i] = [c, s];
    }
}

impl Xy {
    /// # Errors
    /// [`LatticeError::NotFinite`] if `j` or `h` is not finite.
    pub fn new(lattice: Square, j: f64, h: f64) -> Result<Self, LatticeError> {
        LatticeError::check_couplings(j, h)?;
        Ok(Self { lattice, j, h })
    }

    /// The lattice geometry.
    pub fn lattice(&self) -> &Square {
        &self.lattice
    }

    /// Coupling J.
    pub fn coupling(&self) -> f64 {
        self.j
    }

    /// Field h (along θ = 0).
    pub fn field(&self) -> f64 {
        self.h
    }

    /// All angles 0.
    pub fn ordered_state(&self) -> XyState {
        let n = self.lattice.sites();
        XyState {
            angles: alloc::vec![0.0; n],
            unit: alloc::vec![[1.0, 0.0]; n],
        }
    }

    /// Independent uniform angles.
    pub fn random_state<R: Rng + ?Sized>(&self, rng: &mut R) -> XyState {
        let mut state = self.ordered_state();
        for i in 0..self.lattice.sites() {
            state.set(i, TAU * uniform_f64(rng));
        }
        state
    }

    /// A state from explicit angles (wrapped into [0, 2π)).
    ///
    /// # Errors
    /// [`LatticeError::StateLength`] for the wrong number of angles, [`LatticeError::NotFinite`]
    /// for a NaN or infinite angle.
    pub fn state_from_angles(&self, angles: &[f64]) -> Result<XyState, LatticeError> {
        let expected = self.lattice.sites();
        if angles.len() != expected {
            return Err(LatticeError::StateLength {
                expected,
                got: angles.len(),
            });
        }
        if let Some(&value) = angles.iter().find(|a| !a.is_finite()) {
            return Err(LatticeError::NotFinite {
                name: "angle",
                value,
            });
        }
        let mut state = self.ordered_state();
        for (i, &a) in angles.iter().enumerate() {
            state.set(i, a);
        }
        Ok(state)
    }

    /// Sum of the neighbours' unit vectors of site `i`.
    #[inline]
    pub fn neighbour_field(&self, state: &XyState, i: usize) -> [f64; 2] {
        self.lattice
            .neighbours(i)
            .iter()
            .fold([0.0, 0.0], |[x, y], &k| {
                [x + state.unit[k][0], y + state.unit[k][1]]
            })
    }

    /// Energy change of setting site `i` to the unit vector `new` (Eq. 3.5 with a field).
    #[inline]
    pub fn move_energy(&self, state: &XyState, i: usize, new: [f64; 2]) -> f64 {
        let [fx, fy] = self.neighbour_field(state, i);
        let old = state.unit[i];
        -self.j * ((new[0] - old[0]) * fx + (new[1] - old[1]) * fy) - self.h * (new[0] - old[0])
    }

    /// Magnetization vector Σᵢ (cos θᵢ, sin θᵢ).
    pub fn magnetization(&self, state: &XyState) -> [f64; 2] {
        state
            .unit
            .iter()
            .fold([0.0, 0.0], |[x, y], u| [x + u[0], y + u[1]])
    }

    /// Energy per spin E/N.
    pub fn energy_per_spin(&self, state: &XyState) -> f64 {
        self.energy(state) / self.lattice.sites() as f64
    }

    /// |M|/N.
    pub fn abs_magnetization_per_spin(&self, state: &XyState) -> f64 {
        let [x, y] = self.magnetization(state);
        libm::hypot(x, y) / self.lattice.sites() as f64
    }

    /// One sample of the helicity-modulus (spin-stiffness) estimator at temperature `t`: the
    /// free energy's curvature under a uniform twist of the boundary conditions, averaged over
    /// the x and y twists,
    ///
    /// Υ = (1/2N) ⟨J Σ_⟨ij⟩ cos(θᵢ − θⱼ) − βJ² (S_x² + S_y²)⟩, S_a = Σ_{⟨ij⟩ along a} sin(θᵢ − θⱼ)
    ///
    /// (j the site after i along a; ⟨S_a⟩ = 0 by the θ → −θ symmetry, so no ⟨S_a⟩² term). The mean
    /// of this function over equilibrium states is Υ: J − T/4 + O(T²) at low temperature (spin
    /// waves), 0 above the Kosterlitz–Thouless transition in the thermodynamic limit, with the
    /// universal jump Υ(T_KT⁻) = 2T_KT/π.
    pub fn helicity_sample(&self, state: &XyState, t: Temperature) -> f64 {
        let (mut cos, mut sx, mut sy) = (0.0, 0.0, 0.0);
        self.for_each_site(state, |s, r, d| {
            cos += s[0] * (r[0] + d[0]) + s[1] * (r[1] + d[1]);
            // sin(θᵢ − θⱼ) = sin θᵢ cos θⱼ − cos θᵢ sin θⱼ
            sx += s[1] * r[0] - s[0] * r[1];
            sy += s[1] * d[0] - s[0] * d[1];
        });
        let j = self.j;
        (j * cos - t.beta() * j * j * (sx * sx + sy * sy)) / (2.0 * self.lattice.sites() as f64)
    }

    /// Call `visit(s, right, down)` with the unit vectors of every site and of its neighbours
    /// to the right and below (periodic), row by row: each bond once.
    #[inline]
    fn for_each_site(&self, state: &XyState, mut visit: impl FnMut([f64; 2], [f64; 2], [f64; 2])) {
        let (lx, ly) = (self.lattice.lx(), self.lattice.ly());
        let u = &state.unit;
        for y in 0..ly {
            let row = y * lx;
            let down = if y + 1 == ly { 0 } else { row + lx };
            for x in 0..lx {
                let right = if x + 1 == lx { row } else { row + x + 1 };
                visit(u[row + x], u[right], u[down + x]);
            }
        }
    }
}

impl Model for Xy {
    type State = XyState;

    fn energy(&self, state: &XyState) -> f64 {
        let (mut bonds, mut mx) = (0.0, 0.0);
        self.for_each_site(state, |s, r, d| {
            bonds += s[0] * (r[0] + d[0]) + s[1] * (r[1] + d[1]);
            mx += s[0];
        });
        -self.j * bonds - self.h * mx
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn move_energy_matches_recomputation() {
        let model = Xy::new(Square::new(4, 6).unwrap(), 0.8, 0.3).unwrap();
        let mut rng = crate::rng::from_seed(1);
        let mut state = model.random_state(&mut rng);
        for i in 0..24 {
            let before = model.energy(&state);
            let theta = TAU * uniform_f64(&mut rng);
            let (s, c) = libm::sincos(theta);
            let delta = model.move_energy(&state, i, [c, s]);
            state.set(i, theta);
            assert!((model.energy(&state) - before - delta).abs() < 1e-12);
        }
    }

    #[test]
    fn validation() {
        let model = Xy::new(Square::with_side(2).unwrap(), 1.0, 0.0).unwrap();
        assert!(model.state_from_angles(&[0.0; 3]).is_err());
        assert!(model.state_from_angles(&[0.0, 1.0, f64::NAN, 2.0]).is_err());
        let s = model.state_from_angles(&[-1.0, 7.0, TAU, 0.5]).unwrap();
        assert!(s.angles().iter().all(|a| (0.0..TAU).contains(a)));
    }

    proptest! {
        #[test]
        fn wrap_stays_half_open(theta in -1e6f64..1e6) {
            let w = wrap_angle(theta);
            prop_assert!((0.0..TAU).contains(&w));
            prop_assert!(libm::cos(w - theta).abs() > 0.0 && (libm::cos(w) - libm::cos(theta)).abs() < 1e-9);
        }
    }
}
