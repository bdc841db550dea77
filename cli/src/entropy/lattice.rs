//! `entropic entropy ising | xy`: lattice entropies from one temperature-conditioned diffusion
//! model (I-MMSE) — absolute Ising entropies against Kaufman's exact finite-lattice values, XY
//! excess entropies s − ln 2π against thermodynamic integration — and a generation check.
use super::parse_widths;
use crate::Global;
use crate::config::fixed;
use crate::input::read_npy_matrix;
use crate::output::{Output, write_atomic};
use crate::plot::{self, Scale, Series, Tile};
use crate::progress::Progress;
use crate::runtime::Threads;
use anyhow::{Context, Result, bail};
use entropic::diffusion::{
    Conditioning, Denoiser, Gate, LambdaDensity, Langevin, LatticeData, LatticeDenoiser,
    PlanarMessages, Predictor, Sampling, ScoreTrainParams, SpinKind, TimeGrid, Trainer, VpSde,
    log_snr, sample, sample_from, scale_and_variance,
};
use entropic::entropy::{EntropyEstimator, Immse, Samples};
use entropic::lattice::{Ising, Square, Temperature, Xy, kaufman, vortex_density};
use entropic::rng::{normal_pair, stream, substream};
use entropic::stats::mean_and_sd;
use entropic::train::Executor;
use rayon::prelude::*;
use serde_json::json;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Reverse-SDE samples per parallel piece of the generation check.
const GEN_PIECE: usize = 60;

/// Options of `entropic entropy xy`.
#[derive(Debug, clap::Args)]
pub struct XyArgs {
    /// thermo.json of `entropic lattice thermo --model xy` on the same lattice size and
    /// temperatures: the thermodynamic-integration reference.
    #[arg(long, value_name = "FILE")]
    reference: PathBuf,
    #[command(flatten)]
    lattice: LatticeArgs,
}

/// Options shared by `entropic entropy ising` and `entropic entropy xy`.
#[derive(Debug, clap::Args)]
pub struct LatticeArgs {
    /// Directory written by `entropic lattice sample` (configs.npy: temperatures × samples × L ×
    /// L spins or angles, temperatures.npy).
    #[arg(long, value_name = "DIR")]
    data: PathBuf,
    /// Fraction of each temperature's configurations held out of training; the entropy is
    /// estimated on these.
    #[arg(long, value_name = "F", default_value_t = 0.25)]
    holdout: f64,
    /// Adam steps of the conditional denoiser.
    #[arg(long, value_name = "N", default_value_t = 20_000)]
    train_steps: usize,
    /// Configurations per step (32 random sites of each enter the loss).
    #[arg(long, value_name = "B", default_value_t = 64)]
    batch: usize,
    /// Adam learning rate (cosine-decayed).
    #[arg(long, value_name = "LR", default_value_t = 2e-3)]
    learning_rate: f64,
    /// Hidden widths of the per-site field network.
    #[arg(long, value_name = "W,..", default_value = "64,64")]
    hidden: String,
    /// Condition on one-hot temperature labels (the thesis' classes) instead of T itself.
    #[arg(long)]
    labels: bool,
    /// Iterations of loopy belief propagation whose Bethe cavity field the network corrects;
    /// 0 for none. Default: 4 (on 20×20 XY it cut the error from 0.009 to 0.0033 nats/spin;
    /// each step costs ≈ 2.8× more, 30 000 steps ≈ 13 min on 2 cores; BENCHMARKS.md).
    #[arg(long, value_name = "N", default_value_t = 4)]
    propagation: usize,
    /// Gate the network's correction to the Bethe field by a sigmoid that falls from 1 to 0
    /// around λ₀ (see --gate-form), so that at small noise the field is BP's exact clean limit
    /// (needs belief propagation).
    #[arg(long, value_name = "λ0", allow_negative_numbers = true)]
    gate: Option<f64>,
    /// The gate's form: sigmoid(λ₀ − λ) at every temperature, or sigmoid(λ₀ + ln β − λ), which
    /// moves the crossover with the coupling β/T (README).
    #[arg(long, value_enum, default_value_t = GateForm::Constant)]
    gate_form: GateForm,
    /// XY belief-propagation messages: the mean-field field β A(|v|) or the exact first
    /// circular harmonic of ln I₀(|β s + v|). Default: first-harmonic for XY with belief
    /// propagation (the same entropy table over two seeds, better generation at T = 0.91 and
    /// 1.32, faster training; README).
    #[arg(long, value_enum)]
    planar_messages: Option<MessagesArg>,
    /// Let the network see each site's own evidence, so the learned field may depend on it:
    /// exact in principle for XY, whose cavity law p(sᵢ | x₋ᵢ) is not von Mises (README);
    /// changes nothing in principle for Ising. Default: on for XY (the same entropy table over
    /// two seeds, half the hot energy bias of generation at T = 0.91), off for Ising;
    /// `--site-evidence false` turns it off.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    site_evidence: Option<bool>,
    /// Draw a share of the training noise levels from a logistic density in λ centred here
    /// (truncated to the schedule's range; the rest uniform), weighting the loss towards where
    /// generation is decided (README). Default: λ uniform.
    #[arg(long, value_name = "λc", allow_negative_numbers = true)]
    focus: Option<f64>,
    /// Scale s of --focus's logistic density (standard deviation π s/√3).
    #[arg(long, value_name = "S", default_value_t = 1.5)]
    focus_scale: f64,
    /// Share of the training draws from --focus's logistic density.
    #[arg(long, value_name = "W", default_value_t = 0.5)]
    focus_share: f64,
    /// Monte Carlo draws of the I-MMSE integral per temperature.
    #[arg(long, value_name = "N", default_value_t = 8000)]
    draws: usize,
    /// λ-cells of the stratified integral.
    #[arg(long, value_name = "N", default_value_t = 40)]
    strata: usize,
    /// Temperatures of the generation check, each matched to the nearest data temperature
    /// (within half the grid spacing); "" for none. Default: 1.5,2.3,3.0 (Ising),
    /// 0.3,0.9,1.3 (XY).
    #[arg(long, value_name = "T,..")]
    generate: Option<String>,
    /// Configurations generated per temperature by the reverse SDE (in parallel pieces of 60).
    #[arg(long, value_name = "N", default_value_t = 400)]
    gen_samples: usize,
    /// Steps of the reverse SDE.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    gen_steps: usize,
    /// The reverse-SDE step: Euler–Maruyama or ancestral (the VP-SDE's exact Gaussian bridge
    /// towards the denoiser's posterior mean).
    #[arg(long, value_enum, default_value_t = SamplerArg::EulerMaruyama)]
    sampler: SamplerArg,
    /// Where the reverse-SDE steps lie: uniform in t or uniform in log-SNR.
    #[arg(long, value_enum, default_value_t = GridArg::Uniform)]
    gen_grid: GridArg,
    /// Start the generation check from held-out Monte Carlo configurations perturbed to
    /// log-SNR λ (partial generation, from the first grid step at or above λ) instead of from
    /// noise. The report adds the paired drift of e and |m| from the starting configurations:
    /// it measures the model's error at noise levels below λ alone (README).
    #[arg(long, value_name = "λ", allow_negative_numbers = true)]
    gen_from: Option<f64>,
    /// Langevin corrector moves before each reverse-SDE step (predictor–corrector sampling;
    /// 0 for the plain reverse SDE).
    #[arg(long, value_name = "N", default_value_t = 1)]
    corrector_steps: usize,
    /// Signal-to-noise ratio r of the corrector's step ε = 2 (r ⟨|z|⟩/⟨|s|⟩)². 0.08 put the
    /// 20×20 Ising energies and |m| within their error bars at T = 1.5, 2.3 and 3 (README).
    #[arg(long, value_name = "R", default_value_t = 0.08)]
    corrector_snr: f64,
    /// Make the corrector moves only at grid times whose log-SNR lies in [LO, HI] (default: at
    /// every time).
    #[arg(long, value_name = "LO:HI", value_parser = parse_log_snr_window, allow_hyphen_values = true)]
    corrector_window: Option<(f64, f64)>,
    /// Write checkpoint.json every N steps (and at the end).
    #[arg(long, value_name = "N", default_value_t = 1000)]
    checkpoint_every: usize,
    /// Continue the run saved in --out DIR/checkpoint.json.
    #[arg(long)]
    resume: bool,
    /// Stop after this many steps in total (continue later with --resume).
    #[arg(long, value_name = "N")]
    pause_after: Option<usize>,
    /// Report in bits instead of nats.
    #[arg(long)]
    bits: bool,
}

