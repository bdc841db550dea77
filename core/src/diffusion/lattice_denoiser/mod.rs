use super::belief::{BeliefPropagation, PlanarMessages};
use super::denoiser::{Denoiser, Tweedie, log_snr_range, scale_and_variance};
use super::gate::Gate;
use super::lambda_density::LambdaDensity;
use super::{DenoiserConfig, DiffusionError, SpinKind, VpSde};
use crate::nn::{ActivationKind, Layer, Network};
use crate::special::LogBesselHarmonic;
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;
use rand_core::Rng;

/// Radius of the square patch of neighbours whose evidence enters a site's field.
const PATCH: isize = 2;
/// Radius of the window whose mean evidence is a coarse feature.
const WINDOW: isize = 4;
/// Neighbours in the patch (the site itself excluded).
const PATCH_LEN: usize = ((2 * PATCH + 1) * (2 * PATCH + 1) - 1) as usize;
/// Side of the blocks whose mean evidence is a mid-range feature.
const BLOCK: isize = 3;
/// Blocks centred at offsets BLOCK·(a, b), a, b ∈ [−BLOCK_REACH, BLOCK_REACH] except (0, 0):
/// a coarse 15×15 view around the site.
const BLOCK_REACH: isize = 2;
/// Number of blocks.
const BLOCKS: usize = ((2 * BLOCK_REACH + 1) * (2 * BLOCK_REACH + 1) - 1) as usize;
/// The farthest row or column offset any feature reads: the outer edge of the blocks.
const REACH: isize = {
    let blocks = BLOCK * BLOCK_REACH + BLOCK / 2;
    let near = if PATCH > WINDOW { PATCH } else { WINDOW };
    if blocks > near { blocks } else { near }
};
/// Row (or column) offsets −REACH..=REACH.
const SPAN: usize = (2 * REACH + 1) as usize;
/// Features of a site before the conditioning, for `c` coordinates per site: patch, block,
/// window and global means (c each), the clean-limit field βJ ⟨m⟩_nn, λ/10 and k².
const fn base_features(c: usize) -> usize {
    (PATCH_LEN + BLOCKS + 2) * c + 3
}
/// Features from belief propagation, per coordinate: the Bethe cavity field, and the mean
/// belief of the 8 surrounding sites, of the 9×9 window and of the whole lattice.
const PROPAGATED: usize = 4;
/// Sites drawn per lattice in a training batch.
const SITES_PER_LATTICE: usize = 32;
/// Rows (sites) per forward pass at inference.
const CHUNK: usize = 8192;

mod conditioning;
mod data;
#[cfg(feature = "serde")]
mod saved;
#[cfg(test)]
mod tests;
mod training;

pub use conditioning::Conditioning;
pub use data::LatticeData;
pub use training::LatticeBatch;

