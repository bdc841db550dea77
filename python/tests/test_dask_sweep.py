"""The Dask sweep example: tasks on two local worker processes give the in-process table."""

import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "examples"))


def test_sweep_on_two_workers_equals_the_sequential_table():
    distributed = pytest.importorskip("dask.distributed")
    import dask_sweep

    temperatures, seeds = [2.0, 3.0], [0, 1]
    expected = [dask_sweep.task(t, s, samples=1500) for t in temperatures for s in seeds]
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    with cluster, distributed.Client(cluster) as client:
        rows = dask_sweep.sweep(client, temperatures, seeds, samples=1500)
        workers = {w for w in client.run(lambda: 1)}
    assert rows == expected
    assert len(workers) == 2
    # Sanity of the physics, not of the scheduling: plug-in is close to Kaufman at T = 3
    # (4x4: 65 536 states, the high-temperature sample under-covers them, so a lower bound).
    for r in rows:
        assert r["plug_in"] < r["exact"] + 5 * r["plug_in_err"]
