use crate::lattice::{LatticeError, Temperature, Xy, XyState};
use crate::model::{Sampler, StepStats};
use crate::rng::{threshold_53, uniform_f64};
use core::f64::consts::PI;
use rand_core::Rng;

/// Metropolis for the XY model: each site in turn (row-major) proposes θ' = θ + δ(2u − 1) and
/// accepts with probability min(1, e^{−βΔE}), ΔE from Eq. 3.5 (thesis) plus the field term.
///
/// The proposal width δ ∈ (0, π] is adapted only by [`XyMetropolis::tune`], which is meant for
/// equilibration: a width that keeps changing while measuring would break detailed balance.
///
/// # Examples
/// ```
/// use entropic::prelude::*;
/// use entropic::lattice::{Square, Temperature, Xy};
/// use entropic::sampler::XyMetropolis;
/// let model = Xy::new(Square::with_side(8)?, 1.0, 0.0)?;
/// let mut sampler = XyMetropolis::new(Temperature::new(0.5)?);
/// let mut rng = entropic::rng::from_seed(2);
/// let mut state = model.random_state(&mut rng);
/// let width = sampler.tune(&model, &mut state, 200, &mut rng);
/// let stats = run(&model, &mut sampler, &mut state, 100, &mut rng, &mut ());
/// assert!(width < core::f64::consts::PI && (0.3..0.7).contains(&stats.acceptance()));
/// # Ok::<(), entropic::lattice::LatticeError>(())
/// ```
#[derive(Clone, Debug)]
pub struct XyMetropolis {
    temperature: Temperature,
    width: f64,
}

impl XyMetropolis {
    /// Acceptance rate [`XyMetropolis::tune`] aims for.
    pub const TARGET_ACCEPTANCE: f64 = 0.5;

    /// A sampler at temperature `t` with the widest proposal (δ = π, uniform new angles).
    pub fn new(t: Temperature) -> Self {
        Self {
            temperature: t,
            width: PI,
        }
    }

    /// A sampler with proposal width `width`.
    ///
    /// # Errors
    /// [`LatticeError::NotFinite`] unless 0 < width ≤ π.
    pub fn with_width(t: Temperature, width: f64) -> Result<Self, LatticeError> {
        if width > 0.0 && width <= PI {
            Ok(Self {
                temperature: t,
                width,
            })
        } else {
            Err(LatticeError::NotFinite {
                name: "proposal width (0 < δ ≤ π)",
                value: width,
            })
        }
    }

    /// The proposal half-width δ.
    pub fn width(&self) -> f64 {
        self.width
    }

    /// The temperature the sampler targets.
    pub fn temperature(&self) -> Temperature {
        self.temperature
    }

    /// Equilibrate for `sweeps` sweeps while adapting δ after each sweep by
    /// δ ← δ · exp(a − target), clamped to [10⁻⁴, π]; returns the final δ, which stays fixed
    /// afterwards.
    pub fn tune<R: Rng + ?Sized>(
        &mut self,
        model: &Xy,
        state: &mut XyState,
        sweeps: usize,
        rng: &mut R,
    ) -> f64 {
        for _ in 0..sweeps {
            let a = self.step(model, state, rng).acceptance();
            self.width = (self.width * libm::exp(a - Self::TARGET_ACCEPTANCE)).clamp(1e-4, PI);
        }
        self.width
    }
}