/// A temperature-conditioned denoiser — and through Tweedie's formula a score model — for
/// spins on an L×L periodic lattice diffused by a [`VpSde`]: ±1 Ising spins or planar XY unit
/// vectors ([`SpinKind`]).
///
/// For x = k s + σ z (k² = sigmoid(λ), σ² = sigmoid(−λ)) the posterior of one spin factorises
/// as p(sᵢ | x) ∝ p(xᵢ | sᵢ) p(sᵢ | x₋ᵢ); with p(sᵢ | x₋ᵢ) ∝ exp(hᵢ·sᵢ) (exact for Ising,
/// von Mises for XY, see [`SpinKind`]) the posterior has natural parameter
///
/// ηᵢ = k xᵢ/σ² + hᵢ(x₋ᵢ), E[sᵢ | x] = tanh ηᵢ (Ising) or A(|ηᵢ|) ηᵢ/|ηᵢ| (planar).
///
/// The network learns only the field hᵢ of the other sites, from the single-site evidence
/// mⱼ = E[sⱼ | xⱼ] under a uniform prior (tanh(k xⱼ/σ²), or A(k|xⱼ|/σ²) xⱼ/|xⱼ|) of a 5×5 patch
/// of neighbours, the mean evidence of the 24 3×3 blocks tiling the 15×15 square around it
/// (a coarse mid-range view), of the 9×9 window and of the whole lattice (all without
/// site i), the clean-limit field βJ ⟨m⟩_nn (the mean of the four nearest neighbours' evidence
/// times J/T, with the coupling J the model assumes, [`DenoiserConfig::coupling`]), λ/10, k², and the [`Conditioning`] features; an MLP (SiLU) with shared weights over
/// sites, output layer initialised to zero (start: independent spins). Planar features and the
/// field are expressed in the frame of the four nearest neighbours' summed evidence, so the
/// model is exactly equivariant under global rotations. At λ → ∞ the exact hᵢ is the
/// conditional field β J Σ_⟨ij⟩ sⱼ; the window and global means carry the long-range order at
/// low λ. Trained by the posterior's log-loss −ln p(sᵢ | x) ([`SpinKind::log_loss`]; a proper
/// scoring rule, so its minimiser is the true posterior within the family), λ uniform on the
/// schedule's [λ(T), λ(ε)], 32 sites per configuration. Beyond that range the λ features are
/// clamped to it (the field converges as λ → ∞), so the model may be evaluated at any λ.
///
/// With belief propagation (`propagation` > 0) the field is hᵢ = h_Bethe,ᵢ + MLP: the network
/// corrects the Bethe cavity field of [`BeliefPropagation`] and also sees it, the mean belief
/// E[sⱼ | k xⱼ/σ² + h_Bethe,ⱼ] of the 8 surrounding sites, of the 9×9 window and of the
/// lattice (in the site frame). BP pools evidence from `propagation` bonds away; on 20×20 Ising it halved the
/// entropy error (README, modelling choices). Planar messages are mean-field or the exact first
/// harmonic ([`DenoiserConfig::planar_messages`]). [`DenoiserConfig::gate`] multiplies the
/// correction by sigmoid(λ₀ − λ), so that at small noise the field is BP's exact clean limit;
/// on 20×20 XY this removed the hot bias of generated lattices at T = 0.28.
/// [`DenoiserConfig::site_evidence`] adds the site's own evidence to the inputs, which
/// lifts the von Mises restriction on the planar cavity law.
///
/// The score is ∇ₓ ln p_t(x) = −(x − k E[s | x])/σ² (Tweedie), so the same model drives the
/// reverse-SDE sampler and the I-MMSE entropy estimator ([`crate::entropy::Immse`]).
#[derive(Clone, Debug)]
pub struct LatticeDenoiser {
    sde: VpSde,
    kind: SpinKind,
    side: usize,
    conditioning: Conditioning,
    propagation: usize,
    /// The first-harmonic table of planar messages ([`PlanarMessages::FirstHarmonic`]), shared
    /// by the model's copies; `None` for mean-field messages.
    harmonic: Option<Arc<LogBesselHarmonic>>,
    gate: Option<Gate>,
    lambda_density: LambdaDensity,
    /// The network also sees the site's own evidence ([`DenoiserConfig::site_evidence`]).
    site_evidence: bool,
    /// The coupling J the model assumes ([`DenoiserConfig::coupling`]).
    coupling: f64,
    net: Network<f64>,
}

/// Belief-propagation results of one noisy lattice: Bethe cavity fields, beliefs
/// E[sᵢ | aᵢ + hᵢ] and their sum (L² sites × c each).
#[derive(Clone, Debug, Default)]
struct Propagated {
    bp: BeliefPropagation,
    a: Vec<f64>,
    cavity: Vec<f64>,
    beliefs: Vec<f64>,
    total: [f64; 2],
}

impl Propagated {
    /// Run `iterations` of BP on the lattice `x` of `kind` spins at log-SNR λ and β.
    fn run(
        &mut self,
        (kind, harmonic): (SpinKind, Option<&LogBesselHarmonic>),
        side: usize,
        x: &[f64],
        (lambda, beta): (f64, f64),
        iterations: usize,
    ) {
        let (k, s2) = scale_and_variance(lambda);
        let c = kind.components();
        self.a.clear();
        self.a.extend(x.iter().map(|x| k * x / s2));
        self.cavity.resize(x.len(), 0.0);
        self.bp.cavity_fields(
            (kind, harmonic),
            side,
            &self.a,
            beta,
            iterations,
            &mut self.cavity,
        );
        self.beliefs.clear();
        self.beliefs
            .extend(self.a.iter().zip(&self.cavity).map(|(a, h)| a + h));
        kind.to_means(&mut self.beliefs);
        self.total = [0.0; 2];
        for b in self.beliefs.chunks(c) {
            self.total
                .iter_mut()
                .zip(b.iter())
                .for_each(|(t, v)| *t += v);
        }
    }
}

