"""Test isolation for every suite in this repo (core and plugins): temporary config and data
dirs, a file keyring backend, and no stray plugins from the user's environment."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs the property tests derandomized (the same examples every run: a red CI is never luck);
# developers' runs explore new examples. No deadline: 2 loaded cores make timings noisy.
settings.register_profile("ci", derandomize=True, deadline=None)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    # Caches too (the credential index): a test never reads or writes the real ~/.cache.
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    for var in (
        "ION_NETWORK",
        "ETH_RPC_URL",
        "ION_ACCOUNT",
        "ION_PASSWORD",
        "ION_CONFIG",
        "ION_DEVNET_DIR",
        "ION_ADAPTERS",
    ):
        monkeypatch.delenv(var, raising=False)
    yield home
