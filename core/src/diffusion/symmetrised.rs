//! [`Symmetrised`]: a denoiser averaged over symmetries of the square lattice and of the spins.
use super::{Denoiser, DiffusionError, SpinKind};
use alloc::vec::Vec;

/// Symmetries of an L×L periodic lattice of spins that the data's distribution is *assumed*
/// to have — an assumption about the data, not about a Hamiltonian (it holds for any
/// isotropic nearest- and further-neighbour model in zero field; an anisotropic coupling, a
/// field or chiral interactions break it). Both default to false: nothing assumed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct LatticeSymmetries {
    /// The eight rotations and reflections of the square lattice (the point group D₄).
    pub point_group: bool,
    /// The global spin reflection: s ↦ −s (Ising, zero field) or (cos θ, sin θ) ↦ (cos θ, −sin θ)
    /// (planar).
    pub spin_reflection: bool,
}

impl LatticeSymmetries {
    /// Elements of the group: 1, 2, 8 or 16.
    pub fn order(self) -> usize {
        (if self.point_group { 8 } else { 1 }) * (if self.spin_reflection { 2 } else { 1 })
    }
}

/// One element of the group: a point-group map of the sites and whether the spins are reflected.
#[derive(Clone, Copy, Debug)]
struct Element {
    /// Index into [`point_map`]'s eight maps (0 = identity).
    point: u8,
    reflect: bool,
}

/// The site (r, c) of an L×L lattice moves to under the point-group element `k` (0–7: the
/// identity, the rotations by 90°, 180°, 270°, and the four reflections).
fn point_map(k: u8, side: usize, r: usize, c: usize) -> (usize, usize) {
    let m = side - 1;
    match k {
        0 => (r, c),
        1 => (c, m - r),
        2 => (m - r, m - c),
        3 => (m - c, r),
        4 => (r, m - c),
        5 => (c, r),
        6 => (m - r, c),
        _ => (m - c, m - r),
    }
}

/// The spin reflection R of one site's coordinates: the last coordinate changes sign (s ↦ −s
/// for Ising, sin θ ↦ −sin θ for planar spins). R = R⁻¹.
fn reflect(site: &mut [f64]) {
    if let Some(v) = site.last_mut() {
        *v = -*v;
    }
}

/// `dst = g src` for every lattice of `c`-coordinate sites in `src`: site i's spin, reflected if
/// `e.reflect`, goes to site `to[i]`.
fn act(e: Element, to: &[usize], c: usize, src: &[f64], dst: &mut [f64]) {
    let d = to.len() * c;
    for (src, dst) in src.chunks(d).zip(dst.chunks_mut(d)) {
        for (i, &j) in to.iter().enumerate() {
            let site = &mut dst[j * c..(j + 1) * c];
            site.copy_from_slice(&src[i * c..(i + 1) * c]);
            if e.reflect {
                reflect(site);
            }
        }
    }
}

