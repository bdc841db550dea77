//! Exact thermodynamics of small Ising lattices by enumerating all 2^N states.
//!
//! The test oracle for every sampler and estimator: states are visited in Gray-code order, so
//! each step flips one spin and updates the integer bond sums and magnetization in O(1); weights
//! are accumulated relative to the lowest energy seen so far (rescaling when it drops), so no
//! temperature under- or overflows.
use super::{Ising, LatticeError, Temperature};
use crate::model::Model;

/// Largest lattice [`exact`] enumerates: 25 sites (5×5, 2^25 states).
pub const MAX_SITES: usize = 25;

/// Exact equilibrium averages of an Ising model at one temperature.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ExactThermo {
    /// ln Z (whole lattice).
    pub ln_z: f64,
    /// ⟨E⟩/N.
    pub energy_per_spin: f64,
    /// Specific heat per spin c = β² (⟨E²⟩ − ⟨E⟩²)/N.
    pub specific_heat: f64,
    /// ⟨|M|⟩/N.
    pub abs_magnetization: f64,
    /// ⟨M²⟩/N².
    pub magnetization_sq: f64,
    /// ⟨M⁴⟩/N⁴.
    pub magnetization_quartic: f64,
    /// Entropy per spin s = (ln Z + β⟨E⟩)/N, in nats.
    pub entropy_per_spin: f64,
}

/// Enumerate every state of `model` at temperature `t`.
///
/// # Errors
/// [`LatticeError::TooLarge`] above [`MAX_SITES`] sites.
///
/// # Examples
/// ```
/// use entropic::lattice::{Ising, Square, Temperature, enumeration};
/// let model = Ising::new(Square::with_side(4)?, 1.0, 0.0)?;
/// let hot = enumeration::exact(&model, Temperature::new(1e6)?)?;
/// assert!((hot.entropy_per_spin - core::f64::consts::LN_2).abs() < 1e-9);
/// # Ok::<(), entropic::lattice::LatticeError>(())
/// ```
pub fn exact(model: &Ising, t: Temperature) -> Result<ExactThermo, LatticeError> {
    let n = model.lattice().sites();
    if n > MAX_SITES {
        return Err(LatticeError::TooLarge {
            sites: n,
            max: MAX_SITES,
        });
    }
    let (j, h, j2, beta) = (
        model.coupling(),
        model.field(),
        model.next_nearest(),
        t.beta(),
    );
    let mut state = model.ordered_state();
    let (mut bonds, mut mag) = model.bond_and_spin_sums(&state);
    let mut diagonal = model.diagonal_bond_sum(&state);
    let energy = |b: i64, m: i64, d: i64| -j * b as f64 - h * m as f64 - j2 * d as f64;

    let mut e_ref = energy(bonds, mag, diagonal);
    // Σ w, Σ w Δ, Σ w Δ², Σ w |M|, Σ w M², Σ w M⁴ with w = exp(−β Δ), Δ = E − e_ref and e_ref
    // the lowest energy seen so far: energy moments about e_ref avoid the cancellation of
    // ⟨E²⟩ − ⟨E⟩² at low temperature.
    let mut acc = [0.0f64; 6];
    let add = |e: f64, m: i64, acc: &mut [f64; 6], e_ref: &mut f64| {
        if e < *e_ref {
            let shift = *e_ref - e; // > 0: old Δ = new Δ − shift
            let scale = libm::exp(-beta * shift);
            let (s0, s1) = (acc[0], acc[1]);
            acc[2] += 2.0 * shift * s1 + shift * shift * s0;
            acc[1] = s1 + shift * s0;
            acc.iter_mut().for_each(|a| *a *= scale);
            *e_ref = e;
        }
        let delta = e - *e_ref;
        let w = libm::exp(-beta * delta);
        let m = m as f64;
        let m2 = m * m;
        acc[0] += w;
        acc[1] += w * delta;
        acc[2] += w * delta * delta;
        acc[3] += w * m.abs();
        acc[4] += w * m2;
        acc[5] += w * m2 * m2;
    };
    add(energy(bonds, mag, diagonal), mag, &mut acc, &mut e_ref);
    for k in 1u64..(1u64 << n) {
        let i = k.trailing_zeros() as usize;
        let s = i64::from(state.spins()[i]);
        bonds -= 2 * s * i64::from(model.neighbour_sum(&state, i));
        if j2 != 0.0 {
            diagonal -= 2 * s * i64::from(model.diagonal_sum(&state, i));
        }
        mag -= 2 * s;
        let spins = state.spins_mut();
        spins[i] = -spins[i];
        add(energy(bonds, mag, diagonal), mag, &mut acc, &mut e_ref);
    }
    debug_assert!((model.energy(&state) - energy(bonds, mag, diagonal)).abs() < 1e-9);

    let z = acc[0];
    let (d1, d2) = (acc[1] / z, acc[2] / z);
    let e1 = e_ref + d1;
    let nf = n as f64;
    let ln_z = libm::log(z) - beta * e_ref;
    Ok(ExactThermo {
        ln_z,
        energy_per_spin: e1 / nf,
        specific_heat: beta * beta * (d2 - d1 * d1) / nf,
        abs_magnetization: acc[3] / z / nf,
        magnetization_sq: acc[4] / z / (nf * nf),
        magnetization_quartic: acc[5] / z / (nf * nf * nf * nf),
        entropy_per_spin: (ln_z + beta * e1) / nf,
    })
}

