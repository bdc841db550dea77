"""entropic.entropy: estimators against exact values on data they were not built around, the
CLI's numbers for the same seed, and the handling of bad arrays."""

import json
import math
import subprocess

import numpy as np
import pytest

import entropic
from entropic import entropy


def gaussian(n, cov, seed):
    return np.random.default_rng(seed).multivariate_normal(np.zeros(len(cov)), cov, size=n)


COV = np.array([[2.0, 0.6, 0.0], [0.6, 1.0, -0.3], [0.0, -0.3, 0.5]])
H_COV = 0.5 * math.log(np.linalg.det(2 * math.pi * math.e * COV))


def test_gaussian_fit_and_knn_on_a_correlated_gaussian():
    x = gaussian(20000, COV, 1)
    for est in (entropy.gaussian_fit(x), entropy.knn(x), entropy.knn(x, whiten=True)):
        assert est.unit == "nats" and est.samples == 20000
        assert 0 < est.std_error < 0.05
        # kNN's bias at d = 3, n = 2e4 is below 0.01 nats: 5 sigma plus that.
        assert abs(est.value - H_COV) < 5 * est.std_error + 0.01, (est, H_COV)
    value, err = entropy.knn(x)  # unpacks as (value, std_error)
    assert value == entropy.knn(x).value


def test_knn_on_uniform_data_it_was_not_built_around():
    # Uniform on [0, 2]^2: h = 2 ln 2.
    x = np.random.default_rng(3).uniform(0, 2, size=(20000, 2))
    est = entropy.knn(x)
    assert abs(est.value - 2 * math.log(2)) < 5 * est.std_error + 0.02


def test_plug_in_on_independent_spins():
    s = np.random.default_rng(4).choice([-1, 1], size=(50000, 3)).astype(np.int8)
    est = entropy.plug_in(s)
    assert abs(est.value - 3 * math.log(2)) < 5 * est.std_error + 1e-3
    assert est.bits().value == pytest.approx(est.value / math.log(2))


def test_mutual_information_of_correlated_gaussians():
    rho = 0.6
    xy = gaussian(10000, [[1, rho], [rho, 1]], 5)
    exact = -0.5 * math.log(1 - rho**2)
    x, y = xy[:, :1], xy[:, 1]
    for est in (entropy.ksg(x, y), entropy.ksg(x, y, variant=2), entropy.gaussian_mi(x, y)):
        assert abs(est.value - exact) < 5 * est.std_error + 0.01, (est, exact)


def test_learned_estimators_run_and_report():
    x = gaussian(2000, COV, 6)
    row = entropy.minde(x, train_steps=200, draws=2000, hidden=[32])
    assert row.estimator == "minde-learned" and row.divergence is not None
    assert math.isfinite(row.estimate.value) and row.estimate.std_error > 0
    mi = entropy.mine(x[:, :1], x[:, 1:], steps=200)
    assert math.isfinite(mi.value)
    c = entropy.minde_c(x[:, :1], x[:, 1:], train_steps=200, draws=2000, hidden=[32])
    assert math.isfinite(c.value)
    m = entropy.mice(x, steps=100)
    assert math.isfinite(m.value)


def test_compare_is_the_cli_table_for_the_same_seed(cli, tmp_path):
    x = gaussian(3000, COV, 7)
    np.save(tmp_path / "x.npy", x)
    rows = entropy.compare(x, train_steps=150, draws=1000, hidden=[16], seed=9)
    out = subprocess.run(
        [cli, "--seed", "9", "--format", "json", "--quiet", "entropy", "compare", "--data",
         tmp_path / "x.npy", "--train-steps", "150", "--draws", "1000", "--hidden", "16"],
        check=True, capture_output=True, text=True,
    ).stdout
    expected = json.loads(out)["rows"]
    assert [r.estimator for r in rows] == [r["estimator"] for r in expected]
    for r, e in zip(rows, expected):
        assert r.estimate.value == e["value"] and r.estimate.std_error == e["std_error"]


def test_mutual_information_is_the_cli_table_for_the_same_seed(cli, tmp_path):
    xy = gaussian(2000, COV, 8)
    np.save(tmp_path / "xy.npy", xy)
    (tmp_path / "mi.json").write_text(json.dumps({"draws": 1000, "hidden": [16]}))
    rows = entropy.mutual_information(xy[:, :1], xy[:, 1:], train_steps=100, draws=1000,
                                      hidden=[16], seed=4)
    out = subprocess.run(
        [cli, "--seed", "4", "--format", "json", "--quiet", "entropy", "mi", "--data",
         tmp_path / "xy.npy", "--split", "1", "--train-steps", "100", "--config",
         tmp_path / "mi.json"],
        check=True, capture_output=True, text=True,
    ).stdout
    expected = json.loads(out)["rows"]
    assert [r.estimator for r in rows] == [e["estimator"] for e in expected]
    for r, e in zip(rows, expected):
        assert r.estimate.value == e["value"]


