"""entropic.lattice against the CLI (same seed, same bits) and against exact values."""

import json
import math
import subprocess

import numpy as np
import pytest

from entropic import lattice


def test_sample_is_the_cli_dataset_bit_for_bit(cli, tmp_path):
    args = dict(size=8, temperatures=[2.0, 3.5], samples=20, seed=11, pilot=200, thermalize=100)
    x = lattice.sample(**args)
    subprocess.run(
        [cli, "--quiet", "--seed", "11", "--out", tmp_path, "lattice", "sample", "--size", "8",
         "--temps", "2.0,3.5", "--samples", "20", "--pilot", "200", "--thermalize", "100"],
        check=True, capture_output=True,
    )
    expected = np.load(tmp_path / "configs.npy")
    assert x.shape == expected.shape == (2, 20, 8, 8)
    assert x.dtype == expected.dtype == np.int8
    np.testing.assert_array_equal(x, expected)


def test_next_nearest_and_global_flip_are_the_cli_dataset(cli, tmp_path):
    x = lattice.sample(size=6, temperatures=1.0, samples=40, seed=4, pilot=200,
                       next_nearest=-0.25, global_flip=True)
    subprocess.run(
        [cli, "--quiet", "--seed", "4", "--out", tmp_path, "lattice", "sample", "--size", "6",
         "--temps", "1.0", "--samples", "40", "--pilot", "200", "--next-nearest", "-0.25",
         "--global-flip"],
        check=True, capture_output=True,
    )
    np.testing.assert_array_equal(x, np.load(tmp_path / "configs.npy"))
    # Ordered, and both phases present (40 fair coins: all one sign has probability 2e-12).
    m = x.reshape(40, -1).mean(axis=1)
    assert (np.abs(m) > 0.8).all() and (m > 0).any() and (m < 0).any()


def test_xy_angles_are_the_cli_dataset(cli, tmp_path):
    x = lattice.sample(model="xy", size=6, temperatures=0.9, samples=5, seed=3, pilot=100,
                       thermalize=50, algorithm="wolff")
    subprocess.run(
        [cli, "--quiet", "--seed", "3", "--out", tmp_path, "lattice", "sample", "--model", "xy",
         "--size", "6", "--temps", "0.9", "--samples", "5", "--pilot", "100", "--thermalize",
         "50", "--algorithm", "wolff"],
        check=True, capture_output=True,
    )
    expected = np.load(tmp_path / "configs.npy")
    assert x.dtype == np.float64 and x.shape == (1, 5, 6, 6)
    np.testing.assert_array_equal(x, expected)
    assert ((x >= 0) & (x < 2 * math.pi)).all()


def test_sample_hands_its_buffer_to_numpy_without_a_copy():
    x = lattice.sample(size=8, temperatures=[2.0], samples=10, seed=1, pilot=100)
    # A reshaped view of a 1-D array whose memory is the Rust vector itself (numpy's
    # PySliceContainer keeps it alive): no copy.
    assert not x.flags["OWNDATA"] and not x.base.flags["OWNDATA"]
    assert type(x.base.base).__name__ == "PySliceContainer"
    assert x.flags["C_CONTIGUOUS"]


def test_magnetisation_falls_across_the_transition():
    x = lattice.sample(size=16, temperatures=[1.5, 4.0], samples=200, seed=2, algorithm="wolff")
    m = np.abs(x.mean(axis=(2, 3), dtype=np.float64)).mean(axis=1)
    assert m[0] > 0.95 and m[1] < 0.3, m


def test_exact_matches_onsager_and_the_high_temperature_limit():
    tc = 2 / math.log(1 + math.sqrt(2))
    e = lattice.exact(64, [tc, 1e3])
    # Onsager: u(T_c) = -sqrt(2) on the infinite lattice. High temperature: s = ln 2 - K^2 + O(K^4)
    # (two bonds per spin, each lowering s by K^2/2).
    assert e["onsager_energy"][0] == pytest.approx(-math.sqrt(2), abs=1e-9)
    assert e["entropy"][1] == pytest.approx(math.log(2) - 1e-6, abs=1e-11)
    assert e["energy"][0] == pytest.approx(-math.sqrt(2), abs=0.01)  # finite-size shift


def test_exact_agrees_with_the_cli(cli):
    out = subprocess.run(
        [cli, "--format", "json", "lattice", "exact", "--size", "12", "--temps", "2.0,2.5"],
        check=True, capture_output=True, text=True,
    ).stdout
    rows = json.loads(out)["rows"]
    e = lattice.exact(12, [2.0, 2.5])
    for k, row in enumerate(rows):
        assert e["energy"][k] == row["finite"]["energy_per_spin"]
        assert e["entropy"][k] == row["finite"]["entropy_per_spin"]
        assert e["onsager_entropy"][k] == row["infinite"]["entropy_per_spin"]


def test_thermo_entropy_agrees_with_kaufman_within_its_error_bar():
    r = lattice.thermo(size=4, temperatures=[3.0], sweeps=2000, seed=5, ti_step=0.1,
                       ti_max_points=12)
    err = r["entropy_err"][0]
    assert 0 < err < 0.05
    assert abs(r["entropy"][0] - r["exact_entropy"][0]) < 5 * err + 0.01
    assert abs(r["energy"][0] - r["exact_energy"][0]) < 5 * r["energy_err"][0]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(model="xz"), "unknown variant `xz`"),
        (dict(algorithm="gibbs"), "unknown variant `gibbs`"),
        (dict(size=1, temperatures=2.0), "too small"),
        (dict(temperatures=-1.0), "temperature"),
        (dict(temperatures=[]), "at least one temperature"),
        (dict(temperatures=2.0, pilot=3), "pilot"),
        (dict(temperatures=2.0, samples=10**15, size=64), "refused"),
        (dict(model="xy", algorithm="heat-bath", temperatures=1.0), "heat"),
        (dict(temperatures=2.0, algorithm="wolff", next_nearest=0.2), "J₂ = 0"),
        (dict(temperatures=2.0, field=0.1, global_flip=True), "h = 0"),
    ],
)
def test_bad_arguments_raise_value_error_before_any_work(kwargs, message):
    with pytest.raises(ValueError, match=message):
        lattice.sample(**kwargs)


def test_wrong_types_raise_type_error():
    with pytest.raises(TypeError):
        lattice.sample(temperatures="hot")
    with pytest.raises(TypeError):
        lattice.sample(size="big")
