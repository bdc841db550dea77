//! The temperature-grid parser behind every `--temps`: any text gives a grid or a typed error,
//! never a panic, and a grid is finite, sorted for ranges, and bounded in size.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if text.len() > 256 {
        return;
    }
    let Ok(grid) = entropic::grid::parse(text) else {
        return;
    };
    assert!(!grid.is_empty() && grid.len() <= entropic::grid::MAX_POINTS);
    assert!(grid.iter().all(|v| v.is_finite()));
    if text.contains(':') {
        assert!(
            grid.windows(2).all(|w| w[0] <= w[1]),
            "{text:?} gave an unsorted range"
        );
    }
});