/// The reverse-SDE step on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SamplerArg {
    /// Euler–Maruyama (Eq. 2.46).
    EulerMaruyama,
    /// Ancestral: the exact Gaussian bridge towards Tweedie's posterior mean.
    Ancestral,
    /// Second-order multistep ancestral (SDE-DPM-Solver++(2M)); use with `--gen-grid log-snr`.
    Multistep,
}

/// The form of `--gate` on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum GateForm {
    /// sigmoid(λ₀ − λ).
    Constant,
    /// sigmoid(λ₀ + ln β − λ).
    Coupling,
}

impl GateForm {
    /// The gate of this form at λ₀.
    fn with(self, lambda0: f64) -> Gate {
        match self {
            Self::Constant => Gate::Constant(lambda0),
            Self::Coupling => Gate::Coupling(lambda0),
        }
    }
}

/// `--planar-messages` on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum MessagesArg {
    /// β A(|v|) v/|v|.
    MeanField,
    /// f(β, |v|) v/|v|, f the first circular harmonic of ln I₀.
    FirstHarmonic,
}

impl From<MessagesArg> for PlanarMessages {
    fn from(m: MessagesArg) -> Self {
        match m {
            MessagesArg::MeanField => Self::MeanField,
            MessagesArg::FirstHarmonic => Self::FirstHarmonic,
        }
    }
}

/// The reverse-SDE time grid on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum GridArg {
    /// Uniform in t.
    Uniform,
    /// Uniform in log-SNR: finer steps near t = ε.
    LogSnr,
}

impl LatticeArgs {
    /// The grid step at which the generation check starts: 0, or with `--gen-from λ` the
    /// first step whose log-SNR is at least λ.
    fn gen_start(&self, sde: &VpSde) -> Result<usize> {
        let Some(lambda) = self.gen_from else {
            return Ok(0);
        };
        let sampling = self.sampling();
        let last = log_snr(sde, sampling.time(sde, sampling.steps - 1));
        if !(lambda.is_finite() && lambda <= last) {
            bail!("--gen-from must be a log-SNR at most {last:.2}, the grid's last step");
        }
        Ok((0..sampling.steps)
            .find(|&k| log_snr(sde, sampling.time(sde, k)) >= lambda)
            .unwrap_or(0))
    }

    /// The generation check's sampler settings.
    fn sampling(&self) -> Sampling {
        Sampling {
            steps: self.gen_steps,
            predictor: self.sampler.into(),
            corrector: (self.corrector_steps > 0).then_some(Langevin {
                window: self.corrector_window,
                ..Langevin::everywhere(self.corrector_steps, self.corrector_snr)
            }),
            grid: match self.gen_grid {
                GridArg::Uniform => TimeGrid::Uniform,
                GridArg::LogSnr => TimeGrid::LogSnr,
            },
        }
    }
}

impl From<SamplerArg> for Predictor {
    fn from(arg: SamplerArg) -> Self {
        match arg {
            SamplerArg::EulerMaruyama => Predictor::EulerMaruyama,
            SamplerArg::Ancestral => Predictor::Ancestral,
            SamplerArg::Multistep => Predictor::Multistep,
        }
    }
}

/// Configurations per temperature, as `lattice sample` writes them: ±1 spins (Ising) or angles
/// (XY).
struct Dataset {
    kind: SpinKind,
    side: usize,
    temps: Vec<f64>,
    per_t: usize,
    raw: Vec<f64>,
}