impl LatticeDenoiser {
    /// Most belief-propagation iterations a model may ask for.
    pub const MAX_PROPAGATION: usize = 64;

    /// A fresh model with every setting of `config` (defaults resolved as
    /// [`DenoiserConfig`] documents them); `conditioning` must match `config.labels`.
    /// Untrained, the field is zero (independent spins) or, with belief propagation, the Bethe
    /// field.
    ///
    /// # Errors
    /// [`DiffusionError::Shape`] for L < 2 or empty/zero hidden widths;
    /// [`DiffusionError::Parameter`] for invalid conditioning or settings, more than
    /// [`Self::MAX_PROPAGATION`] iterations, a gate or first-harmonic messages without belief
    /// propagation, first-harmonic messages on Ising spins, or labels that disagree with the
    /// conditioning.
    pub fn from_config<R: Rng + ?Sized>(
        sde: VpSde,
        kind: SpinKind,
        side: usize,
        conditioning: Conditioning,
        config: &DenoiserConfig,
        rng: &mut R,
    ) -> Result<Self, DiffusionError> {
        if config.labels != matches!(conditioning, Conditioning::Labels(_)) {
            return Err(DiffusionError::Parameter(
                "labels = true needs label conditioning, and label conditioning labels = true",
            ));
        }
        let c = config;
        let model = Self::new(sde, kind, side, conditioning, &c.hidden, c.propagation, rng)?;
        let model = match c.gate {
            Some(gate) => model.with_gate(gate)?,
            None => model,
        }
        .with_planar_messages(c.planar_messages.unwrap_or(
            if kind == SpinKind::Planar && c.propagation > 0 {
                PlanarMessages::FirstHarmonic
            } else {
                PlanarMessages::MeanField
            },
        ))?
        .with_lambda_density(c.lambda_density)?
        .with_coupling(c.coupling.unwrap_or(1.0))?;
        if c.site_evidence.unwrap_or(kind == SpinKind::Planar) {
            model.with_site_evidence()
        } else {
            Ok(model)
        }
    }

    /// The model's settings, every default resolved: what [`Self::from_config`] would rebuild
    /// it from (untrained), and what a checkpoint's model is compared with.
    pub fn config(&self) -> DenoiserConfig {
        DenoiserConfig {
            hidden: self.hidden(),
            labels: matches!(self.conditioning, Conditioning::Labels(_)),
            propagation: self.propagation,
            gate: self.gate,
            planar_messages: Some(self.planar_messages()),
            site_evidence: Some(self.site_evidence),
            lambda_density: self.lambda_density,
            coupling: Some(self.coupling),
        }
    }

    /// A fresh model with the given hidden widths. With `propagation` > 0 every
    /// noisy lattice first gets `propagation` iterations of loopy belief propagation
    /// ([`BeliefPropagation`]); the network then sees the Bethe cavity field and beliefs as
    /// extra features and learns a correction to that field, hᵢ = h_Bethe,ᵢ + MLP. Untrained,
    /// the field is zero (independent spins) or, with propagation, the Bethe field.
    ///
    /// # Errors
    /// [`DiffusionError::Shape`] for L < 2 or empty/zero hidden widths;
    /// [`DiffusionError::Parameter`] for invalid conditioning or more than
    /// [`Self::MAX_PROPAGATION`] iterations.
    pub(crate) fn new<R: Rng + ?Sized>(
        sde: VpSde,
        kind: SpinKind,
        side: usize,
        conditioning: Conditioning,
        hidden: &[usize],
        propagation: usize,
        rng: &mut R,
    ) -> Result<Self, DiffusionError> {
        conditioning.check()?;
        if propagation > Self::MAX_PROPAGATION {
            return Err(DiffusionError::Parameter(
                "at most 64 belief-propagation iterations",
            ));
        }
        if side < 2 || hidden.is_empty() || hidden.contains(&0) {
            return Err(DiffusionError::Shape(
                "the lattice denoiser needs L ≥ 2 and hidden widths ≥ 1",
            ));
        }
        let c = kind.components();
        let widths: Vec<usize> =
            core::iter::once(input_width(kind, &conditioning, propagation, false))
                .chain(hidden.iter().copied())
                .chain(core::iter::once(c))
                .collect();
        let mut net = Network::mlp(&widths, ActivationKind::Silu, rng)
            .map_err(|_| DiffusionError::Shape("denoiser network widths"))?;
        if let Some((p, _)) = net.params_and_grads().last_mut() {
            p.iter_mut().for_each(|v| *v = 0.0);
        }
        Ok(Self {
            sde,
            kind,
            side,
            conditioning,
            propagation,
            harmonic: None,
            gate: None,
            lambda_density: LambdaDensity::Uniform,
            site_evidence: false,
            coupling: 1.0,
            net,
        })
    }

