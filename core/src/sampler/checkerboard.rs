//! The checkerboard traversal shared by the scalar and multi-spin kernels.

/// Visit every site of one parity ((x + y) even for `parity = 0`) of a periodic `lx`×`ly`
/// lattice stored row-major in `cells`, replacing each cell by `update(cell, [left, right, up,
/// down])`.
///
/// Rows are taken as disjoint slices (the current row mutable, its neighbours shared), so the
/// inner loop carries no wrap tests and few bounds checks. On a bipartite lattice no visited site
/// neighbours another site of the same parity, so the order within the half sweep is irrelevant.
#[inline(always)]
pub(crate) fn half_sweep<T: Copy>(
    lx: usize,
    ly: usize,
    cells: &mut [T],
    parity: usize,
    mut update: impl FnMut(T, [T; 4]) -> T,
) {
    for y in 0..ly {
        let (before, rest) = cells.split_at_mut(y * lx);
        let (cur, after) = rest.split_at_mut(lx);
        let up: &[T] = if y == 0 {
            &after[after.len() - lx..]
        } else {
            &before[before.len() - lx..]
        };
        let down: &[T] = if y + 1 == ly {
            &before[..lx]
        } else {
            &after[..lx]
        };
        let mut visit = |cur: &mut [T], x: usize, left: usize, right: usize| {
            cur[x] = update(cur[x], [cur[left], cur[right], up[x], down[x]]);
        };
        // x = 0 wraps to the left; the interior needs no wrap tests; x = lx − 1 wraps right.
        let mut x = (y + parity) & 1;
        if x == 0 {
            visit(cur, 0, lx - 1, 1);
            x = 2;
        }
        while x + 1 < lx {
            visit(cur, x, x - 1, x + 1);
            x += 2;
        }
        if x == lx - 1 {
            visit(cur, x, x - 1, 0);
        }
    }
}
