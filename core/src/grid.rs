//! Parameter grids such as temperature ranges, parsed from the compact text a command line takes.
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

/// Most points a grid may have.
pub const MAX_POINTS: usize = 1_000_000;

/// Errors from parsing a grid.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum GridError {
    /// Text that is not one of the accepted forms.
    Syntax(String),
    /// A value that is NaN or infinite.
    NotFinite(String),
    /// A range whose step is not positive or whose end lies below its start.
    EmptyRange {
        /// First value.
        start: f64,
        /// Last value.
        stop: f64,
    },
    /// More than [`MAX_POINTS`] points.
    TooMany(usize),
}

impl fmt::Display for GridError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Syntax(s) => write!(
                f,
                "cannot read grid '{s}': use a value (2.0), a list (1.5,2.0,2.5), START:STOP:STEP \
                 (1.0:4.0:0.1) or START:STOP:nCOUNT (0.1:1.5:n32)"
            ),
            Self::NotFinite(s) => write!(f, "grid value '{s}' is not a finite number"),
            Self::EmptyRange { start, stop } => {
                write!(
                    f,
                    "grid from {start} to {stop} is empty: STOP must be ≥ START and STEP > 0"
                )
            }
            Self::TooMany(n) => write!(f, "grid has {n} points; at most {MAX_POINTS} are allowed"),
        }
    }
}

impl core::error::Error for GridError {}

fn number(s: &str) -> Result<f64, GridError> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| GridError::Syntax(s.to_string()))?;
    if v.is_finite() {
        Ok(v)
    } else {
        Err(GridError::NotFinite(s.to_string()))
    }
}

/// Parse a grid of values.
///
/// Accepted forms:
/// - a single value `2.0`;
/// - a comma-separated list `1.5,2.0,2.269`;
/// - `START:STOP:STEP`, inclusive of STOP when it lies on the grid (within 1e-9 of a step);
/// - `START:STOP:nCOUNT`, COUNT evenly spaced points including both ends (numpy's `linspace`).
///
/// # Errors
/// [`GridError`] for malformed text, non-finite values, empty ranges and more than
/// [`MAX_POINTS`] points.
///
/// # Examples
/// ```
/// use entropic::grid::parse;
/// assert_eq!(parse("1.0:2.0:0.5")?, vec![1.0, 1.5, 2.0]);
/// assert_eq!(parse("0:1:n3")?, vec![0.0, 0.5, 1.0]);
/// assert_eq!(parse("2.5, 3")?, vec![2.5, 3.0]);
/// assert!(parse("4:1:0.1").is_err());
/// # Ok::<(), entropic::grid::GridError>(())
/// ```
pub fn parse(text: &str) -> Result<Vec<f64>, GridError> {
    let text = text.trim();
    let parts: Vec<&str> = text.split(':').collect();
    match parts.as_slice() {
        [single] => single.split(',').map(number).collect(),
        [start, stop, step] => {
            let (start, stop) = (number(start)?, number(stop)?);
            if stop < start {
                return Err(GridError::EmptyRange { start, stop });
            }
            if let Some(count) = step.trim().strip_prefix('n') {
                let count: usize = count
                    .parse()
                    .map_err(|_| GridError::Syntax(text.to_string()))?;
                linspace(start, stop, count)
            } else {
                arange(start, stop, number(step)?)
            }
        }
        _ => Err(GridError::Syntax(text.to_string())),
    }
}

fn linspace(start: f64, stop: f64, count: usize) -> Result<Vec<f64>, GridError> {
    match count {
        0 => Err(GridError::EmptyRange { start, stop }),
        c if c > MAX_POINTS => Err(GridError::TooMany(c)),
        1 => Ok(alloc::vec![start]),
        c => {
            let h = (stop - start) / (c - 1) as f64;
            Ok((0..c)
                .map(|k| {
                    if k + 1 == c {
                        stop
                    } else {
                        start + k as f64 * h
                    }
                })
                .collect())
        }
    }
}

fn arange(start: f64, stop: f64, step: f64) -> Result<Vec<f64>, GridError> {
    if step <= 0.0 {
        return Err(GridError::EmptyRange { start, stop });
    }
    let span = (stop - start) / step;
    if span.is_nan() || span >= MAX_POINTS as f64 {
        return Err(GridError::TooMany(if span.is_finite() {
            span as usize
        } else {
            usize::MAX
        }));
    }
    let count = libm::floor(span + 1e-9) as usize + 1;
    // Values are start + k·step (no accumulated rounding), rounded to 12 significant decimals
    // so 1.0:4.0:0.1 gives 1.1, not 1.1000000000000001.
    Ok((0..count).map(|k| tidy(start + k as f64 * step)).collect())
}

fn tidy(x: f64) -> f64 {
    if x == 0.0 {
        return 0.0;
    }
    let scale = libm::pow(10.0, 12.0 - libm::ceil(libm::log10(x.abs())));
    let y = libm::round(x * scale) / scale;
    if y.is_finite() { y } else { x }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn thesis_grids() {
        let ising = parse("1.0:4.0:0.1").unwrap();
        assert_eq!(ising.len(), 31);
        assert_eq!(ising[1], 1.1);
        assert_eq!(*ising.last().unwrap(), 4.0);
        let xy = parse("0.1:1.5:n32").unwrap();
        assert_eq!(xy.len(), 32);
        assert_eq!(xy[31], 1.5);
    }

    #[test]
    fn errors() {
        assert!(matches!(parse(""), Err(GridError::Syntax(_))));
        assert!(matches!(parse("1:2"), Err(GridError::Syntax(_))));
        assert!(matches!(parse("nan"), Err(GridError::NotFinite(_))));
        assert!(matches!(parse("1:2:0"), Err(GridError::EmptyRange { .. })));
        assert!(matches!(
            parse("0:1e300:1e-300"),
            Err(GridError::TooMany(_))
        ));
        assert!(matches!(parse("0:1:n0"), Err(GridError::EmptyRange { .. })));
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = parse(&s);
        }

        #[test]
        fn ranges_are_sorted_and_bounded(a in -100.0f64..100.0, span in 0.0f64..50.0, step in 0.01f64..10.0) {
            let g = parse(&alloc::format!("{a}:{}:{step}", a + span)).unwrap();
            prop_assert!(!g.is_empty());
            prop_assert!(g.windows(2).all(|w| w[0] < w[1]));
            prop_assert!(*g.last().unwrap() <= a + span + 1e-6 * (1.0 + (a + span).abs()));
        }
    }
}
