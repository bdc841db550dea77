//! Properties of every sampler that must hold for any size, temperature and seed: the state stays
//! valid (spins ±1, angles in [0, 2π)) and the counts add up.
use entropic::lattice::{Ising, PackedIsing, Square, Temperature, Xy};
use entropic::prelude::*;
use entropic::sampler::{FlipRule, MultiSpin, SingleFlip, SweepOrder, Wolff, XyMetropolis};
use proptest::prelude::*;

fn even_side() -> impl Strategy<Value = usize> {
    (1usize..=8).prop_map(|h| 2 * h)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn single_flip_keeps_spins_valid(
        lx in even_side(), ly in even_side(), t in 0.05f64..50.0, j in -2.0f64..2.0, h in -2.0f64..2.0,
        seed in any::<u64>(), sweeps in 1usize..10, heat_bath in any::<bool>(), random_site in any::<bool>(),
    ) {
        let model = Ising::new(Square::new(lx, ly).unwrap(), j, h).unwrap();
        // Side 2 needs heat bath or random sites (checkerboard Metropolis is not ergodic there).
        let side_two = lx == 2 || ly == 2;
        let rule = if heat_bath || (side_two && !random_site) { FlipRule::HeatBath } else { FlipRule::Metropolis };
        let order = if random_site { SweepOrder::RandomSite } else { SweepOrder::Checkerboard };
        let mut sampler = SingleFlip::new(&model, Temperature::new(t).unwrap(), rule, order).unwrap();
        let mut rng = entropic::rng::from_seed(seed);
        let mut state = model.random_state(&mut rng);
        let stats = run(&model, &mut sampler, &mut state, sweeps, &mut rng, &mut ());
        prop_assert_eq!(stats.attempted, (lx * ly * sweeps) as u64);
        prop_assert!(stats.accepted <= stats.attempted);
        prop_assert!(model.state_from_spins(state.spins().to_vec()).is_ok());
    }

    #[test]
    fn wolff_and_multispin_keep_spins_valid(l in (2usize..=8).prop_map(|h| 2 * h), t in 0.2f64..20.0, j in 0.1f64..2.0, seed in any::<u64>()) {
        let model = Ising::new(Square::with_side(l).unwrap(), j, 0.0).unwrap();
        let t = Temperature::new(t).unwrap();
        let mut rng = entropic::rng::from_seed(seed);
        let mut wolff = Wolff::ising(&model, t).unwrap();
        let mut state = model.random_state(&mut rng);
        let stats = run(&model, &mut wolff, &mut state, 5, &mut rng, &mut ());
        prop_assert_eq!(stats.clusters, 5);
        prop_assert!(model.state_from_spins(state.spins().to_vec()).is_ok());
        let packed = PackedIsing::new(model).unwrap();
        let mut multi = MultiSpin::new(&packed, t).unwrap();
        let mut pstate = packed.random_state(&mut rng);
        run(&packed, &mut multi, &mut pstate, 3, &mut rng, &mut ());
        let e = packed.energies_per_spin(&pstate);
        // |e| ≤ 2J per spin, up to the rounding of −J·(bond sum)/N (a ground state at
        // J = 1.3999… gave −2J − 1 ulp).
        let bound = 2.0 * j * (1.0 + 4.0 * f64::EPSILON);
        prop_assert!(e.iter().all(|x| x.abs() <= bound), "{:?}", e);
    }

    #[test]
    fn xy_samplers_keep_angles_in_range(l in 2usize..10, t in 0.02f64..20.0, seed in any::<u64>(), width in 0.001f64..std::f64::consts::PI) {
        let model = Xy::new(Square::with_side(l).unwrap(), 1.0, 0.0).unwrap();
        let t = Temperature::new(t).unwrap();
        let mut rng = entropic::rng::from_seed(seed);
        let mut state = model.random_state(&mut rng);
        let mut metropolis = XyMetropolis::with_width(t, width).unwrap();
        run(&model, &mut metropolis, &mut state, 3, &mut rng, &mut ());
        let mut wolff = Wolff::xy(&model, t).unwrap();
        run(&model, &mut wolff, &mut state, 5, &mut rng, &mut ());
        let tau = std::f64::consts::TAU;
        prop_assert!(state.angles().iter().all(|a| (0.0..tau).contains(a)));
        for (a, u) in state.angles().iter().zip(state.unit_vectors()) {
            prop_assert!((a.cos() - u[0]).abs() < 1e-12 && (a.sin() - u[1]).abs() < 1e-12);
        }
    }
}
