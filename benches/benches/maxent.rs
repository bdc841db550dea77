//! Min-MaxEnt kernels: one Metropolis sweep of the digits model (CNN observables, 64 pixels, one
//! batched network evaluation per pixel), one HMC sweep (L = 10 leapfrog steps: a network
//! evaluation and input gradient per step) and one training epoch (sweeps + λ step + θ step),
//! at the CLI's default sizes, with the network on one and on two threads ([`RowParallel`]; the
//! same bits either way). Numbers in BENCHMARKS.md.
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use entropic::maxent::digits::{PIXELS, digit_sets, digits_observables};
use entropic::maxent::{MaxEnt, Moves, RowParallel, TrainParams, Trainer, Walkers};
use entropic::rng::{from_seed, uniform_f64};
use std::hint::black_box;

const WALKERS: usize = 400;

type Model = MaxEnt<RowParallel<entropic::nn::Network<f64>>>;

fn setup(threads: usize) -> (Model, Walkers, Vec<f64>) {
    let mut rng = from_seed(1);
    let net = digits_observables((4, 8), 16, &mut rng).unwrap();
    let lambda: Vec<f64> = (0..16).map(|_| uniform_f64(&mut rng) - 0.5).collect();
    let model = MaxEnt::new(RowParallel::new(net, threads), lambda).unwrap();
    let start: Vec<f64> = (0..WALKERS * PIXELS)
        .map(|_| uniform_f64(&mut rng))
        .collect();
    let walkers = Walkers::new(PIXELS, start, 0.2, Some((0.0, 1.0))).unwrap();
    let data = digit_sets(200).unwrap().train;
    (model, walkers, data)
}

fn digits(c: &mut Criterion) {
    let mut group = c.benchmark_group("maxent_digits");
    group.sample_size(20);
    group.throughput(Throughput::Elements(WALKERS as u64));
    for threads in [1, 2] {
        let (mut model, mut walkers, data) = setup(threads);
        let mut rng = from_seed(2);
        group.bench_function(format!("sweep_400_walkers/threads_{threads}"), |b| {
            b.iter(|| black_box(walkers.sweep(&mut model, &mut rng)))
        });
        // HMC at the step the digits mixing run adapts to (≈ 0.02 in pixel units).
        let mut hmc = Walkers::new(PIXELS, walkers.positions().to_vec(), 0.02, Some((0.0, 1.0)))
            .and_then(|w| w.with_moves(Moves::Hamiltonian(10)))
            .unwrap();
        group.bench_function(
            format!("hmc_sweep_400_walkers_l10/threads_{threads}"),
            |b| b.iter(|| black_box(hmc.sweep(&mut model, &mut rng))),
        );
        let (model, walkers, _) = setup(threads);
        let params = TrainParams {
            iterations: 1_000_000,
            sweeps: 4,
            warmup: 0,
            ..TrainParams::default()
        };
        let mut trainer = Trainer::new(model, walkers, &data, params, 3).unwrap();
        group.bench_function(
            format!("epoch_400_walkers_4_sweeps/threads_{threads}"),
            |b| b.iter(|| black_box(trainer.step(&data).unwrap().chi2)),
        );
    }
    group.finish();
}

criterion_group!(benches, digits);
criterion_main!(benches);
