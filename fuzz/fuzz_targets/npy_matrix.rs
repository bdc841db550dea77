//! The .npy reader of `entropy compare`: arbitrary bytes give a matrix or a readable error, never
//! a panic or an allocation the file cannot back; a matrix's shape matches its data.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = entropic_cli::input::read_npy_matrix(data) {
        assert_eq!(m.rows * m.cols, m.data.len());
        assert!(m.data.iter().all(|v| v.is_finite()));
        if m.shape.len() >= 3 {
            let _ = m.select_first_axis(0);
        }
    }
});