/// `count` independent exact Boltzmann samples of a small Ising model (≤ 20 sites), drawn by
/// enumerating all 2^N states: the ground truth for testing estimators without Markov-chain
/// correlations. Row-major `count × N` spins (±1).
///
/// # Errors
/// [`LatticeError::TooLarge`] above 20 sites.
pub fn boltzmann_samples<R: rand_core::Rng + ?Sized>(
    model: &Ising,
    t: Temperature,
    count: usize,
    rng: &mut R,
) -> Result<alloc::vec::Vec<i8>, LatticeError> {
    let n = model.lattice().sites();
    if n > 20 {
        return Err(LatticeError::TooLarge { sites: n, max: 20 });
    }
    let mut state = model.ordered_state();
    let mut energies = alloc::vec::Vec::with_capacity(1 << n);
    for k in 0u64..(1 << n) {
        for (i, s) in state.spins_mut().iter_mut().enumerate() {
            *s = if (k >> i) & 1 == 1 { 1 } else { -1 };
        }
        energies.push(model.energy(&state));
    }
    let e0 = energies.iter().copied().fold(f64::INFINITY, f64::min);
    let mut cumulative = alloc::vec::Vec::with_capacity(energies.len());
    let mut total = 0.0;
    for e in energies {
        total += libm::exp(-t.beta() * (e - e0));
        cumulative.push(total);
    }
    let mut out = alloc::vec::Vec::with_capacity(count * n);
    for _ in 0..count {
        let u = crate::rng::uniform_f64(rng) * total;
        let k = cumulative
            .partition_point(|&c| c <= u)
            .min(cumulative.len() - 1) as u64;
        out.extend((0..n).map(|i| if (k >> i) & 1 == 1 { 1i8 } else { -1 }));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lattice::Square;

    #[test]
    fn two_by_two_closed_form() {
        // 2×2 periodic with double bonds: E ∈ {−8J (×2), 0 (×12), +8J (×2)}.
        let model = Ising::new(Square::with_side(2).unwrap(), 1.0, 0.0).unwrap();
        let t = Temperature::new(1.7).unwrap();
        let b = t.beta();
        let z = 2.0 * libm::exp(8.0 * b) + 12.0 + 2.0 * libm::exp(-8.0 * b);
        let e = (2.0 * -8.0 * libm::exp(8.0 * b) + 2.0 * 8.0 * libm::exp(-8.0 * b)) / z;
        let ex = exact(&model, t).unwrap();
        assert!((ex.ln_z - libm::log(z)).abs() < 1e-13);
        assert!((ex.energy_per_spin - e / 4.0).abs() < 1e-13);
    }

    #[test]
    fn field_breaks_symmetry_consistently() {
        // With h > 0 the ground state is unique: entropy 0 and |m| = 1 at low temperature.
        let model = Ising::new(Square::new(3, 2).unwrap(), 1.0, 0.5).unwrap();
        let cold = exact(&model, Temperature::new(0.01).unwrap()).unwrap();
        assert!(cold.entropy_per_spin.abs() < 1e-12);
        assert!((cold.abs_magnetization - 1.0).abs() < 1e-12);
    }

    #[test]
    fn next_nearest_coupling_matches_a_direct_sum() {
        // Every state built from scratch and its energy summed directly (no Gray code).
        for (lx, ly, j2, h) in [(3, 3, -0.3, 0.2), (4, 2, 0.5, 0.0), (2, 2, -0.7, 0.1)] {
            let model = Ising::new(Square::new(lx, ly).unwrap(), 0.8, h)
                .unwrap()
                .with_next_nearest(j2)
                .unwrap();
            let t = Temperature::new(1.3).unwrap();
            let n = model.lattice().sites();
            let (mut z, mut ez) = (0.0, 0.0);
            for k in 0u32..(1 << n) {
                let spins = (0..n)
                    .map(|b| if k >> b & 1 == 1 { 1 } else { -1 })
                    .collect();
                let e = model.energy(&model.state_from_spins(spins).unwrap());
                let w = libm::exp(-t.beta() * e);
                z += w;
                ez += w * e;
            }
            let ex = exact(&model, t).unwrap();
            assert!((ex.ln_z - libm::log(z)).abs() < 1e-11, "{lx}×{ly}");
            assert!((ex.energy_per_spin - ez / z / n as f64).abs() < 1e-11);
        }
    }

    #[test]
    fn too_large() {
        let model = Ising::new(Square::with_side(6).unwrap(), 1.0, 0.0).unwrap();
        assert!(exact(&model, Temperature::new(1.0).unwrap()).is_err());
    }
}
