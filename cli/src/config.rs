//! `--config FILE` and `--print-config`: every experiment command runs a core config struct, and
//! these let a user keep it in a file, edit it and run it again.
//!
//! Precedence: the config struct's defaults, then the file, then `--set KEY=VALUE`, then the
//! flags given on the command line (a flag left at its default overrides neither).
use anyhow::{Context, Result};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The options every experiment command flattens in.
#[derive(Debug, Clone, clap::Args)]
pub struct ConfigArgs {
    /// Read the settings from FILE (TOML; JSON if the name ends in .json). Flags given on the
    /// command line override the file.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Print the settings the command would run with (TOML; JSON with --format json) and exit
    /// without running; the command's required arguments (data, model files) may be left out.
    #[arg(long)]
    pub print_config: bool,
    /// Set one key of the settings (`--print-config` lists them): a dotted path and a TOML value,
    /// e.g. `training.steps=24000` or `generation.predictor=ancestral` (a bare word is a
    /// string). Repeatable; applied after --config, and flags given on the command line override
    /// it. Not with --resume (the checkpoint's settings stand; repeat the original flags or file).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

/// The value of a flag clap requires unless `--print-config` is given (a config prints without
/// the data it would run on).
///
/// # Errors
/// The flag is missing (clap refuses that first; this keeps the unwrap typed).
pub fn required<'a, T>(value: &'a Option<T>, flag: &str) -> Result<&'a T> {
    value
        .as_ref()
        .with_context(|| format!("--{flag} is required"))
}

/// The argument ids given on the command line (not defaulted) of the command being run.
#[derive(Debug, Clone, Default)]
pub struct Explicit(BTreeSet<String>);

impl Explicit {
    /// Collect the ids of the deepest subcommand's arguments that came from the command line.
    pub fn from_matches(matches: &clap::ArgMatches) -> Self {
        let mut leaf = matches;
        while let Some((_, sub)) = leaf.subcommand() {
            leaf = sub;
        }
        Self(
            leaf.ids()
                .filter(|id| {
                    leaf.value_source(id.as_str()) == Some(clap::parser::ValueSource::CommandLine)
                })
                .map(|id| id.as_str().to_string())
                .collect(),
        )
    }

    /// Whether the argument `id` was given on the command line.
    pub fn contains(&self, id: &str) -> bool {
        self.0.contains(id)
    }
}

/// A setting fixed by a checkpoint: (argument id, what the flags ask for, what the checkpoint
/// holds), compared as their `Debug` text.
pub type Fixed = (&'static str, String, String);

/// A [`Fixed`] setting.
pub fn fixed<T: std::fmt::Debug>(id: &'static str, given: T, stored: T) -> Fixed {
    (id, format!("{given:?}"), format!("{stored:?}"))
}

impl Explicit {
    /// With `--resume`, refuse a flag given on the command line, or any setting of a `--config`
    /// file, whose value contradicts the checkpoint (silently keeping the checkpoint's value
    /// would run something other than what was asked); repeating the original command with
    /// `--resume` is fine. Settings only a file can set have dotted ids (`denoiser.gate`).
    ///
    /// # Errors
    /// The first contradicting setting, with both values.
    pub fn check_resumed(&self, settings: &[Fixed]) -> Result<()> {
        if self.0.contains("set") {
            anyhow::bail!(
                "--set with --resume: the checkpoint's settings stand; repeat the original flags or --config file"
            );
        }
        let from_file = self.0.contains("config");
        for (id, given, stored) in settings {
            if (from_file || self.0.contains(*id)) && given != stored {
                let what = if id.contains('.') {
                    format!("the config's {id}")
                } else {
                    format!("--{}", id.replace('_', "-"))
                };
                anyhow::bail!(
                    "{what} asks for {given} but the checkpoint being resumed has {stored}; drop the setting, or start a new run in another --out"
                );
            }
        }
        Ok(())
    }
}

/// Builds a command's effective config: file (or defaults) overlaid with explicit flags.
#[derive(Debug)]
pub struct Overlay<'a> {
    explicit: &'a Explicit,
    from_file: bool,
}

