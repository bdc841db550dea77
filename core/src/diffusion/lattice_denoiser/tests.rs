//! Tests of the lattice denoiser against exact answers on small lattices.
use super::*;
use crate::diffusion::trainer::Trainable;
use crate::diffusion::{Score, ScoreTrainParams, Trainer, log_snr};
use crate::rng::{from_seed, normal_pair, uniform_f64};
use crate::test_util::{check_data_parallel, check_trainable_gradient};

#[test]
fn a_config_resolves_its_defaults_and_rebuilds_the_same_settings() {
    let cond = Conditioning::Temperature { lo: 0.5, hi: 1.5 };
    let mut rng = from_seed(1);
    let build = |kind, config: &DenoiserConfig, rng: &mut crate::rng::Xoshiro256PlusPlus| {
        LatticeDenoiser::from_config(VpSde::default(), kind, 4, cond.clone(), config, rng)
    };
    // XY with belief propagation: first-harmonic messages and site evidence by default.
    let xy = build(SpinKind::Planar, &DenoiserConfig::default(), &mut rng).unwrap();
    let resolved = xy.config();
    assert_eq!(
        resolved.planar_messages,
        Some(PlanarMessages::FirstHarmonic)
    );
    assert_eq!(resolved.site_evidence, Some(true));
    assert_eq!(resolved.hidden, vec![64, 64]);
    let again = build(SpinKind::Planar, &resolved, &mut rng).unwrap();
    assert_eq!(again.config(), resolved);
    // Ising: mean-field messages, no site evidence.
    let ising = build(SpinKind::Ising, &DenoiserConfig::default(), &mut rng).unwrap();
    assert_eq!(
        ising.config().planar_messages,
        Some(PlanarMessages::MeanField)
    );
    assert_eq!(ising.config().site_evidence, Some(false));
    // Settings that contradict each other or the conditioning are refused.
    let labels = DenoiserConfig {
        labels: true,
        ..DenoiserConfig::default()
    };
    assert!(build(SpinKind::Ising, &labels, &mut rng).is_err());
    let gate_without_bp = DenoiserConfig {
        propagation: 0,
        gate: Some(Gate::Constant(1.0)),
        ..DenoiserConfig::default()
    };
    assert!(build(SpinKind::Ising, &gate_without_bp, &mut rng).is_err());
}

fn small_data() -> LatticeData {
    let mut rng = from_seed(1);
    let spins: Vec<f64> = (0..6 * 16)
        .map(|_| {
            if uniform_f64(&mut rng) < 0.5 {
                -1.0
            } else {
                1.0
            }
        })
        .collect();
    LatticeData::new(4, spins, vec![1.0, 1.0, 2.0, 2.0, 3.0, 3.0]).unwrap()
}

fn random_model(seed: u64) -> LatticeDenoiser {
    random_model_of(SpinKind::Ising, 0, seed)
}

fn random_model_of(kind: SpinKind, propagation: usize, seed: u64) -> LatticeDenoiser {
    let mut rng = from_seed(seed);
    let cond = Conditioning::Temperature { lo: 1.0, hi: 3.0 };
    let sde = VpSde::default();
    let m = LatticeDenoiser::new(sde, kind, 4, cond, &[6, 5], propagation, &mut rng).unwrap();
    // Give the zero-initialised output layer weights so every gradient is non-trivial.
    jiggled(m, 0.3, &mut rng)
}

/// The model with every parameter moved by `scale` · U(−½, ½).
fn jiggled(mut m: LatticeDenoiser, scale: f64, rng: &mut impl Rng) -> LatticeDenoiser {
    for (p, _) in m.params_and_grads() {
        p.iter_mut()
            .for_each(|v| *v += scale * (uniform_f64(rng) - 0.5));
    }
    m
}

/// The model with every parameter moved by a small random amount (new zero weights
/// included).
fn shaken(m: LatticeDenoiser) -> LatticeDenoiser {
    jiggled(m, 0.1, &mut from_seed(99))
}

fn small_planar_data() -> LatticeData {
    let mut rng = from_seed(8);
    let angles: Vec<f64> = (0..6 * 16).map(|_| 6.3 * uniform_f64(&mut rng)).collect();
    LatticeData::planar(4, &angles, vec![1.0, 1.0, 2.0, 2.0, 3.0, 3.0]).unwrap()
}

