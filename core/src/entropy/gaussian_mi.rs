use super::gaussian_fit::log_det_spd;
use super::mutual_information::joined;
use super::{EntropyError, MutualInformation, Samples};
use crate::estimate::{Estimate, Unit};
use nalgebra::DMatrix;

/// The mutual information of the Gaussian with the samples' joint covariance (canonical
/// correlation analysis): I = ½ [ln det Σ̂_x + ln det Σ̂_y − ln det Σ̂] = −½ Σᵢ ln(1 − ρᵢ²), ρᵢ the
/// canonical correlations. Exact for jointly Gaussian data and a lower bound on I(X; Y) for any
/// data with those second moments. Its error bar is the Gaussian-data asymptotic standard
/// deviation √(Σᵢ ρᵢ²)/√n (the delta method on the canonical correlations).
///
/// # Examples
/// ```
/// use entropic::entropy::{GaussianMutualInformation, MutualInformation, Samples};
/// let mut rng = entropic::rng::from_seed(3);
/// let rho: f64 = 0.6;
/// let (mut x, mut y) = (Vec::new(), Vec::new());
/// for _ in 0..20_000 {
///     let (a, b) = entropic::rng::normal_pair(&mut rng);
///     x.push(a);
///     y.push(rho * a + (1.0 - rho * rho).sqrt() * b);
/// }
/// let i = GaussianMutualInformation.estimate(&Samples::new(x, 1)?, &Samples::new(y, 1)?)?;
/// let exact = -0.5 * (1.0 - rho * rho).ln();
/// assert!((i.value - exact).abs() < 4.0 * i.std_error);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct GaussianMutualInformation;

impl MutualInformation for GaussianMutualInformation {
    fn estimate(&self, x: &Samples, y: &Samples) -> Result<Estimate, EntropyError> {
        let (dx, dy) = (x.dim(), y.dim());
        let d = dx + dy;
        let joint = joined(x, y, d + 2)?;
        let n = joint.len();
        let (_, cov) = joint.mean_and_covariance()?;
        let c = DMatrix::from_row_slice(d, d, &cov);
        let singular = "the sample covariance is singular (a constant or duplicated column)";
        let log_det = |m: DMatrix<f64>| log_det_spd(m, singular);
        let value = 0.5
            * (log_det(c.view((0, 0), (dx, dx)).into_owned())?
                + log_det(c.view((dx, dx), (dy, dy)).into_owned())?
                - log_det(c.clone())?);
        // Σᵢ ρᵢ² = tr(Σ_x⁻¹ Σ_xy Σ_y⁻¹ Σ_yx).
        let inv = |m: DMatrix<f64>| m.cholesky().map(|c| c.inverse());
        let (ix, iy) = (
            inv(c.view((0, 0), (dx, dx)).into_owned()),
            inv(c.view((dx, dx), (dy, dy)).into_owned()),
        );
        let (Some(ix), Some(iy)) = (ix, iy) else {
            return Err(EntropyError::Degenerate(singular));
        };
        let sxy = c.view((0, dx), (dx, dy)).into_owned();
        let rho2 = (ix * &sxy * iy * sxy.transpose()).trace();
        Ok(Estimate::new(
            value.max(0.0),
            libm::sqrt(rho2.max(0.0) / n as f64),
            Unit::Nats,
            n,
        ))
    }
}
