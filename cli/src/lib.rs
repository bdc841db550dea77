//! Command-line front end of entropic.
//!
//! Conventions every command follows: global `--seed`, `--out DIR`, `--quiet` and
//! `--format text|json` (json prints exactly one JSON document on stdout); progress bars on
//! stderr for long work; arrays written as `.npy` beside a JSON metadata file, plots as SVG;
//! every error is one readable line on stderr and a non-zero exit code.
#![deny(missing_docs)]

mod checkpoint;
mod config;
mod entropy;
pub mod input;
mod ising;
mod latent;
mod lattice;
mod maxent;
mod nn;
mod output;
mod progress;
mod reproduce;
mod runtime;

use clap::{Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

pub use output::{Output, install_interrupt_handler};

/// entropic: physics-inspired generative modelling and entropy estimation.
///
/// Every stochastic command takes --seed; the same seed gives the same numbers on every
/// platform. Use --format json for machine-readable output and --out DIR to keep arrays (.npy),
/// metadata (.json) and plots (.svg).
#[derive(Debug, Parser)]
#[command(name = "entropic", version, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

/// Options every command accepts.
#[derive(Debug, clap::Args)]
pub struct Global {
    /// Seed of the random-number generator (Xoshiro256++ seeded through SplitMix64).
    #[arg(long, global = true, default_value_t = 0)]
    pub seed: u64,
    /// Directory for arrays (.npy), metadata (.json) and plots (.svg); created if missing.
    #[arg(long, global = true, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// No progress bars.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// How results are printed on stdout.
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// The coupling and field flags of a spin model, shared by every simulating command.
#[rustfmt::skip]
fn couplings() -> [config::Flag; 2] {
    use config::Flag;
    [
        Flag::new("coupling", "coupling", "J", "Coupling J (positive: ferromagnet)."),
        Flag::new("field", "field", "H", "External field h."),
    ]
}

/// Output format on stdout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned human-readable lines.
    Text,
    /// One JSON document.
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Simulate the 2D Ising model with checkerboard Metropolis and measure energy and |m|.
    ///
    /// Runs THERMALIZE sweeps to equilibrate, then SWEEPS measured sweeps, and reports the energy
    /// and absolute magnetization per spin with error bars corrected for autocorrelation
    /// (integrated autocorrelation time with automatic windowing). At zero field the exact
    /// values are printed beside them: Kaufman's for the same finite lattice and Onsager's for
    /// the infinite one; for lattices of at most 25 sites, enumeration (any field).
    ///
    /// Example: entropic ising --size 32 --temperature 2.0 --sweeps 5000
    Ising(ising::Args),
    /// Spin-lattice datasets, thermodynamics and exact references (Ising and XY).
    #[command(subcommand)]
    Lattice(lattice::Command),
    /// Entropy estimators checked against known answers (diffusion-entropy paper).
    #[command(subcommand)]
    Entropy(entropy::Command),
    /// Nonequilibrium latent-cycle generative models (nonequilibrium-latent-cycles paper).
    #[command(subcommand)]
    Latent(latent::Command),
    /// Min-MaxEnt generative models (minmaxent-generative paper).
    #[command(subcommand)]
    Maxent(maxent::Command),
    /// Small networks: the digit classifier later commands score generated digits with.
    #[command(subcommand)]
    Nn(nn::Command),
    /// Run one paper's experiments in order and write one report (report.md: every step's
    /// command, headline numbers and figures; each step's outputs and config.toml in its own
    /// subdirectory). --quick: minutes, small lattices and few steps; without it, the runs behind
    /// docs/results (hours).
    ///
    /// Example: entropic reproduce diffusion-entropy --quick --out out/repro
    Reproduce(reproduce::Args),
}

/// Parse a command line without running it (for tests and fuzzing).
///
/// # Errors
/// clap's error for anything that is not a valid command line.
pub fn parse<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    use clap::{CommandFactory, FromArgMatches};
    let matches = accept_negative_values(Cli::command()).try_get_matches_from(args)?;
    Cli::from_arg_matches(&matches)
}

/// Let every option that takes a value take a negative number (`--rms-decay -0.1`), so the
/// setting's own check says what is wrong with it instead of clap reading "-0.1" as an unknown
/// short flag.
fn accept_negative_values(command: clap::Command) -> clap::Command {
    command
        .mut_args(|a| {
            if a.get_action().takes_values() && !a.is_positional() {
                a.allow_negative_numbers(true)
            } else {
                a
            }
        })
        .mut_subcommands(accept_negative_values)
}

