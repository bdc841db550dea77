//! The paper's claims about a sweep of latent-cycle runs (nonequilibrium latent cycles paper,
//! Sec. IV.2, Fig. 2c and 4), tested on the runs' final numbers: the library side of the report
//! of `entropic latent sweep`.
use super::ExperimentError;
use crate::stats::{mean_and_sd, ranks, spearman};
use alloc::vec::Vec;

/// The final numbers of one run that the claims need, with σ from one estimator.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunSummary {
    /// Entropy production σ (Eq. 21), nats per double step.
    pub sigma: f64,
    /// Log-likelihood per image.
    pub ll: f64,
    /// Decorrelation time τ (Eq. 23).
    pub tau: f64,
    /// Mean diagonal of M (Eq. 24).
    pub mean_diagonal: f64,
    /// Class KL (Eq. 22); +∞ when a digit has no hidden unit.
    pub kl: f64,
}

/// A rank correlation and what it says about a claim.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Correlation {
    /// Spearman's ρ.
    pub rho: f64,
    /// ρ·√(n − 1) times the sign the claim predicts: about the number of standard deviations
    /// of ρ under independence, positive when the data lean the claim's way.
    pub z: f64,
    /// Whether |z| > 2 and which way.
    pub verdict: Verdict,
}

/// Whether a claim holds on the runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
pub enum Verdict {
    /// The data support it (z > 2).
    Supported,
    /// Neither way (|z| ≤ 2).
    NotSignificant,
    /// The data lean significantly the other way (z < −2).
    Contradicted,
}

impl Verdict {
    /// The verdict in words.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Supported => "supported",
            Self::NotSignificant => "not significant",
            Self::Contradicted => "contradicted",
        }
    }
}

impl Correlation {
    fn new(x: &[f64], y: &[f64], expected_sign: f64) -> Result<Self, ExperimentError> {
        let rho = spearman(x, y)?;
        let z = rho * libm::sqrt((x.len() - 1) as f64) * expected_sign;
        let verdict = if z > 2.0 {
            Verdict::Supported
        } else if z < -2.0 {
            Verdict::Contradicted
        } else {
            Verdict::NotSignificant
        };
        Ok(Self { rho, z, verdict })
    }
}

/// A group of runs: count, mean σ, and ln p as mean ± sd.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Group {
    /// Runs in it.
    pub runs: usize,
    /// Median σ of its runs.
    pub median_sigma: f64,
    /// Mean ln p of its runs.
    pub ll_mean: f64,
    /// Standard deviation of ln p over its runs.
    pub ll_sd: f64,
}

impl Group {
    fn of(runs: &[&RunSummary]) -> Self {
        let ll: Vec<f64> = runs.iter().map(|r| r.ll).collect();
        let mut sigma: Vec<f64> = runs.iter().map(|r| r.sigma).collect();
        sigma.sort_by(f64::total_cmp);
        let (ll_mean, ll_sd) = mean_and_sd(&ll);
        Self {
            runs: runs.len(),
            median_sigma: sigma.get(sigma.len() / 2).copied().unwrap_or(f64::NAN),
            ll_mean,
            ll_sd,
        }
    }
}

/// The four claims of Sec. IV.2 and the regimes of Fig. 2(c), on one σ estimator's values.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LatentClaims {
    /// Runs.
    pub runs: usize,
    /// 1. High log-likelihood only with high σ: ρ(σ, ln p), expected positive.
    pub sigma_ll: Correlation,
    /// Runs below the median σ.
    pub below_median: Group,
    /// Runs at or above the median σ.
    pub above_median: Group,
    /// 2. Runs whose mean diagonal is at or above 1/L (the claim: none).
    pub diagonal_at_or_above_uniform: usize,
    /// Smallest and largest mean diagonal.
    pub diagonal_range: (f64, f64),
    /// 3. τ grows with σ: ρ(σ, τ), expected positive.
    pub sigma_tau: Correlation,
    /// 4. Low class KL only with large σ: ρ(σ, KL), expected negative.
    pub sigma_kl: Correlation,
    /// Runs with a finite KL (every digit has a hidden unit).
    pub finite_kl: usize,
    /// Fig. 2(c)'s three regimes looked for in the (σ, ln p) plane: three clusters of the runs'
    /// ranks in σ and in ln p (Lloyd's k-means started from the σ terciles), ordered by σ.
    pub regimes: [Group; 3],
}

