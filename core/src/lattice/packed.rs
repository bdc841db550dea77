use super::{Ising, IsingState, LatticeError};
use crate::model::Model;
use alloc::vec;
use alloc::vec::Vec;
use rand_core::Rng;

/// Number of replicas packed into one word.
pub const REPLICAS: usize = 64;

/// 64 independent replicas of one zero-field Ising model, packed bitwise for multi-spin coding:
/// bit r of word i is the spin of replica r at site i (1 = up, 0 = down).
///
/// [`Model::energy`] is the total over all replicas; [`PackedIsing::energies_per_spin`] and
/// [`PackedIsing::abs_magnetizations`] give each replica's values.
///
/// # Examples
/// ```
/// use entropic::lattice::{Ising, PackedIsing, Square};
/// let packed = PackedIsing::new(Ising::new(Square::with_side(4)?, 1.0, 0.0)?)?;
/// let state = packed.ordered_state();
/// assert!(packed.energies_per_spin(&state).iter().all(|&e| e == -2.0));
/// assert_eq!(packed.replica(&state, 5).spins(), packed.model().ordered_state().spins());
/// # Ok::<(), entropic::lattice::LatticeError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PackedIsing {
    model: Ising,
}

/// The packed spins of 64 replicas, one `u64` per site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackedState {
    words: Vec<u64>,
}

impl PackedState {
    /// One word per site, bit r = replica r (1 = up).
    pub fn words(&self) -> &[u64] {
        &self.words
    }

    pub(crate) fn words_mut(&mut self) -> &mut [u64] {
        &mut self.words
    }
}

impl PackedIsing {
    /// # Errors
    /// [`LatticeError::Unsupported`] unless h = 0, J₂ = 0 and J ≠ 0, and [`LatticeError::OddSide`] for a
    /// lattice with an odd side (the packed kernel updates sublattices).
    pub fn new(model: Ising) -> Result<Self, LatticeError> {
        if model.field() != 0.0 || model.coupling() == 0.0 || model.next_nearest() != 0.0 {
            return Err(LatticeError::Unsupported {
                algorithm: "multi-spin coding",
                needs: "h = 0, J ≠ 0 and no next-nearest coupling (J₂ = 0)",
            });
        }
        let sq = model.lattice();
        if !sq.is_bipartite() {
            return Err(LatticeError::OddSide {
                lx: sq.lx(),
                ly: sq.ly(),
            });
        }
        Ok(Self { model })
    }

    /// The model every replica samples.
    pub fn model(&self) -> &Ising {
        &self.model
    }

    /// All replicas all up.
    pub fn ordered_state(&self) -> PackedState {
        PackedState {
            words: vec![u64::MAX; self.model.lattice().sites()],
        }
    }

    /// Independent uniformly random spins for every replica (one `u64` per site).
    pub fn random_state<R: Rng + ?Sized>(&self, rng: &mut R) -> PackedState {
        PackedState {
            words: (0..self.model.lattice().sites())
                .map(|_| rng.next_u64())
                .collect(),
        }
    }

    /// Pack exactly 64 states of the model.
    ///
    /// # Errors
    /// [`LatticeError::StateLength`] if there are not 64 states or a state has the wrong size.
    pub fn pack(&self, states: &[IsingState]) -> Result<PackedState, LatticeError> {
        if states.len() != REPLICAS {
            return Err(LatticeError::StateLength {
                expected: REPLICAS,
                got: states.len(),
            });
        }
        let n = self.model.lattice().sites();
        let mut words = vec![0u64; n];
        for (r, state) in states.iter().enumerate() {
            if state.spins().len() != n {
                return Err(LatticeError::StateLength {
                    expected: n,
                    got: state.spins().len(),
                });
            }
            for (w, &s) in words.iter_mut().zip(state.spins()) {
                *w |= u64::from(s > 0) << r;
            }
        }
        Ok(PackedState { words })
    }

    /// Replica `r` (< 64) as an ordinary state.
    ///
    /// # Panics
    /// If `r >= 64`.
    pub fn replica(&self, state: &PackedState, r: usize) -> IsingState {
        assert!(r < REPLICAS, "replica {r} out of 0..64");
        let spins = state
            .words
            .iter()
            .map(|w| if (w >> r) & 1 == 1 { 1 } else { -1 })
            .collect();
        self.model
            .state_from_spins(spins)
            .expect("packed bits decode to ±1 spins of the right count")
    }

