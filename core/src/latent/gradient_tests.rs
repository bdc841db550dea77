//! Tests of the learning rules' gradients (two-step, contrastive, the hidden kernels' scores)
//! against exact and finite-difference gradients on tiny models.
use super::tests::{pattern_data, random_model};
use super::*;
use crate::rng::{from_seed, normal_pair};
use alloc::vec;
use alloc::vec::Vec;

/// Cosine between two vectors.
fn cosine(a: &[f64], b: &[f64]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|x| x * x).sum::<f64>().sqrt();
    dot / (na * nb)
}

/// Central finite differences of the exact mean log-likelihood over every parameter.
fn exact_gradient(model: &LatentCycle, data: &BinaryData, tied: bool) -> Gradient {
    let ll = |m: &LatentCycle| -> f64 {
        if tied {
            tied_log_likelihood(m, data).unwrap()
        } else {
            let p = stationary(&exact_latent_matrix(m).unwrap()).unwrap();
            occupancy_log_likelihood(m, data, &p).unwrap()
        }
    };
    let mut grad = Gradient::zeros(model);
    let h = 1e-5;
    let base = model.clone();
    let flat = |m: &LatentCycle| {
        [
            m.w().to_vec(),
            m.a().to_vec(),
            m.wbar().to_vec(),
            m.abar().to_vec(),
        ]
    };
    let parts = flat(&base);
    let mut out = [vec![], vec![], vec![], vec![]];
    for (p, part) in parts.iter().enumerate() {
        for i in 0..part.len() {
            let eval = |delta: f64| {
                let mut v = flat(&base);
                v[p][i] += delta;
                let mut m = base.clone();
                m.set_parameters(&v[0], &v[1], &v[2], &v[3], base.center())
                    .unwrap();
                if tied {
                    // Tied parameters: perturbing w moves w̄ with it.
                    m.tie();
                }
                ll(&m)
            };
            out[p].push((eval(h) - eval(-h)) / (2.0 * h));
        }
    }
    let [w, a, wbar, abar] = out;
    grad.w = w;
    grad.a = a;
    grad.wbar = wbar;
    grad.abar = abar;
    grad
}

/// The approximate gradient of many chain samples, over the whole dataset.
fn sampled_gradient(
    model: &LatentCycle,
    data: &BinaryData,
    rule: &dyn LearningRule,
    seed: u64,
) -> Gradient {
    let mut rng = from_seed(seed);
    let mut chains = Chains::from_data(data, 200, &mut rng).unwrap();
    let cond = model.conditionals();
    chains.run(model, &cond, 50, &mut rng, |_| {});
    let mut traj = Trajectory::default();
    chains.run(model, &cond, 200, &mut rng, |v| traj.push(v));
    let batch: Vec<usize> = (0..data.len()).collect();
    let mut grad = Gradient::zeros(model);
    rule.gradient(model, &cond, data, &batch, &traj, &mut grad);
    grad
}

#[test]
fn two_step_gradient_points_along_the_exact_gradient_near_initialisation() {
    let data = pattern_data();
    let mut rng = from_seed(10);
    let model = LatentCycle::initialise(&data, 3, Encoding::OneHot, 0.1, &mut rng).unwrap();
    // Move off the exactly symmetric start (w̄ = 0) a little.
    let perturbed = {
        let mut m = model.clone();
        let wbar: Vec<f64> = (0..m.wbar().len())
            .map(|_| 0.3 * normal_pair(&mut rng).0)
            .collect();
        m.set_parameters(model.w(), model.a(), &wbar, model.abar(), model.center())
            .unwrap();
        m
    };
    let exact = exact_gradient(&perturbed, &data, false);
    let approx = sampled_gradient(&perturbed, &data, &TwoStep, 11);
    // One-hot z: a is fixed at 0 (Eq. 20), so compare the trained parameters w, w̄, ā.
    let trained = |g: &Gradient| [g.w.clone(), g.wbar.clone(), g.abar.clone()].concat();
    let total = cosine(&trained(&exact), &trained(&approx));
    let w_part = cosine(&exact.w, &approx.w);
    let wbar_part = cosine(&exact.wbar, &approx.wbar);
    let abar_part = cosine(&exact.abar, &approx.abar);
    std::println!(
        "cosine(approx, exact): trained {total:.4}, w {w_part:.4}, w̄ {wbar_part:.4}, ā {abar_part:.4}"
    );
    assert!(total > 0.95, "{total}");
    assert!(w_part > 0.95 && wbar_part > 0.9, "{w_part} {wbar_part}");
}

#[test]
fn contrastive_gradient_is_the_exact_tied_gradient() {
    let data = pattern_data();
    let mut rng = from_seed(12);
    let mut model =
        LatentCycle::initialise(&data, 3, Encoding::OneHotSoftmax, 0.1, &mut rng).unwrap();
    model.tie();
    let exact = exact_gradient(&model, &data, true);
    let approx = sampled_gradient(&model, &data, &Contrastive, 13);
    // Tied: the exact derivative w.r.t. w collects both places w appears.
    let c = cosine(&exact.w, &approx.w);
    let cb = cosine(&exact.abar, &approx.abar);
    std::println!("cosine(PCD, exact tied): w {c:.4}, ā {cb:.4}");
    assert!(c > 0.99 && cb > 0.95, "{c} {cb}");
}

