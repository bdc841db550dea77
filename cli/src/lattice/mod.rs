//! `entropic lattice …`: datasets, thermodynamics and exact references for spin lattices.
mod exact;
mod sample;
mod temper;
mod thermo;

use crate::Global;
use crate::config::{ConfigArgs, Overlay};
use crate::output::Output;
use anyhow::{Context, Result, bail};
use entropic::experiment::{Algorithm, ChainConfig, Configs, SpinModel};
use serde_json::json;

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

fn defaults() -> ChainConfig {
    ChainConfig::default()
}

/// Options shared by the commands that simulate.
#[derive(Debug, clap::Args)]
pub struct ModelArgs {
    /// Spin model.
    #[arg(long, value_enum, default_value_t = SpinModel::Ising)]
    model: SpinModel,
    /// Linear size L of the periodic L×L lattice (≥ 2; even for checkerboard and multispin).
    #[arg(long, short = 'L', value_name = "L", default_value_t = defaults().size)]
    size: usize,
    /// Temperatures: a value, a list (1.5,2.0), START:STOP:STEP or START:STOP:nCOUNT. Required
    /// unless --config gives them.
    #[arg(long, value_name = "GRID", allow_hyphen_values = true)]
    temps: Option<String>,
    /// Monte Carlo algorithm.
    #[arg(long, value_enum, default_value_t = Algorithm::Metropolis)]
    algorithm: Algorithm,
    #[command(flatten)]
    couplings: crate::Couplings,
    /// Next-nearest-neighbour (diagonal) coupling J₂ of the Ising model (metropolis and
    /// heat-bath only).
    #[arg(long, value_name = "J2", default_value_t = defaults().next_nearest, allow_negative_numbers = true)]
    next_nearest: f64,
    /// End every sweep with a global spin flip of probability ½ (Ising metropolis and
    /// heat-bath, h = 0): below T_c the configurations then hold both ordered phases.
    #[arg(long)]
    global_flip: bool,
    /// Equilibration sweeps per temperature (Wolff: sweep-equivalents; XY Metropolis: the
    /// proposal width is tuned during these only).
    #[arg(long, value_name = "N", default_value_t = defaults().thermalize)]
    thermalize: usize,
    #[command(flatten)]
    config: ConfigArgs,
}

impl ModelArgs {
    /// Start a config from the file (or defaults), overlay the chain flags and the temperatures.
    fn overlay<'a, C>(
        &self,
        global: &'a Global,
        parts: impl FnOnce(&mut C) -> (&mut ChainConfig, &mut Vec<f64>),
    ) -> Result<(C, Overlay<'a>)>
    where
        C: serde::de::DeserializeOwned + serde::Serialize + Default,
    {
        let (mut config, o): (C, _) = Overlay::load(&self.config, &global.explicit)?;
        let (chain, temperatures) = parts(&mut config);
        o.set("model", &mut chain.model, self.model);
        o.set("size", &mut chain.size, self.size);
        o.set("algorithm", &mut chain.algorithm, self.algorithm);
        o.set("coupling", &mut chain.coupling, self.couplings.coupling);
        o.set("field", &mut chain.field, self.couplings.field);
        o.set("next_nearest", &mut chain.next_nearest, self.next_nearest);
        o.set("global_flip", &mut chain.global_flip, self.global_flip);
        o.set("thermalize", &mut chain.thermalize, self.thermalize);
        match (&self.temps, &self.config.config) {
            (Some(grid), _) => *temperatures = parse_grid(grid)?,
            (None, Some(_)) => {}
            // --print-config without them prints the template with an empty list to fill in.
            (None, None) if self.config.print_config => {}
            (None, None) => bail!("give --temps (or temperatures in a --config file)"),
        }
        Ok((config, o))
    }
}

/// Parse a temperature grid; every value must be a valid temperature.
pub fn parse_temperatures(text: &str) -> Result<Vec<entropic::lattice::Temperature>> {
    parse_grid(text)?
        .into_iter()
        .map(|t| Ok(entropic::lattice::Temperature::new(t)?))
        .collect()
}

fn parse_grid(text: &str) -> Result<Vec<f64>> {
    entropic::grid::parse(text).context("--temps")
}

pub fn run(command: &Command, global: &Global, out: &mut Output<'_>) -> Result<()> {
    match command {
        Command::Sample(args) => sample::run(args, global, out),
        Command::Thermo(args) => thermo::run(args, global, out),
        Command::Exact(args) => exact::run(args, global, out),
        Command::Temper(args) => temper::run(args, global, out),
    }
}

/// Write a dataset's arrays — configs.npy (temperatures × samples × L × L) and temperatures.npy —
/// and return the metadata every dataset carries (the command, the model with its Hamiltonian,
/// which `entropy ising|xy` reads back, the seed, the array's shape and dtype); the caller adds
/// its own keys and writes it as metadata.json.
fn write_dataset(
    out: &mut Output<'_>,
    (command, seed): (&str, u64),
    spec: &ChainConfig,
    temperatures: &[f64],
    configs: &Configs,
) -> Result<serde_json::Value> {
    let l = spec.size as u64;
    let t = temperatures.len() as u64;
    let total = match configs {
        Configs::Spins(v) => v.len(),
        Configs::Angles(v) => v.len(),
    } as u64;
    let shape = [t, total / (t * l * l).max(1), l, l];
    let dtype = match configs {
        Configs::Spins(v) => {
            out.npy("configs.npy", &shape, v)?;
            "int8 spins ±1"
        }
        Configs::Angles(v) => {
            out.npy("configs.npy", &shape, v)?;
            "float64 angles in [0, 2π)"
        }
    };
    out.npy("temperatures.npy", &[t], temperatures)?;
    Ok(json!({
        "command": command,
        "model": spec.model,
        "algorithm": spec.algorithm,
        "size": spec.size,
        "coupling": spec.coupling,
        "field": spec.field,
        "next_nearest": spec.next_nearest,
        "global_flip": spec.global_flip,
        "thermalize": spec.thermalize,
        "seed": seed,
        "configs_shape": shape,
        "configs_dtype": dtype,
    }))
}
