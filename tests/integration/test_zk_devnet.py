"""Risk proofs on the devnet: slash weETH validators on the local beacon chain, advance to
finality, then `ion risk` (with a what-if on a real vault), `ion prove` and `ion verify`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from ion_cli.cli import app
from ion_cli.testing.devnet import DevnetHandle
from ion_cli.zk import layout

pytestmark = pytest.mark.integration


def ion(*args: str) -> Any:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(autouse=True)
def zk_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ION_ZK_CACHE", str(tmp_path_factory.getbasetemp() / "zk-cache"))


def _finalize_past_genesis() -> None:
    """Finality names the last block at or before its checkpoint: two advances make a block
    after genesis final (each advance mines one block at the new head)."""
    ion("devnet", "advance", "--epochs", "3")
    ion("devnet", "advance", "--epochs", "3")


def test_slash_then_risk_prove_verify(devnet: DevnetHandle, tmp_path: Path) -> None:
    assert devnet.beacon_url is not None
    _finalize_past_genesis()
    clean = ion("risk", "--lrt", "weETH")
    assert clean["complete"] is True and clean["validators"] > 1000
    assert clean["rule"]["total_gwei"] == 0
    assert clean["network"]["active_balance"] > clean["features"]["effective_balance_gwei"]

    ion("devnet", "slash", "--lrt", "weETH", "--count", "300")
    ion("devnet", "advance", "--epochs", "3")
    hit = ion("risk", "--lrt", "weETH")
    assert hit["state"]["finalized"] is True
    assert hit["features"]["quantized"][0] > 0  # slashed share
    assert hit["rule"]["correlation_pending_gwei"] > 0
    rule_h = int(hit["rule"]["haircut_wad"])
    model_h = int(hit["model"]["haircut_wad"])
    assert rule_h > 0 and model_h > 0
    assert abs(model_h - rule_h) < 2 * 10**16  # within 2 percentage points

    out = tmp_path / "proof"
    proved = ion("prove", "--lrt", "weETH", "--out", str(out))
    receipt = proved["receipt"]
    # What is proven is the post-state of the finalized checkpoint's block (a header names it),
    # not the epoch-boundary state `ion risk` reads by default.
    api = httpx.Client(base_url=devnet.beacon_url)
    checkpoint = api.get("/eth/v1/beacon/states/head/finality_checkpoints").json()["data"]
    header = api.get(f"/eth/v1/beacon/headers/{checkpoint['finalized']['root']}").json()["data"]
    message = header["header"]["message"]
    anchor = receipt["anchor"]
    assert anchor["block_root"] == header["root"] == receipt["beacon"]["block_root"]
    assert receipt["beacon"]["slot"] == int(message["slot"]) <= hit["state"]["slot"]
    assert receipt["beacon"]["state_root"] == message["state_root"]
    assert "finalized checkpoint's block" in anchor["why"]
    assert anchor["state_check"]["set_complete_against_state"] is True
    assert anchor["state_check"]["validators_compared"] == clean["validators"]
    assert anchor["beacon_root_on_chain"]["checked"] is True  # the devnet's 4788 agrees
    assert receipt["beacon"]["url"] == devnet.beacon_url
    same = ion("risk", "--lrt", "weETH", "--state", message["state_root"])
    assert receipt["output"]["score"] == same["model"]["score"]
    assert receipt["output"]["haircut_wad"] == str(layout.haircut_wad(same["model"]["score"]))
    assert ion("verify", str(out))["ok"] is True


def test_what_if_shows_the_vault_and_the_slashings_to_liquidation(devnet: DevnetHandle) -> None:
    _finalize_past_genesis()
    for args in (("deposit", "weETH", "20"), ("borrow", "weETH", "12")):
        CliRunner().invoke(app, [*args, "--yes"])
    doc = ion("risk", "--lrt", "weETH", "--what-if-slashed", "10%")
    w = doc["what_if"]
    assert w["slashed"] == -(-w["slashable"] // 10)
    assert float(w["reserve_rate_after"]) < float(w["reserve_rate_before"])
    (vault,) = w["vaults"]
    assert float(vault["health_after"]) < float(vault["health_before"])
    n = vault["slashings_to_liquidation"]
    assert n is not None and 0 < n <= w["slashable"]
    # slashing that many (and no fewer) makes the vault liquidatable in the same what-if
    at = ion("risk", "--lrt", "weETH", "--what-if-slashed", str(n))["what_if"]["vaults"][0]
    before = ion("risk", "--lrt", "weETH", "--what-if-slashed", str(n - 1))["what_if"]["vaults"][0]
    assert at["liquidatable_after"] is True
    assert before["liquidatable_after"] is False
