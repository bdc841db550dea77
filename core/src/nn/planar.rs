//! Planar (complex) channels: pairs of real channels that hold one vector per site, with the
//! radial nonlinearity and the weight ties that make a network commute with global rotations.
//!
//! A pair (u, v) of channels is the complex feature z = u + iv. A convolution commutes with the
//! rotation z ↦ e^{iφ} z when each of its weights is a complex number w = a + ib acting by complex
//! multiplication (a rotation and a scaling): on the real pairs, the 2×2 block [[a, −b], [b, a]]
//! per (output pair, input pair, tap). Biases, and anything added to a pair, must be zero. A
//! per-pair real scale commutes, and so does a nonlinearity that acts on the modulus alone.

use super::Scalar;
use alloc::vec::Vec;

/// Sites per block of [`radial_forward`] / [`radial_backward`]: the square roots are taken in a
/// loop of their own, so the rest of the block (tanh and the gains) vectorises.
const BLOCK: usize = 16;

/// For each site of a block of u and v planes, (g, g′(r)/r) of [`gain`], in `T` (f32 networks
/// compute it in eight lanes).
#[inline(always)]
fn block_gains<T: Scalar>(u: &[T], v: &[T]) -> ([T; BLOCK], [T; BLOCK]) {
    let series = series_below::<T>();
    let mut r2 = [T::zero(); BLOCK];
    for ((r2, &u), &v) in r2.iter_mut().zip(u).zip(v) {
        *r2 = u * u + v * v;
    }
    let mut r = [T::zero(); BLOCK];
    for (r, &s) in r.iter_mut().zip(&r2) {
        *r = if s < series { T::one() } else { s }.sqrt();
    }
    let mut t = [T::zero(); BLOCK];
    for (t, &r) in t.iter_mut().zip(&r) {
        *t = r.tanh_act();
    }
    let (mut g, mut c) = ([T::zero(); BLOCK], [T::zero(); BLOCK]);
    for ((((g, c), &s), &r), &t) in g.iter_mut().zip(c.iter_mut()).zip(&r2).zip(&r).zip(&t) {
        (*g, *c) = gain(s, r, t, series);
    }
    (g, c)
}

/// The radial nonlinearity z ↦ z tanh(|z|)/|z|: keeps each vector's direction and squashes its
/// length to tanh |z| < 1 (the form of a mean-field update m = A(|η|) η/|η|). `x` is a sequence
/// of planes, `plane` sites each, in pairs (u plane, then v plane).
pub(crate) fn radial_forward<T: Scalar>(x: &[T], plane: usize, y: &mut Vec<T>) {
    y.clear();
    y.resize(x.len(), T::zero());
    for (xs, ys) in x.chunks(2 * plane).zip(y.chunks_mut(2 * plane)) {
        let (u, v) = xs.split_at(plane);
        let (yu, yv) = ys.split_at_mut(plane);
        for (((u, v), yu), yv) in u
            .chunks(BLOCK)
            .zip(v.chunks(BLOCK))
            .zip(yu.chunks_mut(BLOCK))
            .zip(yv.chunks_mut(BLOCK))
        {
            let (g, _) = block_gains(u, v);
            for ((((&u, &v), yu), yv), &g) in u.iter().zip(v).zip(yu).zip(yv).zip(&g) {
                (*yu, *yv) = (u * g, v * g);
            }
        }
    }
}

/// ∂L/∂x of [`radial_forward`] from ∂L/∂y: with y = x g(r), ∂y/∂x = g I + (g′(r)/r) x xᵀ, so
/// dx = g dy + (g′(r)/r)(x·dy) x.
pub(crate) fn radial_backward<T: Scalar>(x: &[T], dy: &[T], plane: usize, dx: &mut Vec<T>) {
    dx.clear();
    dx.resize(x.len(), T::zero());
    for ((xs, ds), out) in x
        .chunks(2 * plane)
        .zip(dy.chunks(2 * plane))
        .zip(dx.chunks_mut(2 * plane))
    {
        let (u, v) = xs.split_at(plane);
        let (du, dv) = ds.split_at(plane);
        let (ou, ov) = out.split_at_mut(plane);
        for ((((u, v), (du, dv)), ou), ov) in u
            .chunks(BLOCK)
            .zip(v.chunks(BLOCK))
            .zip(du.chunks(BLOCK).zip(dv.chunks(BLOCK)))
            .zip(ou.chunks_mut(BLOCK))
            .zip(ov.chunks_mut(BLOCK))
        {
            let (g, c) = block_gains(u, v);
            for (((((&u, &v), (&du, &dv)), ou), ov), (&g, &c)) in u
                .iter()
                .zip(v)
                .zip(du.iter().zip(dv))
                .zip(ou)
                .zip(ov)
                .zip(g.iter().zip(&c))
            {
                let dot = c * (u * du + v * dv);
                (*ou, *ov) = (g * du + dot * u, g * dv + dot * v);
            }
        }
    }
}

