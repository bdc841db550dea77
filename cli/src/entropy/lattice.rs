//! `entropic entropy ising | xy`: flags → [`LatticeEntropyConfig`] → [`LatticeEntropy`]
//! (checkpointed training, entropy table, generation check) → table, CSV, JSON and plots.
use crate::Global;
use crate::checkpoint::CheckpointFile;
use crate::config::{Flag, Flags, Settings, required};
use crate::input::{hamiltonian_in, in_file, read_npy_matrix};
use crate::output::Output;
use crate::runtime::Threads;
use anyhow::{Context, Result, bail};
use entropic::diffusion::{
    ConvDenoiser, LatticeDenoiser, Predictor, SavedModel, SpinKind, Trainer,
};
use entropic::estimate::{Estimate, Unit};
use entropic::experiment::{
    Hamiltonian, LatticeEntropy, LatticeEntropyConfig, LatticeEntropyReport, LatticeModel,
    ModelChoice, SpinConfigurations, SpinModel, TrainingConfig, thermo_entropies,
};
use entropic::train::Executor;
use serde_json::json;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Options of `entropic entropy ising`.
#[derive(Debug, clap::Args)]
pub struct IsingArgs {
    /// thermo.json of `entropic lattice thermo --model ising` on the same lattice size,
    /// temperatures and Hamiltonian: the thermodynamic-integration reference, for data Kaufman's
    /// solution does not cover (a field, an odd antiferromagnet). Default: Kaufman's exact
    /// values where the data's metadata.json states a Hamiltonian they cover.
    #[arg(long, value_name = "FILE")]
    reference: Option<PathBuf>,
    #[command(flatten)]
    lattice: LatticeArgs,
}

/// Options of `entropic entropy xy`.
#[derive(Debug, clap::Args)]
pub struct XyArgs {
    /// thermo.json of `entropic lattice thermo --model xy` on the same lattice size,
    /// temperatures and Hamiltonian: the thermodynamic-integration reference.
    #[arg(long, value_name = "FILE", required_unless_present = "print_config")]
    reference: Option<PathBuf>,
    #[command(flatten)]
    lattice: LatticeArgs,
}

/// Options shared by `entropic entropy ising` and `entropic entropy xy`. Every other setting
/// (holdout, learning rate, the denoiser's gate, messages and site evidence, the λ density, the
/// I-MMSE strata, the reverse-SDE grid, correctors and partial generation) is a key of the
/// `--config` file; `--print-config` lists them with their defaults.
#[derive(Debug, clap::Args)]
pub struct LatticeArgs {
    /// Directory written by `entropic lattice sample` (configs.npy: temperatures × samples × L ×
    /// L spins or angles, temperatures.npy, metadata.json). The coupling and field of
    /// metadata.json state the data's Hamiltonian (Kaufman's reference and the per-site model's
    /// coupling follow it); without the file it is unknown: no exact reference, and `--model
    /// site` needs `denoiser.coupling` in the config.
    #[arg(long, value_name = "DIR", required_unless_present = "print_config")]
    data: Option<PathBuf>,
    /// Report in bits instead of nats.
    #[arg(long)]
    bits: bool,
    /// Write checkpoint.json every N steps (and at the end).
    #[arg(long, value_name = "N", default_value_t = 1000)]
    checkpoint_every: usize,
    /// Continue the run saved in --out DIR/checkpoint.json.
    #[arg(long)]
    resume: bool,
    /// Skip training: evaluate the model.json of an earlier run of the same --model on --data
    /// (entropy table and generation check). A conv model runs on any lattice side; the data's
    /// temperatures must lie in its training range. Given more than once: the mean of the
    /// models' denoisers (an ensemble — never a larger squared error than the members' average,
    /// so a tighter I-MMSE bound; K× the evaluation cost).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["resume", "pause_after"])]
    evaluate: Vec<PathBuf>,
    /// Stop after this many steps in total (continue later with --resume).
    #[arg(long, value_name = "N")]
    pause_after: Option<usize>,
    #[command(flatten)]
    settings: Settings<Self>,
}

