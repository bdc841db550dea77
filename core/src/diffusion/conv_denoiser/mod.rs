//! [`ConvDenoiser`]: a whole-lattice, Hamiltonian-free denoiser of spin lattices.
use super::denoiser::{Denoiser, Tweedie, log_snr_range, scale_and_variance};
use super::lattice_denoiser::{Conditioning, LatticeData};
use super::trainer::{RowBatch, Trainable};
use super::{DiffusionError, LambdaDensity, SpinKind, VpSde};
#[cfg(feature = "serde")]
use crate::diffusion::SavedModel;
use crate::nn::{ActivationKind, DilatedResNet, DilatedShape, Scalar};
use crate::rng::{normal_pair, uniform_index};
use crate::special::sigmoid;
use alloc::vec;
use alloc::vec::Vec;
use rand_core::Rng;

#[cfg(feature = "serde")]
mod saved;
#[cfg(test)]
mod tests;

/// Sites per forward pass at inference (whole lattices, at least one).
const CHUNK_SITES: usize = 8192;

/// Settings of a [`ConvDenoiser`]: what [`ConvDenoiser::from_config`] builds and
/// [`ConvDenoiser::config`] reads back.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct ConvDenoiserConfig {
    /// Channels of every hidden convolution. Default 32.
    pub channels: usize,
    /// Dilation of each residual block's 3×3 convolution ([`DilatedResNet`]). Default
    /// [1, 1, 2, 4, 8, 1]: a receptive field of 39 sites, the whole of a 20×20 or 32×32 torus.
    pub dilations: Vec<usize>,
    /// Condition on one-hot temperature labels instead of T itself. Default false.
    pub labels: bool,
    /// Where the training noise levels are drawn ([`LambdaDensity`]). Default uniform in λ.
    pub lambda_density: LambdaDensity,
    /// Planar spins only: run the network in each lattice's own frame — the evidence rotated
    /// so that its sum Σᵢ E[sᵢ | xᵢ] points along e₁, the network's field rotated back — which
    /// makes the model exactly equivariant under global rotations (the per-site model's
    /// neighbour frame, for the whole lattice). Default false.
    pub global_frame: bool,
    /// Planar spins only: a rotation-equivariant network ([`DilatedShape::planar`]) — `channels`
    /// real channels as `channels`/2 vector channels, each convolution weight a complex
    /// number (a rotation and a scaling), the nonlinearity radial, no biases — so every layer,
    /// not only the input and output, commutes with global rotations, and relative
    /// orientations between distant sites are carried exactly rather than learned. Assumes the
    /// data's distribution is invariant under global rotations (any XY model without a field).
    /// Needs an even `channels`; excludes `global_frame`. Default false.
    pub equivariant: bool,
}

impl Default for ConvDenoiserConfig {
    fn default() -> Self {
        Self {
            channels: 32,
            dilations: vec![1, 1, 2, 4, 8, 1],
            labels: false,
            lambda_density: LambdaDensity::Uniform,
            global_frame: false,
            equivariant: false,
        }
    }
}

