//! `--config FILE` and `--print-config`: every experiment command runs a core config struct, and
//! these let a user keep it in a file, edit it and run it again.
//!
//! A config flag is a key of the config: `--samples N` is `--set samples=N` ([`Flag`]), so a
//! setting lives in the config struct alone and the flags are a table of its keys.
//! Precedence: the config struct's defaults, then the file, then `--set KEY=VALUE`, then the
//! flags given on the command line.
use anyhow::{Context, Result};
use clap::builder::TypedValueParser as _;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

/// The options every experiment command has beside its flags ([`Settings`]).
#[derive(Debug, Clone, clap::Args)]
struct ConfigArgs {
    /// Read the settings from FILE (TOML; JSON if the name ends in .json). Flags given on the
    /// command line override the file.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Print the settings the command would run with (TOML; JSON with --format json) and exit
    /// without running; the command's required arguments (data, model files) may be left out.
    #[arg(long)]
    print_config: bool,
    /// Set one key of the settings (`--print-config` lists them): a dotted path and a TOML value,
    /// e.g. `training.steps=24000` or `generation.predictor=ancestral` (a bare word is a
    /// string). Repeatable; applied after --config, and flags given on the command line override
    /// it. With --resume a key the checkpoint fixes must keep its value.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
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

/// A command's config flags: the config struct they set and one [`Flag`] per flag.
pub trait Flags {
    /// The config the command runs (its defaults are the flags' defaults).
    type Config: Serialize + DeserializeOwned + Default;
    /// The flags, each naming the key(s) of [`Flags::Config`] it sets.
    fn flags() -> Vec<Flag>;
}

/// How a flag's text becomes TOML values.
#[derive(Clone, Copy)]
enum Parse {
    /// A TOML value (a bare word that is not TOML is a string); a list if the value name has a
    /// comma (`W,..`), one value per key separated by ':' if the flag sets several keys.
    Toml,
    /// A switch: given sets this value.
    Switch(bool),
    /// One of a `clap::ValueEnum`'s names (listed in `--help`), stored as its serde value.
    Choice(
        fn() -> Vec<clap::builder::PossibleValue>,
        fn(&str) -> toml::Value,
    ),
    /// A parser of its own (e.g. a temperature grid).
    With(fn(&str) -> Result<toml::Value, String>),
}

/// A flag that sets key(s) of a config: `--samples N` is `--set samples=N`, checked by clap
/// against the key's type (`invalid value 'abc' for '--samples <N>'`, exit 2), its default in
/// `--help` read from the config's defaults.
#[derive(Clone)]
pub struct Flag {
    long: &'static str,
    short: Option<char>,
    keys: Vec<String>,
    value: &'static str,
    help: &'static str,
    parse: Parse,
}

/// The (key, value) pairs one flag sets.
type Assignments = Vec<(String, toml::Value)>;

impl Flag {
    /// `--long VALUE` setting `key` (dotted) to VALUE read as TOML.
    pub fn new(long: &'static str, key: &str, value: &'static str, help: &'static str) -> Self {
        Self {
            long,
            short: None,
            keys: vec![key.to_string()],
            value,
            help,
            parse: Parse::Toml,
        }
    }

    /// `--long` setting the boolean `key` to `value`.
    pub fn switch(long: &'static str, key: &str, value: bool, help: &'static str) -> Self {
        Self {
            parse: Parse::Switch(value),
            ..Self::new(long, key, "", help)
        }
    }

    /// `--long VALUE` setting `key` to a variant of `T` by its command-line name.
    pub fn choice<T: clap::ValueEnum + Serialize>(
        long: &'static str,
        key: &str,
        value: &'static str,
        help: &'static str,
    ) -> Self {
        fn values<T: clap::ValueEnum>() -> Vec<clap::builder::PossibleValue> {
            T::value_variants()
                .iter()
                .filter_map(T::to_possible_value)
                .collect()
        }
        fn named<T: clap::ValueEnum + Serialize>(name: &str) -> toml::Value {
            T::from_str(name, false)
                .ok()
                .and_then(|v| toml::Value::try_from(v).ok())
                .unwrap_or_else(|| toml::Value::String(name.to_string()))
        }
        Self {
            parse: Parse::Choice(values::<T>, named::<T>),
            ..Self::new(long, key, value, help)
        }
    }

    /// `--long A:B` setting `keys[0]` to A, `keys[1]` to B.
    pub fn split(
        long: &'static str,
        keys: &[&str],
        value: &'static str,
        help: &'static str,
    ) -> Self {
        Self {
            keys: keys.iter().map(|k| k.to_string()).collect(),
            ..Self::new(long, "", value, help)
        }
    }

