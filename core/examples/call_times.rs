//! Fastest wall time (of REPEATS) of the library calls the Python package wraps, in-process with no Python:
//! the reference of `benches/peers/python_overhead.py`, which runs this and the same calls
//! through `entropic` (Python) side by side and reports the overhead (issue #30).
//!
//! Run: `cargo run --release -p entropic --example call_times [REPEATS]` (default 7); prints
//! one JSON object {call: seconds}.
use entropic::entropy::{EntropyEstimator, KozachenkoLeonenko};
use entropic::experiment::{
    Configs, EntropyCompare, EntropyCompareConfig, LatticeSample, LatticeSampleConfig, Sequential,
    SpinModel, concatenate,
};
use entropic::samples::Samples;
use std::time::Instant;

type Error = Box<dyn core::error::Error>;

/// The fastest of `repeats` timings of `f` (CPU-bound deterministic work: the minimum is the
/// least disturbed by other load).
fn fastest(repeats: usize, mut f: impl FnMut() -> Result<(), Error>) -> Result<f64, Error> {
    let mut times = Vec::with_capacity(repeats);
    for _ in 0..repeats {
        let start = Instant::now();
        f()?;
        times.push(start.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    Ok(times[0])
}

/// `lattice.sample(size=32, temperatures=2.5, samples=2000, seed=1)`.
fn ising() -> LatticeSampleConfig {
    let mut c = LatticeSampleConfig::default();
    c.chain.size = 32;
    c.temperatures = vec![2.5];
    c.samples = 2000;
    c
}

/// The angles of `lattice.sample(model="xy", size=4, temperatures=1.0, samples=5000, seed=2)`
/// as 5000 × 16 samples.
fn xy_samples() -> Result<Samples, Error> {
    let mut c = LatticeSampleConfig::default();
    c.chain.model = SpinModel::Xy;
    c.chain.size = 4;
    c.temperatures = vec![1.0];
    c.samples = 5000;
    let chains = LatticeSample::new(c)?.run(2, &Sequential)?;
    let Configs::Angles(angles) = concatenate(&chains) else {
        return Err("XY chains give angles".into());
    };
    Ok(Samples::new(angles, 16)?)
}

fn main() -> Result<(), Error> {
    let repeats: usize = match std::env::args().nth(1) {
        Some(r) => r.parse()?,
        None => 7,
    };
    if repeats == 0 {
        return Err("REPEATS must be at least 1".into());
    }
    let sample = LatticeSample::new(ising())?;
    let t_sample = fastest(repeats, || {
        sample.run(1, &Sequential)?;
        Ok(())
    })?;
    let x = xy_samples()?;
    let knn = KozachenkoLeonenko::new(5)?;
    let t_knn = fastest(repeats, || {
        knn.estimate(&x)?;
        Ok(())
    })?;
    let mut config = EntropyCompareConfig::default();
    config.estimators.train_steps = 0;
    let t_compare = fastest(repeats, || {
        EntropyCompare::new(config.clone(), x.clone())?.run(0, &Sequential)?;
        Ok(())
    })?;
    println!(
        "{{\"lattice.sample\": {t_sample}, \"entropy.knn\": {t_knn}, \"entropy.compare\": {t_compare}}}"
    );
    Ok(())
}