impl<'a> Overlay<'a> {
    /// Start from the file named by `args` (or the config's defaults).
    ///
    /// # Errors
    /// An unreadable file, a syntax error, an unknown key or a value of the wrong type.
    pub fn load<C: DeserializeOwned + Serialize + Default>(
        args: &ConfigArgs,
        explicit: &'a Explicit,
    ) -> Result<(C, Self)> {
        let config = match &args.config {
            Some(path) => read(path)?,
            None => C::default(),
        };
        let config = set_keys(config, &args.set)?;
        let overlay = Self {
            explicit,
            from_file: args.config.is_some() || !args.set.is_empty(),
        };
        Ok((config, overlay))
    }

    /// Set `target` to the flag's `value` unless a file is in use and the flag `id` was not
    /// given on the command line.
    pub fn set<T>(&self, id: &str, target: &mut T, value: T) {
        if !self.from_file || self.explicit.0.contains(id) {
            *target = value;
        }
    }
}

/// `config` with every `KEY=VALUE` of `--set` applied: the key a dotted path that must exist
/// (unset optional keys included), the value TOML (a bare word that is not TOML is a string).
fn set_keys<C: DeserializeOwned + Serialize>(config: C, assignments: &[String]) -> Result<C> {
    if assignments.is_empty() {
        return Ok(config);
    }
    let mut doc = serde_json::to_value(&config)?;
    for assignment in assignments {
        let (key, text) = assignment
            .split_once('=')
            .ok_or_else(|| anyhow::anyhow!("--set takes KEY=VALUE, got '{assignment}'"))?;
        let key = key.trim();
        let slot = key
            .split('.')
            .try_fold(&mut doc, |v, part| v.as_object_mut()?.get_mut(part))
            .ok_or_else(|| {
                anyhow::anyhow!("--set {key}: no such key (--print-config lists the keys)")
            })?;
        let value = match toml::from_str::<toml::Table>(&format!("v = {text}")) {
            Ok(mut table) => serde_json::to_value(table.remove("v"))?,
            Err(_) => serde_json::Value::String(text.trim().to_string()),
        };
        *slot = value;
    }
    serde_json::from_value(doc).map_err(|e| anyhow::anyhow!("--set: {e}"))
}

fn read<C: DeserializeOwned>(path: &Path) -> Result<C> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read config {}", path.display()))?;
    if path.extension().is_some_and(|e| e == "json") {
        serde_json::from_str(&text).with_context(|| format!("config {}", path.display()))
    } else {
        toml::from_str(&text).map_err(|e| {
            anyhow::anyhow!(
                "config {}: {}",
                path.display(),
                e.message().lines().next().unwrap_or("invalid TOML")
            )
        })
    }
}

/// The config as a document: TOML text, or JSON with `--format json`.
///
/// # Errors
/// A value TOML cannot represent.
pub fn render<C: Serialize>(config: &C, format: crate::Format) -> Result<String> {
    Ok(match format {
        crate::Format::Text => {
            let mut text = toml::to_string(config)?;
            let mut unset = Vec::new();
            nulls(&serde_json::to_value(config)?, "", &mut unset);
            if !unset.is_empty() {
                text += &format!(
                    "\n# Optional, unset (their documented defaults apply): {}\n",
                    unset.join(", ")
                );
            }
            text
        }
        crate::Format::Json => serde_json::to_string_pretty(config)? + "\n",
    })
}

/// The dotted paths of the null values in `value` (TOML has no null, so these keys are absent
/// from the printed config).
fn nulls(value: &serde_json::Value, path: &str, out: &mut Vec<String>) {
    if let serde_json::Value::Object(map) = value {
        for (key, v) in map {
            let here = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            match v {
                serde_json::Value::Null => out.push(here),
                _ => nulls(v, &here, out),
            }
        }
    }
}
