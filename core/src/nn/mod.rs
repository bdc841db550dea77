//! Small dense and convolutional networks with hand-written forward and backward passes.
//!
//! No autodiff: every layer implements its forward pass (caching what it needs) and a backward
//! pass that returns ∂L/∂input and accumulates ∂L/∂parameters, so a reader can check each against
//! its formula. Networks are generic over [`Scalar`] (`f32` for training, `f64` for gradient
//! checks). Matrix products go through matrixmultiply's gemm ([`gemm`]); convolutions are
//! correlations of padded planes (`correlate`, with AVX2/FMA kernels for f32 chosen at run
//! time). Those two are the crate's only `unsafe` modules.
//!
//! # Reproducibility
//! Sampler bits are identical on every target; network arithmetic is reproducible on one machine,
//! but the SIMD kernels (chosen at run time with `std`) may round differently across CPUs.
mod activation;
#[cfg(feature = "data")]
pub mod classifier;
mod conv;
mod correlate;
#[cfg(all(feature = "std", target_arch = "x86_64"))]
mod correlate_avx2;
mod dense;
mod dilated;
pub mod embed;
mod error;
pub mod gemm;
mod init;
#[cfg(feature = "serde")]
pub mod io;
pub mod loss;
mod network;
pub mod optim;
mod planar;
mod resample;
mod scalar;

pub use activation::{Activation, ActivationKind};
pub use conv::{Conv2d, Padding};
pub use dense::Dense;
pub use dilated::{DilatedResNet, DilatedShape};
pub use error::NnError;
pub use network::{Layer, Network};
pub use resample::{AvgPool2d, Upsample2d};
pub use scalar::{Scalar, sigmoid_f64, tanh_f32, tanh_f64};

/// Copy every parameter tensor of `from` into the same-shaped tensor of `to` (both as
/// `params_and_grads` lists them: (parameters, gradients) pairs in one order); gradients are
/// left alone. How a replica of a model is given the model's current weights.
pub(crate) fn copy_parameters<T: Copy>(
    to: alloc::vec::Vec<(&mut [T], &mut [T])>,
    from: alloc::vec::Vec<(&mut [T], &mut [T])>,
) {
    for ((p, _), (q, _)) in to.into_iter().zip(from) {
        p.copy_from_slice(q);
    }
}
