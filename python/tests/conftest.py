"""Shared fixtures: where the CLI binary is (for the same-seed agreement tests)."""

import os
import pathlib

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def cli():
    """The `entropic` CLI: $ENTROPIC_CLI (must exist when set), else the workspace's build."""
    given = os.environ.get("ENTROPIC_CLI")
    if given:
        path = pathlib.Path(given)
        assert path.is_file(), f"ENTROPIC_CLI={given} does not exist"
        return path
    for profile in ("debug", "release"):
        path = REPO / "target" / profile / "entropic"
        if path.is_file():
            return path
    pytest.skip("no entropic CLI built (cargo build -p entropic-cli, or set ENTROPIC_CLI)")
