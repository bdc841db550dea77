"""Generate core/src/special/bessel_chebyshev.rs: piecewise Chebyshev expansions of the Bessel
ratio A(x) = I1(x)/I0(x) behind `entropic::special::bessel_ratio`.

Below SQUARE_UP_TO the expansion is of A(x)/x (even, smooth) in v = x²; beyond, of A(x) in
v = 1/x (A is analytic in 1/x there and tends to 1). Each piece [lo, hi) maps v linearly onto
t ∈ [-1, 1]; pieces are grown greedily (bisection on hi) while at most MAX_TERMS coefficients
exceed 1e-17, so one evaluation is ≤ MAX_TERMS multiply-adds. Coefficients by Chebyshev–Gauss
quadrature at 40 significant digits (mpmath). Run: python3 scripts/bessel_chebyshev.py
(needs `pip install mpmath`); the Rust tests check the result against the power series and
Hankel's expansion.
"""
import pathlib

import mpmath as mp

mp.mp.dps = 40
NODES = 80
MAX_TERMS = 14
SQUARE_UP_TO = mp.mpf("1.9")
TOLERANCE = mp.mpf("1e-17")


def ratio(x):
    return mp.besseli(1, x) / mp.besseli(0, x)


def piece_function(lo, hi):
    """(f(t), a, b) with t = a·v + b and v = x² (square) or 1/x (inverse)."""
    if hi <= SQUARE_UP_TO:
        vlo, vhi = lo * lo, hi * hi

        def f(t):
            v = vlo + (vhi - vlo) * (t + 1) / 2
            x = mp.sqrt(v)
            return ratio(x) / x if v > 0 else mp.mpf(1) / 2
    else:
        vlo, vhi = (0 if hi == mp.inf else 1 / hi), 1 / lo

        def f(t):
            v = vlo + (vhi - vlo) * (t + 1) / 2
            return ratio(1 / v) if v > 0 else mp.mpf(1)
    a = 2 / (vhi - vlo)
    return f, a, -1 - a * vlo


def coefficients(f):
    nodes = [(k + mp.mpf(1) / 2) * mp.pi / NODES for k in range(NODES)]
    values = [f(mp.cos(a)) for a in nodes]
    c = [2 * sum(v * mp.cos(j * a) for v, a in zip(values, nodes)) / NODES for j in range(NODES // 2)]
    c[0] /= 2
    last = max(j for j, v in enumerate(c) if abs(v) > TOLERANCE)
    return c[: last + 1]


def fits(lo, hi):
    return len(coefficients(piece_function(lo, hi)[0])) <= MAX_TERMS


pieces = []
lo = mp.mpf(0)
while lo != mp.inf:
    limit = SQUARE_UP_TO if lo < SQUARE_UP_TO else mp.inf
    if fits(lo, limit):
        hi = limit
    else:
        good, bad = lo, (limit if limit != mp.inf else lo * 64)
        while fits(lo, bad):
            good, bad = bad, bad * 4
        for _ in range(30):
            mid = (good + bad) / 2
            good, bad = (mid, bad) if fits(lo, mid) else (good, mid)
        hi = mp.mpf(mp.nstr(good, 3)) if mp.mpf(mp.nstr(good, 3)) <= good else good
    f, a, b = piece_function(lo, hi)
    pieces.append((lo, hi, hi <= SQUARE_UP_TO, a, b, coefficients(f)))
    lo = hi


def num(v):
    """The nearest f64, in the shortest form that reads back to it."""
    if v == mp.inf:
        return "f64::INFINITY"
    text = repr(float(v))
    return text if ("." in text or "e" in text) else text + ".0"


out = [
    "//! Piecewise Chebyshev expansions of A(x) = I₁(x)/I₀(x), written by",
    f"//! `scripts/bessel_chebyshev.py` (40-digit quadrature, ≤ {MAX_TERMS} terms above 1e-17 per piece).",
    "//! Do not edit.",
    "",
    "/// Coefficients per piece; shorter expansions are padded with zeros at the high end, which",
    "/// leave Clenshaw's recurrence exactly at zero, so every piece runs the same straight-line code.",
    f"pub(super) const TERMS: usize = {MAX_TERMS};",
    "",
    "/// One piece of the expansion: for x < `hi` (and ≥ the previous piece's `hi`),",
    "/// A(x) = x·Σ cⱼ Tⱼ(t) with t = a x² + b (`square`), or Σ cⱼ Tⱼ(t) with t = a/x + b.",
    "pub(super) struct Piece {",
    "    pub(super) hi: f64,",
    "    pub(super) square: bool,",
    "    pub(super) a: f64,",
    "    pub(super) b: f64,",
    "    pub(super) c: [f64; TERMS],",
    "}",
    "",
    f"pub(super) const RATIO: [Piece; {len(pieces)}] = [",
]
for lo, hi, square, a, b, c in pieces:
    out.append(f"    // [{mp.nstr(lo, 6)}, {mp.nstr(hi, 6)}): {len(c)} terms")
    out.append("    Piece {")
    out.append(f"        hi: {num(hi)},")
    out.append(f"        square: {'true' if square else 'false'},")
    out.append(f"        a: {num(a)},")
    out.append(f"        b: {num(b)},")
    out.append("        c: [")
    out.extend(f"            {num(v)}," for v in c)
    out.extend("            0.0," for _ in range(MAX_TERMS - len(c)))
    out.append("        ],")
    out.append("    },")
out.append("];")
out.append("")
path = pathlib.Path(__file__).resolve().parent.parent / "core/src/special/bessel_chebyshev.rs"
path.write_text("\n".join(out))
print("wrote", path, [(mp.nstr(p[0], 4), mp.nstr(p[1], 4), len(p[5])) for p in pieces])
