//! Row-parallel evaluation on scoped threads (feature `std`): a batch of independent rows is cut
//! into contiguous ranges, each computed by its own worker (a copy of a network with the same
//! weights) on its own thread, and the outputs are put back in row order. When each row's output
//! depends on that row alone, the result is bit-identical to computing the batch in one piece.
use alloc::vec::Vec;
use core::ops::Range;

/// `parts` contiguous ranges covering `0..rows`: range c is ⌊c·rows/parts⌋..⌊(c+1)·rows/parts⌋.
pub(crate) fn ranges(rows: usize, parts: usize) -> Vec<Range<usize>> {
    let parts = parts.max(1);
    (0..parts)
        .map(|c| c * rows / parts..(c + 1) * rows / parts)
        .collect()
}

/// `f(worker c, range c)` for every range, worker 0 on the calling thread and the others on
/// threads of their own; the outputs concatenated in range order, or the first error in range
/// order. A panic in a worker is resumed on the calling thread.
pub(crate) fn concatenated<W, T, E, F>(
    workers: &mut [W],
    ranges: &[Range<usize>],
    f: F,
) -> Result<Vec<T>, E>
where
    W: Send,
    T: Send,
    E: Send,
    F: Fn(&mut W, Range<usize>) -> Result<Vec<T>, E> + Sync,
{
    let f = &f;
    let pieces: Vec<Result<Vec<T>, E>> = std::thread::scope(|scope| {
        let mut jobs = workers.iter_mut().zip(ranges.iter().cloned());
        let own = jobs.next();
        let handles: Vec<_> = jobs
            .map(|(worker, range)| scope.spawn(move || f(worker, range)))
            .collect();
        let mut pieces = Vec::with_capacity(ranges.len());
        if let Some((worker, range)) = own {
            pieces.push(f(worker, range));
        }
        for h in handles {
            pieces.push(
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
        }
        pieces
    });
    let mut out = Vec::new();
    for piece in pieces {
        out.extend(piece?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ranges cover the rows in order without gaps; the outputs come back in row order
    /// whatever the number of workers, and an error in any piece is returned.
    #[test]
    fn pieces_come_back_in_order_and_errors_are_returned() {
        for rows in [0, 1, 7, 100] {
            for parts in 1..5 {
                let r = ranges(rows, parts);
                assert_eq!(r.len(), parts);
                assert_eq!(r.first().map(|r| r.start), Some(0));
                assert_eq!(r.last().map(|r| r.end), Some(rows));
                assert!(r.windows(2).all(|w| w[0].end == w[1].start));
                let mut workers = alloc::vec![0usize; parts];
                let out: Result<Vec<usize>, ()> = concatenated(&mut workers, &r, |w, range| {
                    *w += range.len();
                    Ok(range.map(|i| i * i).collect())
                });
                let expected: Vec<usize> = (0..rows).map(|i| i * i).collect();
                assert_eq!(out, Ok(expected));
                assert_eq!(workers.iter().sum::<usize>(), rows);
            }
        }
        let mut workers = [(), (), ()];
        let out: Result<Vec<u8>, usize> = concatenated(&mut workers, &ranges(9, 3), |_, range| {
            if range.start == 3 {
                Err(range.start)
            } else {
                Ok(alloc::vec![0; range.len()])
            }
        });
        assert_eq!(out, Err(3));
    }
}
