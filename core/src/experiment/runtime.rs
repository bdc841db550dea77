//! How a front end schedules an experiment's work: the [`Runtime`] trait.
//!
//! An experiment splits its work into independent tasks whose random streams are fixed by the
//! task index, so a result never depends on how the tasks were scheduled. The core runs them one
//! after another ([`Sequential`], what the browser uses); the CLI and the Python package run them
//! on a thread pool and draw progress bars. The same trait carries cancellation, so Ctrl-C (or a
//! Python KeyboardInterrupt) stops a long run between steps with [`ExperimentError::Cancelled`].
//!
//! [`ExperimentError::Cancelled`]: super::ExperimentError::Cancelled
use super::ExperimentError;
use crate::train::Stopped;
use alloc::vec::Vec;

/// Schedules tasks, reports progress, says when to stop and (optionally) tells time.
///
/// # Examples
/// A runtime that counts progress reports and cancels after the first of them:
/// ```
/// use core::sync::atomic::{AtomicU64, Ordering};
/// use entropic::experiment::Runtime;
///
/// #[derive(Debug, Default)]
/// struct Impatient(AtomicU64);
///
/// impl Runtime for Impatient {
///     fn map<T, F>(&self, _stage: &str, tasks: usize, f: F) -> Vec<T>
///     where
///         T: Send,
///         F: Fn(usize) -> T + Sync + Send,
///     {
///         (0..tasks).map(f).collect()
///     }
///     fn progress(&self, _stage: &str, _done: u64, _total: u64) {
///         self.0.fetch_add(1, Ordering::Relaxed);
///     }
///     fn cancelled(&self) -> bool {
///         self.0.load(Ordering::Relaxed) > 0
///     }
/// }
///
/// let rt = Impatient::default();
/// assert_eq!(rt.map("squares", 4, |k| k * k), vec![0, 1, 4, 9]);
/// assert!(!rt.cancelled());
/// rt.progress("sweeps", 1, 10);
/// assert!(rt.cancelled());
/// ```
pub trait Runtime: Sync {
    /// Run tasks `0..tasks` of a stage (in any order, possibly in parallel) and return their
    /// results in task order. Implementations may report progress per finished task.
    fn map<T, F>(&self, stage: &str, tasks: usize, f: F) -> Vec<T>
    where
        T: Send,
        F: Fn(usize) -> T + Sync + Send;

    /// `done` of `total` units of a sequential stage are finished. Default: ignored.
    fn progress(&self, _stage: &str, _done: u64, _total: u64) {}

    /// Whether the run should stop now. Experiments check it between steps (at least once a
    /// second of work) and return [`ExperimentError::Cancelled`](super::ExperimentError::Cancelled).
    /// Default: never.
    fn cancelled(&self) -> bool {
        false
    }

    /// Seconds on a monotonic clock, if the front end has one (the core is `no_std` and
    /// has none): experiments report how long each estimator took from differences of it.
    /// Default: none.
    fn seconds(&self) -> Option<f64> {
        None
    }

    /// Threads one sequential task may split its own batched arithmetic over (e.g. the
    /// digits walkers' network evaluations, [`RowParallel`](crate::maxent::RowParallel)). Results
    /// never depend on it. Default: 1.
    fn threads(&self) -> usize {
        1
    }
}

/// [`ExperimentError::Cancelled`] if `rt` says to stop: what every experiment checks between
/// steps.
pub(crate) fn check_cancelled<R: Runtime + ?Sized>(rt: &R) -> Result<(), ExperimentError> {
    if rt.cancelled() {
        Err(ExperimentError::Cancelled)
    } else {
        Ok(())
    }
}

/// How a training loop ended, as a result: [`ExperimentError::Cancelled`] if the runtime stopped
/// it, the [`Stopped`] otherwise (finished, or paused at the executor's pause point).
pub(crate) fn unless_cancelled(stopped: Stopped) -> Result<Stopped, ExperimentError> {
    match stopped {
        Stopped::Cancelled { .. } => Err(ExperimentError::Cancelled),
        other => Ok(other),
    }
}

/// Time `f` on `rt`'s clock: its result and the seconds it took, if the runtime tells time.
pub fn timed<R: Runtime + ?Sized, T>(rt: &R, f: impl FnOnce() -> T) -> (T, Option<f64>) {
    let start = rt.seconds();
    let value = f();
    let seconds = start.zip(rt.seconds()).map(|(a, b)| b - a);
    (value, seconds)
}

/// Runs every task in order on the calling thread; no progress, never cancelled.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sequential;

impl Runtime for Sequential {
    fn map<T, F>(&self, _stage: &str, tasks: usize, f: F) -> Vec<T>
    where
        T: Send,
        F: Fn(usize) -> T + Sync + Send,
    {
        (0..tasks).map(f).collect()
    }
}
