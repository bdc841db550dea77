use super::{MeanEstimate, StatsError, Uncertain, blocked_jackknife};

/// Equilibrium thermodynamics of a lattice model from per-step series, with error bars.
///
/// # Formula
/// With e = E/N and m = |M|/N per step, N sites and β = 1/T:
/// - specific heat c = β² N (⟨e²⟩ − ⟨e⟩²),
/// - susceptibility χ = β N (⟨m²⟩ − ⟨|m|⟩²) (the finite-lattice estimator built on |m|),
/// - Binder cumulant U = 1 − ⟨m⁴⟩ / (κ ⟨m²⟩²) with κ = 3 for Ising (one component) and κ = 2 for
///   XY (two), so U → 2/3 (Ising) or 1/2 (XY) in the ordered phase and → 0 in the disordered one.
///
/// Means carry autocorrelation-corrected errors ([`MeanEstimate`]); c, χ and U carry blocked
/// jackknife errors with blocks of ⌈2 τ_max⌉ + 1 steps, τ_max the larger τ_int of e and m.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Thermodynamics {
    /// ⟨e⟩.
    pub energy: MeanEstimate,
    /// ⟨|m|⟩.
    pub abs_magnetization: MeanEstimate,
    /// c per spin.
    pub specific_heat: Uncertain,
    /// χ per spin.
    pub susceptibility: Uncertain,
    /// Binder cumulant.
    pub binder: Uncertain,
    /// Difference of the energy means of the first and second halves in units of its standard
    /// error; |drift| > 4 says the run was not equilibrated.
    pub energy_drift_sigmas: f64,
}

impl Thermodynamics {
    /// Largest |drift| (in standard errors) accepted by [`Thermodynamics::is_equilibrated`].
    pub const MAX_DRIFT_SIGMAS: f64 = 4.0;

    /// `energy` and `abs_magnetization` are per-step e and |m|; `components` is 1 for Ising, 2
    /// for XY.
    ///
    /// # Errors
    /// [`StatsError::TooShort`] for fewer than 20 steps or series of different lengths,
    /// [`StatsError::NotFinite`] for NaN or ±∞.
    ///
    /// # Examples
    /// ```
    /// use entropic::stats::Thermodynamics;
    /// let e: Vec<f64> = (0..1000).map(|t| -1.0 - 0.01 * (t % 3) as f64).collect();
    /// let m = vec![0.5; 1000];
    /// let th = Thermodynamics::from_series(&e, &m, 0.5, 100, 1)?;
    /// assert!((th.energy.value + 1.01).abs() < 1e-3);
    /// assert!(th.susceptibility.value.abs() < 1e-12); // constant m: no fluctuation
    /// # Ok::<(), entropic::stats::StatsError>(())
    /// ```
    pub fn from_series(
        energy: &[f64],
        abs_magnetization: &[f64],
        beta: f64,
        sites: usize,
        components: u8,
    ) -> Result<Self, StatsError> {
        const MIN: usize = 20;
        if energy.len() < MIN || abs_magnetization.len() != energy.len() {
            return Err(StatsError::TooShort {
                len: energy.len().min(abs_magnetization.len()),
                min: MIN,
            });
        }
        let e = MeanEstimate::from_series(energy)?;
        let m = MeanEstimate::from_series(abs_magnetization)?;
        let tau = e.autocorrelation.tau.max(m.autocorrelation.tau);
        let block = (libm::ceil(2.0 * tau) as usize + 1)
            .min(energy.len() / MIN)
            .max(1);
        let samples: alloc::vec::Vec<[f64; 5]> = energy
            .iter()
            .zip(abs_magnetization)
            .map(|(&e, &m)| [e, e * e, m, m * m, m * m * m * m])
            .collect();
        let n = sites as f64;
        let kappa = if components <= 1 { 3.0 } else { 2.0 };
        let specific_heat =
            blocked_jackknife(&samples, block, |s| beta * beta * n * (s[1] - s[0] * s[0]))?;
        let susceptibility =
            blocked_jackknife(&samples, block, |s| beta * n * (s[3] - s[2] * s[2]))?;
        let binder = blocked_jackknife(&samples, block, |s| {
            if s[3] > 0.0 {
                1.0 - s[4] / (kappa * s[3] * s[3])
            } else {
                0.0
            }
        })?;
        let half = energy.len() / 2;
        let first = MeanEstimate::from_series(&energy[..half])?;
        let second = MeanEstimate::from_series(&energy[half..])?;
        let spread = libm::hypot(first.std_error, second.std_error);
        let energy_drift_sigmas = if spread > 0.0 {
            (second.value - first.value) / spread
        } else {
            0.0
        };
        Ok(Self {
            energy: e,
            abs_magnetization: m,
            specific_heat,
            susceptibility,
            binder,
            energy_drift_sigmas,
        })
    }

    /// Whether the energy shows no drift between the halves of the run.
    pub fn is_equilibrated(&self) -> bool {
        self.energy_drift_sigmas.abs() <= Self::MAX_DRIFT_SIGMAS
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lattice::{Ising, IsingState, Square, Temperature, enumeration};
    use crate::model::run;
    use crate::sampler::SingleFlip;
    use crate::stats::SeriesRecorder;

    #[test]
    fn matches_exact_four_by_four() {
        let model = Ising::new(Square::with_side(4).unwrap(), 1.0, 0.0).unwrap();
        for (k, t) in [1.8, 2.5, 4.0].into_iter().enumerate() {
            let t = Temperature::new(t).unwrap();
            let exact = enumeration::exact(&model, t).unwrap();
            let mut sampler = SingleFlip::checkerboard_metropolis(&model, t).unwrap();
            let mut rng = crate::rng::from_seed(40 + k as u64);
            let mut state = model.random_state(&mut rng);
            run(&model, &mut sampler, &mut state, 1000, &mut rng, &mut ());
            let mut obs = (
                SeriesRecorder::new(|s: &IsingState| model.energy_per_spin(s)),
                SeriesRecorder::new(|s: &IsingState| model.abs_magnetization_per_spin(s)),
            );
            run(
                &model,
                &mut sampler,
                &mut state,
                200_000,
                &mut rng,
                &mut obs,
            );
            let th = Thermodynamics::from_series(obs.0.series(), obs.1.series(), t.beta(), 16, 1)
                .unwrap();
            let chi = t.beta()
                * 16.0
                * (exact.magnetization_sq - exact.abs_magnetization * exact.abs_magnetization);
            let binder = 1.0
                - exact.magnetization_quartic
                    / (3.0 * exact.magnetization_sq * exact.magnetization_sq);
            for (name, est, truth) in [
                ("c", th.specific_heat, exact.specific_heat),
                ("χ", th.susceptibility, chi),
                ("U", th.binder, binder),
            ] {
                assert!(
                    (est.value - truth).abs() <= 4.0 * est.std_error,
                    "{name} at T = {}: {} ± {} vs {truth}",
                    t.value(),
                    est.value,
                    est.std_error
                );
            }
            assert!(th.is_equilibrated(), "drift {}", th.energy_drift_sigmas);
        }
    }

    #[test]
    fn drift_is_detected() {
        let e: alloc::vec::Vec<f64> = (0..2000)
            .map(|t| -2.0 + 1e-3 * t as f64 + 0.01 * ((t * 7919) % 13) as f64)
            .collect();
        let m = alloc::vec![0.1; 2000];
        assert!(
            !Thermodynamics::from_series(&e, &m, 1.0, 16, 1)
                .unwrap()
                .is_equilibrated()
        );
    }
}
