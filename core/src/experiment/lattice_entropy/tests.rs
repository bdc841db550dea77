use super::*;
use crate::diffusion::Gate;
use crate::experiment::Sequential;
use crate::rng::{from_seed, uniform_f64};

/// Random ±1 spins on 4×4 at two temperatures, 12 configurations each.
fn spins() -> SpinConfigurations {
    let mut rng = from_seed(3);
    let raw = (0..2 * 12 * 16)
        .map(|_| {
            if uniform_f64(&mut rng) < 0.5 {
                -1.0
            } else {
                1.0
            }
        })
        .collect();
    SpinConfigurations::new(SpinKind::Ising, 4, vec![2.0, 3.0], 12, raw).unwrap()
}

/// Tiny settings for i.i.d. spins: no belief propagation, whose ferromagnetic prior would
/// not fit them (the estimate would leave [0, ln 2], an error).
fn small() -> LatticeEntropyConfig {
    let mut c = LatticeEntropyConfig::default();
    c.denoiser.propagation = 0;
    c.training.steps = 6;
    c.training.batch = 4;
    c.denoiser.hidden = vec![4];
    c.draws = 40;
    c.strata = 4;
    c.generation.temperatures = Some(vec![3.0]);
    c.generation.samples = 2;
    c.generation.steps = 3;
    c
}

