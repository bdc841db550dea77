//! The lattice-denoiser and lattice-training-run loaders: arbitrary bytes load or give a typed
//! error, never a panic; a small model that loads denoises a lattice at the lowest temperature
//! it was trained for, a small run takes a step on a checkerboard (of spins or of angles ±1).
#![no_main]
use entropic::diffusion::{LatticeData, LatticeDenoiser, SpinKind, Trainer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() > 1 << 16 {
        return;
    }
    if let Ok(mut model) = LatticeDenoiser::from_json(data) {
        let n = model.side() * model.side();
        if n <= 1024 {
            let (lo, _) = model.conditioning().range();
            let x = vec![0.3; n];
            let mut out = vec![0.0; n];
            let _ = model.posterior_mean(&x, &[0.0], lo, &mut out);
        }
    }
    if let Ok(mut run) = Trainer::<LatticeDenoiser>::from_json(data) {
        let side = run.model().side();
        let (lo, _) = run.model().conditioning().range();
        if (2..=16).contains(&side) && run.params().batch <= 256 {
            let spins: Vec<f64> = (0..side * side)
                .map(|i| {
                    if (i / side + i % side) % 2 == 0 {
                        1.0
                    } else {
                        -1.0
                    }
                })
                .collect();
            let cells = match run.model().kind() {
                SpinKind::Ising => LatticeData::new(side, spins, vec![lo]),
                SpinKind::Planar => LatticeData::planar(side, &spins, vec![lo]),
            };
            if let Ok(cells) = cells {
                let _ = run.run(&cells, 1);
            }
        }
    }
});
