//! Tests of the whole-lattice denoiser against exact answers on small lattices.
use super::*;
use crate::diffusion::{ScoreTrainParams, Trainer};
use crate::entropy::{EntropyEstimator, ExactEnumeration, Immse};
use crate::lattice::{Ising, Square, Temperature, enumeration};
use crate::rng::{from_seed, uniform_f64};
use crate::samples::Samples;
use crate::test_util::{check_data_parallel, check_trainable_gradient};

fn small_config() -> ConvDenoiserConfig {
    ConvDenoiserConfig {
        channels: 4,
        dilations: vec![1, 2],
        ..ConvDenoiserConfig::default()
    }
}

fn model<T: Scalar>(kind: SpinKind, side: usize, seed: u64) -> ConvDenoiser<T> {
    model_with(kind, side, seed, &small_config())
}

fn model_with<T: Scalar>(
    kind: SpinKind,
    side: usize,
    seed: u64,
    config: &ConvDenoiserConfig,
) -> ConvDenoiser<T> {
    let cond = Conditioning::Temperature { lo: 1.0, hi: 3.0 };
    let mut rng = from_seed(seed);
    let mut m =
        ConvDenoiser::<T>::from_config(VpSde::default(), kind, side, cond, config, &mut rng)
            .unwrap();
    // Give the zero-initialised head weights so every gradient is non-trivial (re-tied for
    // an equivariant network).
    for (p, _) in m.params_and_grads() {
        p.iter_mut()
            .for_each(|v| *v += 0.3 * (uniform_f64(&mut rng) - 0.5));
    }
    let shape = m.net.shape().clone();
    shape.tie(&mut m.params);
    m
}

fn ising_data(side: usize) -> LatticeData {
    let mut rng = from_seed(1);
    let spins: Vec<f64> = (0..6 * side * side)
        .map(|_| {
            if uniform_f64(&mut rng) < 0.5 {
                -1.0
            } else {
                1.0
            }
        })
        .collect();
    LatticeData::new(side, spins, vec![1.0, 1.0, 2.0, 2.0, 3.0, 3.0]).unwrap()
}

fn planar_data(side: usize) -> LatticeData {
    let mut rng = from_seed(8);
    let angles: Vec<f64> = (0..6 * side * side)
        .map(|_| 6.3 * uniform_f64(&mut rng))
        .collect();
    LatticeData::planar(side, &angles, vec![1.0, 1.0, 2.0, 2.0, 3.0, 3.0]).unwrap()
}

#[test]
fn loss_gradient_matches_finite_differences_and_parts_sum_to_the_batch() {
    for (kind, data) in [
        (SpinKind::Ising, ising_data(4)),
        (SpinKind::Planar, planar_data(4)),
    ] {
        let mut m = model::<f64>(kind, 4, 2);
        let batch = m.draw_batch(&data, 3, &mut from_seed(3)).unwrap();
        check_trainable_gradient(&mut m, 7, 1e-6, |m| m.loss_and_gradient(&batch).unwrap());
        check_data_parallel(&m, &batch, 2);
    }
}

/// Shift a b × L² × c lattice batch by (dy, dx) on the torus.
fn shifted(x: &[f64], side: usize, c: usize, (dy, dx): (usize, usize)) -> Vec<f64> {
    let mut out = vec![0.0; x.len()];
    for (xl, ol) in x
        .chunks(side * side * c)
        .zip(out.chunks_mut(side * side * c))
    {
        for (y, z) in (0..side).flat_map(|y| (0..side).map(move |z| (y, z))) {
            let to = ((y + dy) % side) * side + (z + dx) % side;
            ol[to * c..(to + 1) * c]
                .copy_from_slice(&xl[(y * side + z) * c..(y * side + z + 1) * c]);
        }
    }
    out
}

