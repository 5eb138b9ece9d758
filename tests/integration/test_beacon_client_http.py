"""The beacon client against the devnet's real beacon server over HTTP (no HTTP mocking here):
POST and the GET fallback, failover when a server is stopped, cross-check disagreement, and
each error case through the server's fault switches, also through `ion validators`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from ion_cli.beacon.client import BeaconClient
from ion_cli.beacon.errors import (
    AllNodesFailed,
    BeaconMalformed,
    BeaconOptimistic,
    BeaconSyncing,
    BeaconUnreachable,
    NodesDisagree,
    UnknownValidators,
)
from ion_cli.beacon.fetch import snapshot_of_credentials, snapshot_of_ids

pytestmark = pytest.mark.integration

SIZE = 12_000


@contextmanager
def beacon_server(*extra: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`python -m ion_cli.devnet.beacon_server` on a free port; killed at the end."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "ion_cli.devnet.beacon_server", "--port", "0", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 120
        url = None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            if "Listening on" in line:
                url = "http://" + line.split("Listening on", 1)[1].strip()
                break
        assert url, f"the beacon server did not start (exit {proc.poll()})"
        yield url, proc
    finally:
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with beacon_server("--validators", str(SIZE)) as (url, _):
        yield url


@pytest.fixture(autouse=True)
def no_faults(server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    yield
    faults(server)


def faults(url: str, **switches: Any) -> None:
    off = {
        "syncing": False,
        "optimistic": False,
        "no_post": False,
        "malformed": False,
        "drop": False,
        "status_code": 0,
    }
    httpx.post(f"{url}/ion/v1/devnet/faults", json={**off, **switches}).raise_for_status()


def info(url: str) -> dict[str, Any]:
    return httpx.get(f"{url}/ion/v1/devnet/info").json()  # type: ignore[no-any-return]


def one_by_one(url: str, state_root: str, ids: list[int]) -> list[dict[str, Any]]:
    """The reference: the single-validator route, one request per id."""
    with httpx.Client(base_url=url) as http:  # one client: each new one costs ~50 ms of TLS set-up
        return [
            http.get(f"/eth/v1/beacon/states/{state_root}/validators/{i}").json()["data"]
            for i in ids
        ]


def client(*urls: str, **kw: Any) -> BeaconClient:
    return BeaconClient(list(urls), backoff=0.01, **kw)


# ---- POST and the GET fallback ----


def test_post_answers_match_the_single_validator_route(server: str) -> None:
    ids = list(range(0, SIZE, 97))
    with client(server, chunk=40) as c:
        snap = snapshot_of_ids(c, [str(i) for i in ids])
    reference = one_by_one(server, snap.state.state_root, ids)
    assert [v.index for v in snap.validators] == ids
    for v, ref in zip(snap.validators, reference, strict=True):
        assert str(v.balance) == ref["balance"] and v.status == ref["status"]
        assert str(v.exit_epoch) == ref["validator"]["exit_epoch"]
        assert v.withdrawal_credentials == ref["validator"]["withdrawal_credentials"]


def test_get_fallback_in_chunks_when_post_is_refused(server: str) -> None:
    ids = [str(i) for i in range(300)]
    with client(server) as c:
        by_post = snapshot_of_ids(c, ids)
    faults(server, no_post=True)
    warnings: list[str] = []
    with client(server, warn=warnings.append) as c:
        by_get = snapshot_of_ids(c, ids)
    assert by_get.validators == by_post.validators
    assert any("POST" in w for w in warnings)


def test_get_over_64_ids_is_414_on_the_server(server: str) -> None:
    ids = ",".join(str(i) for i in range(65))
    answer = httpx.get(f"{server}/eth/v1/beacon/states/head/validators", params={"id": ids})
    assert answer.status_code == 414  # what the client's chunks of 64 avoid (test above)


def test_pubkeys_and_indices_mix(server: str) -> None:
    with client(server) as c:
        first = snapshot_of_ids(c, ["5"])
        key = first.validators[0].pubkey
        both = snapshot_of_ids(c, [key, "6"])
    assert [v.index for v in both.validators] == [5, 6]


def test_unknown_ids_are_named(server: str) -> None:
    with client(server) as c, pytest.raises(UnknownValidators) as err:
        snapshot_of_ids(c, ["1", str(SIZE + 5)])
    assert err.value.missing == (str(SIZE + 5),)


def test_whole_set_scan_finds_each_lrts_validators(server: str) -> None:
    lrts = info(server)["lrts"]
    with client(server) as c:
        snap = snapshot_of_credentials(c, lrts["weETH"]["credentials"])
    assert len(snap.validators) == lrts["weETH"]["validators"]
    assert {v.withdrawal_credentials for v in snap.validators} == set(lrts["weETH"]["credentials"])


# ---- failover and cross-check ----


def test_failover_when_one_server_is_stopped(server: str) -> None:
    with beacon_server("--validators", str(SIZE)) as (other, proc):
        pass  # started, then stopped: its port now refuses connections
    assert proc.poll() is not None
    warnings: list[str] = []
    with client(other, server, retries=1, warn=warnings.append) as c:
        snap = snapshot_of_ids(c, ["1", "2"])
    assert snap.source == server and len(snap.validators) == 2
    assert warnings and other.split("//")[1] in warnings[0]


def test_cross_check_refuses_nodes_on_other_chains(server: str) -> None:
    with beacon_server("--validators", str(SIZE), "--seed", "another-chain") as (other, _):
        with client(server, other) as c, pytest.raises(NodesDisagree):
            c.cross_check()
        with beacon_server("--validators", str(SIZE)) as (twin, _), client(server, twin) as c:
            agreed = c.cross_check()
            assert agreed.root == c.header("finalized").root


# ---- errors ----


def test_syncing_node(server: str) -> None:
    faults(server, syncing=True)
    with client(server) as c, pytest.raises(BeaconSyncing):
        snapshot_of_ids(c, ["1"])


def test_server_errors_are_retried_then_reported(server: str) -> None:
    faults(server, status_code=500)
    with client(server, retries=1) as c, pytest.raises(Exception) as err:
        snapshot_of_ids(c, ["1"])
    assert "500" in str(err.value)


def test_drop_mid_response(server: str) -> None:
    faults(server, drop=True)
    with client(server, retries=1) as c, pytest.raises(BeaconUnreachable) as err:
        c.validators("head", None)
    assert "mid-response" in err.value.message


def test_cut_document(server: str) -> None:
    faults(server, malformed=True)
    with client(server, retries=0) as c, pytest.raises((BeaconUnreachable, BeaconMalformed)):
        c.validators("head", [str(i) for i in range(10)])


def test_optimistic_finalized_refused_head_warned(server: str) -> None:
    faults(server, optimistic=True)
    with client(server) as c, pytest.raises(BeaconOptimistic):
        snapshot_of_ids(c, ["1"], "finalized")
    warnings: list[str] = []
    with client(server) as c:
        snap = snapshot_of_ids(c, ["1"], "head", warn=warnings.append)
    assert snap.state.execution_optimistic and warnings


def test_every_node_failing_is_one_error(server: str) -> None:
    with beacon_server("--validators", str(SIZE)) as (other, _):
        pass
    faults(server, syncing=True)
    with client(other, server, retries=0) as c, pytest.raises(AllNodesFailed) as err:
        snapshot_of_ids(c, ["1"])
    assert "syncing" in err.value.message


# ---- through the CLI: one line, the README's exit codes ----


def ion(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ}
    env.pop("ION_BEACON_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "ion_cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_cli_show_json_csv_and_table_name_the_state(server: str) -> None:
    shown = ion("validators", "show", "1", "2", "--beacon-url", server, "--json")
    assert shown.returncode == 0, shown.stderr
    doc = json.loads(shown.stdout)
    assert doc["state"]["finalized"] is True and doc["state"]["state_root"].startswith("0x")
    assert [v["index"] for v in doc["validators"]] == [1, 2]
    csv = ion("validators", "show", "1", "--beacon-url", server, "--csv")
    header, row = csv.stdout.splitlines()
    assert header.startswith("slot,state_root,finalized") and doc["state"]["state_root"] in row
    table = ion("validators", "show", "1", "--beacon-url", server)
    assert doc["state"]["state_root"] in table.stdout and "finalized" in table.stdout


def test_cli_ids_from_stdin(server: str) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "ion_cli", "validators", "show", "-", "--beacon-url", server],
        input="1\n2, 3 # comment\n",
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "ION_BEACON_URL": ""},
    )
    assert run.returncode == 0, run.stderr


@pytest.mark.parametrize(
    ("switches", "args", "code", "words"),
    [
        ({}, ["abc"], 2, "not a validator index"),
        ({}, [str(SIZE + 1)], 2, "unknown validator"),
        ({"syncing": True}, ["1"], 4, "syncing"),
        ({"drop": True}, ["1"], 4, "mid-response"),
        ({"optimistic": True}, ["1"], 4, "execution_optimistic"),
        ({"status_code": 500}, ["1"], 4, "500"),
    ],
)
def test_cli_errors_are_one_line(
    server: str, switches: dict[str, Any], args: list[str], code: int, words: str
) -> None:
    faults(server, **switches)
    run = ion("validators", "show", *args, "--beacon-url", server)
    assert run.returncode == code, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and words in lines[0], run.stderr
    assert run.stdout == ""


def test_cli_unreachable_node(server: str) -> None:
    with beacon_server("--validators", str(SIZE)) as (other, _):
        pass
    run = ion("validators", "show", "1", "--beacon-url", other)
    assert run.returncode == 4 and "cannot reach" in run.stderr and "Traceback" not in run.stderr


def test_cli_cross_check_disagreement_is_refused(server: str) -> None:
    with beacon_server("--validators", str(SIZE), "--seed", "x") as (other, _):
        run = ion(
            "validators",
            "show",
            "1",
            "--beacon-url",
            server,
            "--beacon-url",
            other,
            "--cross-check",
        )
    assert run.returncode == 3 and "disagree" in run.stderr
