use super::{EntropyError, EntropyEstimator, KozachenkoLeonenko, Mine, PlugIn, Samples};
use crate::estimate::{Estimate, Unit};
use alloc::vec::Vec;

/// How [`Mice`] estimates the entropy of a single column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Leaf {
    /// Plug-in over the column's distinct values (discrete data, e.g. spins).
    PlugIn,
    /// One-dimensional Kozachenko–Leonenko with this k (continuous data).
    Knn(usize),
}

/// MICE (thesis App. A): entropy from recursive mutual information of halves,
///
/// H(X_{a..b}) = H(X_{a..m}) + H(X_{m..b}) − I(X_{a..m}; X_{m..b}),   m = ⌊(a + b)/2⌋,
///
/// down to single columns, whose entropies the [`Leaf`] estimator gives; every I by [`Mine`]
/// (seed offset per node). Error bars add in quadrature. MINE's Donsker–Varadhan value is a lower
/// bound for any trained critic, so MICE errs high when a critic under-fits.
#[derive(Clone, Debug, PartialEq)]
pub struct Mice {
    /// Mutual-information estimator for every split.
    pub mine: Mine,
    /// Single-column entropies.
    pub leaf: Leaf,
}

impl Mice {
    fn node(
        &self,
        x: &Samples,
        (lo, hi, id): (usize, usize, u64),
        stop: &dyn Fn() -> bool,
    ) -> Result<Estimate, EntropyError> {
        if hi - lo == 1 {
            let column = x.columns(lo, hi)?;
            return match self.leaf {
                Leaf::PlugIn => {
                    let symbols: Vec<u64> = column.as_slice().iter().map(|v| v.to_bits()).collect();
                    PlugIn.estimate(&symbols[..])
                }
                Leaf::Knn(k) => KozachenkoLeonenko::new(k)?.estimate(&column),
            };
        }
        let mid = (lo + hi) / 2;
        let left = self.node(x, (lo, mid, 2 * id), stop)?;
        let right = self.node(x, (mid, hi, 2 * id + 1), stop)?;
        let mine = Mine {
            seed: self.mine.seed.wrapping_add(id),
            ..self.mine.clone()
        };
        let mi = mine.mutual_information(&x.columns(lo, hi)?, mid - lo, stop)?;
        let value = left.value + right.value - mi.value;
        let err = libm::sqrt(
            left.std_error * left.std_error
                + right.std_error * right.std_error
                + mi.std_error * mi.std_error,
        );
        Ok(Estimate::new(value, err, Unit::Nats, x.len()))
    }
}

impl EntropyEstimator<Samples> for Mice {
    fn estimate(&self, x: &Samples) -> Result<Estimate, EntropyError> {
        self.estimate_until(x, &|| false)
    }

    fn estimate_until(
        &self,
        x: &Samples,
        stop: &dyn Fn() -> bool,
    ) -> Result<Estimate, EntropyError> {
        self.node(x, (0, x.dim(), 1), stop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lattice::{Ising, Square, Temperature, enumeration};
    use crate::rng::from_seed;

    #[test]
    fn mice_on_exact_ising_samples_agrees_with_enumeration() {
        // 2×3 Ising at T = 3 (6 spins, 64 states): exact entropy from enumeration.
        let model = Ising::new(Square::new(2, 3).unwrap(), 1.0, 0.0).unwrap();
        let t = Temperature::new(3.0).unwrap();
        let exact = enumeration::exact(&model, t).unwrap().entropy_per_spin * 6.0;
        let spins = enumeration::boltzmann_samples(&model, t, 20_000, &mut from_seed(1)).unwrap();
        let x = Samples::new(spins.iter().map(|&s| f64::from(s)).collect(), 6).unwrap();
        let mice = Mice {
            mine: Mine {
                steps: 1500,
                hidden: alloc::vec![32, 32],
                ..Mine::default()
            },
            leaf: Leaf::PlugIn,
        };
        let h = mice.estimate(&x).unwrap();
        std::println!(
            "MICE {:.4} ± {:.4} vs exact {exact:.4}",
            h.value,
            h.std_error
        );
        assert!(
            (h.value - exact).abs() < 4.0 * h.std_error,
            "{h:?} vs {exact}"
        );
    }
}
