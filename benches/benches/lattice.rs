//! Spin-lattice kernels. Throughput is in attempted spin flips (single-spin samplers, every
//! replica counted for multi-spin) or spins flipped (cluster samplers), so criterion reports
//! elements per second; BENCHMARKS.md converts to per nanosecond.
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use entropic::lattice::{Ising, PackedIsing, Square, Temperature, Xy};
use entropic::model::{Model, Sampler};
use entropic::sampler::{MultiSpin, OnSquare, SingleFlip, SwendsenWang, Wolff, XyMetropolis};
use std::hint::black_box;

const SIZES: [usize; 8] = [16, 32, 64, 128, 256, 512, 1024, 2048];

fn tc() -> Temperature {
    Temperature::ising_critical(1.0).unwrap()
}

/// Benchmark `step` after `warm` warm-up steps with `elements` per step.
fn bench_steps<M: Model, S: Sampler<M>>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    id: BenchmarkId,
    model: &M,
    sampler: &mut S,
    state: &mut M::State,
    elements: u64,
) {
    let mut rng = entropic::rng::from_seed(7);
    group.throughput(Throughput::Elements(elements));
    group.bench_function(id, |b| {
        b.iter(|| black_box(sampler.step(model, state, &mut rng)))
    });
}

/// Checkerboard Metropolis sweeps of `model(L)` at `t` for every side in `sizes`.
fn single_flip_sweeps(
    c: &mut Criterion,
    name: &str,
    sizes: &[usize],
    t: Temperature,
    model: impl Fn(usize) -> Ising,
) {
    let mut group = c.benchmark_group(name);
    group.sample_size(10);
    for &l in sizes {
        let model = model(l);
        let mut sampler = SingleFlip::checkerboard_metropolis(&model, t).unwrap();
        let mut rng = entropic::rng::from_seed(1);
        let mut state = model.random_state(&mut rng);
        bench_steps(
            &mut group,
            BenchmarkId::from_parameter(l),
            &model,
            &mut sampler,
            &mut state,
            (l * l) as u64,
        );
    }
    group.finish();
}

fn ising_checkerboard_metropolis(c: &mut Criterion) {
    single_flip_sweeps(c, "ising_checkerboard_metropolis_tc", &SIZES, tc(), |l| {
        Ising::new(Square::with_side(l).unwrap(), 1.0, 0.0).unwrap()
    });
}

/// With a frustrating diagonal coupling J₂ = −0.25 at T = 1.5 (near its transition, measured on
/// 20×20): the sequential sweep that also sums the diagonals.
fn ising_next_nearest_metropolis(c: &mut Criterion) {
    let t = Temperature::new(1.5).unwrap();
    single_flip_sweeps(
        c,
        "ising_next_nearest_metropolis",
        &[64, 256, 1024],
        t,
        |l| {
            Ising::new(Square::with_side(l).unwrap(), 1.0, 0.0)
                .unwrap()
                .with_next_nearest(-0.25)
                .unwrap()
        },
    );
}

fn ising_multispin(c: &mut Criterion) {
    let mut group = c.benchmark_group("ising_multispin_tc");
    group.sample_size(10);
    for l in SIZES {
        let model =
            PackedIsing::new(Ising::new(Square::with_side(l).unwrap(), 1.0, 0.0).unwrap()).unwrap();
        let mut sampler = MultiSpin::new(&model, tc()).unwrap();
        let mut rng = entropic::rng::from_seed(1);
        let mut state = model.random_state(&mut rng);
        bench_steps(
            &mut group,
            BenchmarkId::from_parameter(l),
            &model,
            &mut sampler,
            &mut state,
            (64 * l * l) as u64,
        );
    }
    group.finish();
}

