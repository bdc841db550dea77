//! One training step (forward + backward + Adam) of the networks the papers train, in f32 and
//! f64. The PyTorch comparison lives in `benches/peers/torch_step.py`; numbers in BENCHMARKS.md.
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use entropic::nn::classifier::DigitClassifier;
use entropic::nn::loss::mse;
use entropic::nn::optim::{Adam, Optimizer};
use entropic::nn::{Activation, ActivationKind, Conv2d, Layer, Network, Padding, Scalar};
use std::hint::black_box;

const BATCH: usize = 64;

fn step<T: Scalar>(
    net: &mut Network<T>,
    adam: &mut Adam<T>,
    x: &[T],
    target: &[T],
    grad: &mut Vec<T>,
) -> T {
    net.zero_grad();
    let y = net.forward(x, BATCH).unwrap();
    let loss = mse(y, target, grad).unwrap();
    net.backward(grad).unwrap();
    adam.step(T::of(1e-3), &mut net.params_and_grads());
    loss
}

/// Criterion's sample count for a step that takes well under a millisecond.
const SAMPLES: usize = 100;

fn bench_network<T: Scalar>(c: &mut Criterion, name: &str, mut net: Network<T>, samples: usize) {
    let x: Vec<T> = (0..BATCH * net.inputs())
        .map(|k| T::of((k as f64 * 0.37).sin()))
        .collect();
    let target: Vec<T> = (0..BATCH * net.outputs())
        .map(|k| T::of((k as f64 * 0.11).cos()))
        .collect();
    let mut adam = Adam::default_params();
    let mut grad = Vec::new();
    let mut group = c.benchmark_group("nn_train_step");
    group.sample_size(samples);
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function(name, |b| {
        b.iter(|| black_box(step(&mut net, &mut adam, &x, &target, &mut grad)))
    });
    group.finish();
}

fn mlp(c: &mut Criterion) {
    let mut rng = entropic::rng::from_seed(1);
    bench_network(
        c,
        "mlp_64_128_128_16_f32",
        Network::<f32>::mlp(&[64, 128, 128, 16], ActivationKind::Tanh, &mut rng).unwrap(),
        SAMPLES,
    );
    bench_network(
        c,
        "mlp_64_128_128_16_f64",
        Network::<f64>::mlp(&[64, 128, 128, 16], ActivationKind::Tanh, &mut rng).unwrap(),
        SAMPLES,
    );
    bench_network(
        c,
        "mlp_64_128_128_16_relu_f32",
        Network::<f32>::mlp(&[64, 128, 128, 16], ActivationKind::Relu, &mut rng).unwrap(),
        SAMPLES,
    );
}

fn cnn(c: &mut Criterion) {
    let mut rng = entropic::rng::from_seed(1);
    bench_network(
        c,
        "digits_cnn_f32",
        DigitClassifier::architecture(&mut rng).unwrap(),
        SAMPLES,
    );
}

/// The size of a whole-lattice convolutional denoiser for 20×20 XY (the candidate non-local
/// model of issue #8): (cos θ, sin θ) in, five 3×3 convolutions to 32 channels with tanh, a 3×3
/// convolution back to 2 channels (receptive field 13×13); 'same' (zero) padding costs what a
/// periodic one would. One step is a batch of 64 lattices.
fn lattice_cnn(c: &mut Criterion) {
    let mut rng = entropic::rng::from_seed(1);
    let (side, width) = (20, 32);
    let mut net = Network::<f32>::new(2 * side * side);
    let channels = [2, width, width, width, width, width, 2];
    for (k, pair) in channels.windows(2).enumerate() {
        let conv = Conv2d::new(pair[0], pair[1], side, side, 3, Padding::Same, &mut rng).unwrap();
        let outputs = conv.outputs();
        net.push(Layer::Conv2d(conv)).unwrap();
        if k + 2 < channels.len() {
            let tanh = Activation::new(ActivationKind::Tanh, outputs);
            net.push(Layer::Activation(tanh)).unwrap();
        }
    }
    bench_network(c, "lattice_cnn_20x20_32ch_f32", net, 10);
}

/// One convolution, forward and both backward passes (∂L/∂x and ∂L/∂W, no optimiser), on the
/// shapes the crate's networks use. Throughput is counted in useful FLOPs (3 × 2·C_in·C_out·k²·H·W
/// per image, padding not counted), so criterion's "elem/s" reads as FLOP/s.
fn conv_layers(c: &mut Criterion) {
    let mut rng = entropic::rng::from_seed(1);
    let mut group = c.benchmark_group("conv_layer");
    group.sample_size(20);
    // (name, in, out, side, padding, dilation, batch)
    let shapes = [
        ("digits_1to8_8x8_same", 1, 8, 8, Padding::Same, 1, 64),
        ("digits_8to16_8x8_same", 8, 16, 8, Padding::Same, 1, 64),
        ("lattice_2to32_20x20_same", 2, 32, 20, Padding::Same, 1, 64),
        (
            "lattice_32to32_20x20_same",
            32,
            32,
            20,
            Padding::Same,
            1,
            64,
        ),
        ("lattice_32to2_20x20_same", 32, 2, 20, Padding::Same, 1, 64),
        (
            "lattice_32to32_20x20_periodic",
            32,
            32,
            20,
            Padding::Periodic,
            1,
            64,
        ),
        (
            "lattice_32to32_20x20_periodic_dilation4",
            32,
            32,
            20,
            Padding::Periodic,
            4,
            64,
        ),
        (
            "lattice_32to32_64x64_periodic",
            32,
            32,
            64,
            Padding::Periodic,
            1,
            16,
        ),
    ];
    for (name, cin, cout, side, padding, dilation, batch) in shapes {
        let conv = Conv2d::<f32>::new(cin, cout, side, side, 3, padding, &mut rng)
            .unwrap()
            .with_dilation(dilation)
            .unwrap();
        let mut net = Network::new(conv.inputs());
        net.push(Layer::Conv2d(conv)).unwrap();
        let x: Vec<f32> = (0..batch * net.inputs())
            .map(|k| (k as f32 * 0.37).sin())
            .collect();
        let dy: Vec<f32> = (0..batch * net.outputs())
            .map(|k| (k as f32 * 0.11).cos())
            .collect();
        let flops = 3 * 2 * cin * cout * 9 * side * side * batch;
        group.throughput(Throughput::Elements(flops as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                net.forward(&x, batch).unwrap();
                black_box(net.backward(&dy).unwrap().len())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, mlp, cnn, lattice_cnn, conv_layers);
criterion_main!(benches);