/// A whole-lattice denoiser — and through Tweedie's formula a score model — for spins on an L×L
/// periodic lattice diffused by a [`VpSde`], conditioned on temperature and knowing nothing of
/// the Hamiltonian: only the lattice's geometry (a torus) and the data.
///
/// For x = k s + σ z (k² = sigmoid(λ), σ² = sigmoid(−λ)) it models every site's posterior as
/// p(sᵢ | x) ∝ exp(ηᵢ·sᵢ) with
///
/// ηᵢ = k xᵢ/σ² + hᵢ(x, λ, T), E[sᵢ | x] = tanh ηᵢ (Ising) or A(|ηᵢ|) ηᵢ/|ηᵢ| (planar),
///
/// where the field h of all sites at once is the output of a [`DilatedResNet`] (periodic 3×3
/// convolutions, residual blocks with dilations 1, 1, 2, 4, 8, 1 by default) whose input
/// channels are each site's evidence mᵢ = E[sᵢ | xᵢ] under a uniform prior (tanh(k xᵢ/σ²) or
/// A(k|xᵢ|/σ²) xᵢ/|xᵢ|), every stage scaled and shifted per channel by an affine function of
/// λ/10, k² (λ clamped to the training range) and the temperature's [`Conditioning`] features
/// (FiLM: a field that scales like 1/T or with the noise level is one linear map away). The head starts at zero, so an untrained
/// model is independent spins. For ±1 spins the exact posterior has this form with h a function
/// of the other sites; for planar spins the von Mises form is exact when hᵢ may depend on xᵢ
/// too, which the network's input allows (see [`SpinKind`]). Trained by the mean log-loss
/// −ln p(sᵢ | x) over every site of each lattice ([`SpinKind::log_loss`], a proper scoring rule),
/// λ drawn from the [`LambdaDensity`] on the schedule's [λ(T), λ(ε)].
///
/// For planar spins without a field, [`ConvDenoiserConfig::equivariant`] makes every layer
/// commute with global rotations (vector channels, complex weights, a radial nonlinearity;
/// [`DilatedShape::planar`]): the form a mean-field or message update h = Σⱼ Jᵢⱼ mⱼ,
/// m = A(|η|) η/|η| already has, so relative orientations at any distance are exact rather than
/// learned (measurements: `docs/results/entropy-lattices-conv.md`).
///
/// Unlike [`super::LatticeDenoiser`] there is no belief propagation and no coupling: the model
/// is the same for any Hamiltonian (ferromagnet or antiferromagnet, any coupling, fields,
/// further neighbours). Every layer commutes with the torus' translations, so the model is exactly
/// translation-equivariant and runs, with the same weights, on any side the dilations fit
/// ([`ConvDenoiser::with_side`]).
///
/// The network computes in `T` (`f32` by default, for speed; `f64` for gradient checks); the
/// weights the optimiser updates are kept in `f64` and copied into the network before each
/// forward pass.
#[derive(Clone, Debug)]
pub struct ConvDenoiser<T = f32> {
    sde: VpSde,
    kind: SpinKind,
    conditioning: Conditioning,
    lambda_density: LambdaDensity,
    global_frame: bool,
    net: DilatedResNet<T>,
    /// The weights in f64, in the order of the network's tensors.
    params: Vec<f64>,
    grads: Vec<f64>,
}

impl<T: Scalar> ConvDenoiser<T> {
    /// A fresh model with the settings of `config`; `conditioning` must match `config.labels`.
    /// Untrained, the field is zero (independent spins).
    ///
    /// # Errors
    /// [`DiffusionError::Shape`] for L < 2, zero channels, no blocks or a zero dilation (a
    /// dilation beyond L wraps around the torus); [`DiffusionError::Parameter`] for invalid conditioning, labels that disagree
    /// with it, or a λ density out of range.
    pub fn from_config<R: Rng + ?Sized>(
        sde: VpSde,
        kind: SpinKind,
        side: usize,
        conditioning: Conditioning,
        config: &ConvDenoiserConfig,
        rng: &mut R,
    ) -> Result<Self, DiffusionError> {
        conditioning.check()?;
        if config.labels != matches!(conditioning, Conditioning::Labels(_)) {
            return Err(DiffusionError::Parameter(
                "labels = true needs label conditioning, and label conditioning labels = true",
            ));
        }
        if (config.global_frame || config.equivariant) && kind != SpinKind::Planar {
            return Err(DiffusionError::Parameter(
                "global_frame and equivariant apply to planar spins only",
            ));
        }
        if config.global_frame && config.equivariant {
            return Err(DiffusionError::Parameter(
                "equivariant already commutes with global rotations: leave global_frame off",
            ));
        }
        if config.equivariant && config.channels % 2 != 0 {
            return Err(DiffusionError::Parameter(
                "equivariant needs an even channel count (vector channels are pairs)",
            ));
        }
        if side < 2 || config.dilations.is_empty() {
            return Err(DiffusionError::Shape(
                "the convolutional denoiser needs L ≥ 2 and at least one residual block",
            ));
        }
        let c = kind.components();
        let shape = DilatedShape {
            inputs: c,
            conditions: 2 + conditioning.dim(),
            outputs: c,
            side,
            channels: config.channels,
            dilations: config.dilations.clone(),
            activation: ActivationKind::Tanh,
            planar: config.equivariant,
        };
        let mut net = DilatedResNet::new(shape, rng).map_err(|_| {
            DiffusionError::Shape("the convolutional denoiser needs channels ≥ 1 and dilations ≥ 1")
        })?;
        net.zero_head();
        let params: Vec<f64> = net
            .params_and_grads()
            .iter()
            .flat_map(|(p, _)| p.iter().map(|v: &T| v.to_f64().unwrap_or(f64::NAN)))
            .collect();
        Ok(Self {
            sde,
            kind,
            conditioning,
            lambda_density: config.lambda_density.check()?,
            global_frame: config.global_frame,
            grads: vec![0.0; params.len()],
            params,
            net,
        })
    }

