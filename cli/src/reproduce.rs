//! `entropic reproduce PAPER [--quick]`: one paper's experiments run in order, each into its own
//! subdirectory of `--out` with the config it ran (config.toml), and one report.md that lists
//! every step's command, its headline numbers and its figures.
use crate::Global;
use crate::output::Output;
use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::path::Path;

/// Options of `entropic reproduce`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Which paper.
    #[arg(value_enum)]
    paper: Paper,
    /// Small lattices, few steps: minutes in total (the CI smoke run). Without it, the runs
    /// behind docs/results (hours on 2 cores).
    #[arg(long)]
    quick: bool,
    /// Continue a reproduction in the same --out: a step whose record (`<step>.step.json`,
    /// written when the step finished) holds the same command and seed, and whose directory is
    /// still there, is not run again: its result is taken from the record; a training step
    /// stopped before it finished continues from its checkpoint.json. A long reproduction can
    /// so be run over several sittings, and stopped at any time.
    #[arg(long)]
    resume: bool,
    /// Run only this step (repeatable), with the steps whose outputs it reads (`{out}/<step>`
    /// in its command), in plan order; the report covers those. Default: every step. The
    /// step names are the report's headings (`cli/reproduce/<paper>.toml`).
    #[arg(long = "step", value_name = "NAME")]
    steps: Vec<String>,
}

/// The three papers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Paper {
    /// minmaxent-generative: PCA, 1D bimodal vs VAE, 8×8 digits, steering.
    Minmaxent,
    /// nonequilibrium-latent-cycles: one trained model with its diagnostics (quick), or the
    /// 36-run sweep.
    LatentCycles,
    /// diffusion-entropy-spin-systems: the Gaussian table, Ising and XY lattice entropies.
    DiffusionEntropy,
}

/// One command of a reproduction, as the plan files (`cli/reproduce/*.toml`) spell it.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Step {
    /// Subdirectory of the output and heading in the report.
    name: String,
    /// What it reproduces.
    what: String,
    /// The command line after `entropic` with `--quick` (`{out}` is the reproduction's
    /// directory); without one the step is left out of a quick run.
    quick: Option<String>,
    /// The command line of the full run; without one the step runs only with `--quick`.
    full: Option<String>,
    /// Headline numbers: (label, JSON pointer into the step's result).
    #[serde(default)]
    numbers: Vec<(String, String)>,
    /// Settings without a flag (the command's config keys), written to `<name>.settings.toml`
    /// beside the step's directory and given as `--config`; the flags override them.
    settings: Option<toml::Table>,
}

/// A plan file: its steps in order.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Plan {
    step: Vec<Step>,
}

impl Paper {
    /// Its name on the command line and in reports.
    fn name(self) -> &'static str {
        match self {
            Paper::Minmaxent => "minmaxent",
            Paper::LatentCycles => "latent-cycles",
            Paper::DiffusionEntropy => "diffusion-entropy",
        }
    }

    /// The steps of its reproduction, quick or full, as (step, command) pairs.
    fn plan(self, quick: bool) -> Result<Vec<(Step, String)>> {
        let text = match self {
            Paper::Minmaxent => include_str!("../reproduce/minmaxent.toml"),
            Paper::LatentCycles => include_str!("../reproduce/latent-cycles.toml"),
            Paper::DiffusionEntropy => include_str!("../reproduce/diffusion-entropy.toml"),
        };
        let plan: Plan = toml::from_str(text)
            .with_context(|| format!("the built-in plan of {}", self.name()))?;
        Ok(plan
            .step
            .into_iter()
            .filter_map(|s| {
                let command = if quick {
                    s.quick.clone()
                } else {
                    s.full.clone()
                }?;
                Some((s, command))
            })
            .collect())
    }
}