    /// Choose how belief propagation approximates planar messages ([`PlanarMessages`]; new
    /// models start mean-field). The first harmonic builds its table here (≈ 14 ms; copies
    /// of the model share it).
    ///
    /// # Errors
    /// [`DiffusionError::Parameter`] for [`PlanarMessages::FirstHarmonic`] on Ising spins or
    /// without belief propagation.
    pub(crate) fn with_planar_messages(
        mut self,
        messages: PlanarMessages,
    ) -> Result<Self, DiffusionError> {
        self.harmonic = match messages {
            PlanarMessages::MeanField => None,
            PlanarMessages::FirstHarmonic => {
                if self.kind != SpinKind::Planar || self.propagation == 0 {
                    return Err(DiffusionError::Parameter(
                        "first-harmonic messages need planar spins and belief propagation",
                    ));
                }
                Some(Arc::new(LogBesselHarmonic::new()))
            }
        };
        Ok(self)
    }

    /// How belief propagation approximates planar messages.
    pub fn planar_messages(&self) -> PlanarMessages {
        match self.harmonic {
            Some(_) => PlanarMessages::FirstHarmonic,
            None => PlanarMessages::MeanField,
        }
    }

    /// Gate the network's correction to the Bethe field: hᵢ = h_Bethe,ᵢ + g(λ, β)·MLP with
    /// g a [`Gate`]. As λ → ∞ the Bethe field tends to the exact conditional field βJ Σ_⟨ij⟩ sⱼ
    /// and the error of the mean-field messages falls like β/|v| ∝ β e^{−λ}; the log-loss hardly
    /// constrains the field there (a field error δ costs ≈ ½δ² e^{−λ}), so ungated the network's
    /// correction carries over from lower λ unchecked — yet the small-noise field is what sets
    /// the coupling, hence the temperature, of generated samples.
    ///
    /// # Errors
    /// [`DiffusionError::Parameter`] without belief propagation or for a λ₀ that is not finite.
    pub(crate) fn with_gate(mut self, gate: Gate) -> Result<Self, DiffusionError> {
        if self.propagation == 0 {
            return Err(DiffusionError::Parameter(
                "the gate needs belief propagation",
            ));
        }
        self.gate = Some(gate.check()?);
        Ok(self)
    }

    /// Draw the training λ from `density` instead of uniformly on [`Self::lambda_range`].
    ///
    /// # Errors
    /// [`DiffusionError::Parameter`] for a density whose settings are out of range
    /// ([`LambdaDensity::check`]).
    pub(crate) fn with_lambda_density(
        mut self,
        density: LambdaDensity,
    ) -> Result<Self, DiffusionError> {
        self.lambda_density = density.check()?;
        Ok(self)
    }

    /// Assume the coupling J: belief propagation, the clean-limit feature and the gate run at
    /// βJ = J/T instead of 1/T.
    ///
    /// # Errors
    /// [`DiffusionError::Parameter`] for a J that is zero or not finite, or a J ≤ 0 for planar
    /// spins (their first-harmonic messages are tabulated for βJ > 0).
    pub(crate) fn with_coupling(mut self, coupling: f64) -> Result<Self, DiffusionError> {
        if !(coupling.is_finite() && coupling != 0.0) {
            return Err(DiffusionError::Parameter(
                "the coupling J must be finite and non-zero",
            ));
        }
        if coupling < 0.0 && self.kind == SpinKind::Planar {
            return Err(DiffusionError::Parameter(
                "the per-site model takes planar spins only with a ferromagnetic coupling J > 0",
            ));
        }
        self.coupling = coupling;
        Ok(self)
    }

