/// The embedded binarised MNIST digits 0, 1, 2: 2940 records of 98 packed bytes and a label.
const RAW: &[u8] = include_bytes!("mnist012.bin");

/// Bytes per record: 784 bits packed MSB-first, then the label.
const RECORD: usize = 99;

/// Binarised MNIST digits 0, 1 and 2, the dataset of the latent-cycle paper (Sec. IV.1), embedded.
///
/// # Provenance and the difference from the paper
/// The paper takes the first 1000 images of each digit from the MNIST *training* set; only the
/// MNIST *test* set is available to this project, so we take the first 980 images of each of 0, 1
/// and 2 in test-set order (2940, balanced; 980 is the number of zeros in the test set). A pixel
/// is 1 when its gray level is above 50% (value > 127 of 255), as in the paper. Records keep
/// test-set order (classes interleaved). Converted by `convert_mnist012.py`.
///
/// # Examples
/// ```
/// use entropic::data::MNIST012;
/// assert_eq!(MNIST012.len(), 2940);
/// let x = MNIST012.image(0);
/// assert_eq!(x.len(), 784);
/// assert!(x.iter().all(|&b| b == 0 || b == 1));
/// assert_eq!((0..3).map(|k| MNIST012.labels().filter(|&l| l == k).count()).sum::<usize>(), 2940);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Mnist012 {
    raw: &'static [u8],
}

/// The embedded dataset.
pub const MNIST012: Mnist012 = Mnist012 { raw: RAW };

impl Mnist012 {
    /// Side of the square images.
    pub const SIDE: usize = 28;
    /// Pixels per image (D in the paper).
    pub const PIXELS: usize = 784;
    /// Images per class.
    pub const PER_CLASS: usize = 980;

    /// Number of images.
    pub fn len(&self) -> usize {
        self.raw.len() / RECORD
    }

    /// Whether the dataset is empty (never, for the embedded one).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The 784 bits (0 or 1, row-major) of image `i`.
    ///
    /// # Panics
    /// If `i >= self.len()`.
    pub fn image(&self, i: usize) -> [u8; 784] {
        let rec = &self.raw[i * RECORD..(i + 1) * RECORD];
        core::array::from_fn(|j| (rec[j / 8] >> (7 - j % 8)) & 1)
    }

    /// Label (0, 1 or 2) of image `i`.
    ///
    /// # Panics
    /// If `i >= self.len()`.
    pub fn label(&self, i: usize) -> u8 {
        self.raw[i * RECORD + RECORD - 1]
    }

    /// All labels, in record order.
    pub fn labels(&self) -> impl Iterator<Item = u8> + '_ {
        (0..self.len()).map(|i| self.label(i))
    }

    /// All images as one row-major `len × 784` array of 0.0 / 1.0.
    pub fn pixels(&self) -> alloc::vec::Vec<f64> {
        (0..self.len())
            .flat_map(|i| self.image(i).map(f64::from))
            .collect()
    }
}