impl Flags for LatticeArgs {
    type Config = LatticeEntropyConfig;
    #[rustfmt::skip]
    fn flags() -> Vec<Flag> {
        vec![
            Flag::new("train-steps", "training.steps", "N", "Adam steps of the conditional denoiser."),
            Flag::new("batch", "training.batch", "B", "Configurations per step (32 random sites of each enter the loss)."),
            Flag::choice::<ModelChoice>("model", "model", "MODEL", "The model: `site`, the per-site denoiser (its belief propagation assumes a nearest-neighbour ferromagnet with J = 1 and no field), or `conv`, the whole-lattice convolutional denoiser that knows nothing of the Hamiltonian (settings: the config's `conv` keys)."),
            Flag::new("hidden", "denoiser.hidden", "W,..", "Hidden widths of the per-site field network (`--model site`)."),
            Flag::new("propagation", "denoiser.propagation", "N", "Iterations of loopy belief propagation whose Bethe cavity field the network corrects; 0 for none (`--model site`)."),
            Flag::new("draws", "draws", "N", "Monte Carlo draws of the I-MMSE integral per temperature."),
            Flag::new("generate", "generation.temperatures", "T,..", "Temperatures of the generation check, each matched to the nearest data temperature (within half the grid spacing); \"\" for none. Default: 1.5,2.3,3.0 (Ising), 0.3,0.9,1.3 (XY)."),
            Flag::new("gen-samples", "generation.samples", "N", "Configurations generated per temperature by the reverse SDE."),
            Flag::new("gen-steps", "generation.steps", "N", "Predictor steps of the reverse SDE."),
            Flag::choice::<Predictor>("sampler", "generation.predictor", "SAMPLER", "The reverse-time step (multistep wants `generation.grid = \"log-snr\"` in the config)."),
        ]
    }
}

impl LatticeArgs {
    /// The config: the file (or defaults), `--set` and the flags given.
    fn config(&self) -> Result<LatticeEntropyConfig> {
        let c = self.settings.config()?;
        if c.model == ModelChoice::Conv {
            for flag in ["hidden", "propagation"] {
                if self.settings.given(flag) {
                    bail!(
                        "--{flag} applies to --model site; the conv model's settings are the config's conv keys"
                    );
                }
            }
        }
        Ok(c)
    }
}

/// The configurations of a `lattice sample` directory.
fn read_data(dir: &Path, kind: SpinKind) -> Result<SpinConfigurations> {
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
    let temperatures = read("temperatures.npy")?.data;
    let shape = &configs.shape;
    if shape.len() != 4 || shape[2] != shape[3] || shape[0] as usize != temperatures.len() {
        bail!(
            "configs.npy must be temperatures × samples × L × L with one temperature each (shape {shape:?}, {} temperatures)",
            temperatures.len()
        );
    }
    let data = SpinConfigurations::new(
        kind,
        shape[2] as usize,
        temperatures,
        shape[1] as usize,
        configs.data,
    )
    .with_context(|| dir.join("configs.npy").display().to_string())?;
    Ok(match hamiltonian_in(dir)? {
        Some(h) => data.with_hamiltonian(h)?,
        None => data,
    })
}

/// The thermodynamic-integration entropies of a `lattice thermo` thermo.json for data of `kind`
/// on an L×L lattice drawn from `hamiltonian` (when stated) ([`thermo_entropies`]).
fn read_reference(
    path: &Path,
    kind: SpinKind,
    side: usize,
    hamiltonian: Option<Hamiltonian>,
) -> Result<Vec<(f64, Estimate)>> {
    let model = match kind {
        SpinKind::Ising => SpinModel::Ising,
        SpinKind::Planar => SpinModel::Xy,
    };
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    thermo_entropies(&bytes, model, side, hamiltonian).map_err(|e| in_file(path, e))
}

