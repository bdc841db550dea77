//! Training the per-site denoiser: batches of sampled sites and their features, and the
//! [`Trainable`] implementation.
use super::{LatticeData, LatticeDenoiser, Propagated, SITES_PER_LATTICE, gate_factor};
use crate::diffusion::DiffusionError;
#[cfg(feature = "serde")]
use crate::diffusion::SavedModel;
use crate::diffusion::denoiser::scale_and_variance;
use crate::diffusion::trainer::{RowBatch, Trainable};
use crate::rng::{normal_pair, uniform_index};
use alloc::vec;
use alloc::vec::Vec;
use rand_core::Rng;

/// The random draws of one training lattice: which configuration, its temperature's
/// [`LatticeDenoiser::context`], the log-SNR and the sites whose posteriors enter the loss.
struct Draw {
    config: usize,
    context: Vec<f64>,
    lambda: f64,
    sites: [usize; SITES_PER_LATTICE],
}

/// A drawn batch of [`LatticeDenoiser`] training: one row per sampled site, with the network's
/// input, the part of the natural parameter the network does not learn (`own`), the clean spin,
/// the frame and the gate factor.
#[derive(Debug)]
pub struct LatticeBatch {
    input: Vec<f64>,
    own: Vec<f64>,
    target: Vec<f64>,
    frames: Vec<[f64; 2]>,
    gates: Vec<f64>,
}

impl RowBatch for LatticeBatch {
    fn rows(&self) -> usize {
        self.frames.len()
    }

    fn part(&self, range: core::ops::Range<usize>) -> Self {
        let n = self.frames.len().max(1);
        let (f, c) = (self.input.len() / n, self.own.len() / n);
        Self {
            input: self.input[range.start * f..range.end * f].to_vec(),
            own: self.own[range.start * c..range.end * c].to_vec(),
            target: self.target[range.start * c..range.end * c].to_vec(),
            frames: self.frames[range.clone()].to_vec(),
            gates: self.gates[range].to_vec(),
        }
    }
}

/// Output slices of [`LatticeDenoiser::training_rows`], one entry (or `f` / c) per row.
struct Rows<'a> {
    input: &'a mut [f64],
    own: &'a mut [f64],
    target: &'a mut [f64],
    frames: &'a mut [[f64; 2]],
    gates: &'a mut [f64],
}

impl<'a> Rows<'a> {
    /// The first `rows` rows and the rest, for inputs of width `f` and `c` coordinates.
    #[cfg(feature = "std")]
    fn split(self, rows: usize, f: usize, c: usize) -> (Self, Self) {
        let (input, input_rest) = self.input.split_at_mut(rows * f);
        let (own, own_rest) = self.own.split_at_mut(rows * c);
        let (target, target_rest) = self.target.split_at_mut(rows * c);
        let (frames, frames_rest) = self.frames.split_at_mut(rows);
        let (gates, gates_rest) = self.gates.split_at_mut(rows);
        (
            Rows {
                input,
                own,
                target,
                frames,
                gates,
            },
            Rows {
                input: input_rest,
                own: own_rest,
                target: target_rest,
                frames: frames_rest,
                gates: gates_rest,
            },
        )
    }
}

impl Trainable for LatticeDenoiser {
    type Data = LatticeData;
    type Batch = LatticeBatch;

    fn check_data(&self, data: &LatticeData) -> Result<(), DiffusionError> {
        if data.side() != self.side || data.kind() != self.kind {
            return Err(DiffusionError::Shape(
                "the data's lattice side or spin kind differs from the model's",
            ));
        }
        let mut cond = vec![0.0; self.conditioning.dim()];
        data.temperatures
            .iter()
            .try_for_each(|&t| self.conditioning.features(t, &mut cond))
    }

    /// 32 random sites per configuration, λ from the [`LambdaDensity`](crate::diffusion::LambdaDensity) (uniform on the
    /// schedule's range by default), and their
    /// features. The random draws are made in order, one lattice after another; the features
    /// (belief propagation above all) are then computed in parallel with `std`, so the result
    /// does not depend on the thread count.
    fn draw_batch<R: Rng + ?Sized>(
        &self,
        data: &LatticeData,
        batch: usize,
        rng: &mut R,
    ) -> Result<LatticeBatch, DiffusionError> {
        let c = self.kind.components();
        let n = self.side * self.side;
        let f = self.input_width();
        let (lo, hi) = self.lambda_range();
        let mut noisy = vec![0.0; batch * n * c];
        let mut draws = Vec::with_capacity(batch);
        for x in noisy.chunks_mut(n * c) {
            let config = uniform_index(rng, data.len());
            let s = data.config(config);
            let context = self.context(data.temperature(config))?;
            let lambda = self.lambda_density.draw((lo, hi), rng);
            let (k, s2) = scale_and_variance(lambda);
            let sd = libm::sqrt(s2);
            for (pair, sp) in x.chunks_mut(2).zip(s.chunks(2)) {
                let (z1, z2) = normal_pair(rng);
                for ((x, &s), z) in pair.iter_mut().zip(sp).zip([z1, z2]) {
                    *x = k * s + sd * z;
                }
            }
            let sites = core::array::from_fn(|_| uniform_index(rng, n));
            draws.push(Draw {
                config,
                context,
                lambda,
                sites,
            });
        }
        let rows = batch * SITES_PER_LATTICE;
        let mut input = vec![0.0; rows * f];
        let (mut own, mut target) = (vec![0.0; rows * c], vec![0.0; rows * c]);
        let mut frames = vec![[0.0; 2]; rows];
        let mut gates = vec![1.0; rows];
        let all = Rows {
            input: &mut input,
            own: &mut own,
            target: &mut target,
            frames: &mut frames,
            gates: &mut gates,
        };
        #[cfg(feature = "std")]
        {
            let threads = std::thread::available_parallelism().map_or(1, |t| t.get());
            let per = batch.div_ceil(threads.min(batch));
            let nc = n * c;
            // The calling thread takes the first share, one spawned thread each of the others.
            let (first, mut rest) = all.split(per * SITES_PER_LATTICE, f, c);
            std::thread::scope(|scope| {
                for (draws, noisy) in draws[per..]
                    .chunks(per)
                    .zip(noisy[per * nc..].chunks(per * nc))
                {
                    let (mine, others) = rest.split(draws.len() * SITES_PER_LATTICE, f, c);
                    rest = others;
                    scope.spawn(move || self.training_rows(data, draws, noisy, mine));
                }
                self.training_rows(data, &draws[..per], &noisy[..per * nc], first);
            });
        }
        #[cfg(not(feature = "std"))]
        self.training_rows(data, &draws, &noisy, all);
        Ok(LatticeBatch {
            input,
            own,
            target,
            frames,
            gates,
        })
    }

