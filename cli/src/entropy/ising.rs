//! `entropic entropy ising`: absolute Ising entropies from one temperature-conditioned diffusion
//! model (I-MMSE) against Kaufman's exact finite-lattice values, and a generation check.
use super::parse_widths;
use crate::Global;
use crate::input::read_npy_matrix;
use crate::output::{Output, write_atomic};
use crate::plot::{self, Scale, Series, Tile};
use crate::progress::Progress;
use anyhow::{Context, Result, bail};
use entropic::diffusion::{
    Conditioning, Denoiser, LatticeData, LatticeDenoiser, ScoreTrainParams, SpinKind, Trainer,
    VpSde, reverse_sde, scale_and_variance,
};
use entropic::entropy::{EntropyEstimator, Immse, Samples};
use entropic::lattice::{Ising, Square, Temperature, kaufman};
use entropic::rng::{normal_pair, stream};
use entropic::stats::mean_and_sd;
use rayon::prelude::*;
use serde_json::json;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Options of `entropic entropy ising`.
#[derive(Debug, clap::Args)]
pub struct IsingArgs {
    /// Directory written by `entropic lattice sample --model ising` (configs.npy: temperatures ×
    /// samples × L × L spins, temperatures.npy).
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
    /// Monte Carlo draws of the I-MMSE integral per temperature.
    #[arg(long, value_name = "N", default_value_t = 8000)]
    draws: usize,
    /// λ-cells of the stratified integral.
    #[arg(long, value_name = "N", default_value_t = 40)]
    strata: usize,
    /// Temperatures of the generation check (each must be one of the data's).
    #[arg(long, value_name = "T,..", default_value = "1.5,2.3,3.0")]
    generate: String,
    /// Configurations generated per temperature by the reverse SDE.
    #[arg(long, value_name = "N", default_value_t = 400)]
    gen_samples: usize,
    /// Euler–Maruyama steps of the reverse SDE.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    gen_steps: usize,
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

/// Spin configurations per temperature, as `lattice sample` writes them.
struct Dataset {
    side: usize,
    temps: Vec<f64>,
    per_t: usize,
    spins: Vec<f64>,
}

impl Dataset {
    fn read(dir: &Path) -> Result<Self> {
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
        if let Some(v) = configs.data.iter().find(|&&v| v != 1.0 && v != -1.0) {
            bail!("configs.npy must hold ±1 Ising spins (found {v}); XY angles are not Ising data");
        }
        Ok(Self {
            side: shape[2] as usize,
            temps,
            per_t: shape[1] as usize,
            spins: configs.data,
        })
    }

    fn sites(&self) -> usize {
        self.side * self.side
    }

    /// Configurations [lo, hi) of temperature k.
    fn rows(&self, k: usize, lo: usize, hi: usize) -> &[f64] {
        let (n, s) = (self.per_t, self.sites());
        &self.spins[(k * n + lo) * s..(k * n + hi) * s]
    }