#[test]
fn loss_gradient_matches_finite_differences() {
    for (data, kind, propagation) in [
        (small_data(), SpinKind::Ising, 0),
        (small_data(), SpinKind::Ising, 3),
        (small_planar_data(), SpinKind::Planar, 0),
        (small_planar_data(), SpinKind::Planar, 2),
    ] {
        check_gradient(&data, random_model_of(kind, propagation, 2));
    }
    let harmonic = random_model_of(SpinKind::Planar, 2, 2)
        .with_planar_messages(PlanarMessages::FirstHarmonic)
        .unwrap();
    check_gradient(&small_planar_data(), harmonic);
    // The site's own evidence as an input; its weights are moved off zero so that they
    // matter.
    for (data, kind) in [
        (small_data(), SpinKind::Ising),
        (small_planar_data(), SpinKind::Planar),
    ] {
        check_gradient(
            &data,
            shaken(random_model_of(kind, 2, 4).with_site_evidence().unwrap()),
        );
    }
    // The gated correction: λ is drawn on [−10, 9], so the gate runs from 1 to e^{−8};
    // the coupling gate also moves with the data's temperatures 1, 2 and 3.
    for (data, kind) in [
        (small_data(), SpinKind::Ising),
        (small_planar_data(), SpinKind::Planar),
    ] {
        for gate in [Gate::Constant(1.0), Gate::Coupling(1.0)] {
            check_gradient(&data, random_model_of(kind, 2, 3).with_gate(gate).unwrap());
        }
    }
    assert!(
        random_model_of(SpinKind::Ising, 0, 3)
            .with_gate(Gate::Constant(1.0))
            .is_err()
    );
    assert!(
        random_model_of(SpinKind::Ising, 2, 3)
            .with_gate(Gate::Coupling(f64::NAN))
            .is_err()
    );
}

/// Data-parallel parts of a lattice batch sum to the batch's gradient, bit-identical on threads.
#[test]
fn data_parallel_parts_sum_to_the_batch_gradient() {
    let data = small_planar_data();
    let model = random_model_of(SpinKind::Planar, 2, 4);
    let batch = model.draw_batch(&data, 3, &mut from_seed(6)).unwrap();
    check_data_parallel(&model, &batch, 2);
    check_data_parallel(&model, &batch, 5);
}

fn check_gradient(data: &LatticeData, mut model: LatticeDenoiser) {
    check_trainable_gradient(&mut model, 3, 1e-6, |m| {
        let batch = m.draw_batch(data, 3, &mut from_seed(5)).unwrap();
        m.loss_and_gradient(&batch).unwrap()
    });
}

/// Rotating every noisy spin by φ rotates every planar posterior mean by φ (with and
/// without belief propagation).
#[test]
fn planar_model_is_rotation_equivariant() {
    for propagation in [0, 3] {
        check_equivariance(random_model_of(SpinKind::Planar, propagation, 9));
    }
    check_equivariance(
        random_model_of(SpinKind::Planar, 3, 9)
            .with_planar_messages(PlanarMessages::FirstHarmonic)
            .unwrap(),
    );
    check_equivariance(shaken(
        random_model_of(SpinKind::Planar, 3, 9)
            .with_site_evidence()
            .unwrap(),
    ));
    let model = random_model_of(SpinKind::Planar, 0, 9);
    assert!(
        model.check_data(&small_data()).is_err(),
        "Ising data, planar model"
    );
    assert!(LatticeData::planar(4, &[f64::NAN; 16], vec![1.0]).is_err());
}

fn check_equivariance(mut model: LatticeDenoiser) {
    let mut rng = from_seed(10);
    let x: Vec<f64> = (0..32).map(|_| normal_pair(&mut rng).0).collect();
    let (c, s) = (libm::cos(1.1), libm::sin(1.1));
    let turned: Vec<f64> = x
        .chunks(2)
        .flat_map(|v| [c * v[0] - s * v[1], s * v[0] + c * v[1]])
        .collect();
    let (mut a, mut b) = (vec![0.0; 32], vec![0.0; 32]);
    model.posterior_mean(&x, &[0.7], 2.0, &mut a).unwrap();
    model.posterior_mean(&turned, &[0.7], 2.0, &mut b).unwrap();
    for (m, t) in a.chunks(2).zip(b.chunks(2)) {
        assert!(libm::hypot(m[0], m[1]) < 1.0);
        assert!((c * m[0] - s * m[1] - t[0]).abs() < 1e-12);
        assert!((s * m[0] + c * m[1] - t[1]).abs() < 1e-12);
    }
}

