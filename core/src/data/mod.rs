//! Embedded datasets (feature `data`, on by default), so the CLI and the browser need no files.
//!
//! # Licences
//! - **8×8 digits**: UCI "Optical Recognition of Handwritten Digits" (E. Alpaydin, C. Kaynak,
//!   1998), CC BY 4.0, taken from the copy scikit-learn ships (BSD-3-Clause) — the 1797 samples
//!   `sklearn.datasets.load_digits()` returns. Converted by `convert_digits.py` (provenance and
//!   checksums in `shared/data/README.md`).
mod digits;

pub use digits::{DIGITS, Digits, DigitsSplit};
