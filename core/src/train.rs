//! One training loop for every resumable iterative procedure: [`Iterative`] says how to advance,
//! [`Executor`] decides how far, when to hand the state to a checkpoint sink, when to report
//! progress and when to stop (the run's end, a pause point, or the runtime's cancellation).
//!
//! Advancing in chunks never changes a bit: an [`Iterative`] must give the same state after
//! `advance(a)` then `advance(b)` as after `advance(a + b)`, which is what makes checkpoints
//! resume bit-identically (each implementation's resume test pins it).
use crate::experiment::Runtime;
use alloc::vec::Vec;

/// A resumable training run: data in, reports out, one report per iteration.
///
/// # Examples
/// A toy run whose iterations are draws of an RNG, driven by the executor with a checkpoint
/// every 4 iterations and a pause at 10:
/// ```
/// use entropic::experiment::Sequential;
/// use entropic::rng::{Rng, Xoshiro256PlusPlus, from_seed};
/// use entropic::train::{Executor, Iterative, Stopped};
///
/// #[derive(Clone, Debug, PartialEq)]
/// struct Draws { rng: Xoshiro256PlusPlus, done: usize, total: usize }
///
/// impl Iterative for Draws {
///     type Data = ();
///     type Report = u64;
///     type Error = core::convert::Infallible;
///     fn completed(&self) -> usize { self.done }
///     fn planned(&self) -> usize { self.total }
///     fn step(&mut self, _: &()) -> Result<u64, Self::Error> {
///         self.done += 1;
///         Ok(self.rng.next_u64())
///     }
/// }
///
/// let mut run = Draws { rng: from_seed(1), done: 0, total: 25 };
/// let mut saved = Vec::new();
/// let executor = Executor { checkpoint_every: 4, pause_after: Some(10), chunk: 0 };
/// let stop = executor.run(&mut run, &(), &Sequential, |r, _reports, due| {
///     if due {
///         saved.push(r.completed()); // a front end writes its checkpoint here
///     }
///     Ok::<_, core::convert::Infallible>(())
/// })?;
/// assert_eq!(stop, Stopped::Paused { at: 10 });
/// assert_eq!(saved, [4, 8, 10]);
/// # Ok::<(), core::convert::Infallible>(())
/// ```
pub trait Iterative {
    /// What the run learns from.
    type Data: ?Sized;
    /// What one iteration reports (a loss, an epoch's statistics, …).
    type Report;
    /// Why an iteration failed.
    type Error;
    /// Iterations done.
    fn completed(&self) -> usize;
    /// Iterations the run was set up for.
    fn planned(&self) -> usize;
    /// One iteration; called only while [`completed`](Self::completed) is below
    /// [`planned`](Self::planned).
    ///
    /// # Errors
    /// The run's own; the state is then not meant to go on (resume from a checkpoint).
    fn step(&mut self, data: &Self::Data) -> Result<Self::Report, Self::Error>;

    /// Run up to `iterations` more iterations (never past [`planned`](Self::planned)) and return
    /// their reports. Default: [`step`](Self::step) in turn; a run that overlaps iterations
    /// (drawing the next batch while this one is optimised) overrides it, with the same result.
    ///
    /// # Errors
    /// As [`step`](Self::step).
    fn advance(
        &mut self,
        data: &Self::Data,
        iterations: usize,
    ) -> Result<Vec<Self::Report>, Self::Error> {
        let end = self
            .completed()
            .saturating_add(iterations)
            .min(self.planned());
        let mut reports = Vec::with_capacity(end.saturating_sub(self.completed()));
        while self.completed() < end {
            reports.push(self.step(data)?);
        }
        Ok(reports)
    }
}

/// How a run driven by [`Executor::run`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stopped {
    /// Every planned iteration is done.
    Finished,
    /// Stopped at the executor's pause point; the last checkpoint resumes it.
    Paused {
        /// Iterations done.
        at: usize,
    },
    /// The runtime asked to stop; the last checkpoint (taken just before) resumes it.
    Cancelled {
        /// Iterations done.
        at: usize,
    },
}

/// Drives an [`Iterative`]: chunks of iterations, progress ("training", per chunk), a checkpoint
/// every `checkpoint_every` iterations and at every stop, cancellation between chunks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Executor {
    /// Most iterations per chunk; 0 means 1 % of the planned iterations (at least 1). Set 1
    /// when the sink must see the run after every iteration.
    pub chunk: usize,
    /// Iterations between two checkpoints (0 is read as 1).
    pub checkpoint_every: usize,
    /// Stop once this many iterations are done (a job's time limit), if before the end.
    pub pause_after: Option<usize>,
}

