//! `entropic ising`: flags → [`IsingConfig`] → [`IsingRun`] → [`IsingReport`] (text, JSON,
//! plots) and arrays.
use crate::Global;
use crate::config::{Flag, Flags, Settings};
use crate::output::Output;
use crate::runtime::Threads;
use anyhow::Result;
use entropic::experiment::{IsingConfig, IsingReport, IsingRun, Start};

/// Options of `entropic ising`: the keys of [`IsingConfig`].
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    settings: Settings<Self>,
}

impl Flags for Args {
    type Config = IsingConfig;
    #[rustfmt::skip]
    fn flags() -> Vec<Flag> {
        let mut flags = vec![
            Flag::new("size", "size", "L", "Linear size L of the periodic L×L lattice (even, ≥ 4).").short('L'),
            Flag::new("temperature", "temperature", "T", "Temperature T in units of J/k_B (T_c ≈ 2.269 for J = 1).").short('T'),
            Flag::new("sweeps", "sweeps", "N", "Measured sweeps (one sweep = one attempted flip per spin)."),
            Flag::new("thermalize", "thermalize", "N", "Sweeps discarded for equilibration before measuring."),
            Flag::choice::<Start>("start", "start", "START", "Initial state: all spins up (cold) or random (hot)."),
        ];
        flags.extend(crate::couplings());
        flags
    }
}

pub fn run(args: &Args, global: &Global, out: &mut Output<'_>) -> Result<()> {
    let Some(config) = args.settings.run_config(out)? else {
        return Ok(());
    };
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