    /// Log-loss of the sampled sites' posteriors.
    fn loss_and_gradient(&mut self, batch: &LatticeBatch) -> Result<f64, DiffusionError> {
        let (kind, c) = (self.kind, self.kind.components());
        let LatticeBatch {
            input,
            own,
            target,
            frames,
            gates,
        } = batch;
        let rows = frames.len();
        self.net.zero_grad();
        let h = self
            .net
            .forward(input, rows)
            .map_err(|_| DiffusionError::Shape("denoiser forward"))?;
        let mut loss = 0.0;
        let mut grad = vec![0.0; rows * c];
        let (mut field, mut eta, mut mean) = ([0.0; 2], [0.0; 2], [0.0; 2]);
        for (r, u) in frames.iter().enumerate() {
            let at = r * c..(r + 1) * c;
            kind.from_frame(*u, &h[at.clone()], &mut field);
            for q in 0..c {
                eta[q] = own[r * c + q] + gates[r] * field[q];
            }
            loss += kind.log_loss(&eta[..c], &target[at.clone()]);
            // ∂ loss/∂η = E[s | η] − s, rotated into the frame the network's field lives in.
            kind.mean(&eta[..c], &mut mean[..c]);
            for (q, t) in target[at.clone()].iter().enumerate() {
                mean[q] = gates[r] * (mean[q] - t) / rows as f64;
            }
            kind.to_frame(*u, &mean[..c], &mut grad[at]);
        }
        self.net
            .backward(&grad)
            .map_err(|_| DiffusionError::Shape("denoiser backward"))?;
        Ok(loss / rows as f64)
    }

    fn params_and_grads(&mut self) -> Vec<(&mut [f64], &mut [f64])> {
        self.net.params_and_grads()
    }
}

#[cfg(feature = "serde")]
impl SavedModel for LatticeDenoiser {
    fn to_json(&self) -> Result<Vec<u8>, DiffusionError> {
        LatticeDenoiser::to_json(self)
    }

    fn from_json(bytes: &[u8]) -> Result<Self, DiffusionError> {
        LatticeDenoiser::from_json(bytes)
    }
}

impl LatticeDenoiser {
    /// The training rows of the noisy lattices `noisy` drawn as `draws`: each sampled site's
    /// features, the part of its natural parameter the network does not learn (k xᵢ/σ² plus
    /// the Bethe field), its clean spin, frame and gate factor.
    fn training_rows(&self, data: &LatticeData, draws: &[Draw], noisy: &[f64], rows: Rows<'_>) {
        let c = self.kind.components();
        let n = self.side * self.side;
        let f = self.input_width();
        let mut propagated = Propagated::default();
        let mut m = vec![0.0; n * c];
        for (b, (draw, x)) in draws.iter().zip(noisy.chunks(n * c)).enumerate() {
            let (l, s) = (draw.lambda, data.config(draw.config));
            let (k, s2) = scale_and_variance(l);
            let gate = gate_factor(self.gate, l, draw.context[0]);
            let lattice = self.lattice_evidence(x, l, &draw.context, &mut m, &mut propagated);
            for (j, &i) in draw.sites.iter().enumerate() {
                let r = b * SITES_PER_LATTICE + j;
                rows.frames[r] = self.site_features(
                    &lattice,
                    i,
                    l,
                    &draw.context,
                    &mut rows.input[r * f..(r + 1) * f],
                );
                rows.gates[r] = gate;
                for q in 0..c {
                    rows.own[r * c + q] = k * x[i * c + q] / s2;
                    rows.target[r * c + q] = s[i * c + q];
                }
                // The Bethe field is the part of η the network corrects.
                if let Some(p) = lattice.propagated {
                    for q in 0..c {
                        rows.own[r * c + q] += p.cavity[i * c + q];
                    }
                }
            }
        }
    }
}
