"""One chain identity (issue 16): two devnets in two ION_DEVNET_DIRs, started at the same time
(so, often, in the same second), are two chains with two genesis hashes; each keeps its own
journal and watch state, and a reset of one never touches the other's; after a real reset, a
slashing on the new chain alerts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ion_cli.chain import journal
from ion_cli.devnet import beacon, node

pytestmark = pytest.mark.integration

ION = str(Path(sys.executable).parent / "ion")


def run(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ION_DEVNET_DIR": str(directory)}
    done = subprocess.run(
        [ION, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert "Traceback" not in done.stdout + done.stderr
    return done


@pytest.fixture
def two(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    a, b = tmp_path / "devnet-a", tmp_path / "devnet-b"
    try:
        yield a, b
    finally:
        for directory in (a, b):
            beacon.stop(directory)
            node.stop(directory, timeout=5)


def _genesis(directory: Path) -> dict[str, str]:
    url = json.loads((directory / node.INFO_FILE).read_text())["rpc_url"]
    block = node.rpc(url, "eth_getBlockByNumber", ["0x0", False])
    return {"hash": block["hash"], "timestamp": block["timestamp"]}


def _watch_state(directory: Path) -> Path:
    done = run(directory, "watch", "--once", "--market", "weETH", "--json")
    assert done.returncode == 0, done.stderr
    return Path(json.loads(done.stdout.splitlines()[0])["state_file"])


def test_two_devnets_keep_their_own_journals_and_watch_states_through_a_reset(
    two: tuple[Path, Path],
) -> None:
    a, b = two
    env_a = {**os.environ, "ION_DEVNET_DIR": str(a)}
    env_b = {**os.environ, "ION_DEVNET_DIR": str(b)}
    ups = [
        subprocess.Popen([ION, "devnet", "up"], env=env, stderr=subprocess.PIPE, text=True)
        for env in (env_a, env_b)
    ]
    for process in ups:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    ga, gb = _genesis(a), _genesis(b)
    assert ga["hash"] != gb["hash"]  # even when both started in the same second

    for directory in (a, b):
        done = run(directory, "supply", "weETH", "1", "--yes")
        assert done.returncode == 0, done.stderr
    folders = journal.chain_journals(31337)
    assert len(folders) == 2
    by_chain = {f.name.split("-")[1]: f for f in folders}
    journal_b = by_chain[gb["hash"][2:18]] / journal.DB_NAME
    watch_a, watch_b = _watch_state(a), _watch_state(b)
    assert watch_a != watch_b

    # the old chain runs ahead of where the new one will start, and its watch state follows it
    assert run(a, "devnet", "advance", "--epochs", "4").returncode == 0
    assert run(a, "watch", "--once", "--lrt", "weETH", "--json").returncode == 0

    kept_journal, kept_watch = journal_b.read_bytes(), watch_b.read_bytes()
    reset = run(a, "devnet", "reset", "--yes")
    assert reset.returncode == 0, reset.stderr
    assert _genesis(a)["hash"] not in (ga["hash"], gb["hash"])  # a new chain, a new identity
    assert journal_b.read_bytes() == kept_journal and watch_b.read_bytes() == kept_watch

    listed = run(b, "tx", "list", "--json")  # b's history is intact and still b's
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)["transactions"]) >= 1
    again = run(a, "supply", "weETH", "1", "--yes")  # the reset chain gets a journal of its own
    assert again.returncode == 0, again.stderr
    assert len(journal.chain_journals(31337)) == 3

    # a slashing on the new chain alerts: nothing kept for the old chain skips its epochs
    assert run(a, "watch", "--once", "--lrt", "weETH", "--json").returncode == 0
    assert run(a, "devnet", "slash", "--lrt", "weETH", "--count", "1").returncode == 0
    assert run(a, "devnet", "advance", "--epochs", "3").returncode == 0
    done = run(a, "watch", "--once", "--lrt", "weETH", "--json")
    assert done.returncode == 6, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert [e["kind"] for e in events if e["alert"]] == ["slashing"]