    /// The same flag with the short form `-c`.
    pub fn short(self, c: char) -> Self {
        Self {
            short: Some(c),
            ..self
        }
    }

    /// The same flag with its own parser.
    pub fn with(self, parse: fn(&str) -> Result<toml::Value, String>) -> Self {
        Self {
            parse: Parse::With(parse),
            ..self
        }
    }

    /// The same flag setting `prefix` + its key (a config nested in another: `chain.`).
    pub fn under(self, prefix: &str) -> Self {
        Self {
            keys: self.keys.iter().map(|k| format!("{prefix}{k}")).collect(),
            ..self
        }
    }

    /// The key(s) `text` sets, as TOML values.
    fn assignments(&self, text: &str) -> Result<Assignments, String> {
        let values = match self.parse {
            Parse::Switch(value) => vec![toml::Value::Boolean(value)],
            Parse::Choice(_, value) => vec![value(text)],
            Parse::With(parse) => vec![parse(text)?],
            Parse::Toml if self.keys.len() > 1 => {
                let parts = text.split(':').map(scalar).collect::<Result<Vec<_>, _>>()?;
                if parts.len() != self.keys.len() {
                    return Err(format!("expected {}", self.value));
                }
                parts
            }
            Parse::Toml if self.value.contains(',') => vec![list(text)?],
            Parse::Toml => vec![scalar(text)?],
        };
        Ok(self.keys.iter().cloned().zip(values).collect())
    }

    /// The clap argument of a flag of `C`'s config: its value checked against the key's type.
    fn arg<C: Serialize + DeserializeOwned + Default>(&self) -> clap::Arg {
        let mut help = self.help.trim_end_matches('.').to_string();
        if let Some(default) = document(&C::default())
            .ok()
            .and_then(|doc| self.default_text(&doc))
            .filter(|d| !d.is_empty())
        {
            help += &format!(" [default: {default}]");
        }
        let arg = clap::Arg::new(self.long)
            .long(self.long)
            .short(self.short)
            .help(help);
        let flag = self.clone();
        let check = move |text: &str| -> Result<Assignments, String> {
            let assignments = flag.assignments(text)?;
            let mut doc = document(&C::default()).map_err(|e| e.to_string())?;
            for (key, value) in &assignments {
                put(&mut doc, key, value.clone());
            }
            doc.try_into::<C>()
                .map_err(|e| e.message().lines().next().unwrap_or_default().to_string())?;
            Ok(assignments)
        };
        match self.parse {
            Parse::Switch(_) => arg.action(clap::ArgAction::SetTrue),
            Parse::Choice(values, _) => arg.value_name(self.value).value_parser(
                clap::builder::PossibleValuesParser::new(values())
                    .try_map(move |name: String| check(&name)),
            ),
            _ => arg
                .value_name(self.value)
                .allow_negative_numbers(true)
                .allow_hyphen_values(self.value.contains(','))
                .value_parser(check),
        }
    }

    /// The default of the flag's key(s) in `doc`, as the flag would be written.
    fn default_text(&self, doc: &toml::Value) -> Option<String> {
        let values: Vec<&toml::Value> = self
            .keys
            .iter()
            .map(|k| get(doc, k))
            .collect::<Option<_>>()?;
        let text = |v: &toml::Value| match v {
            toml::Value::String(s) => s.clone(),
            toml::Value::Array(items) => items
                .iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(","),
            other => other.to_string(),
        };
        match self.parse {
            Parse::Switch(_) => None,
            Parse::Choice(names, value) => names()
                .into_iter()
                .find(|p| &value(p.get_name()) == values[0])
                .map(|p| p.get_name().to_string()),
            _ => Some(values.into_iter().map(text).collect::<Vec<_>>().join(":")),
        }
    }
}

/// Comma-separated TOML values as an array ("" is the empty array).
///
/// # Errors
/// As [`scalar`].
pub fn list(text: &str) -> Result<toml::Value, String> {
    text.split(',')
        .filter(|_| !text.trim().is_empty())
        .map(scalar)
        .collect::<Result<_, _>>()
        .map(toml::Value::Array)
}

/// A flag's text as one TOML value (a bare word that is not TOML is a string).
///
/// # Errors
/// A whole number beyond TOML's i64 integers (no key can hold it).
fn scalar(text: &str) -> Result<toml::Value, String> {
    match toml::from_str::<toml::Table>(&format!("v = {text}")) {
        Ok(mut table) => Ok(table
            .remove("v")
            .unwrap_or(toml::Value::String(text.into()))),
        // TOML integers are i64: a longer whole number is no word, and no key can hold it.
        Err(_) if text.trim().parse::<u128>().is_ok() && text.trim().parse::<i64>().is_err() => {
            Err("number too large to fit in target type".into())
        }
        Err(_) => Ok(toml::Value::String(text.trim().to_string())),
    }
}

/// A config as a TOML document (unset optional keys absent).
///
/// # Errors
/// A value TOML cannot hold (an integer above i64::MAX).
fn document<C: Serialize>(config: &C) -> Result<toml::Value> {
    toml::Value::try_from(config).context("the settings as TOML")
}

/// The value at a dotted key of `doc`.
fn get<'a>(doc: &'a toml::Value, key: &str) -> Option<&'a toml::Value> {
    key.split('.').try_fold(doc, |v, part| v.get(part))
}

