//! The network loader: arbitrary bytes load or give a typed error, never a panic; whatever loads
//! is consistent (validated) and runs a forward pass.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() > 1 << 16 {
        return;
    }
    let Ok(mut net) = entropic::nn::io::from_json::<f32>(data) else {
        return;
    };
    assert!(net.validate().is_ok());
    // Small networks only: a valid file may describe a large one.
    if net.parameter_count() <= 1 << 16 && net.inputs() <= 4096 {
        let x = vec![0.5f32; net.inputs()];
        let _ = net.forward(&x, 1);
    }
});
