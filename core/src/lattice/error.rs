use core::fmt;

/// Errors from building lattices, models, states and temperatures.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum LatticeError {
    /// A side is shorter than 2 sites.
    TooSmall {
        /// Sites along x.
        lx: usize,
        /// Sites along y.
        ly: usize,
    },
    /// The lattice has more sites than this operation supports.
    TooLarge {
        /// Sites requested.
        sites: usize,
        /// Largest number supported.
        max: usize,
    },
    /// A side is odd where two interpenetrating sublattices (a checkerboard) are needed.
    OddSide {
        /// Sites along x.
        lx: usize,
        /// Sites along y.
        ly: usize,
    },
    /// A temperature that is zero, negative or not finite.
    Temperature(f64),
    /// A coupling or field that is not finite.
    NotFinite {
        /// Which parameter.
        name: &'static str,
        /// Its value.
        value: f64,
    },
    /// A spin value that is not allowed (Ising spins are ±1).
    BadSpin {
        /// Site index.
        site: usize,
        /// The offending value.
        value: i64,
    },
    /// A model parameter the chosen algorithm cannot handle.
    Unsupported {
        /// The algorithm.
        algorithm: &'static str,
        /// What it needs.
        needs: &'static str,
    },
    /// A parameter outside the domain where a quantity is computed accurately.
    OutsideDomain {
        /// What was asked for.
        what: &'static str,
        /// The parameter's value.
        value: f64,
        /// The domain.
        domain: &'static str,
    },
    /// A state whose number of sites differs from the lattice's.
    StateLength {
        /// Sites in the lattice.
        expected: usize,
        /// Sites in the state.
        got: usize,
    },
}

impl fmt::Display for LatticeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooSmall { lx, ly } => {
                write!(
                    f,
                    "lattice {lx}×{ly} is too small: each side needs at least 2 sites"
                )
            }
            Self::TooLarge { sites, max } => {
                write!(
                    f,
                    "lattice has {sites} sites; this operation supports at most {max}"
                )
            }
            Self::OddSide { lx, ly } => {
                write!(
                    f,
                    "lattice {lx}×{ly} has an odd side; a checkerboard update needs even sides"
                )
            }
            Self::Temperature(t) => {
                write!(f, "temperature must be positive and finite, got {t}")
            }
            Self::NotFinite { name, value } => {
                write!(f, "{name} must be finite, got {}", Readable(*value))
            }
            Self::BadSpin { site, value } => {
                write!(
                    f,
                    "spin at site {site} is {value}; Ising spins must be +1 or -1"
                )
            }
            Self::Unsupported { algorithm, needs } => write!(f, "{algorithm} needs {needs}"),
            Self::OutsideDomain {
                what,
                value,
                domain,
            } => write!(f, "{what} = {} is outside {domain}", Readable(*value)),
            Self::StateLength { expected, got } => {
                write!(f, "state has {got} sites but the lattice has {expected}")
            }
        }
    }
}

impl core::error::Error for LatticeError {}

/// Largest |J| and |h| a model accepts: energies per spin are squared for variances and error
/// bars, which must stay finite (f64 squares overflow above ~1e154).
pub const MAX_COUPLING: f64 = 1e100;

impl LatticeError {
    /// The validation every spin model's constructor shares: J and h must be finite and at most
    /// [`MAX_COUPLING`] in magnitude.
    pub(crate) fn check_couplings(j: f64, h: f64) -> Result<(), Self> {
        Self::check_coupling("coupling J", j)?;
        Self::check_coupling("field h", h)
    }

    /// One coupling (named `name`) checked as [`check_couplings`](Self::check_couplings) does.
    pub(crate) fn check_coupling(name: &'static str, value: f64) -> Result<(), Self> {
        if !value.is_finite() {
            return Err(Self::NotFinite { name, value });
        }
        if value.abs() > MAX_COUPLING {
            return Err(Self::OutsideDomain {
                what: name,
                value,
                domain: "[-1e100, 1e100] (energies are squared for error bars)",
            });
        }
        Ok(())
    }
}

/// A number as people read it: plain in the usual range, scientific when very large or small.
pub(crate) struct Readable(pub(crate) f64);

impl fmt::Display for Readable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = self.0.abs();
        if a != 0.0 && a.is_finite() && !(1e-4..1e6).contains(&a) {
            write!(f, "{:e}", self.0)
        } else {
            write!(f, "{}", self.0)
        }
    }
}
