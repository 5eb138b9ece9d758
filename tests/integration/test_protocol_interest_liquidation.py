"""Interest accrues as anvil's clock moves (Appendix D), and an unsafe vault is liquidated with
the repay amount Appendix C predicts, computed here independently in Python."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, getcontext

import pytest

from ion_cli.devnet import params, recipes
from ion_cli.testing.devnet import KEEPER, Protocol, warp

pytestmark = pytest.mark.integration
RAY, WAD, RAD = params.RAY, params.WAD, params.RAD
YEAR = 365 * 24 * 3600
COOLDOWN = 58 * 60


def open_vault(p: Protocol, market: str, collateral: int, borrow: int) -> int:
    """Deposit and borrow `borrow` base units; returns the normalized debt."""
    m = p.market(market)
    p.send(p.dev, m.collateral_token, "DevToken", "approve", m.gem_join, collateral)
    p.send(p.dev, m.gem_join, "GemJoin", "join", p.dev, collateral)
    p.send(p.dev, m.pool, "IonPool", "depositCollateral", 0, p.dev, p.dev, collateral, [])
    nd = borrow * RAY // int(p.call(m.pool, "IonPool", "rate", 0))
    p.send(p.dev, m.pool, "IonPool", "borrow", 0, p.dev, p.dev, nd, [])
    return nd


# ---------------------------------------------------------------- interest


def test_interest_accrues_with_time(protocol: Protocol) -> None:
    p, m = protocol, protocol.market("weETH")
    lens = p.devnet.deployment.shared.lens
    open_vault(p, "weETH", 20 * WAD, 10 * WAD)
    p.send(p.admin, m.pool, "IonPool", "accrueInterest")
    rate0 = int(p.call(lens, "IonLens", "rateUnaccrued", m.pool, 0))
    since = int(p.call(lens, "IonLens", "lastRateUpdate", m.pool, 0))
    borrow_rate, reserve_factor = p.call(m.pool, "IonPool", "getCurrentBorrowRate", 0)
    assert reserve_factor == 0
    # ~5.67% APR at almost no utilization (10 of 1,000 supplied), as Appendix D says
    apr = Decimal(borrow_rate - RAY) * YEAR / RAY
    assert Decimal("0.0567") < apr < Decimal("0.0600")
    supply0 = int(p.call(m.pool, "IonPool", "totalSupply"))

    now = warp(p.w3, YEAR)
    rate1 = int(p.call(m.pool, "IonPool", "rate", 0))  # includes the pending accrual
    getcontext().prec = 60
    expected = Decimal(rate0) * (Decimal(borrow_rate) / RAY) ** (now - since)
    assert abs(Decimal(rate1) - expected) / expected < Decimal("1e-18")
    assert Decimal(rate1) / rate0 > Decimal("1.058")  # e^0.0567, compounded every second

    p.send(p.admin, m.pool, "IonPool", "accrueInterest")
    grown = int(p.call(m.pool, "IonPool", "totalSupply")) - supply0
    nd_total = int(p.call(lens, "IonLens", "totalNormalizedDebt", m.pool, 0))
    rate2 = int(p.call(lens, "IonLens", "rateUnaccrued", m.pool, 0))
    # lenders earn the whole interest (reserve factor 0), to rounding
    interest = nd_total * (rate2 - rate0) // RAY
    assert abs(grown - interest) <= 10**6


# ---------------------------------------------------------------- liquidation (Appendix C)


def ray_mul_up(a: int, b: int) -> int:
    return -(-a * b // RAY)


def ray_mul_down(a: int, b: int) -> int:
    return a * b // RAY


def ray_div_up(a: int, b: int) -> int:
    return -(-a * RAY // b)


def ray_div_down(a: int, b: int) -> int:
    return a * RAY // b


@dataclass
class Expected:
    health: int
    dart: int  # normalized debt removed
    gem_out: int
    repay_amount: int  # base asset the keeper pays, ceil(repay / RAY)


def expected_liquidation(
    collateral: int, nd: int, rate: int, er_wad: int, lt: int, th: int, dust: int
) -> Expected:
    er = er_wad * 10**9
    collateral_value = ray_mul_down(collateral * er, lt)
    debt_value = nd * rate
    health = ray_div_down(collateral_value, debt_value)
    assert health < RAY
    discount = min(params.BASE_DISCOUNT + (RAY - health), params.MAX_DISCOUNT)
    price = ray_mul_up(er, RAY - discount)
    repay = ray_div_up(
        ray_mul_up(debt_value, th) - collateral_value, th - ray_div_up(lt, RAY - discount)
    )
    assert repay <= debt_value, "this test means the partial branch, not confiscation"
    if debt_value - repay < dust:
        dart, gem_out, repay = nd, debt_value // price, debt_value
    else:
        dart = -(-repay // rate)
        gem_out = repay // price
        repay = dart * rate
    return Expected(health, dart, min(gem_out, collateral), -(-repay // RAY))


def test_an_unsafe_vault_is_liquidated_by_the_documented_amount(protocol: Protocol) -> None:
    p, m = protocol, protocol.market("weETH")
    lens, wsteth = p.devnet.deployment.shared.lens, m.base_token
    mp = recipes.devnet_markets()["weETH"]  # the weETH plugin's recipe
    collateral = 20 * WAD
    spot = int(p.call(m.spot_oracle, "SpotOracle", "getSpot"))
    # Borrow close to the limit: health = LT / LTV = 1.0375.
    nd = open_vault(p, "weETH", collateral, collateral * spot // RAY - WAD // 100)

    # weETH loses 12.6% (a slashing); the reserve oracle follows 3% per update, once an hour.
    # weETH's rate is the ether.fi pool's P / S: the pool's devnet admin rebases it.
    ether_fi = p.devnet.deployment.token("weETH").contracts["liquidity_pool"]
    p.send(p.admin, ether_fi, "EtherFiLiquidityPool", "setRate", 900_000_000_000_000_000)
    er0 = int(p.call(m.reserve_oracle, "WeEthWstEthReserveOracle", "currentExchangeRate"))
    for _ in range(2):
        warp(p.w3, COOLDOWN + 1)
        p.send(p.admin, m.reserve_oracle, "WeEthWstEthReserveOracle", "updateExchangeRate")
    er = int(p.call(m.reserve_oracle, "WeEthWstEthReserveOracle", "currentExchangeRate"))
    step = RAY - params.RESERVE_MAX_CHANGE  # clamped to -3% per update (the bound rounds up)
    assert abs(er - er0 * step // RAY * step // RAY) <= 2

    # The keeper (anvil account 1) holds wstETH and lets the Liquidation pull it.
    p.send(p.admin, wsteth, "WstEth", "mint", KEEPER, 100 * WAD)
    p.send(KEEPER, wsteth, "DevToken", "approve", m.liquidation, 100 * WAD)

    # getRepayAmt at the current block, against Python on the same block's state.
    block = p.w3.eth.block_number
    vault = p.call(m.pool, "IonPool", "vault", 0, p.dev, block=block)
    assert vault == (collateral, nd)
    rate_now = int(p.call(m.pool, "IonPool", "rate", 0, block=block))
    quoted = int(p.call(m.liquidation, "Liquidation", "getRepayAmt", 0, p.dev, block=block))
    now = expected_liquidation(collateral, nd, rate_now, er, mp.liquidation_threshold,
                               mp.target_health, mp.dust)  # fmt: skip
    assert 0.96 * RAY < now.health < RAY
    assert quoted == now.repay_amount

    keeper_before = int(p.call(wsteth, "DevToken", "balanceOf", KEEPER))
    receipt = p.send(KEEPER, m.liquidation, "Liquidation", "liquidate", 0, p.dev, KEEPER)
    (event,) = p.events(receipt, "Liquidation", m.liquidation, "Liquidate")

    # The liquidation block's rate (the pool accrued to it first) gives the exact figures.
    mined = receipt["blockNumber"]
    rate_mined = int(p.call(lens, "IonLens", "rateUnaccrued", m.pool, 0, block=mined))
    exp = expected_liquidation(collateral, nd, rate_mined, er, mp.liquidation_threshold,
                               mp.target_health, mp.dust)  # fmt: skip
    assert event["args"]["kpr"] == KEEPER and event["args"]["ilkIndex"] == 0
    assert event["args"]["repay"] == exp.dart
    assert event["args"]["gemOut"] == exp.gem_out
    paid = keeper_before - int(p.call(wsteth, "DevToken", "balanceOf", KEEPER))
    assert paid == exp.repay_amount
    assert int(p.call(lens, "IonLens", "gem", m.pool, 0, KEEPER)) == exp.gem_out
    assert p.call(m.pool, "IonPool", "vault", 0, p.dev) == (collateral - exp.gem_out, nd - exp.dart)

    # The vault is back at (about) the target health.
    left_c, left_nd = collateral - exp.gem_out, nd - exp.dart
    health_after = ray_div_down(ray_mul_down(left_c * er * 10**9, mp.liquidation_threshold),
                                left_nd * rate_mined)  # fmt: skip
    assert abs(health_after - mp.target_health) < RAY // 10**6
