"""`ion vaults` and `ion liquidate` on the devnet.

A vault (anvil account 1's) is opened close to its borrowing limit and a second one (the dev
account's) far from it. `ion vaults` finds both from the pool's events, sorted by health; a
liquidation of a safe vault is refused before anything is sent; after the reserve rate falls
(the oracle's `currentExchangeRate` word set, as test_liquidation_boundary does), `ion vaults
--unsafe` lists only the unsafe vault, and `ion liquidate` takes it, paying exactly the repay
that the listing previewed (block timestamps held still, so no interest accrues in between).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ion_cli.cli import app
from ion_cli.devnet import params
from ion_cli.testing.devnet import KEEPER, DevnetHandle, Protocol

pytestmark = pytest.mark.integration
RAY, WAD = params.RAY, params.WAD


def ion(*args: str, code: int = 0) -> Any:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
    if code != 0:
        lines = [line for line in result.stderr.strip().splitlines() if line.startswith("error:")]
        assert len(lines) == 1, result.stderr
        return lines[0]
    return json.loads(result.stdout) if "--json" in args else result.stdout


def wad(text: str) -> int:
    return int(Decimal(text) * WAD)


def _set_reserve_rate(p: Protocol, oracle: str, rate: int) -> None:
    """Write the oracle's `currentExchangeRate` storage word (found by its value)."""
    value = int(p.call(oracle, "WeEthWstEthReserveOracle", "currentExchangeRate"))
    for slot in range(64):
        if int.from_bytes(p.w3.eth.get_storage_at(oracle, slot), "big") == value:
            word = "0x" + rate.to_bytes(32, "big").hex()
            p.w3.provider.make_request("anvil_setStorageAt", [oracle, hex(slot), word])
            assert int(p.call(oracle, "WeEthWstEthReserveOracle", "currentExchangeRate")) == rate
            return
    raise AssertionError("currentExchangeRate not found in the oracle's storage")


def _open_vault(p: Protocol, owner: str, collateral: int, fraction: Decimal) -> int:
    """Deposit `collateral` weETH for `owner` and borrow `fraction` of its limit; returns the
    normalized debt."""
    m = p.market("weETH")
    if owner != p.dev:
        p.send(p.dev, m.collateral_token, "DevToken", "transfer", owner, collateral)
    p.send(owner, m.collateral_token, "DevToken", "approve", m.gem_join, collateral)
    p.send(owner, m.gem_join, "GemJoin", "join", owner, collateral)
    p.send(owner, m.pool, "IonPool", "depositCollateral", 0, owner, owner, collateral, [])
    spot = int(p.call(m.spot_oracle, "SpotOracle", "getSpot"))
    rate = int(p.call(m.pool, "IonPool", "rate", 0))
    limit = collateral * spot // RAY - WAD // 100
    nd = int(limit * fraction) * RAY // rate
    p.send(owner, m.pool, "IonPool", "borrow", 0, owner, owner, nd, [])
    return nd


def test_vaults_lists_and_liquidate_takes_the_unsafe_vault(
    devnet: DevnetHandle, protocol: Protocol, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    p, m = protocol, protocol.market("weETH")
    w3 = p.w3
    risky_nd = _open_vault(p, KEEPER, 20 * WAD, Decimal(1))
    _open_vault(p, p.dev, 10 * WAD, Decimal("0.3"))

    listed = ion("vaults", "weETH", "--json")
    rows = listed["vaults"]
    addresses = [r["address"] for r in rows]
    assert KEEPER in addresses and p.dev in addresses
    healths = [Decimal(r["health"]) for r in rows if r["health"] is not None]
    assert healths == sorted(healths)
    assert addresses.index(KEEPER) < addresses.index(p.dev)
    keeper_row = rows[addresses.index(KEEPER)]
    assert keeper_row["collateral"] == "20" and not keeper_row["liquidatable"]
    # the health is `ion position`'s, at the same block
    position = ion("position", "weETH", "--address", KEEPER, "--json")
    assert keeper_row["health"] == position["health"]
    assert wad(keeper_row["normalized_debt"]) == risky_nd
    # the index is cached per chain, genesis and pool, up to the block read
    (cache,) = (tmp_path / "cache" / "ion" / "vaults").glob("*.json")
    entry = json.loads(cache.read_text())["ilks"]["0"]
    assert entry["scanned_to"] == listed["block"]
    assert {KEEPER.lower(), p.dev.lower()} <= set(entry["owners"])
    assert ion("vaults", "weETH", "--unsafe", "--json")["vaults"] == []

    # a safe vault: refused, nothing sent
    nonce = w3.eth.get_transaction_count(p.dev)
    error = ion("liquidate", "weETH", KEEPER, "--yes", code=3)
    assert "is safe" in error and "nothing was sent" in error
    assert w3.eth.get_transaction_count(p.dev) == nonce

    # the reserve rate falls 10%: the risky vault (only) becomes liquidatable
    rate = int(p.call(m.reserve_oracle, "WeEthWstEthReserveOracle", "currentExchangeRate"))
    _set_reserve_rate(p, m.reserve_oracle, rate * 9 // 10)
    w3.provider.make_request("anvil_setBlockTimestampInterval", [0])
    try:
        w3.provider.make_request("evm_mine", [])
        unsafe = ion("vaults", "weETH", "--unsafe", "--json")
        (row,) = unsafe["vaults"]
        assert row["address"] == KEEPER and row["liquidatable"]
        assert Decimal(row["health"]) < 1
        previewed = row["liquidation"]
        assert previewed["outcome"] in ("partial", "dust")
        repay = wad(previewed["repay_amount"])
        assert repay > 0

        # --max-repay below the repay: refused before anything is sent
        below = format(Decimal(repay - 1) / WAD, "f")
        error = ion("liquidate", "weETH", KEEPER, "--max-repay", below, "--yes", code=3)
        assert "--max-repay" in error and "nothing was sent" in error
        assert w3.eth.get_transaction_count(p.dev) == nonce

        p.send(p.admin, m.base_token, "WstEth", "mint", p.dev, 2 * repay)
        paid_from = int(p.call(m.base_token, "DevToken", "balanceOf", p.dev))
        before = p.call(m.pool, "IonPool", "vault", 0, KEEPER)
        # the bound leaves room for interest (0.1%): the plan is simulated at the next block's
        # time, the later of latest + 1 s and the wall clock, which after the rest of the suite's
        # warps and this frozen clock can be far from the second this block is mined at
        bound = format(Decimal(repay + repay // 1000) / WAD, "f")
        result = ion("liquidate", "weETH", KEEPER, "--max-repay", bound, "--yes", "--json")
        summary = result["plan"]["summary"]["liquidation"]
        assert summary["repay"] == previewed["repay_amount"]
        assert summary["branch"] in ("normal", "dust")
        assert summary["collateral_received"] == previewed["gem_out"]
        paid = paid_from - int(p.call(m.base_token, "DevToken", "balanceOf", p.dev))
        assert paid == repay
        after = p.call(m.pool, "IonPool", "vault", 0, KEEPER)
        assert before[0] - after[0] == wad(previewed["gem_out"])
        assert before[1] - after[1] == wad(previewed["normalized_debt_removed"])
        assert result["position"]["address"] == KEEPER
        assert ion("vaults", "weETH", "--unsafe", "--json")["vaults"] == []
    finally:
        w3.provider.make_request("anvil_removeBlockTimestampInterval", [])
