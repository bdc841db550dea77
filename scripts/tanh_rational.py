"""Fit the rational tanh behind `entropic::nn::tanh_f32`: tanh x ≈ x P(x²)/Q(x²), P and Q of
degree 4 in x², Q(0) = 1, on (0, 9] (tanh 9 rounds to 1 in f32, so inputs are clamped there).

Method: iteratively reweighted linear least squares on the relative error (Loeb's linearisation
x P − t Q = t, rows weighted by 1/(t·|Q_previous|)), keeping the iterate with the smallest
maximum relative error; then the f32 Horner evaluation is checked on a dense grid. Prints the
coefficients and the errors; the Rust test `fast_tanh_is_accurate` checks ≤ 4e-7.
Run: python3 scripts/tanh_rational.py (needs numpy).
"""
import numpy as np

NP, NQ, CLAMP = 5, 4, 9.0

x = np.linspace(1e-4, CLAMP, 40000)
t = np.tanh(x)
w = np.ones_like(x)
best = None
for _ in range(30):
    odd = x[:, None] ** (2 * np.arange(NP) + 1)
    even = t[:, None] * x[:, None] ** (2 * np.arange(1, NQ + 1))
    rows = np.hstack([odd, -even]) * (w / t)[:, None]
    c, *_ = np.linalg.lstsq(rows, w, rcond=None)
    p, q = c[:NP], np.concatenate([[1.0], c[NP:]])
    big_q = sum(q[j] * x ** (2 * j) for j in range(NQ + 1))
    w = 1 / np.abs(big_q)
    err = np.max(np.abs(x * np.polyval(p[::-1], x * x) / big_q - t) / t)
    if best is None or err < best[0]:
        best = (err, p, q)

err, p, q = best
xs = np.linspace(-9.5, 9.5, 2_000_001).astype(np.float32)
xc = np.clip(xs, np.float32(-CLAMP), np.float32(CLAMP))
z = xc * xc
num = np.zeros_like(z)
for coef in p[::-1]:
    num = num * z + np.float32(coef)
den = np.zeros_like(z)
for coef in q[::-1]:
    den = den * z + np.float32(coef)
y = np.clip(xc * num / den, -1, 1)
ref = np.tanh(xs.astype(np.float64))
print(f"fit (f64) max relative error {err:.3e}")
print(f"f32 evaluation: max abs error {np.max(np.abs(y - ref)):.3e}")
print("P =", [f"{v:.9g}" for v in p])
print("Q =", [f"{v:.9g}" for v in q])
