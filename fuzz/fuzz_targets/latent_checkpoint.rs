//! The latent-cycle checkpoint loader: arbitrary bytes load or give a typed error, never a panic;
//! a checkpoint that loads (and is small) trains one more epoch without panicking.
#![no_main]
use entropic::latent::{BinaryData, Trainer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() > 1 << 16 {
        return;
    }
    let Ok(mut trainer) = Trainer::from_json(data) else {
        return;
    };
    let (m, p) = (trainer.model(), trainer.params());
    let small = m.dim() <= 64
        && m.states() <= 64
        && p.steps.saturating_mul(p.chains) <= 1000
        && p.updates_per_epoch <= 10
        && trainer.chains().len() <= 16
        && (1..=4096).contains(&trainer.data_len());
    if !small || trainer.is_done() {
        return;
    }
    // Any data of the right shape: the checkpoint's row count, alternating 0/1 bits.
    let (rows, d) = (trainer.data_len(), m.dim());
    let x = (0..rows * d).map(|i| (i % 2) as f64).collect();
    let data = BinaryData::new(x, d).unwrap();
    let _ = trainer.run_epoch(&data);
});