/// `entropic entropy ising`.
pub fn ising(args: &IsingArgs, global: &Global, out: &mut Output<'_>) -> Result<()> {
    run(
        &args.lattice,
        SpinKind::Ising,
        args.reference.as_deref(),
        global,
        out,
    )
}

/// `entropic entropy xy`.
pub fn xy(args: &XyArgs, global: &Global, out: &mut Output<'_>) -> Result<()> {
    run(
        &args.lattice,
        SpinKind::Planar,
        args.reference.as_deref(),
        global,
        out,
    )
}

fn run(
    args: &LatticeArgs,
    kind: SpinKind,
    reference: Option<&Path>,
    global: &Global,
    out: &mut Output<'_>,
) -> Result<()> {
    let config = args.config()?;
    if args.settings.print_config() {
        return out.print_config(&config);
    }
    if args.checkpoint_every == 0 {
        bail!("--checkpoint-every must be positive");
    }
    let data = read_data(required(&args.data, "data")?, kind)?;
    let side = data.side();
    let hamiltonian = data.hamiltonian();
    let experiment = LatticeEntropy::new(config, data)?;
    let experiment = match reference {
        Some(path) => experiment.with_reference(&read_reference(path, kind, side, hamiltonian)?)?,
        None => experiment,
    };
    // The run's settings, the per-site model's coupling resolved from the data.
    let config = experiment.config().clone();
    let integrated = reference.is_some();
    match config.model {
        ModelChoice::Site => {
            run_model::<LatticeDenoiser>(args, config, &experiment, integrated, global, out)
        }
        ModelChoice::Conv => {
            run_model::<ConvDenoiser>(args, config, &experiment, integrated, global, out)
        }
    }
}

/// Train, estimate and check generation with the model `M` the config chose.
fn run_model<M: LatticeModel<Config: serde::Serialize> + SavedModel>(
    args: &LatticeArgs,
    mut config: LatticeEntropyConfig,
    experiment: &LatticeEntropy,
    integrated: bool,
    global: &Global,
    out: &mut Output<'_>,
) -> Result<()> {
    let (models, losses, train_seconds) = if args.evaluate.is_empty() {
        match train::<M>(args, &mut config, experiment, global, out)? {
            Some((model, losses, seconds)) => (vec![model], losses, seconds),
            None => return Ok(()),
        }
    } else {
        let models = args
            .evaluate
            .iter()
            .map(|path| load::<M>(path, experiment))
            .collect::<Result<Vec<M>>>()?;
        // The settings recorded are the first member's.
        *M::settings_mut(&mut config) = models[0].config();
        (models, Vec::new(), 0.0)
    };
    // One model is written beside its table; an ensemble's members are already files.
    if let ([model], true) = (models.as_slice(), out.keeps_files()) {
        out.file("model.json", &model.to_json()?)?;
    }
    let rt = Threads::new(global.quiet);
    let rows = experiment.estimate(models.as_slice(), global.seed, &rt)?;
    rt.finish();
    let unit = if args.bits { Unit::Bits } else { Unit::Nats };
    let report = LatticeEntropyReport::new(experiment, unit, integrated);
    let mut text = report.table(&rows, train_seconds, &models);
    for path in &args.evaluate {
        writeln!(text, "model: {} (not trained here)", path.display())?;
    }
    // The table is on disk before the (long) generation check starts.
    if out.keeps_files() {
        out.file(
            &format!("{}.csv", report.name()),
            report.csv(&rows).as_bytes(),
        )?;
    }
    let rt = Threads::new(global.quiet);
    let generation = experiment.generate(models.as_slice(), global.seed, &rt)?;
    rt.finish();
    text += &report.generation(&generation);
    if out.keeps_files() {
        for (name, contents) in report.figures(&rows, &losses, &generation, &models, global.seed)? {
            out.file(name, contents.as_bytes())?;
        }
    }
    let mut doc = report.json(&config, &rows, &generation, &models, train_seconds);
    doc["command"] = json!(format!("entropy {}", report.name()));
    doc["data"] = json!(args.data);
    doc["evaluated"] = json!((!args.evaluate.is_empty()).then_some(&args.evaluate));
    if out.keeps_files() {
        out.json(&format!("{}.json", report.name()), &doc)?;
    }
    out.result(&text, &doc)
}

