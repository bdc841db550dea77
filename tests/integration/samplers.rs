//! Properties of every sampler that must hold for any size, temperature and seed.
use entropic::lattice::{Ising, Square, Temperature};
use entropic::prelude::*;
use entropic::sampler::SingleFlip;
use proptest::prelude::*;

fn even_side() -> impl Strategy<Value = usize> {
    (1usize..=12).prop_map(|h| 2 * h)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn checkerboard_keeps_spins_valid(
        lx in even_side(), ly in even_side(), t in 0.05f64..50.0,
        j in -2.0f64..2.0, h in -2.0f64..2.0, seed in any::<u64>(), sweeps in 1usize..20,
    ) {
        let model = Ising::new(Square::new(lx, ly).unwrap(), j, h).unwrap();
        let mut sampler = SingleFlip::checkerboard_metropolis(&model, Temperature::new(t).unwrap()).unwrap();
        let mut rng = entropic::rng::from_seed(seed);
        let mut state = model.random_state(&mut rng);
        let stats = run(&model, &mut sampler, &mut state, sweeps, &mut rng, &mut ());
        prop_assert_eq!(stats.attempted, (lx * ly * sweeps) as u64);
        prop_assert!(stats.accepted <= stats.attempted);
        prop_assert!(state.spins().iter().all(|&s| s == 1 || s == -1));
        // The state is still one the model accepts.
        prop_assert!(model.state_from_spins(state.spins().to_vec()).is_ok());
    }
}
