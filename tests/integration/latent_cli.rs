//! `entropic latent …` end to end, in-process, at small scale.
use crate::util::{entropic, json, temp_dir};

const SMALL: [&str; 10] = [
    "--per-class",
    "20",
    "--epochs",
    "4",
    "--updates",
    "5",
    "--diagnostic-steps",
    "200",
    "--final-steps",
    "1000",
];

fn train(dir: &std::path::Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["--quiet", "--seed", "5", "--format", "json", "--out"];
    args.push(dir.to_str().unwrap());
    args.extend(["latent", "train"]);
    args.extend(SMALL);
    args.extend(extra);
    json(&args)
}

#[test]
fn train_writes_diagnostics_and_resumes_bit_identically() {
    let (a, b) = (temp_dir("latent-a"), temp_dir("latent-b"));
    let straight = train(&a, &[]);
    let last = &straight["final"];
    assert!(last["log_likelihood"].as_f64().unwrap() < 0.0);
    let sigma = &last["entropy_production"];
    for estimate in [
        &sigma["counted"]["sigma"],
        &sigma["rao_blackwell"],
        &sigma["model"]["sigma"],
    ] {
        assert!(estimate["value"].as_f64().unwrap() >= 0.0, "{sigma}");
    }
    assert_eq!(last["occupancy"].as_array().unwrap().len(), 6);
    for f in [
        "history.csv",
        "summary.json",
        "checkpoint.json",
        "weights.svg",
        "matrix.svg",
        "sequence.svg",
        "log_likelihood.svg",
        "entropy_production.svg",
    ] {
        assert!(a.join(f).exists(), "{f} missing");
    }
    let paused = train(&b, &["--pause-after", "2"]);
    assert_eq!(paused["paused_at"], 2);
    // --set cannot change what a resumed run fixes: refused, the checkpoint left as it was.
    let checkpoint = std::fs::read(b.join("checkpoint.json")).unwrap();
    let mut args = vec!["--quiet", "--out", b.to_str().unwrap(), "latent", "train"];
    args.extend(SMALL);
    args.extend(["--resume", "--set", "training.chains=2"]);
    let (code, _, err) = entropic(&args);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("--set training.chains asks for 2 but the checkpoint"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(b.join("checkpoint.json")).unwrap(),
        checkpoint
    );
    let resumed = train(&b, &["--resume"]);
    assert_eq!(resumed["final"], straight["final"]);
    for f in ["history.csv", "checkpoint.json"] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f} differs after resume"
        );
    }
}

