//! Where results go: stdout (text or JSON) and, with `--out`, files written atomically.
use crate::{Format, Global};
use anyhow::{Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The sink a command writes to.
pub struct Output<'a> {
    format: Format,
    dir: Option<PathBuf>,
    stdout: &'a mut dyn Write,
    written: Vec<PathBuf>,
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

    /// Print the result: `text` lines in text mode, `json` as one document in JSON mode.
    pub fn result(&mut self, text: &str, json: &serde_json::Value) -> Result<()> {
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

    /// Write `bytes` to `name` inside the output directory via a temporary file and a rename, so
    /// an interrupted run never leaves a half-written file. Does nothing without `--out`.
    pub fn file(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let Some(dir) = &self.dir else { return Ok(()) };
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let path = dir.join(name);
        write_atomic(&path, bytes)?;
        self.written.push(path);
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
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().with_context(|| format!("cannot write {}", path.display()))
}