    /// The coupling J the model assumes ([`DenoiserConfig::coupling`]).
    pub fn coupling(&self) -> f64 {
        self.coupling
    }

    /// Let the network see the site's own evidence mᵢ (in the site frame, after the
    /// conditioning features), so that the learned field may depend on xᵢ too:
    /// ηᵢ = k xᵢ/σ² + hᵢ(x₋ᵢ, xᵢ).
    ///
    /// Why: the posterior is p(sᵢ | x) ∝ exp(k xᵢ·sᵢ/σ²) q(sᵢ) with q(sᵢ) = p(sᵢ | x₋ᵢ), the
    /// cavity distribution. For ±1 spins q is always exp(hᵢ sᵢ), so a field of x₋ᵢ alone is
    /// exact. For planar spins q is a mixture of von Mises laws over the uncertain neighbours,
    /// not one von Mises law, and E[sᵢ | x] is then not A(|η|) η/|η| for any η independent of
    /// xᵢ. With xᵢ among the inputs the family covers every posterior mean: the log-loss of the
    /// von Mises (exponential-family) posterior is minimised where its mean equals E[sᵢ | x],
    /// which is all Tweedie's score needs. The new input weights start at zero
    /// ([`Network::with_extra_inputs`]), so the model's function is unchanged until trained.
    ///
    /// # Errors
    /// [`DiffusionError::Shape`] if the network does not start with a dense layer (only a
    /// hand-made model file can hold such a network).
    pub(crate) fn with_site_evidence(mut self) -> Result<Self, DiffusionError> {
        if !self.site_evidence {
            let c = self.kind.components();
            self.net = self.net.with_extra_inputs(c).map_err(|_| {
                DiffusionError::Shape("the denoiser's network must start with a dense layer")
            })?;
            self.site_evidence = true;
        }
        Ok(self)
    }

    /// Whether the network sees the site's own evidence ([`DenoiserConfig::site_evidence`]).
    pub fn site_evidence(&self) -> bool {
        self.site_evidence
    }

    /// Where training draws λ ([`DenoiserConfig::lambda_density`]).
    pub fn lambda_density(&self) -> LambdaDensity {
        self.lambda_density
    }

    /// The correction's gate, if any ([`DenoiserConfig::gate`]).
    pub fn gate(&self) -> Option<Gate> {
        self.gate
    }

    /// Belief-propagation iterations before the network (0: none).
    pub fn propagation(&self) -> usize {
        self.propagation
    }

    /// What each site holds.
    pub fn kind(&self) -> SpinKind {
        self.kind
    }

    /// Lattice side L.
    pub fn side(&self) -> usize {
        self.side
    }

    /// The diffusion schedule.
    pub fn sde(&self) -> &VpSde {
        &self.sde
    }

    /// What the model is conditioned on.
    pub fn conditioning(&self) -> &Conditioning {
        &self.conditioning
    }

    /// Hidden widths of the field network (the outputs of every dense layer but the last).
    pub fn hidden(&self) -> Vec<usize> {
        let mut widths: Vec<usize> = self
            .net
            .layers()
            .iter()
            .filter_map(|l| match l {
                Layer::Dense(d) => Some(d.outputs()),
                _ => None,
            })
            .collect();
        widths.pop();
        widths
    }

    /// Trainable parameters.
    pub fn parameter_count(&self) -> usize {
        self.net.parameter_count()
    }

    /// The log-SNR range [λ(T), λ(ε)] the model is trained on.
    pub fn lambda_range(&self) -> (f64, f64) {
        log_snr_range(&self.sde)
    }

    /// Width of the network's input ([`input_width`] of this model's settings).
    fn input_width(&self) -> usize {
        input_width(
            self.kind,
            &self.conditioning,
            self.propagation,
            self.site_evidence,
        )
    }

