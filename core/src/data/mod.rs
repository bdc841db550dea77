//! Embedded datasets (feature `data`, on by default), so the CLI and the browser need no files.
//!
//! # Licences
//! - **8×8 digits**: UCI "Optical Recognition of Handwritten Digits" (E. Alpaydin, C. Kaynak,
//!   1998), CC BY 4.0, taken from the copy scikit-learn ships (BSD-3-Clause) — the 1797 samples
//!   `sklearn.datasets.load_digits()` returns. Converted by `convert_digits.py` (provenance and
//!   checksums in `shared/data/README.md`).
//! - **Binarised MNIST 0/1/2**: the first 980 test-set images of each of the digits 0, 1, 2 from
//!   the MNIST database (Y. LeCun, C. Cortes, C. J. C. Burges), CC BY-SA 3.0. Converted by
//!   `convert_mnist012.py` (provenance and checksums of the source in `shared/data/README.md`).
mod digits;
mod mnist012;

pub use digits::{DIGITS, Digits, DigitsSplit};
pub use mnist012::{MNIST012, Mnist012};