impl Dataset {
    fn read(dir: &Path, kind: SpinKind) -> Result<Self> {
        let read = |name: &str| -> Result<crate::input::Matrix> {
            let path = dir.join(name);
            let bytes = std::fs::read(&path).with_context(|| {
                format!(
                    "cannot read {} (run `lattice sample` first)",
                    path.display()
                )
            })?;
            read_npy_matrix(&bytes).with_context(|| format!("{}", path.display()))
        };
        let configs = read("configs.npy")?;
        let temps = read("temperatures.npy")?.data;
        let shape = &configs.shape;
        if shape.len() != 4 || shape[2] != shape[3] || shape[0] as usize != temps.len() {
            bail!(
                "configs.npy must be temperatures × samples × L × L with one temperature each (shape {shape:?}, {} temperatures)",
                temps.len()
            );
        }
        match kind {
            SpinKind::Ising => {
                if let Some(v) = configs.data.iter().find(|&&v| v != 1.0 && v != -1.0) {
                    bail!(
                        "configs.npy must hold ±1 Ising spins (found {v}); XY angles go to `entropy xy`"
                    );
                }
            }
            SpinKind::Planar => {
                let tau = std::f64::consts::TAU;
                if let Some(v) = configs.data.iter().find(|&&v| !(0.0..=tau).contains(&v)) {
                    bail!(
                        "configs.npy must hold XY angles in [0, 2π) (found {v}); Ising spins go to `entropy ising`"
                    );
                }
            }
        }
        if temps
            .windows(2)
            .any(|w| w[1].partial_cmp(&w[0]) != Some(std::cmp::Ordering::Greater))
        {
            bail!("temperatures.npy must be increasing");
        }
        Ok(Self {
            kind,
            side: shape[2] as usize,
            temps,
            per_t: shape[1] as usize,
            raw: configs.data,
        })
    }

    fn sites(&self) -> usize {
        self.side * self.side
    }

    /// Raw values (spins or angles) of configurations [lo, hi) of temperature k.
    fn raw(&self, k: usize, lo: usize, hi: usize) -> &[f64] {
        let (n, s) = (self.per_t, self.sites());
        &self.raw[(k * n + lo) * s..(k * n + hi) * s]
    }

    /// Model coordinates (±1, or cos θ, sin θ per site) of configurations [lo, hi) of
    /// temperature k.
    fn values(&self, k: usize, lo: usize, hi: usize) -> Vec<f64> {
        let raw = self.raw(k, lo, hi);
        match self.kind {
            SpinKind::Ising => raw.to_vec(),
            SpinKind::Planar => raw.iter().flat_map(|&a| [a.cos(), a.sin()]).collect(),
        }
    }

    /// Index of the data temperature nearest `t`, if within half the grid spacing.
    fn index_of(&self, t: f64) -> Result<usize> {
        let spacing = self
            .temps
            .windows(2)
            .map(|w| w[1] - w[0])
            .fold(f64::INFINITY, f64::min);
        let (k, gap) = self
            .temps
            .iter()
            .enumerate()
            .map(|(k, &v)| (k, (v - t).abs()))
            .fold((0, f64::INFINITY), |a, b| if b.1 < a.1 { b } else { a });
        if gap <= 0.5 * spacing || gap <= 1e-9 * t.abs().max(1.0) {
            Ok(k)
        } else {
            bail!(
                "temperature {t} is not near one of the data's ({:.4} … {:.4})",
                self.temps[0],
                self.temps[self.temps.len() - 1]
            )
        }
    }

    /// Energy per spin and |m| per spin of configurations given by raw values.
    fn observables(&self, raw: &[f64]) -> Result<(Stat, Stat)> {
        let (e, m) = self.observables_each(raw)?;
        Ok((Stat::of(&e), Stat::of(&m)))
    }

    /// The paired differences (energy, |m|) per spin of configurations `after` from `before`.
    fn drift(&self, before: &[f64], after: &[f64]) -> Result<(Stat, Stat)> {
        let ((e0, m0), (e1, m1)) = (
            self.observables_each(before)?,
            self.observables_each(after)?,
        );
        let diff = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(a, b)| a - b).collect::<Vec<_>>();
        Ok((Stat::of(&diff(&e1, &e0)), Stat::of(&diff(&m1, &m0))))
    }

    /// Vortices plus antivortices per site of XY configurations given by raw values
    /// ([`vortex_density`]); `None` for Ising spins.
    fn vortices(&self, raw: &[f64]) -> Result<Option<Stat>> {
        if self.kind == SpinKind::Ising {
            return Ok(None);
        }
        let model = Xy::new(Square::with_side(self.side)?, 1.0, 0.0)?;
        let density = raw
            .chunks(self.sites())
            .map(|c| Ok(vortex_density(&model, &model.state_from_angles(c)?)))
            .collect::<Result<Vec<f64>>>()?;
        Ok(Some(Stat::of(&density)))
    }

    /// Energy per spin and |m| per spin of each configuration given by raw values.
    fn observables_each(&self, raw: &[f64]) -> Result<(Vec<f64>, Vec<f64>)> {
        let lattice = Square::with_side(self.side)?;
        let n = self.sites();
        let (mut e, mut m) = (Vec::new(), Vec::new());
        match self.kind {
            SpinKind::Ising => {
                let model = Ising::new(lattice, 1.0, 0.0)?;
                for c in raw.chunks(n) {
                    let state = model.state_from_spins(c.iter().map(|&v| v as i8).collect())?;
                    e.push(model.energy_per_spin(&state));
                    m.push(model.abs_magnetization_per_spin(&state));
                }
            }
            SpinKind::Planar => {
                let model = Xy::new(lattice, 1.0, 0.0)?;
                for c in raw.chunks(n) {
                    let state = model.state_from_angles(c)?;
                    e.push(model.energy_per_spin(&state));
                    m.push(model.abs_magnetization_per_spin(&state));
                }
            }
        }
        Ok((e, m))
    }

    /// Raw values of generated model coordinates: the sign of each Ising coordinate, the
    /// angle of each planar pair.
    fn raw_from_values(&self, x: &[f64]) -> Vec<f64> {
        match self.kind {
            SpinKind::Ising => x
                .iter()
                .map(|&v| if v >= 0.0 { 1.0 } else { -1.0 })
                .collect(),
            SpinKind::Planar => x
                .chunks(2)
                .map(|p| p[1].atan2(p[0]).rem_euclid(std::f64::consts::TAU))
                .collect(),
        }
    }

    /// A picture of raw values: spins, or cos θ of angles.
    fn tile(&self, title: String, raw: &[f64]) -> Tile {
        let pixels = match self.kind {
            SpinKind::Ising => raw.to_vec(),
            SpinKind::Planar => raw.iter().map(|a| a.cos()).collect(),
        };
        Tile {
            title,
            pixels,
            scale: Scale::Diverging,
        }
    }
}

