//! Helpers shared by the CLI tests: run the command line in-process, exactly as the binary does.

/// Runs a command line; returns (exit code, stdout, stderr).
pub fn entropic(args: &[&str]) -> (u8, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let argv = std::iter::once("entropic").chain(args.iter().copied());
    let code = entropic_cli::main_with(argv, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

/// Runs a command line that must succeed with `--format json`; returns the document.
pub fn json(args: &[&str]) -> serde_json::Value {
    let (code, out, err) = entropic(args);
    assert_eq!(code, 0, "stderr: {err}");
    serde_json::from_str(&out).expect("--format json prints one JSON document")
}

/// A fresh scratch directory for one test.
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("entropic-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}