/// Set a dotted key of `doc`, creating the tables on its way.
fn put(doc: &mut toml::Value, key: &str, value: toml::Value) {
    let mut parts: Vec<&str> = key.split('.').collect();
    let last = parts.pop().unwrap_or_default();
    let mut slot = doc;
    for part in parts {
        let toml::Value::Table(table) = slot else {
            return;
        };
        slot = table
            .entry(part)
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    }
    if let toml::Value::Table(table) = slot {
        table.insert(last.to_string(), value);
    }
}

/// A command's `--config`, `--print-config`, `--set` and config flags `F`, flattened into its
/// arguments.
#[derive(Debug, Clone)]
pub struct Settings<F> {
    file: ConfigArgs,
    given: Vec<(&'static str, Assignments)>,
    flags: std::marker::PhantomData<F>,
}

impl<F: Flags> clap::FromArgMatches for Settings<F> {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        let given = F::flags()
            .into_iter()
            .filter_map(|flag| {
                let assignments = match flag.parse {
                    Parse::Switch(_) => matches
                        .get_flag(flag.long)
                        .then(|| flag.assignments("").ok())
                        .flatten(),
                    _ => matches.get_one::<Assignments>(flag.long).cloned(),
                };
                Some((flag.long, assignments?))
            })
            .collect();
        Ok(Self {
            file: ConfigArgs::from_arg_matches(matches)?,
            given,
            flags: std::marker::PhantomData,
        })
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl<F: Flags> clap::Args for Settings<F> {
    fn augment_args(command: clap::Command) -> clap::Command {
        F::flags()
            .iter()
            .fold(ConfigArgs::augment_args(command), |c, flag| {
                c.arg(flag.arg::<F::Config>())
            })
    }

    fn augment_args_for_update(command: clap::Command) -> clap::Command {
        Self::augment_args(command)
    }
}

impl<F: Flags> Settings<F> {
    /// The config: the `--config` file (or the defaults), then `--set`, then the flags given.
    ///
    /// # Errors
    /// An unreadable file, a syntax error, an unknown key or a value of the wrong type.
    pub fn config(&self) -> Result<F::Config> {
        let config: F::Config = match &self.file.config {
            Some(path) => read(path)?,
            None => F::Config::default(),
        };
        let config = set_keys(config, &self.file.set)?;
        if self.given.is_empty() {
            return Ok(config);
        }
        let mut doc = document(&config)?;
        for (key, value) in self.given.iter().flat_map(|(_, a)| a) {
            put(&mut doc, key, value.clone());
        }
        doc.try_into()
            .map_err(|e| anyhow::anyhow!("{}", e.message().lines().next().unwrap_or_default()))
    }

    /// Whether `--print-config` was given.
    pub fn print_config(&self) -> bool {
        self.file.print_config
    }

    /// The config to run ([`Self::config`]), or `None` once it is printed to `out` when
    /// `--print-config` was given (the command then does nothing else).
    ///
    /// # Errors
    /// As [`Self::config`]; writing to `out`.
    pub fn run_config(&self, out: &mut crate::output::Output<'_>) -> Result<Option<F::Config>> {
        let config = self.config()?;
        if self.print_config() {
            out.print_config(&config)?;
            return Ok(None);
        }
        Ok(Some(config))
    }

