"""The pipeline against the real reference deployment (the `devnet` fixture): a multi-step
deposit that only works in order, and the protocol's own custom errors decoded with hints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from eth_account import Account

from ion_cli.chain.common_calls import approval_call
from ion_cli.chain.contracts import GemJoin, IonPool, contract
from ion_cli.chain.execution import ExecutionResult
from ion_cli.chain.pipeline import execute
from ion_cli.chain.plan import Plan
from ion_cli.commands._observer import TerminalObserver
from ion_cli.errors import TransactionReverted
from ion_cli.output import Output

pytestmark = pytest.mark.integration

# anvil's account 0 (public test key): the devnet's `dev` user, funded with every LRT
DEV_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
WAD = 10**18


@dataclass
class Dev:
    @property
    def address(self) -> str:
        return str(Account.from_key(DEV_KEY).address)

    def signer(self) -> Any:
        return Account.from_key(DEV_KEY)


def _run(devnet: Any, plan: Plan) -> ExecutionResult:
    return execute(
        plan,
        w3=devnet.w3,
        sender=Dev(),
        observer=TerminalObserver(Output()),
        yes=True,
        dry_run=False,
    )


def _deposit_plan(devnet: Any, amount: int) -> Plan:
    market = devnet.deployment.market("weETH")
    me = Dev().address
    return Plan(
        title="Deposit weETH",
        calls=[
            approval_call(market.collateral_token, market.gem_join, amount, "weETH"),
            GemJoin(market.gem_join).join(me, amount),
            IonPool(market.pool).depositCollateral(market.ilk_index, me, me, amount, []),
        ],
    )


def test_a_three_step_deposit_goes_through_in_order(devnet: Any) -> None:
    market = devnet.deployment.market("weETH")
    pool = contract(devnet.w3, "IonPool", market.pool)
    me = Dev().address
    before = int(pool.functions.collateral(market.ilk_index, me).call())
    result = _run(devnet, _deposit_plan(devnet, 3 * WAD))
    assert [s.status for s in result.steps] == [1, 1, 1]
    assert result.simulation == "eth_simulateV1"
    assert int(pool.functions.collateral(market.ilk_index, me).call()) == before + 3 * WAD


def test_an_unsafe_borrow_is_decoded_with_its_hint(devnet: Any) -> None:
    market = devnet.deployment.market("weETH")
    _run(devnet, _deposit_plan(devnet, 2 * WAD))
    me = Dev().address
    borrow = IonPool(market.pool).borrow(market.ilk_index, me, me, 5 * WAD, [])
    with pytest.raises(TransactionReverted) as caught:
        _run(devnet, Plan("Borrow", [borrow]))
    message = caught.value.message
    assert message.startswith(
        "simulation failed at step 1/1 (IonPool.borrow): the position would be unsafe (debt 5"
    )
    assert "UnsafePositionChange(newTotalDebtInVault=" in message


def test_a_paused_pool_says_so(devnet: Any) -> None:
    market = devnet.deployment.market("weETH")
    pool = contract(devnet.w3, "IonPool", market.pool)
    pause: Any = {"from": devnet.admin}
    devnet.w3.eth.wait_for_transaction_receipt(pool.functions.pause().transact(pause))
    with pytest.raises(TransactionReverted) as caught:
        _run(devnet, _deposit_plan(devnet, WAD))
    assert caught.value.message.endswith("the pool is paused: EnforcedPause()")
