//! Entropy estimators on a random 16-dimensional Gaussian (thesis Table 4.1 scale): Gaussian fit
//! and MINDE with the exact score on 20 000 samples, kNN on 5000 (it is O(n²d)), KSG mutual
//! information between its first 8 and last 8 coordinates on 5000 pairs, and 100 steps of
//! denoising score matching for the learned score. On 20×20 Ising and XY lattices (Tables 4.3 and
//! 4.2 scale): 100 training steps of the conditional lattice denoiser and one I-MMSE entropy
//! evaluation (1000 draws), without and with belief propagation (XY also with first-harmonic
//! messages); I₁/I₀, the planar kernel, and the first-harmonic message amplitude.
//! Numbers in BENCHMARKS.md.
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};
use entropic::diffusion::{
    Conditioning, ConvDenoiser, ConvDenoiserConfig, Denoiser, DenoiserConfig, GaussianScore,
    LatticeData, LatticeDenoiser, PlanarMessages, ScoreNet, ScoreTrainParams, SpinKind, Trainable,
    Trainer, VpSde,
};
use entropic::entropy::{
    EntropyEstimator, GaussianCase, GaussianFit, Immse, KozachenkoLeonenko, Ksg, KsgVariant, Minde,
    MutualInformation, Reference, Samples,
};
use entropic::rng::Rng;
use entropic::rng::from_seed;
use entropic::special::{LogBesselHarmonic, bessel_ratio, bessel_ratios};
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
    let (half_x, half_y) = (small.columns(0, 8).unwrap(), small.columns(8, 16).unwrap());
    let ksg = Ksg::new(3, KsgVariant::First).unwrap();
    group.bench_function("ksg_k3_5000_8x8", |b| {
        b.iter(|| black_box(ksg.estimate(&half_x, &half_y).unwrap()))
    });
    let score = GaussianScore::new(sde, &case.mean, &case.covariance).unwrap();
    let minde = Minde::new(sde, score, Reference::Isotropic, 100_000, 2).unwrap();
    group.bench_function("minde_exact_score_1e5_draws", |b| {
        b.iter(|| black_box(minde.estimate(&x).unwrap()))
    });
    // One part, and the batch split in two data-parallel parts on two threads.
    for parts in [1, 2] {
        let name = format!("score_net_100_dsm_steps_batch_256/parts{parts}");
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut net = ScoreNet::new(sde, &x, &[128, 128], &mut rng).unwrap();
                let params = ScoreTrainParams {
                    steps: 100,
                    parts,
                    ..ScoreTrainParams::default()
                };
                black_box(net.train(&x, &params, &mut rng, &|| false).unwrap())
            })
        });
    }
    group.finish();
}

/// 20×20 lattices of `kind` (random configurations: the cost does not depend on their
/// statistics), without and with 4 iterations of belief propagation in front of the network.
fn lattice20(c: &mut Criterion, kind: SpinKind) {
    let mut rng = from_seed(2);
    let (side, configs) = (20, 1000);
    let sites = configs * side * side;
    let (name, data, cond, t) = match kind {
        SpinKind::Ising => {
            let spins: Vec<f64> = (0..sites)
                .map(|_| if rng.next_u32() & 1 == 0 { 1.0 } else { -1.0 })
                .collect();
            let data = LatticeData::new(side, spins, vec![2.0; configs]).unwrap();
            ("entropy_ising20", data, (1.0, 4.0), 2.0)
        }
        SpinKind::Planar => {
            let angles: Vec<f64> = (0..sites)
                .map(|_| {
                    std::f64::consts::TAU * (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
                })
                .collect();
            let data = LatticeData::planar(side, &angles, vec![0.5; configs]).unwrap();
            ("entropy_xy20", data, (0.1, 1.5), 0.5)
        }
    };
    let held = Samples::new(
        (0..configs).flat_map(|i| data.config(i).to_vec()).collect(),
        data.config(0).len(),
    )
    .unwrap();
    let sde = VpSde::default();
    let cond = Conditioning::Temperature {
        lo: cond.0,
        hi: cond.1,
    };
    let mut group = c.benchmark_group(name);
    group.sample_size(10);
    let mut variants = vec![
        (0, PlanarMessages::MeanField),
        (4, PlanarMessages::MeanField),
    ];
    if kind == SpinKind::Planar {
        variants.push((4, PlanarMessages::FirstHarmonic));
    }
    for (propagation, messages) in variants {
        let config = DenoiserConfig {
            hidden: vec![64, 64],
            propagation,
            planar_messages: Some(messages),
            site_evidence: Some(false),
            ..DenoiserConfig::default()
        };
        let model =
            LatticeDenoiser::from_config(sde, kind, side, cond.clone(), &config, &mut rng).unwrap();
        let name = match messages {
            PlanarMessages::MeanField => format!("bp{propagation}"),
            PlanarMessages::FirstHarmonic => format!("bp{propagation}_harmonic"),
        };
        // Two data-parallel parts for the belief-propagation model only (the default).
        let parts_list: &[usize] = if propagation > 0 && messages == PlanarMessages::MeanField {
            &[1, 2]
        } else {
            &[1]
        };
        for &parts in parts_list {
            let bench = format!("lattice_denoiser_100_steps_batch_64/{name}/parts{parts}");
            bench_training(&mut group, bench, &model, &data, (100, 64, parts));
        }
        let at = model.at_temperature(t).unwrap();
        bench_immse(
            &mut group,
            &format!("immse_1000_draws/{name}"),
            (sde, kind),
            at,
            &held,
        );
    }
    // The whole-lattice model with its default settings, and for planar spins also the
    // rotation-equivariant one.
    let mut convs = vec![("conv", ConvDenoiserConfig::default())];
    if kind == SpinKind::Planar {
        let equivariant = ConvDenoiserConfig {
            equivariant: true,
            ..ConvDenoiserConfig::default()
        };
        convs.push(("conv_equivariant", equivariant));
    }
    for (label, config) in convs {
        let conv =
            ConvDenoiser::<f32>::from_config(sde, kind, side, cond.clone(), &config, &mut rng)
                .unwrap();
        for parts in [1, 2] {
            let bench = match label {
                "conv" => format!("conv_denoiser_20_steps_batch_16/parts{parts}"),
                _ => format!("conv_denoiser_20_steps_batch_16/{label}/parts{parts}"),
            };
            bench_training(&mut group, bench, &conv, &data, (20, 16, parts));
        }
        let at = conv.at_temperature(t).unwrap();
        bench_immse(
            &mut group,
            &format!("immse_1000_draws/{label}"),
            (sde, kind),
            at,
            &held,
        );
    }
    group.finish();
}

/// `steps` Adam steps of `model` on `data` in batches of `batch` split in `parts`.
fn bench_training<M: Trainable<Data = LatticeData> + Clone>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    bench: String,
    model: &M,
    data: &LatticeData,
    (steps, batch, parts): (usize, usize, usize),
) {
    group.bench_function(bench, |b| {
        b.iter(|| {
            let params = ScoreTrainParams {
                steps,
                batch,
                learning_rate: 2e-3,
                ema_decay: 0.999,
                parts,
            };
            let mut run = Trainer::new(model.clone(), data, params, 3).unwrap();
            black_box(run.run(data, steps).unwrap())
        })
    });
}

