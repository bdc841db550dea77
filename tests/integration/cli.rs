//! The command line, driven in-process through `entropic_cli::main_with` exactly as the binary
//! runs it.
use crate::util::{entropic, json, temp_dir};

#[test]
fn ising_energy_matches_exact_at_t2() {
    // Issue #3 done-when: against Kaufman's exact value for the same 32×32 torus (Onsager's
    // infinite-lattice value differs from it by far less than the error bar at T = 2).
    let doc = json(&[
        "ising",
        "--size",
        "32",
        "--temperature",
        "2.0",
        "--sweeps",
        "5000",
        "--format",
        "json",
        "--quiet",
    ]);
    let e = &doc["energy_per_spin"];
    let (value, err) = (
        e["value"].as_f64().unwrap(),
        e["std_error"].as_f64().unwrap(),
    );
    let exact = doc["reference"]["exact_energy"].as_f64().unwrap();
    let onsager = doc["reference"]["onsager_energy"].as_f64().unwrap();
    assert!((exact - onsager).abs() < 1e-6);
    assert!(err > 0.0 && err < 0.01, "error bar {err}");
    assert!(
        (value - exact).abs() <= 3.0 * err,
        "{value} ± {err} vs exact {exact}"
    );
}

#[test]
fn ising_small_lattice_matches_enumeration() {
    let doc = json(&[
        "ising", "-L", "4", "-T", "2.5", "--sweeps", "40000", "--format", "json", "--seed", "11",
    ]);
    for (key, exact_key) in [
        ("energy_per_spin", "exact_energy"),
        ("abs_magnetization", "exact_abs_m"),
    ] {
        let value = doc[key]["value"].as_f64().unwrap();
        let err = doc[key]["std_error"].as_f64().unwrap();
        let exact = doc["reference"][exact_key].as_f64().unwrap();
        assert!(
            (value - exact).abs() <= 4.0 * err,
            "{key}: {value} ± {err} vs {exact}"
        );
    }
}

#[test]
fn same_seed_same_output() {
    let run = || {
        entropic(&[
            "ising", "-L", "8", "--sweeps", "300", "--seed", "5", "--format", "json",
        ])
        .1
    };
    assert_eq!(run(), run());
}

