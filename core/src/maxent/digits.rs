//! The 8×8 digits experiment of Sec. I.3 (Fig. 5–7): CNN observables, the data splits, and
//! biased energies for generation without retraining (Eq. 21 and 23).
use super::MaxEntError;
use crate::data::{DIGITS, DigitsSplit};
use crate::nn::{Activation, ActivationKind, Conv2d, Dense, Layer, Network, NnError, Padding};
use alloc::vec::Vec;
use rand_core::Rng;

/// Pixels per image.
pub const PIXELS: usize = 64;

/// The paper's observables for images: "two convolutional layers, tailed by a last fully
/// connected ending in 16 output nodes". Ours: conv 3×3 valid (1 → c₁, 8×8 → 6×6), tanh,
/// conv 3×3 valid (c₁ → c₂, 6×6 → 4×4), tanh, dense (16 c₂ → `outputs`). The paper gives no
/// sizes; valid padding and few channels keep one forward pass at ~10⁴ multiply-adds, which
/// matters because every Metropolis move re-evaluates the network. Smooth tanh activations
/// give a smooth energy landscape.
///
/// # Errors
/// [`NnError::Shape`] for zero channels or outputs.
pub fn digits_observables<R: Rng + ?Sized>(
    channels: (usize, usize),
    outputs: usize,
    rng: &mut R,
) -> Result<Network<f64>, NnError> {
    let c1 = Conv2d::new(1, channels.0, 8, 8, 3, Padding::Valid, rng)?;
    let c2 = Conv2d::new(channels.0, channels.1, 6, 6, 3, Padding::Valid, rng)?;
    let (o1, o2) = (c1.outputs(), c2.outputs());
    let mut net = Network::new(PIXELS);
    net.push(Layer::Conv2d(c1))?;
    net.push(Layer::Activation(Activation::new(ActivationKind::Tanh, o1)))?;
    net.push(Layer::Conv2d(c2))?;
    net.push(Layer::Activation(Activation::new(ActivationKind::Tanh, o2)))?;
    net.push(Layer::Dense(Dense::new(o2, outputs, rng)?))?;
    Ok(net)
}

/// The digits' roles in the experiment (see [`digit_sets`]).
#[derive(Clone, Debug, PartialEq)]
pub struct DigitSets {
    /// Min-MaxEnt training images, row-major, 64 pixels in [0, 1] each.
    pub train: Vec<f64>,
    /// Their labels (never used in training; for reports).
    pub labels: Vec<u8>,
    /// As many images the model never sees, for the memorisation check.
    pub unseen: Vec<f64>,
}

/// The digits' roles in the experiment. All come from the embedded UCI set, pixels scaled to
/// [0, 1] (count / 16):
/// * the Min-MaxEnt training set: the first `n` images of the held-out split (labels discarded),
///   so the scoring classifier, trained on the training split, has never seen them;
/// * the memorisation reference: the first `n` images of the training split, never shown to the
///   Min-MaxEnt model — generated digits should be as close to these as to the training set.
///
/// # Errors
/// [`MaxEntError::Parameter`] unless 1 ≤ n ≤ 359 (the held-out split's size).
pub fn digit_sets(n: usize) -> Result<DigitSets, MaxEntError> {
    let held_out = DIGITS.indices(DigitsSplit::HeldOut).count();
    if n == 0 || n > held_out {
        return Err(MaxEntError::Parameter(
            "the digits training set holds 1 to 359 images",
        ));
    }
    let pixels = |split| -> (Vec<f64>, Vec<u8>) {
        let mut x = Vec::with_capacity(n * PIXELS);
        let mut labels = Vec::with_capacity(n);
        for i in DIGITS.indices(split).take(n) {
            let (p, label) = DIGITS.sample(i);
            x.extend(p.iter().map(|&v| f64::from(v) / 16.0));
            labels.push(label);
        }
        (x, labels)
    };
    let (train, labels) = pixels(DigitsSplit::HeldOut);
    let (unseen, _) = pixels(DigitsSplit::Train);
    Ok(DigitSets {
        train,
        labels,
        unseen,
    })
}

/// Euclidean distance from each image in `samples` to its nearest neighbour in `set` (both
/// row-major, 64 pixels per image): the memorisation check of Sec. I.3 compares these distances
/// to the training set with those to unseen digits, sample by sample.
///
/// # Errors
/// [`MaxEntError::Shape`] for empty sets or lengths that are not multiples of 64.
pub fn nearest_distances(samples: &[f64], set: &[f64]) -> Result<Vec<f64>, MaxEntError> {
    if samples.is_empty()
        || set.is_empty()
        || samples.len() % PIXELS != 0
        || set.len() % PIXELS != 0
    {
        return Err(MaxEntError::Shape("image sets of 64 pixels per image"));
    }
    Ok(samples
        .chunks_exact(PIXELS)
        .map(|x| {
            let d2 = set
                .chunks_exact(PIXELS)
                .map(|y| x.iter().zip(y).map(|(a, b)| (a - b) * (a - b)).sum::<f64>())
                .fold(f64::INFINITY, f64::min);
            libm::sqrt(d2)
        })
        .collect())
}

/// The steering field of Eq. 23 from class probabilities hᵢ (rows of 10):
/// H′ = −α hⱼ + α Σ_{i≠j} hᵢ = α (1 − 2 hⱼ) for probabilities that sum to one.
///
/// The paper writes Σ_{i≠j} hⱼ, which would be (9 − 1)α hⱼ and favour the target; we read it as
/// the evident Σ_{i≠j} hᵢ. Probabilities (softmax outputs) keep the field bounded by α.
pub fn steering_field(probabilities: &[f64], target: usize, alpha: f64, out: &mut Vec<f64>) {
    out.clear();
    out.extend(probabilities.chunks_exact(10).map(|row| {
        let others: f64 = (0..10).filter(|&i| i != target).map(|i| row[i]).sum();
        -alpha * row[target] + alpha * others
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::from_seed;

    #[test]
    fn sets_and_distances() {
        let DigitSets {
            train,
            labels,
            unseen: reference,
        } = digit_sets(200).unwrap();
        assert_eq!(
            (train.len(), labels.len(), reference.len()),
            (12_800, 200, 12_800)
        );
        assert!(train.iter().all(|&p| (0.0..=1.0).contains(&p)));
        // Every digit occurs in the training set.
        assert!((0..10u8).all(|d| labels.contains(&d)));
        // A set's nearest neighbour in itself is itself.
        assert!(
            nearest_distances(&train, &train)
                .unwrap()
                .iter()
                .all(|&d| d == 0.0)
        );
        let to_reference = nearest_distances(&train, &reference).unwrap();
        assert!(to_reference.len() == 200 && to_reference.iter().all(|&d| d > 0.0));
        assert!(digit_sets(0).is_err() && digit_sets(400).is_err());
        assert!(nearest_distances(&train[..10], &reference).is_err());
    }

    #[test]
    fn observables_have_the_documented_shape() {
        let mut net = digits_observables((4, 8), 16, &mut from_seed(0)).unwrap();
        assert_eq!((net.inputs(), net.outputs()), (64, 16));
        let y = net.forward(&[0.5; 128], 2).unwrap();
        assert_eq!(y.len(), 32);
    }

    #[test]
    fn steering_field_is_eq23() {
        let mut p = [0.02; 10];
        p[3] = 0.82;
        let mut out = Vec::new();
        steering_field(&p, 3, 2.0, &mut out);
        assert!((out[0] - 2.0 * (1.0 - 2.0 * 0.82)).abs() < 1e-12);
    }
}
