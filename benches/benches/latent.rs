//! The latent-cycle model at the paper's scale (D = 784, L = 6, one-hot): one chain double step,
//! one training epoch (30 updates of T = 48 double steps and a 160-image gradient), the per-epoch
//! diagnostics (5000 double steps + the occupancy log-likelihood of 2940 images), and one EM
//! iteration of the Bernoulli-mixture baseline. Numbers in BENCHMARKS.md.
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use entropic::data::MNIST012;
use entropic::latent::{
    BernoulliMixture, BinaryData, EmParams, LatentStatistics, LogLikelihoodTable, TrainParams,
    Trainer,
};
use entropic::rng::from_seed;
use std::hint::black_box;

fn data() -> BinaryData {
    BinaryData::new(MNIST012.pixels(), 784).unwrap()
}

/// A trainer a few epochs in, so the weights are not at their initial values.
fn warm_trainer(data: &BinaryData) -> Trainer {
    let params = TrainParams {
        batch_start: 160,
        batch_end: 160,
        epochs: 1000,
        ..TrainParams::default()
    };
    let mut t = Trainer::new(params, data, 1).unwrap();
    for _ in 0..5 {
        t.run_epoch(data).unwrap();
    }
    t
}

fn latent(c: &mut Criterion) {
    let data = data();
    let trainer = warm_trainer(&data);
    let mut group = c.benchmark_group("latent");
    let model = trainer.model().clone();
    let cond = model.conditionals();
    let mut chains = trainer.chains().clone();
    let mut rng = from_seed(2);
    group.throughput(Throughput::Elements(48));
    group.bench_function("chain_48_double_steps", |b| {
        b.iter(|| {
            chains.run(&model, &cond, 48, &mut rng, |v| {
                black_box(v.state);
            })
        })
    });
    group.throughput(Throughput::Elements(1));
    group.sample_size(20);
    let mut t = trainer.clone();
    group.bench_function("epoch_30_updates_batch_160", |b| {
        b.iter(|| black_box(t.run_epoch(&data).unwrap()))
    });
    group.bench_function("diagnostics_5000_steps", |b| {
        b.iter(|| {
            let mut chains = trainer.chains().clone();
            let stats =
                LatentStatistics::sample(&model, &mut chains, 50, 5000, 10, 0, &mut rng).unwrap();
            let table = LogLikelihoodTable::new(&model, &data).unwrap();
            black_box(stats.log_likelihood(&table).unwrap())
        })
    });
    group.bench_function("em_iteration", |b| {
        let params = EmParams {
            max_iterations: 1,
            ..EmParams::default()
        };
        b.iter(|| black_box(BernoulliMixture::fit(&data, &params, &mut rng).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, latent);
criterion_main!(benches);