/// One I-MMSE entropy of the held-out lattices (1000 draws) with `denoiser`.
fn bench_immse<D: Denoiser + Clone>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    bench: &str,
    (sde, kind): (VpSde, SpinKind),
    denoiser: D,
    held: &Samples,
) {
    let immse = match kind {
        SpinKind::Ising => Immse::new(sde, denoiser, 1000, 40, 4),
        SpinKind::Planar => Immse::on_circles(sde, denoiser, 1000, 40, 4),
    }
    .unwrap();
    group.bench_function(bench, |b| {
        b.iter(|| black_box(immse.estimate(held).unwrap()))
    });
}

fn lattices(c: &mut Criterion) {
    lattice20(c, SpinKind::Ising);
    lattice20(c, SpinKind::Planar);
}

/// I₁/I₀ over the range planar belief propagation and posteriors meet.
fn bessel(c: &mut Criterion) {
    let xs: Vec<f64> = (0..1000).map(|i| 0.07 * f64::from(i)).collect();
    c.bench_function("bessel_ratio_1000_args_0_to_70", |b| {
        b.iter(|| black_box(xs.iter().map(|&x| bessel_ratio(black_box(x))).sum::<f64>()))
    });
    // Belief propagation meets its arguments in no particular order: the same 1000 arguments
    // scrambled, one at a time and four at a time.
    let scrambled: Vec<f64> = (0..1000).map(|i| xs[(i * 617) % 1000]).collect();
    c.bench_function("bessel_ratio_1000_args_scrambled", |b| {
        b.iter(|| {
            black_box(
                scrambled
                    .iter()
                    .map(|&x| bessel_ratio(black_box(x)))
                    .sum::<f64>(),
            )
        })
    });
    c.bench_function("bessel_ratios_1000_args_scrambled_in_fours", |b| {
        b.iter(|| {
            black_box(
                scrambled
                    .chunks_exact(4)
                    .map(|x| {
                        bessel_ratios(black_box([x[0], x[1], x[2], x[3]]))
                            .iter()
                            .sum::<f64>()
                    })
                    .sum::<f64>(),
            )
        })
    });
    // The planar BP message amplitude that replaces β A(r): table build and 1000 lookups.
    c.bench_function("log_bessel_harmonic_table", |b| {
        b.iter(|| black_box(LogBesselHarmonic::new()))
    });
    let table = LogBesselHarmonic::new();
    c.bench_function("log_bessel_harmonic_1000_args_scrambled", |b| {
        b.iter(|| {
            black_box(
                scrambled
                    .iter()
                    .map(|&r| table.eval(black_box(1.1), black_box(r)))
                    .sum::<f64>(),
            )
        })
    });
}

criterion_group!(benches, entropy, lattices, bessel);
criterion_main!(benches);
