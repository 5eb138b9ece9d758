"""Deployment addresses are checked against the chain before use: a weETH entry that points at
another market's pool or GemJoin is refused (exit 2, naming the field), never read as weETH."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from faultkit import ion

from ion_cli.testing.devnet import DevnetHandle

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("field", "args"),
    [
        ("pool", ("position", "weETH", "--json")),
        ("gem_join", ("position", "weETH", "--json")),
        ("pool", ("deposit", "weETH", "1", "--yes")),
        ("gem_join", ("markets", "--json")),
    ],
)
def test_an_address_of_another_market_is_refused(
    devnet: DevnetHandle,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    field: str,
    args: tuple[str, ...],
) -> None:
    document = json.loads((devnet.deployment_dir / "deployment.json").read_text())
    document["markets"]["weETH"][field] = document["markets"]["rsETH"][field]
    directory = tmp_path / "devnet"
    directory.mkdir()
    (directory / "deployment.json").write_text(json.dumps(document))
    monkeypatch.setenv("ION_DEVNET_DIR", str(directory))
    nonce = devnet.w3.eth.get_transaction_count(devnet.dev)
    done = ion(*args)
    assert done.returncode == 2, done.stderr
    assert f"markets.weETH.{field}" in done.stderr and done.stdout == ""
    assert devnet.w3.eth.get_transaction_count(devnet.dev) == nonce


def test_the_real_deployment_passes_the_check(devnet: DevnetHandle) -> None:
    done = ion("markets", "--json")
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["markets"]) == 4
