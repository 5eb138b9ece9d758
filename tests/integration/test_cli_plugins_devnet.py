"""Plugins on a running devnet: a broken adapter never breaks `ion markets`, and ION_ADAPTERS
limits the markets the core offers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from ion_cli.flows.figures import text
from ion_cli.testing.devnet import DevnetHandle

pytestmark = pytest.mark.integration


def ion(devnet: DevnetHandle, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = dict(os.environ, ION_DEVNET_DIR=str(devnet.deployment_dir), **env)
    return subprocess.run(
        [sys.executable, "-m", "ion_cli", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
    )


def test_broken_adapter_is_one_warning_and_markets_still_work(
    devnet: DevnetHandle, fake_adapters: Callable[..., Path]
) -> None:
    root = fake_adapters(
        {"boometh": "ion_fake_boom_m:adapter"},
        {"ion_fake_boom_m": "raise ImportError('no such thing')\n"},
    )
    done = ion(devnet, "markets", "--json", PYTHONPATH=str(root))
    assert done.returncode == 0, done.stderr
    assert {r["market"] for r in json.loads(done.stdout)["markets"]} == {
        "weETH",
        "rsETH",
        "rswETH",
        "ezETH",
    }
    warnings = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(warnings) == 1 and "boometh" in warnings[0], done.stderr


def test_ion_adapters_limits_the_markets(devnet: DevnetHandle) -> None:
    done = ion(devnet, "markets", "--json", ION_ADAPTERS="weeth,ezeth")
    assert done.returncode == 0, done.stderr
    assert [r["market"] for r in json.loads(done.stdout)["markets"]] == ["weETH", "ezETH"]
    refused = ion(devnet, "deposit", "rsETH", "1", "--yes", ION_ADAPTERS="weeth")
    assert refused.returncode == 2
    assert "no adapter is installed" in refused.stderr


def test_adapter_rate_is_the_token_contracts(devnet: DevnetHandle) -> None:
    done = ion(devnet, "markets", "--json")
    rows = {r["market"]: r for r in json.loads(done.stdout)["markets"]}
    weeth = devnet.deployment.token("weETH").address
    rate = devnet.w3.eth.call({"to": weeth, "data": "0x679aefce"})  # getRate()
    assert rows["weETH"]["lrt_eth_rate"] == text(int.from_bytes(rate, "big"), 10**18)
