//! The entropy of a MaxEnt model, S = ln Z + Σᵢ λᵢ ⟨fᵢ⟩ — which the paper calls "practically
//! incomputable" — by thermodynamic integration from a tractable reference (Gaussian, or uniform on a box).
use super::{Energy, MaxEnt, MaxEntError, Observables, Walkers};
use crate::estimate::{Estimate, Unit};
use crate::model::Observer;
use crate::stats::{MeanEstimate, SeriesRecorder};
use alloc::vec::Vec;
use rand_core::Rng;

/// A tractable reference for thermodynamic integration, with an exact ln Z_ref.
#[derive(Clone, Debug, PartialEq)]
pub enum Reference {
    /// Diagonal Gaussian H_ref(x) = Σ_k (x_k − m_k)² / (2 v_k), ln Z_ref = Σ_k ½ ln(2π v_k).
    /// For models on all of R^d.
    Gaussian {
        /// Means m_k.
        mean: Vec<f64>,
        /// Variances v_k.
        var: Vec<f64>,
    },
    /// Uniform on the box [lo, hi]^d: H_ref = 0, ln Z_ref = d ln(hi − lo). For models whose
    /// walkers are confined to that box (pixel images).
    UniformBox {
        /// Dimension d.
        dim: usize,
        /// Lower bound of every coordinate.
        lo: f64,
        /// Upper bound of every coordinate.
        hi: f64,
    },
}

impl Reference {
    /// A diagonal Gaussian.
    ///
    /// # Errors
    /// [`MaxEntError::Shape`] for different lengths or none, [`MaxEntError::Parameter`] for a
    /// non-positive variance.
    pub fn gaussian(mean: Vec<f64>, var: Vec<f64>) -> Result<Self, MaxEntError> {
        if mean.is_empty() || mean.len() != var.len() {
            return Err(MaxEntError::Shape(
                "reference mean and variance need the same, non-zero length",
            ));
        }
        if var.iter().any(|v| !(v.is_finite() && *v > 0.0)) || mean.iter().any(|m| !m.is_finite()) {
            return Err(MaxEntError::Parameter(
                "reference variances must be positive and finite",
            ));
        }
        Ok(Self::Gaussian { mean, var })
    }

    /// The diagonal Gaussian fitted to data (per-coordinate mean and variance).
    ///
    /// # Errors
    /// As [`Reference::gaussian`] (constant coordinates have zero variance).
    pub fn fit(data: &[f64], dim: usize) -> Result<Self, MaxEntError> {
        if dim == 0 || data.is_empty() || data.len() % dim != 0 {
            return Err(MaxEntError::Shape(
                "data must be a non-empty multiple of the dimension",
            ));
        }
        let n = (data.len() / dim) as f64;
        let mean: Vec<f64> = (0..dim)
            .map(|k| data.iter().skip(k).step_by(dim).sum::<f64>() / n)
            .collect();
        let var = (0..dim)
            .map(|k| {
                data.iter()
                    .skip(k)
                    .step_by(dim)
                    .map(|x| (x - mean[k]) * (x - mean[k]))
                    .sum::<f64>()
                    / n
            })
            .collect();
        Self::gaussian(mean, var)
    }

    /// The uniform distribution on [lo, hi]^dim.
    ///
    /// # Errors
    /// [`MaxEntError::Shape`] for dim = 0, [`MaxEntError::Parameter`] unless lo < hi, finite.
    pub fn uniform_box(dim: usize, lo: f64, hi: f64) -> Result<Self, MaxEntError> {
        if dim == 0 {
            return Err(MaxEntError::Shape("the reference needs a dimension"));
        }
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return Err(MaxEntError::Parameter("the box needs finite lo < hi"));
        }
        Ok(Self::UniformBox { dim, lo, hi })
    }

    /// Dimension of the reference.
    pub fn dim(&self) -> usize {
        match self {
            Self::Gaussian { mean, .. } => mean.len(),
            Self::UniformBox { dim, .. } => *dim,
        }
    }

    fn energy(&self, x: &[f64], out: &mut Vec<f64>) {
        let d = self.dim();
        out.clear();
        match self {
            Self::Gaussian { mean, var } => out.extend(x.chunks_exact(d).map(|row| {
                row.iter()
                    .zip(mean)
                    .zip(var)
                    .map(|((x, m), v)| (x - m) * (x - m) / (2.0 * v))
                    .sum::<f64>()
            })),
            Self::UniformBox { .. } => out.resize(x.len() / d, 0.0),
        }
    }

    /// ∇ₓH_ref: (x − m)/v for the Gaussian, 0 on the box.
    fn energy_gradient(&self, x: &[f64], out: &mut Vec<f64>) {
        out.clear();
        match self {
            Self::Gaussian { mean, var } => {
                let d = mean.len();
                out.extend(
                    x.iter()
                        .enumerate()
                        .map(|(k, v)| (v - mean[k % d]) / var[k % d]),
                );
            }
            Self::UniformBox { .. } => out.resize(x.len(), 0.0),
        }
    }

    /// ln Z_ref.
    pub fn log_partition(&self) -> f64 {
        match self {
            Self::Gaussian { var, .. } => var
                .iter()
                .map(|v| 0.5 * libm::log(core::f64::consts::TAU * v))
                .sum(),
            Self::UniformBox { dim, lo, hi } => *dim as f64 * libm::log(hi - lo),
        }
    }
}