#[test]
fn sweep_reports_claims_and_baselines() {
    let dir = temp_dir("latent-sweep");
    let mut args = vec![
        "--quiet",
        "--format",
        "json",
        "--out",
        dir.to_str().unwrap(),
        "latent",
        "sweep",
        "--runs",
        "3",
        "--baseline-runs",
        "1",
    ];
    args.extend(SMALL.iter().map(|&a| if a == "4" { "2" } else { a }));
    let doc = json(&args);
    assert_eq!(doc["runs"], 3);
    for estimator in ["counted", "rao_blackwell", "model"] {
        let claims = &doc["claims"][estimator];
        assert!(
            claims["sigma_ll"]["rho"].as_f64().unwrap().abs() <= 1.0,
            "{claims}"
        );
        let regimes = claims["regimes"].as_array().unwrap();
        let clustered: u64 = regimes.iter().map(|g| g["runs"].as_u64().unwrap()).sum();
        assert_eq!(clustered, 3);
    }
    let eq = doc["equilibrium_exact_ll"].as_array().unwrap();
    let em = doc["em_ll"].as_array().unwrap();
    assert_eq!((eq.len(), em.len()), (1, 1));
    // EM maximises the likelihood of the model class; two epochs of PCD do not reach it.
    assert!(em[0].as_f64().unwrap() > eq[0].as_f64().unwrap());
    for f in [
        "runs.csv",
        "histories.csv",
        "baselines.csv",
        "report.md",
        "ll_vs_sigma.svg",
        "ll_vs_sigma_counted.svg",
        "sigma_estimators.svg",
        "high_sigma_weights.svg",
    ] {
        assert!(dir.join(f).exists(), "{f} missing");
    }
    // --resume reuses the saved runs and reproduces the report.
    args.push("--resume");
    assert_eq!(json(&args)["claims"], doc["claims"]);
    // Two shards on one --out, then the merge (--resume): the same runs and the same report.
    let sharded = temp_dir("latent-sweep-shards");
    let with_out = |extra: &[&str]| -> Vec<String> {
        let mut a: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        a.retain(|s| s != "--resume");
        let at = a.iter().position(|s| s == "--out").unwrap() + 1;
        a[at] = sharded.to_str().unwrap().to_string();
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    for shard in ["0/2", "1/2"] {
        let a = with_out(&["--shard", shard]);
        let part = json(&a.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(part["shards"], 2, "{part}");
    }
    let saved = std::fs::read_dir(sharded.join("runs")).unwrap().count();
    assert_eq!(saved, 4, "3 nonequilibrium runs and 1 baseline");
    assert!(
        !sharded.join("report.md").exists(),
        "a shard writes no report"
    );
    let a = with_out(&["--resume"]);
    let merged = json(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(merged["claims"], doc["claims"]);
    for f in ["runs.csv", "histories.csv"] {
        assert_eq!(
            std::fs::read(dir.join(f)).unwrap(),
            std::fs::read(sharded.join(f)).unwrap(),
            "{f} differs between the sharded and the single sweep"
        );
    }
}

#[test]
fn bad_input_is_one_line_and_nonzero() {
    let dir = temp_dir("latent-bad");
    let out = dir.to_str().unwrap();
    for (args, needle) in [
        (
            vec!["latent", "train", "--hidden", "1"],
            "L must be at least 2",
        ),
        (
            vec!["latent", "train", "--steps", "0"],
            "T (chain double steps",
        ),
        (vec!["latent", "train", "--batch", "0:10"], "minibatch"),
        (
            vec!["latent", "train", "--per-class", "0"],
            "per_class: must be between 1 and 980",
        ),
        (vec!["latent", "train", "--resume"], "--resume needs --out"),
        (
            vec!["--out", out, "latent", "train", "--resume"],
            "cannot read checkpoint",
        ),
        (
            vec!["latent", "report", "--checkpoint", "/nonexistent.json"],
            "cannot read",
        ),
    ] {
        let (code, stdout, stderr) = entropic(&args);
        assert_eq!(code, 1, "{args:?}: {stderr}");
        assert!(stdout.is_empty());
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("checkpoint.json"), b"{\"seed\": 1}").unwrap();
    let (code, _, stderr) = entropic(&["--out", out, "latent", "train", "--resume"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("not a latent-cycle checkpoint"), "{stderr}");
}

/// A fresh run into a directory that holds another run's checkpoint is refused, and the
/// checkpoint is left as it was (it used to be overwritten).
#[test]
fn a_fresh_run_does_not_overwrite_a_checkpoint() {
    let dir = temp_dir("latent-no-overwrite");
    assert_eq!(train(&dir, &["--pause-after", "1"])["paused_at"], 1);
    let before = std::fs::read(dir.join("checkpoint.json")).unwrap();
    let out = dir.to_str().unwrap();
    let mut args = vec!["-q", "--seed", "6", "--out", out, "latent", "train"];
    args.extend(SMALL);
    let (code, stdout, err) = entropic(&args);
    assert_eq!((code, stdout.as_str()), (1, ""), "{err}");
    assert!(err.contains("already holds a run"), "{err}");
    assert_eq!(std::fs::read(dir.join("checkpoint.json")).unwrap(), before);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn resume_refuses_flags_that_contradict_the_checkpoint() {
    let dir = temp_dir("latent-contradict");
    assert_eq!(train(&dir, &["--pause-after", "1"])["paused_at"], 1);
    let out = dir.to_str().unwrap();
    let mut args = vec!["-q", "--out", out, "latent", "train"];
    args.extend(SMALL);
    args.extend(["--resume", "--hidden", "4"]);
    let (code, stdout, err) = entropic(&args);
    assert_eq!((code, stdout.as_str()), (1, ""), "{err}");
    assert!(
        err.contains("--hidden asks for 4 but the checkpoint being resumed has 6"),
        "{err}"
    );
    // The same flags as the run that wrote the checkpoint are fine (see the resume test).
    std::fs::remove_dir_all(&dir).unwrap();
}
