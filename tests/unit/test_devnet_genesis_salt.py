"""Every fresh devnet chain gets its own genesis (issue 16): anvil's genesis hash depends only
on the header, whose one varying field is the start second, so `node.start` salts the header's
gas limit; the salt is kept for a restart over saved state and dropped by a reset."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ion_cli.devnet import node, processes


def _starts(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    seen: list[list[str]] = []

    def spawn(directory: Path, **kwargs: Any) -> tuple[None, node.NodeInfo]:
        seen.append(list(kwargs.get("extra_args") or []))
        return None, node.NodeInfo(1, 8545, "http://127.0.0.1:8545", None, 0.0)

    monkeypatch.setattr(node, "spawn", spawn)
    monkeypatch.setattr(processes, "write_json", lambda *a, **k: None)
    monkeypatch.setattr(processes, "write_pid", lambda *a, **k: None)
    return seen


def test_two_fresh_devnets_get_two_gas_limits_and_a_restart_keeps_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _starts(monkeypatch)
    a, b = tmp_path / "a", tmp_path / "b"
    node.start(a)
    node.start(b)
    assert seen[0][0] == "--gas-limit" and seen[0] != seen[1]  # two chains, two genesis hashes
    assert int(seen[0][1]) > node.BASE_GAS_LIMIT
    (a / node.STATE_FILE).write_text("{}")  # the chain was saved: a restart is the same chain
    node.start(a)
    assert seen[2] == seen[0]
    (a / node.STATE_FILE).unlink()  # what a reset does (with the salt file)
    (a / node.SALT_FILE).unlink()
    node.start(a)
    assert seen[3] != seen[0]


def test_reset_drops_the_salt() -> None:
    import inspect

    from ion_cli.devnet import service

    assert "node.SALT_FILE" in inspect.getsource(service.reset)
