"""The direct call sequences of ion-protocol.md (lend, open, close) succeed on every devnet
market, with the documented rounding: borrow sends floor(nd * rate / RAY), repay pulls
ceil(nd * rate / RAY), supply and withdraw move exactly the amount asked."""

from __future__ import annotations

import pytest

from ion_cli.devnet import params, recipes
from ion_cli.testing.devnet import Protocol

pytestmark = pytest.mark.integration
RAY, WAD = params.RAY, params.WAD
MARKETS = list(recipes.devnet_markets())  # the installed plugins' recipes, in order


def token_contract(symbol: str) -> str:
    return "WETH9" if symbol == "WETH" else "DevToken"


def balance(p: Protocol, token: str, symbol: str, who: str) -> int:
    return int(p.call(token, token_contract(symbol), "balanceOf", who))


@pytest.mark.parametrize("market", MARKETS)
def test_lend_then_withdraw(protocol: Protocol, market: str) -> None:
    p, m = protocol, protocol.market(market)
    base = token_contract(m.base)
    amount = 10 * WAD
    before = balance(p, m.base_token, m.base, p.dev)

    p.send(p.dev, m.base_token, base, "approve", m.pool, amount)
    receipt = p.send(p.dev, m.pool, "IonPool", "supply", p.dev, amount, [])
    assert balance(p, m.base_token, m.base, p.dev) == before - amount
    supplied = int(p.call(m.pool, "IonPool", "balanceOf", p.dev))
    assert amount - 1 <= supplied <= amount  # minted amount.rayDivDown(supplyFactor)
    (event,) = p.events(receipt, "IonPool", m.pool, "Supply")
    assert event["args"]["user"] == p.dev and event["args"]["amount"] == amount

    p.send(p.dev, m.pool, "IonPool", "withdraw", p.dev, 4 * WAD)
    assert balance(p, m.base_token, m.base, p.dev) == before - amount + 4 * WAD


@pytest.mark.parametrize("market", MARKETS)
def test_open_then_close(protocol: Protocol, market: str) -> None:
    p, m = protocol, protocol.market(market)
    collateral, wanted = 10 * WAD, 5 * WAD
    lrt_before = balance(p, m.collateral_token, m.collateral, p.dev)
    base_before = balance(p, m.base_token, m.base, p.dev)

    # open: approve, join, depositCollateral, borrow
    p.send(p.dev, m.collateral_token, "DevToken", "approve", m.gem_join, collateral)
    p.send(p.dev, m.gem_join, "GemJoin", "join", p.dev, collateral)
    assert p.call(p.devnet.deployment.shared.lens, "IonLens", "gem", m.pool, 0, p.dev) == collateral
    p.send(p.dev, m.pool, "IonPool", "depositCollateral", 0, p.dev, p.dev, collateral, [])
    rate = int(p.call(m.pool, "IonPool", "rate", 0))
    nd = wanted * RAY // rate  # to borrow B, pass floor(B * RAY / rate)
    receipt = p.send(p.dev, m.pool, "IonPool", "borrow", 0, p.dev, p.dev, nd, [])
    (event,) = p.events(receipt, "IonPool", m.pool, "Borrow")
    used_rate = event["args"]["ilkRate"]
    received = balance(p, m.base_token, m.base, p.dev) - base_before
    assert received == nd * used_rate // RAY  # floor
    assert wanted - 2 <= received <= wanted
    assert p.call(m.pool, "IonPool", "vault", 0, p.dev) == (collateral, nd)

    # close: approve ceil(nd*rate/RAY) + margin, repay, withdrawCollateral, exit
    p.send(p.dev, m.base_token, token_contract(m.base), "approve", m.pool, received + WAD)
    base_mid = balance(p, m.base_token, m.base, p.dev)
    receipt = p.send(p.dev, m.pool, "IonPool", "repay", 0, p.dev, p.dev, nd)
    (event,) = p.events(receipt, "IonPool", m.pool, "Repay")
    repay_rate = event["args"]["ilkRate"]
    assert base_mid - balance(p, m.base_token, m.base, p.dev) == -(-nd * repay_rate // RAY)  # ceil
    p.send(p.dev, m.pool, "IonPool", "withdrawCollateral", 0, p.dev, p.dev, collateral)
    p.send(p.dev, m.gem_join, "GemJoin", "exit", p.dev, collateral)
    assert p.call(m.pool, "IonPool", "vault", 0, p.dev) == (0, 0)
    assert balance(p, m.collateral_token, m.collateral, p.dev) == lrt_before