impl Executor {
    /// Run until the end, the pause point or cancellation. `sink` is called after every chunk
    /// with the run (mutable, for side computations that need it), the chunk's reports and
    /// whether a checkpoint is due (every `checkpoint_every` iterations and whenever the run
    /// stops; a cancellation calls it once more with no reports). Chunks end at checkpoints and
    /// are at most [`chunk`](Self::chunk) iterations, so cancellation and progress are prompt.
    ///
    /// # Errors
    /// The run's error (converted into the sink's error type), or the sink's first error; the
    /// last checkpoint taken is then the one to resume from.
    pub fn run<I, R, E>(
        &self,
        run: &mut I,
        data: &I::Data,
        rt: &R,
        mut sink: impl FnMut(&mut I, &[I::Report], bool) -> Result<(), E>,
    ) -> Result<Stopped, E>
    where
        I: Iterative,
        R: Runtime,
        E: From<I::Error>,
    {
        let planned = run.planned();
        let until = self.pause_after.map_or(planned, |p| p.min(planned));
        let every = self.checkpoint_every.max(1);
        let chunk = match self.chunk {
            0 => (planned / 100).max(1),
            n => n,
        };
        rt.progress("training", run.completed() as u64, planned as u64);
        while run.completed() < until {
            if rt.cancelled() {
                sink(run, &[], true)?;
                return Ok(Stopped::Cancelled {
                    at: run.completed(),
                });
            }
            let done = run.completed();
            let next_checkpoint = (done / every + 1) * every;
            let n = chunk.min(until - done).min(next_checkpoint - done);
            let reports = run.advance(data, n)?;
            let due = run.completed() % every == 0 || run.completed() >= until;
            sink(run, &reports, due)?;
            rt.progress("training", run.completed() as u64, planned as u64);
        }
        Ok(if run.completed() >= planned {
            Stopped::Finished
        } else {
            Stopped::Paused {
                at: run.completed(),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::Sequential;
    use crate::rng::{Rng, Xoshiro256PlusPlus, from_seed};

    #[derive(Clone, Debug, PartialEq)]
    struct Draws {
        rng: Xoshiro256PlusPlus,
        done: usize,
        total: usize,
    }

    impl Iterative for Draws {
        type Data = u64;
        type Report = u64;
        type Error = &'static str;
        fn completed(&self) -> usize {
            self.done
        }
        fn planned(&self) -> usize {
            self.total
        }
        fn step(&mut self, salt: &u64) -> Result<u64, Self::Error> {
            self.done += 1;
            Ok(self.rng.next_u64() ^ salt)
        }
    }

    fn fresh(total: usize) -> Draws {
        Draws {
            rng: from_seed(3),
            done: 0,
            total,
        }
    }

    fn drive(run: &mut Draws, executor: Executor) -> (Stopped, Vec<u64>, Vec<usize>) {
        let (mut reports, mut saved) = (Vec::new(), Vec::new());
        let stop = executor
            .run(run, &7, &Sequential, |r, chunk, due| {
                reports.extend_from_slice(chunk);
                if due {
                    saved.push(r.completed());
                }
                Ok::<_, &str>(())
            })
            .unwrap();
        (stop, reports, saved)
    }

    #[test]
    fn pause_and_resume_equal_one_run() {
        let mut straight = fresh(1234);
        let (stop, all, saved) = drive(
            &mut straight,
            Executor {
                chunk: 0,
                checkpoint_every: 500,
                pause_after: None,
            },
        );
        assert_eq!(stop, Stopped::Finished);
        assert_eq!(saved, [500, 1000, 1234]);
        let mut paused = fresh(1234);
        let executor = Executor {
            chunk: 0,
            checkpoint_every: 77,
            pause_after: Some(600),
        };
        let (stop, mut first, _) = drive(&mut paused, executor);
        assert_eq!(stop, Stopped::Paused { at: 600 });
        let resumed_from = paused.clone(); // what a checkpoint would hold
        let mut resumed = resumed_from;
        let (stop, rest, _) = drive(
            &mut resumed,
            Executor {
                chunk: 0,
                checkpoint_every: 77,
                pause_after: None,
            },
        );
        assert_eq!(stop, Stopped::Finished);
        first.extend(rest);
        assert_eq!(first, all);
        assert_eq!(resumed, straight);
    }

    #[test]
    fn cancellation_stops_after_one_chunk_with_a_checkpoint() {
        let mut run = fresh(1000);
        // The executor reports once before the first chunk and once after it.
        let rt = crate::test_util::CancelAfterReports::new(2);
        let mut saved = Vec::new();
        let executor = Executor {
            chunk: 0,
            checkpoint_every: 400,
            pause_after: None,
        };
        let stop = executor
            .run(&mut run, &0, &rt, |r, _, due| {
                if due {
                    saved.push(r.completed());
                }
                Ok::<_, &str>(())
            })
            .unwrap();
        // Chunks are 1 % of the run: cancelled after the first, with a checkpoint there.
        assert_eq!(stop, Stopped::Cancelled { at: 10 });
        assert_eq!(saved, [10]);
    }

    #[test]
    fn errors_of_the_sinks_stop_the_run() {
        let mut run = fresh(100);
        let executor = Executor {
            chunk: 0,
            checkpoint_every: 10,
            pause_after: None,
        };
        let err = executor
            .run(&mut run, &0, &Sequential, |r, _, due| {
                if due && r.completed() >= 30 {
                    Err("disk full")
                } else {
                    Ok(())
                }
            })
            .unwrap_err();
        assert_eq!((err, run.completed()), ("disk full", 30));
    }
}
