//! Shared test helpers. Tolerances are in units of the estimate's own standard error.
use crate::stats::MeanEstimate;

/// Asserts `|estimate − exact| ≤ k σ`, printing everything on failure.
pub fn assert_within_sigmas(estimate: &MeanEstimate, exact: f64, k: f64) {
    let dev = (estimate.value - exact).abs();
    assert!(
        dev <= k * estimate.std_error,
        "estimate {} ± {} (τ = {:.2}, n = {}) is {:.2} σ from exact {}",
        estimate.value,
        estimate.std_error,
        estimate.autocorrelation.tau,
        estimate.samples,
        dev / estimate.std_error,
        exact
    );
}

/// Central finite-difference check of a network's input and parameter gradients for the
/// objective L = Σ rᵢ yᵢ (so ∂L/∂y = r). Panics with the worst offender unless every component
/// satisfies |analytic − numeric| ≤ 1e-4 · max(|analytic|, |numeric|) + 1e-8.
pub fn check_gradients(net: &mut crate::nn::Network<f64>, x: &[f64], batch: usize, r: &[f64]) {
    const H: f64 = 1e-6;
    let objective = |net: &mut crate::nn::Network<f64>, x: &[f64]| -> f64 {
        net.forward(x, batch)
            .unwrap()
            .iter()
            .zip(r)
            .map(|(y, r)| y * r)
            .sum()
    };
    let close = |a: f64, n: f64| (a - n).abs() <= 1e-4 * a.abs().max(n.abs()) + 1e-8;
    net.zero_grad();
    net.forward(x, batch).unwrap();
    let dx = net.backward(r).unwrap().to_vec();
    let grads: alloc::vec::Vec<alloc::vec::Vec<f64>> = net
        .params_and_grads()
        .into_iter()
        .map(|(_, g)| g.to_vec())
        .collect();
    let mut xp = x.to_vec();
    for i in 0..x.len() {
        xp[i] = x[i] + H;
        let up = objective(net, &xp);
        xp[i] = x[i] - H;
        let down = objective(net, &xp);
        xp[i] = x[i];
        let numeric = (up - down) / (2.0 * H);
        assert!(
            close(dx[i], numeric),
            "input {i}: analytic {} vs numeric {numeric}",
            dx[i]
        );
    }
    for (t, g) in grads.iter().enumerate() {
        for (j, &analytic) in g.iter().enumerate() {
            let nudge = |net: &mut crate::nn::Network<f64>, d: f64| {
                net.params_and_grads()[t].0[j] += d;
            };
            nudge(net, H);
            let up = objective(net, x);
            nudge(net, -2.0 * H);
            let down = objective(net, x);
            nudge(net, H);
            let numeric = (up - down) / (2.0 * H);
            assert!(
                close(analytic, numeric),
                "tensor {t} param {j}: analytic {analytic} vs numeric {numeric}"
            );
        }
    }
}

/// Central finite-difference check (h = 1e-6) of a trainable model's parameter gradient:
/// `loss` zeroes and accumulates the gradient and returns the loss; every `stride`-th parameter
/// of every tensor must satisfy |analytic − numeric| < `tolerance` · (1 + |numeric|).
pub fn check_trainable_gradient<M: crate::diffusion::Trainable + Clone>(
    model: &mut M,
    stride: usize,
    tolerance: f64,
    loss: impl Fn(&mut M) -> f64,
) {
    const H: f64 = 1e-6;
    loss(model);
    let grads: alloc::vec::Vec<alloc::vec::Vec<f64>> = model
        .params_and_grads()
        .iter()
        .map(|(_, g)| g.to_vec())
        .collect();
    for (tensor, g) in grads.iter().enumerate() {
        for idx in (0..g.len()).step_by(stride) {
            let shifted = |delta: f64| {
                let mut m = model.clone();
                m.params_and_grads()[tensor].0[idx] += delta;
                loss(&mut m)
            };
            let numeric = (shifted(H) - shifted(-H)) / (2.0 * H);
            assert!(
                (numeric - g[idx]).abs() < tolerance * (1.0 + numeric.abs()),
                "tensor {tensor} [{idx}]: analytic {} vs finite difference {numeric}",
                g[idx]
            );
        }
    }
}

