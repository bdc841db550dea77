//! Tests of the latent-cycle model against exact answers on tiny models.
use super::*;
use crate::rng::{from_seed, normal_pair};
use alloc::vec;
use alloc::vec::Vec;

/// A random tiny model with parameters of scale `scale`.
pub(super) fn random_model(
    d: usize,
    l: usize,
    encoding: Encoding,
    scale: f64,
    seed: u64,
) -> LatentCycle {
    let mut rng = from_seed(seed);
    let mut draw =
        |n: usize| -> Vec<f64> { (0..n).map(|_| scale * normal_pair(&mut rng).0).collect() };
    let (w, a, wbar, abar, c) = (draw(d * l), draw(d), draw(l * d), draw(l), draw(d));
    let a = if encoding == Encoding::OneHot {
        vec![0.0; d]
    } else {
        a
    };
    let c: Vec<f64> = c.iter().map(|v| crate::special::sigmoid(*v)).collect();
    let mut model = LatentCycle::new(d, l, encoding).unwrap();
    model.set_parameters(&w, &a, &wbar, &abar, &c).unwrap();
    model
}

fn all_states(d: usize) -> BinaryData {
    let x = (0u32..1 << d)
        .flat_map(|b| (0..d).map(move |i| f64::from((b >> i) & 1)))
        .collect();
    BinaryData::new(x, d).unwrap()
}

/// p(x) for every x by power iteration of the visible chain P_{xx'} = Σ_k Ā_{xk} A_{kx'}:
/// an independent route to the stationary state.
fn visible_stationary(model: &LatentCycle) -> Vec<f64> {
    let d = model.dim();
    let n = 1usize << d;
    let all = all_states(d);
    let cond = model.conditionals();
    let (k, l) = (model.states(), model.hidden());
    let (mut u, mut zbar) = (vec![0.0; l], vec![0.0; k]);
    let mut p_mat = vec![0.0; n * n];
    for x in 0..n {
        model.hidden_logits(all.row(x), &mut u);
        model.log_hidden_state_probs(&u, &mut zbar);
        zbar.iter_mut().for_each(|z| *z = libm::exp(*z));
        for xp in 0..n {
            p_mat[x * n + xp] = (0..k)
                .map(|s| zbar[s] * libm::exp(cond.log_prob(s, all.row(xp))))
                .sum();
        }
    }
    let mut p = vec![1.0 / n as f64; n];
    for _ in 0..5000 {
        let mut next = vec![0.0; n];
        for x in 0..n {
            for xp in 0..n {
                next[xp] += p[x] * p_mat[x * n + xp];
            }
        }
        p = next;
    }
    p
}

