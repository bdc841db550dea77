//! The exact zero-field Ising table — what `entropic lattice exact` prints and writes: Kaufman's
//! finite L×L torus beside Onsager's infinite lattice, per temperature.
//! Writing to a `String` cannot fail, so the `fmt::Write` results below are discarded.
use crate::estimate::{Estimate, Unit};
use crate::lattice::{ExactRow, Ising, LatticeError, Temperature};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write as _;

/// Exact energies, entropies and specific heats of a zero-field Ising model, entropies in a
/// chosen unit.
///
/// # Examples
/// ```
/// use entropic::estimate::Unit;
/// use entropic::experiment::ExactReport;
/// use entropic::lattice::{Ising, Square, Temperature};
/// let model = Ising::new(Square::with_side(4)?, 1.0, 0.0)?;
/// let report = ExactReport::new(&model, &[Temperature::new(2.0)?], Unit::Bits)?;
/// assert!(report.text().starts_with("Exact zero-field Ising 4×4, J = 1, entropy in bits"));
/// assert_eq!(report.text().lines().count(), 3);
/// # Ok::<(), entropic::lattice::LatticeError>(())
/// ```
#[derive(Clone, Debug)]
pub struct ExactReport {
    side: usize,
    coupling: f64,
    unit: Unit,
    rows: Vec<ExactRow>,
}

impl ExactReport {
    /// The rows of `model` at `temps` ([`ExactRow::table`]), entropies in `unit`.
    ///
    /// # Errors
    /// As [`ExactRow::table`].
    pub fn new(model: &Ising, temps: &[Temperature], unit: Unit) -> Result<Self, LatticeError> {
        Ok(Self {
            side: model.lattice().lx(),
            coupling: model.coupling(),
            unit,
            rows: ExactRow::table(model, temps)?,
        })
    }

    /// An entropy per spin in nats, in the report's unit.
    fn entropy(&self, nats: f64) -> f64 {
        Estimate::exact(nats, Unit::Nats).to_unit(self.unit).value
    }

    /// The lattice and coupling, then one line per temperature: u, s and c of the L×L torus, u and s of the infinite lattice.
    pub fn text(&self) -> String {
        let mut text = format!(
            "Exact zero-field Ising {0}×{0}, J = {1}, entropy in {2}\n{3:>8} {4:>14} {5:>14} {6:>14} {7:>14} {8:>14}\n",
            self.side,
            self.coupling,
            self.unit,
            "T",
            "u (L×L)",
            "s (L×L)",
            "c (L×L)",
            "u (L=∞)",
            "s (L=∞)"
        );
        for row in &self.rows {
            let finite = &row.finite;
            let _ = writeln!(
                text,
                "{:>8.4} {:>14.10} {:>14.10} {:>14.10} {:>14.10} {:>14.10}",
                row.temperature.value(),
                finite.energy_per_spin,
                self.entropy(finite.entropy_per_spin),
                finite.specific_heat,
                row.onsager_energy,
                self.entropy(row.onsager_entropy)
            );
        }
        text
    }

    /// `exact.json`: the lattice, coupling and unit, and per temperature the finite lattice's
    /// energy, entropy, specific heat and ln Z and the infinite lattice's energy and entropy.
    #[cfg(feature = "serde")]
    pub fn json(&self) -> serde_json::Value {
        use serde_json::json;
        let rows: Vec<_> = self
            .rows
            .iter()
            .map(|row| {
                let finite = &row.finite;
                json!({
                    "temperature": row.temperature.value(),
                    "finite": {
                        "energy_per_spin": finite.energy_per_spin,
                        "entropy_per_spin": self.entropy(finite.entropy_per_spin),
                        "specific_heat": finite.specific_heat,
                        "ln_z": finite.ln_z,
                    },
                    "infinite": {
                        "energy_per_spin": row.onsager_energy,
                        "entropy_per_spin": self.entropy(row.onsager_entropy),
                    },
                })
            })
            .collect();
        json!({ "command": "lattice exact", "size": self.side, "coupling": self.coupling,
            "unit": format!("{}", self.unit), "rows": rows })
    }
}
