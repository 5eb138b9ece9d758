"""Test isolation for every suite in this repo (core and plugins): temporary config and data
dirs, a file keyring backend, and no stray plugins from the user's environment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
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
