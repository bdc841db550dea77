"""The examples (one figure of each paper) run and write their figures."""

import pathlib
import subprocess
import sys

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize(
    "script, args, figure",
    [
        ("minmaxent_bimodal.py", ["--epochs", "100"], "minmaxent_bimodal.png"),
        ("latent_cycles.py", ["--epochs", "5"], "latent_cycles.png"),
        ("diffusion_entropy.py", ["--steps", "300"], "diffusion_entropy.png"),
    ],
)
def test_example_writes_its_figure(script, args, figure, tmp_path):
    pytest.importorskip("matplotlib")
    done = subprocess.run([sys.executable, EXAMPLES / script, "--out", tmp_path, *args],
                          check=True, capture_output=True, text=True)
    assert f"wrote {tmp_path / figure}" in done.stdout
    assert (tmp_path / figure).stat().st_size > 10_000