/// The annealed energy H_s = (1 − s) H_ref + s H between the reference and the model, with its
/// gradient: what thermodynamic integration samples at each grid point.
struct Annealed<'a, O> {
    model: &'a mut MaxEnt<O>,
    reference: &'a Reference,
    s: f64,
    scratch: Vec<f64>,
}

impl<O: Observables> Energy for Annealed<'_, O> {
    fn energies(&mut self, x: &[f64], batch: usize, out: &mut Vec<f64>) -> Result<(), MaxEntError> {
        self.model.energies(x, batch, out)?;
        self.reference.energy(x, &mut self.scratch);
        let s = self.s;
        out.iter_mut()
            .zip(&self.scratch)
            .for_each(|(h, r)| *h = (1.0 - s) * r + s * *h);
        Ok(())
    }

    fn gradients(
        &mut self,
        x: &[f64],
        batch: usize,
        out: &mut Vec<f64>,
    ) -> Result<bool, MaxEntError> {
        self.model.gradients(x, batch, out)?;
        self.reference.energy_gradient(x, &mut self.scratch);
        let s = self.s;
        out.iter_mut()
            .zip(&self.scratch)
            .for_each(|(g, r)| *g = (1.0 - s) * r + s * *g);
        Ok(true)
    }
}

/// Settings of [`maxent_entropy`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EntropySettings {
    /// Intervals of the s grid on [0, 1] (trapezoid rule).
    pub intervals: usize,
    /// Equilibration sweeps at each s (walkers are carried over from the previous s).
    pub burn_in: usize,
    /// Measured sweeps at each s.
    pub sweeps: usize,
}

impl Default for EntropySettings {
    fn default() -> Self {
        Self {
            intervals: 20,
            burn_in: 50,
            sweeps: 200,
        }
    }
}

