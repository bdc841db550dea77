//! The checkpoint of a training command (`maxent digits train`, `latent train`, `entropy
//! ising|xy`): `DIR/checkpoint.json` under `--out DIR`. A fresh run refuses a directory that
//! already holds one (so no run's work is overwritten), `--resume` reads it, and every write is
//! atomic (the previous checkpoint stays whole until the new one is complete).
use crate::output::write_atomic;
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};

/// The checkpoint's file name in `--out`.
pub const FILE_NAME: &str = "checkpoint.json";

/// A stored checkpoint: its bytes and the file they came from (for error messages).
pub type Stored = (Vec<u8>, PathBuf);

/// Where a run's checkpoint lives (nowhere without `--out`).
#[derive(Debug)]
pub struct CheckpointFile {
    path: Option<PathBuf>,
}

impl CheckpointFile {
    /// The checkpoint of a run into `out`, and with `resume` its stored bytes with the file
    /// they came from (for error messages).
    ///
    /// # Errors
    /// `--resume` without `--out` or with no readable checkpoint; a fresh run into a directory
    /// that holds a checkpoint.
    pub fn open(out: Option<&Path>, resume: bool) -> Result<(Self, Option<Stored>)> {
        let path = out.map(|d| d.join(FILE_NAME));
        let stored = match (&path, resume) {
            (None, true) => {
                bail!("--resume needs --out DIR holding the checkpoint.json of the run")
            }
            (Some(path), true) => Some((
                std::fs::read(path)
                    .with_context(|| format!("cannot read checkpoint {}", path.display()))?,
                path.clone(),
            )),
            (Some(path), false) if path.exists() => bail!(
                "{} already holds a run; continue it with --resume or choose another --out",
                path.display()
            ),
            _ => None,
        };
        Ok((Self { path }, stored))
    }

    /// The file, if the run has `--out`.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Replace the checkpoint with `bytes` atomically, creating `--out` if needed (nothing
    /// without `--out`).
    pub fn write(&self, bytes: &[u8]) -> Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        write_atomic(path, bytes)
    }
}
