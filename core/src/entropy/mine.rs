use super::{EntropyError, Samples};
use crate::estimate::{Estimate, Unit};
use crate::nn::optim::{Adam, Optimizer};
use crate::nn::{ActivationKind, Network};
use crate::rng::{from_seed, uniform_index};
use alloc::vec;
use alloc::vec::Vec;

/// MINE: mutual information I(X; Y) from the Donsker–Varadhan bound (thesis App. A),
///
/// I(X; Y) ≥ E_{P_XY}[T(x, y)] − ln E_{P_X ⊗ P_Y}[e^{T(x, y)}],
///
/// with T an MLP of [x, y] trained by Adam ascent on minibatches (product samples by pairing x
/// with the y of a random other row). The bound is evaluated on a held-out fifth of the samples
/// (training rows are never scored, so over-fitting cannot inflate it), with the delta-method
/// standard error of its two averages.
#[derive(Clone, Debug, PartialEq)]
pub struct Mine {
    /// Hidden widths of T.
    pub hidden: Vec<usize>,
    /// Adam steps.
    pub steps: usize,
    /// Joint samples per step.
    pub batch: usize,
    /// Adam learning rate.
    pub learning_rate: f64,
    /// Seed of the initialisation, batches and pairings.
    pub seed: u64,
}

impl Default for Mine {
    fn default() -> Self {
        Self {
            hidden: vec![64, 64],
            steps: 3000,
            batch: 256,
            learning_rate: 1e-3,
            seed: 0,
        }
    }
}

impl super::MutualInformation for Mine {
    /// [`Mine::mutual_information`] of the joined samples [x, y] split after x's columns.
    fn estimate(&self, x: &Samples, y: &Samples) -> Result<Estimate, EntropyError> {
        self.estimate_until(x, y, &|| false)
    }

    fn estimate_until(
        &self,
        x: &Samples,
        y: &Samples,
        stop: &dyn Fn() -> bool,
    ) -> Result<Estimate, EntropyError> {
        let joint = super::mutual_information::joined(x, y, 10)?;
        self.mutual_information(&joint, x.dim(), stop)
    }
}