/// Mean, standard deviation and count of one observable.
#[derive(Clone, Copy)]
struct Stat {
    mean: f64,
    sd: f64,
    n: usize,
}

impl Stat {
    fn of(values: &[f64]) -> Self {
        let (mean, sd) = mean_and_sd(values);
        Self {
            mean,
            sd,
            n: values.len(),
        }
    }

    fn error(&self) -> f64 {
        self.sd / (self.n as f64).sqrt()
    }

    /// z-score of the difference of two independent means; 0 for equal means, also when both
    /// have no spread (no vortices at all in either set of lattices at low T).
    fn z(&self, other: &Self) -> f64 {
        let difference = self.mean - other.mean;
        if difference == 0.0 {
            0.0
        } else {
            difference / self.error().hypot(other.error())
        }
    }

    /// "mean ± error" with `decimals` decimals.
    fn show(&self, decimals: usize) -> String {
        format!("{:.*} ± {:.*}", decimals, self.mean, decimals, self.error())
    }

    /// (mean, error), as written to JSON.
    fn pair(&self) -> [f64; 2] {
        [self.mean, self.error()]
    }
}

/// `--corrector-window LO:HI`: a log-SNR interval with LO ≤ HI (negative numbers allowed).
fn parse_log_snr_window(text: &str) -> Result<(f64, f64), String> {
    let window = text
        .split_once(':')
        .and_then(|(a, b)| Some((a.trim().parse::<f64>().ok()?, b.trim().parse::<f64>().ok()?)))
        .filter(|(lo, hi)| lo <= hi);
    window.ok_or_else(|| format!("takes LO:HI with LO ≤ HI (log-SNR), got '{text}'"))
}

/// The reference entropy per spin (nats; XY: excess s − ln 2π) with its error, per data
/// temperature.
fn references(
    kind: SpinKind,
    data: &Dataset,
    xy_reference: Option<&Path>,
) -> Result<Vec<(f64, f64)>> {
    match (kind, xy_reference) {
        (SpinKind::Ising, _) => {
            let ising = Ising::new(Square::with_side(data.side)?, 1.0, 0.0)?;
            data.temps
                .iter()
                .map(|&t| {
                    Ok((
                        kaufman::exact(&ising, Temperature::new(t)?)?.entropy_per_spin,
                        0.0,
                    ))
                })
                .collect()
        }
        (SpinKind::Planar, Some(path)) => {
            let bytes =
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            let doc: serde_json::Value = serde_json::from_slice(&bytes)
                .with_context(|| format!("{} is not JSON", path.display()))?;
            if doc["command"] != "lattice thermo" || doc["model"] != "xy" {
                bail!(
                    "{} is not the thermo.json of `lattice thermo --model xy`",
                    path.display()
                );
            }
            if doc["size"].as_u64() != Some(data.side as u64) {
                bail!(
                    "{} is for another lattice size than the data's {}",
                    path.display(),
                    data.side
                );
            }
            let rows: Vec<(f64, f64, f64)> = doc["rows"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| {
                    Some((
                        r["temperature"].as_f64()?,
                        r["entropy"]["value"].as_f64()?,
                        r["entropy"]["std_error"].as_f64()?,
                    ))
                })
                .collect();
            data.temps
                .iter()
                .map(|&t| {
                    rows.iter()
                        .find(|r| (r.0 - t).abs() <= 1e-9 * t)
                        .map(|r| (r.1, r.2))
                        .with_context(|| {
                            format!("{} has no temperature {t} of the data", path.display())
                        })
                })
                .collect()
        }
        (SpinKind::Planar, None) => bail!("XY entropies need a --reference thermo.json"),
    }
}

/// checkpoint.json: the training run, its losses and the data split it used.
#[derive(serde::Serialize, serde::Deserialize)]
struct Checkpoint {
    trainer: serde_json::Value,
    losses: Vec<f64>,
    holdout: usize,
    side: usize,
    temperatures: Vec<f64>,
}

type LatticeTrainer = Trainer<LatticeDenoiser>;

/// `entropic entropy ising`.
pub fn ising(args: &LatticeArgs, global: &Global, out: &mut Output<'_>) -> Result<()> {
    run(args, SpinKind::Ising, None, global, out)
}

/// `entropic entropy xy`.
pub fn xy(args: &XyArgs, global: &Global, out: &mut Output<'_>) -> Result<()> {
    run(
        &args.lattice,
        SpinKind::Planar,
        Some(&args.reference),
        global,
        out,
    )
}

