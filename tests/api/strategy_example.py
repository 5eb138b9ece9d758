"""A strategy author's script on the documented API only (`ion_cli.api`, `ion_cli.results`): it
reads every kind of result, writes through every kind of write, and compares figures as numbers.
It must pass `mypy --strict` (tests/api/test_strategy_example.py runs it on the devnet)."""

from __future__ import annotations

from decimal import Decimal

from ion_cli.api import Ion
from ion_cli.results import LenderPosition, Position, known


def lending(ion: Ion) -> list[str]:
    """Markets, lending and a vault: deposit, borrow, a dry run's projected position, repay."""
    seen: list[str] = []
    markets = ion.markets()
    weeth = next(m for m in markets if m.market == "weETH")
    assert known(weeth.borrow_apr) < Decimal("0.1") and known(weeth.ltv) == Decimal("0.8")
    assert known(weeth.total_supplied) >= known(weeth.total_borrowed)
    supplied = ion.supply("weETH", "5")
    assert isinstance(supplied.position, LenderPosition)
    assert known(supplied.position.supplied) == Decimal(5)
    ion.deposit("weETH", Decimal("20"))
    borrowed = ion.borrow("weETH", "8")
    position = borrowed.position
    assert isinstance(position, Position)
    assert known(position.health) > 1 and known(position.debt) >= 8
    dry = ion.borrow("weETH", "1", dry_run=True)  # the position the borrow would leave
    assert dry.dry_run and dry.tx_hashes == [] and isinstance(dry.position, Position)
    assert known(dry.position.debt) > known(position.debt)
    assert known(dry.position.health) < known(position.health)
    repaid = ion.repay("weETH")  # all
    assert isinstance(repaid.position, Position) and known(repaid.position.debt) == 0
    assert repaid.position.health is None  # no debt: the figure does not apply
    ion.withdraw("weETH", "all")
    ion.redeem("weETH")
    total = sum((known(p.collateral) for p in ion.positions()), Decimal(0))
    assert total == 0
    seen += ["markets", "supply", "deposit", "borrow", "repay", "withdraw", "redeem"]
    return seen


def leverage(ion: Ion) -> list[str]:
    levered = ion.leverage("ezETH", "10", to="3x")
    position = levered.position
    assert isinstance(position, Position)
    assert Decimal("2.9") < known(position.leverage) < Decimal("3.1")
    assert known(position.health) > 1
    unwound = ion.deleverage("ezETH", close=True)
    assert isinstance(unwound.position, Position) and known(unwound.position.debt) == 0
    return ["leverage", "deleverage"]


def chain_and_beacon(ion: Ion) -> list[str]:
    """The reads beyond the vault: vaults, the oracle, validators, risk, restaking, journal."""
    vaults = ion.vaults("weETH")
    assert vaults.market == "weETH"
    assert all(v.debt >= 0 and (v.health is None or v.health > 0) for v in vaults.vaults)
    assert all(v.liquidation.repay_amount >= 0 for v in vaults.vaults if v.liquidatable)
    oracle = ion.oracle("weETH")
    lower, upper = oracle.clamp_bounds
    assert oracle.current_rate > 0 and lower <= oracle.next_rate <= upper
    assert 0 < oracle.max_change < 1 and oracle.cooldown_seconds > 0
    update = ion.update_oracle("weETH", dry_run=True)  # the oracle before, typed as the read
    assert update.before is not None and update.before.current_rate == oracle.current_rate
    assert update.after is None  # a dry run sends nothing
    shown = ion.validators([0, 1])
    assert [v.index for v in shown.validators] == [0, 1]
    assert all(v.balance_gwei > 0 for v in shown.validators)
    summary = ion.validator_summary("weETH")
    assert summary.count == sum(summary.by_status.values())
    assert summary.balance_gwei == sum(a.balance_gwei for a in summary.by_address)
    risk = ion.risk("weETH")
    assert Decimal(0) <= risk.haircut < 1 and risk.validators > 0
    exposure = ion.restaking("ezETH")
    assert exposure.slashable_share <= 1
    transactions = ion.transactions()
    newest = transactions[0]
    assert ion.transaction(newest.hash[:12]) == newest and newest.block_number is not None
    kinds = {event.kind for event in ion.watch(lrts=["weETH"], once=True)}
    assert "started" in kinds
    return ["vaults", "oracle", "validators", "risk", "restaking", "transactions", "watch"]


def main() -> list[str]:
    ion = Ion(network="devnet")
    return lending(ion) + leverage(ion) + chain_and_beacon(ion)


if __name__ == "__main__":
    print(", ".join(main()))
