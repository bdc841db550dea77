use super::mutual_information::check_pairs;
use super::neighbours::{KdTree, Metric};
use super::{EntropyError, MutualInformation, Samples, subsample};
use crate::estimate::{Estimate, Unit};
use crate::special::digamma;
use crate::stats::mean_and_sd;
use alloc::vec::Vec;

/// Which of the two Kraskov–Stögbauer–Grassberger estimators (Kraskov et al. 2004, Eqs. 8 and 9).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KsgVariant {
    /// I = ψ(k) + ψ(n) − ⟨ψ(n_x + 1) + ψ(n_y + 1)⟩, with ε the joint distance to the k-th
    /// neighbour and n_x, n_y the points strictly closer than ε in each marginal space.
    #[default]
    First,
    /// I = ψ(k) − 1/k + ψ(n) − ⟨ψ(n_x) + ψ(n_y)⟩, with ε_x, ε_y the marginal extents of the k
    /// nearest joint neighbours and n_x, n_y the points within them (inclusive).
    Second,
}

/// The Kraskov–Stögbauer–Grassberger k-nearest-neighbour mutual information, with the maximum
/// (Chebyshev) norm in every space as the paper uses. Neighbours and counts exactly, from k-d
/// trees of the joint and the two marginal samples. The error bar is the delete-a-group
/// jackknife over 10 interleaved groups of pairs (9 degrees of freedom; ten estimates from 90 %
/// of the pairs each): the per-sample terms share neighbours, and their own standard error ran
/// 4–38 % small, the jackknife runs 11–30 % large (docs/results/knn-error-bars.md). Needs
/// n ≥ 2 (k + 2) pairs.
///
/// Invariant under invertible maps of X and of Y separately in the limit of many samples; at
/// finite n it is biased towards 0 for strongly dependent data (large I), where the k-th
/// neighbour is far in the marginal spaces.
///
/// # Examples
/// ```
/// use entropic::entropy::{Ksg, KsgVariant, MutualInformation, Samples};
/// let mut rng = entropic::rng::from_seed(8);
/// let rho: f64 = 0.75;
/// let (mut x, mut y) = (Vec::new(), Vec::new());
/// for _ in 0..4000 {
///     let (a, b) = entropic::rng::normal_pair(&mut rng);
///     x.push(a);
///     y.push(rho * a + (1.0 - rho * rho).sqrt() * b);
/// }
/// let (x, y) = (Samples::new(x, 1)?, Samples::new(y, 1)?);
/// let i = Ksg::new(3, KsgVariant::First)?.estimate(&x, &y)?;
/// let exact = -0.5 * (1.0 - rho * rho).ln();
/// assert!((i.value - exact).abs() < 4.0 * i.std_error, "{i:?} vs {exact}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Ksg {
    k: usize,
    variant: KsgVariant,
}

impl Ksg {
    /// # Errors
    /// [`EntropyError::Parameter`] for k = 0.
    pub fn new(k: usize, variant: KsgVariant) -> Result<Self, EntropyError> {
        if k == 0 {
            return Err(EntropyError::Parameter("k must be at least 1"));
        }
        Ok(Self { k, variant })
    }

    /// The fewest pairs [`MutualInformation::estimate`] takes: 2 (k + 2), so that every
    /// jackknife estimate has k + 2.
    pub fn min_samples(&self) -> usize {
        subsample::min_samples(self.k)
    }

    /// The estimate I, without an error bar: the mean of the per-sample terms.
    fn value(&self, x: &Samples, y: &Samples) -> Result<f64, EntropyError> {
        let k = self.k;
        let n = x.len();
        let mut terms = Vec::with_capacity(n);
        let base = digamma(k as f64) + digamma(n as f64)
            - match self.variant {
                KsgVariant::First => 0.0,
                KsgVariant::Second => 1.0 / k as f64,
            };
        let joint = super::mutual_information::joined(x, y, k + 2)?;
        let (tree, tree_x, tree_y) = (
            KdTree::new(joint.as_slice(), joint.dim()),
            KdTree::new(x.as_slice(), x.dim()),
            KdTree::new(y.as_slice(), y.dim()),
        );
        let cheb = Metric::Chebyshev;
        for i in 0..n {
            let near = tree.nearest(i, k, cheb);
            let (nx, ny) = match self.variant {
                KsgVariant::First => {
                    let eps = near[k - 1].0;
                    if eps == 0.0 {
                        return Err(EntropyError::Degenerate(
                            "a sample has k duplicates at distance 0 (discrete data: add noise first)",
                        ));
                    }
                    (
                        tree_x.count_within(i, eps, false, cheb) + 1,
                        tree_y.count_within(i, eps, false, cheb) + 1,
                    )
                }
                KsgVariant::Second => {
                    let (mut ex, mut ey) = (0.0f64, 0.0f64);
                    for &(_, j) in &near {
                        ex = ex.max(cheb.distance(x.row(i), x.row(j)));
                        ey = ey.max(cheb.distance(y.row(i), y.row(j)));
                    }
                    (
                        tree_x.count_within(i, ex, true, cheb),
                        tree_y.count_within(i, ey, true, cheb),
                    )
                }
            };
            terms.push(base - digamma(nx as f64) - digamma(ny as f64));
        }
        Ok(mean_and_sd(&terms).0)
    }
}

