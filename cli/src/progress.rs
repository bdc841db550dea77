//! Progress bars on stderr (indicatif); experiment runs reach them through the CLI's
//! `Runtime` (`runtime::Threads`).
use indicatif::{ProgressBar, ProgressStyle};

/// A progress bar that advances by ticks or to a set position; hidden with `--quiet` or when
/// stderr is not a terminal.
#[derive(Debug)]
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A bar of `len` steps labelled `what`.
    pub fn new(len: u64, what: &str, quiet: bool) -> Self {
        let bar = if quiet {
            ProgressBar::hidden()
        } else {
            ProgressBar::new(len)
        };
        bar.set_style(
            ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ({per_sec}, eta {eta})")
                .expect("static template is valid")
                .progress_chars("=> "),
        );
        bar.set_message(what.to_string());
        Self { bar }
    }

    /// Set the number of completed steps.
    pub fn set(&self, done: u64) {
        self.bar.set_position(done);
    }

    /// Advance by one (usable from several threads).
    pub fn tick(&self) {
        self.bar.inc(1);
    }

    /// Remove the bar from the terminal.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