#[test]
fn score_is_tweedie_of_the_posterior_mean_and_temperatures_are_checked() {
    let mut model = random_model(3);
    let mut rng = from_seed(4);
    let x: Vec<f64> = (0..32).map(|_| normal_pair(&mut rng).0).collect();
    let t = [0.05, 0.4];
    let lambda = [log_snr(model.sde(), t[0]), log_snr(model.sde(), t[1])];
    let mut mean = vec![0.0; 32];
    model.posterior_mean(&x, &lambda, 2.5, &mut mean).unwrap();
    assert!(mean.iter().all(|m| m.abs() <= 1.0));
    let mut score = model.at_temperature(2.5).unwrap();
    let mut s = vec![0.0; 32];
    score.score_batch(&x, &t, &mut s).unwrap();
    for (i, ((s, x), m)) in s.iter().zip(&x).zip(&mean).enumerate() {
        let tt = t[i / 16];
        let (k, v) = (model.sde().mean_coefficient(tt), model.sde().variance(tt));
        assert!((s - (-(x - k * m) / v)).abs() < 1e-9 * (1.0 + s.abs()));
    }
    for bad in [0.5, 3.5, f64::NAN] {
        assert!(matches!(
            model.at_temperature(bad),
            Err(DiffusionError::Temperature { .. })
        ));
    }
    let labels = Conditioning::Labels(vec![1.0, 2.0]);
    let mut f = [0.0; 2];
    assert!(labels.features(2.0, &mut f).is_ok() && f == [0.0, 1.0]);
    assert!(labels.features(1.5, &mut f).is_err());
    assert!(Conditioning::Labels(vec![1.0, 1.0]).check().is_err());
    assert!(LatticeData::new(4, vec![0.5; 16], vec![1.0]).is_err());
    assert!(LatticeData::new(4, vec![1.0; 16], vec![-1.0]).is_err());
    assert!(LatticeData::new(4, vec![1.0; 15], vec![1.0]).is_err());
    let other = LatticeData::new(3, vec![1.0; 9], vec![2.0]).unwrap();
    assert!(model.check_data(&other).is_err());
    let outside = LatticeData::new(4, vec![1.0; 16], vec![9.0]).unwrap();
    assert!(model.check_data(&outside).is_err());
}

#[test]
fn drawing_the_next_batch_ahead_matches_drawing_in_turn() {
    use crate::diffusion::trainer::{apply_step, load_average, optimisers};
    let data = small_planar_data();
    let model = random_model_of(SpinKind::Planar, 2, 4)
        .with_gate(Gate::Coupling(0.5))
        .unwrap();
    let params = ScoreTrainParams {
        steps: 9,
        batch: 3,
        ..ScoreTrainParams::default()
    };
    let mut run = Trainer::new(model.clone(), &data, params, 13).unwrap();
    let mut ahead = run.run(&data, 4).unwrap();
    ahead.extend(run.run(&data, 100).unwrap());
    let (mut in_turn, mut rng, mut m) = (Vec::new(), from_seed(13), model);
    let (mut adam, mut ema) = optimisers(&params).unwrap();
    for step in 0..params.steps {
        let batch = m.draw_batch(&data, params.batch, &mut rng).unwrap();
        let model = (&mut m, &mut Vec::new());
        in_turn.push(apply_step(model, &batch, &params, step, (&mut adam, &mut ema)).unwrap());
    }
    load_average(&mut m, &ema);
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&ahead), bits(&in_turn));
    let mut trained = run.finish();
    for ((a, _), (b, _)) in trained.params_and_grads().iter().zip(m.params_and_grads()) {
        assert_eq!(bits(a), bits(b));
    }
}

/// Both models give bit-identical posterior means for `x` at noise level `lambda`, T = 2.
#[cfg(feature = "serde")]
fn assert_same_posterior(a: &LatticeDenoiser, b: &LatticeDenoiser, x: &[f64], lambda: f64) {
    let mean = |m: &LatticeDenoiser| {
        let mut out = vec![0.0; x.len()];
        m.clone()
            .posterior_mean(x, &[lambda], 2.0, &mut out)
            .unwrap();
        out.into_iter().map(f64::to_bits).collect::<Vec<_>>()
    };
    assert_eq!(mean(a), mean(b));
}