/// The group average of a denoiser (the Reynolds operator):
///
/// x̂_G(x) = (1/|G|) Σ_{g ∈ G} g⁻¹ x̂(g x),
///
/// with g running over the chosen [`LatticeSymmetries`] of an L×L lattice (sites row-major, each
/// site's `kind.components()` coordinates together), each g an orthogonal map (a permutation of
/// the sites, times a reflection of every spin). If the clean data's distribution is invariant
/// under G, so is the law of (x₀, x = k x₀ + σz), the exact posterior mean is G-equivariant and
/// left unchanged, and for any other denoiser the mean squared error can only fall:
/// E‖x̂_G − x₀‖² ≤ (1/|G|) Σ_g E‖x̂(gx) − gx₀‖² = E‖x̂ − x₀‖² (Jensen). An I-MMSE entropy from
/// it is therefore a tighter upper bound. Each evaluation costs |G| evaluations of the wrapped
/// denoiser; with no symmetry it is the wrapped denoiser, bit for bit.
///
/// # Examples
/// A denoiser that ignores its input's second site is averaged with its mirror image:
/// ```
/// use entropic::diffusion::{Denoiser, DiffusionError, LatticeSymmetries, SpinKind, Symmetrised};
///
/// #[derive(Clone)]
/// struct FirstSiteOnly;
/// impl Denoiser for FirstSiteOnly {
///     fn dim(&self) -> usize { 4 }
///     fn denoise_batch(&mut self, x: &[f64], _: &[f64], out: &mut [f64]) -> Result<(), DiffusionError> {
///         for (o, x) in out.chunks_mut(4).zip(x.chunks(4)) {
///             o.fill(0.0);
///             o[0] = x[0].tanh();
///         }
///         Ok(())
///     }
/// }
/// let group = LatticeSymmetries { point_group: true, spin_reflection: true };
/// let mut sym = Symmetrised::new(FirstSiteOnly, SpinKind::Ising, 2, group)?;
/// let mut out = [0.0; 4];
/// sym.denoise_batch(&[1.0, 0.0, 0.0, 0.0], &[0.0], &mut out)?;
/// // Each of the 2×2 lattice's four sites is the first site under two of the eight maps.
/// assert!((out[0] - 1f64.tanh() / 4.0).abs() < 1e-15 && out[3] == 0.0);
/// # Ok::<(), DiffusionError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Symmetrised<D> {
    denoiser: D,
    /// Coordinates per site.
    components: usize,
    /// For each group element, the destination site of every site.
    maps: Vec<(Element, Vec<usize>)>,
    moved: Vec<f64>,
    mean: Vec<f64>,
}

impl<D: Denoiser> Symmetrised<D> {
    /// `denoiser` of L×L lattices (`side` = L) of `kind` spins averaged over `symmetries`.
    ///
    /// # Errors
    /// [`DiffusionError::Shape`] if the denoiser's dimension is not L² × components.
    pub fn new(
        denoiser: D,
        kind: SpinKind,
        side: usize,
        symmetries: LatticeSymmetries,
    ) -> Result<Self, DiffusionError> {
        if side == 0
            || side.checked_mul(side).map(|n| n * kind.components()) != Some(denoiser.dim())
        {
            return Err(DiffusionError::Shape(
                "a symmetrised denoiser needs dimension L² × the spin's components",
            ));
        }
        let points: &[u8] = if symmetries.point_group {
            &[0, 1, 2, 3, 4, 5, 6, 7]
        } else {
            &[0]
        };
        let reflections: &[bool] = if symmetries.spin_reflection {
            &[false, true]
        } else {
            &[false]
        };
        let maps = points
            .iter()
            .flat_map(|&point| {
                reflections
                    .iter()
                    .map(move |&reflect| Element { point, reflect })
            })
            .map(|e| {
                let to = (0..side * side)
                    .map(|i| {
                        let (r, c) = point_map(e.point, side, i / side, i % side);
                        r * side + c
                    })
                    .collect();
                (e, to)
            })
            .collect();
        Ok(Self {
            denoiser,
            components: kind.components(),
            maps,
            moved: Vec::new(),
            mean: Vec::new(),
        })
    }

    /// The wrapped denoiser.
    pub fn denoiser(&self) -> &D {
        &self.denoiser
    }

    /// |G|: evaluations of the wrapped denoiser per evaluation.
    pub fn order(&self) -> usize {
        self.maps.len()
    }
}

impl<D: Denoiser> Denoiser for Symmetrised<D> {
    fn dim(&self) -> usize {
        self.denoiser.dim()
    }

