//! One integration-test binary for the whole workspace (keeps link times down on 2 cores).
mod bad_inputs;
mod cli;
mod config_cli;
mod entropy_ising_cli;
mod latent_cli;
mod lattice_cli;
mod maxent_cli;
mod reproduce_cli;
mod samplers;
mod util;
mod value_stability;
