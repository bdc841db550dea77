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

/// One command of a reproduction.
struct Step {
    /// Subdirectory of the output and heading in the report.
    name: &'static str,
    /// What it reproduces.
    what: &'static str,
    /// The command line after `entropic` (`{out}` is the reproduction's directory).
    args: String,
    /// Headline numbers: (label, JSON pointer into the step's result).
    numbers: &'static [(&'static str, &'static str)],
}

fn step(
    name: &'static str,
    what: &'static str,
    args: &str,
    numbers: &'static [(&'static str, &'static str)],
) -> Step {
    Step {
        name,
        what,
        args: args.to_string(),
        numbers,
    }
}

/// The steps of a paper's reproduction.
fn plan(paper: Paper, quick: bool) -> Vec<Step> {
    match (paper, quick) {
        (Paper::Minmaxent, true) => vec![
            step(
                "pca",
                "PCA as a Min-MaxEnt solution (Fig. 2)",
                "maxent pca --samples 4000 --walkers 1000 --iterations 300",
                PCA,
            ),
            step(
                "bimodal",
                "1D bimodal: Min-MaxEnt vs VAE vs Gaussian (Fig. 3)",
                "maxent bimodal --seeds 2 --epochs 100 --walkers 300 --grid 401",
                BIMODAL,
            ),
            step(
                "digits",
                "8×8 digits with CNN observables (Fig. 5)",
                "maxent digits train --images 50 --walkers 40 --epochs 20 --entropy-every 0 --grid-every 10",
                DIGITS,
            ),
            step(
                "steer3",
                "steering towards 3 (Fig. 7)",
                "maxent digits sample --model {out}/digits --steer 3 --alpha 30 --sweeps 20",
                STEER,
            ),
        ],
        (Paper::Minmaxent, false) => vec![
            step(
                "pca",
                "PCA as a Min-MaxEnt solution (Fig. 2)",
                "maxent pca --sigma 3,2,1",
                PCA,
            ),
            step(
                "bimodal-gaussian",
                "1D bimodal Gaussian mixture (Fig. 3)",
                "maxent bimodal --case gaussian --seeds 5",
                BIMODAL,
            ),
            step(
                "bimodal-cauchy",
                "1D bimodal Cauchy mixture (Fig. 4)",
                "maxent bimodal --case cauchy --seeds 5",
                BIMODAL,
            ),
            step(
                "digits",
                "8×8 digits with CNN observables (Fig. 5)",
                "maxent digits train",
                DIGITS,
            ),
            step(
                "steer3",
                "steering towards 3 (Fig. 7)",
                "maxent digits sample --model {out}/digits --steer 3 --alpha 30",
                STEER,
            ),
            step(
                "steer7",
                "steering towards 7 (Fig. 7)",
                "maxent digits sample --model {out}/digits --steer 7 --alpha 30 --sweeps 1000",
                STEER,
            ),
        ],
        (Paper::LatentCycles, true) => vec![step(
            "latent",
            "one latent-cycle model with σ, τ, M and class KL (Fig. 2–3)",
            "latent train --per-class 50 --epochs 4 --updates 5 --batch 16:32 --diagnostic-steps 500 --final-steps 2000",
            LATENT,
        )],
        (Paper::LatentCycles, false) => vec![
            step(
                "latent",
                "one paper-scale latent-cycle model (Fig. 2–3)",
                "latent train",
                LATENT,
            ),
            step(
                "sweep",
                "36 runs beside the equilibrium and EM baselines (Fig. 2, 4)",
                "latent sweep --runs 36",
                SWEEP,
            ),
        ],
        (Paper::DiffusionEntropy, true) => vec![
            step(
                "gaussian",
                "every estimator on random Gaussians (Table 4.1)",
                "entropy gaussian --dims 3 --samples 2000 --cases 2 --draws 20000 --train-steps 300 --hidden 32",
                GAUSSIAN,
            ),
            step(
                "ising-data",
                "4×4 Ising configurations (Wolff)",
                "lattice sample --model ising --algorithm wolff --size 4 --temps 1.5,2.3,3.0 --samples 400",
                &[],
            ),
            step(
                "ising",
                "absolute Ising entropy vs Kaufman (Table 4.3)",
                "entropy ising --data {out}/ising-data --train-steps 400 --batch 16 --hidden 16 --draws 2000 --generate 2.3 --gen-samples 60 --gen-steps 200",
                LATTICE,
            ),
            step(
                "xy-data",
                "4×4 XY configurations (Wolff)",
                "lattice sample --model xy --algorithm wolff --size 4 --temps 0.6,1.2 --samples 400",
                &[],
            ),
            step(
                "xy-reference",
                "XY entropy by thermodynamic integration",
                "lattice thermo --model xy --algorithm wolff --size 4 --temps 0.6,1.2 --sweeps 5000",
                &[],
            ),
            step(
                "xy",
                "XY excess entropy vs thermodynamic integration (Table 4.2)",
                "entropy xy --data {out}/xy-data --reference {out}/xy-reference/thermo.json --train-steps 400 --batch 16 --hidden 16 --draws 2000 --generate 1.2 --gen-samples 20 --gen-steps 50",
                LATTICE,
            ),
        ],
        (Paper::DiffusionEntropy, false) => vec![
            step(
                "gaussian",
                "every estimator on random Gaussians (Table 4.1)",
                "entropy gaussian --dims 9,16 --samples 20000",
                GAUSSIAN,
            ),
            step(
                "ising-data",
                "20×20 Ising configurations (Wolff)",
                "lattice sample --model ising --algorithm wolff --size 20 --temps 1.0:4.0:0.1 --samples 4000",
                &[],
            ),
            step(
                "ising",
                "absolute Ising entropy vs Kaufman (Table 4.3)",
                "entropy ising --data {out}/ising-data --bits",
                LATTICE,
            ),
            step(
                "xy-data",
                "20×20 XY configurations (Wolff)",
                "lattice sample --model xy --algorithm wolff --size 20 --temps 0.1:1.5:n32 --samples 4000",
                &[],
            ),
            step(
                "xy-reference",
                "XY entropy by thermodynamic integration",
                "lattice thermo --model xy --algorithm wolff --size 20 --temps 0.1:1.5:n32 --sweeps 25000",
                &[],
            ),
            step(
                "xy",
                "XY excess entropy vs thermodynamic integration (Table 4.2)",
                "entropy xy --data {out}/xy-data --reference {out}/xy-reference/thermo.json",
                LATTICE,
            ),
        ],
    }
}