impl LatentClaims {
    /// The claims on `runs` of a model with `hidden` one-hot units (1/L is the uniform
    /// diagonal).
    ///
    /// # Errors
    /// [`ExperimentError::Config`] for fewer than 3 runs; [`ExperimentError::Stats`] for NaN
    /// values.
    pub fn new(runs: &[RunSummary], hidden: usize) -> Result<Self, ExperimentError> {
        let n = runs.len();
        if n < 3 {
            return Err(ExperimentError::config(
                "runs",
                "the claims need at least 3 runs",
            ));
        }
        let col = |f: fn(&RunSummary) -> f64| -> Vec<f64> { runs.iter().map(f).collect() };
        let (sigma, ll, tau, diag, kl) = (
            col(|r| r.sigma),
            col(|r| r.ll),
            col(|r| r.tau),
            col(|r| r.mean_diagonal),
            col(|r| r.kl),
        );
        let mut sorted = sigma.clone();
        sorted.sort_by(f64::total_cmp);
        let median = sorted[n / 2];
        let split = |above: bool| -> Vec<&RunSummary> {
            runs.iter()
                .filter(|r| (r.sigma >= median) == above)
                .collect()
        };
        let uniform = 1.0 / hidden as f64;
        Ok(Self {
            runs: n,
            sigma_ll: Correlation::new(&sigma, &ll, 1.0)?,
            below_median: Group::of(&split(false)),
            above_median: Group::of(&split(true)),
            diagonal_at_or_above_uniform: diag.iter().filter(|&&d| d >= uniform).count(),
            diagonal_range: (
                diag.iter().copied().fold(f64::INFINITY, f64::min),
                diag.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            ),
            sigma_tau: Correlation::new(&sigma, &tau, 1.0)?,
            sigma_kl: Correlation::new(&sigma, &kl, -1.0)?,
            finite_kl: kl.iter().filter(|k| k.is_finite()).count(),
            regimes: regimes(runs),
        })
    }
}

/// Ranks of `v` scaled to [0, 1] (ties given their mean rank).
fn unit_ranks(v: &[f64]) -> Vec<f64> {
    let scale = (v.len() - 1).max(1) as f64;
    ranks(v).iter().map(|r| (r - 1.0) / scale).collect()
}

/// Three clusters of the runs in (rank σ, rank ln p), ordered by their median σ.
fn regimes(runs: &[RunSummary]) -> [Group; 3] {
    let n = runs.len();
    let rs = unit_ranks(&runs.iter().map(|r| r.sigma).collect::<Vec<_>>());
    let rl = unit_ranks(&runs.iter().map(|r| r.ll).collect::<Vec<_>>());
    // Start from the σ terciles; Lloyd's iterations until the assignment is stable.
    let mut label: Vec<usize> = rs.iter().map(|&s| ((s * 3.0) as usize).min(2)).collect();
    for _ in 0..100 {
        let mut centre = [(0.0, 0.0, 0usize); 3];
        for i in 0..n {
            let c = &mut centre[label[i]];
            c.0 += rs[i];
            c.1 += rl[i];
            c.2 += 1;
        }
        let centre = centre.map(|(s, l, m)| {
            if m == 0 {
                (f64::NAN, f64::NAN)
            } else {
                (s / m as f64, l / m as f64)
            }
        });
        let next: Vec<usize> = (0..n)
            .map(|i| {
                let d = |c: &(f64, f64)| {
                    let (a, b) = (rs[i] - c.0, rl[i] - c.1);
                    if a.is_nan() {
                        f64::INFINITY
                    } else {
                        a * a + b * b
                    }
                };
                (0..3)
                    .min_by(|&a, &b| d(&centre[a]).total_cmp(&d(&centre[b])))
                    .unwrap_or(0)
            })
            .collect();
        if next == label {
            break;
        }
        label = next;
    }
    let mut groups = [0, 1, 2].map(|c| {
        Group::of(
            &runs
                .iter()
                .zip(&label)
                .filter(|&(_, &l)| l == c)
                .map(|(r, _)| r)
                .collect::<Vec<_>>(),
        )
    });
    groups.sort_by(|a, b| a.median_sigma.total_cmp(&b.median_sigma));
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(sigma: f64, ll: f64) -> RunSummary {
        RunSummary {
            sigma,
            ll,
            tau: 10.0 * sigma,
            mean_diagonal: 0.1,
            kl: 1.0 / sigma,
        }
    }

    #[test]
    fn claims_follow_planted_relations_and_find_three_planted_regimes() {
        // Three planted groups: low σ/low ln p, mid σ/high ln p, high σ/high ln p.
        let mut runs = Vec::new();
        for i in 0..8 {
            let e = i as f64 * 0.01;
            runs.push(run(0.1 + e, -160.0 + e));
            runs.push(run(10.0 + e, -146.0 + e));
            runs.push(run(100.0 + e, -145.5 + e));
        }
        let c = LatentClaims::new(&runs, 6).unwrap();
        assert_eq!(c.sigma_ll.verdict, Verdict::Supported);
        assert_eq!(c.sigma_tau.verdict, Verdict::Supported);
        assert_eq!(c.sigma_tau.rho, 1.0);
        assert_eq!(c.sigma_kl.verdict, Verdict::Supported);
        assert_eq!(c.diagonal_at_or_above_uniform, 0);
        assert_eq!(c.regimes.map(|g| g.runs), [8, 8, 8]);
        assert!(c.regimes[0].ll_mean < -159.0 && c.regimes[2].median_sigma > 99.0);
        // Reversed relation: contradicted, not merely unsupported.
        let flipped: Vec<RunSummary> = runs.iter().map(|r| run(r.sigma, -r.ll)).collect();
        let c = LatentClaims::new(&flipped, 6).unwrap();
        assert_eq!(c.sigma_ll.verdict, Verdict::Contradicted);
        assert!(LatentClaims::new(&runs[..2], 6).is_err());
    }
}