def test_any_layout_and_real_dtype_gives_the_same_estimate():
    x = gaussian(3000, COV, 9)
    wide = np.zeros((3000, 6))
    wide[:, ::2] = x
    strided = wide[:, ::2]  # not contiguous
    assert not strided.flags["C_CONTIGUOUS"]
    fortran = np.asfortranarray(x)
    ref = entropy.knn(x).value
    assert entropy.knn(strided).value == ref
    assert entropy.knn(fortran).value == ref
    assert entropy.knn(x.astype(np.float32)).value == pytest.approx(ref, abs=1e-3)
    ints = np.random.default_rng(1).integers(0, 4, size=(5000, 2))
    assert entropy.plug_in(ints).value == pytest.approx(2 * math.log(4), abs=0.01)
    assert entropy.gaussian_fit(x[:, 0]).value == entropy.gaussian_fit(x[:, :1]).value


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: entropy.knn(np.array([[np.nan, 1.0]] * 10)), ValueError, "NaN"),
        (lambda: entropy.knn(np.zeros((4, 3, 2))), ValueError, "dimensions"),
        (lambda: entropy.knn(np.zeros((0, 2))), ValueError, "non-empty"),
        (lambda: entropy.knn(np.zeros((50, 2)), k=0), ValueError, "k"),
        (lambda: entropy.knn([["a", "b"]]), TypeError, "real array"),
        (lambda: entropy.knn(object()), TypeError, "real array"),
        (lambda: entropy.ksg(np.zeros((10, 1)), np.zeros((11, 1))), ValueError, "paired"),
        (lambda: entropy.ksg(np.zeros((10, 1)), np.zeros((10, 1)), variant=3), ValueError,
         "variant"),
        (lambda: entropy.compare(np.zeros((10, 2)), kk=3), ValueError, "unknown field `kk`"),
        (lambda: entropy.compare(np.zeros((10, 2)), hidden=[0]), ValueError, "hidden"),
        (lambda: entropy.compare(np.ones((10, 4)) * 0.5, spins=True), ValueError, r"\+1 or -1"),
        (lambda: entropy.minde(np.zeros((10, 2)), train_steps=0), ValueError, "train_steps"),
        (lambda: entropy.minde(np.zeros((10, 2)), hidden=[2**40, 2**40]), ValueError,
         "refused"),
        (lambda: entropy.mice(np.zeros((10, 2)), leaf="tree"), ValueError, "leaf"),
        (lambda: entropy.compare(np.zeros((10, 2)), draws=object()), TypeError, "setting"),
        # Found only while computing: the package's own exception.
        (lambda: entropy.gaussian_fit(np.zeros((3, 3))), entropic.EntropicError, "samples"),
    ],
)
def test_bad_input_raises_a_clear_exception(call, error, message):
    with pytest.raises(error, match=message):
        call()
    assert issubclass(entropic.EntropicError, Exception)


def test_lattice_entropy_is_the_cli_table_for_the_same_seed(cli, tmp_path):
    from entropic import lattice

    args = dict(size=4, temperatures=[2.0, 3.0], samples=200, pilot=200, thermalize=100, seed=2)
    x = lattice.sample(**args)
    data = tmp_path / "data"
    subprocess.run(
        [cli, "--quiet", "--seed", "2", "--out", data, "lattice", "sample", "--size", "4",
         "--temps", "2.0,3.0", "--samples", "200", "--pilot", "200", "--thermalize", "100"],
        check=True, capture_output=True,
    )
    (tmp_path / "c.json").write_text(json.dumps({"generation": {"temperatures": []}}))
    out = subprocess.run(
        [cli, "--seed", "4", "--format", "json", "--quiet", "entropy", "ising", "--data", data,
         "--train-steps", "200", "--draws", "400", "--hidden", "16", "--config",
         tmp_path / "c.json"],
        check=True, capture_output=True, text=True,
    ).stdout
    expected = json.loads(out)["rows"]
    # The CLI reads the Hamiltonian (J = 1, h = 0) from the dataset's metadata.
    r = entropy.lattice(x, [2.0, 3.0], coupling=1.0, field=0.0, seed=4, draws=400,
                        training=dict(steps=200), denoiser=dict(hidden=[16]),
                        generation=dict(temperatures=[]))
    rows = r["rows"]
    assert list(rows["temperature"]) == [e["temperature"] for e in expected]
    assert list(rows["estimate"]["value"]) == [e["estimate"] for e in expected]
    assert list(rows["reference"]["value"]) == [e["reference"] for e in expected]