/// Entropy (nats) of the MaxEnt model P ∝ e^{−H}, H = λ·f, by thermodynamic integration along
/// H_s = (1 − s) H_ref + s H from the reference (ln Z_ref exact):
///
/// ln Z = ln Z_ref − ∫₀¹ ⟨H − H_ref⟩_s ds,  S = ln Z + ⟨H⟩₁.
///
/// Walkers are annealed from the reference (s = 0) to the model (s = 1); at each grid point the
/// mean of ⟨H − H_ref⟩ over walkers per sweep gives a [`MeanEstimate`] (autocorrelation-corrected).
/// The error bar propagates those errors through the trapezoid weights, treating grid points as
/// independent (the burn-in between points makes them nearly so), plus ⟨H⟩₁'s error.
///
/// # Errors
/// [`MaxEntError::Shape`] if the reference dimension differs from the model's, and
/// [`MaxEntError::Parameter`] for zero intervals or sweeps; [`MaxEntError::NotFinite`] if an
/// energy average is not finite (the model is not normalisable).
pub fn maxent_entropy<O: Observables, R: Rng + ?Sized>(
    model: &mut MaxEnt<O>,
    reference: &Reference,
    walkers: &mut Walkers,
    settings: EntropySettings,
    rng: &mut R,
) -> Result<Estimate, MaxEntError> {
    if reference.dim() != model.observables().dim() {
        return Err(MaxEntError::Shape(
            "reference dimension differs from the model's",
        ));
    }
    if settings.intervals == 0 || settings.sweeps < 2 {
        return Err(MaxEntError::Parameter(
            "need at least one interval and two measured sweeps",
        ));
    }
    let k = settings.intervals;
    let (mut integral, mut variance) = (0.0, 0.0);
    let mut h_one = None;
    for step in 0..=k {
        let s = step as f64 / k as f64;
        let mut path = Annealed {
            model: &mut *model,
            reference,
            s,
            scratch: Vec::new(),
        };
        for _ in 0..settings.burn_in {
            walkers.sweep(&mut path, rng)?;
        }
        let mut diff = SeriesRecorder::new(|v: &f64| *v);
        let mut full = SeriesRecorder::new(|v: &f64| *v);
        for t in 0..settings.sweeps {
            walkers.sweep(&mut path, rng)?;
            let n = walkers.len();
            let (mut f2, mut hm, mut hr) = (Vec::new(), Vec::new(), Vec::new());
            path.model
                .energy(walkers.positions(), n, &mut f2, &mut hm)?;
            reference.energy(walkers.positions(), &mut hr);
            diff.on_step(
                t,
                &(hm.iter().zip(&hr).map(|(a, b)| a - b).sum::<f64>() / n as f64),
            );
            full.on_step(t, &(hm.iter().sum::<f64>() / n as f64));
        }
        let m = MeanEstimate::from_series(diff.series())
            .map_err(|_| MaxEntError::NotFinite("⟨H − H_ref⟩"))?;
        let w = if step == 0 || step == k {
            0.5 / k as f64
        } else {
            1.0 / k as f64
        };
        integral += w * m.value;
        variance += w * w * m.std_error * m.std_error;
        if step == k {
            h_one = Some(
                MeanEstimate::from_series(full.series())
                    .map_err(|_| MaxEntError::NotFinite("⟨H⟩"))?,
            );
        }
    }
    let h1 = h_one.expect("the last grid point is s = 1");
    let value = reference.log_partition() - integral + h1.value;
    let error = libm::sqrt(variance + h1.std_error * h1.std_error);
    Ok(Estimate::new(
        value,
        error,
        Unit::Nats,
        settings.sweeps * walkers.len() * (k + 1),
    ))
}

/// A 1D MaxEnt model on a grid: normalised density, ln Z and entropy by quadrature.
#[derive(Clone, Debug, PartialEq)]
pub struct Quadrature1d {
    /// Grid points.
    pub x: Vec<f64>,
    /// Normalised density at the grid points.
    pub density: Vec<f64>,
    /// ln Z = ln ∫ e^{−H} dx.
    pub ln_z: f64,
    /// Entropy −∫ p ln p dx (nats).
    pub entropy: f64,
}