    /// The model's settings: what [`Self::from_config`] would rebuild it from (untrained).
    pub fn config(&self) -> ConvDenoiserConfig {
        let shape = self.net.shape();
        ConvDenoiserConfig {
            channels: shape.channels,
            dilations: shape.dilations.clone(),
            labels: matches!(self.conditioning, Conditioning::Labels(_)),
            lambda_density: self.lambda_density,
            global_frame: self.global_frame,
            equivariant: shape.planar,
        }
    }

    /// The same model (same weights) for `side`×`side` lattices: a convolution's weights do not
    /// depend on the lattice size. How well it transfers is a property of the data (the field
    /// of a site depends on the lattice through its long-range order).
    ///
    /// # Errors
    /// [`DiffusionError::Shape`] for L < 2.
    pub fn with_side(&self, side: usize) -> Result<Self, DiffusionError> {
        if side < 2 {
            return Err(DiffusionError::Shape("the lattice side must be at least 2"));
        }
        let net = self
            .net
            .with_side(side)
            .map_err(|_| DiffusionError::Shape("the lattice side must be at least 2"))?;
        Ok(Self {
            net,
            ..self.clone()
        })
    }

    /// What each site holds.
    pub fn kind(&self) -> SpinKind {
        self.kind
    }

    /// Lattice side L.
    pub fn side(&self) -> usize {
        self.net.shape().side
    }

    /// The diffusion schedule.
    pub fn sde(&self) -> &VpSde {
        &self.sde
    }

    /// What the model is conditioned on.
    pub fn conditioning(&self) -> &Conditioning {
        &self.conditioning
    }

    /// Trainable parameters: with `equivariant`, the free ones (the weights are stored in the
    /// real layout, [`DilatedResNet::parameter_count`]).
    pub fn parameter_count(&self) -> usize {
        self.net.parameter_count()
    }

    /// The log-SNR range [λ(T), λ(ε)] the model is trained on.
    pub fn lambda_range(&self) -> (f64, f64) {
        log_snr_range(&self.sde)
    }

    /// The conditioning features of temperature `t`.
    fn context(&self, t: f64) -> Result<Vec<f64>, DiffusionError> {
        let mut features = vec![0.0; self.conditioning.dim()];
        self.conditioning.features(t, &mut features)?;
        Ok(features)
    }

    /// Values per lattice, L² sites × c coordinates.
    fn lattice_len(&self) -> usize {
        let side = self.side();
        side * side * self.kind.components()
    }

    /// Write the network's input for one noisy lattice `x` (L² × c, site-major) at log-SNR λ
    /// into `input` (c channels × L²: the evidence) and `cond` (λ/10 and k² with λ clamped to the
    /// training range, then the temperature's features), and the part of η the network does not
    /// learn, k x/σ², into `own`. With [`ConvDenoiserConfig::global_frame`] the evidence is
    /// written in the lattice's frame, which is returned (e₁ otherwise).
    fn lattice_input(
        &self,
        (x, lambda, context): (&[f64], f64, &[f64]),
        input: &mut [T],
        cond: &mut [T],
        own: &mut [f64],
    ) -> [f64; 2] {
        let c = self.kind.components();
        let n = x.len() / c;
        let (k, s2) = scale_and_variance(lambda);
        own.iter_mut().zip(x).for_each(|(o, &x)| *o = k * x / s2);
        // The evidence E[s | k x/σ²], four sites per call (as `SpinKind::to_means`), written
        // straight into the channel planes.
        for (group, sites) in own.chunks(4 * c).enumerate() {
            let mut lanes = [[0.0; 2]; 4];
            for (l, site) in lanes.iter_mut().zip(sites.chunks(c)) {
                l[..c].copy_from_slice(site);
            }
            for (j, m) in self
                .kind
                .means(lanes)
                .iter()
                .take(sites.len() / c)
                .enumerate()
            {
                for (channel, &v) in m[..c].iter().enumerate() {
                    input[channel * n + 4 * group + j] = T::of(v);
                }
            }
        }
        let (lo, hi) = self.lambda_range();
        let clamped = lambda.clamp(lo, hi);
        for (v, &f) in cond
            .iter_mut()
            .zip([clamped / 10.0, sigmoid(clamped)].iter().chain(context))
        {
            *v = T::of(f);
        }
        if !self.global_frame {
            return [1.0, 0.0];
        }
        let (a, b) = input.split_at_mut(n);
        let total = a.iter().zip(&*b).fold([0.0, 0.0], |[sa, sb], (x, y)| {
            [
                sa + x.to_f64().unwrap_or(f64::NAN),
                sb + y.to_f64().unwrap_or(f64::NAN),
            ]
        });
        let u = self.kind.frame(total);
        let mut rotated = [0.0; 2];
        for (x, y) in a.iter_mut().zip(b.iter_mut()) {
            let v = [
                x.to_f64().unwrap_or(f64::NAN),
                y.to_f64().unwrap_or(f64::NAN),
            ];
            self.kind.to_frame(u, &v, &mut rotated);
            (*x, *y) = (T::of(rotated[0]), T::of(rotated[1]));
        }
        u
    }

