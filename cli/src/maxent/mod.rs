//! `entropic maxent …`: Min-MaxEnt experiments (paper: minmaxent-generative.txt).
use crate::Global;
use crate::output::Output;
use anyhow::Result;

mod bimodal;
mod digits;
mod mixing;
mod pca;

/// Min-MaxEnt commands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// PCA as a Min-MaxEnt solution (paper Sec. I.1, Fig. 2).
    ///
    /// Draws 2D Gaussian data with covariance Σ, trains the rotated-variance observables of
    /// Eq. 11 (λ by χ² descent, θ by the entropy gradient), and compares the learned angle with the
    /// PCA angle of Eq. 17. Writes the training curves and the exact entropy-vs-angle curve
    /// (Eq. 13–15) with the learned angle marked.
    ///
    /// Example: entropic maxent pca --sigma 3,2,1 --out out/pca
    Pca(pca::PcaArgs),
    /// 1D bimodal distributions: Min-MaxEnt vs a VAE vs mean+variance MaxEnt (Sec. I.2,
    /// Fig. 3–4).
    ///
    /// Trains, for each seed, a Min-MaxEnt model with MLP observables (1→16→16→2, tanh), a VAE
    /// whose encoder has the same architecture, and the Gaussian MaxEnt baseline, on the same
    /// data; KL(real ‖ model) by quadrature every epoch. Writes KL-vs-epoch curves, densities,
    /// λ and |dS/dθ| curves, and a summary over seeds (mean ± sd).
    ///
    /// Example: entropic maxent bimodal --case cauchy --seeds 5 --out out/cauchy
    Bimodal(bimodal::BimodalArgs),
    /// 8×8 digit generation, discriminator bias and steering (Sec. I.3, Fig. 5–7).
    #[command(subcommand)]
    Digits(digits::Command),
    /// Random-walk Metropolis, MALA and HMC side by side: effective samples per second.
    ///
    /// Each sampler starts from the same walkers, adapts its step during warm-up toward its
    /// target acceptance (50 %, 57 %, 65 %), then runs the measured sweeps with the step frozen;
    /// τ_int (pooled over walkers) of the energy and of the projection on a slow direction gives
    /// the effective sample size. Target: a Gaussian with a known covariance (default d = 64,
    /// condition number 100; slow direction = its widest axis), or a trained digits model
    /// (--model; slow direction = the walkers' top principal axis). Writes mixing.csv,
    /// mixing.json, traces.svg (and the digits walkers after each sampler).
    ///
    /// Example: entropic maxent mixing --dim 64 --condition 100 --out out/mixing
    Mixing(mixing::MixingArgs),
}

pub fn run(command: &Command, global: &Global, out: &mut Output<'_>) -> Result<()> {
    match command {
        Command::Pca(args) => pca::run(args, global, out),
        Command::Bimodal(args) => bimodal::run(args, global, out),
        Command::Digits(command) => digits::run(command, global, out),
        Command::Mixing(args) => mixing::run(args, global, out),
    }
}