    /// βJ = J/T followed by the conditioning features of temperature `t`.
    fn context(&self, t: f64) -> Result<Vec<f64>, DiffusionError> {
        let mut context = vec![self.coupling / t; 1 + self.conditioning.dim()];
        self.conditioning.features(t, &mut context[1..])?;
        Ok(context)
    }

    /// Single-site evidence of the lattice `x` at log-SNR λ into `m`, and belief propagation
    /// into `propagated` if the model uses it.
    fn lattice_evidence<'a>(
        &self,
        x: &[f64],
        lambda: f64,
        context: &[f64],
        m: &'a mut [f64],
        propagated: &'a mut Propagated,
    ) -> LatticeEvidence<'a> {
        let total = evidence(self.kind, x, lambda, m);
        let propagated = (self.propagation > 0).then(|| {
            let beta = context[0];
            propagated.run(
                (self.kind, self.harmonic.as_deref()),
                self.side,
                x,
                (lambda, beta),
                self.propagation,
            );
            &*propagated
        });
        LatticeEvidence {
            m,
            total,
            propagated,
        }
    }

    /// Feature row of site `i` from the evidence of its lattice and the [`Self::context`] of
    /// the temperature, in the site's local frame, which is returned.
    fn site_features(
        &self,
        lattice: &LatticeEvidence<'_>,
        i: usize,
        lambda: f64,
        context: &[f64],
        row: &mut [f64],
    ) -> [f64; 2] {
        let (kind, c) = (self.kind, self.kind.components());
        let (m, total) = (lattice.m, lattice.total);
        let l = self.side as isize;
        let (r, col) = ((i / self.side) as isize, (i % self.side) as isize);
        // The periodic wrap of every offset a feature reads, once per site.
        let rows: [usize; SPAN] =
            core::array::from_fn(|k| ((r + k as isize - REACH).rem_euclid(l) * l) as usize);
        let cols: [usize; SPAN] =
            core::array::from_fn(|k| (col + k as isize - REACH).rem_euclid(l) as usize);
        let site = |dr: isize, dc: isize| rows[(dr + REACH) as usize] + cols[(dc + REACH) as usize];
        let evidence = |dr: isize, dc: isize| {
            let j = site(dr, dc);
            &m[j * c..(j + 1) * c]
        };
        let mut nearest = [0.0; 2];
        for (dr, dc) in [(-1, 0), (1, 0), (0, -1), (0, 1)] {
            nearest
                .iter_mut()
                .zip(evidence(dr, dc))
                .for_each(|(a, v)| *a += v);
        }
        let u = kind.frame(nearest);
        let mut k = 0;
        for dr in -PATCH..=PATCH {
            for dc in -PATCH..=PATCH {
                if dr != 0 || dc != 0 {
                    kind.to_frame(u, evidence(dr, dc), &mut row[k..k + c]);
                    k += c;
                }
            }
        }
        for br in -BLOCK_REACH..=BLOCK_REACH {
            for bc in -BLOCK_REACH..=BLOCK_REACH {
                if br == 0 && bc == 0 {
                    continue;
                }
                let mut block = [0.0; 2];
                for dr in -BLOCK / 2..=BLOCK / 2 {
                    for dc in -BLOCK / 2..=BLOCK / 2 {
                        let e = evidence(BLOCK * br + dr, BLOCK * bc + dc);
                        block.iter_mut().zip(e).for_each(|(a, v)| *a += v);
                    }
                }
                block.iter_mut().for_each(|v| *v /= (BLOCK * BLOCK) as f64);
                kind.to_frame(u, &block[..c], &mut row[k..k + c]);
                k += c;
            }
        }
        let mut window = [0.0; 2];
        for dr in -WINDOW..=WINDOW {
            for dc in -WINDOW..=WINDOW {
                if dr != 0 || dc != 0 {
                    window
                        .iter_mut()
                        .zip(evidence(dr, dc))
                        .for_each(|(a, v)| *a += v);
                }
            }
        }
        let w = ((2 * WINDOW + 1) * (2 * WINDOW + 1) - 1) as f64;
        window.iter_mut().for_each(|v| *v /= w);
        kind.to_frame(u, &window[..c], &mut row[k..k + c]);
        k += c;
        let n = (m.len() / c) as f64;
        let mut global = [0.0; 2];
        for ((g, t), v) in global.iter_mut().zip(total).zip(evidence(0, 0)) {
            *g = (t - v) / (n - 1.0);
        }
        kind.to_frame(u, &global[..c], &mut row[k..k + c]);
        k += c;
        // At λ → ∞ the exact field is β J Σ_nn sⱼ: one input makes that limit linear.
        let along = nearest[0] * u[0] + if c == 2 { nearest[1] * u[1] } else { 0.0 };
        row[k] = 0.25 * context[0] * along;
        let (lo, hi) = self.lambda_range();
        let lambda = lambda.clamp(lo, hi);
        row[k + 1] = 0.1 * lambda;
        let scale = scale_and_variance(lambda).0;
        row[k + 2] = scale * scale;
        k += 3;
        if let Some(p) = lattice.propagated {
            let belief = |j: usize| &p.beliefs[j * c..(j + 1) * c];
            let (mut ring, mut window) = ([0.0; 2], [0.0; 2]);
            for dr in -WINDOW..=WINDOW {
                for dc in -WINDOW..=WINDOW {
                    if dr != 0 || dc != 0 {
                        let b = belief(site(dr, dc));
                        window.iter_mut().zip(b).for_each(|(a, v)| *a += v);
                        if dr.abs() <= 1 && dc.abs() <= 1 {
                            ring.iter_mut().zip(b).for_each(|(a, v)| *a += v);
                        }
                    }
                }
            }
            ring.iter_mut().for_each(|v| *v /= 8.0);
            window.iter_mut().for_each(|v| *v /= w);
            let mut global = [0.0; 2];
            for ((g, t), v) in global.iter_mut().zip(p.total).zip(belief(i)) {
                *g = (t - v) / (n - 1.0);
            }
            let cavity = &p.cavity[i * c..(i + 1) * c];
            for v in [cavity, &ring[..c], &window[..c], &global[..c]] {
                kind.to_frame(u, v, &mut row[k..k + c]);
                k += c;
            }
        }
        let d = context.len() - 1;
        row[k..k + d].copy_from_slice(&context[1..]);
        if self.site_evidence {
            kind.to_frame(u, evidence(0, 0), &mut row[k + d..k + d + c]);
        }
        u
    }

    /// The posterior means E[s | x] of the lattices `x` (row-major b×L²×c, one λ per lattice)
    /// at `temperature`, written to `out`.
    ///
    /// # Errors
    /// [`DiffusionError::Temperature`] for a temperature the model was not trained for;
    /// [`DiffusionError::Shape`] for mismatched lengths.
    pub fn posterior_mean(
        &mut self,
        x: &[f64],
        lambda: &[f64],
        temperature: f64,
        out: &mut [f64],
    ) -> Result<(), DiffusionError> {
        let (kind, c) = (self.kind, self.kind.components());
        let n = self.side * self.side;
        let nc = n * c;
        if x.len() != lambda.len() * nc || out.len() != x.len() {
            return Err(DiffusionError::Shape(
                "need one λ per L×L lattice and an output of the same size",
            ));
        }
        let f = self.input_width();
        let context = self.context(temperature)?;
        let per_chunk = (CHUNK / n).max(1);
        let (mut input, mut frames, mut m) = (Vec::new(), Vec::new(), vec![0.0; nc]);
        let (mut propagated, mut cavity) = (Propagated::default(), Vec::new());
        let mut field = [0.0; 2];
        for (xs, (ls, outs)) in x
            .chunks(per_chunk * nc)
            .zip(lambda.chunks(per_chunk).zip(out.chunks_mut(per_chunk * nc)))
        {
            let sites = xs.len() / c;
            input.resize(sites * f, 0.0);
            frames.clear();
            cavity.clear();
            for ((xl, &l), rows) in xs.chunks(nc).zip(ls).zip(input.chunks_mut(n * f)) {
                let lattice = self.lattice_evidence(xl, l, &context, &mut m, &mut propagated);
                for (i, row) in rows.chunks_mut(f).enumerate() {
                    frames.push(self.site_features(&lattice, i, l, &context, row));
                }
                if let Some(p) = lattice.propagated {
                    cavity.extend_from_slice(&p.cavity);
                }
            }
            let h = self
                .net
                .forward(&input, sites)
                .map_err(|_| DiffusionError::Shape("denoiser forward"))?;
            for (lattice, (xl, &l)) in xs.chunks(nc).zip(ls).enumerate() {
                let (k, s2) = scale_and_variance(l);
                let gate = gate_factor(self.gate, l, context[0]);
                for i in 0..n {
                    let site = lattice * n + i;
                    kind.from_frame(frames[site], &h[site * c..(site + 1) * c], &mut field);
                    let eta = &mut outs[site * c..(site + 1) * c];
                    for j in 0..c {
                        eta[j] = k * xl[i * c + j] / s2 + gate * field[j];
                    }
                    if let Some(h) = cavity.get(site * c..(site + 1) * c) {
                        eta.iter_mut().zip(h).for_each(|(e, h)| *e += h);
                    }
                }
            }
            // The natural parameters η in `outs` become the posterior means.
            kind.to_means(outs);
        }
        Ok(())
    }

    /// The model at one temperature, as a [`super::Score`] (Tweedie) and a [`Denoiser`] of L² sites.
    ///
    /// # Errors
    /// [`DiffusionError::Temperature`] for a temperature the model was not trained for.
    pub fn at_temperature(&self, temperature: f64) -> Result<LatticeScore, DiffusionError> {
        self.context(temperature)?;
        Ok(Tweedie::new(
            self.sde,
            LatticeAt {
                model: self.clone(),
                temperature,
            },
        ))
    }
}