/// Data-parallel gradients: `parts` parts on threads give the same bits as in turn (so the
/// thread count never changes a result), and the same loss and gradient as one piece up to
/// rounding (relative 1e-12).
pub fn check_data_parallel<M: crate::diffusion::Trainable>(
    model: &M,
    batch: &M::Batch,
    parts: usize,
) {
    use crate::diffusion::trainer::batch_gradient;
    let run = |parts: usize, parallel: bool| {
        let mut m = model.clone();
        let loss =
            batch_gradient(&mut m, &mut alloc::vec::Vec::new(), batch, parts, parallel).unwrap();
        let grads: alloc::vec::Vec<f64> = m
            .params_and_grads()
            .iter()
            .flat_map(|(_, g)| g.iter().copied())
            .collect();
        (loss, grads)
    };
    let (threads, in_turn, whole) = (run(parts, true), run(parts, false), run(1, false));
    assert_eq!(threads.0.to_bits(), in_turn.0.to_bits());
    assert!(
        threads
            .1
            .iter()
            .zip(&in_turn.1)
            .all(|(a, b)| a.to_bits() == b.to_bits())
    );
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * (1.0 + a.abs().max(b.abs()));
    assert!(
        close(threads.0, whole.0),
        "loss {} vs {}",
        threads.0,
        whole.0
    );
    for (a, b) in threads.1.iter().zip(&whole.1) {
        assert!(close(*a, *b), "gradient {a} vs {b}");
    }
    assert!(whole.1.iter().any(|g| *g != 0.0));
}

/// Eigenvectors of a symmetric n×n matrix (row-major) by cyclic Jacobi rotations; returns the
/// eigenvectors as the columns of a row-major matrix, with their eigenvalues.
pub fn symmetric_eigen(a: &[f64], n: usize) -> (alloc::vec::Vec<f64>, alloc::vec::Vec<f64>) {
    let mut a = a.to_vec();
    let mut v: alloc::vec::Vec<f64> = (0..n * n)
        .map(|k| if k / n == k % n { 1.0 } else { 0.0 })
        .collect();
    for _ in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j] * a[i * n + j])
            .sum();
        if off < 1e-24 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                if a[p * n + q].abs() < 1e-300 {
                    continue;
                }
                let theta = 0.5 * libm::atan2(2.0 * a[p * n + q], a[q * n + q] - a[p * n + p]);
                let (s, c) = libm::sincos(theta);
                for k in 0..n {
                    let (akp, akq) = (a[k * n + p], a[k * n + q]);
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[p * n + k], a[q * n + k]);
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                for k in 0..n {
                    let (vkp, vkq) = (v[k * n + p], v[k * n + q]);
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..n).map(|i| a[i * n + i]).collect(), v)
}

/// Drop the last element of the first non-empty state vector under the first key `key` in a
/// saved run (an optimiser moment one element short), returning the edited JSON.
#[cfg(feature = "serde")]
pub fn shorten_optimiser_state(bytes: &[u8], key: &str) -> alloc::vec::Vec<u8> {
    fn visit(v: &mut serde_json::Value, key: &str) -> bool {
        match v {
            serde_json::Value::Object(map) => {
                if let Some(serde_json::Value::Array(states)) = map.get_mut(key)
                    && let Some(serde_json::Value::Array(first)) = states.first_mut()
                    && first.pop().is_some()
                {
                    return true;
                }
                map.values_mut().any(|x| visit(x, key))
            }
            serde_json::Value::Array(items) => items.iter_mut().any(|x| visit(x, key)),
            _ => false,
        }
    }
    let mut value: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    assert!(
        visit(&mut value, key),
        "no optimiser state '{key}' to shorten"
    );
    serde_json::to_vec(&value).unwrap()
}

/// A runtime for tests: runs tasks in order, counts progress reports and asks to stop once
/// `limit` of them have come.
#[derive(Debug)]
pub struct CancelAfterReports {
    /// Reports so far.
    pub reports: core::sync::atomic::AtomicU64,
    /// Reports after which the run is cancelled.
    pub limit: u64,
}

impl CancelAfterReports {
    pub fn new(limit: u64) -> Self {
        Self {
            reports: core::sync::atomic::AtomicU64::new(0),
            limit,
        }
    }

    pub fn count(&self) -> u64 {
        self.reports.load(core::sync::atomic::Ordering::Relaxed)
    }
}

impl crate::experiment::Runtime for CancelAfterReports {
    fn map<T, F>(&self, stage: &str, tasks: usize, f: F) -> alloc::vec::Vec<T>
    where
        T: Send,
        F: Fn(usize) -> T + Sync + Send,
    {
        crate::experiment::Sequential.map(stage, tasks, f)
    }
    fn progress(&self, _: &str, _: u64, _: u64) {
        self.reports
            .fetch_add(1, core::sync::atomic::Ordering::Relaxed);
    }
    fn cancelled(&self) -> bool {
        self.count() >= self.limit
    }
}
