//! A real SIGINT to the real binary: the output set is whole or absent, checkpoints stay valid.
//! (Its own test binary, unlike the rest of the workspace's integration tests in `tests/`,
//! because it needs the `entropic` executable, which Cargo builds only for this package's tests.)
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn spawn(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_entropic"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the entropic binary runs")
}

fn interrupt(child: &Child) {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

/// Wait (at most a minute) until `ready` holds, polling every 2 ms.
fn wait_for(child: &mut Child, ready: impl Fn() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it could be interrupted"
        );
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "never became ready"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("entropic-int-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn interrupt_while_writing_leaves_no_partial_output() {
    let dir = scratch("sample");
    let out = dir.to_str().unwrap();
    // A ~100 MB configs.npy: the interrupt lands while the output set is being written.
    let mut child = spawn(&[
        "-q",
        "--out",
        out,
        "lattice",
        "sample",
        "--model",
        "xy",
        "--size",
        "32",
        "--temps",
        "1,1.5,2,2.5",
        "--samples",
        "3000",
        "--pilot",
        "100",
        "--thermalize",
        "20",
    ]);
    wait_for(&mut child, || {
        entries(&dir)
            .iter()
            .any(|n| n.starts_with(".entropic-partial-"))
    });
    interrupt(&child);
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130));
    let err = String::from_utf8(output.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(entries(&dir).is_empty(), "left behind: {:?}", entries(&dir));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn interrupted_training_resumes_to_the_same_result() {
    let (a, b) = (scratch("train-a"), scratch("train-b"));
    let args = |dir: &Path| -> Vec<String> {
        [
            "-q",
            "--seed",
            "5",
            "--format",
            "json",
            "--out",
            dir.to_str().unwrap(),
            "latent",
            "train",
            "--per-class",
            "20",
            "--epochs",
            "60",
            "--updates",
            "5",
            "--diagnostic-steps",
            "200",
            "--final-steps",
            "1000",
        ]
        .map(String::from)
        .to_vec()
    };
    let run = |extra: &[&str], dir: &Path| {
        let mut full = args(dir);
        full.extend(extra.iter().map(|s| s.to_string()));
        let out = Command::new(env!("CARGO_BIN_EXE_entropic"))
            .args(&full)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let straight = run(&[], &a);

    let owned = args(&b);
    let mut child = spawn(&owned.iter().map(String::as_str).collect::<Vec<_>>());
    wait_for(&mut child, || b.join("checkpoint.json").exists());
    std::thread::sleep(Duration::from_millis(50));
    interrupt(&child);
    assert_eq!(child.wait().unwrap().code(), Some(130));
    // Only the checkpoint is left: no temporary file, no staged figures.
    assert_eq!(entries(&b), ["checkpoint.json"]);
    let resumed = run(&["--resume"], &b);
    assert_eq!(resumed["final"], straight["final"]);
    let _ = std::fs::remove_dir_all(&a);
    let _ = std::fs::remove_dir_all(&b);
}
