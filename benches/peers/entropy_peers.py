#!/usr/bin/env python3
"""Entropy and mutual-information estimators of the Python ecosystem beside entropic's, on the
same data files, in one run (measurement only, never a dependency).

Peers: scikit-learn's `mutual_info_regression` (KSG, first variant, maximum norm, one feature
against a one-dimensional target: so the MI tasks here are 1 x 1) and an NPEET-style
Kozachenko-Leonenko entropy (Euclidean, k = 5) from a scipy kd-tree. Ours: `entropic entropy mi`
(KSG-1, KSG-2) and `entropic entropy compare` (kNN, whitened kNN) with k = 5, on the same .npy
files. Every task has an exact answer; the table gives estimate - exact and seconds for each
side, and the ratios |error ours| / |error peer| and time ours / time peer.

    python3 -m venv /tmp/peers && /tmp/peers/bin/pip install numpy scipy scikit-learn
    cargo build --release -p entropic-cli
    /tmp/peers/bin/python benches/peers/entropy_peers.py target/release/entropic
"""
import json
import math
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from scipy.spatial import cKDTree
from scipy.special import digamma, gammaln
from sklearn.feature_selection import mutual_info_regression

K = 5
N = 20_000


def knn_entropy(x, k=K):
    """Kozachenko-Leonenko entropy in nats (Euclidean), as NPEET computes it."""
    n, d = x.shape
    eps = cKDTree(x).query(x, k=k + 1)[0][:, k]
    log_vd = 0.5 * d * math.log(math.pi) - gammaln(1 + 0.5 * d)
    return digamma(n) - digamma(k) + log_vd + d * np.mean(np.log(eps))


def mi_tasks(rng):
    rho = 0.75
    a = rng.standard_normal(N)
    b = rho * a + math.sqrt(1 - rho * rho) * rng.standard_normal(N)
    yield "multinormal-dense-1x1", a, b, -0.5 * math.log(1 - rho * rho)
    for eps in (0.1, 0.3):
        u = rng.uniform(size=N)
        yield f"additive-noise-eps{eps}", u, u + rng.uniform(-eps, eps, N), eps - math.log(2 * eps)
    wig = lambda v: v + 0.4 * np.sin(2 * v)
    yield "wiggly-multinormal-dense-1x1", wig(a), wig(b), -0.5 * math.log(1 - rho * rho)


def entropy_tasks(rng):
    # A uniform square [0, 2]^2 rotated by 0.6 rad: h = ln 4.
    c, s = math.cos(0.6), math.sin(0.6)
    u = rng.uniform(0, 2, (N, 2)) @ np.array([[c, -s], [s, c]]).T
    yield "uniform-square-rotated-d2", u, math.log(4.0)
    # i.i.d. Laplace(1) sources with scales 1 ... 4 in d = 8: h = 8 (1 + ln 2) + sum ln s.
    scales = np.linspace(1.0, 4.0, 8)
    yield "laplace-scaled-d8", rng.laplace(size=(N, 8)) * scales, 8 * (1 + math.log(2)) + np.log(scales).sum()
    # Uniform on a box with sides 1e-2 ... 1e2 in d = 5: h = sum ln side (anisotropic).
    sides = np.logspace(-2, 2, 5)
    yield "uniform-box-anisotropic-d5", rng.uniform(size=(N, 5)) * sides, np.log(sides).sum()


def ours(binary, args):
    start = time.perf_counter()
    out = subprocess.run([binary, "--quiet", "--format", "json", *args], check=True,
                         capture_output=True, text=True).stdout
    wall = time.perf_counter() - start
    return {r["estimator"]: r for r in json.loads(out)["rows"]}, wall


def row(task, exact, peer_name, peer_value, peer_seconds, our_name, our_row):
    e_peer, e_ours = peer_value - exact, our_row["value"] - exact
    print(f"{task:30} {exact:8.4f}  {peer_name:14} {e_peer:+8.4f} {peer_seconds:7.2f}  "
          f"{our_name:13} {e_ours:+8.4f} {our_row['seconds']:7.2f}  "
          f"{abs(e_ours) / max(abs(e_peer), 1e-12):7.2f} {our_row['seconds'] / peer_seconds:7.2f}")


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/entropic"
    rng = np.random.default_rng(0)
    print(f"{N} samples, k = {K}, nats; errors are estimate - exact; ratios ours/peer")
    print(f"{'task':30} {'exact':>8}  {'peer':14} {'error':>8} {'time s':>7}  "
          f"{'ours':13} {'error':>8} {'time s':>7}  {'|err| r':>7} {'time r':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for task, x, y, exact in mi_tasks(rng):
            path = os.path.join(tmp, "pairs.npy")
            np.save(path, np.stack([x, y], axis=1))
            start = time.perf_counter()
            peer = mutual_info_regression(x[:, None], y, n_neighbors=K, random_state=0)[0]
            peer_seconds = time.perf_counter() - start
            rows, _ = ours(binary, ["entropy", "mi", "--data", path, "--split", "1",
                                    "--k", str(K), "--train-steps", "0"])
            for name in ("ksg-1", "ksg-2"):
                row(task, exact, "sklearn-ksg", peer, peer_seconds, name, rows[name])
        for task, x, exact in entropy_tasks(rng):
            path = os.path.join(tmp, "x.npy")
            np.save(path, x)
            start = time.perf_counter()
            peer = knn_entropy(x)
            peer_seconds = time.perf_counter() - start
            rows, _ = ours(binary, ["entropy", "compare", "--data", path, "--k", str(K),
                                    "--train-steps", "0"])
            for name in ("knn", "knn-whitened"):
                row(task, exact, "scipy-kdtree-kl", peer, peer_seconds, name, rows[name])


if __name__ == "__main__":
    main()
