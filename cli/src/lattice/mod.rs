//! `entropic lattice …`: datasets, thermodynamics and exact references for spin lattices.
mod chain;
mod exact;
mod sample;
mod thermo;

use crate::Global;
use crate::output::Output;
use anyhow::{Context, Result};
pub use chain::{Algorithm, ModelKind, Spec};

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
}

/// Options shared by the commands that simulate.
#[derive(Debug, clap::Args)]
pub struct ModelArgs {
    /// Spin model.
    #[arg(long, value_enum, default_value_t = ModelKind::Ising)]
    model: ModelKind,
    /// Linear size L of the periodic L×L lattice (≥ 2; even for checkerboard and multispin).
    #[arg(long, short = 'L', value_name = "L", default_value_t = 20)]
    size: usize,
    /// Temperatures: a value, a list (1.5,2.0), START:STOP:STEP or START:STOP:nCOUNT.
    #[arg(long, value_name = "GRID", allow_hyphen_values = true)]
    temps: String,
    /// Monte Carlo algorithm.
    #[arg(long, value_enum, default_value_t = Algorithm::Metropolis)]
    algorithm: Algorithm,
    #[command(flatten)]
    couplings: crate::Couplings,
    /// Equilibration sweeps per temperature (Wolff: sweep-equivalents; XY Metropolis: the
    /// proposal width is tuned during these only).
    #[arg(long, value_name = "N", default_value_t = 1000)]
    thermalize: usize,
}

impl ModelArgs {
    fn spec(&self) -> Result<Spec> {
        let spec = Spec {
            model: self.model,
            size: self.size,
            coupling: self.couplings.coupling,
            field: self.couplings.field,
            algorithm: self.algorithm,
            thermalize: self.thermalize,
        };
        spec.check()?;
        Ok(spec)
    }

    fn temperatures(&self) -> Result<Vec<entropic::lattice::Temperature>> {
        parse_temperatures(&self.temps)
    }
}

/// Parse a temperature grid; every value must be a valid temperature.
pub fn parse_temperatures(text: &str) -> Result<Vec<entropic::lattice::Temperature>> {
    let grid = entropic::grid::parse(text).context("--temps")?;
    grid.into_iter()
        .map(|t| Ok(entropic::lattice::Temperature::new(t)?))
        .collect()
}

pub fn run(command: &Command, global: &Global, out: &mut Output<'_>) -> Result<()> {
    match command {
        Command::Sample(args) => sample::run(args, global, out),
        Command::Thermo(args) => thermo::run(args, global, out),
        Command::Exact(args) => exact::run(args, global, out),
    }
}
