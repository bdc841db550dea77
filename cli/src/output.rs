//! Where results go: stdout (text or JSON) and, with `--out`, a set of files that appears whole
//! or not at all.
//!
//! A command's files are written into a staging directory inside `--out`
//! (`.entropic-partial-PID`) and renamed into place together when the command prints its result
//! ([`Output::result`]); a command that fails, and an interrupted one (Ctrl-C, through
//! [`install_interrupt_handler`]), leaves nothing new behind. Checkpoints are the exception by
//! design: they are written at once (atomically, by [`write_atomic`]) so a failed or interrupted
//! run can resume.
use crate::{Format, Global};
use anyhow::{Context, Result, bail};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// Paths to delete if the process is interrupted: staging directories and temporary files being
/// written. Held while a staged set is renamed into place, so an interrupt waits for that.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn pending() -> MutexGuard<'static, Vec<PathBuf>> {
    PENDING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn forget(path: &Path) {
    pending().retain(|p| p != path);
}

/// On Ctrl-C (SIGINT) or SIGTERM: delete staged output and temporary files, then exit with
/// code 130. Checkpoints already written stay valid. Call once, from the binary.
///
/// # Errors
/// The handler could not be installed.
pub fn install_interrupt_handler() -> Result<()> {
    ctrlc::set_handler(|| {
        let paths = pending();
        for path in paths.iter() {
            if path.is_dir() {
                let _ = std::fs::remove_dir_all(path);
            } else {
                let _ = std::fs::remove_file(path);
            }
        }
        let _ = writeln!(
            std::io::stderr(),
            "error: interrupted; no partial output kept"
        );
        std::process::exit(130);
    })?;
    Ok(())
}

/// Refuse an `--out` that cannot become a directory, before any work.
///
/// # Errors
/// `dir`, or its nearest existing ancestor, is not a directory.
pub fn check_out_dir(dir: &Path) -> Result<()> {
    let mut probe = Some(dir);
    while let Some(p) = probe {
        if p.exists() {
            if !p.is_dir() {
                bail!(
                    "--out {}: {} is not a directory",
                    dir.display(),
                    p.display()
                );
            }
            return Ok(());
        }
        probe = p.parent().filter(|q| !q.as_os_str().is_empty());
    }
    Ok(())
}

/// The sink a command writes to.
pub struct Output<'a> {
    format: Format,
    dir: Option<PathBuf>,
    stdout: &'a mut dyn Write,
    /// Final paths of the files of this run.
    written: Vec<PathBuf>,
    /// The staging directory, once a file has been written.
    staging: Option<PathBuf>,
}

impl std::fmt::Debug for Output<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Output")
            .field("format", &self.format)
            .field("dir", &self.dir)
            .finish()
    }
}

impl<'a> Output<'a> {
    /// An output for the global options, printing on `stdout`.
    pub fn new(global: &Global, stdout: &'a mut dyn Write) -> Self {
        Self {
            format: global.format,
            dir: global.out.clone(),
            stdout,
            written: Vec::new(),
            staging: None,
        }
    }

    /// Whether files are kept (`--out` given).
    pub fn keeps_files(&self) -> bool {
        self.dir.is_some()
    }

    /// Files written so far.
    pub fn written(&self) -> &[PathBuf] {
        &self.written
    }

    /// Move the staged files into `--out` (replacing files of the same name) and remove the
    /// staging directory. Called by [`result`](Self::result).
    fn commit(&mut self) -> Result<()> {
        let (Some(dir), Some(staging)) = (&self.dir, &self.staging) else {
            return Ok(());
        };
        // Refuse before moving anything, so a clash never leaves half a set in place.
        if let Some(clash) = self.written.iter().find(|p| p.is_dir()) {
            bail!("cannot write {}: it is a directory", clash.display());
        }
        let _hold = pending();
        for path in &self.written {
            let name = path.strip_prefix(dir).unwrap_or(path);
            std::fs::rename(staging.join(name), path)
                .with_context(|| format!("cannot move {} into place", path.display()))?;
        }
        std::fs::remove_dir(staging)
            .with_context(|| format!("cannot remove {}", staging.display()))?;
        drop(_hold);
        forget(staging);
        self.staging = None;
        Ok(())
    }

    /// Put the files written so far in place, then print the result: `text` lines in text
    /// mode, `json` as one document in JSON mode.
    pub fn result(&mut self, text: &str, json: &serde_json::Value) -> Result<()> {
        self.commit()?;
        match self.format {
            Format::Text => {
                self.stdout.write_all(text.as_bytes())?;
                for path in &self.written {
                    writeln!(self.stdout, "wrote {}", path.display())?;
                }
            }
            Format::Json => {
                let mut doc = json.clone();
                if let Some(map) = doc.as_object_mut() {
                    let files: Vec<String> = self
                        .written
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect();
                    map.insert("files".into(), files.into());
                }
                serde_json::to_writer_pretty(&mut *self.stdout, &doc)?;
                writeln!(self.stdout)?;
            }
        }
        Ok(())
    }

    /// Print an experiment's effective config (`--print-config`) instead of running it.
    pub fn print_config<C: serde::Serialize>(&mut self, config: &C) -> Result<()> {
        let text = crate::config::render(config, self.format)?;
        self.stdout.write_all(text.as_bytes())?;
        Ok(())
    }

    /// Stage `bytes` as `name` of the output set; it appears in the output directory when the
    /// result is printed. Does nothing without `--out`.
    pub fn file(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let Some(dir) = &self.dir else { return Ok(()) };
        let staging = match &self.staging {
            Some(s) => s.clone(),
            None => {
                let s = dir.join(format!(".entropic-partial-{}", std::process::id()));
                pending().push(s.clone());
                std::fs::create_dir_all(&s)
                    .with_context(|| format!("cannot create {}", s.display()))?;
                self.staging = Some(s.clone());
                s
            }
        };
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::File::create(staging.join(name))?;
            f.write_all(bytes)?;
            f.sync_all()
        };
        let path = dir.join(name);
        write().with_context(|| format!("cannot write {}", path.display()))?;
        if !self.written.contains(&path) {
            self.written.push(path);
        }
        Ok(())
    }

    /// Write an array as `.npy` (C order) with the given shape.
    pub fn npy<T: npyz::AutoSerialize + Copy>(
        &mut self,
        name: &str,
        shape: &[u64],
        data: &[T],
    ) -> Result<()> {
        if !self.keeps_files() {
            return Ok(());
        }
        let mut bytes = Vec::new();
        let mut writer = {
            use npyz::WriterBuilder;
            npyz::WriteOptions::new()
                .default_dtype()
                .shape(shape)
                .writer(&mut bytes)
                .begin_nd()?
        };
        writer.extend(data.iter().copied())?;
        writer.finish()?;
        self.file(name, &bytes)
    }

    /// Write a JSON document (pretty-printed).
    pub fn json(&mut self, name: &str, value: &serde_json::Value) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(value)?;
        self.file(name, &bytes)
    }
}

/// Write `bytes` to `path` atomically: a sibling temporary file, fsync, then rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension(format!(
        "{}.tmp",
        path.extension().and_then(|e| e.to_str()).unwrap_or("")
    ));
    pending().push(tmp.clone());
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    let result = write();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    forget(&tmp);
    result.with_context(|| format!("cannot write {}", path.display()))
}

impl Drop for Output<'_> {
    /// A run that did not print its result keeps nothing of its output set.
    fn drop(&mut self) {
        if let Some(staging) = self.staging.take() {
            let _ = std::fs::remove_dir_all(&staging);
            forget(&staging);
        }
    }
}
