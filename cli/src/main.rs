//! The `entropic` binary: everything lives in the `entropic_cli` library so tests and fuzzers
//! drive exactly what users run.
fn main() -> std::process::ExitCode {
    if let Err(e) = entropic_cli::install_interrupt_handler() {
        eprintln!("error: {e:#}");
        return std::process::ExitCode::from(1);
    }
    let code = entropic_cli::main_with(
        std::env::args_os(),
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    );
    std::process::ExitCode::from(code)
}