#[test]
fn posterior_means_are_translation_equivariant_at_any_side() {
    for kind in [SpinKind::Ising, SpinKind::Planar] {
        let c = kind.components();
        let trained = model::<f64>(kind, 6, 4);
        for side in [6, 5, 9] {
            let mut m = trained.with_side(side).unwrap();
            let mut rng = from_seed(5);
            let x: Vec<f64> = (0..2 * side * side * c)
                .map(|_| 2.0 * uniform_f64(&mut rng) - 1.0)
                .collect();
            let lambda = [0.3, -1.2];
            let mut y = vec![0.0; x.len()];
            m.posterior_mean(&x, &lambda, 2.0, &mut y).unwrap();
            for s in [(1, 0), (0, 2), (3, 4)] {
                let mut ys = vec![0.0; x.len()];
                m.posterior_mean(&shifted(&x, side, c, s), &lambda, 2.0, &mut ys)
                    .unwrap();
                for (a, b) in ys.iter().zip(&shifted(&y, side, c, s)) {
                    assert!(
                        (a - b).abs() < 1e-12,
                        "{kind:?} L = {side} {s:?}: {a} vs {b}"
                    );
                }
            }
        }
    }
}

#[test]
fn untrained_model_is_independent_spins_and_f32_agrees_with_f64() {
    let cond = Conditioning::Temperature { lo: 1.0, hi: 3.0 };
    let fresh = ConvDenoiser::<f32>::from_config(
        VpSde::default(),
        SpinKind::Ising,
        4,
        cond,
        &small_config(),
        &mut from_seed(1),
    )
    .unwrap();
    let x: Vec<f64> = (0..16).map(|i| 0.2 * i as f64 - 1.5).collect();
    let lambda = 0.7;
    let (k, s2) = scale_and_variance(lambda);
    let mut out = vec![0.0; 16];
    fresh
        .clone()
        .posterior_mean(&x, &[lambda], 1.5, &mut out)
        .unwrap();
    for (o, &x) in out.iter().zip(&x) {
        assert_eq!(*o, libm::tanh(k * x / s2));
    }
    // The same weights computed in f32 and in f64 agree to f32 rounding.
    let mut wide = model::<f64>(SpinKind::Planar, 4, 6);
    let mut narrow = model::<f32>(SpinKind::Planar, 4, 6);
    let x: Vec<f64> = (0..32).map(|i| (0.37 * i as f64).sin()).collect();
    let (mut a, mut b) = (vec![0.0; 32], vec![0.0; 32]);
    wide.posterior_mean(&x, &[0.1], 2.5, &mut a).unwrap();
    narrow.posterior_mean(&x, &[0.1], 2.5, &mut b).unwrap();
    for (a, b) in a.iter().zip(&b) {
        assert!((a - b).abs() < 1e-5, "{a} vs {b}");
    }
}

#[test]
fn bad_requests_are_typed_errors() {
    let mut m = model::<f32>(SpinKind::Ising, 4, 7);
    let mut out = vec![0.0; 16];
    assert!(matches!(
        m.posterior_mean(&[0.0; 16], &[0.0], 3.5, &mut out),
        Err(DiffusionError::Temperature { .. })
    ));
    assert!(m.at_temperature(0.5).is_err());
    assert!(matches!(
        m.posterior_mean(&[0.0; 15], &[0.0], 2.0, &mut out),
        Err(DiffusionError::Shape(_))
    ));
    assert!(m.check_data(&planar_data(4)).is_err());
    assert!(m.check_data(&ising_data(6)).is_err());
    assert!(m.check_data(&ising_data(4)).is_ok());
    assert!(m.with_side(1).is_err());
    let zero = ConvDenoiserConfig {
        dilations: vec![1, 0],
        ..small_config()
    };
    let cond = Conditioning::Temperature { lo: 1.0, hi: 3.0 };
    let build = |side, config: &ConvDenoiserConfig| {
        ConvDenoiser::<f32>::from_config(
            VpSde::default(),
            SpinKind::Ising,
            side,
            cond.clone(),
            config,
            &mut from_seed(1),
        )
    };
    assert!(build(4, &zero).is_err());
    assert!(build(1, &small_config()).is_err());
    assert!(build(2, &small_config()).is_ok());
    let labels = ConvDenoiserConfig {
        labels: true,
        ..small_config()
    };
    assert!(build(4, &labels).is_err());
    let empty = ConvDenoiserConfig {
        dilations: vec![],
        ..small_config()
    };
    assert!(build(4, &empty).is_err());
}