#[test]
fn bad_input_is_one_line_and_nonzero() {
    for (args, needle) in [
        (
            &["ising", "--temperature", "-1"][..],
            "temperature must be positive",
        ),
        (&["ising", "--size", "1"][..], "too small"),
        (&["ising", "--size", "abc"][..], "invalid value 'abc'"),
        (&["ising", "--size", "6", "--sweeps", "1"][..], "at least 2"),
        (&["ising", "--size", "7"][..], "odd side"),
        (
            &["ising", "--temperature", "nan"][..],
            "temperature must be positive",
        ),
        (&["nonsense"][..], "unrecognized subcommand"),
    ] {
        let (code, out, err) = entropic(args);
        assert_ne!(code, 0, "{args:?} should fail");
        assert!(out.is_empty(), "{args:?} printed on stdout: {out}");
        assert_eq!(
            err.lines().count(),
            1,
            "{args:?}: expected one line, got {err:?}"
        );
        assert!(
            err.starts_with("error: ") && err.contains(needle),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn out_dir_gets_arrays_metadata_and_plots() {
    let dir = std::env::temp_dir().join(format!("entropic-cli-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let doc = json(&[
        "ising",
        "-L",
        "8",
        "--sweeps",
        "100",
        "--format",
        "json",
        "--out",
        dir.to_str().unwrap(),
    ]);
    for name in [
        "energy.npy",
        "abs_magnetization.npy",
        "final_spins.npy",
        "metadata.json",
        "trace.svg",
        "final_spins.svg",
    ] {
        let path = dir.join(name);
        assert!(path.is_file(), "{name} missing");
        assert!(
            doc["files"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f.as_str().unwrap().ends_with(name))
        );
    }
    let npy = std::fs::read(dir.join("energy.npy")).unwrap();
    assert_eq!(&npy[..6], b"\x93NUMPY");
    // 100 little-endian f64 after the header.
    assert_eq!((npy.len() - 128), 800);
    let svg = std::fs::read_to_string(dir.join("final_spins.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("<rect"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn help_teaches_and_exits_zero() {
    let (code, out, _) = entropic(&["ising", "--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("--temperature") && out.contains("Example: entropic ising"));
}

#[test]
fn digit_classifier_trains_saves_and_reloads() {
    let dir = std::env::temp_dir().join(format!("entropic-clf-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = dir.to_str().unwrap();
    let trained = json(&[
        "nn",
        "classify-digits",
        "--epochs",
        "3",
        "--out",
        out,
        "--format",
        "json",
        "--seed",
        "2",
    ]);
    let path = dir.join("classifier.json");
    let evaluated = json(&[
        "nn",
        "evaluate-digits",
        "--classifier",
        path.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(trained["held_out_accuracy"], evaluated["held_out_accuracy"]);
    assert_eq!(trained["confusion"], evaluated["confusion"]);
    assert!(dir.join("loss.svg").is_file() && dir.join("metrics.json").is_file());
    // A truncated file is one readable line, not a panic.
    let bytes = std::fs::read(&path).unwrap();
    let cut = dir.join("cut.json");
    std::fs::write(&cut, &bytes[..bytes.len() / 3]).unwrap();
    let (code, _, err) = entropic(&[
        "nn",
        "evaluate-digits",
        "--classifier",
        cut.to_str().unwrap(),
    ]);
    assert_eq!((code, err.lines().count()), (1, 1));
    assert!(err.contains("truncated"), "{err}");
    let (code, _, err) = entropic(&["nn", "classify-digits", "--epochs", "0", "--out", out]);
    assert!(code != 0 && err.contains("epochs"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn maxent_pca_recovers_the_pca_angle() {
    let dir = std::env::temp_dir().join(format!("entropic-pca-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let doc = json(&[
        "maxent",
        "pca",
        "--samples",
        "8000",
        "--walkers",
        "2000",
        "--iterations",
        "400",
        "--format",
        "json",
        "--out",
        dir.to_str().unwrap(),
    ]);
    let error = doc["angle_error"].as_f64().unwrap();
    assert!(error < 0.01, "angle error {error}");
    for f in [
        "entropy_vs_angle.csv",
        "entropy_vs_angle.svg",
        "training.csv",
        "training.svg",
        "pca.json",
    ] {
        assert!(dir.join(f).is_file(), "{f}");
    }
    let (code, _, err) = entropic(&["maxent", "pca", "--sigma", "1,1,2"]);
    assert!(code != 0 && err.contains("positive-definite"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn entropy_gaussian_check_reports_every_estimator() {
    let doc = json(&[
        "--quiet",
        "--format",
        "json",
        "entropy",
        "gaussian",
        "--dims",
        "3",
        "--samples",
        "2000",
        "--cases",
        "2",
        "--draws",
        "20000",
        "--train-steps",
        "300",
        "--hidden",
        "32",
    ]);
    let rows = doc["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 8);
    for r in rows {
        let (err, se) = (
            r["error"].as_f64().unwrap(),
            r["std_error"].as_f64().unwrap(),
        );
        // In d = 3 all four are unbiased to well within 5 error bars (+ the 2000-sample spread
        // the MINDE Monte Carlo bar does not include, ~0.03 nats; the learned residual starts
        // at zero, i.e. at the Gaussian fit, which is exact here).
        assert!(err.abs() < 5.0 * se + 0.03, "{r}");
    }
    let (code, _, err) = entropic(&["entropy", "gaussian", "--dims", "0"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("dims: each must be between 1 and 512"),
        "{err}"
    );
}

/// 4000 `lattice sample` configurations of the L×L Ising model at T = 3 in `dir`: the path of
/// configs.npy and the exact total entropy (nats) by enumeration.
fn ising_samples_at_3(
    dir: &std::path::Path,
    side: usize,
    algorithm: &str,
) -> (std::path::PathBuf, f64) {
    let (out, size) = (dir.to_str().unwrap(), side.to_string());
    let (code, _, err) = entropic(&[
        "--quiet",
        "--seed",
        "2",
        "--out",
        out,
        "lattice",
        "sample",
        "--model",
        "ising",
        "--size",
        &size,
        "--temps",
        "3.0",
        "--samples",
        "4000",
        "--algorithm",
        algorithm,
    ]);
    assert_eq!(code, 0, "{err}");
    let exact = json(&[
        "lattice", "exact", "--size", &size, "--temps", "3.0", "--format", "json",
    ]);
    let h = exact["rows"][0]["finite"]["entropy_per_spin"]
        .as_f64()
        .unwrap()
        * (side * side) as f64;
    (dir.join("configs.npy"), h)
}

/// The lattice denoiser's I-MMSE row of `entropy compare` on 4×4 Ising spins at T = 3 (the
/// temperature read from temperatures.npy beside the data, so belief propagation is on): within
/// its error bar of enumeration, where the plug-in estimate (65 536 states, 4000 samples) is
/// far off.
#[test]
fn entropy_compare_lattice_immse_matches_enumeration_on_4x4() {
    let dir = temp_dir("compare-4x4");
    let (data, h) = ising_samples_at_3(&dir, 4, "wolff");
    let doc = json(&[
        "--quiet",
        "--seed",
        "3",
        "--format",
        "json",
        "entropy",
        "compare",
        "--data",
        data.to_str().unwrap(),
        "--spins",
        "--train-steps",
        "1000",
        "--draws",
        "4000",
        "--hidden",
        "16",
        "--exact",
        &h.to_string(),
    ]);
    let rows = doc["rows"].as_array().unwrap();
    let row = |name: &str| rows.iter().find(|r| r["estimator"] == name).unwrap();
    let immse = row("immse-lattice (held-out 25 %)");
    let (err, se) = (
        immse["error"].as_f64().unwrap(),
        immse["std_error"].as_f64().unwrap(),
    );
    assert!(err.abs() < 4.0 * se, "{immse}");
    let plug = row("plug-in")["error"].as_f64().unwrap();
    assert!(
        plug < -4.0 * se,
        "undersampled plug-in is biased low: {plug}"
    );
    let (code, _, err) = entropic(&[
        "entropy",
        "compare",
        "--data",
        data.to_str().unwrap(),
        "--spins",
        "--temperature",
        "0",
    ]);
    assert_eq!(code, 1);
    assert_eq!(err.lines().count(), 1, "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn entropy_compare_on_spin_samples_matches_the_exact_entropy_with_plug_in() {
    let dir = temp_dir("compare-2x2");
    let (data, h) = ising_samples_at_3(&dir, 2, "heat-bath");
    let doc = json(&[
        "--quiet",
        "--format",
        "json",
        "entropy",
        "compare",
        "--data",
        data.to_str().unwrap(),
        "--spins",
        "--train-steps",
        "0",
        "--mice-steps",
        "1000",
        "--exact",
        &h.to_string(),
    ]);
    let rows = doc["rows"].as_array().unwrap();
    // MICE on the raw spins (3 MINE critics): the discrete entropy directly.
    let mice = rows
        .iter()
        .find(|r| r["estimator"] == "mice (MINE splits)")
        .unwrap();
    std::println!("{mice}");
    let (err, se) = (
        mice["error"].as_f64().unwrap(),
        mice["std_error"].as_f64().unwrap(),
    );
    assert!(err.abs() < 4.0 * se, "{mice}");
    let plug = rows.iter().find(|r| r["estimator"] == "plug-in").unwrap();
    let (err, se) = (
        plug["error"].as_f64().unwrap(),
        plug["std_error"].as_f64().unwrap(),
    );
    // 16 states, 4000 (nearly independent) samples: Miller–Madow leaves O(1/n²) bias.
    assert!(err.abs() < 4.0 * se + 0.01, "{plug}");
    let gauss = rows
        .iter()
        .find(|r| r["estimator"] == "gaussian-fit (upper bound)")
        .unwrap();
    assert!(
        gauss["error"].as_f64().unwrap() > 0.0,
        "the Gaussian fit bounds from above"
    );
    for (args, needle) in [
        (
            vec!["entropy", "compare", "--data", "/nonexistent.npy"],
            "cannot read",
        ),
        (
            vec!["entropy", "compare", "--data", "/etc/hostname"],
            "not a readable .npy",
        ),
    ] {
        let (code, _, err) = entropic(&args);
        assert_eq!(code, 1);
        assert!(err.contains(needle), "{err}");
    }
    let temps = dir.join("temperatures.npy");
    let (code, _, err) = entropic(&[
        "entropy",
        "compare",
        "--data",
        temps.to_str().unwrap(),
        "--spins",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("+1 or -1"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

/// `entropy benchmark` on one entropy and one mutual-information task: every row present, kNN
/// and KSG close to the exact values; the JSON carries both quantities.
#[test]
fn entropy_benchmark_runs_both_suites() {
    let doc = json(&[
        "--quiet",
        "--format",
        "json",
        "entropy",
        "benchmark",
        "--samples",
        "3000",
        "--tasks",
        "uniform-mix-d2,additive-noise-eps0.1",
        "--train-steps",
        "0",
    ]);
    let rows = doc["rows"].as_array().unwrap();
    let names: Vec<&str> = rows
        .iter()
        .map(|r| r["estimator"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "gaussian-fit",
            "knn",
            "knn-whitened",
            "gaussian-cca",
            "ksg-1",
            "ksg-2"
        ]
    );
    for r in rows {
        let err = r["error"].as_f64().unwrap();
        match r["estimator"].as_str().unwrap() {
            // The fit overestimates the uniform square's entropy by ~0.35 and underestimates
            // the noisy copy's information by ~0.09 (it only sees the correlation).
            "gaussian-fit" => assert!(err > 0.2, "{r}"),
            "gaussian-cca" => assert!(err < -0.03, "{r}"),
            _ => assert!(err.abs() < 0.06, "{r}"),
        }
    }
    assert_eq!(rows[0]["quantity"], "entropy");
    assert_eq!(rows[5]["quantity"], "mutual-information");
}

/// A two-column .npy file (little-endian f64, C order) for the CLI to read.
fn write_pairs(path: &std::path::Path, pairs: &[(f64, f64)]) {
    let header = format!(
        "{{'descr': '<f8', 'fortran_order': False, 'shape': ({}, 2), }}",
        pairs.len()
    );
    let pad = 64 - (10 + header.len() + 1) % 64;
    let header = format!("{header}{}\n", " ".repeat(pad));
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend((header.len() as u16).to_le_bytes());
    bytes.extend(header.as_bytes());
    for (a, b) in pairs {
        bytes.extend(a.to_le_bytes());
        bytes.extend(b.to_le_bytes());
    }
    std::fs::write(path, bytes).unwrap();
}

/// `entropy mi` on a bivariate Gaussian with ρ = 0.75 from one file split after column 1: the
/// CCA and KSG rows within 4 error bars of −½ ln(1 − ρ²); a split outside 1 … d − 1 is one line.
#[test]
fn entropy_mi_on_a_bivariate_gaussian() {
    let dir = temp_dir("mi");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("pairs.npy");
    let mut rng = entropic::rng::from_seed(3);
    let rho: f64 = 0.75;
    let pairs: Vec<(f64, f64)> = (0..3000)
        .map(|_| {
            let (a, b) = entropic::rng::normal_pair(&mut rng);
            (a, rho * a + (1.0 - rho * rho).sqrt() * b)
        })
        .collect();
    write_pairs(&path, &pairs);
    let p = path.to_str().unwrap();
    let exact = -0.5 * (1.0 - rho * rho).ln();
    let doc = json(&[
        "--quiet",
        "--format",
        "json",
        "entropy",
        "mi",
        "--data",
        p,
        "--split",
        "1",
        "--train-steps",
        "0",
    ]);
    let rows = doc["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    for r in rows {
        let (v, se) = (
            r["value"].as_f64().unwrap(),
            r["std_error"].as_f64().unwrap(),
        );
        assert!((v - exact).abs() < 4.0 * se, "{r}");
    }
    let (code, _, err) = entropic(&["entropy", "mi", "--data", p, "--split", "2"]);
    assert_eq!(code, 1);
    assert!(err.contains("--split must be between 1 and 1"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
