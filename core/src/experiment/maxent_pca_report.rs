//! A [`MaxentPca`] run's outputs as text, CSV, JSON and SVG — what `entropic maxent pca`
//! prints and writes (PCA as a Min-MaxEnt solution, paper Sec. I.1, Fig. 2). Writing to a
//! `String` cannot fail, so the `fmt::Write` results below are discarded.
use super::{MaxentPca, MaxentPcaResult};
use crate::maxent::pca_entropy_2d;
use alloc::format;
use alloc::string::String;
use core::f64::consts::{FRAC_PI_2, PI};
use core::fmt::Write as _;

/// Points of the entropy-versus-angle curve over [−π/2, π/2].
const CURVE_POINTS: usize = 361;

/// The learned angle against PCA's, the MaxEnt entropy S(θ) of Eq. 15 over every angle, and
/// the training history, as text, CSV, JSON and figures.
///
/// # Examples
/// ```
/// use entropic::experiment::{MaxentPca, MaxentPcaConfig, MaxentPcaReport, Sequential};
/// let config = MaxentPcaConfig { samples: 500, walkers: 100, iterations: 20, ..MaxentPcaConfig::default() };
/// let run = MaxentPca::new(config)?;
/// let result = run.run(1, &Sequential)?;
/// let report = MaxentPcaReport::new(&run, &result);
/// assert!(report.text().starts_with("learned θ = "));
/// let [(_, curve), (_, training)] = report.tables();
/// assert_eq!(curve.lines().count(), 1 + 361);
/// assert_eq!(training.lines().count(), 1 + result.reports.len());
/// # Ok::<(), entropic::experiment::ExperimentError>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct MaxentPcaReport<'a> {
    /// Read by [`Self::json`] only.
    #[cfg_attr(not(feature = "serde"), allow(dead_code))]
    run: &'a MaxentPca,
    result: &'a MaxentPcaResult,
}

impl<'a> MaxentPcaReport<'a> {
    /// The report of `result`, what `run` returned.
    pub fn new(run: &'a MaxentPca, result: &'a MaxentPcaResult) -> Self {
        Self { run, result }
    }

    /// The angles of the entropy curve, −π/2 to π/2.
    fn angles() -> impl Iterator<Item = f64> {
        (0..CURVE_POINTS).map(|k| -FRAC_PI_2 + PI * k as f64 / (CURVE_POINTS - 1) as f64)
    }

    /// The learned θ beside PCA's angle, their distance, the entropy at θ and its minimum, and
    /// the final χ² and λ.
    pub fn text(&self) -> String {
        let r = self.result;
        let mut text = format!(
            "learned θ = {:.6} rad; PCA angle of the sample covariance θ* = {:.6} (true Σ: {:.6})\n",
            r.theta, r.pca_angle_sample, r.pca_angle_true
        );
        let _ = writeln!(text, "|θ − θ*| (mod π/2) = {:.2e} rad", r.angle_error);
        let _ = writeln!(
            text,
            "MaxEnt entropy at θ: {:.6} nats (minimum, at θ*: {:.6})",
            r.entropy_at_theta, r.entropy_minimum
        );
        let _ = writeln!(
            text,
            "final χ² = {:.3e}, λ = {:?}",
            r.reports.last().map_or(f64::NAN, |r| r.chi2),
            r.lambda
        );
        text
    }

    /// `entropy_vs_angle.csv` (S(θ) of the true and the sample covariance at 361 angles) and
    /// `training.csv` (χ², λ, |dS/dθ| and acceptance per iteration), as (file name, CSV).
    pub fn tables(&self) -> [(&'static str, String); 2] {
        let r = self.result;
        let mut curve = String::from("theta,entropy_true_sigma,entropy_sample_sigma\n");
        for a in Self::angles() {
            let _ = writeln!(
                curve,
                "{a},{},{}",
                pca_entropy_2d(r.sigma, a),
                pca_entropy_2d(r.sample_sigma, a)
            );
        }
        let mut training =
            String::from("iteration,chi2,lambda1,lambda2,theta_gradient_norm,acceptance\n");
        for i in &r.reports {
            let _ = writeln!(
                training,
                "{},{},{},{},{},{}",
                i.iteration, i.chi2, i.lambda[0], i.lambda[1], i.theta_gradient_norm, i.acceptance
            );
        }
        [("entropy_vs_angle.csv", curve), ("training.csv", training)]
    }

    /// `pca.json`: the settings, the covariances, the learned and PCA angles, λ and the
    /// entropies.
    #[cfg(feature = "serde")]
    pub fn json(&self, seed: u64) -> serde_json::Value {
        let r = self.result;
        serde_json::json!({
            "command": "maxent pca", "seed": seed, "config": self.run.config(),
            "sigma": r.sigma, "sample_sigma": r.sample_sigma, "theta": r.theta,
            "pca_angle_sample": r.pca_angle_sample, "pca_angle_true": r.pca_angle_true,
            "angle_error": r.angle_error, "lambda": r.lambda,
            "entropy_at_theta": r.entropy_at_theta, "entropy_minimum": r.entropy_minimum,
        })
    }

    /// `entropy_vs_angle.svg` (S(θ) of the sample covariance with the learned θ on it) and
    /// `training.svg` (log₁₀ χ² and log₁₀ |dS/dθ| per iteration).
    ///
    /// # Errors
    /// [`PlotError`](crate::plot::PlotError) if drawing fails.
    #[cfg(feature = "plot")]
    pub fn figures(
        &self,
    ) -> Result<alloc::vec::Vec<(&'static str, String)>, crate::plot::PlotError> {
        use crate::plot::{Series, line_chart};
        let r = self.result;
        let curve = Series {
            name: "S(θ), Eq. 15 (sample Σ)",
            points: Self::angles()
                .map(|a| (a, pca_entropy_2d(r.sample_sigma, a)))
                .collect(),
            errors: alloc::vec![],
        };
        let learned = Series {
            name: "learned θ",
            points: alloc::vec![(r.theta, pca_entropy_2d(r.sample_sigma, r.theta))],
            errors: alloc::vec![0.0],
        };
        let entropy = line_chart(
            "MaxEnt entropy vs rotation angle",
            "θ (rad)",
            "S (nats)",
            &[curve, learned],
        )?;
        let chi = Series {
            name: "χ²",
            points: r
                .reports
                .iter()
                .map(|i| (i.iteration as f64, i.chi2.max(1e-12).log10()))
                .collect(),
            errors: alloc::vec![],
        };
        let grad = Series {
            name: "|dS/dθ|",
            points: r
                .reports
                .iter()
                .filter(|i| i.theta_gradient_norm > 0.0)
                .map(|i| (i.iteration as f64, i.theta_gradient_norm.log10()))
                .collect(),
            errors: alloc::vec![],
        };
        let training = line_chart(
            "Min-MaxEnt training (log10)",
            "iteration",
            "log10",
            &[chi, grad],
        )?;
        Ok(alloc::vec![
            ("entropy_vs_angle.svg", entropy),
            ("training.svg", training)
        ])
    }
}