#[cfg(feature = "serde")]
#[test]
fn saved_denoisers_reload_and_training_resumes_bit_identically() {
    let data = small_data();
    let params = ScoreTrainParams {
        steps: 12,
        batch: 4,
        ..ScoreTrainParams::default()
    };
    let mut straight = Trainer::new(random_model(6), &data, params, 7).unwrap();
    let all = straight.run(&data, 100).unwrap();
    let mut first = Trainer::new(random_model(6), &data, params, 7).unwrap();
    let head = first.run(&data, 5).unwrap();
    let mut resumed = Trainer::<LatticeDenoiser>::from_json(&first.to_json().unwrap()).unwrap();
    let tail = resumed.run(&data, 100).unwrap();
    let joined: Vec<u64> = head.iter().chain(&tail).map(|l| l.to_bits()).collect();
    assert_eq!(joined, all.iter().map(|l| l.to_bits()).collect::<Vec<_>>());
    let model = resumed.finish();
    let bytes = model.to_json().unwrap();
    let back = LatticeDenoiser::from_json(&bytes).unwrap();
    assert_eq!(back.to_json().unwrap(), bytes);
    assert_same_posterior(&model, &back, &[0.3; 16], 0.5);
    assert!(LatticeDenoiser::from_json(&bytes[..bytes.len() / 2]).is_err());
    // A score-network run is not a lattice-denoiser run.
    assert!(crate::diffusion::ScoreNet::from_json(&bytes).is_err());
    let planar = random_model_of(SpinKind::Planar, 0, 11).to_json().unwrap();
    let back = LatticeDenoiser::from_json(&planar).unwrap();
    assert_eq!(back.kind(), SpinKind::Planar);
    assert_eq!(back.to_json().unwrap(), planar);
    let propagated = random_model_of(SpinKind::Ising, 4, 12).to_json().unwrap();
    let back = LatticeDenoiser::from_json(&propagated).unwrap();
    assert_eq!(back.propagation(), 4);
    assert_eq!(back.to_json().unwrap(), propagated);
    assert_eq!(back.gate(), None);
    // The coupling is saved; files from before it assumed J = 1.
    let afm = random_model_of(SpinKind::Ising, 4, 12)
        .with_coupling(-0.5)
        .unwrap();
    let back = LatticeDenoiser::from_json(&afm.to_json().unwrap()).unwrap();
    assert_eq!(back.coupling(), -0.5);
    assert_same_posterior(&afm, &back, &[0.3; 16], 0.5);
    let mut old: serde_json::Value = serde_json::from_slice(&propagated).unwrap();
    old.as_object_mut().unwrap().remove("coupling");
    let old = LatticeDenoiser::from_json(&serde_json::to_vec(&old).unwrap()).unwrap();
    assert_eq!(old.coupling(), 1.0);
    for gate in [Gate::Constant(2.0), Gate::Coupling(0.7)] {
        let gated = random_model_of(SpinKind::Planar, 2, 13)
            .with_gate(gate)
            .unwrap()
            .to_json()
            .unwrap();
        let back = LatticeDenoiser::from_json(&gated).unwrap();
        assert_eq!(back.gate(), Some(gate));
        assert_eq!(back.to_json().unwrap(), gated);
    }
    // The λ density is saved; files from before it draw uniformly.
    let focus = LambdaDensity::Focused {
        centre: -1.5,
        scale: 1.5,
        share: 0.5,
    };
    let focused = random_model_of(SpinKind::Planar, 2, 14)
        .with_lambda_density(focus)
        .unwrap()
        .to_json()
        .unwrap();
    let back = LatticeDenoiser::from_json(&focused).unwrap();
    assert_eq!(back.lambda_density(), focus);
    assert_eq!(back.to_json().unwrap(), focused);
    let text = alloc::string::String::from_utf8(planar.clone()).unwrap();
    assert!(text.contains("\"lambda_density\":\"uniform\","));
    let old = text.replace("\"lambda_density\":\"uniform\",", "");
    let back = LatticeDenoiser::from_json(old.as_bytes()).unwrap();
    assert_eq!(back.lambda_density(), LambdaDensity::Uniform);
    // Seeing the site's evidence is saved; files from before it do not.
    let sees = shaken(
        random_model_of(SpinKind::Planar, 2, 16)
            .with_site_evidence()
            .unwrap(),
    );
    let saved = sees.to_json().unwrap();
    let back = LatticeDenoiser::from_json(&saved).unwrap();
    assert!(back.site_evidence());
    assert_eq!(back.to_json().unwrap(), saved);
    let x: Vec<f64> = (0..32).map(|i| 0.1 * i as f64 - 1.0).collect();
    assert_same_posterior(&sees, &back, &x, 0.5);
    let text = alloc::string::String::from_utf8(planar.clone()).unwrap();
    assert!(text.contains("\"site_evidence\":false,"));
    let old = text.replace("\"site_evidence\":false,", "");
    assert!(
        !LatticeDenoiser::from_json(old.as_bytes())
            .unwrap()
            .site_evidence()
    );
    // A flag that disagrees with the network's input width is refused.
    let lying = text.replace("\"site_evidence\":false,", "\"site_evidence\":true,");
    assert!(LatticeDenoiser::from_json(lying.as_bytes()).is_err());
    // First-harmonic messages are saved; files from before them have mean-field ones.
    let harmonic = random_model_of(SpinKind::Planar, 2, 15)
        .with_planar_messages(PlanarMessages::FirstHarmonic)
        .unwrap();
    let saved = harmonic.to_json().unwrap();
    let back = LatticeDenoiser::from_json(&saved).unwrap();
    assert_eq!(back.planar_messages(), PlanarMessages::FirstHarmonic);
    assert_eq!(back.to_json().unwrap(), saved);
    assert_same_posterior(&harmonic, &back, &x, 1.5);
    let text = alloc::string::String::from_utf8(planar.clone()).unwrap();
    assert!(text.contains("\"planar_messages\":\"mean-field\","));
    let old = text.replace("\"planar_messages\":\"mean-field\",", "");
    assert_eq!(
        LatticeDenoiser::from_json(old.as_bytes())
            .unwrap()
            .planar_messages(),
        PlanarMessages::MeanField
    );
    // Files from before the coupling gate hold a bare λ₀: a constant gate.
    let text = alloc::string::String::from_utf8(propagated.clone()).unwrap();
    let legacy = text.replace("\"gate\":null", "\"gate\":2.0");
    assert!(legacy.contains("\"gate\":2.0"));
    let back = LatticeDenoiser::from_json(legacy.as_bytes()).unwrap();
    assert_eq!(back.gate(), Some(Gate::Constant(2.0)));
    // A gate without belief propagation is refused.
    let text = alloc::string::String::from_utf8(planar.clone()).unwrap();
    let bad = text.replace("\"gate\":null", "\"gate\":2.0");
    assert!(bad.contains("\"gate\":2.0"));
    assert!(LatticeDenoiser::from_json(bad.as_bytes()).is_err());
    // Files from before belief propagation have no such key: none.
    let old = alloc::string::String::from_utf8(bytes.clone())
        .unwrap()
        .replace("\"propagation\":0,", "");
    assert!(!old.contains("propagation"));
    assert_eq!(
        LatticeDenoiser::from_json(old.as_bytes())
            .unwrap()
            .propagation(),
        0
    );
}

