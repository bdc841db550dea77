//! Spin-lattice kernels. Throughput is in attempted spin flips (elements), so criterion reports
//! flips per second; BENCHMARKS.md converts to flips per nanosecond.
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use entropic::lattice::{Ising, PackedIsing, Square, Temperature};
use entropic::model::Sampler;
use entropic::sampler::{MultiSpin, SingleFlip, Wolff};
use std::hint::black_box;

fn checkerboard_metropolis(c: &mut Criterion) {
    let mut group = c.benchmark_group("ising_checkerboard_metropolis_tc");
    for l in [16usize, 64, 256, 1024] {
        let model = Ising::new(Square::with_side(l).unwrap(), 1.0, 0.0).unwrap();
        let tc = Temperature::ising_critical(1.0).unwrap();
        let mut sampler = SingleFlip::checkerboard_metropolis(&model, tc).unwrap();
        let mut rng = entropic::rng::from_seed(1);
        let mut state = model.random_state(&mut rng);
        for _ in 0..100 {
            sampler.step(&model, &mut state, &mut rng);
        }
        group.throughput(Throughput::Elements((l * l) as u64));
        group.bench_function(BenchmarkId::from_parameter(l), |b| {
            b.iter(|| black_box(sampler.step(&model, &mut state, &mut rng)))
        });
    }
    group.finish();
}

/// Wolff clusters at T_c; throughput in spins flipped (one step = one cluster here).
fn wolff_ising(c: &mut Criterion) {
    let mut group = c.benchmark_group("ising_wolff_tc");
    for l in [64usize, 256, 1024] {
        let model = Ising::new(Square::with_side(l).unwrap(), 1.0, 0.0).unwrap();
        let tc = Temperature::ising_critical(1.0).unwrap();
        let mut wolff = Wolff::ising(&model, tc).unwrap();
        let mut rng = entropic::rng::from_seed(1);
        let mut state = model.random_state(&mut rng);
        let per_step = wolff.calibrate(&model, &mut state, 200, &mut rng);
        // Spins flipped per step, measured over many steps so the throughput is an average.
        let flipped: u64 = (0..200)
            .map(|_| wolff.step(&model, &mut state, &mut rng).accepted)
            .sum();
        group.throughput(Throughput::Elements(flipped / 200));
        group.bench_function(
            BenchmarkId::from_parameter(format!("{l}x{per_step}clusters")),
            |b| b.iter(|| black_box(wolff.step(&model, &mut state, &mut rng))),
        );
    }
    group.finish();
}

/// Multi-spin coded checkerboard Metropolis, 64 replicas per word, at T_c; throughput counts
/// every replica's attempted flips (64·N per sweep).
fn multispin(c: &mut Criterion) {
    let mut group = c.benchmark_group("ising_multispin_tc");
    for l in [16usize, 64, 256, 1024] {
        let model =
            PackedIsing::new(Ising::new(Square::with_side(l).unwrap(), 1.0, 0.0).unwrap()).unwrap();
        let tc = Temperature::ising_critical(1.0).unwrap();
        let mut sampler = MultiSpin::new(&model, tc).unwrap();
        let mut rng = entropic::rng::from_seed(1);
        let mut state = model.random_state(&mut rng);
        for _ in 0..100 {
            sampler.step(&model, &mut state, &mut rng);
        }
        group.throughput(Throughput::Elements((64 * l * l) as u64));
        group.bench_function(BenchmarkId::from_parameter(l), |b| {
            b.iter(|| black_box(sampler.step(&model, &mut state, &mut rng)))
        });
    }
    group.finish();
}

criterion_group!(benches, checkerboard_metropolis, wolff_ising, multispin);
criterion_main!(benches);
