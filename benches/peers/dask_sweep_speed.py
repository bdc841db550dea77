#!/usr/bin/env python3
"""Speed-up of the Dask sweep example (python/examples/dask_sweep.py) on a local cluster of two
single-threaded worker processes over the same tasks run one after another in one process
(issue #30: goal >= 1.7x on this 2-core machine). Cluster start-up is excluded (a sweep that
outgrows one machine runs on a cluster that is already up); the workers import entropic before
the clock starts.

    pip install ./python "dask[distributed]"
    python benches/peers/dask_sweep_speed.py [SAMPLES]
"""
import pathlib
import sys
import time

from dask.distributed import Client, LocalCluster

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "python" / "examples"))
import dask_sweep  # noqa: E402

SAMPLES = int(sys.argv[1]) if len(sys.argv) > 1 else 6000
TEMPERATURES = [2.0, 2.5, 3.0]
SEEDS = range(4)


def main():
    start = time.perf_counter()
    one = [dask_sweep.task(t, s, samples=SAMPLES) for t in TEMPERATURES for s in SEEDS]
    sequential = time.perf_counter() - start
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        client.run(lambda: __import__("entropic") and None)
        start = time.perf_counter()
        rows = dask_sweep.sweep(client, TEMPERATURES, SEEDS, samples=SAMPLES)
        distributed = time.perf_counter() - start
    assert rows == one, "the table must not depend on where the tasks ran"
    tasks = len(rows)
    print(f"{tasks} tasks, {SAMPLES} samples each: one process {sequential:.2f} s, "
          f"two Dask workers {distributed:.2f} s, speed-up {sequential / distributed:.2f}x")


if __name__ == "__main__":
    main()
