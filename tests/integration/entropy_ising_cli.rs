//! `entropic entropy ising`: a small run end to end — the estimate bounds Kaufman's exact entropy
//! from above (the I-MMSE estimate with a learned denoiser only loses information), a paused run
//! resumes to exactly the model an uninterrupted run trains, and bad input is one clear line.
use crate::util::{entropic, json, temp_dir};

/// The estimate of every row of an entropy document.
fn estimates(doc: &serde_json::Value) -> Vec<f64> {
    doc["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["estimate"].as_f64().unwrap())
        .collect()
}

/// 4×4 Ising samples at T = 2 and 3.5 (Wolff, well separated).
fn sample(dir: &std::path::Path) {
    let (code, _, err) = entropic(&[
        "--quiet",
        "--seed",
        "3",
        "--out",
        dir.to_str().unwrap(),
        "lattice",
        "sample",
        "--model",
        "ising",
        "--algorithm",
        "wolff",
        "--size",
        "4",
        "--temps",
        "2.0,3.5",
        "--samples",
        "400",
    ]);
    assert_eq!(code, 0, "{err}");
}

fn ising_args<'a>(data: &'a str, out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "--quiet",
        "--seed",
        "5",
        "--format",
        "json",
        "--out",
        out,
        "entropy",
        "ising",
        "--data",
        data,
        "--train-steps",
        "400",
        "--batch",
        "16",
        "--hidden",
        "16",
        "--draws",
        "1500",
        "--gen-steps",
        "200",
        "--checkpoint-every",
        "100",
    ];
    args.extend_from_slice(extra);
    for (flag, default) in [("--generate", "2.0"), ("--gen-samples", "50")] {
        if !extra.contains(&flag) {
            args.extend([flag, default]);
        }
    }
    args
}

/// Writes `toml` to `name` in `dir` and returns the path, for `--config`.
fn config_file(dir: &std::path::Path, name: &str, toml: &str) -> String {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, toml).unwrap();
    path.to_str().unwrap().to_string()
}

/// Runs a command line with `--pause-after at` (and `--format json --out out`), checks that it
/// paused there and returns the checkpoint it wrote.
fn paused_checkpoint(args: &[&str], out: &std::path::Path, at: u64) -> String {
    assert_eq!(json(args)["paused_at"], at);
    std::fs::read_to_string(out.join("checkpoint.json")).unwrap()
}