#[test]
fn hidden_kernels_are_normalised_and_their_scores_are_their_derivatives() {
    let u = [0.7, -1.3, 2.9];
    for (encoding, l) in [
        (Encoding::OneHot, 3),
        (Encoding::OneHotSoftmax, 3),
        (Encoding::Binary, 3),
    ] {
        let model = LatentCycle::new(4, l, encoding).unwrap();
        let k = model.states();
        let log_probs = |u: &[f64]| {
            let mut out = vec![0.0; k];
            model.log_hidden_state_probs(u, &mut out);
            out
        };
        let p = log_probs(&u);
        let total: f64 = p.iter().map(|v| libm::exp(*v)).sum();
        assert!((total - 1.0).abs() < 1e-14, "{encoding:?}: {total}");
        let mut mu = vec![0.0; l];
        model.hidden_means(&u, &mut mu);
        // μ_β = P(z_β = 1 | x) summed over states.
        for (beta, &m) in mu.iter().enumerate() {
            let marginal: f64 = (0..k)
                .filter(|&s| model.state_bit(s, beta))
                .map(|s| libm::exp(p[s]))
                .sum();
            assert!((m - marginal).abs() < 1e-14);
        }
        if encoding == Encoding::OneHot {
            // Eq. 19 as written: σ(u_α) / Σ_β σ(u_β).
            let sig: Vec<f64> = u.iter().map(|&v| 1.0 / (1.0 + libm::exp(-v))).collect();
            let sum: f64 = sig.iter().sum();
            for (s, lp) in sig.iter().zip(&p) {
                assert!((s / sum - libm::exp(*lp)).abs() < 1e-15);
            }
        }
        let mut score = vec![0.0; l];
        let h = 1e-6;
        for state in 0..k {
            model.hidden_score(state, &u, &mu, &mut score);
            for beta in 0..l {
                let (mut up, mut down) = (u, u);
                up[beta] += h;
                down[beta] -= h;
                let fd = (log_probs(&up)[state] - log_probs(&down)[state]) / (2.0 * h);
                assert!(
                    (fd - score[beta]).abs() < 1e-8,
                    "{encoding:?} state {state} β {beta}: {fd} vs {}",
                    score[beta]
                );
            }
        }
    }
}

/// (1/N) Σ_x ln Σ_s A_{z_s x}(θ') Ā_{x'_s z_s}(θ') / Ā_{x'_s z_s}(θ) for a fixed trajectory drawn
/// under θ: the two-step likelihood whose gradient at θ' = θ is the paper's rule (Eq. 16-17).
fn two_step_surrogate(
    at: &LatentCycle,
    sampled: &LatentCycle,
    data: &BinaryData,
    traj: &Trajectory,
) -> f64 {
    let (d, l, k) = (at.dim(), at.hidden(), at.states());
    let cond = at.conditionals();
    let (mut u, mut now, mut then) = (vec![0.0; l], vec![0.0; k], vec![0.0; k]);
    let ratio: Vec<f64> = traj
        .states
        .iter()
        .enumerate()
        .map(|(s, &z)| {
            let x = &traj.x[s * d..(s + 1) * d];
            at.hidden_logits(x, &mut u);
            at.log_hidden_state_probs(&u, &mut now);
            sampled.hidden_logits(x, &mut u);
            sampled.log_hidden_state_probs(&u, &mut then);
            now[z] - then[z]
        })
        .collect();
    let total: f64 = (0..data.len())
        .map(|n| {
            let terms: Vec<f64> = traj
                .states
                .iter()
                .zip(&ratio)
                .map(|(&z, r)| cond.log_prob(z, data.row(n)) + r)
                .collect();
            crate::special::log_sum_exp(&terms)
        })
        .sum();
    total / data.len() as f64
}

#[test]
fn two_step_rule_is_the_gradient_of_the_two_step_likelihood() {
    let data = pattern_data();
    for (encoding, l, seed) in [
        (Encoding::OneHot, 3, 40),
        (Encoding::OneHotSoftmax, 3, 41),
        (Encoding::Binary, 2, 42),
    ] {
        let model = random_model(6, l, encoding, 0.8, seed);
        let mut rng = from_seed(seed);
        let mut chains = Chains::from_data(&data, 8, &mut rng).unwrap();
        let cond = model.conditionals();
        let mut traj = Trajectory::default();
        chains.run(&model, &cond, 6, &mut rng, |v| traj.push(v));
        let batch: Vec<usize> = (0..data.len()).collect();
        let mut grad = Gradient::zeros(&model);
        TwoStep.gradient(&model, &cond, &data, &batch, &traj, &mut grad);
        let h = 1e-5;
        let parts = |m: &LatentCycle| {
            [
                m.w().to_vec(),
                m.a().to_vec(),
                m.wbar().to_vec(),
                m.abar().to_vec(),
            ]
        };
        let analytic = [&grad.w, &grad.a, &grad.wbar, &grad.abar];
        for (p, part) in parts(&model).iter().enumerate() {
            if p == 1 && !model.trains_visible_bias() {
                assert!(grad.a.iter().all(|&g| g == 0.0));
                continue;
            }
            for i in 0..part.len() {
                let eval = |delta: f64| {
                    let mut v = parts(&model);
                    v[p][i] += delta;
                    let mut m = model.clone();
                    m.set_parameters(&v[0], &v[1], &v[2], &v[3], model.center())
                        .unwrap();
                    two_step_surrogate(&m, &model, &data, &traj)
                };
                let fd = (eval(h) - eval(-h)) / (2.0 * h);
                assert!(
                    (fd - analytic[p][i]).abs() < 1e-7 * (1.0 + fd.abs()),
                    "{encoding:?} part {p} [{i}]: {fd} vs {}",
                    analytic[p][i]
                );
            }
        }
    }
}