/// Run a command line, printing results on `out` and errors on `err`; returns the exit code
/// (0 success, 1 failed run, 2 bad command line).
pub fn main_with<I, T>(args: I, out: &mut dyn Write, err: &mut dyn Write) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match parse(args) {
        Ok(cli) => cli,
        Err(e) => return report_clap_error(&e, out, err),
    };
    if let Some(dir) = &cli.global.out
        && let Err(e) = output::check_out_dir(dir)
    {
        let _ = writeln!(err, "error: {}", one_line(&format!("{e:#}")));
        return 1;
    }
    let mut output = Output::new(&cli.global, out);
    let result = match &cli.command {
        Command::Ising(args) => ising::run(args, &cli.global, &mut output),
        Command::Lattice(command) => lattice::run(command, &cli.global, &mut output),
        Command::Nn(command) => nn::run(command, &cli.global, &mut output),
        Command::Reproduce(args) => reproduce::run(args, &cli.global, &mut output),
        Command::Maxent(command) => maxent::run(command, &cli.global, &mut output),
        Command::Latent(command) => latent::run(command, &cli.global, &mut output),
        Command::Entropy(command) => entropy::run(command, &cli.global, &mut output),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            let _ = writeln!(err, "error: {}", one_line(&format!("{e:#}")));
            1
        }
    }
}

/// Help and version go to stdout with exit 0; every other clap error is reduced to its first
/// line ("error: invalid value 'abc' for '--size <L>': …") with exit 2.
fn report_clap_error(e: &clap::Error, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = write!(out, "{e}");
            0
        }
        _ => {
            let _ = writeln!(err, "{}", first_paragraph(&e.to_string()));
            2
        }
    }
}

/// A clap message's first paragraph on one line: the first line and the indented lines under it
/// (the missing arguments of "the following required arguments were not provided:"), joined with
/// ", " — the usage and tips after the first blank line are dropped.
fn first_paragraph(text: &str) -> String {
    let mut lines = text.lines().skip_while(|l| l.trim().is_empty());
    let mut line = lines
        .next()
        .unwrap_or("unknown error")
        .trim_end()
        .to_string();
    let items: Vec<&str> = lines
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect();
    if !items.is_empty() {
        line.push(' ');
        line.push_str(&items.join(", "));
    }
    line
}

fn one_line(text: &str) -> String {
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("unknown error");
    first.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clap_error_keeps_its_list_on_one_line() {
        let text = "error: the following required arguments were not provided:\n  --data <DIR>\n  --reference <FILE>\n\nUsage: entropic entropy xy --data <DIR>\n\nFor more information, try '--help'.\n";
        assert_eq!(
            first_paragraph(text),
            "error: the following required arguments were not provided: --data <DIR>, --reference <FILE>"
        );
        let single = "error: invalid value 'abc' for '--size <L>': invalid digit\n\nFor more information, try '--help'.\n";
        assert_eq!(
            first_paragraph(single),
            "error: invalid value 'abc' for '--size <L>': invalid digit"
        );
    }

    /// Every command with a config prints it with no other argument: `--print-config` is how a
    /// user finds the keys, before having the data or model files the command runs on.
    #[test]
    fn every_config_prints_without_the_required_arguments() {
        use clap::CommandFactory;
        fn leaves(cmd: &clap::Command, path: Vec<String>, found: &mut Vec<Vec<String>>) {
            if cmd.get_arguments().any(|a| a.get_id() == "print_config") {
                found.push(path.clone());
            }
            for sub in cmd.get_subcommands() {
                let mut p = path.clone();
                p.push(sub.get_name().to_string());
                leaves(sub, p, found);
            }
        }
        let mut commands = Vec::new();
        leaves(&Cli::command(), Vec::new(), &mut commands);
        assert!(commands.len() >= 15, "{commands:?}");
        for command in commands {
            let argv = std::iter::once("entropic".to_string())
                .chain(command.iter().cloned())
                .chain(["--print-config".to_string()]);
            let (mut out, mut err) = (Vec::new(), Vec::new());
            let code = main_with(argv, &mut out, &mut err);
            assert_eq!(
                code,
                0,
                "{}: {}",
                command.join(" "),
                String::from_utf8_lossy(&err)
            );
            assert!(!out.is_empty(), "{}", command.join(" "));
        }
    }

    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