impl MutualInformation for Ksg {
    fn estimate(&self, x: &Samples, y: &Samples) -> Result<Estimate, EntropyError> {
        let n = check_pairs(x, y, self.min_samples())?;
        let value = self.value(x, y)?;
        let std_error =
            subsample::jackknife_std_error(subsample::JACKKNIFE_GROUPS.min(n), |keep| {
                self.value(&x.select(keep)?, &y.select(keep)?)
            })?;
        Ok(Estimate::new(value, std_error, Unit::Nats, n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entropy::GaussianMutualInformation;
    use crate::rng::{from_seed, normal_pair};

    fn correlated(rho: f64, n: usize, seed: u64) -> (Samples, Samples) {
        let mut rng = from_seed(seed);
        let (mut x, mut y) = (Vec::new(), Vec::new());
        for _ in 0..n {
            let (a, b) = normal_pair(&mut rng);
            x.push(a);
            y.push(rho * a + libm::sqrt(1.0 - rho * rho) * b);
        }
        (Samples::new(x, 1).unwrap(), Samples::new(y, 1).unwrap())
    }

    /// Both variants and the Gaussian (CCA) estimate on a bivariate Gaussian with ρ = 0.75,
    /// within 4 standard errors of −½ ln(1 − ρ²); independent data give 0 within error.
    #[test]
    fn bivariate_gaussian_mutual_information() {
        let rho = 0.75;
        let exact = -0.5 * libm::log(1.0 - rho * rho);
        let (x, y) = correlated(rho, 5000, 1);
        let (_, z) = correlated(0.0, 5000, 2);
        for variant in [KsgVariant::First, KsgVariant::Second] {
            let ksg = Ksg::new(4, variant).unwrap();
            let i = ksg.estimate(&x, &y).unwrap();
            std::println!(
                "{variant:?}: {:.4} ± {:.4} vs {exact:.4}",
                i.value,
                i.std_error
            );
            assert!(
                (i.value - exact).abs() < 4.0 * i.std_error,
                "{variant:?}: {i:?}"
            );
            let zero = ksg.estimate(&x, &z).unwrap();
            assert!(zero.value.abs() < 4.0 * zero.std_error + 0.01, "{zero:?}");
        }
        let g = GaussianMutualInformation.estimate(&x, &y).unwrap();
        assert!((g.value - exact).abs() < 4.0 * g.std_error, "{g:?}");
        // Invertible maps of each side leave I unchanged (KSG is not exactly invariant at
        // finite n, but close for monotone maps with the maximum norm in 1D: identical ranks
        // give identical neighbour counts in each marginal; the joint order changes).
        let cubed = Samples::new(x.as_slice().iter().map(|v| v * v * v).collect(), 1).unwrap();
        let i = Ksg::new(4, KsgVariant::First)
            .unwrap()
            .estimate(&cubed, &y)
            .unwrap();
        assert!((i.value - exact).abs() < 4.0 * i.std_error + 0.02, "{i:?}");
    }

    #[test]
    fn bad_input_is_refused() {
        let (x, y) = correlated(0.5, 100, 3);
        let ksg = Ksg::new(3, KsgVariant::First).unwrap();
        assert!(Ksg::new(0, KsgVariant::Second).is_err());
        let short = x.columns(0, 1).unwrap();
        let fewer = Samples::new(short.as_slice()[..50].to_vec(), 1).unwrap();
        assert!(matches!(
            ksg.estimate(&fewer, &y),
            Err(EntropyError::Samples(_))
        ));
        let tiny = Samples::new(alloc::vec![0.0, 1.0, 2.0], 1).unwrap();
        assert!(matches!(
            ksg.estimate(&tiny, &tiny),
            Err(EntropyError::TooFewSamples { .. })
        ));
        let constant = Samples::new(alloc::vec![1.0; 100], 1).unwrap();
        assert!(matches!(
            ksg.estimate(&constant, &constant),
            Err(EntropyError::Degenerate(_))
        ));
        assert!(GaussianMutualInformation.estimate(&constant, &y).is_err());
        assert!(GaussianMutualInformation.estimate(&fewer, &y).is_err());
    }
}