/// The steps of `plan` named in `wanted` and, transitively, every step whose directory their
/// commands read (`{out}/<name>`), in plan order; the whole plan if `wanted` is empty.
///
/// # Errors
/// A name that is not a step of the plan (the message lists the names).
fn select(plan: Vec<(Step, String)>, wanted: &[String]) -> Result<Vec<(Step, String)>> {
    if wanted.is_empty() {
        return Ok(plan);
    }
    let names: Vec<&str> = plan.iter().map(|(s, _)| s.name.as_str()).collect();
    if let Some(unknown) = wanted.iter().find(|w| !names.contains(&w.as_str())) {
        bail!(
            "no step `{unknown}` in this plan; its steps: {}",
            names.join(", ")
        );
    }
    let mut keep: Vec<bool> = names
        .iter()
        .map(|n| wanted.iter().any(|w| w == n))
        .collect();
    // Later steps read earlier ones: one pass from the end finds every input.
    for i in (0..plan.len()).rev() {
        if keep[i] {
            for (j, name) in names.iter().enumerate().take(i) {
                keep[j] |= reads(&plan[i].1, name);
            }
        }
    }
    Ok(plan
        .into_iter()
        .zip(keep)
        .filter_map(|(step, keep)| keep.then_some(step))
        .collect())
}

