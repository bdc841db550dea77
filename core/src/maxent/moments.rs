use super::observable::check_batch;
use super::{MaxEntError, Observables};
use alloc::vec::Vec;

/// Fixed power moments fᵢ(x) = x_k^p for every coordinate k and p = 1 … `order` (no trainable
/// θ): with order 2 the MaxEnt model is the Gaussian that matches the data's means and
/// variances — the "standard MaxEnt" baseline of the paper's Fig. 3.
///
/// Outputs are ordered coordinate-major: (x₀, x₀², …, x₁, x₁², …).
///
/// # Examples
/// ```
/// use entropic::maxent::{Moments, Observables};
/// let mut f = Moments::new(2, 2)?;
/// let mut out = Vec::new();
/// f.eval(&[3.0, -1.0], 1, &mut out);
/// assert_eq!(out, vec![3.0, 9.0, -1.0, 1.0]);
/// # Ok::<(), entropic::maxent::MaxEntError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Moments {
    dim: usize,
    order: usize,
}

impl Moments {
    /// Moments up to `order` of each of `dim` coordinates.
    ///
    /// # Errors
    /// [`MaxEntError::Shape`] for a zero dimension or order.
    pub fn new(dim: usize, order: usize) -> Result<Self, MaxEntError> {
        if dim == 0 || order == 0 {
            return Err(MaxEntError::Shape("moments need a dimension and an order"));
        }
        Ok(Self { dim, order })
    }
}

impl Observables for Moments {
    fn dim(&self) -> usize {
        self.dim
    }

    fn count(&self) -> usize {
        self.dim * self.order
    }

    fn eval(&mut self, x: &[f64], batch: usize, out: &mut Vec<f64>) -> Result<(), MaxEntError> {
        check_batch(x, batch, self.dim, None)?;
        out.clear();
        for &v in &x[..batch * self.dim] {
            let mut power = 1.0;
            for _ in 0..self.order {
                power *= v;
                out.push(power);
            }
        }
        Ok(())
    }

    fn accumulate_grad(&mut self, x: &[f64], batch: usize, w: &[f64]) -> Result<(), MaxEntError> {
        check_batch(x, batch, self.dim, Some((w, self.count())))
    }

    /// ∂/∂x_k Σ_p w_{k,p} x_k^p = Σ_p p w_{k,p} x_k^{p−1}.
    fn input_grad(
        &mut self,
        x: &[f64],
        batch: usize,
        w: &[f64],
        out: &mut Vec<f64>,
    ) -> Result<(), MaxEntError> {
        check_batch(x, batch, self.dim, Some((w, self.count())))?;
        out.clear();
        for (k, &v) in x[..batch * self.dim].iter().enumerate() {
            let weights = &w[k * self.order..(k + 1) * self.order];
            let (mut power, mut g) = (1.0, 0.0);
            for (p, &wp) in weights.iter().enumerate() {
                g += (p + 1) as f64 * wp * power;
                power *= v;
            }
            out.push(g);
        }
        Ok(())
    }

    fn zero_grad(&mut self) {}

    fn params_and_grads(&mut self) -> Vec<(&mut [f64], &mut [f64])> {
        Vec::new()
    }

    fn check(&self) -> Result<(), MaxEntError> {
        Self::new(self.dim, self.order).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maxent::{MaxEnt, TrainParams, Trainer, Walkers, quadrature_1d};
    use crate::rng::{from_seed, normal_pair};

    /// χ² descent with mean and variance constraints reaches the Gaussian MaxEnt solution: the
    /// model's exact moments (quadrature) match the data's within the walkers' noise.
    #[test]
    fn mean_and_variance_constraints_give_the_matching_gaussian() {
        let mut rng = from_seed(41);
        let data: Vec<f64> = (0..5000)
            .map(|_| 1.0 + 0.5 * normal_pair(&mut rng).0)
            .collect();
        let n = data.len() as f64;
        let mean = data.iter().sum::<f64>() / n;
        let second = data.iter().map(|x| x * x).sum::<f64>() / n;
        let model = MaxEnt::new(Moments::new(1, 2).unwrap(), alloc::vec![0.0, 0.5]).unwrap();
        let walkers_n = 4000;
        let start: Vec<f64> = (0..walkers_n).map(|_| normal_pair(&mut rng).0).collect();
        let walkers = Walkers::new(1, start, 1.0, None).unwrap();
        let params = TrainParams {
            iterations: 3000,
            lambda_rate: 0.05,
            ..TrainParams::default()
        };
        let mut trainer = Trainer::new(model, walkers, &data, params, 42).unwrap();
        while !trainer.is_done() {
            trainer.step(&data).unwrap();
        }
        let quad = quadrature_1d(trainer.model_mut(), -6.0, 8.0, 4001).unwrap();
        let h = quad.x[1] - quad.x[0];
        let moment = |p: i32| -> f64 {
            quad.x
                .iter()
                .zip(&quad.density)
                .map(|(x, d)| x.powi(p) * d * h)
                .sum()
        };
        // Walker noise on the matched averages: sd(x)/√N and sd(x²)/√N (sd(x²) ≈ 2|m|σ).
        let (se1, se2) = (
            0.5 / libm::sqrt(walkers_n as f64),
            1.0 / libm::sqrt(walkers_n as f64),
        );
        assert!(
            (moment(1) - mean).abs() < 5.0 * se1,
            "{} vs {mean}",
            moment(1)
        );
        assert!(
            (moment(2) - second).abs() < 5.0 * se2,
            "{} vs {second}",
            moment(2)
        );
        // λ of the Gaussian N(m, v): λ₁ = −m/v, λ₂ = 1/(2v).
        std::println!(
            "λ = {:?}, moments {} {} vs {mean} {second}",
            trainer.model().lambda(),
            moment(1),
            moment(2)
        );
        assert!(Moments::new(0, 2).is_err() && Moments::new(1, 0).is_err());
    }
}
