"""Generate core/src/special/bessel_chebyshev.rs: Chebyshev coefficients of the scaled
modified Bessel functions behind `entropic::special::bessel_ratio`.

    [0, 8]:  e^{-x} I0(x) and e^{-x} I1(x)/x  in t = x/4 - 1
    [8, ∞):  √x e^{-x} I0(x) and √x e^{-x} I1(x)  in t = 16/x - 1

Coefficients from Chebyshev–Gauss quadrature at 40 significant digits (mpmath), truncated once
they fall below 1e-18 of the leading one. Run: python3 scripts/bessel_chebyshev.py
(needs `pip install mpmath`); the Rust tests check the result against the power series.
"""
import pathlib

import mpmath as mp

mp.mp.dps = 40
NODES = 200


def chebyshev(f):
    nodes = [(k + mp.mpf(1) / 2) * mp.pi / NODES for k in range(NODES)]
    values = [f(mp.cos(a)) for a in nodes]
    coefficients = []
    for j in range(NODES // 2):
        c = 2 * sum(v * mp.cos(j * a) for v, a in zip(values, nodes)) / NODES
        coefficients.append(c / 2 if j == 0 else c)
    last = max(j for j, c in enumerate(coefficients) if abs(c) > mp.mpf("1e-18") * abs(coefficients[0]))
    return coefficients[: last + 1]


def small(nu):
    def f(t):
        x = 4 * (t + 1)
        if nu == 0:
            return mp.exp(-x) * mp.besseli(0, x)
        return mp.exp(-x) * mp.besseli(1, x) / x if x != 0 else mp.mpf(1) / 2
    return f


def large(nu):
    def f(t):
        x = 16 / (t + 1)
        return mp.sqrt(x) * mp.exp(-x) * mp.besseli(nu, x)
    return f


TABLES = [
    ("SMALL_I0", "e^{−x} I₀(x) on [0, 8], t = x/4 − 1", small(0)),
    ("SMALL_I1", "e^{−x} I₁(x)/x on [0, 8], t = x/4 − 1", small(1)),
    ("LARGE_I0", "√x e^{−x} I₀(x) on [8, ∞), t = 16/x − 1", large(0)),
    ("LARGE_I1", "√x e^{−x} I₁(x) on [8, ∞), t = 16/x − 1", large(1)),
]

out = [
    "//! Chebyshev coefficients (c₀ first, f(t) = Σ cⱼ Tⱼ(t)) of scaled Bessel functions, written by",
    "//! `scripts/bessel_chebyshev.py` (40-digit quadrature, truncated below 1e-18 of c₀). Do not edit.",
    "",
]
for name, what, f in TABLES:
    c = chebyshev(f)
    out.append(f"/// {what}.")
    out.append(f"pub(super) const {name}: [f64; {len(c)}] = [")
    out.extend(f"    {mp.nstr(v, 17, min_fixed=0, max_fixed=0)}," for v in c)
    out.append("];")
    out.append("")
path = pathlib.Path(__file__).resolve().parent.parent / "core/src/special/bessel_chebyshev.rs"
path.write_text("\n".join(out))
print("wrote", path)