fn run(
    args: &LatticeArgs,
    kind: SpinKind,
    xy_reference: Option<&Path>,
    global: &Global,
    out: &mut Output<'_>,
) -> Result<()> {
    let name = match kind {
        SpinKind::Ising => "ising",
        SpinKind::Planar => "xy",
    };
    if !(args.holdout > 0.0 && args.holdout < 1.0) {
        bail!("--holdout must be between 0 and 1");
    }
    if args.checkpoint_every == 0 || args.gen_steps == 0 || args.gen_samples < 2 {
        bail!("--checkpoint-every and --gen-steps must be positive, --gen-samples at least 2");
    }
    let data = Dataset::read(&args.data, kind)?;
    let reference = references(kind, &data, xy_reference)?;
    let holdout = ((data.per_t as f64 * args.holdout).round() as usize).max(2);
    if holdout >= data.per_t {
        bail!(
            "{} configurations per temperature leave none for training with --holdout {}",
            data.per_t,
            args.holdout
        );
    }
    let n_train = data.per_t - holdout;
    let generate = args.generate.as_deref().unwrap_or(match kind {
        SpinKind::Ising => "1.5,2.3,3.0",
        SpinKind::Planar => "0.3,0.9,1.3",
    });
    let gen_temps: Vec<usize> = if generate.trim().is_empty() {
        Vec::new()
    } else {
        generate
            .split(',')
            .map(|s| {
                let t: f64 = s
                    .trim()
                    .parse()
                    .with_context(|| format!("--generate: '{s}' is not a temperature"))?;
                data.index_of(t)
            })
            .collect::<Result<_>>()?
    };
    let sde = VpSde::default();
    let gen_start = args.gen_start(&sde)?;
    if args.gen_from.is_some() && args.gen_samples > holdout {
        bail!(
            "--gen-from starts from held-out configurations: --gen-samples {} exceeds the {holdout} held out per temperature",
            args.gen_samples
        );
    }
    let mut train_raw = Vec::with_capacity(data.temps.len() * n_train * data.sites());
    let mut train_temps = Vec::with_capacity(data.temps.len() * n_train);
    for (k, &t) in data.temps.iter().enumerate() {
        train_raw.extend_from_slice(data.raw(k, 0, n_train));
        train_temps.extend(std::iter::repeat_n(t, n_train));
    }
    let train = match kind {
        SpinKind::Ising => LatticeData::new(data.side, train_raw, train_temps)?,
        SpinKind::Planar => LatticeData::planar(data.side, &train_raw, train_temps)?,
    };

    // The model and settings the flags ask for: a new run's, and what a resumed run is
    // checked against.
    let fresh = |rng: &mut entropic::rng::Xoshiro256PlusPlus| -> Result<(LatticeDenoiser, ScoreTrainParams)> {
        let hidden = parse_widths(&args.hidden)?;
        let conditioning = if args.labels {
            Conditioning::Labels(data.temps.clone())
        } else {
            let (lo, hi) = data
                .temps
                .iter()
                .fold((f64::INFINITY, 0.0f64), |(a, b), &t| (a.min(t), b.max(t)));
            Conditioning::Temperature { lo, hi }
        };
        let model = LatticeDenoiser::new(
            sde,
            kind,
            data.side,
            conditioning,
            &hidden,
            args.propagation,
            rng,
        )?;
        let model = match args.gate {
            Some(l0) => model.with_gate(args.gate_form.with(l0))?,
            None => model,
        }
        .with_planar_messages(args.planar_messages.map_or(
            if kind == SpinKind::Planar && args.propagation > 0 {
                PlanarMessages::FirstHarmonic
            } else {
                PlanarMessages::MeanField
            },
            PlanarMessages::from,
        ))?
        .with_lambda_density(match args.focus {
            Some(centre) => LambdaDensity::Focused {
                centre,
                scale: args.focus_scale,
                share: args.focus_share,
            },
            None => LambdaDensity::Uniform,
        })?;
        let model = if args.site_evidence.unwrap_or(kind == SpinKind::Planar) {
            model.with_site_evidence()?
        } else {
            model
        };
        let params = ScoreTrainParams {
            steps: args.train_steps,
            batch: args.batch,
            learning_rate: args.learning_rate,
            ema_decay: 0.999,
        };
        Ok((model, params))
    };
    let checkpoint_path = global.out.as_ref().map(|d| d.join("checkpoint.json"));
    let (mut trainer, mut losses) = if args.resume {
        let Some(path) = &checkpoint_path else {
            bail!("--resume needs --out DIR holding the checkpoint.json of the run");
        };
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let c: Checkpoint = serde_json::from_slice(&bytes)
            .with_context(|| format!("{} is not an `entropy {name}` checkpoint", path.display()))?;
        if c.holdout != holdout || c.side != data.side || c.temperatures != data.temps {
            bail!(
                "{} was made from other data or another --holdout",
                path.display()
            );
        }
        let trainer = LatticeTrainer::from_json(&serde_json::to_vec(&c.trainer)?)?;
        if trainer.model().kind() != kind {
            bail!("{} is not an `entropy {name}` run", path.display());
        }
        let (given, stored) = (fresh(&mut stream(global.seed, 0))?, trainer.model());
        let (gp, sp) = (given.1, trainer.params());
        let architecture =
            |m: &LatticeDenoiser| format!("{} network parameters", m.parameter_count());
        global.explicit.check_resumed(&[
            fixed("train_steps", gp.steps, sp.steps),
            fixed("batch", gp.batch, sp.batch),
            fixed("learning_rate", gp.learning_rate, sp.learning_rate),
            ("hidden", architecture(&given.0), architecture(stored)),
            fixed("labels", given.0.conditioning(), stored.conditioning()),
            fixed("propagation", given.0.propagation(), stored.propagation()),
            fixed("gate", given.0.gate(), stored.gate()),
            fixed("gate_form", given.0.gate(), stored.gate()),
            fixed(
                "planar_messages",
                given.0.planar_messages(),
                stored.planar_messages(),
            ),
            fixed(
                "site_evidence",
                given.0.site_evidence(),
                stored.site_evidence(),
            ),
            fixed("focus", given.0.lambda_density(), stored.lambda_density()),
            fixed(
                "focus_scale",
                given.0.lambda_density(),
                stored.lambda_density(),
            ),
            fixed(
                "focus_share",
                given.0.lambda_density(),
                stored.lambda_density(),
            ),
        ])?;
        (trainer, c.losses)
    } else {
        if let Some(path) = checkpoint_path.as_ref().filter(|p| p.exists()) {
            bail!(
                "{} already holds a run; continue it with --resume or choose another --out",
                path.display()
            );
        }
        let (model, params) = fresh(&mut stream(global.seed, 0))?;
        (
            Trainer::new(model, &train, params, global.seed)?,
            Vec::new(),
        )
    };
    let total = trainer.params().steps;
    let until = args.pause_after.unwrap_or(total).min(total);
    let save = |t: &LatticeTrainer, losses: &[f64]| -> Result<()> {
        if let Some(path) = &checkpoint_path {
            let c = Checkpoint {
                trainer: serde_json::from_slice(&t.to_json()?)?,
                losses: losses.to_vec(),
                holdout,
                side: data.side,
                temperatures: data.temps.clone(),
            };
            std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))?;
            write_atomic(path, &serde_json::to_vec(&c)?)?;
        }
        Ok(())
    };
    let started = Instant::now();
    let rt = Threads::new(global.quiet);
    let executor = Executor {
        chunk: 0,
        checkpoint_every: args.checkpoint_every,
        pause_after: Some(until),
    };
    executor.run(&mut trainer, &train, &rt, |t, chunk, due| {
        losses.extend_from_slice(chunk);
        if due { save(t, &losses) } else { Ok(()) }
    })?;
    rt.finish();
    let train_seconds = started.elapsed().as_secs_f64();
    if trainer.step() < total {
        let text = format!(
            "paused after {} of {total} steps; continue with --resume\n",
            trainer.step()
        );
        return out.result(
            &text,
            &json!({ "paused_at": trainer.step(), "steps": total }),
        );
    }
    let model = trainer.finish();
    if out.keeps_files() {
        out.file("model.json", &model.to_json()?)?;
    }

    // Entropy per temperature on the held-out configurations.
    let unit_scale = if args.bits {
        1.0 / std::f64::consts::LN_2
    } else {
        1.0
    };
    let unit = if args.bits { "bits" } else { "nats" };
    let n = data.sites() as f64;
    // XY: the differential entropy of the angles minus ln 2π per spin (thesis Table 4.2).
    let offset = match kind {
        SpinKind::Ising => 0.0,
        SpinKind::Planar => std::f64::consts::TAU.ln(),
    };
    let progress = Progress::new(data.temps.len() as u64, "temperatures", global.quiet);
    let rows: Vec<Row> = data
        .temps
        .par_iter()
        .enumerate()
        .map(|(k, &t)| -> Result<Row> {
            let start = Instant::now();
            let dim = data.sites() * kind.components();
            let held = Samples::new(data.values(k, n_train, data.per_t), dim)?;
            let (denoiser, seed) = (model.at_temperature(t)?, global.seed.wrapping_add(k as u64));
            let h = match kind {
                SpinKind::Ising => Immse::new(sde, denoiser, args.draws, args.strata, seed)?,
                SpinKind::Planar => {
                    Immse::on_circles(sde, denoiser, args.draws, args.strata, seed)?
                }
            }
            .estimate(&held)?;
            progress.tick();
            Ok(Row {
                temperature: t,
                estimate: h.value / n - offset,
                error: h.std_error / n,
                reference: reference[k].0,
                reference_error: reference[k].1,
                seconds: start.elapsed().as_secs_f64(),
            })
        })
        .collect::<Result<_>>()?;
    progress.finish();

    let (title, against) = match kind {
        SpinKind::Ising => ("Ising", "Kaufman (exact)"),
        SpinKind::Planar => ("XY", "thermodynamic integration"),
    };
    let quantity = match kind {
        SpinKind::Ising => "entropy per spin",
        SpinKind::Planar => "excess entropy s − ln 2π per spin",
    };
    let mut text = format!(
        "{title} {l}×{l}: {quantity} ({unit}) from one conditional denoiser (I-MMSE) vs {against}\n{:>7} {:>10} {:>9} {:>10} {:>9} {:>10} {:>7}\n",
        "T",
        "estimate",
        "± err",
        "reference",
        "± err",
        "error",
        "time",
        l = data.side
    );
    let mut csv = String::from(
        "temperature,estimate,std_error,reference,reference_error,error,unit,seconds\n",
    );
    for r in &rows {
        let (v, e) = (r.estimate * unit_scale, r.error * unit_scale);
        let (x, xe) = (r.reference * unit_scale, r.reference_error * unit_scale);
        let (t, sec) = (r.temperature, r.seconds);
        writeln!(
            text,
            "{t:>7.3} {v:>10.5} {e:>9.5} {x:>10.5} {xe:>9.5} {:>+10.5} {sec:>6.1}s",
            v - x
        )?;
        writeln!(csv, "{t},{v},{e},{x},{xe},{},{unit},{sec}", v - x)?;
    }
    let errors: Vec<f64> = rows
        .iter()
        .map(|r| (r.estimate - r.reference) * unit_scale)
        .collect();
    let mean_abs = errors.iter().map(|e| e.abs()).sum::<f64>() / errors.len() as f64;
    let max_abs = errors.iter().fold(0.0f64, |a, e| a.max(e.abs()));
    writeln!(
        text,
        "mean |error| {mean_abs:.5} {unit}/spin, max |error| {max_abs:.5}; training {train_seconds:.0} s ({} parameters)",
        model.parameter_count()
    )?;

    // The table is on disk before the (long) generation check starts.
    if out.keeps_files() {
        out.file(&format!("{name}.csv"), csv.as_bytes())?;
    }

    // Generation check: reverse-SDE samples against the Monte Carlo data, in pieces of
    // GEN_PIECE samples that run in parallel (within and across temperatures). Piece j of
    // temperature k draws from substream j of stream 1000 + k, so the result does not depend on
    // the thread count, and a run of at most GEN_PIECE samples per temperature is the same as
    // before the split. With --gen-from: the first held-out configurations, perturbed to the
    // start step.
    let n_gen = args.gen_samples;
    let starts = |k: usize| data.raw(k, n_train, n_train + n_gen);
    let pieces: Vec<(usize, usize, usize)> = gen_temps
        .iter()
        .enumerate()
        .flat_map(|(slot, &k)| (0..n_gen.div_ceil(GEN_PIECE)).map(move |j| (slot, k, j)))
        .collect();
    let generated_pieces: Vec<Vec<f64>> = pieces
        .par_iter()
        .map(|&(_, k, j)| -> Result<Vec<f64>> {
            let mut score = model.at_temperature(data.temps[k])?;
            let mut rng = substream(global.seed, 1000 + k, j);
            let (first, end) = (j * GEN_PIECE, ((j + 1) * GEN_PIECE).min(n_gen));
            let sampling = args.sampling();
            let x = if args.gen_from.is_some() {
                let clean = data.values(k, n_train + first, n_train + end);
                let (t, d) = (sampling.time(&sde, gen_start), clean.len() / (end - first));
                let mut x = vec![0.0; clean.len()];
                let mut noise = vec![0.0; d];
                for (row, c) in x.chunks_mut(d).zip(clean.chunks(d)) {
                    sde.perturb(c, t, &mut rng, row, &mut noise);
                }
                sample_from(&sde, &mut score, &mut x, gen_start, &sampling, &mut rng)?;
                x
            } else {
                sample(&sde, &mut score, end - first, &sampling, &mut rng)?
            };
            Ok(data.raw_from_values(&x))
        })
        .collect::<Result<_>>()?;
    let mut generated: Vec<Vec<f64>> = vec![Vec::new(); gen_temps.len()];
    for (&(slot, _, _), piece) in pieces.iter().zip(generated_pieces) {
        generated[slot].extend(piece);
    }
    let mut gen_rows = Vec::new();
    let mut gen_tiles = Vec::new();
    for (&k, raw) in gen_temps.iter().zip(&generated) {
        let t = data.temps[k];
        let (ge, gm) = data.observables(raw)?;
        let (de, dm) = data.observables(data.raw(k, 0, data.per_t))?;
        let drift = match args.gen_from {
            Some(_) => Some(data.drift(starts(k), raw)?),
            None => None,
        };
        let vortices = data
            .vortices(raw)?
            .zip(data.vortices(data.raw(k, 0, data.per_t))?);
        gen_rows.push(GenRow {
            t,
            ge,
            de,
            gm,
            dm,
            drift,
            vortices,
        });
        let s = data.sites();
        gen_tiles.push(vec![
            data.tile(format!("MC T={t:.3}"), data.raw(k, 0, 1)),
            data.tile(format!("MC T={t:.3}"), data.raw(k, 1, 2)),
            data.tile(format!("generated T={t:.3}"), &raw[..s]),
            data.tile(format!("generated T={t:.3}"), &raw[s..2 * s]),
        ]);
    }
    if !gen_rows.is_empty() {
        writeln!(
            text,
            "\ngeneration ({} reverse-SDE samples, {} {:?} steps on a {:?} grid, {} corrector moves each) vs Monte Carlo ({} configurations):\n{:>7} {:>18} {:>18} {:>6} {:>18} {:>18} {:>6}",
            args.gen_samples,
            args.gen_steps,
            Predictor::from(args.sampler),
            args.sampling().grid,
            args.corrector_steps,
            data.per_t,
            "T",
            "e generated",
            "e MC",
            "z",
            "|m| generated",
            "|m| MC",
            "z"
        )?;
        for GenRow {
            t, ge, de, gm, dm, ..
        } in &gen_rows
        {
            writeln!(
                text,
                "{t:>7.3} {:>18} {:>18} {:>+6.2} {:>18} {:>18} {:>+6.2}",
                ge.show(4),
                de.show(4),
                ge.z(de),
                gm.show(4),
                dm.show(4),
                gm.z(dm)
            )?;
        }
        if gen_rows.iter().any(|r| r.vortices.is_some()) {
            writeln!(
                text,
                "vortices + antivortices per site:\n{:>7} {:>20} {:>20} {:>6}",
                "T", "generated", "MC", "z"
            )?;
            for row in &gen_rows {
                if let Some((g, d)) = &row.vortices {
                    writeln!(
                        text,
                        "{:>7.3} {:>20} {:>20} {:>+6.2}",
                        row.t,
                        g.show(5),
                        d.show(5),
                        g.z(d)
                    )?;
                }
            }
        }
        if let Some(lambda) = args.gen_from {
            let t = args.sampling().time(&sde, gen_start);
            writeln!(
                text,
                "paired drift from the {n_gen} held-out starting configurations (perturbed to step {gen_start} of {}, log-SNR {:.2} ≥ {lambda}):\n{:>7} {:>18} {:>6} {:>18} {:>6}",
                args.gen_steps,
                log_snr(&sde, t),
                "T",
                "Δe",
                "z",
                "Δ|m|",
                "z"
            )?;
            for row in &gen_rows {
                if let Some((e, m)) = &row.drift {
                    writeln!(
                        text,
                        "{:>7.3} {:>18} {:>+6.2} {:>18} {:>+6.2}",
                        row.t,
                        e.show(4),
                        e.mean / e.error(),
                        m.show(4),
                        m.mean / m.error()
                    )?;
                }
            }
        }
    }

    if out.keeps_files() {
        let loss_csv: String = std::iter::once("step,loss\n".to_string())
            .chain(losses.iter().enumerate().map(|(i, l)| format!("{i},{l}\n")))
            .collect();
        out.file("losses.csv", loss_csv.as_bytes())?;
        let entropy_svg = plot::line_chart(
            &format!("{title} {0}×{0}: {quantity}", data.side),
            "T",
            &format!("{unit}/spin"),
            &[
                Series {
                    name: against,
                    points: rows
                        .iter()
                        .map(|r| (r.temperature, r.reference * unit_scale))
                        .collect(),
                    errors: rows
                        .iter()
                        .map(|r| r.reference_error * unit_scale)
                        .collect(),
                },
                Series {
                    name: "I-MMSE, conditional denoiser",
                    points: rows
                        .iter()
                        .map(|r| (r.temperature, r.estimate * unit_scale))
                        .collect(),
                    errors: rows.iter().map(|r| r.error * unit_scale).collect(),
                },
            ],
        )?;
        out.file("entropy.svg", entropy_svg.as_bytes())?;
        let errors_svg = plot::line_chart(
            &format!("I-MMSE error against {against}"),
            "T",
            &format!("estimate − reference ({unit}/spin)"),
            &[Series {
                name: "error ± combined error bar",
                points: rows
                    .iter()
                    .zip(&errors)
                    .map(|(r, &e)| (r.temperature, e))
                    .collect(),
                errors: rows
                    .iter()
                    .map(|r| r.error.hypot(r.reference_error) * unit_scale)
                    .collect(),
            }],
        )?;
        out.file("errors.svg", errors_svg.as_bytes())?;
        let training_svg = plot::line_chart(
            "denoiser training (log-loss per site, moving average of 100 steps)",
            "step",
            "nats",
            &[Series {
                name: "loss",
                points: moving_average(&losses, 100),
                errors: Vec::new(),
            }],
        )?;
        out.file("training.svg", training_svg.as_bytes())?;
        let shown = match kind {
            SpinKind::Ising => "spins",
            SpinKind::Planar => "cos θ",
        };
        if !gen_tiles.is_empty() {
            out.file(
                "generated.svg",
                plot::image_grid(
                    &format!("Monte Carlo vs reverse-SDE samples ({shown})"),
                    &gen_tiles,
                    data.side,
                )?
                .as_bytes(),
            )?;
        }
        let denoise = denoising_rows(&model, &data, &gen_temps, global.seed)?;
        if !denoise.is_empty() {
            out.file(
                "denoising.svg",
                plot::image_grid(
                    &format!("real, noisy (λ = 0, snr 1) and denoised E[s | x] ({shown})"),
                    &denoise,
                    data.side,
                )?
                .as_bytes(),
            )?;
        }
    }
    let stat = Stat::pair;
    let doc = json!({
        "command": format!("entropy {name}"),
        "data": args.data,
        "side": data.side,
        "unit": unit,
        "quantity": quantity,
        "reference": against,
        "holdout_per_temperature": holdout,
        "train_per_temperature": n_train,
        "train_steps": total,
        "batch": args.batch,
        "hidden": args.hidden,
        "labels": args.labels,
        "propagation": model.propagation(),
        "gate": model.gate(),
        "planar_messages": model.planar_messages(),
        "lambda_density": model.lambda_density(),
        "site_evidence": model.site_evidence(),
        "draws": args.draws,
        "gen_steps": args.gen_steps,
        "sampler": format!("{:?}", args.sampling()),
        "corrector_steps": args.corrector_steps,
        "corrector_snr": args.corrector_snr,
        "strata": args.strata,
        "train_seconds": train_seconds,
        "mean_abs_error_per_spin": mean_abs,
        "max_abs_error_per_spin": max_abs,
        "rows": rows.iter().map(|r| json!({
            "temperature": r.temperature,
            "estimate": r.estimate * unit_scale,
            "std_error": r.error * unit_scale,
            "reference": r.reference * unit_scale,
            "reference_error": r.reference_error * unit_scale,
            "seconds": r.seconds,
        })).collect::<Vec<_>>(),
        "gen_from_log_snr": args.gen_from,
        "gen_start_step": gen_start,
        "generation": gen_rows.iter().map(|r| json!({
            "temperature": r.t,
            "energy_generated": stat(&r.ge),
            "energy_mc": stat(&r.de),
            "energy_z": r.ge.z(&r.de),
            "abs_m_generated": stat(&r.gm),
            "abs_m_mc": stat(&r.dm),
            "abs_m_z": r.gm.z(&r.dm),
            "energy_drift": r.drift.as_ref().map(|(e, _)| stat(e)),
            "abs_m_drift": r.drift.as_ref().map(|(_, m)| stat(m)),
            "vortices": r.vortices.as_ref().map(vortex_json),
        })).collect::<Vec<_>>(),
    });
    if out.keeps_files() {
        out.json(&format!("{name}.json"), &doc)?;
    }
    out.result(&text, &doc)
}