#[cfg(feature = "serde")]
#[test]
fn saved_models_reload_and_training_resumes_bit_identically() {
    let data = ising_data(4);
    let params = ScoreTrainParams {
        steps: 10,
        batch: 3,
        ..ScoreTrainParams::default()
    };
    let fresh = || model::<f32>(SpinKind::Ising, 4, 9);
    let mut straight = Trainer::new(fresh(), &data, params, 7).unwrap();
    let all = straight.run(&data, 100).unwrap();
    let mut first = Trainer::new(fresh(), &data, params, 7).unwrap();
    let head = first.run(&data, 4).unwrap();
    let mut resumed = Trainer::<ConvDenoiser>::from_json(&first.to_json().unwrap()).unwrap();
    let tail = resumed.run(&data, 100).unwrap();
    let joined: Vec<u64> = head.iter().chain(&tail).map(|l| l.to_bits()).collect();
    assert_eq!(joined, all.iter().map(|l| l.to_bits()).collect::<Vec<_>>());
    let mut trained = resumed.finish();
    let bytes = trained.to_json().unwrap();
    let mut back = ConvDenoiser::<f32>::from_json(&bytes).unwrap();
    assert_eq!(back.to_json().unwrap(), bytes);
    let x = [0.3; 16];
    let (mut a, mut b) = (vec![0.0; 16], vec![0.0; 16]);
    trained.posterior_mean(&x, &[0.5], 2.0, &mut a).unwrap();
    back.posterior_mean(&x, &[0.5], 2.0, &mut b).unwrap();
    assert_eq!(a, b);
    assert!(ConvDenoiser::<f32>::from_json(&bytes[..bytes.len() / 2]).is_err());
    // Another model's file is refused.
    let other = crate::diffusion::LatticeDenoiser::from_json(&bytes);
    assert!(other.is_err());
    let text = core::str::from_utf8(&bytes).unwrap();
    let wrong = text.replacen("\"params\":[", "\"params\":[1.0,", 1);
    assert!(ConvDenoiser::<f32>::from_json(wrong.as_bytes()).is_err());
}

/// Data from a Hamiltonian the model is never told: a frustrated antiferromagnet in a field on
/// the 3×3 torus. One temperature-conditioned model; each I-MMSE entropy within 4σ plus
/// 0.01 bits per spin of enumeration.
#[test]
fn learned_model_gives_enumerated_entropies_of_an_unknown_hamiltonian() {
    let ising = Ising::new(Square::with_side(3).unwrap(), -1.0, 0.3).unwrap();
    let temps = [1.5, 2.5, 4.0];
    let (mut spins, mut labels) = (Vec::new(), Vec::new());
    for (k, &t) in temps.iter().enumerate() {
        let mut rng = from_seed(10 + k as u64);
        let draws =
            enumeration::boltzmann_samples(&ising, Temperature::new(t).unwrap(), 3000, &mut rng)
                .unwrap();
        spins.extend(draws.into_iter().map(f64::from));
        labels.extend([t; 3000]);
    }
    let data = LatticeData::new(3, spins.clone(), labels).unwrap();
    let sde = VpSde::default();
    let cond = Conditioning::Temperature { lo: 1.5, hi: 4.0 };
    let config = ConvDenoiserConfig {
        channels: 16,
        dilations: vec![1, 1, 1],
        ..ConvDenoiserConfig::default()
    };
    let net =
        ConvDenoiser::<f32>::from_config(sde, SpinKind::Ising, 3, cond, &config, &mut from_seed(3))
            .unwrap();
    let params = ScoreTrainParams {
        steps: 3000,
        batch: 16,
        learning_rate: 2e-3,
        ema_decay: 0.99,
        parts: 1,
    };
    let mut run = Trainer::new(net, &data, params, 4).unwrap();
    let losses = run.run(&data, usize::MAX).unwrap();
    let trained = run.finish();
    let goal = 9.0 * 0.01 * core::f64::consts::LN_2;
    for (k, &t) in temps.iter().enumerate() {
        let rows = Samples::new(spins[k * 27_000..(k + 1) * 27_000].to_vec(), 9).unwrap();
        let h = Immse::new(sde, trained.at_temperature(t).unwrap(), 6000, 60, 5)
            .unwrap()
            .estimate(&rows)
            .unwrap();
        let exact = ExactEnumeration::new(Temperature::new(t).unwrap())
            .estimate(&ising)
            .unwrap()
            .value;
        std::println!(
            "T = {t}: learned I-MMSE {h} vs exact {exact:.4} (loss {:.4} → {:.4})",
            losses[0],
            losses[losses.len() - 1]
        );
        assert!(
            (h.value - exact).abs() < 4.0 * h.std_error + goal,
            "{h} vs {exact}"
        );
    }
}