    /// Conditioning values per lattice.
    fn conditions(&self) -> usize {
        self.net.shape().conditions
    }

    /// Copy the f64 weights into the network.
    fn sync(&mut self) {
        let mut at = 0;
        for (p, _) in self.net.params_and_grads() {
            for (v, &w) in p.iter_mut().zip(&self.params[at..]) {
                *v = T::of(w);
            }
            at += p.len();
        }
    }

    /// The network's field h for `lattices` inputs (channels × L² each) and conditionings,
    /// channel-major.
    fn field(&mut self, input: &[T], cond: &[T], lattices: usize) -> Result<&[T], DiffusionError> {
        self.sync();
        self.net
            .forward(input, cond, lattices)
            .map_err(|_| DiffusionError::Shape("convolutional denoiser forward"))
    }

    /// The posterior means E[s | x] of the lattices `x` (row-major b×L²×c, one λ per lattice)
    /// at `temperature`, written to `out`.
    ///
    /// # Errors
    /// [`DiffusionError::Temperature`] for a temperature outside the training range (or not a
    /// label); [`DiffusionError::Shape`] for mismatched lengths.
    pub fn posterior_mean(
        &mut self,
        x: &[f64],
        lambda: &[f64],
        temperature: f64,
        out: &mut [f64],
    ) -> Result<(), DiffusionError> {
        let nc = self.lattice_len();
        if x.len() != lambda.len() * nc || out.len() != x.len() {
            return Err(DiffusionError::Shape(
                "need one λ per L×L lattice and an output of the same size",
            ));
        }
        let context = self.context(temperature)?;
        let (c, f) = (self.kind.components(), self.net.inputs());
        let n = nc / c;
        let per_chunk = (CHUNK_SITES / n).max(1);
        let q = self.conditions();
        let (mut input, mut cond, mut frames) = (Vec::new(), Vec::new(), Vec::new());
        for (xs, (ls, outs)) in x
            .chunks(per_chunk * nc)
            .zip(lambda.chunks(per_chunk).zip(out.chunks_mut(per_chunk * nc)))
        {
            input.resize(ls.len() * f, T::zero());
            cond.resize(ls.len() * q, T::zero());
            frames.clear();
            for ((xl, &l), ((row, cd), own)) in xs.chunks(nc).zip(ls).zip(
                input
                    .chunks_mut(f)
                    .zip(cond.chunks_mut(q))
                    .zip(outs.chunks_mut(nc)),
            ) {
                frames.push(self.lattice_input((xl, l, &context), row, cd, own));
            }
            let planar_frames = self.global_frame.then_some(&frames[..]);
            let h = self.field(&input, &cond, ls.len())?;
            add_field(c, n, h, planar_frames, outs);
            // The natural parameters η in `outs` become the posterior means.
            self.kind.to_means(outs);
        }
        Ok(())
    }

    /// The model at one temperature, as a [`super::Score`] (Tweedie) and a [`Denoiser`] of L²
    /// sites.
    ///
    /// # Errors
    /// [`DiffusionError::Temperature`] for a temperature the model was not trained for.
    pub fn at_temperature(&self, temperature: f64) -> Result<ConvScore<T>, DiffusionError> {
        self.context(temperature)?;
        Ok(Tweedie::new(
            self.sde,
            ConvAt {
                model: self.clone(),
                temperature,
            },
        ))
    }
}

