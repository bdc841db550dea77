use super::DiffusionError;
use crate::special::sigmoid;

/// How far into small noise the network's correction to the Bethe field reaches
/// ([`super::DenoiserConfig::gate`]): the correction is multiplied by a sigmoid that falls
/// from 1 at large noise to 0 as λ → ∞, where belief propagation's field is exact.
///
/// Why the crossover moves with temperature: a mean-field message from a neighbour whose local
/// evidence has concentration κ ≈ e^λ differs from the exact message by a relative amount of
/// order β/κ (at β = 3.56 the first harmonic of the exact message is 0.64 of the mean-field one
/// at κ = 2 and 0.97 at κ = 8; at β = 1.1 already 0.95 at κ = 2). BP is therefore exact from
/// λ ≈ ln β + const on, and [`Gate::Coupling`] places the gate there.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
pub enum Gate {
    /// sigmoid(λ₀ − λ), the same at every temperature.
    Constant(f64),
    /// sigmoid(λ₀ + ln β − λ) = β / (β + e^{λ − λ₀}): the coupling's share of coupling plus
    /// local evidence, so the gate sits ln β further into small noise at low temperature.
    Coupling(f64),
}

impl Gate {
    /// # Errors
    /// [`DiffusionError::Parameter`] for a λ₀ that is not finite.
    pub fn check(self) -> Result<Self, DiffusionError> {
        if self.lambda0().is_finite() {
            Ok(self)
        } else {
            Err(DiffusionError::Parameter("the gate's λ₀ must be finite"))
        }
    }

    /// λ₀ (at β = 1 for [`Gate::Coupling`]).
    pub fn lambda0(self) -> f64 {
        match self {
            Self::Constant(l0) | Self::Coupling(l0) => l0,
        }
    }

    /// The factor multiplying the network's correction at log-SNR λ and inverse temperature β.
    pub fn factor(self, lambda: f64, beta: f64) -> f64 {
        match self {
            Self::Constant(l0) => sigmoid(l0 - lambda),
            Self::Coupling(l0) => sigmoid(l0 + libm::log(beta) - lambda),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coupling_gate_is_the_couplings_share_and_constant_ignores_beta() {
        for (lambda, beta) in [(-3.0, 0.5), (0.0, 1.0), (2.5, 3.56), (9.0, 10.0)] {
            let share = beta / (beta + libm::exp(lambda - 0.7));
            assert!((Gate::Coupling(0.7).factor(lambda, beta) - share).abs() < 1e-15);
            assert_eq!(
                Gate::Constant(0.7).factor(lambda, beta),
                Gate::Coupling(0.7).factor(lambda, 1.0)
            );
        }
        assert!(Gate::Coupling(f64::NAN).check().is_err());
        assert!(Gate::Constant(f64::INFINITY).check().is_err());
        assert_eq!(Gate::Constant(2.0).check().unwrap().lambda0(), 2.0);
    }
}
