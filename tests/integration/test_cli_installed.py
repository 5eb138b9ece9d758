"""A few runs of the installed `ion` executable end to end (the rest run in-process)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ion_cli.testing.devnet import DevnetHandle

pytestmark = pytest.mark.integration

ION = shutil.which("ion", path=str(Path(sys.executable).parent)) or "ion"


def run(*args: str, devnet: DevnetHandle) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, ION_DEVNET_DIR=str(devnet.deployment_dir))
    return subprocess.run([ION, *args], capture_output=True, text=True, env=env, timeout=120)


def test_write_prints_one_json_document_and_progress_on_stderr(devnet: DevnetHandle) -> None:
    done = run("deposit", "weETH", "2", "--yes", "--json", devnet=devnet)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)  # stdout is exactly one JSON document
    assert document["position"]["collateral"] == "2"
    assert len(document["execution"]["tx_hashes"]) == 3  # approve, join, depositCollateral
    assert "mined step 3/3" in done.stderr


def test_refusal_without_terminal_or_yes(devnet: DevnetHandle) -> None:
    nonce = devnet.w3.eth.get_transaction_count(devnet.dev)
    done = run("supply", "weETH", "1", devnet=devnet)
    assert done.returncode == 3
    assert done.stderr.strip().splitlines()[-1].startswith("error: refusing to send")
    assert "Traceback" not in done.stderr
    assert devnet.w3.eth.get_transaction_count(devnet.dev) == nonce
