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
