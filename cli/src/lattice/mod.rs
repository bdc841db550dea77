//! `entropic lattice …`: datasets, thermodynamics and exact references for spin lattices.
mod exact;
mod sample;
mod temper;
mod thermo;

use crate::Global;
use crate::config::{Flag, Flags, Settings};
use crate::output::Output;
use anyhow::{Context, Result, bail};
use entropic::experiment::{Algorithm, Configs, SpinModel};

/// Spin-lattice commands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Generate equilibrium configurations at a grid of temperatures (the datasets the entropy
    /// estimators train on).
    ///
    /// Per temperature: equilibrate, measure τ_int in a pilot run, then record SAMPLES
    /// configurations ⌈2τ_int⌉ steps apart. Temperatures run in parallel, each with its own
    /// random stream (stream k for the k-th temperature), so results do not depend on the
    /// number of threads. Writes configs.npy (temperatures × samples × L × L; int8 spins or
    /// float64 angles), temperatures.npy, metadata.json and a picture per temperature.
    ///
    /// Example: entropic lattice sample --model ising --size 20 --temps 1.0:4.0:0.1 --samples 1000 --out data/ising
    Sample(sample::Args),
    /// Energy, specific heat, |m|, susceptibility, Binder cumulant and entropy per temperature.
    ///
    /// The entropy comes from thermodynamic integration s(β) = s(0) + βu − ∫₀^β u dβ′ over an
    /// adaptively refined β grid of independent Monte Carlo runs, with a propagated error bar.
    /// Exact values are printed beside it where they exist (Ising at h = 0: Kaufman's finite
    /// lattice and Onsager; XY: high-temperature and spin-wave limits). Writes thermo.csv,
    /// thermo.json and SVG plots of s(T), u(T) and c(T).
    ///
    /// Example: entropic lattice thermo --model ising --size 16 --temps 1.5:3.5:0.25 --out out/thermo
    Thermo(thermo::Args),
    /// Exact energy and entropy per spin of the zero-field Ising model: Kaufman's finite L×L
    /// torus and Onsager's infinite lattice.
    ///
    /// Example: entropic lattice exact --size 20 --temps 1.0:4.0:0.1 --format json
    Exact(exact::Args),
    /// Replica exchange (parallel tempering): one replica per temperature of the --temps ladder,
    /// each moved by --algorithm at its rung, neighbouring rungs exchanging configurations with
    /// probability min(1, exp(Δβ ΔE)) (even and odd pairs in turn) after every round.
    ///
    /// Prints energy and |m| per rung with error bars and the exact values where they exist
    /// (Ising: Kaufman at h = 0, enumeration up to 5×5), the XY helicity modulus Υ, effective
    /// samples per second per rung (the whole round's cost), the swap acceptance of each pair
    /// and the round trips of replicas across the ladder. Writes
    /// temper.csv, temper.json, energy.svg, swaps.svg and (XY) helicity.svg; with --keep N also a
    /// dataset in `lattice sample`'s format (configs.npy, temperatures.npy, metadata.json), N
    /// configurations per rung, that `entropy ising|xy --data` reads.
    ///
    /// Example: entropic lattice temper --size 32 --temps 2.0:2.6:n12 --rounds 20000 --out out/pt
    Temper(temper::Args),
}

/// The flags shared by the commands that simulate: the `chain` keys of their configs and the
/// temperatures.
#[rustfmt::skip]
fn chain_flags() -> Vec<Flag> {
    let mut flags = vec![
        Flag::choice::<SpinModel>("model", "model", "MODEL", "Spin model."),
        Flag::new("size", "size", "L", "Linear size L of the periodic L×L lattice (≥ 2; even for checkerboard and multispin).").short('L'),
        Flag::choice::<Algorithm>("algorithm", "algorithm", "ALGORITHM", "Monte Carlo algorithm."),
        Flag::new("next-nearest", "next_nearest", "J2", "Next-nearest-neighbour (diagonal) coupling J₂ of the Ising model (metropolis and heat-bath only)."),
        Flag::switch("global-flip", "global_flip", true, "End every sweep with a global spin flip of probability ½ (Ising metropolis and heat-bath, h = 0): below T_c the configurations then hold both ordered phases."),
        Flag::new("thermalize", "thermalize", "N", "Equilibration sweeps per temperature (Wolff: sweep-equivalents; XY Metropolis: the proposal width is tuned during these only)."),
    ];
    flags.extend(crate::couplings());
    let mut flags: Vec<Flag> = flags.into_iter().map(|f| f.under("chain.")).collect();
    flags.push(
        Flag::new("temps", "temperatures", "GRID", "Temperatures: a value, a list (1.5,2.0), START:STOP:STEP or START:STOP:nCOUNT. Required unless --config or --set gives them.")
            .with(|text| {
                let grid = entropic::grid::parse(text).map_err(|e| e.to_string())?;
                Ok(toml::Value::Array(grid.into_iter().map(toml::Value::Float).collect()))
            }),
    );
    flags
}

/// The config of a simulating command ([`Settings::run_config`]), refused without temperatures
/// (given by --temps, --set or a --config file) unless it is only printed.
fn chain_config<F: Flags>(
    settings: &Settings<F>,
    out: &mut Output<'_>,
) -> Result<Option<F::Config>> {
    if !settings.print_config() && !settings.asks("temperatures") {
        bail!("give --temps (or temperatures in a --config file)");
    }
    settings.run_config(out)
}

/// Parse a temperature grid; every value must be a valid temperature.
pub fn parse_temperatures(text: &str) -> Result<Vec<entropic::lattice::Temperature>> {
    entropic::grid::parse(text)
        .context("--temps")?
        .into_iter()
        .map(|t| Ok(entropic::lattice::Temperature::new(t)?))
        .collect()
}

pub fn run(command: &Command, global: &Global, out: &mut Output<'_>) -> Result<()> {
    match command {
        Command::Sample(args) => sample::run(args, global, out),
        Command::Thermo(args) => thermo::run(args, global, out),
        Command::Exact(args) => exact::run(args, global, out),
        Command::Temper(args) => temper::run(args, global, out),
    }
}

/// Write a dataset's arrays — configs.npy (temperatures × samples × L × L, `shape`) and
/// temperatures.npy — and its `metadata` (a core report's, [`entropic::experiment::dataset_metadata`]).
fn write_dataset(
    out: &mut Output<'_>,
    (shape, configs): ([u64; 4], &Configs),
    temperatures: &[f64],
    metadata: &serde_json::Value,
) -> Result<()> {
    match configs {
        Configs::Spins(v) => out.npy("configs.npy", &shape, v)?,
        Configs::Angles(v) => out.npy("configs.npy", &shape, v)?,
    }
    out.npy("temperatures.npy", &[shape[0]], temperatures)?;
    out.json("metadata.json", metadata)
}
