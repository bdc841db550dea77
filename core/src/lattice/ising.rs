use super::{LatticeError, Square};
use crate::model::Model;
use alloc::vec;
use alloc::vec::Vec;
use rand_core::Rng;

/// The 2D Ising model H(s) = −J Σ_⟨ij⟩ sᵢsⱼ − h Σᵢ sᵢ on a periodic square lattice
/// (diffusion-entropy thesis, Eq. 3.1), optionally with a next-nearest-neighbour (diagonal)
/// coupling: H(s) − J₂ Σ_⟨⟨ij⟩⟩ sᵢsⱼ ([`Ising::with_next_nearest`]; 2N diagonal bonds).
///
/// # Examples
/// ```
/// use entropic::prelude::*;
/// use entropic::lattice::{Ising, Square};
/// let model = Ising::new(Square::with_side(4)?, 1.0, 0.0)?;
/// let up = model.ordered_state();
/// assert_eq!(model.energy(&up), -32.0); // 2N bonds, all satisfied
/// assert_eq!(model.magnetization(&up), 16.0);
/// # Ok::<(), entropic::lattice::LatticeError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Ising {
    lattice: Square,
    j: f64,
    h: f64,
    /// J₂; absent in files written before it existed (then 0).
    #[cfg_attr(feature = "serde", serde(default))]
    j2: f64,
}

/// An Ising configuration: one ±1 spin per site, stored as `i8`, row-major.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct IsingState {
    spins: Vec<i8>,
}

impl IsingState {
    /// The spins, row-major, each +1 or −1.
    pub fn spins(&self) -> &[i8] {
        &self.spins
    }

    /// Mutable spins for samplers inside the crate, which keep every value ±1.
    pub(crate) fn spins_mut(&mut self) -> &mut [i8] {
        &mut self.spins
    }

    /// Mutable spins, checked to belong to `model`'s lattice (the samplers' shared precondition).
    ///
    /// # Panics
    /// If the state has a different number of sites: a programming error, not user input.
    pub(crate) fn spins_for(&mut self, model: &Ising) -> &mut [i8] {
        assert_eq!(
            self.spins.len(),
            model.lattice().sites(),
            "state does not belong to this model's lattice"
        );
        &mut self.spins
    }
}

impl Ising {
    /// # Errors
    /// [`LatticeError::NotFinite`] if `j` or `h` is not finite.
    pub fn new(lattice: Square, j: f64, h: f64) -> Result<Self, LatticeError> {
        LatticeError::check_couplings(j, h)?;
        Ok(Self {
            lattice,
            j,
            h,
            j2: 0.0,
        })
    }

    /// The same model with the next-nearest-neighbour coupling J₂ (J₂ > 0 ferromagnetic; J₂ < 0
    /// frustrates a ferromagnet). Only the single-spin samplers and exact enumeration take
    /// J₂ ≠ 0; the cluster algorithms, multi-spin coding and Kaufman's solution refuse it.
    ///
    /// # Errors
    /// [`LatticeError::NotFinite`] if `j2` is not finite.
    ///
    /// # Examples
    /// ```
    /// use entropic::prelude::*;
    /// use entropic::lattice::{Ising, Square};
    /// let model = Ising::new(Square::with_side(4)?, 1.0, 0.0)?.with_next_nearest(-0.25)?;
    /// // All up: 2N nearest bonds at −J, 2N diagonal bonds at −J₂.
    /// assert_eq!(model.energy(&model.ordered_state()), -32.0 + 8.0);
    /// # Ok::<(), entropic::lattice::LatticeError>(())
    /// ```
    pub fn with_next_nearest(mut self, j2: f64) -> Result<Self, LatticeError> {
        LatticeError::check_coupling("next-nearest coupling J₂", j2)?;
        self.j2 = j2;
        Ok(self)
    }

    /// The lattice geometry.
    pub fn lattice(&self) -> &Square {
        &self.lattice
    }

    /// Coupling J (J > 0 ferromagnetic).
    pub fn coupling(&self) -> f64 {
        self.j
    }

    /// External field h.
    pub fn field(&self) -> f64 {
        self.h
    }

    /// Next-nearest-neighbour coupling J₂ (0 unless set by [`Ising::with_next_nearest`]).
    pub fn next_nearest(&self) -> f64 {
        self.j2
    }

    /// All spins +1 (a cold start).
    pub fn ordered_state(&self) -> IsingState {
        IsingState {
            spins: vec![1; self.lattice.sites()],
        }
    }

    /// Independent uniformly random spins (a hot start), one bit of the RNG per spin.
    pub fn random_state<R: Rng + ?Sized>(&self, rng: &mut R) -> IsingState {
        let n = self.lattice.sites();
        let mut spins = Vec::with_capacity(n);
        while spins.len() < n {
            let word = rng.next_u64();
            let take = (n - spins.len()).min(64);
            spins.extend((0..take).map(|b| if (word >> b) & 1 == 1 { 1 } else { -1 }));
        }
        IsingState { spins }
    }

    /// A state from explicit spins (row-major).
    ///
    /// # Errors
    /// [`LatticeError::StateLength`] if the length differs from the number of sites,
    /// [`LatticeError::BadSpin`] for a value other than ±1.
    pub fn state_from_spins(&self, spins: Vec<i8>) -> Result<IsingState, LatticeError> {
        let expected = self.lattice.sites();
        if spins.len() != expected {
            return Err(LatticeError::StateLength {
                expected,
                got: spins.len(),
            });
        }
        if let Some(site) = spins.iter().position(|&s| s != 1 && s != -1) {
            return Err(LatticeError::BadSpin {
                site,
                value: i64::from(spins[site]),
            });
        }
        Ok(IsingState { spins })
    }

