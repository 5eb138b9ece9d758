"""The liquidation preview's words and figures: the branch named and explained as the contract
takes it (normal, dust, confiscation), the profit at the market price, and refusals."""

from __future__ import annotations

import pytest

from ion_cli import position_math as pm
from ion_cli.errors import RefusedError
from ion_cli.flows import liquidate as lq

RAY, WAD = 10**27, 10**18
TERMS = pm.LiquidationTerms(
    liquidation_threshold=83 * RAY // 100,
    target_health=110 * RAY // 100,
    base_discount=2 * RAY // 100,
    max_discount=20 * RAY // 100,
)


def _quote(collateral: int, nd: int, rate: int, dust: int, price: int = WAD) -> lq.LiquidationQuote:
    preview = pm.preview_liquidation(collateral, nd, RAY, rate, dust, TERMS)
    return lq.LiquidationQuote("weETH", "wstETH", "0x" + "11" * 20, preview, price, 7)


def test_each_branch_is_named_and_explained() -> None:
    normal = _quote(20 * WAD, 15 * WAD, 85 * WAD // 100, 0)
    assert normal.branch == "normal" and "target health" in normal.to_json()["explanation"]
    dust = _quote(20 * WAD, 15 * WAD, 85 * WAD // 100, 14 * WAD * RAY)
    assert dust.branch == "dust" and dust.preview.normalized_debt_removed == 15 * WAD
    deep = _quote(20 * WAD, 15 * WAD, 50 * WAD // 100, 0)
    assert deep.branch == "confiscation" and deep.to_json()["repay"] == "0"
    assert "nothing" in deep.to_json()["explanation"]


def test_profit_at_the_market_price() -> None:
    q = _quote(20 * WAD, 15 * WAD, 85 * WAD // 100, 0, price=90 * WAD // 100)
    p = q.preview
    assert q.profit == p.gem_out * 90 // 100 - p.repay_amount
    assert _quote(20 * WAD, 15 * WAD, 85 * WAD // 100, 0, price=0).to_json()["profit"] is None


def test_a_safe_vault_or_one_without_debt_is_refused() -> None:
    with pytest.raises(RefusedError, match="is safe"):
        lq._refuse_unless_liquidatable(_quote(20 * WAD, 5 * WAD, WAD, 0))
    with pytest.raises(RefusedError, match="no debt"):
        lq._refuse_unless_liquidatable(_quote(20 * WAD, 0, WAD, 0))