fn global_frame() -> ConvDenoiserConfig {
    ConvDenoiserConfig {
        global_frame: true,
        ..small_config()
    }
}

/// Rotate every site of planar lattices `x` (site-major pairs) by `phi`.
fn rotated(x: &[f64], phi: f64) -> Vec<f64> {
    let (s, c) = (libm::sin(phi), libm::cos(phi));
    x.chunks(2)
        .flat_map(|v| [c * v[0] - s * v[1], s * v[0] + c * v[1]])
        .collect()
}

/// The largest change of posterior means between rotating a 5×5 planar input and rotating the
/// output, over three angles (zero for a model that commutes with global rotations), and the
/// posterior means of the unrotated input.
fn rotation_deviation(m: &mut ConvDenoiser<f64>) -> (f64, Vec<f64>) {
    let side = 5;
    let mut rng = from_seed(6);
    let x: Vec<f64> = (0..2 * side * side * 2)
        .map(|_| 2.0 * uniform_f64(&mut rng) - 1.0)
        .collect();
    let lambda = [0.3, 2.5];
    let mut y = vec![0.0; x.len()];
    m.posterior_mean(&x, &lambda, 2.0, &mut y).unwrap();
    let mut worst: f64 = 0.0;
    for phi in [0.7, 2.0, -2.9] {
        let mut yr = vec![0.0; x.len()];
        m.posterior_mean(&rotated(&x, phi), &lambda, 2.0, &mut yr)
            .unwrap();
        for (a, b) in yr.iter().zip(&rotated(&y, phi)) {
            worst = worst.max((a - b).abs());
        }
    }
    (worst, y)
}

/// A 4×4 model of `kind` with `config`, as [`ConvDenoiser::from_config`] returns it.
fn build(kind: SpinKind, config: &ConvDenoiserConfig) -> Result<ConvDenoiser<f64>, DiffusionError> {
    ConvDenoiser::<f64>::from_config(
        VpSde::default(),
        kind,
        4,
        Conditioning::Temperature { lo: 1.0, hi: 3.0 },
        config,
        &mut from_seed(1),
    )
}

/// In the global frame the planar model commutes with every global rotation (to rounding),
/// which the plain model does not; its loss gradient matches finite differences.
#[test]
fn global_frame_makes_the_planar_model_rotation_equivariant() {
    let mut framed = model_with::<f64>(SpinKind::Planar, 5, 4, &global_frame());
    assert!(rotation_deviation(&mut framed).0 < 1e-12);
    assert!(rotation_deviation(&mut model::<f64>(SpinKind::Planar, 5, 4)).0 > 1e-3);
    assert!(framed.config().global_frame);

    let data = planar_data(4);
    let mut m = model_with::<f64>(SpinKind::Planar, 4, 2, &global_frame());
    let batch = m.draw_batch(&data, 3, &mut from_seed(3)).unwrap();
    check_trainable_gradient(&mut m, 7, 1e-6, |m| m.loss_and_gradient(&batch).unwrap());
    check_data_parallel(&m, &batch, 2);
    assert!(matches!(
        build(SpinKind::Ising, &global_frame()),
        Err(DiffusionError::Parameter(_))
    ));
}

fn equivariant() -> ConvDenoiserConfig {
    ConvDenoiserConfig {
        equivariant: true,
        ..small_config()
    }
}

