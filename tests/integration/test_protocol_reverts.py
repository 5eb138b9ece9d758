"""The protocol's checks revert with the documented custom errors (decoded by selector against
the artifacts' ABIs): unsafe position, debt ceiling, dust, pause."""

from __future__ import annotations

import pytest
from eth_utils.crypto import keccak

from ion_cli.devnet import params, recipes
from ion_cli.testing.devnet import Protocol

pytestmark = pytest.mark.integration
RAY, WAD, RAD = params.RAY, params.WAD, params.RAD


def deposit(p: Protocol, market: str, amount: int) -> None:
    m = p.market(market)
    p.send(p.dev, m.collateral_token, "DevToken", "approve", m.gem_join, amount)
    p.send(p.dev, m.gem_join, "GemJoin", "join", p.dev, amount)
    p.send(p.dev, m.pool, "IonPool", "depositCollateral", 0, p.dev, p.dev, amount, [])


def normalized(p: Protocol, market: str, amount: int) -> int:
    return amount * RAY // int(p.call(p.market(market).pool, "IonPool", "rate", 0))


def test_borrowing_past_spot_is_unsafe(protocol: Protocol) -> None:
    p, m = protocol, protocol.market("weETH")
    collateral = 10 * WAD
    deposit(p, "weETH", collateral)
    spot = int(p.call(m.spot_oracle, "SpotOracle", "getSpot"))
    mp = recipes.devnet_markets()["weETH"]  # the weETH plugin's recipe
    assert spot == mp.ltv * mp.reserve_rate // WAD
    too_much = normalized(p, "weETH", collateral * spot // RAY + WAD // 10)
    name, (new_debt, vault_collateral, vault_spot) = p.revert_of(
        p.dev, m.pool, "IonPool", "borrow", 0, p.dev, p.dev, too_much, []
    )
    assert name == "UnsafePositionChange"
    assert (vault_collateral, vault_spot) == (collateral, spot)
    assert new_debt >= too_much * RAY and new_debt > collateral * spot


def test_borrowing_past_the_ceiling(protocol: Protocol) -> None:
    p, m = protocol, protocol.market("rsETH")
    p.send(p.admin, m.pool, "IonPool", "updateIlkDebtCeiling", 0, 1 * RAD)
    deposit(p, "rsETH", 10 * WAD)
    nd = normalized(p, "rsETH", 5 * WAD)
    name, (new_debt, ceiling) = p.revert_of(
        p.dev, m.pool, "IonPool", "borrow", 0, p.dev, p.dev, nd, []
    )
    assert name == "CeilingExceeded"
    assert ceiling == RAD and 5 * RAD - RAY <= new_debt <= 5 * RAD + RAD // 1000


def test_a_vault_below_dust(protocol: Protocol) -> None:
    p, m = protocol, protocol.market("weETH")
    deposit(p, "weETH", 10 * WAD)
    nd = normalized(p, "weETH", WAD // 2)  # weETH's dust is 1 token
    name, (left, dust) = p.revert_of(p.dev, m.pool, "IonPool", "borrow", 0, p.dev, p.dev, nd, [])
    assert name == "VaultCannotBeDusty"
    assert dust == RAD and RAD // 2 - RAY <= left < RAD


def test_a_paused_pool(protocol: Protocol) -> None:
    p, m = protocol, protocol.market("rswETH")
    p.send(p.admin, m.pool, "IonPool", "pause")
    assert p.call(m.pool, "IonPool", "paused") is True
    p.send(p.dev, m.base_token, "DevToken", "approve", m.pool, WAD)
    assert p.revert_of(p.dev, m.pool, "IonPool", "supply", p.dev, WAD, []) == ("EnforcedPause", ())
    assert p.revert_of(p.dev, m.pool, "IonPool", "withdraw", p.dev, WAD) == ("EnforcedPause", ())


def test_only_the_admin_administers(protocol: Protocol) -> None:
    p, m = protocol, protocol.market("ezETH")
    name, (account, role) = p.revert_of(p.dev, m.pool, "IonPool", "pause")
    assert name == "AccessControlUnauthorizedAccount" and account.lower() == p.dev.lower()
    assert role == keccak(text="PAUSE_ROLE")


def test_a_safe_vault_cannot_be_liquidated(protocol: Protocol) -> None:
    p, m = protocol, protocol.market("weETH")
    deposit(p, "weETH", 10 * WAD)
    p.send(p.dev, m.pool, "IonPool", "borrow", 0, p.dev, p.dev, normalized(p, "weETH", 2 * WAD), [])
    name, (health,) = p.revert_of(
        p.admin, m.liquidation, "Liquidation", "liquidate", 0, p.dev, p.admin
    )
    assert name == "VaultIsNotUnsafe" and health > RAY