/// Adding the site's own evidence as an input leaves a model's posterior means unchanged
/// until training moves the new weights; once they move, the means depend on it.
#[test]
fn seeing_the_site_changes_nothing_until_trained() {
    for (kind, propagation) in [(SpinKind::Ising, 0), (SpinKind::Planar, 2)] {
        let c = kind.components();
        let model = random_model_of(kind, propagation, 17);
        let sees = model.clone().with_site_evidence().unwrap();
        assert!(sees.site_evidence() && !model.site_evidence());
        assert_eq!(
            sees.parameter_count(),
            model.parameter_count() + 6 * c,
            "one weight per new input and first-layer unit"
        );
        let mut rng = from_seed(18);
        let x: Vec<f64> = (0..16 * c).map(|_| normal_pair(&mut rng).0).collect();
        let mean = |m: &LatticeDenoiser| {
            let mut out = vec![0.0; x.len()];
            m.clone().posterior_mean(&x, &[0.3], 2.0, &mut out).unwrap();
            out
        };
        let (before, after) = (mean(&model), mean(&sees));
        assert!(
            before
                .iter()
                .zip(&after)
                .all(|(a, b)| (a - b).abs() < 1e-15)
        );
        assert_ne!(before, mean(&shaken(sees.with_site_evidence().unwrap())));
    }
    // Only a hand-made file can hold a network that does not start dense: an error.
    let mut odd = random_model(19);
    let conv = crate::nn::Conv2d::new(1, 1, 2, 2, 1, crate::nn::Padding::Same, &mut from_seed(20));
    odd.net = Network::new(4);
    odd.net
        .push(crate::nn::Layer::Conv2d(conv.unwrap()))
        .unwrap();
    assert!(matches!(
        odd.with_site_evidence(),
        Err(DiffusionError::Shape(_))
    ));
}

