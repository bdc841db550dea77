"""entropic.maxent and entropic.latent: the paper's claims at small size, the CLI's numbers for
the same seed, and checkpoints that resume bit for bit (also across the CLI)."""

import json
import subprocess

import numpy as np
import pytest

from entropic import latent, maxent

SMALL_LATENT = dict(per_class=40, diagnostic_steps=200, final_steps=2000,
                    training=dict(epochs=4, updates_per_epoch=5))


def test_pca_is_the_cli_result_for_the_same_seed(cli):
    r = maxent.pca(samples=2000, walkers=500, iterations=100, seed=1)
    out = subprocess.run(
        [cli, "--seed", "1", "--format", "json", "maxent", "pca", "--samples", "2000",
         "--walkers", "500", "--iterations", "100"],
        check=True, capture_output=True, text=True,
    ).stdout
    expected = json.loads(out)
    for key in ("angle_error", "theta", "entropy_at_theta", "pca_angle_sample"):
        assert r[key] == expected[key], key
    np.testing.assert_array_equal(r["lambda"], expected["lambda"])
    assert r["reports"]["chi2"].shape == (100,)


def test_pca_turns_theta_to_a_principal_axis():
    # Paper Fig. 2: minimising the entropy aligns theta with the sample's principal axis.
    r = maxent.pca(samples=4000, walkers=1000, iterations=400, seed=2)
    assert r["angle_error"] < 0.05, r["angle_error"]
    # The entropy at the learned theta is (within quadrature) the minimum over directions.
    assert r["entropy_at_theta"] - r["entropy_minimum"] < 1e-3


def test_bimodal_minmaxent_beats_the_gaussian_maxent():
    # Paper Fig. 3: the learned observable captures both modes, mean + variance cannot.
    r = maxent.bimodal(seeds=1, epochs=300, walkers=500, grid=401, vae_epochs=50, seed=3)
    s = r["seeds"]
    assert r["grid"].shape == r["real"].shape == (401,)
    assert s["minmaxent_kl"].shape == (1, 300)
    assert s["minmaxent_kl"][0, -1] < 0.5 * s["gaussian_kl"][0], (s["minmaxent_kl"][0, -1],
                                                                  s["gaussian_kl"][0])


def test_bad_configs_raise_value_error():
    with pytest.raises(ValueError, match="unknown field `walker`"):
        maxent.pca(walker=3)
    with pytest.raises(ValueError, match="unknown variant `normal`"):
        maxent.bimodal(case="normal")
    with pytest.raises(ValueError, match="per_class"):
        latent.train(per_class=0)
    with pytest.raises(ValueError, match="needs checkpoint"):
        latent.train(resume=True)


def test_latent_paused_and_resumed_equals_straight_through(tmp_path):
    straight = latent.train(seed=5, **SMALL_LATENT)
    path = tmp_path / "checkpoint.json"
    paused = latent.train(seed=5, checkpoint=path, pause_after=2, **SMALL_LATENT)
    assert paused.epoch == 2 and paused.diagnosis is None
    assert not (tmp_path / "checkpoint.json.tmp").exists()
    resumed = latent.train(checkpoint=path, resume=True)
    assert resumed.epoch == 4 and resumed.seed == 5
    for key, column in straight.history.items():
        np.testing.assert_array_equal(resumed.history[key], column)
    assert resumed.diagnosis["ll"] == straight.diagnosis["ll"]
    x, z = resumed.generate(6, seed=1)
    x2, z2 = straight.generate(6, seed=1)
    np.testing.assert_array_equal(x, x2)
    assert x.shape == (1, 6, 28, 28) and z.shape == (1, 6)
    assert set(np.unique(x)) <= {0.0, 1.0}


def test_the_cli_resumes_a_python_checkpoint(cli, tmp_path):
    straight = latent.train(seed=7, **SMALL_LATENT)
    latent.train(seed=7, checkpoint=tmp_path / "checkpoint.json", pause_after=3, **SMALL_LATENT)
    subprocess.run([cli, "--quiet", "--out", tmp_path, "latent", "train", "--resume"],
                   check=True, capture_output=True)
    final = json.loads((tmp_path / "summary.json").read_text())["final"]
    assert final["log_likelihood"] == straight.diagnosis["ll"]["value"]
    assert final["class_kl"] == straight.diagnosis["balance"]["kl"]


def test_latent_model_saves_a_checkpoint_it_can_resume_from(tmp_path):
    m = latent.train(seed=1, pause_after=1, **SMALL_LATENT)
    m.save(tmp_path / "m.json")
    done = latent.train(checkpoint=tmp_path / "m.json", resume=True)
    assert done.epoch == 4 and done.config["per_class"] == 40
    with pytest.raises(ValueError, match="keeps its checkpoint's config"):
        latent.train(checkpoint=tmp_path / "m.json", resume=True, per_class=3)
    (tmp_path / "bad.json").write_text("{}")
    with pytest.raises(ValueError, match="cannot resume"):
        latent.train(checkpoint=tmp_path / "bad.json", resume=True)


def test_a_new_run_does_not_overwrite_a_checkpoint(tmp_path):
    path = tmp_path / "checkpoint.json"
    latent.train(seed=2, checkpoint=path, pause_after=1, **SMALL_LATENT)
    saved = path.read_bytes()
    with pytest.raises(ValueError, match="already exists; resume=True"):
        latent.train(seed=3, checkpoint=path, **SMALL_LATENT)
    with pytest.raises(ValueError, match="already exists; resume=True"):
        maxent.digits(seed=3, checkpoint=path, **SMALL_DIGITS)
    assert path.read_bytes() == saved


SMALL_DIGITS = dict(images=50, walkers=40, epochs=4, sweeps=2, entropy_every=0)


def test_digits_paused_and_resumed_equals_straight_through(tmp_path):
    settings = dict(SMALL_DIGITS, channels=[2, 3], leapfrog=2)
    straight = maxent.digits(seed=3, **settings)
    path = tmp_path / "checkpoint.json"
    paused = maxent.digits(seed=3, checkpoint=path, pause_after=2, **settings)
    assert paused.epoch == 2
    resumed = maxent.digits(seed=3, checkpoint=path, resume=True)
    # The run's settings come back from the checkpoint, not from the keywords' defaults.
    assert resumed.epoch == 4 and resumed.config["images"] == 50
    assert list(resumed.config["channels"]) == [2, 3] and resumed.config["leapfrog"] == 2
    np.testing.assert_array_equal(resumed.samples(), straight.samples())
    np.testing.assert_array_equal(resumed.history["chi2"], straight.history["chi2"])
    x = straight.samples()
    assert x.shape == (40, 8, 8) and ((x >= 0) & (x <= 1)).all()


def test_the_cli_resumes_a_python_digits_checkpoint(cli, tmp_path):
    straight = maxent.digits(seed=4, **SMALL_DIGITS)
    maxent.digits(seed=4, checkpoint=tmp_path / "checkpoint.json", pause_after=1, **SMALL_DIGITS)
    subprocess.run([cli, "--quiet", "--seed", "4", "--out", tmp_path, "maxent", "digits", "train",
                    "--resume", "--entropy-every", "0"], check=True, capture_output=True)
    done = maxent.digits(seed=4, checkpoint=tmp_path / "checkpoint.json", resume=True)
    np.testing.assert_array_equal(done.samples(), straight.samples())


def test_digits_bad_settings():
    with pytest.raises(ValueError, match="unknown field"):
        maxent.digits(imges=3)
    with pytest.raises(ValueError, match="expected 2 values"):
        maxent.digits(channels=[4, 8, 16])