/// What the features of one noisy lattice are computed from.
struct LatticeEvidence<'a> {
    /// Single-site evidence, L² × c.
    m: &'a [f64],
    /// Σⱼ mⱼ.
    total: [f64; 2],
    /// Belief propagation, if the model uses it.
    propagated: Option<&'a Propagated>,
}

/// Width of the network's input: the base features, the propagated ones if any, the
/// conditioning and the site's own evidence if seen.
fn input_width(
    kind: SpinKind,
    conditioning: &Conditioning,
    propagation: usize,
    site_evidence: bool,
) -> usize {
    let c = kind.components();
    base_features(c)
        + if propagation > 0 { PROPAGATED * c } else { 0 }
        + conditioning.dim()
        + if site_evidence { c } else { 0 }
}

/// The [`Gate`]'s factor at log-SNR λ and inverse temperature β, 1 without a gate.
fn gate_factor(gate: Option<Gate>, lambda: f64, beta: f64) -> f64 {
    gate.map_or(1.0, |g| g.factor(lambda, beta))
}

/// Single-site evidence mⱼ = E[sⱼ | xⱼ] under a uniform prior (natural parameter k xⱼ/σ²) of
/// one lattice at log-SNR λ; returns Σⱼ mⱼ.
fn evidence(kind: SpinKind, x: &[f64], lambda: f64, m: &mut [f64]) -> [f64; 2] {
    let c = kind.components();
    let (k, s2) = scale_and_variance(lambda);
    m.iter_mut().zip(x).for_each(|(m, &x)| *m = k * x / s2);
    kind.to_means(m);
    let mut total = [0.0; 2];
    for mj in m.chunks(c) {
        total.iter_mut().zip(mj).for_each(|(t, &v)| *t += v);
    }
    total
}

/// A [`LatticeDenoiser`] at one temperature: a [`Denoiser`] of L² sites.
#[derive(Clone, Debug)]
pub struct LatticeAt {
    model: LatticeDenoiser,
    temperature: f64,
}

impl LatticeAt {
    /// The temperature the model is evaluated at.
    pub fn temperature(&self) -> f64 {
        self.temperature
    }
}

impl Denoiser for LatticeAt {
    fn dim(&self) -> usize {
        self.model.side * self.model.side * self.model.kind.components()
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

/// A [`LatticeDenoiser`] at one temperature as a [`Denoiser`] and, by Tweedie's formula, a
/// [`super::Score`] for the reverse-SDE sampler.
pub type LatticeScore = Tweedie<LatticeAt>;