const PCA: &[(&str, &str)] = &[
    ("|θ − θ*| (rad)", "/angle_error"),
    ("S(θ) (nats)", "/entropy_at_theta"),
    ("S(θ*), the minimum", "/entropy_minimum"),
];
const BIMODAL: &[(&str, &str)] = &[
    ("KL Min-MaxEnt (mean, sd)", "/minmaxent_mean_sd"),
    ("KL VAE (mean, sd)", "/vae_mean_sd"),
    ("KL mean+variance MaxEnt (mean, sd)", "/gaussian_mean_sd"),
];
const DIGITS: &[(&str, &str)] = &[
    ("final χ²", "/final_chi2"),
    ("confidently classified", "/score/confident_fraction"),
    ("class histogram", "/score/class_histogram"),
];
const STEER: &[(&str, &str)] = &[
    ("fraction of the target digit", "/target_fraction"),
    ("without steering", "/target_fraction_unbiased"),
];
const LATENT: &[(&str, &str)] = &[
    ("log-likelihood (nats/image)", "/final/log_likelihood"),
    (
        "σ, hard counts (paper)",
        "/final/entropy_production/counted/sigma",
    ),
    (
        "σ, Rao-Blackwellised",
        "/final/entropy_production/rao_blackwell",
    ),
    ("σ, model's M", "/final/entropy_production/model/sigma"),
    ("decorrelation time τ", "/final/decorrelation_time"),
    ("class KL", "/final/class_kl"),
];
const SWEEP: &[(&str, &str)] = &[
    ("nonequilibrium log-likelihood", "/nonequilibrium_ll"),
    ("EM mixture log-likelihood", "/em_ll"),
    ("ρ(σ, ln p), paper's σ", "/claims/counted/sigma_ll"),
    ("ρ(σ, τ), paper's σ", "/claims/counted/sigma_tau"),
    ("ρ(σ, KL), paper's σ", "/claims/counted/sigma_kl"),
    ("ρ(σ, ln p), model's σ", "/claims/model/sigma_ll"),
    ("ρ(σ, τ), model's σ", "/claims/model/sigma_tau"),
    ("ρ(σ, KL), model's σ", "/claims/model/sigma_kl"),
];
const GAUSSIAN: &[(&str, &str)] = &[("mean |error| per dimension and estimator", "/summary")];
const LATTICE: &[(&str, &str)] = &[
    ("mean |error| per spin", "/mean_abs_error_per_spin"),
    ("max |error| per spin", "/max_abs_error_per_spin"),
    ("unit", "/unit"),
];

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
    let paper = match args.paper {
        Paper::Minmaxent => "minmaxent",
        Paper::LatentCycles => "latent-cycles",
        Paper::DiffusionEntropy => "diffusion-entropy",
    };
    let mut report = format!(
        "# Reproduction: {paper}{}\n\nSeed {}. Each step ran `entropic --seed {} --out DIR/<step> <command>`; its directory holds the outputs and, where the command has one, the config it ran (config.toml).\n",
        if args.quick { " (quick)" } else { "" },
        global.seed,
        global.seed
    );
    let mut results = Vec::new();
    for s in plan(args.paper, args.quick) {
        let step_dir = dir.join(s.name);
        let command = s.args.replace("{out}", &dir.display().to_string());
        let mut argv: Vec<String> = ["--quiet", "--format", "json", "--seed"]
            .iter()
            .map(|a| a.to_string())
            .collect();
        argv.push(global.seed.to_string());
        argv.extend(["--out".to_string(), step_dir.display().to_string()]);
        argv.extend(command.split_whitespace().map(String::from));
        if !global.quiet {
            eprintln!("reproduce {paper}: {} — entropic {command}", s.name);
        }
        let result = run_step(&argv).with_context(|| format!("step {}", s.name))?;
        let config = config_of(&argv);
        if let Some(bytes) = &config {
            crate::output::write_atomic(&step_dir.join("config.toml"), bytes)?;
        }
        write_step(
            &mut report,
            &s,
            &command,
            &result,
            config.is_some(),
            &step_dir,
        )?;
        results.push(json!({"step": s.name, "command": command, "result": result}));
    }
    out.file("report.md", report.as_bytes())?;
    let doc = json!({"command": "reproduce", "paper": paper, "quick": args.quick,
        "seed": global.seed, "steps": results});
    out.result(&report, &doc)
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
    for (label, pointer) in s.numbers {
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
