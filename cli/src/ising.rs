//! `entropic ising`: flags → [`IsingConfig`] → [`IsingRun`] → [`IsingReport`] (text, JSON,
//! plots) and arrays.
use crate::Global;
use crate::config::{ConfigArgs, Overlay};
use crate::output::Output;
use crate::runtime::Threads;
use anyhow::Result;
use entropic::experiment::{IsingConfig, IsingReport, IsingRun, Start};

fn defaults() -> IsingConfig {
    IsingConfig::default()
}

/// Options of `entropic ising`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Linear size L of the periodic L×L lattice (even, ≥ 4).
    #[arg(long, short = 'L', value_name = "L", default_value_t = defaults().size)]
    size: usize,
    /// Temperature T in units of J/k_B (T_c ≈ 2.269 for J = 1).
    #[arg(
        long,
        short = 'T',
        value_name = "T",
        default_value_t = defaults().temperature,
        allow_negative_numbers = true
    )]
    temperature: f64,
    /// Measured sweeps (one sweep = one attempted flip per spin).
    #[arg(long, value_name = "N", default_value_t = defaults().sweeps)]
    sweeps: usize,
    /// Sweeps discarded for equilibration before measuring.
    #[arg(long, value_name = "N", default_value_t = defaults().thermalize)]
    thermalize: usize,
    #[command(flatten)]
    couplings: crate::Couplings,
    /// Initial state: all spins up (cold) or random (hot).
    #[arg(long, value_enum, default_value_t = Start::Cold)]
    start: Start,
    #[command(flatten)]
    config: ConfigArgs,
}

impl Args {
    fn config(&self, global: &Global) -> Result<IsingConfig> {
        let (mut c, o): (IsingConfig, _) = Overlay::load(&self.config, &global.explicit)?;
        o.set("size", &mut c.size, self.size);
        o.set("temperature", &mut c.temperature, self.temperature);
        o.set("sweeps", &mut c.sweeps, self.sweeps);
        o.set("thermalize", &mut c.thermalize, self.thermalize);
        o.set("coupling", &mut c.coupling, self.couplings.coupling);
        o.set("field", &mut c.field, self.couplings.field);
        o.set("start", &mut c.start, self.start);
        Ok(c)
    }
}

pub fn run(args: &Args, global: &Global, out: &mut Output<'_>) -> Result<()> {
    let config = args.config(global)?;
    if args.config.print_config {
        return out.print_config(&config);
    }
    let experiment = IsingRun::new(config.clone())?;
    let rt = Threads::new(global.quiet);
    let r = experiment.run(global.seed, &rt)?;
    rt.finish();

    let report = IsingReport::new(&experiment, &r);
    let document = report.json(global.seed);
    if out.keeps_files() {
        let (energy, abs_m) = (&r.energy_series, &r.abs_m_series);
        let steps = energy.len() as u64;
        out.npy("energy.npy", &[steps], energy)?;
        out.npy("abs_magnetization.npy", &[steps], abs_m)?;
        let n = config.size as u64;
        out.npy("final_spins.npy", &[n, n], r.final_state.spins())?;
        for (name, svg) in report.figures()? {
            out.file(name, svg.as_bytes())?;
        }
        out.json("metadata.json", &document)?;
    }
    out.result(&report.text(global.seed), &document)
}