impl Mine {
    /// I(X; Y) in nats, X the first `split` columns of `samples` and Y the rest; `stop` is
    /// asked before every Adam step.
    ///
    /// # Errors
    /// [`EntropyError::Parameter`] unless 0 < split < d and the settings are positive;
    /// [`EntropyError::TooFewSamples`] below 10 samples; [`EntropyError::Cancelled`].
    pub fn mutual_information(
        &self,
        samples: &Samples,
        split: usize,
        stop: &dyn Fn() -> bool,
    ) -> Result<Estimate, EntropyError> {
        let (n, d) = (samples.len(), samples.dim());
        if split == 0 || split >= d {
            return Err(EntropyError::Parameter(
                "the split must leave columns on both sides",
            ));
        }
        let rate_ok = self.learning_rate.is_finite() && self.learning_rate > 0.0;
        if self.steps == 0 || self.batch == 0 || !rate_ok || self.hidden.contains(&0) {
            return Err(EntropyError::Parameter(
                "MINE needs positive steps, batch, rate and widths",
            ));
        }
        if n < 10 {
            return Err(EntropyError::TooFewSamples { len: n, min: 10 });
        }
        let mut rng = from_seed(self.seed);
        let widths: Vec<usize> = core::iter::once(d)
            .chain(self.hidden.iter().copied())
            .chain(core::iter::once(1))
            .collect();
        let mut t = Network::<f64>::mlp(&widths, ActivationKind::Silu, &mut rng)
            .map_err(|_| EntropyError::Parameter("network widths"))?;
        let held = n / 5;
        let train = n - held;
        let b = self.batch;
        let row = |i: usize, j: usize, out: &mut Vec<f64>| {
            out.extend_from_slice(&samples.row(i)[..split]);
            out.extend_from_slice(&samples.row(j)[split..]);
        };
        let mut adam = Adam::default_params();
        let mut input = Vec::with_capacity(2 * b * d);
        for _ in 0..self.steps {
            if stop() {
                return Err(EntropyError::Cancelled);
            }
            input.clear();
            for _ in 0..b {
                let i = uniform_index(&mut rng, train);
                row(i, i, &mut input);
            }
            for _ in 0..b {
                let (i, j) = (
                    uniform_index(&mut rng, train),
                    uniform_index(&mut rng, train),
                );
                row(i, j, &mut input);
            }
            t.zero_grad();
            let out = t
                .forward(&input, 2 * b)
                .map_err(|_| EntropyError::Parameter("forward"))?
                .to_vec();
            // Ascend DV = mean(T_joint) − ln mean(e^{T_marg}): descend its negative.
            let max = out[b..].iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let w: Vec<f64> = out[b..].iter().map(|&v| libm::exp(v - max)).collect();
            let total: f64 = w.iter().sum();
            let mut grad = vec![-1.0 / b as f64; b];
            grad.extend(w.iter().map(|&w| w / total));
            t.backward(&grad)
                .map_err(|_| EntropyError::Parameter("backward"))?;
            adam.step(self.learning_rate, &mut t.params_and_grads());
        }
        // Held-out evaluation.
        let (mut joint, mut marg) = (Vec::with_capacity(held), Vec::with_capacity(held));
        input.clear();
        for k in 0..held {
            let i = train + k;
            let j = train + (k + 1 + uniform_index(&mut rng, held - 1)) % held;
            row(i, i, &mut input);
            row(i, j, &mut input);
        }
        let out = t
            .forward(&input, 2 * held)
            .map_err(|_| EntropyError::Parameter("forward"))?;
        for pair in out.chunks(2) {
            joint.push(pair[0]);
            marg.push(pair[1]);
        }
        let mj = joint.iter().sum::<f64>() / held as f64;
        let vj = joint.iter().map(|v| (v - mj) * (v - mj)).sum::<f64>() / (held - 1) as f64;
        let max = marg.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let e: Vec<f64> = marg.iter().map(|&v| libm::exp(v - max)).collect();
        let me = e.iter().sum::<f64>() / held as f64;
        let ve = e.iter().map(|v| (v - me) * (v - me)).sum::<f64>() / (held - 1) as f64;
        let value = mj - (libm::log(me) + max);
        let err = libm::sqrt(vj / held as f64 + ve / (held as f64 * me * me));
        if !value.is_finite() {
            return Err(EntropyError::Degenerate("the MINE critic diverged"));
        }
        Ok(Estimate::new(value, err, Unit::Nats, held))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entropy::GaussianCase;

    #[test]
    fn mine_recovers_the_mutual_information_of_correlated_gaussians() {
        // 2D Gaussian with ρ = 0.8: I = −½ ln(1 − ρ²) = 0.5108 nats.
        let rho: f64 = 0.8;
        let case = GaussianCase::new(vec![0.0, 0.0], vec![1.0, rho, rho, 1.0]).unwrap();
        let x = case.sample(10_000, &mut from_seed(4)).unwrap();
        let exact = -0.5 * libm::log(1.0 - rho * rho);
        let mine = Mine {
            steps: 2000,
            ..Mine::default()
        }
        .mutual_information(&x, 1, &|| false)
        .unwrap();
        std::println!(
            "MINE {:.4} ± {:.4} vs exact {exact:.4}",
            mine.value,
            mine.std_error
        );
        // DV is a lower bound for the trained critic: below the truth up to noise, and close.
        assert!(mine.value < exact + 4.0 * mine.std_error);
        assert!(mine.value > exact - 0.08, "{mine:?}");
        // Independent columns: I = 0.
        let ind = GaussianCase::new(vec![0.0, 0.0], vec![1.0, 0.0, 0.0, 1.0]).unwrap();
        let y = ind.sample(10_000, &mut from_seed(5)).unwrap();
        let zero = Mine {
            steps: 1000,
            ..Mine::default()
        }
        .mutual_information(&y, 1, &|| false)
        .unwrap();
        assert!(zero.value.abs() < 4.0 * zero.std_error + 0.01, "{zero:?}");
        assert!(
            Mine::default()
                .mutual_information(&y, 0, &|| false)
                .is_err()
        );
    }
}