/// The equivariant planar model commutes with every global rotation (to rounding) at every
/// layer; its projected loss gradient matches finite differences along tied directions; its
/// ties survive Adam and a save → load; the settings that contradict it are refused.
#[test]
fn the_equivariant_planar_model_commutes_with_rotations_and_keeps_its_ties() {
    let mut m = model_with::<f64>(SpinKind::Planar, 5, 4, &equivariant());
    assert!(m.config().equivariant);
    // The free parameters are counted, fewer than the stored real-layout values; a plain
    // model counts every stored value.
    assert!(m.parameter_count() < m.params.len());
    let plain = model_with::<f64>(SpinKind::Planar, 5, 4, &small_config());
    assert_eq!(plain.parameter_count(), plain.params.len());
    let (deviation, y) = rotation_deviation(&mut m);
    assert!(deviation < 1e-12, "{deviation}");
    // The field is not trivially zero: the means differ from the single-site evidence.
    m.params.iter_mut().for_each(|w| *w = 0.0);
    let (_, plain) = rotation_deviation(&mut m);
    assert!(y.iter().zip(&plain).any(|(a, b)| (a - b).abs() > 1e-3));

    // ⟨gradient, d⟩ against the loss's central difference along tied directions d.
    let data = planar_data(4);
    let mut m = model_with::<f64>(SpinKind::Planar, 4, 2, &equivariant());
    let batch = m.draw_batch(&data, 3, &mut from_seed(3)).unwrap();
    m.loss_and_gradient(&batch).unwrap();
    let grads = m.grads.clone();
    let shape = m.net.shape().clone();
    let mut tied = grads.clone();
    shape.tie(&mut tied);
    assert_eq!(tied, grads, "the gradient leaves the ties");
    for seed in 0..3 {
        let mut rng = from_seed(40 + seed);
        let mut d: Vec<f64> = (0..grads.len())
            .map(|_| uniform_f64(&mut rng) - 0.5)
            .collect();
        shape.tie(&mut d);
        let along: f64 = grads.iter().zip(&d).map(|(g, d)| g * d).sum();
        let shifted = |delta: f64| {
            let mut s = m.clone();
            s.params
                .iter_mut()
                .zip(&d)
                .for_each(|(p, d)| *p += delta * d);
            s.loss_and_gradient(&batch).unwrap()
        };
        let numeric = (shifted(1e-6) - shifted(-1e-6)) / 2e-6;
        assert!(
            (along - numeric).abs() < 1e-6 * (1.0 + numeric.abs()),
            "{along} vs {numeric}"
        );
    }
    check_data_parallel(&m, &batch, 2);

    // Adam keeps the ties; save → load is bit-identical; untied weights are refused.
    let params = ScoreTrainParams {
        steps: 5,
        batch: 3,
        ..ScoreTrainParams::default()
    };
    let fresh = ConvDenoiser::<f32>::from_config(
        VpSde::default(),
        SpinKind::Planar,
        4,
        Conditioning::Temperature { lo: 1.0, hi: 3.0 },
        &equivariant(),
        &mut from_seed(1),
    )
    .unwrap();
    let mut run = Trainer::new(fresh, &data, params, 7).unwrap();
    run.run(&data, usize::MAX).unwrap();
    let trained = run.finish();
    let mut tied = trained.params.clone();
    shape.tie(&mut tied);
    assert_eq!(tied, trained.params);
    #[cfg(feature = "serde")]
    {
        let bytes = trained.to_json().unwrap();
        assert_eq!(
            ConvDenoiser::<f32>::from_json(&bytes)
                .unwrap()
                .to_json()
                .unwrap(),
            bytes
        );
        let mut untied = trained.clone();
        untied.params[0] += 0.25;
        let bytes = untied.to_json().unwrap();
        assert!(matches!(
            ConvDenoiser::<f32>::from_json(&bytes),
            Err(DiffusionError::Malformed(_))
        ));
    }

    for (kind, config) in [
        (SpinKind::Ising, equivariant()),
        (
            SpinKind::Planar,
            ConvDenoiserConfig {
                global_frame: true,
                ..equivariant()
            },
        ),
        (
            SpinKind::Planar,
            ConvDenoiserConfig {
                channels: 5,
                ..equivariant()
            },
        ),
    ] {
        assert!(matches!(
            build(kind, &config),
            Err(DiffusionError::Parameter(_))
        ));
    }
}