def test_lattice_entropy_conv_model_and_generation_check():
    from entropic import lattice

    x = lattice.sample(size=4, temperatures=[2.0, 3.0], samples=100, pilot=200, seed=3)
    # The coupling only names Kaufman's reference: the conv model never sees it.
    r = entropy.lattice(x, [2.0, 3.0], model="conv", coupling=1.0, seed=1, draws=400,
                        conv=dict(channels=8, dilations=[1, 2]), training=dict(steps=50),
                        generation=dict(temperatures=[3.0], samples=8, steps=20))
    est, ref = r["rows"]["estimate"], r["rows"]["reference"]
    # Untrained for long, the estimate is an upper bound on Kaufman up to its error bar.
    assert ((est["value"] + 5 * est["std_error"]) > ref["value"]).all()
    assert r["losses"].shape == (50,)
    assert r["generation"]["configurations"].shape == (1, 8 * 16)
    with pytest.raises(ValueError, match="shape"):
        entropy.lattice(x[0], [2.0])
    with pytest.raises(ValueError, match="3 temperatures given for 2 blocks"):
        entropy.lattice(x, [2.0, 3.0, 4.0])


def test_a_saved_lattice_model_evaluates_to_the_same_table(tmp_path, cli):
    from entropic import lattice

    x = lattice.sample(size=4, temperatures=[2.0, 3.0], samples=100, pilot=200, seed=5)
    settings = dict(model="conv", coupling=1.0, seed=2, draws=400,
                    conv=dict(channels=8, dilations=[1, 2]), training=dict(steps=30),
                    generation=dict(temperatures=[]))
    trained = entropy.lattice(x, [2.0, 3.0], save_model=tmp_path / "model.json", **settings)
    again = entropy.lattice(x, [2.0, 3.0], model_file=tmp_path / "model.json", **settings)
    assert list(again["rows"]["estimate"]["value"]) == list(trained["rows"]["estimate"]["value"])
    assert again["losses"].shape == (0,)
    # The CLI evaluates the same file: its model.json format.
    data = tmp_path / "data"
    subprocess.run(
        [cli, "--quiet", "--seed", "5", "--out", data, "lattice", "sample", "--size", "4",
         "--temps", "2.0,3.0", "--samples", "100", "--pilot", "200"],
        check=True, capture_output=True,
    )
    (tmp_path / "c.json").write_text(json.dumps({"generation": {"temperatures": []},
                                                 "draws": 400}))
    out = subprocess.run(
        [cli, "--seed", "2", "--format", "json", "--quiet", "entropy", "ising", "--data", data,
         "--model", "conv", "--evaluate", tmp_path / "model.json", "--config",
         tmp_path / "c.json"],
        check=True, capture_output=True, text=True,
    ).stdout
    assert [r["estimate"] for r in json.loads(out)["rows"]] == list(
        trained["rows"]["estimate"]["value"])
    with pytest.raises(ValueError, match="is it a saved model=\"site\" model"):
        entropy.lattice(x, [2.0, 3.0], model_file=tmp_path / "model.json",
                        **{**settings, "model": "site"})
    # A list of files is their ensemble: a model with itself is the model ((a + a)/2 = a); with
    # another model, the mean of the two denoisers, which is neither.
    pair = entropy.lattice(x, [2.0, 3.0], model_file=[tmp_path / "model.json"] * 2, **settings)
    assert list(pair["rows"]["estimate"]["value"]) == list(trained["rows"]["estimate"]["value"])
    entropy.lattice(x, [2.0, 3.0], save_model=tmp_path / "other.json",
                    **{**settings, "seed": 3})
    mixed = entropy.lattice(x, [2.0, 3.0], model_file=[tmp_path / "model.json",
                                                       tmp_path / "other.json"], **settings)
    assert list(mixed["rows"]["estimate"]["value"]) != list(trained["rows"]["estimate"]["value"])
    with pytest.raises(ValueError, match="an ensemble's members are already files"):
        entropy.lattice(x, [2.0, 3.0], model_file=[tmp_path / "model.json"] * 2,
                        save_model=tmp_path / "x.json", **settings)
    with pytest.raises(ValueError, match="the list of models is empty"):
        entropy.lattice(x, [2.0, 3.0], model_file=[], **settings)
    with pytest.raises(TypeError, match="a path or a list of paths"):
        entropy.lattice(x, [2.0, 3.0], model_file=3, **settings)
