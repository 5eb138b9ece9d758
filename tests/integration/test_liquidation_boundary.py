"""The liquidation figures of `ion position` against what the Liquidation contract does.

The block time is fixed (`anvil_setNextBlockTimestamp`), so interest is the same in the figure
and in the liquidation. The reserve rate is set exactly (the oracle's `currentExchangeRate`
storage word, read back through its getter): at one unit (1e-18) below the reported
`liquidation_exchange_rate` the contract liquidates, with the repay amount, debt removed and
collateral out that `position_math.preview_liquidation` gives; at the reported rate it refuses
(VaultIsNotUnsafe): the figure is the exact boundary, through the contract's own rounding.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from typer.testing import CliRunner

from ion_cli import position_math as pm
from ion_cli.cli import app
from ion_cli.devnet import params, recipes
from ion_cli.devnet.txbatch import encode_artifact_call
from ion_cli.testing.devnet import (
    KEEPER,
    DevnetHandle,
    Protocol,
    decode_error,
    mine,
    revert,
    snapshot,
)

pytestmark = pytest.mark.integration
RAY, WAD = params.RAY, params.WAD


def _rate_slot(p: Protocol, oracle: str) -> int:
    """The storage slot of the oracle's `currentExchangeRate` (found by its value)."""
    value = int(p.call(oracle, "WeEthWstEthReserveOracle", "currentExchangeRate"))
    for slot in range(64):
        word = p.w3.eth.get_storage_at(oracle, slot)
        if int.from_bytes(word, "big") == value:
            return slot
    raise AssertionError("currentExchangeRate not found in the oracle's storage")


def _set_rate(p: Protocol, oracle: str, slot: int, rate: int) -> None:
    p.w3.provider.make_request(
        "anvil_setStorageAt", [oracle, hex(slot), "0x" + rate.to_bytes(32, "big").hex()]
    )
    assert int(p.call(oracle, "WeEthWstEthReserveOracle", "currentExchangeRate")) == rate


def _liquidate_at(p: Protocol, timestamp: int) -> Any:
    """Send `liquidate` (no pre-simulation) in a block at `timestamp`; returns the receipt."""
    m = p.market("weETH")
    p.w3.provider.make_request("anvil_setNextBlockTimestamp", [timestamp])
    tx = {
        "from": KEEPER,
        "to": m.liquidation,
        "data": encode_artifact_call("Liquidation", "liquidate", 0, p.dev, KEEPER),
        "gas": 3_000_000,
    }
    receipt = p.w3.eth.wait_for_transaction_receipt(p.w3.eth.send_transaction(tx), timeout=30)
    assert int(p.w3.eth.get_block(receipt["blockNumber"])["timestamp"]) == timestamp
    return receipt


def test_the_reported_liquidation_rate_is_the_contracts_boundary(
    devnet: DevnetHandle, protocol: Protocol
) -> None:
    p, m = protocol, protocol.market("weETH")
    mp = recipes.devnet_markets()["weETH"]  # the weETH plugin's recipe
    collateral = 20 * WAD
    spot = int(p.call(m.spot_oracle, "SpotOracle", "getSpot"))
    p.send(p.dev, m.collateral_token, "DevToken", "approve", m.gem_join, collateral)
    p.send(p.dev, m.gem_join, "GemJoin", "join", p.dev, collateral)
    p.send(p.dev, m.pool, "IonPool", "depositCollateral", 0, p.dev, p.dev, collateral, [])
    nd = (collateral * spot // RAY - WAD // 100) * RAY // int(p.call(m.pool, "IonPool", "rate", 0))
    p.send(p.dev, m.pool, "IonPool", "borrow", 0, p.dev, p.dev, nd, [])
    p.send(p.admin, m.base_token, "WstEth", "mint", KEEPER, 100 * WAD)
    p.send(KEEPER, m.base_token, "DevToken", "approve", m.liquidation, 100 * WAD)
    slot = _rate_slot(p, m.reserve_oracle)

    # A fixed time an hour ahead: the figure and both liquidations see the same interest.
    when = int(p.w3.eth.get_block("latest")["timestamp"]) + 3600
    before = snapshot(p.w3)
    p.w3.provider.make_request("anvil_setNextBlockTimestamp", [when])
    mine(p.w3)
    result = CliRunner().invoke(app, ["position", "weETH", "--json"])
    assert result.exit_code == 0, result.output
    figure = json.loads(result.stdout)["liquidation_exchange_rate"]
    boundary = int(Decimal(figure) * WAD)
    assert Decimal(boundary) / WAD == Decimal(figure)  # exact to the wei
    rate_then = int(p.call(m.pool, "IonPool", "rate", 0))
    terms = pm.LiquidationTerms(
        liquidation_threshold=mp.liquidation_threshold,
        target_health=mp.target_health,
        base_discount=params.BASE_DISCOUNT,
        max_discount=params.MAX_DISCOUNT,
    )
    preview = pm.preview_liquidation(collateral, nd, rate_then, boundary - 1, mp.dust, terms)
    assert preview.outcome == "partial" and preview.repay_amount > 0
    revert(p.w3, before)

    # One unit below the figure: liquidated, by exactly the previewed amounts.
    before = snapshot(p.w3)
    _set_rate(p, m.reserve_oracle, slot, boundary - 1)
    paid_from = int(p.call(m.base_token, "DevToken", "balanceOf", KEEPER))
    receipt = _liquidate_at(p, when)
    assert receipt["status"] == 1
    (event,) = p.events(receipt, "Liquidation", m.liquidation, "Liquidate")
    assert event["args"]["repay"] == preview.normalized_debt_removed
    assert event["args"]["gemOut"] == preview.gem_out
    paid = paid_from - int(p.call(m.base_token, "DevToken", "balanceOf", KEEPER))
    assert paid == preview.repay_amount
    assert p.call(m.pool, "IonPool", "vault", 0, p.dev) == (
        collateral - preview.gem_out,
        nd - preview.normalized_debt_removed,
    )
    revert(p.w3, before)

    # At the figure itself the vault is safe: the contract refuses.
    before = snapshot(p.w3)
    _set_rate(p, m.reserve_oracle, slot, boundary)
    receipt = _liquidate_at(p, when)
    assert receipt["status"] == 0
    assert p.call(m.pool, "IonPool", "vault", 0, p.dev) == (collateral, nd)
    call = {
        "to": m.liquidation,
        "data": encode_artifact_call("Liquidation", "getRepayAmt", 0, p.dev),
    }
    answer = p.w3.provider.make_request("eth_call", [call, hex(receipt["blockNumber"])])
    name, args = decode_error(answer["error"]["data"])
    assert name == "VaultIsNotUnsafe" and args[0] >= RAY
    assert (
        pm.preview_liquidation(collateral, nd, rate_then, boundary, mp.dust, terms).outcome
        == "safe"
    )
    revert(p.w3, before)
