//! Files the package writes.
use std::io::Write as _;
use std::path::{Path, PathBuf};

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