#[test]
fn settings_are_checked_before_any_work() {
    let refused = |edit: fn(&mut LatticeEntropyConfig)| {
        let mut c = small();
        edit(&mut c);
        match LatticeEntropy::new(c, spins()) {
            Err(ExperimentError::Config { field, .. }) => field,
            Err(ExperimentError::Diffusion(_)) => "diffusion",
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(refused(|c| c.holdout = 1.0), "holdout");
    assert_eq!(refused(|c| c.holdout = 0.99), "holdout");
    assert_eq!(refused(|c| c.draws = 7), "draws");
    assert_eq!(refused(|c| c.generation.samples = 1), "generation.samples");
    assert_eq!(
        refused(|c| c.generation.temperatures = Some(vec![9.0])),
        "generation.temperatures"
    );
    assert_eq!(
        refused(|c| c.generation.from_log_snr = Some(f64::NAN)),
        "generation.from_log_snr"
    );
    assert_eq!(refused(|c| c.generation.corrector_snr = 0.0), "diffusion");
    assert_eq!(refused(|c| c.training.learning_rate = -1.0), "diffusion");
    assert_eq!(
        refused(|c| c.denoiser.gate = Some(Gate::Constant(1.0))),
        "diffusion"
    );
    // Partial generation needs the samples among the held-out configurations (3 here).
    assert_eq!(
        refused(|c| {
            c.generation.from_log_snr = Some(0.0);
            c.generation.steps = 100;
            c.generation.samples = 4;
        }),
        "generation.samples"
    );
}

/// The data's Hamiltonian decides the references (Kaufman's at that coupling, none where it
/// does not apply) and the per-site model's coupling; nothing assumes J = 1.
#[test]
fn the_data_hamiltonian_sets_the_references_and_the_site_coupling() {
    let with_nnn = |coupling: f64, field: f64, next_nearest: f64| {
        spins()
            .with_hamiltonian(Hamiltonian {
                coupling,
                field,
                next_nearest,
            })
            .unwrap()
    };
    let with = |coupling: f64, field: f64| with_nnn(coupling, field, 0.0);
    let bp = || {
        let mut c = small();
        c.denoiser.propagation = 2;
        c
    };
    // J = 0.5 at T is Kaufman's J = 1 at 2T (the entropy depends on βJ only).
    let half = LatticeEntropy::new(bp(), with(0.5, 0.0)).unwrap();
    assert_eq!(half.config().denoiser.coupling, Some(0.5));
    let ising = Ising::new(Square::with_side(4).unwrap(), 1.0, 0.0).unwrap();
    for (r, t) in half.references().iter().zip([2.0, 3.0]) {
        let want = kaufman::exact(&ising, Temperature::new(2.0 * t).unwrap()).unwrap();
        assert!((r.unwrap().value - want.entropy_per_spin).abs() < 1e-12);
    }
    // An antiferromagnet on an even torus has the ferromagnet's entropy.
    let afm = LatticeEntropy::new(bp(), with(-1.0, 0.0)).unwrap();
    let ferro = LatticeEntropy::new(bp(), with(1.0, 0.0)).unwrap();
    assert_eq!(afm.references(), ferro.references());
    assert_eq!(afm.config().denoiser.coupling, Some(-1.0));
    let refused =
        |c: LatticeEntropyConfig, data: SpinConfigurations| match LatticeEntropy::new(c, data) {
            Err(ExperimentError::Config { field, .. }) => field,
            other => panic!("{other:?}"),
        };
    // A field: no Kaufman reference; the per-site model (Z2-symmetric) is refused, the
    // conv model runs.
    assert_eq!(refused(small(), with(1.0, 0.2)), "denoiser.coupling");
    let mut conv = small();
    conv.model = ModelChoice::Conv;
    conv.conv.channels = 3;
    conv.conv.dilations = vec![1];
    let field = LatticeEntropy::new(conv.clone(), with(1.0, 0.2)).unwrap();
    assert!(field.references().iter().all(Option::is_none));
    // The same for a next-nearest coupling.
    assert_eq!(
        refused(small(), with_nnn(1.0, 0.0, -0.25)),
        "denoiser.coupling"
    );
    let nnn = LatticeEntropy::new(conv.clone(), with_nnn(1.0, 0.0, -0.25)).unwrap();
    assert!(nnn.references().iter().all(Option::is_none));
    // Unknown Hamiltonian: no reference; belief propagation needs a stated coupling.
    assert!(
        LatticeEntropy::new(conv, spins())
            .unwrap()
            .references()
            .iter()
            .all(Option::is_none)
    );
    assert_eq!(refused(bp(), spins()), "denoiser.coupling");
    let mut stated = bp();
    stated.denoiser.coupling = Some(0.7);
    let run = LatticeEntropy::new(stated.clone(), spins()).unwrap();
    assert_eq!(run.config().denoiser.coupling, Some(0.7));
    // A stated coupling must agree with the data's.
    assert_eq!(refused(stated, with(1.0, 0.0)), "denoiser.coupling");
    // Odd antiferromagnets are frustrated: no Kaufman value.
    let odd = SpinConfigurations::new(SpinKind::Ising, 3, vec![2.0], 4, vec![1.0; 36])
        .unwrap()
        .with_hamiltonian(Hamiltonian::coupling(-1.0))
        .unwrap();
    let mut c = small();
    c.holdout = 0.5;
    c.generation.temperatures = Some(vec![]);
    let run = LatticeEntropy::new(c, odd).unwrap();
    assert_eq!(run.references(), &[None]);
}

#[cfg(feature = "serde")]
#[test]
fn a_paused_and_resumed_run_is_the_uninterrupted_one() {
    paused_and_resumed::<LatticeDenoiser>(small());
    let mut conv = small();
    conv.model = ModelChoice::Conv;
    conv.conv.channels = 3;
    conv.conv.dilations = vec![1, 2];
    paused_and_resumed::<ConvDenoiser>(conv);
}

#[cfg(feature = "serde")]
fn paused_and_resumed<M: LatticeModel + crate::diffusion::SavedModel>(
    config: LatticeEntropyConfig,
) {
    let run = LatticeEntropy::new(config.clone(), spins()).unwrap();
    let mut whole = run.trainer::<M>(5).unwrap();
    let whole_losses = whole.run(run.training_data(), 6).unwrap();
    let whole = whole.finish();
    let mut trainer = run.trainer::<M>(5).unwrap();
    let mut losses = trainer.run(run.training_data(), 4).unwrap();
    let saved = run.checkpoint(&trainer, &losses).unwrap();
    let (mut trainer, mut resumed) = run.resume::<M>(&saved).unwrap();
    resumed.extend(trainer.run(run.training_data(), 2).unwrap());
    losses.extend_from_slice(&resumed[4..]);
    assert_eq!(losses, whole_losses);
    let model = trainer.finish();
    assert_eq!(model.to_json().unwrap(), whole.to_json().unwrap());
    // The estimate (6 steps are no model of i.i.d. spins: possibly an out-of-range error,
    // then the same one) and the generation check are the same too.
    assert_eq!(
        run.estimate(&model, 5, &Sequential),
        run.estimate(&whole, 5, &Sequential)
    );
    assert_eq!(
        run.generate(&model, 5, &Sequential).unwrap(),
        run.generate(&whole, 5, &Sequential).unwrap()
    );
    // Another split is refused, and so is a checkpoint of the other model.
    let mut other = config;
    other.holdout = 0.5;
    let other = LatticeEntropy::new(other, spins()).unwrap();
    assert!(matches!(
        other.resume::<M>(&saved),
        Err(ExperimentError::Checkpoint(_))
    ));
    let wrong = match M::CHOICE {
        ModelChoice::Site => run.resume::<ConvDenoiser>(&saved).map(drop),
        ModelChoice::Conv => run.resume::<LatticeDenoiser>(&saved).map(drop),
    };
    assert!(matches!(wrong, Err(ExperimentError::Checkpoint(_))));
}

#[test]
fn a_prior_that_does_not_fit_the_data_is_an_error_not_a_result() {
    // Belief propagation assumes the stated ferromagnet at T = 2 and 3; the spins are
    // i.i.d. The barely trained model's estimate leaves [0, ln 2] by many error bars.
    let mut c = small();
    c.denoiser.propagation = 4;
    c.denoiser.coupling = Some(1.0);
    let run = LatticeEntropy::new(c, spins()).unwrap();
    let model = run.trainer::<LatticeDenoiser>(5).unwrap().finish();
    assert!(matches!(
        run.estimate(&model, 5, &Sequential),
        Err(ExperimentError::OutOfRange { .. })
    ));
}

#[test]
fn entropies_outside_what_spins_allow_are_errors() {
    let e = |v: f64, se: f64| Estimate::new(v, se, Unit::Nats, 10);
    assert!(check_range(SpinKind::Ising, e(0.3, 0.01)).is_ok());
    // Within five error bars of the bounds: Monte Carlo noise, not divergence.
    assert!(check_range(SpinKind::Ising, e(0.74, 0.01)).is_ok());
    assert!(check_range(SpinKind::Ising, e(-0.04, 0.01)).is_ok());
    for bad in [
        e(0.75, 0.01),
        e(-0.06, 0.01),
        e(14489.0, 3.0),
        e(f64::NAN, 0.1),
    ] {
        assert!(matches!(
            check_range(SpinKind::Ising, bad),
            Err(ExperimentError::OutOfRange { .. })
        ));
    }
    assert!(check_range(SpinKind::Planar, e(-3.0, 0.01)).is_ok());
    assert!(check_range(SpinKind::Planar, e(0.1, 0.01)).is_err());
}

#[test]
fn planar_values_round_trip_to_angles() {
    let angles = vec![0.0, 1.0, 3.0, 4.0, 6.0, 0.5, 2.5, 5.5];
    let data = SpinConfigurations::new(SpinKind::Planar, 2, vec![1.0], 2, angles.clone()).unwrap();
    let back = data.raw_from_values(&data.values(0, 0, 2));
    for (a, b) in angles.iter().zip(&back) {
        assert!((a - b).abs() < 1e-12, "{a} {b}");
    }
    assert!(SpinConfigurations::new(SpinKind::Planar, 2, vec![1.0], 2, vec![7.0; 8]).is_err());
    assert!(SpinConfigurations::new(SpinKind::Ising, 2, vec![1.0], 2, vec![0.5; 8]).is_err());
    assert!(SpinConfigurations::new(SpinKind::Ising, 2, vec![2.0, 1.0], 1, vec![1.0; 8]).is_err());
}

#[test]
fn symmetries_average_the_estimates_and_none_changes_nothing() {
    let seed = 4;
    let run = |symmetries: LatticeSymmetries| {
        let mut c = small();
        c.symmetries = symmetries;
        let experiment = LatticeEntropy::new(c, spins()).unwrap();
        let result = experiment
            .run::<LatticeDenoiser, _>(seed, &Sequential)
            .unwrap();
        let table = LatticeEntropyReport::new(&experiment, Unit::Nats, false).table(
            &result.rows,
            0.0,
            core::slice::from_ref(&result.model),
        );
        (result, table)
    };
    let (plain, plain_table) = run(LatticeSymmetries::default());
    let (averaged, table) = run(LatticeSymmetries {
        point_group: true,
        spin_reflection: true,
    });
    assert!(
        table.contains("averaged over 16 lattice symmetries"),
        "{table}"
    );
    assert!(!plain_table.contains("averaged"));
    // The same trained model, and every estimate and generated value is another one.
    assert_eq!(plain.losses, averaged.losses);
    for (p, a) in plain.rows.iter().zip(&averaged.rows) {
        assert_ne!(p.estimate.value, a.estimate.value);
    }
    assert_ne!(plain.denoising, averaged.denoising);
    // With no symmetry the estimate is the wrapped model's own, bit for bit.
    let experiment = LatticeEntropy::new(small(), spins()).unwrap();
    let rows = experiment
        .estimate(&plain.model, seed, &Sequential)
        .unwrap();
    assert_eq!(rows, plain.rows);
    // Data with a field do not have the spin reflection: refused before any work.
    let mut c = small();
    c.symmetries.spin_reflection = true;
    let field = Hamiltonian {
        coupling: 1.0,
        field: 0.1,
        next_nearest: 0.0,
    };
    match LatticeEntropy::new(c, spins().with_hamiltonian(field).unwrap()) {
        Err(ExperimentError::Config { field, .. }) => {
            assert_eq!(field, "symmetries.spin_reflection")
        }
        other => panic!("{other:?}"),
    }
}

/// Partial generation's drift pairs each generated configuration with the held-out one it
/// started from: energy, |m| and (XY) vortex density, each the mean of the differences.
#[test]
fn partial_generation_drift_is_the_mean_paired_difference() {
    let mut rng = from_seed(8);
    let angles = (0..2 * 12 * 16)
        .map(|_| core::f64::consts::TAU * uniform_f64(&mut rng))
        .collect();
    let data = SpinConfigurations::new(SpinKind::Planar, 4, vec![2.0, 3.0], 12, angles).unwrap();
    let mut c = small();
    c.model = ModelChoice::Conv;
    c.conv.channels = 2;
    c.conv.dilations = vec![1];
    c.generation.steps = 20;
    c.generation.samples = 3;
    c.generation.from_log_snr = Some(0.0);
    let run = LatticeEntropy::new(c, data).unwrap();
    let model = run.run::<ConvDenoiser, _>(2, &Sequential).unwrap().model;
    let generation = run.generate(&model, 4, &Sequential).unwrap();
    let row = &generation.rows[0];
    let drift = row.drift.as_ref().unwrap();
    let data = run.data();
    let n_train = run.training_per_temperature();
    let start = data.raw(1, n_train, n_train + 3);
    let generated = &generation.configurations[0];
    let ((e1, m1), (e0, m0)) = (
        data.observables(generated).unwrap(),
        data.observables(start).unwrap(),
    );
    let (v1, v0) = (
        data.vortices(generated).unwrap().unwrap(),
        data.vortices(start).unwrap().unwrap(),
    );
    let mean_diff = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(a, b)| a - b).sum::<f64>() / 3.0;
    let close = |x: f64, y: f64| (x - y).abs() <= 1e-12;
    assert!(close(drift.energy.value, mean_diff(&e1, &e0)));
    assert!(close(drift.abs_m.value, mean_diff(&m1, &m0)));
    let vortices = drift.vortices.as_ref().unwrap();
    assert!(close(vortices.value, mean_diff(&v1, &v0)));
    // Random angles at λ = 0 are rebuilt into other configurations: something moved.
    assert!(e1 != e0);
    // Generation from noise has no drift.
    let mut from_noise = run.config().clone();
    from_noise.generation.from_log_snr = None;
    let plain = LatticeEntropy::new(from_noise, data.clone()).unwrap();
    assert!(
        plain.generate(&model, 4, &Sequential).unwrap().rows[0]
            .drift
            .is_none()
    );
}
