//! The Python package's [`Runtime`]: tasks on rayon's thread pool, progress and Ctrl-C handled by
//! the calling Python thread while the work runs on a worker thread.
use crate::errors;
use entropic::experiment::{ExperimentError, Runtime};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::{Duration, Instant};

/// How often the calling thread wakes to forward progress and look for Ctrl-C. Experiments check
/// cancellation at least once a second of work, so KeyboardInterrupt arrives within about a
/// second plus this.
const POLL: Duration = Duration::from_millis(50);

/// The latest progress report of the run, until the calling thread forwards it.
#[derive(Debug, Default)]
struct Report {
    stage: String,
    done: u64,
    total: u64,
    fresh: bool,
}

/// Runs an experiment's tasks in parallel; records progress and carries the cancellation flag.
#[derive(Debug)]
pub struct Threads {
    cancel: AtomicBool,
    start: Instant,
    report: Mutex<Report>,
}

impl Threads {
    fn new() -> Self {
        Self {
            cancel: AtomicBool::new(false),
            start: Instant::now(),
            report: Mutex::new(Report::default()),
        }
    }

    fn record(&self, stage: &str, done: u64, total: u64) {
        if let Ok(mut r) = self.report.lock() {
            if r.stage != stage {
                r.stage = stage.to_string();
            }
            (r.done, r.total, r.fresh) = (done, total, true);
        }
    }

    /// The report not yet forwarded, if any.
    fn take(&self) -> Option<(String, u64, u64)> {
        let mut r = self.report.lock().ok()?;
        let fresh = std::mem::take(&mut r.fresh);
        fresh.then(|| (r.stage.clone(), r.done, r.total))
    }
}

impl Runtime for Threads {
    fn map<T, F>(&self, stage: &str, tasks: usize, f: F) -> Vec<T>
    where
        T: Send,
        F: Fn(usize) -> T + Sync + Send,
    {
        let done = AtomicU64::new(0);
        self.record(stage, 0, tasks as u64);
        (0..tasks)
            .into_par_iter()
            .map(|k| {
                let r = f(k);
                let d = done.fetch_add(1, Ordering::Relaxed) + 1;
                self.record(stage, d, tasks as u64);
                r
            })
            .collect()
    }

    fn progress(&self, stage: &str, done: u64, total: u64) {
        self.record(stage, done, total);
    }

    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    fn seconds(&self) -> Option<f64> {
        Some(self.start.elapsed().as_secs_f64())
    }

    fn threads(&self) -> usize {
        rayon::current_num_threads()
    }
}

/// Run `work` on a worker thread with the GIL released. Meanwhile the calling thread wakes every
/// [`POLL`] to call `progress(stage, done, total)` with the latest report and to run Python's
/// signal handlers: a KeyboardInterrupt (or an exception raised by `progress`) cancels the run,
/// waits for it to stop between steps, and is raised here.
///
/// # Errors
/// The run's error ([`errors::failed`]), the interrupt, or the callback's exception.
pub fn blocking<T: Send>(
    py: Python<'_>,
    progress: Option<&Bound<'_, PyAny>>,
    work: impl FnOnce(&Threads) -> Result<T, ExperimentError> + Send,
) -> PyResult<T> {
    let rt = Threads::new();
    let mut raised: Option<PyErr> = None;
    let joined = std::thread::scope(|s| {
        let (tx, rx) = mpsc::channel::<()>();
        // Waited on with the GIL released, which needs a Sync handle.
        let rx = Mutex::new(rx);
        let rt = &rt;
        let worker = s.spawn(move || {
            let out = work(rt);
            // The receiver outlives the scope's loop; a failed send only means it stopped early.
            let _ = tx.send(());
            out
        });
        loop {
            let finished = py.detach(|| {
                rx.lock().map_or(true, |rx| {
                    !matches!(rx.recv_timeout(POLL), Err(mpsc::RecvTimeoutError::Timeout))
                })
            });
            if raised.is_none() {
                let forwarded = match (progress, rt.take()) {
                    (Some(callback), Some(report)) => callback.call1(report).map(drop),
                    _ => Ok(()),
                };
                if let Err(e) = forwarded.and_then(|()| py.check_signals()) {
                    raised = Some(e);
                    rt.cancel.store(true, Ordering::Relaxed);
                }
            }
            if finished {
                break py.detach(|| worker.join());
            }
        }
    });
    if let Some(e) = raised {
        return Err(e);
    }
    match joined {
        Ok(result) => result.map_err(errors::failed),
        Err(_) => Err(PyRuntimeError::new_err(
            "entropic: the computation panicked (a bug: please report it with the arguments)",
        )),
    }
}
