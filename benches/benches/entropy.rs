//! Entropy estimators on a random 16-dimensional Gaussian (thesis Table 4.1 scale): Gaussian fit
//! and MINDE with the exact score on 20 000 samples, kNN on 5000 (it is O(n²d)), and 100 steps of
//! denoising score matching for the learned score. Numbers in BENCHMARKS.md.
use criterion::{Criterion, criterion_group, criterion_main};
use entropic::diffusion::{GaussianScore, ScoreNet, ScoreTrainParams, VpSde};
use entropic::entropy::{
    EntropyEstimator, GaussianCase, GaussianFit, KozachenkoLeonenko, Minde, Reference,
};
use entropic::rng::from_seed;
use std::hint::black_box;

fn entropy(c: &mut Criterion) {
    let mut rng = from_seed(1);
    let case = GaussianCase::random(16, &mut rng).unwrap();
    let x = case.sample(20_000, &mut rng).unwrap();
    let small = case.sample(5_000, &mut rng).unwrap();
    let sde = VpSde::default();
    let mut group = c.benchmark_group("entropy_d16");
    group.sample_size(10);
    group.bench_function("gaussian_fit_20000", |b| {
        b.iter(|| black_box(GaussianFit.estimate(&x).unwrap()))
    });
    let knn = KozachenkoLeonenko::new(5).unwrap();
    group.bench_function("knn_k5_5000", |b| {
        b.iter(|| black_box(knn.estimate(&small).unwrap()))
    });
    let score = GaussianScore::new(sde, &case.mean, &case.covariance).unwrap();
    let minde = Minde::new(sde, score, Reference::Isotropic, 100_000, 2).unwrap();
    group.bench_function("minde_exact_score_1e5_draws", |b| {
        b.iter(|| black_box(minde.estimate(&x).unwrap()))
    });
    group.bench_function("score_net_100_dsm_steps_batch_256", |b| {
        b.iter(|| {
            let mut net = ScoreNet::new(sde, &x, &[128, 128], &mut rng).unwrap();
            let params = ScoreTrainParams {
                steps: 100,
                ..ScoreTrainParams::default()
            };
            black_box(net.train(&x, &params, &mut rng).unwrap())
        })
    });
    group.finish();
}

criterion_group!(benches, entropy);
criterion_main!(benches);