/// A model written by an earlier run, on the data's lattice side.
fn load<M: LatticeModel<Config: serde::Serialize> + SavedModel>(
    path: &Path,
    experiment: &LatticeEntropy,
) -> Result<M> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    experiment.load_model(&bytes).with_context(|| {
        format!(
            "{} (is it the model.json of a --model {} run?)",
            path.display(),
            M::CHOICE.name()
        )
    })
}

/// Train (or resume) the model with checkpoints; `None` when paused (reported to `out`).
fn train<M: LatticeModel<Config: serde::Serialize> + SavedModel>(
    args: &LatticeArgs,
    config: &mut LatticeEntropyConfig,
    experiment: &LatticeEntropy,
    global: &Global,
    out: &mut Output<'_>,
) -> Result<Option<(M, Vec<f64>, f64)>> {
    let (checkpoint, mut trainer, mut losses) = start::<M>(experiment, args, global)?;
    // What was run: on resume the checkpoint's model and training.
    *M::settings_mut(config) = trainer.model().config();
    config.training = TrainingConfig::from(*trainer.params());

    let started = Instant::now();
    let rt = Threads::new(global.quiet);
    let executor = Executor {
        chunk: 0,
        checkpoint_every: args.checkpoint_every,
        pause_after: args.pause_after,
    };
    executor.run(
        &mut trainer,
        experiment.training_data(),
        &rt,
        |t, chunk, due| {
            losses.extend_from_slice(chunk);
            match (checkpoint.path(), due) {
                (Some(_), true) => checkpoint.write(&experiment.checkpoint(t, &losses)?),
                _ => Ok(()),
            }
        },
    )?;
    rt.finish();
    let train_seconds = started.elapsed().as_secs_f64();
    let total = config.training.steps;
    if trainer.step() < total {
        let text = format!(
            "paused after {} of {total} steps; continue with --resume\n",
            trainer.step()
        );
        out.result(
            &text,
            &json!({ "paused_at": trainer.step(), "steps": total }),
        )?;
        return Ok(None);
    }
    Ok(Some((trainer.finish(), losses, train_seconds)))
}

/// A fresh training run, or with `--resume` the checkpoint's, refusing settings given on the
/// command line (or in a config file) that contradict it; with the checkpoint's file.
fn start<M: LatticeModel<Config: serde::Serialize> + SavedModel>(
    experiment: &LatticeEntropy,
    args: &LatticeArgs,
    global: &Global,
) -> Result<(CheckpointFile, Trainer<M>, Vec<f64>)> {
    let (file, stored) = CheckpointFile::open(global.out.as_deref(), args.resume)?;
    let Some((bytes, path)) = stored else {
        return Ok((file, experiment.trainer::<M>(global.seed)?, Vec::new()));
    };
    let (trainer, losses) = experiment.resume::<M>(&bytes).with_context(|| {
        format!(
            "{} (is it a run of another --model than {}?)",
            path.display(),
            M::CHOICE.name()
        )
    })?;
    // The settings asked for and the run the checkpoint holds, both with the model's settings
    // as the model resolves them (the XY defaults of an unset key).
    let mut given = experiment.config().clone();
    *M::settings_mut(&mut given) = experiment.model::<M>(global.seed)?.config();
    let mut stored = given.clone();
    *M::settings_mut(&mut stored) = trainer.model().config();
    stored.training = TrainingConfig::from(*trainer.params());
    args.settings.check_resumed(&given, &stored)?;
    Ok((file, trainer, losses))
}
