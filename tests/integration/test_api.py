"""The Python API on a real devnet: typed results, exceptions instead of exits, nothing printed,
and an observer that sees every signed transaction before it is broadcast."""

from __future__ import annotations

from decimal import Decimal

import pytest
from web3.exceptions import TransactionNotFound

from ion_cli.api import Ion
from ion_cli.chain.execution import StepResult
from ion_cli.chain.observer import Observer, SignedTx
from ion_cli.errors import RefusedError, UsageError
from ion_cli.results import LenderPosition, Market, Position, WriteResult
from ion_cli.testing.devnet import DevnetHandle, warp

pytestmark = pytest.mark.integration


def test_markets_are_typed(devnet: DevnetHandle, capsys: pytest.CaptureFixture[str]) -> None:
    markets = Ion().markets()
    # the core's markets in deployment order, then the devnet recipes' (by symbol)
    assert [m.market for m in markets] == ["weETH", "ezETH", "rsETH", "rswETH"]
    weeth = markets[0]
    assert isinstance(weeth, Market)
    assert (weeth.base, weeth.ltv, weeth.liquidation_threshold) == (
        "wstETH",
        Decimal("0.8"),
        Decimal("0.83"),
    )
    assert weeth.to_json()["dust"] == "1"
    assert capsys.readouterr() == ("", "")  # the API prints nothing


def test_deposit_borrow_repay_withdraw(
    devnet: DevnetHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    ion = Ion(network="devnet")
    deposited = ion.deposit("weETH", "20")
    assert isinstance(deposited, WriteResult) and deposited.error is None
    assert isinstance(deposited.position, Position) and deposited.position.collateral == 20
    borrowed = ion.borrow("weETH", Decimal("10"))
    assert len(borrowed.tx_hashes) == 1
    assert isinstance(borrowed.position, Position)
    assert Decimal(str(borrowed.position.debt)) >= 10
    warp(devnet.w3, 86400)
    repaid = ion.repay("weETH")  # all
    assert isinstance(repaid.position, Position) and repaid.position.debt == 0
    assert repaid.position.health is None  # no debt: None, not Unknown
    withdrawn = ion.withdraw("weETH", "all")
    assert isinstance(withdrawn.position, Position) and withdrawn.position.collateral == 0
    assert ion.position("weETH").normalized_debt == 0
    assert capsys.readouterr() == ("", "")


def test_supply_and_redeem(devnet: DevnetHandle) -> None:
    ion = Ion()
    supplied = ion.supply("weETH", "3")
    assert isinstance(supplied.position, LenderPosition) and supplied.position.supplied == 3
    assert supplied.to_json()["execution"]["tx_hashes"] == supplied.tx_hashes
    redeemed = ion.redeem("weETH", "1")
    assert isinstance(redeemed.position, LenderPosition)
    assert Decimal(str(redeemed.position.supplied)) >= 2
    dry = ion.redeem("weETH", dry_run=True)
    assert dry.dry_run and dry.tx_hashes == []


def test_errors_are_raised_not_exited(devnet: DevnetHandle) -> None:
    ion = Ion()
    with pytest.raises(UsageError, match="unknown market 'FOO'"):
        ion.borrow("FOO", "1")
    with pytest.raises(UsageError, match="amount"):
        ion.supply("weETH", "-1")
    ion.deposit("weETH", "20")
    with pytest.raises(RefusedError, match="unsafe"):
        ion.borrow("weETH", "15")
    with pytest.raises(RefusedError, match="not confirmed"):
        ion.borrow("weETH", "1", confirm=lambda question: False)
    assert ion.position("weETH").debt == 0


def test_an_observer_sees_each_signed_transaction_before_broadcast(devnet: DevnetHandle) -> None:
    seen: list[tuple[str, bool]] = []
    order: list[str] = []

    class Watch(Observer):
        def on_signed(self, signed: SignedTx) -> None:
            try:
                devnet.w3.eth.get_transaction(signed.tx_hash)  # type: ignore[arg-type]
                known = True
            except TransactionNotFound:
                known = False
            seen.append((signed.tx_hash, known))
            order.append(f"signed {signed.step_index}")

        def on_sent(self, step: StepResult) -> None:
            order.append(f"sent {step.index}")

    result = Ion(observer=Watch()).deposit("weETH", "2")  # approve, join, depositCollateral
    assert [h for h, _ in seen] == result.tx_hashes and len(seen) == 3
    assert not any(known for _, known in seen)
    assert order == ["signed 0", "sent 0", "signed 1", "sent 1", "signed 2", "sent 2"]
