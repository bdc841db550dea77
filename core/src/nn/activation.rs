use super::Scalar;
use alloc::vec::Vec;

/// Element-wise nonlinearities, each an `f` / `df` pair with the derivative written by hand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ActivationKind {
    /// tanh x; derivative 1 − tanh² x (computed by the vectorisable [`tanh_f32`](super::tanh_f32)
    /// and [`tanh_f64`](super::tanh_f64)).
    Tanh,
    /// max(0, x); derivative 1 for x > 0, else 0.
    Relu,
    /// x σ(x) (SiLU / swish); derivative σ(x)(1 + x(1 − σ(x))).
    Silu,
    /// ln(1 + eˣ), computed stably; derivative σ(x).
    Softplus,
    /// σ(x) = 1/(1 + e⁻ˣ); derivative σ(x)(1 − σ(x)).
    Sigmoid,
}

impl ActivationKind {
    /// f(x).
    pub fn f<T: Scalar>(self, x: T) -> T {
        match self {
            Self::Tanh => x.tanh_act(),
            Self::Relu => x.max(T::zero()),
            Self::Silu => x * x.sigmoid_act(),
            Self::Softplus => {
                x.max(T::zero()) + x.map_f64(|v| libm::log1p(libm::exp(-libm::fabs(v))))
            }
            Self::Sigmoid => x.sigmoid_act(),
        }
    }

    /// f′ from the input x and the output y = f(x): tanh and sigmoid use y (1 − y², y(1 − y)),
    /// saving a second transcendental call in the backward pass.
    pub fn df_from<T: Scalar>(self, x: T, y: T) -> T {
        match self {
            Self::Tanh => T::one() - y * y,
            Self::Sigmoid => y * (T::one() - y),
            _ => self.df(x),
        }
    }

    /// f′(x).
    pub fn df<T: Scalar>(self, x: T) -> T {
        match self {
            Self::Tanh => {
                let t = x.tanh_act();
                T::one() - t * t
            }
            Self::Relu => {
                if x > T::zero() {
                    T::one()
                } else {
                    T::zero()
                }
            }
            Self::Silu => {
                let s = x.sigmoid_act();
                s * (T::one() + x * (T::one() - s))
            }
            Self::Softplus => x.sigmoid_act(),
            Self::Sigmoid => {
                let s = x.sigmoid_act();
                s * (T::one() - s)
            }
        }
    }
}

/// An activation layer: caches its input and output for the backward pass.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(bound(
        serialize = "T: serde::Serialize",
        deserialize = "T: serde::Deserialize<'de>"
    ))
)]
pub struct Activation<T> {
    kind: ActivationKind,
    width: usize,
    #[cfg_attr(feature = "serde", serde(skip))]
    _scalar: core::marker::PhantomData<T>,
}

impl<T: Scalar> Activation<T> {
    /// `kind` applied to `width` values per sample.
    pub fn new(kind: ActivationKind, width: usize) -> Self {
        Self {
            kind,
            width,
            _scalar: core::marker::PhantomData,
        }
    }

    /// Values per sample.
    pub fn width(&self) -> usize {
        self.width
    }

    /// The nonlinearity.
    pub fn kind(&self) -> ActivationKind {
        self.kind
    }

    pub(crate) fn forward(&self, x: &[T], y: &mut Vec<T>) {
        y.clear();
        // One loop per kind, so the common tanh loop inlines and vectorises.
        match self.kind {
            ActivationKind::Tanh => y.extend(x.iter().map(|&v| v.tanh_act())),
            ActivationKind::Silu => {
                y.resize(x.len(), T::zero());
                for (y, &x) in y.iter_mut().zip(x) {
                    *y = ActivationKind::Silu.f(x);
                }
            }
            kind => y.extend(x.iter().map(|&v| kind.f(v))),
        }
    }

    /// ∂L/∂x for the last forward pass, whose input was `x` and output `y`.
    pub(crate) fn backward(&self, x: &[T], y: &[T], dy: &[T], dx: &mut Vec<T>) {
        dx.clear();
        match self.kind {
            ActivationKind::Tanh => {
                dx.extend(dy.iter().zip(y).map(|(&d, &y)| d * (T::one() - y * y)));
            }
            ActivationKind::Silu => {
                dx.resize(x.len(), T::zero());
                for ((dx, &d), &x) in dx.iter_mut().zip(dy).zip(x) {
                    *dx = d * ActivationKind::Silu.df(x);
                }
            }
            kind => dx.extend(
                dy.iter()
                    .zip(x.iter().zip(y))
                    .map(|(&d, (&x, &y))| d * kind.df_from(x, y)),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivative_from_output_matches_derivative_from_input() {
        for kind in [
            ActivationKind::Tanh,
            ActivationKind::Relu,
            ActivationKind::Silu,
            ActivationKind::Softplus,
            ActivationKind::Sigmoid,
        ] {
            for x in [-3.0f64, -0.5, 0.2, 4.0] {
                assert!(
                    (kind.df_from(x, kind.f(x)) - kind.df(x)).abs() < 1e-15,
                    "{kind:?} at {x}"
                );
            }
        }
    }
}