impl Sampler<Xy> for XyMetropolis {
    /// One sweep: N proposals, each with two `u64` draws (proposal and acceptance).
    fn step<R: Rng + ?Sized>(&mut self, model: &Xy, state: &mut XyState, rng: &mut R) -> StepStats {
        let n = model.lattice().sites();
        assert_eq!(
            state.angles().len(),
            n,
            "state does not belong to this model's lattice"
        );
        let beta = self.temperature.beta();
        let mut accepted = 0;
        for i in 0..n {
            let theta = state.angles()[i] + self.width * (2.0 * uniform_f64(rng) - 1.0);
            let (s, c) = libm::sincos(theta);
            let delta = model.move_energy(state, i, [c, s]);
            let p = if delta <= 0.0 {
                1.0
            } else {
                libm::exp(-beta * delta)
            };
            if (rng.next_u64() >> 11) < threshold_53(p) {
                state.set(i, theta);
                accepted += 1;
            }
        }
        StepStats {
            attempted: n as u64,
            accepted,
            clusters: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lattice::{Square, xy_limits};
    use crate::model::run;
    use crate::rng::from_seed;
    use crate::sampler::Wolff;
    use crate::stats::{MeanEstimate, SeriesRecorder};
    use crate::test_util::assert_within_sigmas;

    fn energy_and_m<S: Sampler<Xy>>(
        model: &Xy,
        sampler: &mut S,
        state: &mut XyState,
        seed: u64,
        sweeps: usize,
    ) -> (MeanEstimate, MeanEstimate) {
        let mut rng = from_seed(seed);
        let mut obs = (
            SeriesRecorder::new(|s: &XyState| model.energy_per_spin(s)),
            SeriesRecorder::new(|s: &XyState| model.abs_magnetization_per_spin(s)),
        );
        run(model, sampler, state, sweeps, &mut rng, &mut obs);
        (
            MeanEstimate::from_series(obs.0.series()).unwrap(),
            MeanEstimate::from_series(obs.1.series()).unwrap(),
        )
    }

    fn metropolis(
        model: &Xy,
        t: Temperature,
        seed: u64,
        sweeps: usize,
    ) -> (MeanEstimate, MeanEstimate) {
        let mut sampler = XyMetropolis::new(t);
        let mut rng = from_seed(seed);
        let mut state = model.random_state(&mut rng);
        sampler.tune(model, &mut state, 1_000, &mut rng);
        energy_and_m(model, &mut sampler, &mut state, seed + 1, sweeps)
    }

    #[test]
    fn metropolis_and_wolff_agree() {
        let model = Xy::new(Square::with_side(8).unwrap(), 1.0, 0.0).unwrap();
        for (k, t) in [0.6, 0.9, 1.3].into_iter().enumerate() {
            let t = Temperature::new(t).unwrap();
            let (em, mm) = metropolis(&model, t, 10 + k as u64, 30_000);
            let mut wolff = Wolff::xy(&model, t).unwrap();
            let mut rng = from_seed(20 + k as u64);
            let mut state = model.random_state(&mut rng);
            wolff.calibrate(&model, &mut state, 300, &mut rng);
            let (ew, mw) = energy_and_m(&model, &mut wolff, &mut state, 30 + k as u64, 20_000);
            for (a, b) in [(em, ew), (mm, mw)] {
                let sigma = libm::hypot(a.std_error, b.std_error);
                assert!(
                    (a.value - b.value).abs() < 4.0 * sigma,
                    "T = {}: {} ± {} vs {} ± {}",
                    t.value(),
                    a.value,
                    a.std_error,
                    b.value,
                    b.std_error
                );
            }
        }
    }

    /// The helicity modulus Υ of `model` at `t` from 20 000 Metropolis sweeps after 1 000
    /// tuning sweeps, drawing from `seed`.
    fn helicity(model: &Xy, t: Temperature, mut state: XyState, seed: u64) -> MeanEstimate {
        let mut sampler = XyMetropolis::new(t);
        let mut rng = from_seed(seed);
        sampler.tune(model, &mut state, 1_000, &mut rng);
        let mut helicity = SeriesRecorder::new(|s: &XyState| model.helicity_sample(s, t));
        run(
            model,
            &mut sampler,
            &mut state,
            20_000,
            &mut rng,
            &mut helicity,
        );
        MeanEstimate::from_series(helicity.series()).unwrap()
    }

    /// The helicity modulus against spin-wave theory at low T, Υ = J − T/4 + O(T²): within
    /// four error bars plus T²/8 (the neglected order; its known coefficient is 1/32), for J = 1
    /// and J = 0.5; and zero to within error bars of the finite size well above T_KT.
    #[test]
    fn helicity_modulus_matches_spin_waves_and_vanishes_when_hot() {
        for (j, t) in [(1.0, 0.1), (1.0, 0.2), (0.5, 0.05)] {
            let model = Xy::new(Square::with_side(8).unwrap(), j, 0.0).unwrap();
            let t = Temperature::new(t).unwrap();
            let y = helicity(&model, t, model.ordered_state(), 40);
            let (tv, want) = (t.value(), j - t.value() / 4.0);
            assert!(
                (y.value - want).abs() < 4.0 * y.std_error + tv * tv / 8.0,
                "J = {j}, T = {tv}: {} ± {} vs {want}",
                y.value,
                y.std_error
            );
        }
        // Hot: a random start (its own seed), far above T_KT.
        let model = Xy::new(Square::with_side(16).unwrap(), 1.0, 0.0).unwrap();
        let t = Temperature::new(3.0).unwrap();
        let start = model.random_state(&mut from_seed(41));
        let y = helicity(&model, t, start, 42);
        assert!(
            y.value.abs() < 4.0 * y.std_error,
            "{} ± {}",
            y.value,
            y.std_error
        );
    }

    #[test]
    fn high_and_low_temperature_limits() {
        let model = Xy::new(Square::with_side(8).unwrap(), 1.0, 0.0).unwrap();
        let hot = Temperature::new(5.0).unwrap();
        let (e, _) = metropolis(&model, hot, 1, 40_000);
        assert_within_sigmas(&e, xy_limits::high_temperature(1.0, hot).unwrap().0, 4.0);
        let cold = Temperature::new(0.1).unwrap();
        let (e, _) = metropolis(&model, cold, 2, 20_000);
        assert_within_sigmas(
            &e,
            xy_limits::spin_wave(1.0, cold, model.lattice()).unwrap().0,
            4.0,
        );
    }

    #[test]
    fn tuning_reaches_target_and_width_is_validated() {
        let model = Xy::new(Square::with_side(8).unwrap(), 1.0, 0.0).unwrap();
        let t = Temperature::new(0.3).unwrap();
        let mut sampler = XyMetropolis::new(t);
        let mut rng = from_seed(3);
        let mut state = model.random_state(&mut rng);
        let width = sampler.tune(&model, &mut state, 500, &mut rng);
        let stats = run(&model, &mut sampler, &mut state, 200, &mut rng, &mut ());
        assert!(
            (stats.acceptance() - XyMetropolis::TARGET_ACCEPTANCE).abs() < 0.1,
            "{}",
            stats.acceptance()
        );
        assert_eq!(sampler.width(), width, "width is fixed outside tune");
        assert!(XyMetropolis::with_width(t, 0.0).is_err());
        assert!(XyMetropolis::with_width(t, 4.0).is_err());
    }
}
