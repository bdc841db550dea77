//! `entropic reproduce PAPER --quick`: every step runs into its own directory with the config it
//! ran, and report.md names each step's command, numbers and figures.
use crate::util::{entropic, json, temp_dir};

#[test]
fn quick_latent_cycles_reproduction_writes_report_configs_and_figures() {
    let dir = temp_dir("reproduce-latent");
    let out = dir.to_str().unwrap();
    let doc = json(&[
        "--quiet",
        "--format",
        "json",
        "--out",
        out,
        "reproduce",
        "latent-cycles",
        "--quick",
    ]);
    assert_eq!(doc["paper"], "latent-cycles");
    let step = &doc["steps"][0];
    assert_eq!(step["step"], "latent");
    let sigma = &step["result"]["final"]["entropy_production"]["model"]["sigma"];
    let value = sigma["value"].as_f64().unwrap();
    assert!(value.is_finite() && value >= 0.0, "{sigma}");
    let report = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(
        report.contains("`entropic latent train --per-class 50"),
        "{report}"
    );
    assert!(
        report.contains(&format!("- σ, model's M: {sigma}")),
        "{report}"
    );
    assert!(
        report.contains("![matrix.svg](latent/matrix.svg)"),
        "{report}"
    );
    // The config the step ran, printed by the command itself, runs again as a --config file.
    let config = std::fs::read_to_string(dir.join("latent/config.toml")).unwrap();
    assert!(config.contains("per_class = 50"), "{config}");
    // The plan's settings without a flag reach the command through --config.
    assert!(config.contains("final_steps = 2000"), "{config}");
    assert!(report.contains("--config "), "{report}");
    let again = json(&[
        "--quiet",
        "--format",
        "json",
        "latent",
        "train",
        "--config",
        dir.join("latent/config.toml").to_str().unwrap(),
    ]);
    assert_eq!(
        again["final"]["entropy_production"], step["result"]["final"]["entropy_production"],
        "same config and seed, same numbers"
    );
    // --resume takes the finished step from its record instead of running it again; a
    // record of another seed is refused.
    let resume = |seed: &str| {
        entropic(&[
            "--quiet",
            "--format",
            "json",
            "--seed",
            seed,
            "--out",
            out,
            "reproduce",
            "latent-cycles",
            "--quick",
            "--resume",
        ])
    };
    let (code, stdout, err) = resume("0");
    assert_eq!(code, 0, "{err}");
    let resumed: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(resumed["steps"][0]["reused"], true);
    assert_eq!(resumed["steps"][0]["result"], step["result"]);
    assert_eq!(
        std::fs::read_to_string(dir.join("report.md")).unwrap(),
        report
    );
    // A step whose outputs were deleted since runs again (same seed: same result).
    std::fs::remove_dir_all(dir.join("latent")).unwrap();
    let (code, stdout, err) = resume("0");
    assert_eq!(code, 0, "{err}");
    let rerun: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(rerun["steps"][0]["reused"], false);
    assert_eq!(rerun["steps"][0]["result"], step["result"]);
    assert!(dir.join("latent/config.toml").exists());
    // A training step stopped before it finished (no record; a checkpoint in its directory)
    // continues from the checkpoint, to the uninterrupted result.
    std::fs::remove_dir_all(dir.join("latent")).unwrap();
    std::fs::remove_file(dir.join("latent.step.json")).unwrap();
    let command = step["command"].as_str().unwrap();
    let step_dir = dir.join("latent");
    let mut paused = vec![
        "--quiet",
        "--seed",
        "0",
        "--out",
        step_dir.to_str().unwrap(),
    ];
    paused.extend(command.split_whitespace());
    paused.extend(["--pause-after", "2"]);
    let (code, _, err) = entropic(&paused);
    assert_eq!(code, 0, "{err}");
    assert!(dir.join("latent/checkpoint.json").exists());
    let (code, stdout, err) = resume("0");
    assert_eq!(code, 0, "{err}");
    let continued: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(continued["steps"][0]["reused"], false);
    assert_eq!(continued["steps"][0]["continued"], true);
    assert_eq!(continued["steps"][0]["result"], step["result"]);
    let (code, _, err) = resume("3");
    assert_eq!(code, 1);
    assert!(err.contains("with seed 0, not"), "{err}");
    let (code, _, err) = entropic(&["reproduce", "minmaxent", "--quick"]);
    assert_eq!(code, 1);
    assert!(err.contains("give --out DIR"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

/// `--step` runs the named step and the steps whose outputs it reads, nothing else.
#[test]
fn a_selected_step_runs_with_its_inputs_only() {
    let dir = temp_dir("reproduce-step");
    let doc = json(&[
        "--quiet",
        "--format",
        "json",
        "--out",
        dir.to_str().unwrap(),
        "reproduce",
        "diffusion-entropy",
        "--quick",
        "--step",
        "xy",
    ]);
    let steps: Vec<&str> = doc["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["xy-data", "xy-reference", "xy"]);
    assert_eq!(doc["selected"], serde_json::json!(["xy"]));
    assert!(!dir.join("gaussian").exists());
    let mean = doc["steps"][2]["result"]["mean_abs_error_per_spin"]
        .as_f64()
        .unwrap();
    assert!(mean.is_finite() && mean >= 0.0);
    let report = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(report.contains("## xy:") && !report.contains("## gaussian"));
    std::fs::remove_dir_all(dir).unwrap();
}