    /// Per replica: the number of anti-aligned bonds and of up spins.
    fn lane_counts(&self, state: &PackedState) -> ([u64; REPLICAS], [u64; REPLICAS]) {
        let (lx, ly) = (self.model.lattice().lx(), self.model.lattice().ly());
        let w = &state.words;
        let (mut anti, mut up) = (LaneCounter::default(), LaneCounter::default());
        for y in 0..ly {
            let row = y * lx;
            let down = if y + 1 == ly { 0 } else { row + lx };
            for x in 0..lx {
                let right = if x + 1 == lx { row } else { row + x + 1 };
                let s = w[row + x];
                anti.add(s ^ w[right]);
                anti.add(s ^ w[down + x]);
                up.add(s);
            }
        }
        (anti.counts(), up.counts())
    }

    /// Energy per spin of every replica.
    pub fn energies_per_spin(&self, state: &PackedState) -> [f64; REPLICAS] {
        let n = self.model.lattice().sites() as f64;
        let (anti, _) = self.lane_counts(state);
        // Σ_bonds s_i s_j = (2N − anti) − anti.
        anti.map(|a| -self.model.coupling() * (2.0 * n - 2.0 * a as f64) / n)
    }

    /// |M|/N of every replica.
    pub fn abs_magnetizations(&self, state: &PackedState) -> [f64; REPLICAS] {
        let n = self.model.lattice().sites() as f64;
        let (_, up) = self.lane_counts(state);
        up.map(|u| (2.0 * u as f64 - n).abs() / n)
    }
}

impl Model for PackedIsing {
    type State = PackedState;

    fn energy(&self, state: &PackedState) -> f64 {
        let n = self.model.lattice().sites() as f64;
        self.energies_per_spin(state).iter().sum::<f64>() * n
    }
}

/// 64 bit-sliced counters: adding a word increments lane r by bit r (a ripple-carry over
/// bit planes, amortised O(1) per add).
struct LaneCounter {
    planes: [u64; 48],
}

impl Default for LaneCounter {
    fn default() -> Self {
        Self { planes: [0; 48] }
    }
}

impl LaneCounter {
    fn add(&mut self, mut carry: u64) {
        for plane in &mut self.planes {
            if carry == 0 {
                break;
            }
            let next = *plane & carry;
            *plane ^= carry;
            carry = next;
        }
    }

    fn counts(&self) -> [u64; REPLICAS] {
        core::array::from_fn(|r| {
            self.planes
                .iter()
                .enumerate()
                .map(|(k, p)| ((p >> r) & 1) << k)
                .sum()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lattice::Square;
    use crate::rng::from_seed;

    #[test]
    fn per_replica_observables_match_unpacked() {
        let model = Ising::new(Square::new(6, 4).unwrap(), 0.7, 0.0).unwrap();
        let packed = PackedIsing::new(model).unwrap();
        let mut rng = from_seed(4);
        let states: Vec<IsingState> = (0..REPLICAS)
            .map(|_| model.random_state(&mut rng))
            .collect();
        let state = packed.pack(&states).unwrap();
        let e = packed.energies_per_spin(&state);
        let m = packed.abs_magnetizations(&state);
        for (r, s) in states.iter().enumerate() {
            assert_eq!(&packed.replica(&state, r), s);
            assert!((e[r] - model.energy_per_spin(s)).abs() < 1e-12);
            assert!((m[r] - model.abs_magnetization_per_spin(s)).abs() < 1e-12);
        }
    }

    #[test]
    fn rejects_field_and_odd_sides() {
        assert!(
            PackedIsing::new(Ising::new(Square::with_side(4).unwrap(), 1.0, 0.5).unwrap()).is_err()
        );
        assert!(
            PackedIsing::new(Ising::new(Square::new(4, 3).unwrap(), 1.0, 0.0).unwrap()).is_err()
        );
        let packed =
            PackedIsing::new(Ising::new(Square::with_side(4).unwrap(), 1.0, 0.0).unwrap()).unwrap();
        assert!(packed.pack(&[]).is_err());
    }
}
