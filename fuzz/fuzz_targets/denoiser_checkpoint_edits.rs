//! Structure-aware edits (`entropic_fuzz::edited`) of valid lattice-denoiser training runs: the
//! first input byte picks the per-site denoiser (with belief propagation) or the convolutional
//! one. The loader refuses the edited run with a typed error or loads something that trains
//! steps without a panic, and whose model then denoises a lattice without a panic.
#![no_main]
use arbitrary::Unstructured;
use entropic::diffusion::{
    Conditioning, ConvDenoiser, ConvDenoiserConfig, DenoiserConfig, LatticeData, LatticeDenoiser,
    SavedModel, ScoreTrainParams, SpinKind, Trainable, Trainer, VpSde,
};
use entropic::rng::from_seed;
use entropic_fuzz::{document, edited};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use std::sync::OnceLock;

const SIDE: usize = 4;

/// Six checkerboard-ish 4×4 Ising lattices at T = 1, 2, 3.
fn data() -> LatticeData {
    let spins = (0..6 * SIDE * SIDE)
        .map(|i| if (i * 5 / 3) % 2 == 0 { 1.0 } else { -1.0 })
        .collect();
    LatticeData::new(SIDE, spins, vec![1.0, 1.0, 2.0, 2.0, 3.0, 3.0]).unwrap()
}

fn params() -> ScoreTrainParams {
    ScoreTrainParams {
        steps: 10,
        batch: 3,
        ..ScoreTrainParams::default()
    }
}

const COND: Conditioning = Conditioning::Temperature { lo: 1.0, hi: 3.0 };

/// Three steps of a run of `model` (so Adam has state), as JSON.
fn after_three_steps<M>(model: M) -> Value
where
    M: Trainable<Data = LatticeData> + SavedModel,
{
    let mut t = Trainer::new(model, &data(), params(), 2).unwrap();
    t.run(&data(), 3).unwrap();
    document(&t.to_json().unwrap())
}

fn per_site() -> &'static Value {
    static VALID: OnceLock<Value> = OnceLock::new();
    VALID.get_or_init(|| {
        let config = DenoiserConfig {
            hidden: vec![4],
            propagation: 2,
            ..DenoiserConfig::default()
        };
        let model = LatticeDenoiser::from_config(
            VpSde::default(),
            SpinKind::Ising,
            SIDE,
            COND,
            &config,
            &mut from_seed(2),
        );
        after_three_steps(model.unwrap())
    })
}

fn conv() -> &'static Value {
    static VALID: OnceLock<Value> = OnceLock::new();
    VALID.get_or_init(|| {
        let config = ConvDenoiserConfig {
            channels: 2,
            dilations: vec![1, 2],
            ..ConvDenoiserConfig::default()
        };
        let model = ConvDenoiser::<f32>::from_config(
            VpSde::default(),
            SpinKind::Ising,
            SIDE,
            COND,
            &config,
            &mut from_seed(2),
        );
        after_three_steps(model.unwrap())
    })
}

/// Load, train two steps if the loaded run is as small as the valid one, then denoise.
fn exercise<M>(doc: &[u8], mut denoise: impl FnMut(&mut M))
where
    M: Trainable<Data = LatticeData> + SavedModel,
{
    let Ok(mut run) = Trainer::<M>::from_json(doc) else {
        return;
    };
    if run.params().batch <= 16 && run.run(&data(), 2).is_ok() {
        denoise(&mut run.finish());
    }
}

fuzz_target!(|bytes: &[u8]| {
    let mut u = Unstructured::new(bytes);
    let x = vec![0.3; SIDE * SIDE];
    let mut out = vec![0.0; SIDE * SIDE];
    if u.arbitrary::<bool>().unwrap_or(false) {
        let doc = edited(conv(), &mut u);
        exercise(&doc, |m: &mut ConvDenoiser<f32>| {
            if m.side() == SIDE {
                let _ = m.posterior_mean(&x, &[0.5], 2.0, &mut out);
            }
        });
    } else {
        let doc = edited(per_site(), &mut u);
        exercise(&doc, |m: &mut LatticeDenoiser| {
            if m.side() == SIDE {
                let _ = m.posterior_mean(&x, &[0.5], 2.0, &mut out);
            }
        });
    }
});