/// Below this r², [`gain`] takes the Taylor series: ε^¼ of `T` (1.2·10⁻⁴ in f64, 0.019 in f32),
/// where the closed form's cancellation (relative error ≈ ε/r²) and the series' truncation
/// (≈ r⁸/45 in g, r⁸/11 in g′/r) both stay far below ε^½.
fn series_below<T: Scalar>() -> T {
    T::epsilon().sqrt().sqrt()
}

/// g(r) = tanh(r)/r and g′(r)/r = (1 − tanh² r − g)/r² from r², r = √r² (any positive value
/// where r² < `series`) and t = tanh r; their Taylor series below r² = `series` (where the
/// closed forms cancel). Both forms are computed and one selected, so a loop of calls
/// vectorises.
#[inline(always)]
fn gain<T: Scalar>(r2: T, r: T, t: T, series: T) -> (T, T) {
    let k = |x: f64| T::of(x);
    let gs = T::one() + r2 * (k(-1.0 / 3.0) + r2 * (k(2.0 / 15.0) + r2 * k(-17.0 / 315.0)));
    let cs =
        k(-2.0 / 3.0) + r2 * (k(8.0 / 15.0) + r2 * (k(-102.0 / 315.0) + r2 * k(496.0 / 2835.0)));
    let g = t / r;
    let c = (T::one() - t * t - g) / r2;
    if r2 < series { (gs, cs) } else { (g, c) }
}

/// One parameter tensor of a planar network, as it is laid out in its flat storage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tied {
    /// A convolution's W (outputs × inputs × taps) followed by b (outputs), real channel counts.
    Conv {
        inputs: usize,
        outputs: usize,
        taps: usize,
    },
    /// A FiLM map: W (2C × conditions, rows γ then β) followed by b (2C).
    Film { channels: usize, conditions: usize },
}

impl Tied {
    /// Values in the tensor.
    #[cfg(any(feature = "serde", test))]
    pub(crate) fn len(self) -> usize {
        match self {
            Self::Conv {
                inputs,
                outputs,
                taps,
            } => outputs * inputs * taps + outputs,
            Self::Film {
                channels,
                conditions,
            } => 2 * channels * (conditions + 1),
        }
    }

    /// Free parameters: the dimension of the tied subspace [`Tied::project`] maps onto — a
    /// complex weight (a, b) per (output pair, input pair, tap), no bias; one FiLM scale weight
    /// per (pair, condition) and one scale bias per pair, no shift.
    pub(crate) fn free(self) -> usize {
        match self {
            Self::Conv {
                inputs,
                outputs,
                taps,
            } => 2 * (outputs / 2) * (inputs / 2) * taps,
            Self::Film {
                channels,
                conditions,
            } => (channels / 2) * (conditions + 1),
        }
    }

