"""`ion validators` on the devnet (anvil + its beacon server, started by the session fixture):
exact counts for an LRT from its adapter's credentials, before and after `ion devnet slash`,
and the slashed validators' balances lower by exactly the consensus penalty."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from ion_cli import consensus_rules as cr
from ion_cli.cli import app
from ion_cli.testing.devnet import DevnetHandle

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("ION_BEACON_URL", raising=False)
    return tmp_path / "cache"


def ion(*args: str) -> Any:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def reference(devnet: DevnetHandle, state_root: str, symbol: str) -> list[dict[str, Any]]:
    """The token's validators straight from the API: the whole set at that state, filtered."""
    assert devnet.beacon_url is not None
    creds = set(devnet.deployment.tokens[symbol].withdrawal_credentials)
    rows = httpx.post(
        f"{devnet.beacon_url}/eth/v1/beacon/states/{state_root}/validators", json={}, timeout=60
    ).json()["data"]
    return [r for r in rows if r["validator"]["withdrawal_credentials"] in creds]


def test_summary_counts_are_exact_and_follow_a_slashing(devnet: DevnetHandle) -> None:
    before = ion("validators", "summary", "--lrt", "weETH")
    state = before["state"]
    assert state["finalized"] is True and before["complete"] is True
    rows = reference(devnet, state["state_root"], "weETH")
    assert before["count"] == len(rows) == 3200
    assert before["by_status"] == dict(sorted(Counter(r["status"] for r in rows).items()))
    assert before["balance_gwei"] == sum(int(r["balance"]) for r in rows)
    assert before["effective_balance_gwei"] == sum(
        int(r["validator"]["effective_balance"]) for r in rows
    )
    assert before["slashed"] == 0
    # The finalized state is the checkpoint's (its epoch's first slot); its root names it again.
    assert state["slot"] % cr.SLOTS_PER_EPOCH == 0
    again = ion("validators", "show", "0", "--state", state["state_root"])["state"]
    assert (again["slot"], again["state_root"]) == (state["slot"], state["state_root"])
    assert {e["address"] for e in before["by_address"]} == {
        "0x" + c[-40:] for c in devnet.deployment.tokens["weETH"].withdrawal_credentials
    }

    slashed = ion("devnet", "slash", "--lrt", "weETH", "--count", "3")["validators"]
    indices = [str(row["index"]) for row in slashed]
    head = ion("validators", "summary", "--lrt", "weETH", "--state", "head")
    assert head["slashed"] == 3 and head["count"] == 3200
    assert head["by_status"]["active_slashed"] == 3
    # The finalized state does not see it yet; two epochs of finality later it does.
    assert ion("validators", "summary", "--lrt", "weETH")["slashed"] == 0
    ion("devnet", "advance", "--epochs", "3")
    after = ion("validators", "summary", "--lrt", "weETH")
    assert after["slashed"] == 3 and after["state"]["slot"] > state["slot"]

    # Each slashed validator's balance fell by the initial penalty, effective balance / 4096.
    was = {
        v["index"]: v
        for v in ion("validators", "show", *indices, "--state", str(state["slot"]))["validators"]
    }
    now = ion("validators", "show", *indices, "--state", "head")
    for v in now["validators"]:
        old = was[v["index"]]
        assert v["slashed"] is True
        penalty = cr.initial_slashing_penalty(old["effective_balance_gwei"])
        row = next(r for r in slashed if r["index"] == v["index"])
        assert row["balance_before_gwei"] - row["balance_gwei"] == penalty
        assert row["initial_penalty_gwei"] == penalty
        assert old["balance_gwei"] - v["balance_gwei"] == penalty


def test_show_defaults_to_the_devnet_server_and_names_the_state(devnet: DevnetHandle) -> None:
    doc = ion("validators", "show", "0", "1")
    assert [v["index"] for v in doc["validators"]] == [0, 1]
    assert doc["source"] == devnet.beacon_url
    assert doc["state"]["finalized"] is True


def test_summary_of_every_devnet_lrt(devnet: DevnetHandle) -> None:
    for symbol, token in devnet.deployment.tokens.items():
        if not token.withdrawal_credentials:
            continue
        doc = ion("validators", "summary", "--lrt", symbol)
        assert doc["count"] == len(reference(devnet, doc["state"]["state_root"], symbol)) > 0


def _lie(devnet: DevnetHandle, on: bool) -> None:
    assert devnet.beacon_url is not None
    body = {"rewrite_credentials": True} if on else {"reset": True}
    httpx.post(f"{devnet.beacon_url}/ion/v1/devnet/faults", json=body).raise_for_status()


def test_a_node_rewriting_credentials_is_never_zero_validators(devnet: DevnetHandle) -> None:
    """Issue 17: a beacon node rewriting withdrawal credentials made `ion validators summary
    --lrt weETH` print "weETH validators: 0" with exit 0. Now: an error naming the node (4)."""
    _lie(devnet, True)
    try:
        result = CliRunner().invoke(app, ["validators", "summary", "--lrt", "weETH", "--rescan"])
    finally:
        _lie(devnet, False)
    assert result.exit_code == 4, result.output
    assert "validators: 0" not in result.stdout
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("error: weETH: ") and "returned no validator" in line
    assert devnet.beacon_url.split("//")[1].split("/")[0] in line  # names the node


def test_summary_names_its_node_and_whether_it_was_cross_checked(devnet: DevnetHandle) -> None:
    doc = ion("validators", "summary", "--lrt", "weETH")
    assert doc["cross_checked"] is False
    assert doc["source"] and "127.0.0.1" in doc["source"]
    shown = CliRunner().invoke(app, ["validators", "summary", "--lrt", "weETH"])
    assert "not cross-checked" in shown.stdout
