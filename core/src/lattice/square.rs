use super::LatticeError;

/// A periodic Lx×Ly square lattice; site (x, y) has index `y·Lx + x` (row-major).
///
/// # Examples
/// ```
/// use entropic::lattice::Square;
/// let sq = Square::new(4, 3)?;
/// assert_eq!(sq.sites(), 12);
/// assert_eq!(sq.neighbours(0), [3, 1, 8, 4]); // left, right, up, down (wrapping)
/// # Ok::<(), entropic::lattice::LatticeError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Square {
    lx: usize,
    ly: usize,
}

impl Square {
    /// Largest number of sites a lattice may have (2^31, so indices fit any target's `usize`).
    pub const MAX_SITES: usize = 1 << 31;

    /// # Errors
    /// [`LatticeError::TooSmall`] if a side is below 2, [`LatticeError::TooLarge`] above
    /// [`Square::MAX_SITES`] sites.
    pub fn new(lx: usize, ly: usize) -> Result<Self, LatticeError> {
        if lx < 2 || ly < 2 {
            return Err(LatticeError::TooSmall { lx, ly });
        }
        match lx.checked_mul(ly) {
            Some(n) if n <= Self::MAX_SITES => Ok(Self { lx, ly }),
            _ => Err(LatticeError::TooLarge {
                sites: lx.saturating_mul(ly),
                max: Self::MAX_SITES,
            }),
        }
    }

    /// An L×L lattice.
    ///
    /// # Errors
    /// As [`Square::new`].
    pub fn with_side(l: usize) -> Result<Self, LatticeError> {
        Self::new(l, l)
    }

    /// Sites along x.
    pub fn lx(&self) -> usize {
        self.lx
    }

    /// Sites along y.
    pub fn ly(&self) -> usize {
        self.ly
    }

    /// Number of sites N = Lx·Ly.
    pub fn sites(&self) -> usize {
        self.lx * self.ly
    }

    /// Number of nearest-neighbour bonds, 2N.
    pub fn bonds(&self) -> usize {
        2 * self.sites()
    }

    /// Whether both sides are even, so the lattice splits into two sublattices whose sites only
    /// neighbour the other sublattice.
    pub fn is_bipartite(&self) -> bool {
        self.lx % 2 == 0 && self.ly % 2 == 0
    }

    /// The four neighbours of site `i`: left, right, up (y − 1), down (y + 1), wrapping around.
    ///
    /// # Panics
    /// If `i >= self.sites()`.
    #[inline]
    pub fn neighbours(&self, i: usize) -> [usize; 4] {
        assert!(
            i < self.sites(),
            "site {i} outside a {}×{} lattice",
            self.lx,
            self.ly
        );
        let (x, y) = (i % self.lx, i / self.lx);
        let row = y * self.lx;
        let left = row + if x == 0 { self.lx - 1 } else { x - 1 };
        let right = row + if x + 1 == self.lx { 0 } else { x + 1 };
        let up = if y == 0 { self.ly - 1 } else { y - 1 } * self.lx + x;
        let down = if y + 1 == self.ly { 0 } else { y + 1 } * self.lx + x;
        [left, right, up, down]
    }

    /// The four next-nearest (diagonal) neighbours of site `i`: up-left, up-right, down-left,
    /// down-right, wrapping around. On a side of 2 a diagonal neighbour appears twice (the
    /// bond is then a double bond, as the nearest-neighbour ones are).
    ///
    /// # Panics
    /// If `i >= self.sites()`.
    #[inline]
    pub fn diagonals(&self, i: usize) -> [usize; 4] {
        let [left, right, _, _] = self.neighbours(i);
        let up = |k: usize| self.neighbours(k)[2];
        let down = |k: usize| self.neighbours(k)[3];
        [up(left), up(right), down(left), down(right)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbours_are_symmetric() {
        for (lx, ly) in [(2, 2), (3, 5), (4, 4), (7, 2)] {
            let sq = Square::new(lx, ly).unwrap();
            for i in 0..sq.sites() {
                let [l, r, u, d] = sq.neighbours(i);
                assert_eq!(sq.neighbours(l)[1], i);
                assert_eq!(sq.neighbours(r)[0], i);
                assert_eq!(sq.neighbours(u)[3], i);
                assert_eq!(sq.neighbours(d)[2], i);
            }
        }
    }

    #[test]
    fn diagonals_are_symmetric_and_two_steps_away() {
        for (lx, ly) in [(2, 2), (3, 5), (4, 4), (7, 2)] {
            let sq = Square::new(lx, ly).unwrap();
            for i in 0..sq.sites() {
                let [ul, ur, dl, dr] = sq.diagonals(i);
                assert_eq!(sq.diagonals(ul)[3], i);
                assert_eq!(sq.diagonals(ur)[2], i);
                assert_eq!(sq.diagonals(dl)[1], i);
                assert_eq!(sq.diagonals(dr)[0], i);
                let (x, y) = (i % lx, i / lx);
                assert_eq!(dr, ((y + 1) % ly) * lx + (x + 1) % lx);
            }
        }
    }

    #[test]
    fn rejects_bad_sizes() {
        assert_eq!(
            Square::new(1, 4),
            Err(LatticeError::TooSmall { lx: 1, ly: 4 })
        );
        assert!(matches!(
            Square::new(usize::MAX, 3),
            Err(LatticeError::TooLarge { .. })
        ));
    }
}