    /// Project `t` (parameters or gradients; `self.len()` values) onto the tied subspace, the
    /// orthogonal projection: each 2×2 block [[p, q], [r, s]] becomes [[a, −b], [b, a]] with
    /// a = (p + s)/2, b = (r − q)/2; biases and FiLM shifts become 0; the two FiLM scales of a
    /// pair their mean. Parameters so projected stay tied under any element-wise optimiser fed
    /// projected gradients (Adam's moments of a tied pair see equal or negated values).
    pub(crate) fn project<T: Scalar>(self, t: &mut [T]) {
        let half = T::of(0.5);
        match self {
            Self::Conv {
                inputs,
                outputs,
                taps,
            } => {
                let (w, b) = t.split_at_mut(outputs * inputs * taps);
                let at = |o: usize, i: usize, k: usize| (o * inputs + i) * taps + k;
                for (o, i, k) in (0..outputs / 2).flat_map(|o| {
                    (0..inputs / 2).flat_map(move |i| (0..taps).map(move |k| (o, i, k)))
                }) {
                    let (p, q) = (at(2 * o, 2 * i, k), at(2 * o, 2 * i + 1, k));
                    let (r, s) = (at(2 * o + 1, 2 * i, k), at(2 * o + 1, 2 * i + 1, k));
                    let a = (w[p] + w[s]) * half;
                    let bb = (w[r] - w[q]) * half;
                    (w[p], w[s], w[r], w[q]) = (a, a, bb, -bb);
                }
                b.iter_mut().for_each(|v| *v = T::zero());
            }
            Self::Film {
                channels,
                conditions,
            } => {
                let (w, b) = t.split_at_mut(2 * channels * conditions);
                for pair in 0..channels / 2 {
                    let (r0, r1) = (2 * pair, 2 * pair + 1);
                    for j in 0..conditions {
                        let m = (w[r0 * conditions + j] + w[r1 * conditions + j]) * half;
                        (w[r0 * conditions + j], w[r1 * conditions + j]) = (m, m);
                    }
                    let m = (b[r0] + b[r1]) * half;
                    (b[r0], b[r1]) = (m, m);
                }
                w[channels * conditions..]
                    .iter_mut()
                    .chain(&mut b[channels..])
                    .for_each(|v| *v = T::zero());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    /// [`gain`] at radius r, as the blocks call it, in `T`, returned in f64.
    fn at<T: Scalar>(r: f64) -> (f64, f64) {
        let series = series_below::<T>();
        let r2 = T::of(r) * T::of(r);
        let rr = if r2 < series { T::one() } else { r2 }.sqrt();
        let (g, c) = gain(r2, rr, rr.tanh_act(), series);
        (g.to_f64().unwrap(), c.to_f64().unwrap())
    }

    #[test]
    fn the_radial_gain_and_its_derivative_match_their_closed_forms_and_finite_differences() {
        let switch = libm::sqrt(series_below::<f64>());
        for r in [
            0.0,
            1e-6,
            3e-3,
            0.99 * switch,
            1.01 * switch,
            0.3,
            1.0,
            4.0,
            30.0,
        ] {
            let (g, c) = at::<f64>(r);
            if r > 0.0 {
                assert!((g - libm::tanh(r) / r).abs() < 1e-15, "g({r})");
            }
            let h = 1e-5 * (1.0 + r);
            let dg = (at::<f64>(r + h).0 - at::<f64>(r - h).0) / (2.0 * h);
            if r > 2.0 * h {
                assert!((c * r - dg).abs() < 1e-8, "g'({r}): {} vs {dg}", c * r);
            } else {
                assert!((c + 2.0 / 3.0).abs() < 1e-4, "g'(r)/r at {r}: {c}");
            }
        }
        // Continuity across the switch to the series (values 2·10⁻⁸ apart differ by their
        // slope, ≈ 10⁻¹⁰).
        let (below, above) = (at::<f64>(switch - 1e-8), at::<f64>(switch + 1e-8));
        assert!(
            (below.0 - above.0).abs() < 1e-9 && (below.1 - above.1).abs() < 1e-9,
            "{below:?} {above:?}"
        );
    }

    #[test]
    fn the_f32_radial_gain_matches_f64_to_f32_precision() {
        // The f32 switch lies at r ≈ 0.14; around it and far from it, g to a few ulp of f32 and
        // g′(r)/r (a difference of numbers near 1 divided by r²) to 10⁻⁴ relative.
        let switch = libm::sqrt(f64::from(series_below::<f32>()));
        for r in [
            0.0,
            1e-3,
            0.05,
            0.99 * switch,
            1.01 * switch,
            0.3,
            1.0,
            4.0,
            8.9,
            30.0,
        ] {
            let r = f64::from(r as f32);
            let ((g, c), (g64, c64)) = (at::<f32>(r), at::<f64>(r));
            assert!((g - g64).abs() <= 1e-6 * g64.abs(), "g({r}): {g} vs {g64}");
            assert!(
                (c - c64).abs() <= 1e-4 * c64.abs() + 1e-7,
                "g'/r({r}): {c} vs {c64}"
            );
        }
    }

    #[test]
    fn radial_backward_matches_finite_differences_and_forward_is_rotation_equivariant() {
        let plane = 3;
        let x = [0.3, -1.2, 0.0, 0.8, 2.5, 1e-7];
        let r = [0.7, -0.4, 1.1, 0.2, -0.9, 0.5];
        let loss = |x: &[f64]| {
            let mut y = Vec::new();
            radial_forward(x, plane, &mut y);
            y.iter().zip(&r).map(|(a, b)| a * b).sum::<f64>()
        };
        let mut dx = Vec::new();
        radial_backward(&x, &r, plane, &mut dx);
        for i in 0..x.len() {
            let mut xp = x;
            let mut xm = x;
            xp[i] += 1e-6;
            xm[i] -= 1e-6;
            let numeric = (loss(&xp) - loss(&xm)) / 2e-6;
            assert!(
                (dx[i] - numeric).abs() < 1e-8,
                "{i}: {} vs {numeric}",
                dx[i]
            );
        }
        let (c, s) = (libm::cos(0.7), libm::sin(0.7));
        let rotate = |z: &[f64]| -> Vec<f64> {
            let (u, v) = z.split_at(plane);
            let mut out = vec![0.0; z.len()];
            for k in 0..plane {
                out[k] = c * u[k] - s * v[k];
                out[plane + k] = s * u[k] + c * v[k];
            }
            out
        };
        let (mut y, mut yr) = (Vec::new(), Vec::new());
        radial_forward(&x, plane, &mut y);
        radial_forward(&rotate(&x), plane, &mut yr);
        for (a, b) in yr.iter().zip(rotate(&y)) {
            assert!((a - b).abs() < 1e-15);
        }
    }

    #[test]
    fn free_parameters_are_the_projections_rank() {
        // An orthogonal projection's rank is its trace: Σ_i (P e_i)_i.
        for t in [
            Tied::Conv {
                inputs: 4,
                outputs: 6,
                taps: 9,
            },
            Tied::Film {
                channels: 6,
                conditions: 3,
            },
        ] {
            let trace: f64 = (0..t.len())
                .map(|i| {
                    let mut e = vec![0.0; t.len()];
                    e[i] = 1.0;
                    t.project(&mut e);
                    e[i]
                })
                .sum();
            assert!((trace - t.free() as f64).abs() < 1e-12, "{t:?}: {trace}");
            assert!(t.free() < t.len());
        }
    }

    #[test]
    fn projection_ties_complex_blocks_and_is_idempotent() {
        let conv = Tied::Conv {
            inputs: 2,
            outputs: 4,
            taps: 2,
        };
        let mut t: Vec<f64> = (0..conv.len()).map(|i| (i as f64 * 0.37).sin()).collect();
        let original = t.clone();
        conv.project(&mut t);
        let at = |o: usize, i: usize, k: usize| (o * 2 + i) * 2 + k;
        for o in 0..2 {
            for k in 0..2 {
                let (p, q, r, s) = (
                    at(2 * o, 0, k),
                    at(2 * o, 1, k),
                    at(2 * o + 1, 0, k),
                    at(2 * o + 1, 1, k),
                );
                assert_eq!(t[p], t[s]);
                assert_eq!(t[q], -t[r]);
                assert!((t[p] - (original[p] + original[s]) / 2.0).abs() < 1e-15);
                assert!((t[r] - (original[r] - original[q]) / 2.0).abs() < 1e-15);
            }
        }
        assert!(t[16..].iter().all(|&b| b == 0.0));
        let once = t.clone();
        conv.project(&mut t);
        assert_eq!(t, once);
        let film = Tied::Film {
            channels: 4,
            conditions: 3,
        };
        let mut f: Vec<f64> = (0..film.len()).map(|i| 1.0 + i as f64).collect();
        film.project(&mut f);
        assert_eq!(&f[0..3], &f[3..6]);
        assert_eq!(f[0], 2.5);
        assert!(f[12..24].iter().all(|&v| v == 0.0));
        assert_eq!((f[24], f[25]), (25.5, 25.5));
        assert!(f[28..].iter().all(|&v| v == 0.0));
    }
}