    /// The keys asked for, each with how: the flags given, the `--set` keys, and `file_keys`
    /// when a `--config` file is read.
    fn asked(&self, file_keys: &[String]) -> Vec<(String, String)> {
        let mut asked: Vec<(String, String)> = self
            .given
            .iter()
            .flat_map(|(long, a)| a.iter().map(move |(k, _)| (k.clone(), format!("--{long}"))))
            .collect();
        for assignment in &self.file.set {
            let key = assignment
                .split_once('=')
                .map_or(assignment.as_str(), |(k, _)| k)
                .trim();
            asked.push((key.to_string(), format!("--set {key}")));
        }
        if self.file.config.is_some() {
            asked.extend(
                file_keys
                    .iter()
                    .map(|k| (k.clone(), format!("the config's {k}"))),
            );
        }
        asked
    }

    /// Whether `key` is asked for: by a flag given, `--set`, or a `--config` file.
    pub fn asks(&self, key: &str) -> bool {
        self.file.config.is_some() || self.asked(&[]).iter().any(|(k, _)| k == key)
    }

    /// Whether the flag `--long` was given.
    pub fn given(&self, long: &str) -> bool {
        self.given.iter().any(|(l, _)| *l == long)
    }

    /// With `--resume`, refuse a setting asked for — a flag given, a `--set` key, or any key when
    /// a `--config` file is read — whose value differs from the checkpoint's (`stored`, the run
    /// the checkpoint holds; silently keeping its value would run something other than what was
    /// asked). Repeating the original command with `--resume` is fine.
    ///
    /// # Errors
    /// The first contradicting setting, with both values.
    pub fn check_resumed(&self, given: &F::Config, stored: &F::Config) -> Result<()> {
        let (given, stored) = (document(given)?, document(stored)?);
        let mut keys = Vec::new();
        if self.file.config.is_some() {
            leaves(&given, "", &mut keys);
            leaves(&stored, "", &mut keys);
        }
        for (key, what) in self.asked(&keys) {
            let (a, b) = (get(&given, &key), get(&stored, &key));
            if a != b {
                let show = |v: Option<&toml::Value>| v.map_or("nothing".into(), |v| v.to_string());
                anyhow::bail!(
                    "{what} asks for {} but the checkpoint being resumed has {}; drop the setting, or start a new run in another --out",
                    show(a),
                    show(b)
                );
            }
        }
        Ok(())
    }
}

/// The dotted keys of the non-table values of `doc`.
fn leaves(doc: &toml::Value, path: &str, out: &mut Vec<String>) {
    match doc {
        toml::Value::Table(table) => {
            for (key, v) in table {
                let here = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                leaves(v, &here, out);
            }
        }
        _ => out.push(path.to_string()),
    }
}

/// `config` with every `KEY=VALUE` of `--set` applied: the key a dotted path that must exist
/// (unset optional keys included), the value TOML (a bare word that is not TOML is a string).
fn set_keys<C: DeserializeOwned + Serialize>(config: C, assignments: &[String]) -> Result<C> {
    if assignments.is_empty() {
        return Ok(config);
    }
    let keys = serde_json::to_value(&config)?;
    let mut doc = document(&config)?;
    for assignment in assignments {
        let (key, text) = assignment
            .split_once('=')
            .ok_or_else(|| anyhow::anyhow!("--set takes KEY=VALUE, got '{assignment}'"))?;
        let key = key.trim();
        key.split('.')
            .try_fold(&keys, |v, part| v.as_object()?.get(part))
            .ok_or_else(|| {
                anyhow::anyhow!("--set {key}: no such key (--print-config lists the keys)")
            })?;
        let value = scalar(text).map_err(|e| anyhow::anyhow!("--set {key}: {e}"))?;
        put(&mut doc, key, value);
    }
    doc.try_into()
        .map_err(|e| anyhow::anyhow!("--set: {}", e.message().lines().next().unwrap_or_default()))
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Args as _, FromArgMatches as _};
    use entropic::latent::Rule;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Toy {
        n: usize,
        xs: Vec<f64>,
        on: bool,
        first: usize,
        last: usize,
        scale: Option<f64>,
        rule: Rule,
    }

    impl Default for Toy {
        fn default() -> Self {
            Self {
                n: 0,
                xs: Vec::new(),
                on: false,
                first: 1,
                last: 2,
                scale: None,
                rule: Rule::TwoStep,
            }
        }
    }

    #[derive(Debug)]
    struct ToyFlags;