/// The vortex densities of one generation row as JSON: generated and Monte Carlo (mean, error)
/// and the z-score of their difference.
fn vortex_json((generated, mc): &(Stat, Stat)) -> serde_json::Value {
    json!({
        "generated": generated.pair(),
        "mc": mc.pair(),
        "z": generated.z(mc),
    })
}

/// One temperature of the generation check: energy and |m| per spin of the generated and the
/// Monte Carlo configurations, and with `--gen-from` their paired drift from the starting ones.
struct GenRow {
    t: f64,
    ge: Stat,
    de: Stat,
    gm: Stat,
    dm: Stat,
    drift: Option<(Stat, Stat)>,
    /// XY: vortices + antivortices per site, generated and Monte Carlo.
    vortices: Option<(Stat, Stat)>,
}

/// One temperature of the table (per spin, nats).
struct Row {
    temperature: f64,
    estimate: f64,
    error: f64,
    reference: f64,
    reference_error: f64,
    seconds: f64,
}

/// Rows of Fig. 4.1 / 4.3: a held configuration, its noisy version at λ = 0 and the model's
/// posterior mean, for each temperature (planar: the first coordinate, cos θ).
fn denoising_rows(
    model: &LatticeDenoiser,
    data: &Dataset,
    temps: &[usize],
    seed: u64,
) -> Result<Vec<Vec<Tile>>> {
    let mut rng = stream(seed, 2000);
    let lambda = 0.0;
    let (k, s2) = scale_and_variance(lambda);
    let c = data.kind.components();
    let first = |v: &[f64]| -> Vec<f64> { v.iter().step_by(c).copied().collect() };
    let pixels = |title: String, pixels: Vec<f64>| Tile {
        title,
        pixels,
        scale: Scale::Diverging,
    };
    temps
        .iter()
        .map(|&i| {
            let t = data.temps[i];
            let real = data.values(i, data.per_t - 1, data.per_t);
            let noisy: Vec<f64> = real
                .iter()
                .map(|&s| k * s + s2.sqrt() * normal_pair(&mut rng).0)
                .collect();
            let mut denoised = vec![0.0; noisy.len()];
            model
                .at_temperature(t)?
                .denoise_batch(&noisy, &[lambda], &mut denoised);
            Ok(vec![
                pixels(format!("real T={t:.3}"), first(&real)),
                pixels("noisy".into(), first(&noisy)),
                pixels("denoised".into(), first(&denoised)),
            ])
        })
        .collect()
}