#[test]
fn entropy_ising_bounds_kaufman_and_resumes_exactly() {
    let data_dir = temp_dir("ising-data");
    sample(&data_dir);
    let data = data_dir.to_str().unwrap();
    let whole = temp_dir("ising-whole");
    let doc = json(&ising_args(data, whole.to_str().unwrap(), &[]));
    let rows = doc["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    for row in rows {
        let (v, se, exact) = (
            row["estimate"].as_f64().unwrap(),
            row["std_error"].as_f64().unwrap(),
            row["reference"].as_f64().unwrap(),
        );
        // Upper bound (minus the Monte Carlo error of the integral), and below the free spin's ln 2.
        assert!(v > exact - 4.0 * se, "{row}");
        assert!(v < std::f64::consts::LN_2 + 4.0 * se, "{row}");
    }
    for file in [
        "model.json",
        "ising.csv",
        "losses.csv",
        "entropy.svg",
        "errors.svg",
        "training.svg",
        "generated.svg",
        "denoising.svg",
    ] {
        assert!(whole.join(file).is_file(), "{file}");
    }

    // Pause at step 200, resume: the same model, bit for bit.
    let split = temp_dir("ising-split");
    let out = split.to_str().unwrap();
    let paused = json(&ising_args(data, out, &["--pause-after", "200"]));
    assert_eq!(paused["paused_at"], 200);
    let (code, _, err) = entropic(&ising_args(data, out, &[]));
    assert_eq!(code, 1);
    assert!(err.contains("--resume"), "{err}");
    // The sampler does not touch the model or the estimate: resume with the multistep one on a
    // log-SNR grid (a key of the config file).
    let settings = temp_dir("ising-configs");
    let log_grid = config_file(&settings, "grid.toml", "[generation]\ngrid = \"log-snr\"\n");
    let multistep = ["--resume", "--sampler", "multistep", "--config", &log_grid];
    let resumed = json(&ising_args(data, out, &multistep));
    let sampler = resumed["sampler"].as_str().unwrap();
    assert!(
        sampler.contains("Multistep") && sampler.contains("LogSnr"),
        "{sampler}"
    );
    assert_eq!(
        std::fs::read(whole.join("model.json")).unwrap(),
        std::fs::read(split.join("model.json")).unwrap()
    );
    assert_eq!(estimates(&doc), estimates(&resumed));
    // The generation check runs in pieces of 60 samples with their own RNG streams: 130 samples
    // (three pieces) come out the same on one thread as on three.
    let on_threads = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let doc = pool.install(|| {
            json(&ising_args(
                data,
                out,
                &["--resume", "--gen-samples", "130"],
            ))
        });
        doc["generation"].clone()
    };
    let one = on_threads(1);
    assert_eq!(one, on_threads(3));
    assert_ne!(one, resumed["generation"]);
    // Partial generation from held-out configurations perturbed to log-SNR 8 (σ² ≈ 3e-4 on ±1
    // spins): every configuration comes back unchanged, so the paired drift is exactly zero.
    let from = config_file(
        &settings,
        "from.toml",
        "[generation]\ngrid = \"log-snr\"\nfrom_log_snr = 8.0\n",
    );
    let partial = json(&ising_args(
        data,
        out,
        &["--resume", "--sampler", "multistep", "--config", &from],
    ));
    let row = &partial["generation"][0];
    assert_eq!(row["energy_drift"][0].as_f64(), Some(0.0), "{row}");
    assert_eq!(row["abs_m_drift"][0].as_f64(), Some(0.0), "{row}");
    assert!(partial["gen_start_step"].as_u64().unwrap() > 150);
    assert!(resumed["generation"][0]["energy_drift"].is_null());
    assert!(resumed["generation"][0]["vortices"].is_null());
    assert_eq!(doc["model"], "site");
    assert_eq!(doc["model_settings"]["site_evidence"], false);

    for (toml, extra, needle) in [
        ("holdout = 1.5", &[][..], "holdout: must be between 0 and 1"),
        ("", &["--generate", "9"][..], "not near"),
        ("[generation]\nfrom_log_snr = 12.0", &[][..], "from_log_snr"),
        (
            "holdout = 0.05\n[generation]\nfrom_log_snr = 0.0",
            &[][..],
            "held out",
        ),
        (
            "[denoiser.lambda_density.focused]\ncentre = 0.0\nscale = 1.5\nshare = 2.0",
            &[][..],
            "share in [0, 1]",
        ),
        ("[training]\nlearning_rate = -1.0", &[][..], "learning rate"),
        (
            "[denoiser]\ngate = { constant = 2.0 }",
            &["--propagation", "0"][..],
            "belief propagation",
        ),
        ("[denoiser]\nfocus = 1.0", &[][..], "unknown field `focus`"),
    ] {
        let fresh = temp_dir("ising-bad");
        let file = config_file(&settings, "bad.toml", toml);
        let args = [extra, &["--config", &file]].concat();
        let (code, _, err) = entropic(&ising_args(data, fresh.to_str().unwrap(), &args));
        assert_eq!(code, 1, "{toml} {extra:?}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(needle), "{toml} {extra:?}: {err}");
        assert!(!fresh.exists(), "{toml}: nothing written before the checks");
    }
    // The coupling gate, the λ density and seeing the site are saved with the model.
    let gated = temp_dir("ising-gated");
    let gate = config_file(
        &settings,
        "gated.toml",
        "[denoiser]\ngate = { coupling = 0.5 }\nsite_evidence = true\n\
         lambda_density = { focused = { centre = -1.5, scale = 1.5, share = 0.5 } }\n",
    );
    let checkpoint = paused_checkpoint(
        &ising_args(
            data,
            gated.to_str().unwrap(),
            &["--config", &gate, "--pause-after", "100"],
        ),
        &gated,
        100,
    );
    assert!(checkpoint.contains("\"gate\":{\"coupling\":0.5}"));
    assert!(checkpoint.contains("\"site_evidence\":true"));
    assert!(
        checkpoint.contains(
            "\"lambda_density\":{\"focused\":{\"centre\":-1.5,\"scale\":1.5,\"share\":0.5}}"
        ),
        "{checkpoint}"
    );
    let fresh = temp_dir("ising-noresume");
    let (code, _, err) = entropic(&ising_args(data, fresh.to_str().unwrap(), &["--resume"]));
    assert_eq!(code, 1);
    assert!(err.contains("cannot read"), "{err}");
    let (code, _, err) = entropic(&ising_args("/nonexistent", out, &[]));
    assert_eq!(code, 1);
    assert!(err.lines().count() == 1, "{err}");
    // Resuming with a file whose model settings contradict the checkpoint is refused.
    let (code, _, err) = entropic(&ising_args(
        data,
        gated.to_str().unwrap(),
        &["--resume", "--config", &log_grid],
    ));
    assert_eq!(code, 1);
    assert!(
        err.contains("the config's denoiser.lambda_density asks for \"uniform\""),
        "{err}"
    );
    for dir in [data_dir, whole, split, gated, settings] {
        std::fs::remove_dir_all(dir).unwrap();
    }
}

