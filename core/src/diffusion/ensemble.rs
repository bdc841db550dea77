//! [`Ensemble`]: several denoisers of the same data averaged.
use super::{Denoiser, DiffusionError};
use alloc::vec::Vec;

/// The mean of K denoisers of the same dimension:
///
/// x̂_E(x, λ) = (1/K) Σ_k x̂_k(x, λ).
///
/// By convexity of the squared error, for every draw (x₀, x)
/// ‖x̂_E − x₀‖² ≤ (1/K) Σ_k ‖x̂_k − x₀‖², so the ensemble's mean squared error — and an I-MMSE
/// entropy from it, an upper bound — is at most the members' average, draw by draw; it is lower
/// by the spread of the members around their mean, which for independently trained models is
/// the part of their error that is not shared. Each evaluation costs K evaluations. One member
/// is that member, bit for bit.
///
/// # Examples
/// Two denoisers of a fair coin's ±1, one too confident and one too timid, average to a better one:
/// ```
/// use entropic::diffusion::{Denoiser, DiffusionError, Ensemble};
///
/// #[derive(Clone)]
/// struct Scaled(f64);
/// impl Denoiser for Scaled {
///     fn dim(&self) -> usize { 1 }
///     fn denoise_batch(&mut self, x: &[f64], _: &[f64], out: &mut [f64]) -> Result<(), DiffusionError> {
///         for (o, x) in out.iter_mut().zip(x) { *o = (self.0 * x).tanh(); }
///         Ok(())
///     }
/// }
/// let mut both = Ensemble::new(vec![Scaled(2.0), Scaled(0.5)])?;
/// let mut out = [0.0];
/// both.denoise_batch(&[1.0], &[0.0], &mut out)?;
/// assert!((out[0] - (2f64.tanh() + 0.5f64.tanh()) / 2.0).abs() < 1e-15);
/// # Ok::<(), DiffusionError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Ensemble<D> {
    members: Vec<D>,
    member_out: Vec<f64>,
}

impl<D: Denoiser> Ensemble<D> {
    /// The mean of `members`.
    ///
    /// # Errors
    /// [`DiffusionError::Shape`] for no members or members of different dimensions.
    pub fn new(members: Vec<D>) -> Result<Self, DiffusionError> {
        let Some(first) = members.first() else {
            return Err(DiffusionError::Shape(
                "an ensemble needs at least one member",
            ));
        };
        if members.iter().any(|m| m.dim() != first.dim()) {
            return Err(DiffusionError::Shape(
                "the members of an ensemble must have one dimension",
            ));
        }
        Ok(Self {
            members,
            member_out: Vec::new(),
        })
    }

    /// The members.
    pub fn members(&self) -> &[D] {
        &self.members
    }
}

impl<D: Denoiser> Denoiser for Ensemble<D> {
    fn dim(&self) -> usize {
        self.members[0].dim()
    }

    fn denoise_batch(
        &mut self,
        x: &[f64],
        lambda: &[f64],
        out: &mut [f64],
    ) -> Result<(), DiffusionError> {
        let Self {
            members,
            member_out,
        } = self;
        let (first, rest) = members.split_first_mut().ok_or(DiffusionError::Shape(
            "an ensemble needs at least one member",
        ))?;
        first.denoise_batch(x, lambda, out)?;
        if rest.is_empty() {
            return Ok(());
        }
        member_out.resize(out.len(), 0.0);
        let k = 1.0 / (rest.len() + 1) as f64;
        for member in rest {
            member.denoise_batch(x, lambda, member_out)?;
            for (o, m) in out.iter_mut().zip(member_out.iter()) {
                *o += m;
            }
        }
        out.iter_mut().for_each(|o| *o *= k);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Xoshiro256PlusPlus, normal_pair};
    use alloc::vec;
    use rand_core::SeedableRng;

    /// tanh(a x + b) per coordinate: a family of imperfect denoisers of ±1 spins.
    #[derive(Clone, Debug)]
    struct Affine(f64, f64);

    impl Denoiser for Affine {
        fn dim(&self) -> usize {
            3
        }
        fn denoise_batch(
            &mut self,
            x: &[f64],
            _: &[f64],
            out: &mut [f64],
        ) -> Result<(), DiffusionError> {
            for (o, x) in out.iter_mut().zip(x) {
                *o = libm::tanh(self.0 * x + self.1);
            }
            Ok(())
        }
    }

    #[test]
    fn the_mean_of_the_members_and_never_a_larger_squared_error() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(8);
        let members = vec![Affine(2.0, 0.3), Affine(0.7, -0.2), Affine(1.3, 0.0)];
        let mut ensemble = Ensemble::new(members.clone()).unwrap();
        for _ in 0..200 {
            let clean: Vec<f64> = (0..3)
                .map(|_| {
                    if normal_pair(&mut rng).0 > 0.0 {
                        1.0
                    } else {
                        -1.0
                    }
                })
                .collect();
            let x: Vec<f64> = clean.iter().map(|s| s + normal_pair(&mut rng).0).collect();
            let mut out = [0.0; 3];
            ensemble.denoise_batch(&x, &[0.0], &mut out).unwrap();
            let mut mean_sq = 0.0;
            let mut mean = [0.0; 3];
            for m in &members {
                let mut o = [0.0; 3];
                m.clone().denoise_batch(&x, &[0.0], &mut o).unwrap();
                let k = members.len() as f64;
                mean_sq += o
                    .iter()
                    .zip(&clean)
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum::<f64>()
                    / k;
                for (s, v) in mean.iter_mut().zip(o) {
                    *s += v / k;
                }
            }
            for (a, b) in out.iter().zip(mean) {
                assert!((a - b).abs() < 1e-15, "{a} vs {b}");
            }
            let sq = out
                .iter()
                .zip(&clean)
                .map(|(a, b)| (a - b) * (a - b))
                .sum::<f64>();
            assert!(sq <= mean_sq + 1e-12, "{sq} > {mean_sq}");
        }
    }

    #[test]
    fn one_member_is_that_member_and_bad_ensembles_are_refused() {
        let x = [0.3, -1.2, 2.0];
        let (mut a, mut b) = ([0.0; 3], [0.0; 3]);
        Ensemble::new(vec![Affine(1.7, 0.1)])
            .unwrap()
            .denoise_batch(&x, &[0.0], &mut a)
            .unwrap();
        Affine(1.7, 0.1).denoise_batch(&x, &[0.0], &mut b).unwrap();
        assert_eq!(a, b);
        assert!(Ensemble::<Affine>::new(Vec::new()).is_err());
    }
}