/// η += h for every lattice of L² = `n` sites: `eta` is b × L² × c site-major, `h` (as long)
/// b × c × L² channel-major. With `frames` (planar, one per lattice) h is in the lattice's frame
/// and is rotated back first.
fn add_field<T: Scalar>(c: usize, n: usize, h: &[T], frames: Option<&[[f64; 2]]>, eta: &mut [f64]) {
    for (l, (el, hl)) in eta.chunks_mut(n * c).zip(h.chunks(n * c)).enumerate() {
        let u = frames.map(|f| f[l]);
        for (i, e) in el.chunks_mut(c).enumerate() {
            let mut field = [0.0; 2];
            for (q, f) in field[..c].iter_mut().enumerate() {
                *f = hl[q * n + i].to_f64().unwrap_or(f64::NAN);
            }
            if let Some(u) = u {
                field = [
                    field[0] * u[0] - field[1] * u[1],
                    field[0] * u[1] + field[1] * u[0],
                ];
            }
            e.iter_mut().zip(field).for_each(|(e, f)| *e += f);
        }
    }
}

/// A drawn batch of [`ConvDenoiser`] training: whole noisy lattices as network input, with the
/// part of η the network does not learn (k x/σ²) and the clean spins.
#[derive(Debug)]
pub struct ConvBatch<T> {
    input: Vec<T>,
    cond: Vec<T>,
    own: Vec<f64>,
    target: Vec<f64>,
    /// Each lattice's frame, with [`ConvDenoiserConfig::global_frame`] (empty otherwise).
    frames: Vec<[f64; 2]>,
    lattices: usize,
}

impl<T: Scalar> RowBatch for ConvBatch<T> {
    fn rows(&self) -> usize {
        self.lattices
    }

    fn part(&self, range: core::ops::Range<usize>) -> Self {
        let n = self.lattices.max(1);
        let (f, q, nc) = (
            self.input.len() / n,
            self.cond.len() / n,
            self.own.len() / n,
        );
        Self {
            input: self.input[range.start * f..range.end * f].to_vec(),
            cond: self.cond[range.start * q..range.end * q].to_vec(),
            own: self.own[range.start * nc..range.end * nc].to_vec(),
            target: self.target[range.start * nc..range.end * nc].to_vec(),
            frames: self
                .frames
                .get(range.clone())
                .map_or_else(Vec::new, <[_]>::to_vec),
            lattices: range.len(),
        }
    }
}

impl<T: Scalar> Trainable for ConvDenoiser<T> {
    type Data = LatticeData;
    type Batch = ConvBatch<T>;

    fn check_data(&self, data: &LatticeData) -> Result<(), DiffusionError> {
        if data.side() != self.side() || data.kind() != self.kind {
            return Err(DiffusionError::Shape(
                "the data's lattice side or spin kind differs from the model's",
            ));
        }
        (0..data.len()).try_for_each(|i| self.context(data.temperature(i)).map(|_| ()))
    }

    /// `batch` configurations drawn uniformly, each at its own λ from the [`LambdaDensity`],
    /// noised with Gaussian pairs; every site enters the loss.
    fn draw_batch<R: Rng + ?Sized>(
        &self,
        data: &LatticeData,
        batch: usize,
        rng: &mut R,
    ) -> Result<ConvBatch<T>, DiffusionError> {
        let (nc, f, q) = (self.lattice_len(), self.net.inputs(), self.conditions());
        let range = self.lambda_range();
        let mut input = vec![T::zero(); batch * f];
        let mut cond = vec![T::zero(); batch * q];
        let mut own = vec![0.0; batch * nc];
        let mut target = vec![0.0; batch * nc];
        let mut x = vec![0.0; nc];
        let mut frames = Vec::new();
        for (((row, cd), o), t) in input
            .chunks_mut(f)
            .zip(cond.chunks_mut(q))
            .zip(own.chunks_mut(nc))
            .zip(target.chunks_mut(nc))
        {
            let i = uniform_index(rng, data.len());
            let s = data.config(i);
            let context = self.context(data.temperature(i))?;
            let lambda = self.lambda_density.draw(range, rng);
            let (k, s2) = scale_and_variance(lambda);
            let sd = libm::sqrt(s2);
            for (pair, sp) in x.chunks_mut(2).zip(s.chunks(2)) {
                let (z1, z2) = normal_pair(rng);
                for ((x, &s), z) in pair.iter_mut().zip(sp).zip([z1, z2]) {
                    *x = k * s + sd * z;
                }
            }
            t.copy_from_slice(s);
            let u = self.lattice_input((&x, lambda, &context), row, cd, o);
            if self.global_frame {
                frames.push(u);
            }
        }
        Ok(ConvBatch {
            input,
            cond,
            own,
            target,
            frames,
            lattices: batch,
        })
    }