/// `entropy ising --model conv`: the whole-lattice model bounds Kaufman's entropy from above,
/// resumes to the model an uninterrupted run trains, says which model produced the numbers, and
/// a checkpoint of one model is not resumed as the other.
#[test]
fn entropy_ising_conv_model_bounds_kaufman_and_resumes_exactly() {
    let data_dir = temp_dir("conv-data");
    sample(&data_dir);
    let data = data_dir.to_str().unwrap();
    let settings = temp_dir("conv-configs");
    let small = config_file(
        &settings,
        "conv.toml",
        "model = \"conv\"\n[conv]\nchannels = 8\ndilations = [1, 2]\n",
    );
    let args = |out: &str, extra: &[&str]| -> Vec<String> {
        let mut all: Vec<String> = ising_args(data, out, &[])
            .into_iter()
            .map(String::from)
            .collect();
        // --hidden belongs to the per-site model.
        let at = all.iter().position(|a| a == "--hidden").unwrap();
        all.drain(at..at + 2);
        all.extend(["--config".to_string(), small.clone()]);
        all.extend(extra.iter().map(|s| s.to_string()));
        all
    };
    let run = |out: &str, extra: &[&str]| -> serde_json::Value {
        let owned = args(out, extra);
        json(&owned.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let whole = temp_dir("conv-whole");
    let doc = run(whole.to_str().unwrap(), &[]);
    assert_eq!(doc["model"], "conv");
    assert_eq!(doc["model_name"], "whole-lattice conv denoiser");
    assert_eq!(doc["model_settings"]["channels"], 8);
    for row in doc["rows"].as_array().unwrap() {
        let (v, se, exact) = (
            row["estimate"].as_f64().unwrap(),
            row["std_error"].as_f64().unwrap(),
            row["reference"].as_f64().unwrap(),
        );
        assert!(v > exact - 4.0 * se, "{row}");
        assert!(v < std::f64::consts::LN_2 + 4.0 * se, "{row}");
    }
    let split = temp_dir("conv-split");
    let out = split.to_str().unwrap();
    assert_eq!(run(out, &["--pause-after", "200"])["paused_at"], 200);
    // The per-site model cannot resume the conv model's checkpoint.
    let mut site = args(out, &["--resume"]);
    let at = site.iter().position(|a| a == "--config").unwrap();
    site.drain(at..at + 2);
    let (code, _, err) = entropic(&site.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, 1);
    assert!(err.contains("another --model"), "{err}");
    let resumed = run(out, &["--resume"]);
    assert_eq!(
        std::fs::read(whole.join("model.json")).unwrap(),
        std::fs::read(split.join("model.json")).unwrap()
    );
    assert_eq!(doc["rows"], resumed["rows"]);
    // The saved model evaluated without training gives the same table.
    let model = whole.join("model.json");
    let model = model.to_str().unwrap();
    let evaluated = temp_dir("conv-evaluated");
    let again = run(evaluated.to_str().unwrap(), &["--evaluate", model]);
    assert_eq!(again["rows"], doc["rows"]);
    assert_eq!(again["evaluated"], serde_json::json!([model]));
    // An ensemble: a model twice is that model bit for bit ((a + a)/2 = a); two different
    // models' mean has, draw by draw, at most their average squared error, so with the same
    // draws (same seed) its entropy bound is at most the mean of theirs at every temperature.
    let twice = run(
        evaluated.to_str().unwrap(),
        &["--evaluate", model, "--evaluate", model],
    );
    assert_eq!(twice["rows"], doc["rows"]);
    assert_eq!(twice["ensemble"], 2);
    let other_dir = temp_dir("conv-other");
    run(
        other_dir.to_str().unwrap(),
        &["--set", "training.learning_rate=0.001"],
    );
    let other = other_dir.join("model.json");
    let other = other.to_str().unwrap();
    let alone = run(evaluated.to_str().unwrap(), &["--evaluate", other]);
    let pair = run(
        evaluated.to_str().unwrap(),
        &["--evaluate", model, "--evaluate", other],
    );
    let (a, b, mean) = (estimates(&doc), estimates(&alone), estimates(&pair));
    assert_ne!(
        a, b,
        "the two members must differ for the check to mean anything"
    );
    for ((a, b), m) in a.iter().zip(&b).zip(&mean) {
        assert!(
            *m <= (a + b) / 2.0 + 1e-12,
            "ensemble {m} vs members {a}, {b}"
        );
    }
    // A conv model is not a per-site model.
    let mut site = args(
        temp_dir("conv-as-site").to_str().unwrap(),
        &["--evaluate", model],
    );
    let at = site.iter().position(|a| a == "--config").unwrap();
    site.drain(at..at + 2);
    let (code, _, err) = entropic(&site.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, 1);
    assert!(
        err.contains("is it the model.json of a --model site run"),
        "{err}"
    );
    for dir in [data_dir, whole, split, settings, evaluated, other_dir] {
        std::fs::remove_dir_all(dir).unwrap();
    }
}

#[test]
fn entropy_ising_refuses_xy_data() {
    let dir = temp_dir("ising-xy");
    let (code, _, err) = entropic(&[
        "--quiet",
        "--out",
        dir.to_str().unwrap(),
        "lattice",
        "sample",
        "--model",
        "xy",
        "--size",
        "4",
        "--temps",
        "1.0",
        "--samples",
        "20",
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = entropic(&["entropy", "ising", "--data", dir.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(err.lines().count(), 1, "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

/// `entropy xy` on a 4×4 lattice: the estimate bounds the thermodynamic-integration excess
/// entropy from above (within the combined error bars), and mismatched inputs are refused.
#[test]
fn entropy_xy_bounds_thermodynamic_integration() {
    let dir = temp_dir("xy-small");
    let d = |p: &str| dir.join(p).to_str().unwrap().to_string();
    let run = |args: &[&str]| {
        let (code, _, err) = entropic(args);
        assert_eq!(code, 0, "{err}");
    };
    let common = ["--algorithm", "wolff", "--size", "4", "--temps", "0.6,1.2"];
    let (data, ti, out) = (d("data"), d("ti"), d("run"));
    let mut sample = vec!["-q", "--seed", "3", "--out", &data, "lattice", "sample"];
    sample.extend(["--model", "xy", "--samples", "600"]);
    sample.extend(common);
    run(&sample);
    let mut thermo = vec!["-q", "--seed", "4", "--out", &ti, "lattice", "thermo"];
    thermo.extend(["--model", "xy", "--sweeps", "20000"]);
    thermo.extend(common);
    run(&thermo);
    let reference = format!("{ti}/thermo.json");
    let doc = json(&[
        "-q",
        "--seed",
        "5",
        "--format",
        "json",
        "--out",
        &out,
        "entropy",
        "xy",
        "--data",
        &data,
        "--reference",
        &reference,
        "--train-steps",
        "600",
        "--batch",
        "16",
        "--hidden",
        "16",
        "--draws",
        "2000",
        "--generate",
        "1.2",
        "--gen-samples",
        "20",
        "--gen-steps",
        "50",
    ]);
    for row in doc["rows"].as_array().unwrap() {
        let v = row["estimate"].as_f64().unwrap();
        let x = row["reference"].as_f64().unwrap();
        let se = row["std_error"]
            .as_f64()
            .unwrap()
            .hypot(row["reference_error"].as_f64().unwrap());
        // The excess entropy is ≤ 0 (the uniform angle maximises it); the I-MMSE estimate
        // bounds the true value from above.
        assert!(v > x - 4.0 * se && v < 4.0 * se, "{row}");
    }
    assert!(dir.join("run/xy.csv").is_file() && dir.join("run/generated.svg").is_file());
    // The generation check counts vortices of XY lattices (a 4×4 lattice at T = 1.2 has some).
    let vortices = &doc["generation"][0]["vortices"];
    for side in ["generated", "mc"] {
        let density = vortices[side][0].as_f64().unwrap();
        assert!((0.0..=0.5).contains(&density), "{vortices}");
    }
    assert!(vortices["mc"][0].as_f64().unwrap() > 0.0, "{vortices}");
    // XY with belief propagation defaults to the first-harmonic messages, and XY models see
    // each site's own evidence unless told not to.
    assert_eq!(doc["model_settings"]["planar_messages"], "first-harmonic");
    assert_eq!(doc["model_settings"]["site_evidence"], true);
    let without = d("without");
    let mut args = vec!["-q", "--format", "json", "--out", &without, "entropy", "xy"];
    args.extend([
        "--data",
        &data,
        "--reference",
        &reference,
        "--train-steps",
        "20",
    ]);
    let file = dir.join("no-evidence.toml");
    std::fs::write(&file, "[denoiser]\nsite_evidence = false\n").unwrap();
    args.extend(["--config", file.to_str().unwrap(), "--pause-after", "10"]);
    let checkpoint = paused_checkpoint(&args, &dir.join("without"), 10);
    assert!(checkpoint.contains("\"site_evidence\":false"));
    for (args, needle) in [
        (
            vec!["entropy", "xy", "--data", &data, "--reference", &data],
            "cannot read",
        ),
        (
            vec!["entropy", "xy", "--data", &ti, "--reference", &reference],
            "cannot read",
        ),
    ] {
        let (code, _, err) = entropic(&args);
        assert_eq!(code, 1, "{args:?}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    let (code, _, err) = entropic(&["entropy", "ising", "--data", &data]);
    assert_eq!(code, 1);
    assert!(err.contains("XY angles are planar data"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}
