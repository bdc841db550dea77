//! Files the package writes and the checkpoints it reads.
use crate::errors;
use entropic::experiment::ExperimentError;
use pyo3::PyResult;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Read the checkpoint at `path` with `read` (a checkpoint type's reader).
///
/// # Errors
/// `ValueError` naming the path, for a file that cannot be read or is not such a checkpoint.
pub fn read_checkpoint<T>(
    path: &Path,
    read: impl FnOnce(&[u8]) -> Result<T, ExperimentError>,
) -> PyResult<T> {
    let bytes = std::fs::read(path)
        .map_err(|e| errors::invalid(format!("cannot read checkpoint {}: {e}", path.display())))?;
    read(&bytes).map_err(|e| errors::invalid(format!("cannot resume from {}: {e}", path.display())))
}

/// Refuse, before any training, a checkpoint path whose directory does not exist, or (for a
/// new run, `resume` false) one that already holds a file: a new run would overwrite it.
///
/// # Errors
/// `ValueError` naming the directory or the file.
pub fn check_checkpoint(path: Option<&Path>, resume: bool) -> PyResult<()> {
    let Some(path) = path else { return Ok(()) };
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() && !dir.is_dir() => Err(errors::invalid(format!(
            "checkpoint: the directory {} does not exist",
            dir.display()
        ))),
        _ if !resume && path.exists() => Err(errors::invalid(format!(
            "checkpoint: {} already exists; resume=True continues the run saved there, or give another path",
            path.display()
        ))),
        _ => Ok(()),
    }
}

/// Write `bytes` to `path` atomically: a sibling temporary file, fsync, then rename (a reader
/// sees the old checkpoint or the new one, never a part).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