    /// Sum of the four neighbouring spins of site `i`.
    #[inline]
    pub fn neighbour_sum(&self, state: &IsingState, i: usize) -> i32 {
        self.lattice
            .neighbours(i)
            .iter()
            .map(|&k| i32::from(state.spins[k]))
            .sum()
    }

    /// Sum of the four diagonal (next-nearest) neighbouring spins of site `i`.
    #[inline]
    pub fn diagonal_sum(&self, state: &IsingState, i: usize) -> i32 {
        self.lattice
            .diagonals(i)
            .iter()
            .map(|&k| i32::from(state.spins[k]))
            .sum()
    }

    /// Energy change ΔE = 2 sᵢ (J Σ_{k∼i} s_k + J₂ Σ_{k≈i} s_k + h) of flipping spin `i`
    /// (k ≈ i: the diagonal neighbours).
    #[inline]
    pub fn flip_energy(&self, state: &IsingState, i: usize) -> f64 {
        let s = f64::from(state.spins[i]);
        let mut local = self.j * f64::from(self.neighbour_sum(state, i));
        if self.j2 != 0.0 {
            local += self.j2 * f64::from(self.diagonal_sum(state, i));
        }
        2.0 * s * (local + self.h)
    }

    /// Bond sum Σ_⟨ij⟩ sᵢsⱼ (each of the 2N bonds once) and magnetization Σᵢ sᵢ.
    pub fn bond_and_spin_sums(&self, state: &IsingState) -> (i64, i64) {
        let (lx, ly) = (self.lattice.lx(), self.lattice.ly());
        let s = &state.spins;
        let (mut bonds, mut m) = (0i64, 0i64);
        for y in 0..ly {
            let row = y * lx;
            let down = if y + 1 == ly { 0 } else { row + lx };
            for x in 0..lx {
                let right = if x + 1 == lx { row } else { row + x + 1 };
                let si = i64::from(s[row + x]);
                bonds += si * (i64::from(s[right]) + i64::from(s[down + x]));
                m += si;
            }
        }
        (bonds, m)
    }

    /// Diagonal bond sum Σ_⟨⟨ij⟩⟩ sᵢsⱼ, each of the 2N diagonal bonds once (to (x + 1, y ± 1)).
    pub fn diagonal_bond_sum(&self, state: &IsingState) -> i64 {
        let s = &state.spins;
        (0..s.len())
            .map(|i| {
                let [_, up_right, _, down_right] = self.lattice.diagonals(i);
                i64::from(s[i]) * (i64::from(s[up_right]) + i64::from(s[down_right]))
            })
            .sum()
    }

    /// Magnetization M = Σᵢ sᵢ.
    pub fn magnetization(&self, state: &IsingState) -> f64 {
        state.spins.iter().map(|&s| i64::from(s)).sum::<i64>() as f64
    }

    /// Energy per spin E/N.
    pub fn energy_per_spin(&self, state: &IsingState) -> f64 {
        self.energy(state) / self.lattice.sites() as f64
    }

    /// Absolute magnetization per spin |M|/N.
    pub fn abs_magnetization_per_spin(&self, state: &IsingState) -> f64 {
        self.magnetization(state).abs() / self.lattice.sites() as f64
    }
}

impl Model for Ising {
    type State = IsingState;

    fn energy(&self, state: &IsingState) -> f64 {
        let (bonds, m) = self.bond_and_spin_sums(state);
        let e = -self.j * bonds as f64 - self.h * m as f64;
        if self.j2 == 0.0 {
            e
        } else {
            e - self.j2 * self.diagonal_bond_sum(state) as f64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::from_seed;

    #[test]
    fn flip_energy_matches_recomputation() {
        for (lx, ly, j2) in [(5, 4, 0.0), (5, 4, -0.4), (2, 3, 0.6), (2, 2, 0.3)] {
            let model = Ising::new(Square::new(lx, ly).unwrap(), 0.7, -0.3)
                .unwrap()
                .with_next_nearest(j2)
                .unwrap();
            let mut rng = from_seed(3);
            let mut state = model.random_state(&mut rng);
            for i in 0..model.lattice().sites() {
                let before = model.energy(&state);
                let delta = model.flip_energy(&state, i);
                state.spins_mut()[i] *= -1;
                assert!((model.energy(&state) - before - delta).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn state_validation() {
        let model = Ising::new(Square::with_side(2).unwrap(), 1.0, 0.0).unwrap();
        assert_eq!(
            model.state_from_spins(vec![1, -1, 0, 1]),
            Err(LatticeError::BadSpin { site: 2, value: 0 })
        );
        assert_eq!(
            model.state_from_spins(vec![1; 3]),
            Err(LatticeError::StateLength {
                expected: 4,
                got: 3
            })
        );
        assert!(Ising::new(Square::with_side(2).unwrap(), f64::NAN, 0.0).is_err());
        let model = Ising::new(Square::with_side(2).unwrap(), 1.0, 0.0).unwrap();
        assert!(model.with_next_nearest(f64::INFINITY).is_err());
    }

    #[test]
    fn two_by_two_has_double_bonds() {
        let model = Ising::new(Square::with_side(2).unwrap(), 1.0, 0.0).unwrap();
        assert_eq!(model.energy(&model.ordered_state()), -8.0);
    }
}