fn moving_average(values: &[f64], window: usize) -> Vec<(f64, f64)> {
    values
        .chunks(window.max(1))
        .enumerate()
        .map(|(i, c)| {
            (
                (i * window + c.len() / 2) as f64,
                c.iter().sum::<f64>() / c.len() as f64,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{Stat, parse_log_snr_window};

    #[test]
    fn corrector_windows_parse_with_negative_bounds_and_refuse_empty_ones() {
        assert_eq!(parse_log_snr_window("-1.5: 3"), Ok((-1.5, 3.0)));
        assert_eq!(parse_log_snr_window("2:2"), Ok((2.0, 2.0)));
        for bad in ["3:1", "1", "a:2", "1:NaN", ""] {
            assert!(parse_log_snr_window(bad).is_err(), "{bad}");
        }
        // On the command line a window may start with a minus sign.
        let line = |window| {
            let args = [
                "entropic",
                "entropy",
                "xy",
                "--data",
                "d",
                "--reference",
                "r",
                "--corrector-window",
                window,
            ];
            crate::parse(args).map_err(|e| e.to_string())
        };
        assert!(line("-1:-0.5").is_ok(), "{:?}", line("-1:-0.5").err());
        assert!(line("-0.5:-1").unwrap_err().contains("LO ≤ HI"));
    }

    #[test]
    fn z_scores_of_spread_free_sets_are_finite_when_equal() {
        let none = Stat::of(&[0.0, 0.0, 0.0]);
        assert_eq!(none.z(&Stat::of(&[0.0; 5])), 0.0);
        let some = Stat::of(&[0.0, 0.5, 1.0, 0.5]);
        let z = some.z(&none);
        assert!(
            (z - 0.5 / (0.408_248_290_463_863 / 2.0)).abs() < 1e-12,
            "{z}"
        );
        assert_eq!(Stat::of(&[1.0; 3]).z(&none), f64::INFINITY);
    }
}