/// Whether `command` names step `name`'s directory or a file in it (`{out}/<name>[/…]`).
fn reads(command: &str, name: &str) -> bool {
    let dir = format!("{{out}}/{name}");
    command.split_whitespace().any(|arg| {
        arg.strip_prefix(&dir)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

/// Run `argv` (after the program name) in process; returns its JSON result.
fn run_step(argv: &[String]) -> Result<Value> {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let args = std::iter::once("entropic".to_string()).chain(argv.iter().cloned());
    let code = crate::main_with(args, &mut out, &mut err);
    if code != 0 {
        bail!("{}", String::from_utf8_lossy(&err).trim());
    }
    serde_json::from_slice(&out).context("a step printed no JSON result")
}

/// The config a step ran with, as its command prints it (`--print-config`), if it has one.
fn config_of(argv: &[String]) -> Option<Vec<u8>> {
    let mut args = argv.to_vec();
    args.retain(|a| a != "--format" && a != "json");
    args.push("--print-config".into());
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let all = std::iter::once("entropic".to_string()).chain(args);
    (crate::main_with(all, &mut out, &mut err) == 0).then_some(out)
}

pub fn run(args: &Args, global: &Global, out: &mut Output<'_>) -> Result<()> {
    let Some(dir) = global.out.as_deref() else {
        bail!("reproduce writes a directory of results: give --out DIR");
    };
    let paper = args.paper.name();
    let mut report = format!(
        "# Reproduction: {paper}{}\n\nSeed {}. Each step ran `entropic --seed {} --out DIR/<step> <command>`; its directory holds the outputs and, where the command has one, the config it ran (config.toml).\n",
        if args.quick { " (quick)" } else { "" },
        global.seed,
        global.seed
    );
    let mut results = Vec::new();
    for (s, command) in select(args.paper.plan(args.quick)?, &args.steps)? {
        let step_dir = dir.join(&s.name);
        let command = command.replace("{out}", &dir.display().to_string());
        // Each step's progress bars show unless the reproduction is --quiet.
        let quiet = global.quiet.then_some("--quiet");
        let mut argv: Vec<String> = quiet
            .into_iter()
            .chain(["--format", "json", "--seed"])
            .map(String::from)
            .collect();
        argv.push(global.seed.to_string());
        argv.extend(["--out".to_string(), step_dir.display().to_string()]);
        argv.extend(command.split_whitespace().map(String::from));
        let mut command = command;
        if let Some(settings) = &s.settings {
            let file = dir.join(format!("{}.settings.toml", s.name));
            std::fs::create_dir_all(dir)?;
            crate::output::write_atomic(&file, toml::to_string(settings)?.as_bytes())?;
            argv.extend(["--config".to_string(), file.display().to_string()]);
            command += &format!(" --config {}", file.display());
        }
        let record = dir.join(format!("{}.step.json", s.name));
        let earlier = if args.resume {
            earlier_result(&record, &step_dir, &command, global.seed)?
        } else {
            None
        };
        let reused = earlier.is_some();
        // A training step interrupted before its record was written continues from its
        // checkpoint (the same command and settings, so the inner --resume accepts them).
        let continued =
            args.resume && !reused && step_dir.join(crate::checkpoint::FILE_NAME).is_file();
        if continued {
            argv.push("--resume".into());
        }
        if !global.quiet {
            let done = if reused {
                " (done earlier, reused)"
            } else if continued {
                " (continued from its checkpoint)"
            } else {
                ""
            };
            eprintln!("reproduce {paper}: {}{done} — entropic {command}", s.name);
        }
        let result = match earlier {
            Some(result) => result,
            None => {
                let result = run_step(&argv).with_context(|| format!("step {}", s.name))?;
                if let Some(bytes) = &config_of(&argv) {
                    crate::output::write_atomic(&step_dir.join("config.toml"), bytes)?;
                }
                let doc = json!({"seed": global.seed, "command": command, "result": result});
                crate::output::write_atomic(&record, &serde_json::to_vec_pretty(&doc)?)?;
                result
            }
        };
        let has_config = step_dir.join("config.toml").exists();
        write_step(&mut report, &s, &command, &result, has_config, &step_dir)?;
        results.push(json!({"step": s.name, "command": command, "reused": reused,
            "continued": continued, "result": result}));
    }
    out.file("report.md", report.as_bytes())?;
    let doc = json!({"command": "reproduce", "paper": paper, "quick": args.quick,
        "seed": global.seed, "selected": args.steps, "steps": results});
    out.result(&report, &doc)
}

/// With `--resume`: the result of a step recorded in `record` by an earlier run of the same
/// command and seed; `None` if there is no record, or if the step's outputs (`step_dir`) are
/// gone since (the step then runs again, so the report never links missing files).
///
/// # Errors
/// An unreadable record, or one of another command or seed (the reproduction in this
/// directory is not the one asked for).
fn earlier_result(
    record: &Path,
    step_dir: &Path,
    command: &str,
    seed: u64,
) -> Result<Option<Value>> {
    let bytes = match std::fs::read(record) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", record.display())),
    };
    let doc: Value = serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not a step record", record.display()))?;
    if doc["command"] != command || doc["seed"] != seed {
        bail!(
            "{} records `{}` with seed {}, not `{command}` with seed {seed}: resume with the same paper, mode and --seed, or use another --out",
            record.display(),
            doc["command"].as_str().unwrap_or("?"),
            doc["seed"]
        );
    }
    Ok(step_dir.is_dir().then(|| doc["result"].clone()))
}

/// One step's section of report.md.
fn write_step(
    report: &mut String,
    s: &Step,
    command: &str,
    result: &Value,
    has_config: bool,
    dir: &Path,
) -> Result<()> {
    writeln!(
        report,
        "\n## {}: {}\n\n`entropic {command}`",
        s.name, s.what
    )?;
    if has_config {
        writeln!(
            report,
            "(config: [{0}/config.toml]({0}/config.toml))",
            s.name
        )?;
    }

    writeln!(report)?;
    for (label, pointer) in &s.numbers {
        match result.pointer(pointer) {
            // A table (rows of objects): one line per row.
            Some(Value::Array(rows)) if rows.iter().all(Value::is_object) => {
                writeln!(report, "- {label}:")?;
                for row in rows {
                    writeln!(report, "  - {row}")?;
                }
            }
            Some(v) => writeln!(report, "- {label}: {v}")?,
            None => {}
        }
    }
    let mut figures: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter(|n| n.ends_with(".svg"))
                .collect()
        })
        .unwrap_or_default();
    figures.sort();
    if !figures.is_empty() {
        writeln!(report)?;
    }
    for f in figures {
        writeln!(report, "![{f}]({}/{f})", s.name)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn names(steps: &[(Step, String)]) -> Vec<&str> {
        steps.iter().map(|(s, _)| s.name.as_str()).collect()
    }

    /// A selected step brings the steps it reads (transitively, in plan order) and nothing
    /// else; an unknown name is refused with the plan's names.
    #[test]
    fn a_selected_step_brings_its_inputs() {
        let full = || Paper::DiffusionEntropy.plan(false).unwrap();
        let one = |names: &[&str]| {
            let wanted: Vec<String> = names.iter().map(|n| n.to_string()).collect();
            select(full(), &wanted)
        };
        assert_eq!(
            names(&one(&["xy-conv"]).unwrap()),
            ["xy-data", "xy-reference", "xy-conv"]
        );
        assert_eq!(
            names(&one(&["ising-h01-conv", "gaussian"]).unwrap()),
            [
                "gaussian",
                "ising-h01-data",
                "ising-h01-reference",
                "ising-h01-conv"
            ]
        );
        assert_eq!(names(&one(&["ising-data"]).unwrap()), ["ising-data"]);
        assert_eq!(names(&one(&[]).unwrap()), names(&full()));
        let e = one(&["xy-cnov"]).unwrap_err().to_string();
        assert!(e.contains("xy-cnov") && e.contains("xy-conv"), "{e}");
    }

    /// Every plan parses; every step runs in at least one mode, under a name of its own, with
    /// commands the command line accepts (the full plans do not run in the test suite, so a
    /// misspelt flag would otherwise surface hours into a reproduction) and JSON pointers.
    #[test]
    fn every_plan_step_is_a_valid_command() {
        for paper in [
            Paper::Minmaxent,
            Paper::LatentCycles,
            Paper::DiffusionEntropy,
        ] {
            let (quick, full) = (paper.plan(true).unwrap(), paper.plan(false).unwrap());
            assert!(!quick.is_empty() && !full.is_empty(), "{}", paper.name());
            for steps in [&quick, &full] {
                let mut names: Vec<&str> = steps.iter().map(|(s, _)| s.name.as_str()).collect();
                names.sort_unstable();
                names.dedup();
                assert_eq!(
                    names.len(),
                    steps.len(),
                    "{}: a step name repeats",
                    paper.name()
                );
                for (step, command) in steps.iter() {
                    let command = command.replace("{out}", "/tmp/reproduction");
                    let argv = ["entropic", "--out", "/tmp/reproduction/step"]
                        .into_iter()
                        .chain(command.split_whitespace());
                    if let Err(e) = crate::Cli::try_parse_from(argv) {
                        panic!("{} / {}: `{command}`: {e}", paper.name(), step.name);
                    }
                    if let Some(settings) = &step.settings {
                        // The command accepts the settings as its config file.
                        let file = std::env::temp_dir().join(format!(
                            "entropic-plan-{}-{}.toml",
                            paper.name(),
                            step.name
                        ));
                        std::fs::write(&file, toml::to_string(settings).unwrap()).unwrap();
                        let argv: Vec<String> = ["entropic"]
                            .into_iter()
                            .chain(command.split_whitespace())
                            .chain(["--config", file.to_str().unwrap(), "--print-config"])
                            .map(String::from)
                            .collect();
                        let (mut out, mut err) = (Vec::new(), Vec::new());
                        let code = crate::main_with(argv, &mut out, &mut err);
                        let _ = std::fs::remove_file(&file);
                        assert_eq!(
                            code,
                            0,
                            "{} / {}: {}",
                            paper.name(),
                            step.name,
                            String::from_utf8_lossy(&err)
                        );
                    }
                    assert!(step.numbers.iter().all(|(_, p)| p.starts_with('/')));
                }
            }
        }
    }
}
