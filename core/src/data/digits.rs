/// The embedded 8×8 digits: 1797 records of 64 pixel counts (0..16) and a label.
const RAW: &[u8] = include_bytes!("digits.bin");

/// Bytes per record: 64 pixels and the label.
const RECORD: usize = 65;

/// The UCI 8×8 handwritten digits (scikit-learn's `load_digits`), embedded.
///
/// # Split
/// A fixed, documented split: sample i is held out when i mod 5 = 4 (359 samples), the rest
/// (1438) are for training. The CSV's order interleaves writers, so every digit appears in both.
///
/// # Examples
/// ```
/// use entropic::data::{DIGITS, DigitsSplit};
/// assert_eq!(DIGITS.len(), 1797);
/// let (pixels, label) = DIGITS.sample(0);
/// assert_eq!((pixels.len(), label), (64, 0));
/// assert_eq!(DIGITS.indices(DigitsSplit::HeldOut).count(), 359);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Digits {
    raw: &'static [u8],
}

/// Which part of the fixed split.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DigitsSplit {
    /// Samples with i mod 5 ≠ 4.
    Train,
    /// Samples with i mod 5 = 4.
    HeldOut,
    /// Everything.
    All,
}

/// The embedded dataset.
pub const DIGITS: Digits = Digits { raw: RAW };

impl Digits {
    /// Side of the square images.
    pub const SIDE: usize = 8;
    /// Largest pixel value.
    pub const MAX_PIXEL: u8 = 16;

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.raw.len() / RECORD
    }

    /// Whether the dataset is empty (never, for the embedded one).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Pixels (row-major, 0..16) and label of sample `i`.
    ///
    /// # Panics
    /// If `i >= self.len()`.
    pub fn sample(&self, i: usize) -> (&'static [u8], u8) {
        let r = &self.raw[i * RECORD..(i + 1) * RECORD];
        (&r[..64], r[64])
    }

    /// Indices of a split, in order.
    pub fn indices(&self, split: DigitsSplit) -> impl Iterator<Item = usize> + '_ {
        (0..self.len()).filter(move |i| match split {
            DigitsSplit::Train => i % 5 != 4,
            DigitsSplit::HeldOut => i % 5 == 4,
            DigitsSplit::All => true,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contents_match_the_documented_dataset() {
        assert_eq!(DIGITS.len(), 1797);
        let mut counts = [0usize; 10];
        for i in 0..DIGITS.len() {
            let (pixels, label) = DIGITS.sample(i);
            assert!(pixels.iter().all(|&p| p <= Digits::MAX_PIXEL));
            counts[label as usize] += 1;
        }
        // Label counts from shared/data/README.md.
        assert_eq!(counts, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
        assert_eq!(
            DIGITS.indices(DigitsSplit::Train).count()
                + DIGITS.indices(DigitsSplit::HeldOut).count(),
            1797
        );
    }
}