    /// Mean log-loss over every site of the batch's lattices.
    fn loss_and_gradient(&mut self, batch: &ConvBatch<T>) -> Result<f64, DiffusionError> {
        let (kind, c) = (self.kind, self.kind.components());
        let ConvBatch {
            input,
            cond,
            own,
            target,
            frames,
            lattices,
        } = batch;
        let mut eta = own.clone();
        let n = self.side() * self.side();
        let planar_frames = self.global_frame.then_some(&frames[..]);
        let h = self.field(input, cond, *lattices)?;
        add_field(c, n, h, planar_frames, &mut eta);
        let sites = eta.len() / c;
        let scale = 1.0 / sites.max(1) as f64;
        let mut loss = 0.0;
        let mut mean = [0.0; 2];
        // ∂loss/∂η = (E[s | η] − s)/sites, written in place of η.
        for (e, s) in eta.chunks_mut(c).zip(target.chunks(c)) {
            loss += kind.log_loss(e, s);
            kind.mean(e, &mut mean[..c]);
            for ((e, &m), &s) in e.iter_mut().zip(&mean[..c]).zip(s) {
                *e = (m - s) * scale;
            }
        }
        // ∂loss/∂h, channel-major; in the lattice's frame (Rᵀ ∂loss/∂η) with a global frame.
        let mut dh = vec![T::zero(); eta.len()];
        for (l, (dl, el)) in dh.chunks_mut(n * c).zip(eta.chunks(n * c)).enumerate() {
            for (i, e) in el.chunks(c).enumerate() {
                let mut g = [0.0; 2];
                match planar_frames {
                    Some(f) => kind.to_frame(f[l], e, &mut g),
                    None => g[..c].copy_from_slice(e),
                }
                for (q, &g) in g[..c].iter().enumerate() {
                    dl[q * n + i] = T::of(g);
                }
            }
        }
        self.net.zero_grad();
        self.net
            .backward(&dh)
            .map_err(|_| DiffusionError::Shape("convolutional denoiser backward"))?;
        let mut at = 0;
        for (_, g) in self.net.params_and_grads() {
            for (d, v) in self.grads[at..].iter_mut().zip(g.iter()) {
                *d = v.to_f64().unwrap_or(f64::NAN);
            }
            at += g.len();
        }
        Ok(loss * scale)
    }

    fn params_and_grads(&mut self) -> Vec<(&mut [f64], &mut [f64])> {
        vec![(&mut self.params, &mut self.grads)]
    }
}

#[cfg(feature = "serde")]
impl<T: Scalar> SavedModel for ConvDenoiser<T> {
    fn to_json(&self) -> Result<Vec<u8>, DiffusionError> {
        ConvDenoiser::to_json(self)
    }

    fn from_json(bytes: &[u8]) -> Result<Self, DiffusionError> {
        ConvDenoiser::from_json(bytes)
    }
}

/// A [`ConvDenoiser`] at one temperature: a [`Denoiser`] of L² sites.
#[derive(Clone, Debug)]
pub struct ConvAt<T = f32> {
    model: ConvDenoiser<T>,
    temperature: f64,
}

impl<T> ConvAt<T> {
    /// The temperature the model is evaluated at.
    pub fn temperature(&self) -> f64 {
        self.temperature
    }
}

impl<T: Scalar> Denoiser for ConvAt<T> {
    fn dim(&self) -> usize {
        self.model.lattice_len()
    }

    fn denoise_batch(
        &mut self,
        x: &[f64],
        lambda: &[f64],
        out: &mut [f64],
    ) -> Result<(), DiffusionError> {
        self.model.posterior_mean(x, lambda, self.temperature, out)
    }
}

/// A [`ConvDenoiser`] at one temperature as a [`Denoiser`] and, by Tweedie's formula, a
/// [`super::Score`] for the reverse-SDE sampler.
pub type ConvScore<T = f32> = Tweedie<ConvAt<T>>;