/// Swendsen–Wang at T_c: one step updates the whole lattice; throughput in sites per second.
fn ising_swendsen_wang(c: &mut Criterion) {
    let mut group = c.benchmark_group("ising_swendsen_wang_tc");
    group.sample_size(10);
    for l in [64, 256, 1024] {
        let model = Ising::new(Square::with_side(l).unwrap(), 1.0, 0.0).unwrap();
        let mut sampler = SwendsenWang::new(&model, tc()).unwrap();
        let mut rng = entropic::rng::from_seed(1);
        let mut state = model.random_state(&mut rng);
        for _ in 0..20 {
            sampler.step(&model, &mut state, &mut rng);
        }
        bench_steps(
            &mut group,
            BenchmarkId::from_parameter(l),
            &model,
            &mut sampler,
            &mut state,
            (l * l) as u64,
        );
    }
    group.finish();
}

/// Wolff clusters at T_c; throughput in spins flipped (see `bench_wolff`).
fn ising_wolff(c: &mut Criterion) {
    let mut group = c.benchmark_group("ising_wolff_tc");
    group.sample_size(20);
    for l in [64usize, 256, 1024] {
        let model = Ising::new(Square::with_side(l).unwrap(), 1.0, 0.0).unwrap();
        let wolff = Wolff::ising(&model, tc()).unwrap();
        let state = model.random_state(&mut entropic::rng::from_seed(1));
        bench_wolff(&mut group, l, &model, wolff, state, 200);
    }
    group.finish();
}

/// XY at T = 0.89 (near the BKT transition): Metropolis proposals and Wolff spins flipped.
fn xy(c: &mut Criterion) {
    let t = Temperature::new(0.89).unwrap();
    let mut group = c.benchmark_group("xy_metropolis");
    group.sample_size(10);
    for l in [64usize, 256] {
        let model = Xy::new(Square::with_side(l).unwrap(), 1.0, 0.0).unwrap();
        let mut sampler = XyMetropolis::new(t);
        let mut rng = entropic::rng::from_seed(1);
        let mut state = model.random_state(&mut rng);
        sampler.tune(&model, &mut state, 100, &mut rng);
        bench_steps(
            &mut group,
            BenchmarkId::from_parameter(l),
            &model,
            &mut sampler,
            &mut state,
            (l * l) as u64,
        );
    }
    group.finish();
    let mut group = c.benchmark_group("xy_wolff");
    group.sample_size(10);
    for l in [64usize, 256] {
        let model = Xy::new(Square::with_side(l).unwrap(), 1.0, 0.0).unwrap();
        let wolff = Wolff::xy(&model, t).unwrap();
        let state = model.random_state(&mut entropic::rng::from_seed(1));
        bench_wolff(&mut group, l, &model, wolff, state, 50);
    }
    group.finish();
}

/// Benchmark Wolff on `model`: calibrate (200 sweep-equivalents), measure the mean spins flipped
/// per step over `probe` steps, then time steps with each measured time rescaled to exactly that
/// many flipped spins per iteration (iter_custom), which removes the cluster-size noise from the
/// reported throughput.
fn bench_wolff<M: Model + OnSquare>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    l: usize,
    model: &M,
    mut wolff: Wolff,
    mut state: M::State,
    probe: u64,
) where
    Wolff: Sampler<M>,
{
    let mut rng = entropic::rng::from_seed(7);
    wolff.calibrate(model, &mut state, 200, &mut rng);
    let elements = (0..probe)
        .map(|_| wolff.step(model, &mut state, &mut rng).accepted)
        .sum::<u64>()
        / probe;
    group.throughput(Throughput::Elements(elements));
    group.bench_function(BenchmarkId::from_parameter(l), |b| {
        b.iter_custom(|iters| {
            let start = std::time::Instant::now();
            let flipped: u64 = (0..iters)
                .map(|_| black_box(wolff.step(model, &mut state, &mut rng)).accepted)
                .sum();
            start
                .elapsed()
                .mul_f64((elements * iters) as f64 / flipped.max(1) as f64)
        })
    });
}

criterion_group!(
    benches,
    ising_checkerboard_metropolis,
    ising_next_nearest_metropolis,
    ising_multispin,
    ising_wolff,
    ising_swendsen_wang,
    xy
);
criterion_main!(benches);
