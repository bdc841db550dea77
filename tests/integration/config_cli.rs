//! `--config` and `--print-config`: print → edit → run, and the precedence of flags over files.
use crate::util::{entropic, json, temp_dir};

#[test]
fn printed_config_round_trips_through_a_file() {
    let dir = temp_dir("config-roundtrip");
    std::fs::create_dir_all(&dir).unwrap();
    let (code, printed, err) = entropic(&["ising", "--size", "8", "--print-config"]);
    assert_eq!(code, 0, "{err}");
    assert!(printed.contains("size = 8"), "{printed}");
    // Edit the printed TOML as a user would, then run it.
    let edited = printed
        .replace("sweeps = 5000", "sweeps = 400")
        .replace("temperature = 2.0", "temperature = 3.0");
    let file = dir.join("ising.toml");
    std::fs::write(&file, edited).unwrap();
    let path = file.to_str().unwrap();
    let from_file = json(&[
        "-q", "--seed", "4", "ising", "--config", path, "--format", "json",
    ]);
    let from_flags = json(&[
        "-q",
        "--seed",
        "4",
        "ising",
        "--size",
        "8",
        "--sweeps",
        "400",
        "--temperature",
        "3",
        "--format",
        "json",
    ]);
    assert_eq!(from_file, from_flags);
    assert_eq!(from_file["sweeps"], 400);
    // A flag given on the command line overrides the file; one left at its default does not.
    let overridden = json(&[
        "-q", "ising", "--config", path, "--sweeps", "300", "--format", "json",
    ]);
    assert_eq!(
        (overridden["sweeps"].clone(), overridden["size"].clone()),
        (300.into(), 8.into())
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn lattice_configs_nest_the_chain_and_accept_json() {
    let dir = temp_dir("config-lattice");
    std::fs::create_dir_all(&dir).unwrap();
    let (code, printed, err) = entropic(&[
        "lattice",
        "thermo",
        "--model",
        "xy",
        "--algorithm",
        "wolff",
        "--temps",
        "1,2",
        "--print-config",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let mut config: serde_json::Value = serde_json::from_str(&printed).unwrap();
    assert_eq!(config["chain"]["model"], "xy");
    assert_eq!(config["temperatures"], serde_json::json!([1.0, 2.0]));
    config["chain"]["size"] = 4.into();
    config["sweeps"] = 200.into();
    config["ti_step"] = 0.25.into();
    let file = dir.join("thermo.json");
    std::fs::write(&file, config.to_string()).unwrap();
    // Temperatures come from the file: no --temps needed.
    let doc = json(&[
        "-q",
        "lattice",
        "thermo",
        "--config",
        file.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(
        (doc["size"].clone(), doc["model"].clone()),
        (4.into(), "xy".into())
    );
    assert_eq!(doc["rows"].as_array().unwrap().len(), 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_config_files_are_one_line() {
    let dir = temp_dir("config-bad");
    std::fs::create_dir_all(&dir).unwrap();
    let unknown = dir.join("unknown.toml");
    std::fs::write(&unknown, "size = 8\nsweps = 10\n").unwrap();
    let wrong_type = dir.join("type.toml");
    std::fs::write(&wrong_type, "size = \"big\"\n").unwrap();
    let missing = dir.join("missing.toml");
    for (args, needle) in [
        (
            vec!["ising", "--config", unknown.to_str().unwrap()],
            "unknown field",
        ),
        (
            vec!["ising", "--config", wrong_type.to_str().unwrap()],
            "invalid type",
        ),
        (
            vec!["ising", "--config", missing.to_str().unwrap()],
            "cannot read config",
        ),
        (vec!["lattice", "thermo"], "give --temps"),
    ] {
        let (code, stdout, err) = entropic(&args);
        assert_eq!(code, 1, "{args:?}");
        assert!(stdout.is_empty(), "{args:?}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn biased_generation_commands_take_config_files() {
    let dir = temp_dir("config-bias");
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("no-checkpoint-needed-to-print.json");
    let model = model.to_str().unwrap();
    let base = ["maxent", "digits", "sample", "--model", model];
    let (code, printed, err) = entropic(&[&base[..], &["--steer", "3", "--print-config"]].concat());
    assert_eq!(code, 0, "{err}");
    assert!(
        printed.contains("steer = 3") && printed.contains("alpha = 20.0"),
        "{printed}"
    );
    let file = dir.join("sample.toml");
    std::fs::write(&file, printed.replace("alpha = 20.0", "alpha = 5.0")).unwrap();
    let path = file.to_str().unwrap();
    let (code, reprinted, err) = entropic(
        &[
            &base[..],
            &["--config", path, "--sweeps", "7", "--print-config"],
        ]
        .concat(),
    );
    assert_eq!(code, 0, "{err}");
    for line in ["steer = 3", "alpha = 5.0", "sweeps = 7"] {
        assert!(reprinted.contains(line), "{line}: {reprinted}");
    }
    let (code, printed, err) = entropic(&[
        "maxent",
        "digits",
        "discriminator",
        "--model",
        model,
        "--rounds",
        "2",
        "--print-config",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        printed.contains("rounds = 2") && printed.contains("epochs = 200"),
        "{printed}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn set_changes_one_key_and_flags_override_it() {
    // --set runs the same as the flag and as the edited file.
    let by_set = json(&[
        "-q",
        "--seed",
        "4",
        "ising",
        "--size",
        "8",
        "--set",
        "sweeps=400",
        "--set",
        "start=hot",
        "--format",
        "json",
    ]);
    let by_flags = json(&[
        "-q", "--seed", "4", "ising", "--size", "8", "--sweeps", "400", "--start", "hot",
        "--format", "json",
    ]);
    assert_eq!(by_set, by_flags);
    // Nested keys, lists and optional keys that are unset; a flag given overrides --set, and
    // one left at its default does not.
    let (code, printed, err) = entropic(&[
        "entropy",
        "ising",
        "--data",
        "unused",
        "--set",
        "conv.dilations=[1, 3]",
        "--set",
        "generation.temperatures=[2.0]",
        "--set",
        "training.steps=77",
        "--set",
        "draws=99",
        "--draws",
        "123",
        "--print-config",
    ]);
    assert_eq!(code, 0, "{err}");
    for line in [
        "dilations = [1, 3]",
        "temperatures = [2.0]",
        "steps = 77",
        "draws = 123",
    ] {
        assert!(printed.contains(line), "{line} in {printed}");
    }
    // A key that does not exist, a value of the wrong type, a missing '=': one line each.
    for (set, says) in [
        ("sweepz=5", "no such key"),
        ("sweeps=many", "expected usize"),
        ("sweeps", "KEY=VALUE"),
    ] {
        let (code, _, err) = entropic(&["ising", "--set", set, "--print-config"]);
        assert_eq!(code, 1, "{set}: {err}");
        assert!(
            err.contains(says) && err.lines().count() == 1,
            "{set}: {err}"
        );
    }
}
