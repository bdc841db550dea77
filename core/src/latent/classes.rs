use super::{BinaryData, LatentCycle, LatentError};
use alloc::vec;
use alloc::vec::Vec;

/// A nearest-centroid classifier: class c is represented by the mean ⟨x⟩ of its labelled
/// vectors, and a vector goes to the class whose centroid is nearest in Euclidean distance.
///
/// Used to decide which digit a hidden unit's mean image σ(w_β) "generates" for the class KL of
/// Eq. 22. The paper does not say how it assigned units (its figures suggest by eye). With only
/// the MNIST test set available every image of digit 0 is a training image, so there is no
/// held-out set for a trained classifier; mean images are themselves class prototypes, which
/// suits nearest-centroid. Its accuracy on the labelled data is reported next to the KL.
#[derive(Clone, Debug, PartialEq)]
pub struct NearestCentroid {
    centroids: Vec<Vec<f64>>,
}

impl NearestCentroid {
    /// Fit the centroids of `classes` classes from labelled data.
    ///
    /// # Errors
    /// [`LatentError::Shape`] if labels and data differ in length, a label is ≥ `classes`, or a
    /// class has no example.
    pub fn fit(data: &BinaryData, labels: &[u8], classes: usize) -> Result<Self, LatentError> {
        if labels.len() != data.len() || labels.iter().any(|&l| usize::from(l) >= classes) {
            return Err(LatentError::Shape(
                "one label in 0..classes is needed per data vector",
            ));
        }
        let mut centroids = Vec::with_capacity(classes);
        for c in 0..classes {
            let rows: Vec<usize> = (0..data.len())
                .filter(|&n| usize::from(labels[n]) == c)
                .collect();
            if rows.is_empty() {
                return Err(LatentError::Shape("every class needs at least one example"));
            }
            centroids.push(data.mean_of(rows));
        }
        Ok(Self { centroids })
    }

    /// The class of `x`.
    pub fn classify(&self, x: &[f64]) -> usize {
        let dist = |c: &[f64]| -> f64 { c.iter().zip(x).map(|(a, b)| (a - b) * (a - b)).sum() };
        (0..self.centroids.len())
            .min_by(|&a, &b| dist(&self.centroids[a]).total_cmp(&dist(&self.centroids[b])))
            .unwrap_or(0)
    }

    /// Fraction of `data` whose class matches `labels`.
    pub fn accuracy(&self, data: &BinaryData, labels: &[u8]) -> f64 {
        let hits = (0..data.len())
            .filter(|&n| self.classify(data.row(n)) == usize::from(labels[n]))
            .count();
        hits as f64 / data.len() as f64
    }

    /// Number of classes.
    pub fn classes(&self) -> usize {
        self.centroids.len()
    }
}

/// How well the latent occupancy reproduces the class proportions (Eq. 22).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ClassBalance {
    /// The class each latent state's mean image μ_{x|z} is assigned to.
    pub assignment: Vec<usize>,
    /// Pᵉ(k) = Σ of p̄(z) over the states assigned to class k.
    pub generated: Vec<f64>,
    /// KL(P^D ‖ Pᵉ) in nats; +∞ when a class present in the data gets no latent state.
    pub kl: f64,
}

impl ClassBalance {
    /// Assign each latent state of `model` by its mean image and compare Σ p̄ per class with the
    /// data's class proportions `target`.
    ///
    /// # Errors
    /// [`LatentError::Shape`] unless `occupancy` has one entry per state and `target` one per
    /// class.
    pub fn new(
        model: &LatentCycle,
        occupancy: &[f64],
        classifier: &NearestCentroid,
        target: &[f64],
    ) -> Result<Self, LatentError> {
        if occupancy.len() != model.states() || target.len() != classifier.classes() {
            return Err(LatentError::Shape(
                "occupancy per latent state and target proportion per class",
            ));
        }
        let cond = model.conditionals();
        let assignment: Vec<usize> = (0..model.states())
            .map(|k| classifier.classify(cond.mean(k)))
            .collect();
        let mut generated = vec![0.0; target.len()];
        for (&c, &p) in assignment.iter().zip(occupancy) {
            generated[c] += p;
        }
        let kl = target
            .iter()
            .zip(&generated)
            .filter(|&(&t, _)| t > 0.0)
            .map(|(&t, &g)| t * (libm::log(t) - libm::log(g)))
            .sum();
        Ok(Self {
            assignment,
            generated,
            kl,
        })
    }
}
