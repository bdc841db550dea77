//! The command-line parser: any argument vector parses or yields clap's error, never a panic.
//! Only parsing is fuzzed (running a command would simulate for arbitrary lengths of time).
#![no_main]
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Argv {
    args: Vec<String>,
}

fuzz_target!(|input: Argv| {
    if input.args.len() > 16 || input.args.iter().any(|a| a.len() > 64) {
        return;
    }
    let argv = std::iter::once("entropic".to_string()).chain(input.args);
    let _ = entropic_cli::parse(argv);
});