    fn denoise_batch(
        &mut self,
        x: &[f64],
        lambda: &[f64],
        out: &mut [f64],
    ) -> Result<(), DiffusionError> {
        let d = self.denoiser.dim();
        if x.len() != lambda.len() * d || out.len() != x.len() {
            return Err(DiffusionError::Shape(
                "need one λ per lattice and an output of the same size",
            ));
        }
        if self.maps.len() == 1 {
            return self.denoiser.denoise_batch(x, lambda, out);
        }
        let Self {
            denoiser,
            components: c,
            maps,
            moved,
            mean,
        } = self;
        let (c, weight) = (*c, 1.0 / maps.len() as f64);
        moved.resize(x.len(), 0.0);
        mean.resize(x.len(), 0.0);
        out.fill(0.0);
        for (e, to) in maps.iter() {
            act(*e, to, c, x, moved);
            denoiser.denoise_batch(moved, lambda, mean)?;
            // out += g⁻¹ x̂(g x): site i takes site to[i]'s mean, reflected back.
            for (m, o) in mean.chunks(d).zip(out.chunks_mut(d)) {
                for (i, &j) in to.iter().enumerate() {
                    let mut site = [0.0; 2];
                    site[..c].copy_from_slice(&m[j * c..(j + 1) * c]);
                    if e.reflect {
                        reflect(&mut site[..c]);
                    }
                    for (o, s) in o[i * c..(i + 1) * c].iter_mut().zip(&site[..c]) {
                        *o += weight * s;
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diffusion::{ExactDenoiser, scale_and_variance};
    use crate::lattice::{Ising, Square};
    use crate::model::Model;
    use crate::rng::{Xoshiro256PlusPlus, normal_pair, uniform_f64};
    use alloc::vec;
    use rand_core::SeedableRng;

    /// A denoiser with no symmetry: every output a different smooth function of the input.
    #[derive(Clone)]
    struct Lopsided(usize);

    impl Denoiser for Lopsided {
        fn dim(&self) -> usize {
            self.0
        }
        fn denoise_batch(
            &mut self,
            x: &[f64],
            _: &[f64],
            out: &mut [f64],
        ) -> Result<(), DiffusionError> {
            for (o, x) in out.chunks_mut(self.0).zip(x.chunks(self.0)) {
                for (i, o) in o.iter_mut().enumerate() {
                    *o = libm::tanh(x[i] + 0.3 * x[(i + 1) % self.0] - 0.1 * i as f64);
                }
            }
            Ok(())
        }
    }

    fn all_symmetries() -> LatticeSymmetries {
        LatticeSymmetries {
            point_group: true,
            spin_reflection: true,
        }
    }

    #[test]
    fn the_point_maps_are_eight_distinct_permutations() {
        let side = 4;
        let mut seen = Vec::new();
        for k in 0..8 {
            let mut to: Vec<usize> = (0..16)
                .map(|i| {
                    let (r, c) = point_map(k, side, i / side, i % side);
                    r * side + c
                })
                .collect();
            assert!(!seen.contains(&to), "map {k} repeats");
            seen.push(to.clone());
            to.sort_unstable();
            assert_eq!(to, (0..16).collect::<Vec<_>>(), "map {k} is a permutation");
        }
    }

    #[test]
    fn the_average_is_equivariant_for_any_denoiser() {
        for kind in [SpinKind::Ising, SpinKind::Planar] {
            let (side, c) = (3, kind.components());
            let d = side * side * c;
            let mut sym = Symmetrised::new(Lopsided(d), kind, side, all_symmetries()).unwrap();
            let x: Vec<f64> = (0..d).map(|i| libm::sin(1.3 * i as f64 + 0.4)).collect();
            let mut out = vec![0.0; d];
            sym.denoise_batch(&x, &[0.5], &mut out).unwrap();
            // Every group element g: x̂_G(g x) = g x̂_G(x).
            let maps = sym.maps.clone();
            for (e, to) in &maps {
                let g = |v: &[f64]| {
                    let mut w = vec![0.0; d];
                    act(*e, to, c, v, &mut w);
                    w
                };
                let mut moved_out = vec![0.0; d];
                sym.denoise_batch(&g(&x), &[0.5], &mut moved_out).unwrap();
                for (a, b) in moved_out.iter().zip(g(&out)) {
                    assert!((a - b).abs() < 1e-14, "{kind:?} {e:?}: {a} vs {b}");
                }
            }
        }
    }

    #[test]
    fn the_exact_posterior_mean_is_unchanged_and_a_lopsided_one_improves() {
        // 3×3 Ising at T = 2.5, every state tabulated: D₄ and the spin flip are symmetries.
        let (side, t) = (3, 2.5);
        let model = Ising::new(Square::new(side, side).unwrap(), 1.0, 0.0).unwrap();
        let mut state = model.ordered_state();
        let (mut states, mut weights) = (Vec::new(), Vec::new());
        for bits in 0u32..1 << 9 {
            for (i, s) in state.spins_mut().iter_mut().enumerate() {
                *s = if bits >> i & 1 == 1 { 1 } else { -1 };
            }
            states.extend(state.spins().iter().map(|&s| f64::from(s)));
            weights.push(libm::exp(-model.energy(&state) / t));
        }
        let exact = ExactDenoiser::new(9, states.clone(), &weights).unwrap();
        let mut sym =
            Symmetrised::new(exact.clone(), SpinKind::Ising, side, all_symmetries()).unwrap();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        let x: Vec<f64> = (0..9).map(|_| normal_pair(&mut rng).0).collect();
        let (mut a, mut b) = (vec![0.0; 9], vec![0.0; 9]);
        exact.clone().denoise_batch(&x, &[0.3], &mut a).unwrap();
        sym.denoise_batch(&x, &[0.3], &mut b).unwrap();
        for (a, b) in a.iter().zip(&b) {
            assert!((a - b).abs() < 1e-12, "{a} vs {b}");
        }
        // A denoiser off by a lopsided term: its mean squared error over draws of (s, x) falls
        // (the same draws for both; Jensen makes it an inequality draw by draw in expectation).
        #[derive(Clone)]
        struct Off(ExactDenoiser);
        impl Denoiser for Off {
            fn dim(&self) -> usize {
                9
            }
            fn denoise_batch(
                &mut self,
                x: &[f64],
                l: &[f64],
                out: &mut [f64],
            ) -> Result<(), DiffusionError> {
                self.0.denoise_batch(x, l, out)?;
                for (o, x) in out.chunks_mut(9).zip(x.chunks(9)) {
                    o[0] += 0.2 * libm::tanh(x[1] - x[4]);
                }
                Ok(())
            }
        }
        let mut off = Off(exact);
        let mut off_sym =
            Symmetrised::new(off.clone(), SpinKind::Ising, side, all_symmetries()).unwrap();
        let total: f64 = weights.iter().sum();
        let (k, s2) = scale_and_variance(0.0);
        let (mut plain, mut averaged) = (0.0, 0.0);
        for _ in 0..400 {
            let mut u = uniform_f64(&mut rng) * total;
            let pick = weights.iter().position(|&w| {
                u -= w;
                u < 0.0
            });
            let spins = &states[pick.unwrap_or(weights.len() - 1) * 9..][..9];
            let x: Vec<f64> = spins
                .iter()
                .map(|&s| k * s + libm::sqrt(s2) * normal_pair(&mut rng).0)
                .collect();
            let (mut p, mut q) = (vec![0.0; 9], vec![0.0; 9]);
            off.denoise_batch(&x, &[0.0], &mut p).unwrap();
            off_sym.denoise_batch(&x, &[0.0], &mut q).unwrap();
            for ((p, q), &s) in p.iter().zip(&q).zip(spins) {
                plain += (p - s).powi(2);
                averaged += (q - s).powi(2);
            }
        }
        assert!(averaged < plain, "{averaged} vs {plain}");
    }

    #[test]
    fn no_symmetry_is_the_wrapped_denoiser_and_a_wrong_size_is_refused() {
        let mut sym = Symmetrised::new(
            Lopsided(8),
            SpinKind::Planar,
            2,
            LatticeSymmetries::default(),
        )
        .unwrap();
        assert_eq!(sym.order(), 1);
        let x = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8];
        let (mut a, mut b) = ([0.0; 8], [0.0; 8]);
        sym.denoise_batch(&x, &[0.0], &mut a).unwrap();
        Lopsided(8).denoise_batch(&x, &[0.0], &mut b).unwrap();
        assert_eq!(a, b);
        assert!(Symmetrised::new(Lopsided(8), SpinKind::Ising, 2, all_symmetries()).is_err());
        assert!(sym.denoise_batch(&x, &[0.0, 1.0], &mut a).is_err());
    }
}