    impl Flags for ToyFlags {
        type Config = Toy;
        #[rustfmt::skip]
        fn flags() -> Vec<Flag> {
            vec![
                Flag::new("n", "n", "N", "A count."),
                Flag::new("xs", "xs", "X,..", "Values."),
                Flag::switch("on", "on", true, "Turn it on."),
                Flag::split("batch", &["first", "last"], "FIRST:LAST", "Two counts."),
                Flag::new("scale", "scale", "S", "An optional scale."),
                Flag::choice::<Rule>("rule", "rule", "RULE", "A rule."),
            ]
        }
    }

    fn command() -> clap::Command {
        Settings::<ToyFlags>::augment_args(clap::Command::new("toy").no_binary_name(true))
    }

    fn settings(args: &[&str]) -> Result<Settings<ToyFlags>, clap::Error> {
        Settings::from_arg_matches(&command().try_get_matches_from(args)?)
    }

    /// A flag is its key: the flags set what `--set` sets, named by the command-line names of
    /// a choice (`equilibrium` is `Rule::Contrastive`).
    #[test]
    fn a_flag_sets_its_key_as_set_would() {
        let flags = settings(&[
            "--n",
            "5",
            "--xs",
            "1,2.5",
            "--on",
            "--batch",
            "3:4",
            "--scale",
            "0.5",
            "--rule",
            "equilibrium",
        ])
        .unwrap();
        let expected = Toy {
            n: 5,
            xs: vec![1.0, 2.5],
            on: true,
            first: 3,
            last: 4,
            scale: Some(0.5),
            rule: Rule::Contrastive,
        };
        assert_eq!(flags.config().unwrap(), expected);
        let set = settings(&[
            "--set",
            "n=5",
            "--set",
            "xs=[1, 2.5]",
            "--set",
            "on=true",
            "--set",
            "first=3",
            "--set",
            "last=4",
            "--set",
            "scale=0.5",
            "--set",
            "rule=Contrastive",
        ])
        .unwrap();
        assert_eq!(set.config().unwrap(), expected);
        // A flag given wins over --set; "" is the empty list.
        let both = settings(&["--set", "n=9", "--n", "2", "--xs", ""]).unwrap();
        assert_eq!(
            (both.config().unwrap().n, both.config().unwrap().xs),
            (2, vec![])
        );
        assert!(both.given("n") && !both.given("scale"));
    }

    /// A value of the wrong type is clap's error naming the flag (exit 2), before any work.
    #[test]
    fn a_bad_value_is_named_by_its_flag() {
        for (args, message) in [
            (&["--n", "abc"][..], "invalid value 'abc' for '--n <N>'"),
            (&["--n", "-3"], "invalid value '-3' for '--n <N>'"),
            (&["--n", "99999999999999999999"], "number too large"),
            (&["--xs", "1,x"], "invalid value '1,x' for '--xs <X,..>'"),
            (&["--batch", "3"], "expected FIRST:LAST"),
            (
                &["--rule", "gibbs"],
                "invalid value 'gibbs' for '--rule <RULE>'",
            ),
        ] {
            let e = settings(args).unwrap_err();
            use clap::error::ErrorKind::{InvalidValue, ValueValidation};
            assert!(
                matches!(e.kind(), ValueValidation | InvalidValue),
                "{args:?}: {e}"
            );
            assert!(e.to_string().contains(message), "{args:?}: {e}");
        }
    }

    /// `--help` shows each flag's default from the config's defaults, a choice by its name.
    #[test]
    fn help_shows_the_config_defaults() {
        let help = command().render_long_help().to_string();
        assert!(help.contains("A count [default: 0]"), "{help}");
        assert!(help.contains("A rule [default: two-step]"), "{help}");
        assert!(help.contains("An optional scale\n"), "{help}");
    }

    /// With --resume, a setting asked for that differs from the checkpoint's is refused by the
    /// way it was asked; one not asked for is not compared.
    #[test]
    fn a_resumed_run_refuses_what_contradicts_its_checkpoint() {
        let stored = Toy {
            n: 7,
            ..Toy::default()
        };
        let given = |args: &[&str]| {
            let s = settings(args).unwrap();
            let config = s.config().unwrap();
            s.check_resumed(&config, &stored)
        };
        assert!(given(&[]).is_ok());
        assert!(given(&["--n", "7", "--set", "n=7"]).is_ok());
        let e = given(&["--n", "5"]).unwrap_err().to_string();
        assert!(
            e.contains("--n asks for 5 but the checkpoint being resumed has 7"),
            "{e}"
        );
        let e = given(&["--set", "n=5"]).unwrap_err().to_string();
        assert!(e.contains("--set n asks for 5"), "{e}");
    }
}