/// Untrained (zero output layer), a propagated model is the Bethe posterior
/// E[sᵢ | k xᵢ/σ² + h_Bethe,ᵢ] for both spin kinds; propagation beyond the cap is refused.
#[test]
fn untrained_propagated_model_is_the_bethe_posterior() {
    let mut rng = from_seed(13);
    let cond = Conditioning::Temperature { lo: 1.0, hi: 3.0 };
    let sde = VpSde::default();
    let table = LogBesselHarmonic::new();
    // Belief propagation runs at βJ for the coupling J the model assumes (an antiferromagnet
    // too).
    for (kind, messages, j) in [
        (SpinKind::Ising, PlanarMessages::MeanField, 1.0),
        (SpinKind::Ising, PlanarMessages::MeanField, -0.6),
        (SpinKind::Planar, PlanarMessages::MeanField, 0.6),
        (SpinKind::Planar, PlanarMessages::FirstHarmonic, 1.0),
    ] {
        let c = kind.components();
        let mut model = LatticeDenoiser::new(sde, kind, 4, cond.clone(), &[6], 5, &mut rng)
            .unwrap()
            .with_planar_messages(messages)
            .unwrap()
            .with_coupling(j)
            .unwrap();
        let harmonic = (messages == PlanarMessages::FirstHarmonic).then_some(&table);
        let x: Vec<f64> = (0..16 * c).map(|_| normal_pair(&mut rng).0).collect();
        let (lambda, t) = (0.8, 2.0);
        let mut mean = vec![0.0; 16 * c];
        model.posterior_mean(&x, &[lambda], t, &mut mean).unwrap();
        let (k, s2) = scale_and_variance(lambda);
        let a: Vec<f64> = x.iter().map(|x| k * x / s2).collect();
        let mut h = vec![0.0; 16 * c];
        BeliefPropagation::default().cavity_fields((kind, harmonic), 4, &a, j / t, 5, &mut h);
        let (mut eta, mut want) = ([0.0; 2], [0.0; 2]);
        for i in 0..16 {
            for q in 0..c {
                eta[q] = a[i * c + q] + h[i * c + q];
            }
            kind.mean(&eta[..c], &mut want[..c]);
            for q in 0..c {
                assert!((mean[i * c + q] - want[q]).abs() < 1e-14);
            }
        }
    }
    // J = 0 or not finite is refused, and planar spins take only a ferromagnet.
    for (kind, j) in [
        (SpinKind::Ising, 0.0),
        (SpinKind::Ising, f64::NAN),
        (SpinKind::Planar, -1.0),
    ] {
        let model = random_model_of(kind, 2, 15);
        assert!(matches!(
            model.with_coupling(j),
            Err(DiffusionError::Parameter(_))
        ));
    }
    let many = LatticeDenoiser::MAX_PROPAGATION + 1;
    let capped = LatticeDenoiser::new(sde, SpinKind::Ising, 4, cond, &[6], many, &mut rng);
    assert!(matches!(capped, Err(DiffusionError::Parameter(_))));
    // First-harmonic messages are planar BP messages: refused for Ising or without BP.
    for (kind, propagation) in [(SpinKind::Ising, 2), (SpinKind::Planar, 0)] {
        let model = random_model_of(kind, propagation, 14);
        assert!(matches!(
            model.with_planar_messages(PlanarMessages::FirstHarmonic),
            Err(DiffusionError::Parameter(_))
        ));
    }
}
