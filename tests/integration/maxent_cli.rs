//! `entropic maxent …` end to end at small scale.
use crate::util::{entropic, json, temp_dir};

/// Fig. 4 at small scale: two seeds of the Cauchy case, every output written, KL values finite
/// and the Min-MaxEnt model far better than the single Gaussian after 150 epochs.
#[test]
fn maxent_bimodal_writes_curves_and_summary() {
    let dir = temp_dir("bimodal");
    let doc = json(&[
        "--quiet",
        "--format",
        "json",
        "--out",
        dir.to_str().unwrap(),
        "maxent",
        "bimodal",
        "--case",
        "cauchy",
        "--seeds",
        "2",
        "--epochs",
        "150",
        "--vae-epochs",
        "20",
        "--walkers",
        "300",
        "--grid",
        "801",
    ]);
    let mm = doc["minmaxent_final_kl"].as_array().unwrap();
    let gauss = doc["gaussian_kl"].as_array().unwrap();
    assert_eq!(mm.len(), 2);
    for (m, g) in mm.iter().zip(gauss) {
        let (m, g) = (m.as_f64().unwrap(), g.as_f64().unwrap());
        assert!(m.is_finite() && m < g, "Min-MaxEnt KL {m} vs Gaussian {g}");
    }
    for f in [
        "summary.csv",
        "curves.csv",
        "densities.csv",
        "kl_vs_epoch.svg",
        "densities.svg",
        "training.svg",
        "bimodal.json",
    ] {
        assert!(dir.join(f).is_file(), "{f}");
    }
    let curves = std::fs::read_to_string(dir.join("curves.csv")).unwrap();
    assert_eq!(curves.lines().count(), 1 + 2 * 150);
    let (code, _, err) = entropic(&["maxent", "bimodal", "--seeds", "0"]);
    assert!(code != 0 && err.lines().count() == 1, "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Fig. 5–7 at small scale: a tiny digits run paused and resumed gives the same checkpoint as
/// a straight run; `sample --steer` and `discriminator` run on it and report their numbers;
/// bad input is one clear line and a non-zero exit.
#[test]
fn maxent_digits_train_resume_sample_and_discriminate() {
    let straight = temp_dir("digits-straight");
    let paused = temp_dir("digits-paused");
    let train = |dir: &std::path::Path, extra: &[&str]| {
        let mut args = vec![
            "--quiet",
            "--format",
            "json",
            "--out",
            dir.to_str().unwrap(),
            "maxent",
            "digits",
            "train",
            "--images",
            "40",
            "--walkers",
            "20",
            "--epochs",
            "6",
            "--checkpoint-every",
            "2",
            "--grid-every",
            "3",
        ];
        args.extend_from_slice(extra);
        json(&args)
    };
    let doc = train(&straight, &[]);
    let score = &doc["score"];
    let histogram: u64 = score["class_histogram"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(histogram, 20);
    assert!(score["nn_distance_to_training"].as_f64().unwrap() > 0.0);
    assert_eq!(train(&paused, &["--pause-after", "4"])["paused_after"], 4);
    // A fresh run into the paused run's directory is refused, and so is resuming with a setting
    // the run was not trained with (the walkers' moves and the network's channels are read back
    // from the checkpoint); neither touches the checkpoint.
    let before = std::fs::read(paused.join("checkpoint.json")).unwrap();
    for (extra, says) in [
        (&["--images", "40"][..], "already holds a run"),
        (
            &["--resume", "--set", "leapfrog=2"],
            "the checkpoint being resumed has 0",
        ),
        (
            &["--resume", "--channels", "2,3"],
            "the checkpoint being resumed has [4, 8]",
        ),
    ] {
        let mut args = vec!["--quiet", "--out", paused.to_str().unwrap()];
        args.extend_from_slice(&["maxent", "digits", "train"]);
        args.extend_from_slice(extra);
        let (code, _, err) = entropic(&args);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains(says), "{err}");
    }
    assert_eq!(
        std::fs::read(paused.join("checkpoint.json")).unwrap(),
        before
    );
    train(&paused, &["--resume"]);
    let read = |d: &std::path::Path| std::fs::read(d.join("checkpoint.json")).unwrap();
    assert_eq!(read(&straight), read(&paused), "resume is bit-identical");
    for f in [
        "training.csv",
        "training.svg",
        "samples.svg",
        "epochs/epoch-00003.svg",
    ] {
        assert!(straight.join(f).is_file(), "{f}");
    }

    let model = straight.join("checkpoint.json");
    let sampled = temp_dir("digits-sample");
    let doc = json(&[
        "--quiet",
        "--format",
        "json",
        "--out",
        sampled.to_str().unwrap(),
        "maxent",
        "digits",
        "sample",
        "--model",
        model.to_str().unwrap(),
        "--steer",
        "3",
        "--alpha",
        "20",
        "--sweeps",
        "3",
    ]);
    let fraction = doc["target_fraction"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&fraction));
    assert!(sampled.join("samples.svg").is_file());

    let disc = temp_dir("digits-disc");
    let doc = json(&[
        "--quiet",
        "--format",
        "json",
        "--out",
        disc.to_str().unwrap(),
        "maxent",
        "digits",
        "discriminator",
        "--model",
        model.to_str().unwrap(),
        "--rounds",
        "2",
        "--sweeps",
        "2",
        "--epochs",
        "3",
    ]);
    assert_eq!(doc["rounds"].as_array().unwrap().len(), 2);
    let g = disc.join("discriminator.json");
    assert!(g.is_file() && disc.join("scores.svg").is_file());
    let (code, _, err) = entropic(&[
        "--quiet",
        "maxent",
        "digits",
        "sample",
        "--model",
        model.to_str().unwrap(),
        "--discriminator",
        g.to_str().unwrap(),
        "--sweeps",
        "1",
    ]);
    assert_eq!(code, 0, "{err}");
    // HMC on the whole biased energy (H₀ + steering + discriminator) and its gradient.
    let doc = json(&[
        "--quiet",
        "--format",
        "json",
        "maxent",
        "digits",
        "sample",
        "--model",
        model.to_str().unwrap(),
        "--discriminator",
        g.to_str().unwrap(),
        "--steer",
        "3",
        "--sweeps",
        "4",
        "--leapfrog",
        "2",
    ]);
    assert_eq!(doc["leapfrog"], 2);
    assert!((0.0..=1.0).contains(&doc["target_fraction"].as_f64().unwrap()));

    for bad in [
        vec![
            "maxent",
            "digits",
            "sample",
            "--model",
            "/nonexistent/checkpoint.json",
        ],
        vec![
            "maxent",
            "digits",
            "sample",
            "--model",
            model.to_str().unwrap(),
            "--steer",
            "12",
        ],
        vec![
            "maxent",
            "digits",
            "sample",
            "--model",
            model.to_str().unwrap(),
            "--alpha",
            "-1",
        ],
        vec!["maxent", "digits", "sample", "--model", g.to_str().unwrap()],
        vec!["maxent", "digits", "train", "--images", "0"],
        vec!["maxent", "digits", "train", "--theta-rate", "nan"],
        vec!["maxent", "digits", "train", "--channels", "4"],
    ] {
        let (code, _, err) = entropic(&bad);
        assert!(code != 0 && err.lines().count() == 1, "{bad:?}: {err}");
    }
    for d in [straight, paused, sampled, disc] {
        std::fs::remove_dir_all(d).unwrap();
    }
}

/// `maxent mixing` on a rotated Gaussian (d = 16, condition number 20): the walkers start at
/// exact draws, so after any number of sweeps of a correct kernel they are still exact draws —
/// each sampler's variance along the widest axis matches the exact one within 4σ (σ =
/// v·√(2/n) for n independent walkers). HMC decorrelates the slow direction faster than
/// single-coordinate Metropolis; the same seed gives the same τ.
#[test]
fn maxent_mixing_keeps_the_target_and_ranks_the_samplers() {
    let dir = temp_dir("mixing");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "--quiet",
            "--format",
            "json",
            "--out",
            dir.to_str().unwrap(),
            "maxent",
            "mixing",
            "--dim",
            "16",
            "--condition",
            "20",
            "--walkers",
            "400",
            "--warmup",
            "100",
            "--sweeps",
            "300",
        ];
        args.extend_from_slice(extra);
        json(&args)
    };
    let doc = run(&[]);
    let exact = doc["slow_variance"]["exact"].as_f64().unwrap();
    assert!((exact - 20.0).abs() < 1e-9);
    let sigma = exact * (2.0f64 / 400.0).sqrt();
    for v in doc["slow_variance"]["measured"].as_array().unwrap() {
        let v = v.as_f64().unwrap();
        assert!((v - exact).abs() < 4.0 * sigma, "{v} vs {exact} ± {sigma}");
    }
    let rows = doc["rows"].as_array().unwrap();
    let tau = |k: usize| rows[k]["mixing"]["projection"]["tau"].as_f64().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[2]["sampler"], "hmc");
    assert!(
        tau(2) < tau(0),
        "HMC τ {} vs Metropolis τ {}",
        tau(2),
        tau(0)
    );
    for f in ["mixing.csv", "mixing.json", "traces.svg"] {
        assert!(dir.join(f).is_file(), "{f}");
    }
    // Preconditioned (diagonal for Metropolis, dense for MALA and HMC): still exact.
    let pre = run(&["--precondition", "all", "--dense"]);
    for v in pre["slow_variance"]["measured"].as_array().unwrap() {
        let v = v.as_f64().unwrap();
        assert!(
            (v - exact).abs() < 4.0 * sigma,
            "preconditioned: {v} vs {exact} ± {sigma}"
        );
    }
    assert_eq!(pre["rows"][0]["dense"], false);
    assert_eq!(pre["rows"][2]["dense"], true);
    let again = run(&[]);
    for k in 0..3 {
        assert_eq!(
            again["rows"][k]["mixing"]["projection"],
            rows[k]["mixing"]["projection"]
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
