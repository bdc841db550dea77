//! entropic in the browser: thin wasm-bindgen layers over the core's library-level runs. The
//! pages in `www/` run them in Web Workers and draw what they return.
//!
//! Every type has a plain-Rust twin of each method in the same `impl`, so native tests exercise
//! the code the pages run; the `#[wasm_bindgen]` layer only converts errors to `JsError`.
#![deny(missing_docs)]

mod bimodal;
mod diffusion;
mod latent;
mod lattice;
mod pca;
mod steer;

pub use bimodal::BimodalRun;
pub use diffusion::DiffusionDemo;
pub use latent::LatentDemo;
pub use lattice::LatticeSim;
pub use pca::PcaRun;
pub use steer::SteerDemo;
