//! One training step (forward + backward + Adam) of the networks the papers train, in f32 and
//! f64. The PyTorch comparison lives in `benches/peers/torch_step.py`; numbers in BENCHMARKS.md.
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use entropic::nn::classifier::DigitClassifier;
use entropic::nn::loss::mse;
use entropic::nn::optim::{Adam, Optimizer};
use entropic::nn::{ActivationKind, Network, Scalar};
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

fn bench_network<T: Scalar>(c: &mut Criterion, name: &str, mut net: Network<T>) {
    let x: Vec<T> = (0..BATCH * net.inputs())
        .map(|k| T::of((k as f64 * 0.37).sin()))
        .collect();
    let target: Vec<T> = (0..BATCH * net.outputs())
        .map(|k| T::of((k as f64 * 0.11).cos()))
        .collect();
    let mut adam = Adam::default_params();
    let mut grad = Vec::new();
    let mut group = c.benchmark_group("nn_train_step");
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
    );
    bench_network(
        c,
        "mlp_64_128_128_16_f64",
        Network::<f64>::mlp(&[64, 128, 128, 16], ActivationKind::Tanh, &mut rng).unwrap(),
    );
    bench_network(
        c,
        "mlp_64_128_128_16_relu_f32",
        Network::<f32>::mlp(&[64, 128, 128, 16], ActivationKind::Relu, &mut rng).unwrap(),
    );
}

fn cnn(c: &mut Criterion) {
    let mut rng = entropic::rng::from_seed(1);
    bench_network(
        c,
        "digits_cnn_f32",
        DigitClassifier::architecture(&mut rng).unwrap(),
    );
}

criterion_group!(benches, mlp, cnn);
criterion_main!(benches);
