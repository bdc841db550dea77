//! The CLI's [`Runtime`]: tasks on rayon's thread pool, progress bars on stderr.
use crate::progress::Progress;
use entropic::experiment::Runtime;
use rayon::prelude::*;
use std::sync::Mutex;

/// Runs an experiment's tasks in parallel, one progress bar per stage.
#[derive(Debug)]
pub struct Threads {
    quiet: bool,
    /// When the runtime was made: the origin of [`Runtime::seconds`].
    start: std::time::Instant,
    /// The bar of the sequential stage in progress, with its name.
    stage: Mutex<Option<(String, Progress)>>,
}

impl Threads {
    /// A runtime that draws bars unless `quiet`.
    pub fn new(quiet: bool) -> Self {
        Self {
            quiet,
            start: std::time::Instant::now(),
            stage: Mutex::new(None),
        }
    }

    /// Remove the last sequential stage's bar.
    pub fn finish(&self) {
        if let Ok(mut stage) = self.stage.lock()
            && let Some((_, bar)) = stage.take()
        {
            bar.finish();
        }
    }
}

impl Runtime for Threads {
    fn map<T, F>(&self, stage: &str, tasks: usize, f: F) -> Vec<T>
    where
        T: Send,
        F: Fn(usize) -> T + Sync + Send,
    {
        let bar = Progress::new(tasks as u64, stage, self.quiet);
        let results = (0..tasks)
            .into_par_iter()
            .map(|k| {
                let r = f(k);
                bar.tick();
                r
            })
            .collect();
        bar.finish();
        results
    }

    fn seconds(&self) -> Option<f64> {
        Some(self.start.elapsed().as_secs_f64())
    }

    fn threads(&self) -> usize {
        rayon::current_num_threads()
    }

    fn progress(&self, stage: &str, done: u64, total: u64) {
        let Ok(mut current) = self.stage.lock() else {
            return;
        };
        match &*current {
            Some((name, bar)) if name == stage => bar.set(done),
            _ => {
                if let Some((_, bar)) = current.take() {
                    bar.finish();
                }
                let bar = Progress::new(total, stage, self.quiet);
                bar.set(done);
                *current = Some((stage.to_string(), bar));
            }
        }
    }
}