    /// Index of temperature `t` in the data.
    fn index_of(&self, t: f64) -> Result<usize> {
        self.temps
            .iter()
            .position(|&v| (v - t).abs() <= 1e-9 * v.abs().max(1.0))
            .with_context(|| {
                format!(
                    "temperature {t} is not one of the data's ({:?})",
                    self.temps
                )
            })
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

pub fn run(args: &IsingArgs, global: &Global, out: &mut Output<'_>) -> Result<()> {
    if !(args.holdout > 0.0 && args.holdout < 1.0) {
        bail!("--holdout must be between 0 and 1");
    }
    if args.checkpoint_every == 0 || args.gen_steps == 0 || args.gen_samples < 2 {
        bail!("--checkpoint-every and --gen-steps must be positive, --gen-samples at least 2");
    }
    let data = Dataset::read(&args.data)?;
    let holdout = ((data.per_t as f64 * args.holdout).round() as usize).max(2);
    if holdout >= data.per_t {
        bail!(
            "{} configurations per temperature leave none for training with --holdout {}",
            data.per_t,
            args.holdout
        );
    }
    let n_train = data.per_t - holdout;
    let gen_temps: Vec<usize> = if args.generate.trim().is_empty() {
        Vec::new()
    } else {
        args.generate
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
    let mut train_spins = Vec::with_capacity(data.temps.len() * n_train * data.sites());
    let mut train_temps = Vec::with_capacity(data.temps.len() * n_train);
    for (k, &t) in data.temps.iter().enumerate() {
        train_spins.extend_from_slice(data.rows(k, 0, n_train));
        train_temps.extend(std::iter::repeat_n(t, n_train));
    }
    let train = LatticeData::new(data.side, train_spins, train_temps)?;

    let checkpoint_path = global.out.as_ref().map(|d| d.join("checkpoint.json"));
    let (mut trainer, mut losses) = if args.resume {
        let Some(path) = &checkpoint_path else {
            bail!("--resume needs --out DIR holding the checkpoint.json of the run");
        };
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let c: Checkpoint = serde_json::from_slice(&bytes)
            .with_context(|| format!("{} is not an `entropy ising` checkpoint", path.display()))?;
        if c.holdout != holdout || c.side != data.side || c.temperatures != data.temps {
            bail!(
                "{} was made from other data or another --holdout",
                path.display()
            );
        }
        let trainer = LatticeTrainer::from_json(&serde_json::to_vec(&c.trainer)?)?;
        (trainer, c.losses)
    } else {
        if let Some(path) = checkpoint_path.as_ref().filter(|p| p.exists()) {
            bail!(
                "{} already holds a run; continue it with --resume or choose another --out",
                path.display()
            );
        }
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
        let mut rng = stream(global.seed, 0);
        let model = LatticeDenoiser::new(
            sde,
            SpinKind::Ising,
            data.side,
            conditioning,
            &hidden,
            &mut rng,
        )?;
        let params = ScoreTrainParams {
            steps: args.train_steps,
            batch: args.batch,
            learning_rate: args.learning_rate,
            ema_decay: 0.999,
        };
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
    let progress = Progress::new(total as u64, "training steps", global.quiet);
    progress.extend(total as u64, trainer.step() as u64);
    while trainer.step() < until {
        let chunk = args.checkpoint_every.min(until - trainer.step());
        losses.extend(trainer.run(&train, chunk)?);
        (0..chunk).for_each(|_| progress.tick());
        save(&trainer, &losses)?;
    }
    progress.finish();
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
    let ising = Ising::new(Square::with_side(data.side)?, 1.0, 0.0)?;
    let n = data.sites() as f64;
    let progress = Progress::new(data.temps.len() as u64, "temperatures", global.quiet);
    let rows: Vec<(f64, f64, f64, f64, f64)> = data
        .temps
        .par_iter()
        .enumerate()
        .map(|(k, &t)| -> Result<(f64, f64, f64, f64, f64)> {
            let start = Instant::now();
            let held = Samples::new(data.rows(k, n_train, data.per_t).to_vec(), data.sites())?;
            let estimator = Immse::new(
                sde,
                model.at_temperature(t)?,
                args.draws,
                args.strata,
                global.seed.wrapping_add(k as u64),
            )?;
            let h = estimator.estimate(&held)?;
            let exact = kaufman::exact(&ising, Temperature::new(t)?)?.entropy_per_spin;
            progress.tick();
            Ok((
                t,
                h.value / n,
                h.std_error / n,
                exact,
                start.elapsed().as_secs_f64(),
            ))
        })
        .collect::<Result<_>>()?;
    progress.finish();

    let mut text = format!(
        "Ising {l}×{l}: entropy per spin ({unit}) from one conditional denoiser (I-MMSE) vs Kaufman\n{:>7} {:>10} {:>9} {:>10} {:>10} {:>7}\n",
        "T",
        "estimate",
        "± err",
        "exact",
        "error",
        "time",
        l = data.side
    );
    let mut csv = String::from("temperature,estimate,std_error,exact,error,unit,seconds\n");
    for &(t, v, e, x, s) in &rows {
        let (v, e, x) = (v * unit_scale, e * unit_scale, x * unit_scale);
        writeln!(
            text,
            "{t:>7.3} {v:>10.5} {e:>9.5} {x:>10.5} {:>+10.5} {s:>6.1}s",
            v - x
        )?;
        writeln!(csv, "{t},{v},{e},{x},{},{unit},{s}", v - x)?;
    }
    let errors: Vec<f64> = rows.iter().map(|r| (r.1 - r.3) * unit_scale).collect();
    let mean_abs = errors.iter().map(|e| e.abs()).sum::<f64>() / errors.len() as f64;
    let max_abs = errors.iter().fold(0.0f64, |a, e| a.max(e.abs()));
    writeln!(
        text,
        "mean |error| {mean_abs:.5} {unit}/spin, max |error| {max_abs:.5}; training {train_seconds:.0} s ({} parameters)",
        model.parameter_count()
    )?;

    // Generation check: reverse-SDE samples against the Monte Carlo data.
    // One temperature per thread; each has its own RNG stream, so the result does not depend
    // on the thread count.
    let generated: Vec<Vec<f64>> = gen_temps
        .par_iter()
        .map(|&k| -> Result<Vec<f64>> {
            let mut score = model.at_temperature(data.temps[k])?;
            let mut rng = stream(global.seed, 1000 + k);
            let x = reverse_sde(&sde, &mut score, args.gen_samples, args.gen_steps, &mut rng)?;
            Ok(x.iter()
                .map(|&v| if v >= 0.0 { 1.0 } else { -1.0 })
                .collect())
        })
        .collect::<Result<_>>()?;
    let mut gen_rows = Vec::new();
    let mut gen_tiles = Vec::new();
    for (&k, spins) in gen_temps.iter().zip(&generated) {
        let t = data.temps[k];
        let (ge, gm) = observables(&ising, spins)?;
        let (de, dm) = observables(&ising, data.rows(k, 0, data.per_t))?;
        let z = |a: (f64, f64, usize), b: (f64, f64, usize)| {
            (a.0 - b.0) / (a.1 * a.1 / a.2 as f64 + b.1 * b.1 / b.2 as f64).sqrt()
        };
        gen_rows.push((t, ge, de, z(ge, de), gm, dm, z(gm, dm)));
        let s = data.sites();
        gen_tiles.push(vec![
            spin_tile(format!("MC T={t}"), data.rows(k, 0, 1)),
            spin_tile(format!("MC T={t}"), data.rows(k, 1, 2)),
            spin_tile(format!("generated T={t}"), &spins[..s]),
            spin_tile(format!("generated T={t}"), &spins[s..2 * s]),
        ]);
    }
    if !gen_rows.is_empty() {
        writeln!(
            text,
            "\ngeneration ({} reverse-SDE samples, {} steps) vs Monte Carlo ({} configurations):\n{:>7} {:>18} {:>18} {:>6} {:>18} {:>18} {:>6}",
            args.gen_samples,
            args.gen_steps,
            data.per_t,
            "T",
            "e generated",
            "e MC",
            "z",
            "|m| generated",
            "|m| MC",
            "z"
        )?;
        for &(t, ge, de, ze, gm, dm, zm) in &gen_rows {
            let f = |v: (f64, f64, usize)| format!("{:.4} ± {:.4}", v.0, v.1 / (v.2 as f64).sqrt());
            writeln!(
                text,
                "{t:>7.3} {:>18} {:>18} {ze:>+6.2} {:>18} {:>18} {zm:>+6.2}",
                f(ge),
                f(de),
                f(gm),
                f(dm)
            )?;
        }
    }

    if out.keeps_files() {
        out.file("ising.csv", csv.as_bytes())?;
        let loss_csv: String = std::iter::once("step,loss\n".to_string())
            .chain(losses.iter().enumerate().map(|(i, l)| format!("{i},{l}\n")))
            .collect();
        out.file("losses.csv", loss_csv.as_bytes())?;
        let entropy_svg = plot::line_chart(
            &format!("Ising {0}×{0}: entropy per spin", data.side),
            "T",
            &format!("s ({unit}/spin)"),
            &[
                Series {
                    name: "Kaufman (exact)",
                    points: rows.iter().map(|r| (r.0, r.3 * unit_scale)).collect(),
                    errors: Vec::new(),
                },
                Series {
                    name: "I-MMSE, conditional denoiser",
                    points: rows.iter().map(|r| (r.0, r.1 * unit_scale)).collect(),
                    errors: rows.iter().map(|r| r.2 * unit_scale).collect(),
                },
            ],
        )?;
        out.file("entropy.svg", entropy_svg.as_bytes())?;
        let errors_svg = plot::line_chart(
            "I-MMSE error against Kaufman",
            "T",
            &format!("estimate − exact ({unit}/spin)"),
            &[Series {
                name: "error ± MC error bar",
                points: rows.iter().zip(&errors).map(|(r, &e)| (r.0, e)).collect(),
                errors: rows.iter().map(|r| r.2 * unit_scale).collect(),
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
        if !gen_tiles.is_empty() {
            out.file(
                "generated.svg",
                plot::image_grid("Monte Carlo vs reverse-SDE samples", &gen_tiles, data.side)?
                    .as_bytes(),
            )?;
        }
        let denoise = denoising_rows(&model, &data, &gen_temps, global.seed)?;
        if !denoise.is_empty() {
            out.file(
                "denoising.svg",
                plot::image_grid(
                    "real, noisy (λ = 0, snr 1) and denoised E[s | x]",
                    &denoise,
                    data.side,
                )?
                .as_bytes(),
            )?;
        }
    }
    let doc = json!({
        "command": "entropy ising",
        "data": args.data,
        "side": data.side,
        "unit": unit,
        "holdout_per_temperature": holdout,
        "train_per_temperature": n_train,
        "train_steps": total,
        "batch": args.batch,
        "hidden": args.hidden,
        "labels": args.labels,
        "draws": args.draws,
        "strata": args.strata,
        "train_seconds": train_seconds,
        "mean_abs_error_per_spin": mean_abs,
        "max_abs_error_per_spin": max_abs,
        "rows": rows.iter().map(|&(t, v, e, x, s)| json!({
            "temperature": t, "estimate": v * unit_scale, "std_error": e * unit_scale,
            "exact": x * unit_scale, "seconds": s,
        })).collect::<Vec<_>>(),
        "generation": gen_rows.iter().map(|&(t, ge, de, ze, gm, dm, zm)| json!({
            "temperature": t,
            "energy_generated": [ge.0, ge.1 / (ge.2 as f64).sqrt()],
            "energy_mc": [de.0, de.1 / (de.2 as f64).sqrt()],
            "energy_z": ze,
            "abs_m_generated": [gm.0, gm.1 / (gm.2 as f64).sqrt()],
            "abs_m_mc": [dm.0, dm.1 / (dm.2 as f64).sqrt()],
            "abs_m_z": zm,
        })).collect::<Vec<_>>(),
    });
    if out.keeps_files() {
        out.json("ising.json", &doc)?;
    }
    out.result(&text, &doc)
}

/// (mean, sd, n) of the energy per spin and of |m| over configurations of ±1 values.
#[allow(clippy::type_complexity)]
fn observables(model: &Ising, spins: &[f64]) -> Result<((f64, f64, usize), (f64, f64, usize))> {
    let n = model.lattice().sites();
    let (mut e, mut m) = (Vec::new(), Vec::new());
    for c in spins.chunks(n) {
        let state = model.state_from_spins(c.iter().map(|&v| v as i8).collect())?;
        e.push(model.energy_per_spin(&state));
        m.push(model.abs_magnetization_per_spin(&state));
    }
    let ((me, se), (mm, sm)) = (mean_and_sd(&e), mean_and_sd(&m));
    Ok(((me, se, e.len()), (mm, sm, m.len())))
}

fn spin_tile(title: String, spins: &[f64]) -> Tile {
    Tile {
        title,
        pixels: spins.to_vec(),
        scale: Scale::Diverging,
    }
}

/// Rows of Fig. 4.1: a held configuration, its noisy version at λ = 0 and the model's posterior
/// mean, for each temperature.
fn denoising_rows(
    model: &LatticeDenoiser,
    data: &Dataset,
    temps: &[usize],
    seed: u64,
) -> Result<Vec<Vec<Tile>>> {
    let mut rng = stream(seed, 2000);
    let lambda = 0.0;
    let (k, s2) = scale_and_variance(lambda);
    temps
        .iter()
        .map(|&i| {
            let t = data.temps[i];
            let real = data.rows(i, data.per_t - 1, data.per_t);
            let noisy: Vec<f64> = real
                .iter()
                .map(|&s| k * s + s2.sqrt() * normal_pair(&mut rng).0)
                .collect();
            let mut denoised = vec![0.0; noisy.len()];
            model
                .at_temperature(t)?
                .denoise_batch(&noisy, &[lambda], &mut denoised);
            Ok(vec![
                spin_tile(format!("real T={t}"), real),
                spin_tile("noisy".into(), &noisy),
                spin_tile("denoised".into(), &denoised),
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