/// Density, ln Z and entropy of a 1D MaxEnt model on [lo, hi] by the composite trapezoid rule on
/// `points` nodes (the model restricted to the interval; choose it wide enough that the tails
/// are negligible). The exact reference for everything estimated by sampling in 1D.
///
/// # Errors
/// [`MaxEntError::Shape`] unless the model is one-dimensional, [`MaxEntError::Parameter`] for
/// fewer than 3 points or lo ≥ hi, [`MaxEntError::NotFinite`] if an energy is not finite.
pub fn quadrature_1d<O: Observables>(
    model: &mut MaxEnt<O>,
    lo: f64,
    hi: f64,
    points: usize,
) -> Result<Quadrature1d, MaxEntError> {
    if model.observables().dim() != 1 {
        return Err(MaxEntError::Shape(
            "quadrature needs a one-dimensional model",
        ));
    }
    if points < 3 || lo.is_nan() || hi.is_nan() || lo >= hi {
        return Err(MaxEntError::Parameter("need at least 3 points and lo < hi"));
    }
    let h = (hi - lo) / (points - 1) as f64;
    let x: Vec<f64> = (0..points).map(|k| lo + h * k as f64).collect();
    let (mut f, mut energy) = (Vec::new(), Vec::new());
    model.energy(&x, points, &mut f, &mut energy)?;
    if energy.iter().any(|e| !e.is_finite()) {
        return Err(MaxEntError::NotFinite("energy on the grid"));
    }
    let e_min = energy.iter().copied().fold(f64::INFINITY, f64::min);
    let weight = |k: usize| {
        if k == 0 || k + 1 == points {
            0.5 * h
        } else {
            h
        }
    };
    let z_rel: f64 = (0..points)
        .map(|k| weight(k) * libm::exp(-(energy[k] - e_min)))
        .sum();
    let ln_z = libm::log(z_rel) - e_min;
    let density: Vec<f64> = energy.iter().map(|e| libm::exp(-e - ln_z)).collect();
    // S = ln Z + ⟨H⟩.
    let mean_h: f64 = (0..points)
        .map(|k| weight(k) * density[k] * energy[k])
        .sum();
    Ok(Quadrature1d {
        x,
        density,
        ln_z,
        entropy: ln_z + mean_h,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maxent::{Moves, RotatedVariances, pca_angle_2d, pca_entropy_2d};
    use crate::rng::from_seed;

    #[test]
    fn entropy_of_the_pca_model_matches_the_gaussian_formula() {
        // The MaxEnt model of Eq. 12 at an angle θ with λ from Eq. 13–14 is a Gaussian whose
        // entropy is Eq. 15; TI from a diagonal Gaussian must reproduce it within its error bar.
        let sigma = [[3.0, 1.0], [1.0, 2.0]];
        for theta in [0.0, pca_angle_2d(sigma), 1.0] {
            let (s, c) = libm::sincos(theta);
            let s2 = libm::sin(2.0 * theta);
            let a = sigma[0][0] * c * c + sigma[1][1] * s * s + sigma[0][1] * s2;
            let b = sigma[0][0] * s * s + sigma[1][1] * c * c - sigma[0][1] * s2;
            let mut model = MaxEnt::new(
                RotatedVariances::new(2, &[theta]),
                alloc::vec![1.0 / (2.0 * a), 1.0 / (2.0 * b)],
            )
            .unwrap();
            let reference =
                Reference::gaussian(alloc::vec![0.0, 0.0], alloc::vec![sigma[0][0], sigma[1][1]])
                    .unwrap();
            let mut rng = from_seed(7);
            let start: Vec<f64> = (0..2000)
                .flat_map(|_| {
                    let (x, y) = crate::rng::normal_pair(&mut rng);
                    [x * libm::sqrt(3.0), y * libm::sqrt(2.0)]
                })
                .collect();
            let mut walkers = Walkers::new(2, start, 1.5, None).unwrap();
            let est = maxent_entropy(
                &mut model,
                &reference,
                &mut walkers,
                EntropySettings::default(),
                &mut rng,
            )
            .unwrap();
            let exact = pca_entropy_2d(sigma, theta);
            std::println!(
                "TI entropy at θ = {theta:.4}: {} ± {} vs exact {exact}",
                est.value,
                est.std_error
            );
            assert!(
                (est.value - exact).abs() <= 4.0 * est.std_error,
                "θ = {theta}: {} ± {} vs {exact}",
                est.value,
                est.std_error
            );
            assert!(est.std_error < 0.01, "error bar {}", est.std_error);
        }
    }

    #[test]
    fn entropy_by_sampling_matches_quadrature_for_a_network_model_in_1d() {
        // A non-Gaussian model shaped by a random tanh MLP (1 → 8 → 2) plus a confining x² term via the
        // λ of a second, fixed observable: TI must agree with quadrature within its error bar.
        use crate::nn::{ActivationKind, Network};
        let mut rng = from_seed(21);
        let net = Network::<f64>::mlp(&[1, 8, 2], ActivationKind::Tanh, &mut rng).unwrap();
        let mut model = MaxEnt::new(Confined { net }, alloc::vec![1.5, -1.0, 0.5]).unwrap();
        let reference = Reference::gaussian(alloc::vec![0.0], alloc::vec![1.0]).unwrap();
        let start: Vec<f64> = (0..2000)
            .map(|_| crate::rng::normal_pair(&mut rng).0)
            .collect();
        let walkers = Walkers::new(1, start, 1.0, None).unwrap();
        ti_agrees_with_quadrature(
            &mut model,
            &reference,
            walkers.clone(),
            (-12.0, 12.0),
            &mut rng,
        );
        let hmc = walkers.with_moves(Moves::Hamiltonian(4)).unwrap();
        ti_agrees_with_quadrature(&mut model, &reference, hmc, (-12.0, 12.0), &mut rng);
    }

    /// TI from `reference` must agree with quadrature on `range` within 4 error bars; the
    /// quadrature density must be normalised.
    fn ti_agrees_with_quadrature<O: Observables>(
        model: &mut MaxEnt<O>,
        reference: &Reference,
        mut walkers: Walkers,
        range: (f64, f64),
        rng: &mut crate::rng::Xoshiro256PlusPlus,
    ) {
        let quad = quadrature_1d(model, range.0, range.1, 4001).unwrap();
        let est = maxent_entropy(
            model,
            reference,
            &mut walkers,
            EntropySettings::default(),
            rng,
        )
        .unwrap();
        std::println!(
            "TI {} ± {} vs quadrature {}",
            est.value,
            est.std_error,
            quad.entropy
        );
        assert!(
            (est.value - quad.entropy).abs() <= 4.0 * est.std_error,
            "{} ± {} vs {}",
            est.value,
            est.std_error,
            quad.entropy
        );
        let total: f64 = quad.density.iter().sum::<f64>() * (quad.x[1] - quad.x[0]);
        assert!((total - 1.0).abs() < 1e-3);
    }

    #[test]
    fn entropy_with_a_uniform_box_reference_matches_quadrature() {
        // A model confined to a box (like pixel images): TI from the uniform distribution on the
        // box against quadrature over the same box.
        use crate::nn::{ActivationKind, Network};
        let mut rng = from_seed(22);
        let net = Network::<f64>::mlp(&[1, 8, 2], ActivationKind::Tanh, &mut rng).unwrap();
        let mut model = MaxEnt::new(net, alloc::vec![3.0, -2.0]).unwrap();
        let reference = Reference::uniform_box(1, -4.0, 4.0).unwrap();
        let start: Vec<f64> = (0..2000)
            .map(|_| 8.0 * crate::rng::uniform_f64(&mut rng) - 4.0)
            .collect();
        let walkers = Walkers::new(1, start, 1.0, Some((-4.0, 4.0))).unwrap();
        ti_agrees_with_quadrature(
            &mut model,
            &reference,
            walkers.clone(),
            (-4.0, 4.0),
            &mut rng,
        );
        // The same with HMC walkers: trajectories on the annealed energy, reflected at the box.
        let hmc = walkers.with_moves(Moves::Hamiltonian(5)).unwrap();
        ti_agrees_with_quadrature(&mut model, &reference, hmc, (-4.0, 4.0), &mut rng);
        assert!(Reference::uniform_box(0, 0.0, 1.0).is_err());
        assert!(Reference::uniform_box(2, 1.0, 1.0).is_err());
    }

    /// Test observables: a network's outputs plus x² (so λ₃ > 0 makes the model normalisable).
    struct Confined {
        net: crate::nn::Network<f64>,
    }

    impl Observables for Confined {
        fn dim(&self) -> usize {
            1
        }
        fn count(&self) -> usize {
            3
        }
        fn eval(&mut self, x: &[f64], batch: usize, out: &mut Vec<f64>) -> Result<(), MaxEntError> {
            let mut y = Vec::new();
            self.net.eval(x, batch, &mut y)?;
            out.clear();
            for (b, row) in y.chunks_exact(2).enumerate() {
                out.extend_from_slice(row);
                out.push(x[b] * x[b]);
            }
            Ok(())
        }
        fn accumulate_grad(
            &mut self,
            _x: &[f64],
            _batch: usize,
            _w: &[f64],
        ) -> Result<(), MaxEntError> {
            Ok(())
        }
        fn input_grad(
            &mut self,
            x: &[f64],
            batch: usize,
            w: &[f64],
            out: &mut Vec<f64>,
        ) -> Result<(), MaxEntError> {
            let net_w: Vec<f64> = w.chunks_exact(3).flat_map(|r| [r[0], r[1]]).collect();
            self.net.input_grad(x, batch, &net_w, out)?;
            for (b, o) in out.iter_mut().enumerate() {
                *o += 2.0 * w[3 * b + 2] * x[b];
            }
            Ok(())
        }
        fn zero_grad(&mut self) {}
        fn params_and_grads(&mut self) -> Vec<(&mut [f64], &mut [f64])> {
            Vec::new()
        }
        fn check(&self) -> Result<(), MaxEntError> {
            Observables::check(&self.net)
        }
    }

    #[test]
    fn reference_validation() {
        assert!(Reference::gaussian(alloc::vec![0.0], alloc::vec![0.0]).is_err());
        assert!(Reference::fit(&[1.0, 1.0, 1.0, 1.0], 2).is_err());
        let r = Reference::fit(&[0.0, 2.0, 2.0, 0.0], 2).unwrap();
        assert!((r.log_partition() - libm::log(core::f64::consts::TAU)).abs() < 1e-12);
    }
}
