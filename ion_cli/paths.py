"""Where ion keeps its files: XDG config and data dirs (overridable for tests and CI)."""

from __future__ import annotations

import os
from pathlib import Path


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "ion"


def data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "ion"


def config_file() -> Path:
    return Path(os.environ.get("ION_CONFIG") or config_dir() / "config.toml")


def devnet_dir() -> Path:
    return Path(os.environ.get("ION_DEVNET_DIR") or data_dir() / "devnet")


def keystore_dir() -> Path:
    return data_dir() / "keystores"


def project_root() -> Path | None:
    """The source checkout this package runs from, if any (for node_modules of a dev install)."""
    root = Path(__file__).resolve().parent.parent
    return root if (root / "package.json").exists() else None


def state_dir() -> Path:
    """Where ion keeps what it must not forget between runs (the transaction journal, the
    account locks): XDG_STATE_HOME/ion, by default ~/.local/state/ion."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "ion"


def cache_dir() -> Path:
    """What ion can rebuild at any time (the names shell completion offers):
    XDG_CACHE_HOME/ion, by default ~/.cache/ion."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ion"
