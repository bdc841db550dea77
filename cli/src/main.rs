//! The `entropic` binary: everything lives in the `entropic_cli` library so tests and fuzzers
//! drive exactly what users run.
fn main() -> std::process::ExitCode {
    let code = entropic_cli::main_with(
        std::env::args_os(),
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    );
    std::process::ExitCode::from(code)
}