#[test]
fn exact_latent_route_matches_the_visible_chain() {
    for (encoding, l, seed) in [(Encoding::OneHot, 3, 1), (Encoding::Binary, 2, 2)] {
        let model = random_model(6, l, encoding, 1.0, seed);
        let m = exact_latent_matrix(&model).unwrap();
        let k = model.states();
        for row in m.chunks(k) {
            assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
        let pbar = stationary(&m).unwrap();
        let all = all_states(6);
        let cond = model.conditionals();
        let p_visible = visible_stationary(&model);
        for (x, &pv) in p_visible.iter().enumerate() {
            let p_latent: f64 = (0..k)
                .map(|s| pbar[s] * libm::exp(cond.log_prob(s, all.row(x))))
                .sum();
            assert!((p_latent - pv).abs() < 1e-12, "{p_latent} {pv}");
        }
        // And the occupancy log-likelihood with the exact p̄ is the exact mean ln p(x).
        let exact: f64 = p_visible.iter().map(|p| libm::log(*p)).sum::<f64>() / 64.0;
        let ll = occupancy_log_likelihood(&model, &all, &pbar).unwrap();
        assert!((ll - exact).abs() < 1e-12);
    }
}

#[test]
fn sampled_occupancy_matrix_and_log_likelihood_match_exact_values() {
    let model = random_model(6, 3, Encoding::OneHot, 1.0, 3);
    let exact_m = exact_latent_matrix(&model).unwrap();
    let exact_p = stationary(&exact_m).unwrap();
    let data = all_states(6);
    let mut rng = from_seed(4);
    let mut chains = Chains::from_data(&data, 4, &mut rng).unwrap();
    let stats =
        LatentStatistics::sample(&model, &mut chains, 50, 50_000, 20, 10, &mut rng).unwrap();
    // Occupancy: binomial-like error ≈ √(p(1−p)/n_eff); with τ ~ 1 step, n_eff ≈ 2·10⁵/(2τ).
    for (p, q) in stats.occupancy().iter().zip(&exact_p) {
        assert!(
            (p - q).abs() < 5.0 * libm::sqrt(q * (1.0 - q) / 5e4),
            "{p} vs {q}"
        );
    }
    for (lm, e) in stats.log_matrix().iter().zip(&exact_m) {
        let m = libm::exp(*lm);
        assert!((m - e).abs() < 0.01, "{m} vs {e}");
    }
    let table = LogLikelihoodTable::new(&model, &data).unwrap();
    let est = stats.log_likelihood(&table).unwrap();
    let exact = occupancy_log_likelihood(&model, &data, &exact_p).unwrap();
    assert!(est.std_error > 0.0 && est.std_error < 0.01);
    assert!(
        (est.value - exact).abs() < 4.0 * est.std_error,
        "{est:?} vs {exact}"
    );
    assert_eq!(stats.path().len(), 10);
}

#[test]
fn entropy_production_vanishes_in_detailed_balance_and_not_for_a_cycle() {
    let mut model = random_model(6, 3, Encoding::OneHotSoftmax, 1.0, 5);
    let cyclic = Dynamics::from_matrix(exact_latent_matrix(&model).unwrap()).unwrap();
    assert!(cyclic.entropy_production > 1e-6);
    model.tie();
    assert!(model.is_tied());
    let m = exact_latent_matrix(&model).unwrap();
    let tied = Dynamics::from_matrix(m.clone()).unwrap();
    assert!(
        tied.entropy_production.abs() < 1e-13,
        "{}",
        tied.entropy_production
    );
    // Detailed balance itself: p̄(z')M_{z'z} = p̄(z)M_{zz'}.
    let p = &tied.stationary;
    for i in 0..3 {
        for j in 0..3 {
            assert!((p[i] * m[i * 3 + j] - p[j] * m[j * 3 + i]).abs() < 1e-14);
        }
    }
}

#[test]
fn decorrelation_time_and_diagonal_match_hand_computed_matrices() {
    // Eigenvalues 1 and 0.3.
    let d = Dynamics::from_matrix(vec![0.5, 0.5, 0.2, 0.8]).unwrap();
    assert!((d.second_eigenvalue - 0.3).abs() < 1e-12);
    assert!((d.decorrelation_time + 1.0 / libm::log(0.3)).abs() < 1e-10);
    assert!((d.mean_diagonal - 0.65).abs() < 1e-15);
    assert!((d.stationary[0] - 2.0 / 7.0).abs() < 1e-12);
    // A noisy 3-cycle (1−ε)P + ε/3: eigenvalues 1 and (1−ε)e^{±2πi/3}, σ by hand.
    let eps = 0.1;
    let mut m = vec![eps / 3.0; 9];
    for i in 0..3 {
        m[i * 3 + (i + 1) % 3] += 1.0 - eps;
    }
    let d = Dynamics::from_matrix(m).unwrap();
    assert!((d.second_eigenvalue - 0.9).abs() < 1e-12);
    assert!((d.decorrelation_time + 1.0 / libm::log(0.9)).abs() < 1e-9);
    let (f, b) = ((1.0 - eps + eps / 3.0) / 3.0, eps / 9.0);
    assert!((d.entropy_production - 3.0 * (f - b) * libm::log(f / b)).abs() < 1e-12);
    assert!((d.mean_diagonal - eps / 3.0).abs() < 1e-15);
    // A reverse transition far below f64's range: σ stays finite from the logarithms.
    let log_m = vec![-2000.0, 0.0, 0.0, -2000.0];
    let swap = Dynamics::from_log_matrix(log_m).unwrap();
    assert_eq!(swap.entropy_production, 0.0); // a 2-cycle is reversible: both fluxes ½
    // A 3-cycle whose reverse steps have probability e^{−900}: p̄ uniform, σ ≈ (1−ε)(ln(1−ε) + 900).
    let eps: f64 = 0.01;
    let mut log_m = vec![0.0; 9];
    for i in 0..3 {
        log_m[i * 3 + i] = libm::log(eps);
        log_m[i * 3 + (i + 1) % 3] = libm::log(1.0 - eps);
        log_m[i * 3 + (i + 2) % 3] = -900.0;
    }
    let d = Dynamics::from_log_matrix(log_m.clone()).unwrap();
    let expected = (1.0 - eps) * (libm::log(1.0 - eps) + 900.0);
    assert!(
        (d.entropy_production - expected).abs() < 1e-9 * expected,
        "{}",
        d.entropy_production
    );
}

#[test]
fn tied_exact_likelihood_equals_the_chain_stationary_likelihood() {
    for (encoding, l) in [(Encoding::OneHotSoftmax, 3), (Encoding::Binary, 2)] {
        let mut model = random_model(6, l, encoding, 1.0, 14);
        model.tie();
        let data = pattern_data();
        let p = stationary(&exact_latent_matrix(&model).unwrap()).unwrap();
        let chain = occupancy_log_likelihood(&model, &data, &p).unwrap();
        let rbm = tied_log_likelihood(&model, &data).unwrap();
        assert!((chain - rbm).abs() < 1e-11, "{chain} vs {rbm}");
    }
    let untied = random_model(6, 3, Encoding::OneHotSoftmax, 1.0, 15);
    assert_eq!(
        tied_log_likelihood(&untied, &pattern_data()),
        Err(LatentError::NotTied)
    );
    // Eq. 19's kernel is no RBM conditional: tied weights do not make it one.
    let mut ratio = random_model(6, 3, Encoding::OneHot, 1.0, 15);
    ratio.tie();
    assert!(!ratio.is_tied());
    assert_eq!(
        tied_log_likelihood(&ratio, &pattern_data()),
        Err(LatentError::NotTied)
    );
}

#[test]
fn em_recovers_a_known_mixture_and_never_decreases_the_likelihood() {
    // Two components on 8 pixels: q = 0.9 on the first half or on the second half.
    let mut rng = from_seed(16);
    let mut x = Vec::new();
    for n in 0..4000 {
        for i in 0..8 {
            let on = (i < 4) == (n % 4 == 0); // weights 1/4 and 3/4
            let q = if on { 0.9 } else { 0.1 };
            x.push(if crate::rng::uniform_f64(&mut rng) < q {
                1.0
            } else {
                0.0
            });
        }
    }
    let data = BinaryData::new(x, 8).unwrap();
    let params = EmParams {
        components: 2,
        ..EmParams::default()
    };
    let (mix, history) = BernoulliMixture::fit(&data, &params, &mut rng).unwrap();
    for pair in history.windows(2) {
        assert!(pair[1] >= pair[0] - 1e-9, "{history:?}");
    }
    let mut w = mix.weights.clone();
    w.sort_by(f64::total_cmp);
    // Binomial error of a weight from 4000 samples: √(0.1875/4000) ≈ 0.007.
    assert!(
        (w[0] - 0.25).abs() < 0.03 && (w[1] - 0.75).abs() < 0.03,
        "{w:?}"
    );
    for q in &mix.means {
        assert!((q - 0.9).abs() < 0.03 || (q - 0.1).abs() < 0.03, "{q}");
    }
}

#[test]
fn class_balance_sums_occupancy_per_assigned_class() {
    let data = pattern_data();
    let labels: Vec<u8> = (0..data.len()).map(|n| (n % 3) as u8).collect();
    let classifier = NearestCentroid::fit(&data, &labels, 3).unwrap();
    assert!(classifier.accuracy(&data, &labels) > 0.9);
    // Units writing patterns 0, 1, 1: class 2 never generated → infinite KL.
    let mut model = LatentCycle::new(6, 3, Encoding::OneHot).unwrap();
    let w: Vec<f64> = (0..18)
        .map(|j| {
            let (i, beta) = (j / 3, j % 3);
            let pattern = [0, 1, 1][beta];
            if i / 2 == pattern { 5.0 } else { -5.0 }
        })
        .collect();
    model
        .set_parameters(&w, &[0.0; 6], &[0.0; 18], &[0.0; 3], &[0.0; 6])
        .unwrap();
    let third = [1.0 / 3.0; 3];
    let b = ClassBalance::new(&model, &[0.2, 0.5, 0.3], &classifier, &third).unwrap();
    assert_eq!(b.assignment, vec![0, 1, 1]);
    assert_eq!(b.generated, vec![0.2, 0.8, 0.0]);
    assert_eq!(b.kl, f64::INFINITY);
    let b = ClassBalance::new(&model, &[0.2, 0.5, 0.3], &classifier, &[0.5, 0.5, 0.0]).unwrap();
    let expected = 0.5 * libm::log(0.5 / 0.2) + 0.5 * libm::log(0.5 / 0.8);
    assert!((b.kl - expected).abs() < 1e-15);
}

#[test]
fn bad_input_gets_typed_errors() {
    assert_eq!(
        BinaryData::new(vec![0.0, 2.0], 2),
        Err(LatentError::NotBinary { index: 1 })
    );
    assert!(matches!(
        BinaryData::new(vec![f64::NAN], 1),
        Err(LatentError::NotBinary { .. })
    ));
    assert!(matches!(
        BinaryData::new(vec![], 1),
        Err(LatentError::Shape(_))
    ));
    assert!(matches!(
        LatentCycle::new(4, 1, Encoding::OneHot),
        Err(LatentError::Parameter(_))
    ));
    let data = pattern_data();
    let bad = |p: TrainParams| matches!(Trainer::new(p, &data, 0), Err(LatentError::Parameter(_)));
    assert!(bad(TrainParams {
        hidden: 1,
        ..TrainParams::default()
    }));
    assert!(bad(TrainParams {
        steps: 0,
        ..TrainParams::default()
    }));
    assert!(bad(TrainParams {
        batch_start: 0,
        ..TrainParams::default()
    }));
    assert!(bad(TrainParams {
        learning_rate: f64::NAN,
        ..TrainParams::default()
    }));
    assert!(bad(TrainParams {
        encoding: Encoding::Binary,
        hidden: 13,
        ..TrainParams::default()
    }));
    let mut t = Trainer::new(
        TrainParams {
            hidden: 3,
            ..TrainParams::default()
        },
        &data,
        0,
    )
    .unwrap();
    let other = BinaryData::new(vec![0.0; 10], 5).unwrap();
    assert_eq!(
        t.run_epoch(&other),
        Err(LatentError::Dimension {
            expected: 6,
            found: 5
        })
    );
    assert!(occupancy_log_likelihood(t.model(), &data, &[1.0]).is_err());
}

fn short_run_params() -> TrainParams {
    TrainParams {
        hidden: 3,
        epochs: 4,
        updates_per_epoch: 5,
        batch_start: 4,
        batch_end: 12,
        ..TrainParams::default()
    }
}

#[cfg(feature = "serde")]
#[test]
fn resume_from_a_checkpoint_is_bit_identical() {
    let data = pattern_data();
    let mut straight = Trainer::new(short_run_params(), &data, 21).unwrap();
    let mut first = Vec::new();
    while !straight.is_done() {
        first.push(straight.run_epoch(&data).unwrap());
    }
    let mut resumed = Trainer::new(short_run_params(), &data, 21).unwrap();
    let mut second = Vec::new();
    for _ in 0..2 {
        second.push(resumed.run_epoch(&data).unwrap());
    }
    let mut resumed = Trainer::from_json(&resumed.to_json().unwrap()).unwrap();
    while !resumed.is_done() {
        second.push(resumed.run_epoch(&data).unwrap());
    }
    assert_eq!(first, second);
    assert_eq!(straight, resumed);
    assert!(Trainer::from_json(b"{\"format\":\"x\"}").is_err());
    let text = alloc::string::String::from_utf8(straight.to_json().unwrap()).unwrap();
    let short = crate::test_util::shorten_optimiser_state(text.as_bytes(), "sq");
    assert_eq!(
        Trainer::from_json(&short),
        Err(LatentError::Checkpoint(
            "optimiser state does not fit the model"
        ))
    );
    let broken = text.replacen("\"hidden\":3", "\"hidden\":4", 1);
    assert_eq!(
        Trainer::from_json(broken.as_bytes()),
        Err(LatentError::Checkpoint("inconsistent shapes or values"))
    );
}

#[test]
fn golden_short_runs() {
    let data = pattern_data();
    // The softmax kernel's values are those of every version before Eq. 19 was added.
    let golden: [(Encoding, [f64; 4]); 2] = [
        (
            Encoding::OneHotSoftmax,
            [
                -4.397418707118441,
                -4.087436951716167,
                -3.562119218476483,
                -3.5070597939120476,
            ],
        ),
        (
            Encoding::OneHot,
            [
                -4.391824143515494,
                -3.975481020606151,
                -3.222404078726605,
                -3.2192351170906433,
            ],
        ),
    ];
    for (encoding, golden) in golden {
        let params = TrainParams {
            encoding,
            ..short_run_params()
        };
        let mut t = Trainer::new(params, &data, 21).unwrap();
        let mut fast = Vec::new();
        while !t.is_done() {
            let r = t.run_epoch(&data).unwrap();
            fast.push(r.fast_log_likelihood);
        }
        std::println!("golden {encoding:?}: {fast:?}");
        assert_eq!(fast, golden);
    }
}

#[cfg(feature = "serde")]
#[test]
fn version_one_checkpoints_keep_their_softmax_kernel() {
    let data = pattern_data();
    let params = TrainParams {
        encoding: Encoding::OneHotSoftmax,
        ..short_run_params()
    };
    let t = Trainer::new(params, &data, 22).unwrap();
    let text = alloc::string::String::from_utf8(t.to_json().unwrap()).unwrap();
    let old = text
        .replace("OneHotSoftmax", "OneHot")
        .replacen("\"version\":2", "\"version\":1", 1);
    assert_ne!(old, text);
    assert_eq!(Trainer::from_json(old.as_bytes()).unwrap(), t);
    // Without the version's note, the same JSON is an Eq. 19 model.
    let new = old.replacen("\"version\":1", "\"version\":2", 1);
    assert_eq!(
        Trainer::from_json(new.as_bytes())
            .unwrap()
            .model()
            .encoding(),
        Encoding::OneHot
    );
}

#[test]
fn training_on_mnist_subset_improves_the_log_likelihood() {
    // Ten images of each digit from the embedded dataset, 6 epochs of the paper's settings.
    let images = crate::data::MNIST012;
    let rows: Vec<usize> = (0..images.len()).filter(|&i| i % 98 == 0).collect();
    let x: Vec<f64> = rows
        .iter()
        .flat_map(|&i| images.image(i).map(f64::from))
        .collect();
    let data = BinaryData::new(x, 784).unwrap();
    let params = TrainParams {
        epochs: 6,
        batch_start: 16,
        batch_end: 30,
        ..TrainParams::default()
    };
    let mut t = Trainer::new(params, &data, 3).unwrap();
    let table0 = LogLikelihoodTable::new(t.model(), &data).unwrap();
    let uniform = vec![1.0 / 6.0; 6];
    let before = table0.mean(&uniform).unwrap();
    while !t.is_done() {
        t.run_epoch(&data).unwrap();
    }
    let mut rng = from_seed(5);
    let mut chains = t.chains().clone();
    let stats =
        LatentStatistics::sample(t.model(), &mut chains, 10, 2000, 10, 0, &mut rng).unwrap();
    let after = stats
        .log_likelihood(&LogLikelihoodTable::new(t.model(), &data).unwrap())
        .unwrap();
    std::println!(
        "ln p before {before:.2}, after {:.2} ± {:.2}",
        after.value,
        after.std_error
    );
    assert!(after.value > before + 10.0);
}

#[test]
fn oversized_models_are_refused_without_allocating() {
    // D·L overflows usize, or is above the weight cap: a typed error, not a panic or an abort.
    for (d, l) in [
        (usize::MAX, 2),
        (1 << 20, 1 << 20),
        (MAX_WEIGHTS / 2 + 1, 2),
    ] {
        assert!(matches!(
            LatentCycle::new(d, l, Encoding::OneHot),
            Err(LatentError::Parameter(_))
        ));
    }
    assert!(LatentCycle::new(784, 6, Encoding::OneHot).is_ok());
}

/// A one-hot (Eq. 19) model on D = 3 pixels whose latent chain is a driven 3-state ring: unit k
/// writes pixel k (logit ±`strength`), and from pixel k the next state is k + 1 with
/// probability p, k − 1 with q, k otherwise (exactly so when the pixels are deterministic).
fn driven_ring(p: f64, q: f64, strength: f64) -> LatentCycle {
    let (d, l) = (3, 3);
    let mut w = vec![-strength; d * l];
    let mut wbar = vec![0.0; l * d];
    for k in 0..3 {
        w[k * l + k] = strength;
        for (alpha, prob) in [((k + 1) % 3, p), ((k + 2) % 3, q), (k, 1.0 - p - q)] {
            // Eq. 19 from pixel k alone: σ(u_α) = prob/2 gives p_one(α|e_k) = prob.
            let s = prob / 2.0;
            wbar[alpha * d + k] = libm::log(s / (1.0 - s));
        }
    }
    let mut model = LatentCycle::new(d, l, Encoding::OneHot).unwrap();
    model
        .set_parameters(&w, &[0.0; 3], &wbar, &[0.0; 3], &[0.0; 3])
        .unwrap();
    model
}

#[test]
fn three_entropy_production_estimators_agree_on_a_driven_ring() {
    let (p, q) = (0.6, 0.1);
    let closed_form = (p - q) * libm::log(p / q);
    // Deterministic pixels: M is the ring itself, σ = (p − q) ln(p/q) in the uniform state.
    let ring = driven_ring(p, q, 40.0);
    let uniform = [1.0 / 3.0; 3];
    let mut rng = from_seed(50);
    let exact = model_entropy_production(&ring, 100, 10, &uniform, &mut rng).unwrap();
    assert!(exact.exact && exact.sigma.std_error == 0.0);
    assert!((exact.sigma.value - closed_form).abs() < 1e-12, "{exact:?}");
    let data = all_states(3);
    let mut chains = Chains::from_data(&data, 4, &mut rng).unwrap();
    let stats = LatentStatistics::sample(&ring, &mut chains, 10, 50_000, 20, 0, &mut rng).unwrap();
    let counted = stats.counted_entropy_production().unwrap();
    assert_eq!(counted.one_way_pairs, 0);
    let c = counted.sigma;
    assert!(c.std_error > 0.0 && c.std_error < 0.02, "{c:?}");
    assert!(
        (c.value - closed_form).abs() < 4.0 * c.std_error,
        "{c:?} vs {closed_form}"
    );
    // Rao-Blackwellised over z with deterministic pixels: exact up to rounding.
    let rb = stats.rao_blackwell_entropy_production().unwrap();
    assert!((rb.value - closed_form).abs() < 1e-9, "{rb:?}");

    // Noisy pixels: M is no longer the ring, but D = 3 enumerates it; every sampled estimator
    // must agree with that exact σ within its own error bar.
    let noisy = driven_ring(p, q, 1.5);
    let exact = model_entropy_production(&noisy, 100, 10, &uniform, &mut rng).unwrap();
    let truth = exact.sigma.value;
    assert!(
        exact.exact && truth > 0.05 && truth < closed_form,
        "{truth}"
    );
    let sampled = SampledLatentMatrix::sample(&noisy, 40_000, 20, &mut rng)
        .unwrap()
        .entropy_production(&uniform)
        .unwrap();
    let mut chains = Chains::from_data(&data, 4, &mut rng).unwrap();
    let stats = LatentStatistics::sample(&noisy, &mut chains, 10, 50_000, 20, 0, &mut rng).unwrap();
    let counted = stats.counted_entropy_production().unwrap();
    assert_eq!(counted.one_way_pairs, 0);
    for (name, e) in [
        ("sampled model", sampled),
        ("hard counts", counted.sigma),
        (
            "Rao-Blackwell",
            stats.rao_blackwell_entropy_production().unwrap(),
        ),
    ] {
        std::println!(
            "{name}: {:.5} ± {:.5} (exact {truth:.5})",
            e.value,
            e.std_error
        );
        assert!(e.std_error > 0.0 && e.std_error < 0.01, "{name}: {e:?}");
        assert!(
            (e.value - truth).abs() < 4.0 * e.std_error,
            "{name}: {e:?} vs {truth}"
        );
    }
}

#[test]
fn a_transition_never_reversed_is_counted_not_summed() {
    // A strongly driven ring (q = 1e-12): in 20 000 steps no backward step is seen, so every
    // pair is one-way and the hard-count σ over pairs seen both ways is 0 (the paper's
    // estimator would be +∞); the model's own σ stays finite and large.
    let ring = driven_ring(0.9, 1e-12, 40.0);
    let mut rng = from_seed(51);
    let mut chains = Chains::from_data(&all_states(3), 2, &mut rng).unwrap();
    let stats = LatentStatistics::sample(&ring, &mut chains, 10, 20_000, 10, 0, &mut rng).unwrap();
    let counted = stats.counted_entropy_production().unwrap();
    assert_eq!(counted.one_way_pairs, 3);
    assert_eq!(counted.sigma.value, 0.0);
    let exact = model_entropy_production(&ring, 100, 10, &[1.0 / 3.0; 3], &mut rng).unwrap();
    let expected = 0.9 * libm::log(0.9 / 1e-12);
    assert!((exact.sigma.value - expected).abs() < 1e-6 * expected);
    let rb = stats.rao_blackwell_entropy_production().unwrap();
    assert!((rb.value - expected).abs() < 1e-6 * expected, "{rb:?}");
}

/// Data for the gradient tests: three noisy 6-pixel patterns.
pub(super) fn pattern_data() -> BinaryData {
    let patterns = [[1, 1, 0, 0, 0, 0], [0, 0, 1, 1, 0, 0], [0, 0, 0, 0, 1, 1]];
    let mut rng = from_seed(9);
    let mut x = Vec::new();
    for n in 0..60 {
        for &b in &patterns[n % 3] {
            let flip = crate::rng::uniform_f64(&mut rng) < 0.1;
            x.push(if (b == 1) != flip { 1.0 } else { 0.0 });
        }
    }
    BinaryData::new(x, 6).unwrap()
}
