"""`ion deleverage MARKET --close` closes any vault that `repay all` then `withdraw all` can
close: when selling the collateral cannot close it and the wallet holds the debt, it plans
exactly that (no swap). Issue 17: 10 rsETH with 5 wstETH of debt (health 1.45) was refused,
with and without --force, while repay all and withdraw all closed it. When it cannot, the
refusal names the cause and a remedy that works."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from ion_cli.cli import app
from ion_cli.devnet import params
from ion_cli.errors import ExitCode
from ion_cli.testing.devnet import DevnetHandle, Protocol

pytestmark = pytest.mark.integration
WAD = params.WAD
SINK = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"  # anvil account 2 (unlocked)


def ion(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


def _vault(symbol: str) -> tuple[str, str]:
    code, out, err = ion("position", symbol, "--json")
    assert code == 0, err
    doc = json.loads(out)
    return doc["collateral"], doc["debt"]


def _open(symbol: str, collateral: str, debt: str) -> None:
    for args in (["deposit", symbol, collateral], ["borrow", symbol, debt]):
        code, _, err = ion(*args, "--yes")
        assert code == 0, err


def test_close_closes_what_repay_all_and_withdraw_all_can(devnet: DevnetHandle) -> None:
    _open("rsETH", "10", "5")
    code, _, err = ion("deleverage", "rsETH", "--close", "--yes")
    assert code == 0, err
    collateral, debt = _vault("rsETH")
    assert float(collateral) == 0 and float(debt) == 0


def test_close_without_the_debt_in_the_wallet_names_the_cause_and_a_remedy_that_works(
    devnet: DevnetHandle, protocol: Protocol
) -> None:
    _open("rsETH", "10", "5")
    wsteth = protocol.market("rsETH").base_token
    held = int(protocol.call(wsteth, "DevToken", "balanceOf", devnet.dev))
    protocol.send(devnet.dev, wsteth, "DevToken", "transfer", SINK, held)
    nonce = devnet.w3.eth.get_transaction_count(devnet.dev)
    code, _, err = ion("deleverage", "rsETH", "--close", "--yes")
    assert code == ExitCode.REFUSED, err
    assert "or pass --force" not in err  # --force did not help: never offered as the remedy
    assert "in the wallet" in err and "ion repay rsETH all" in err
    assert devnet.w3.eth.get_transaction_count(devnet.dev) == nonce
    # the remedy it names works: hold the debt, run it again
    protocol.send(SINK, wsteth, "DevToken", "transfer", devnet.dev, 6 * WAD)
    code, _, err = ion("deleverage", "rsETH", "--close", "--yes")
    assert code == 0, err
    collateral, debt = _vault("rsETH")
    assert float(collateral) == 0 and float(debt) == 0


def test_close_repays_what_the_wallet_holds_and_sells_for_the_rest(
    devnet: DevnetHandle, protocol: Protocol
) -> None:
    """Issue 17's last gap: the wallet holds only part of the debt. Selling alone cannot close
    the vault (the refusal above), the wallet alone cannot either; together they do: the plan
    repays what the wallet holds first, then unwinds the rest through the router."""
    _open("rsETH", "10", "5")
    wsteth = protocol.market("rsETH").base_token
    held = int(protocol.call(wsteth, "DevToken", "balanceOf", devnet.dev))
    protocol.send(devnet.dev, wsteth, "DevToken", "transfer", SINK, held - 3 * WAD)
    code, out, err = ion("deleverage", "rsETH", "--close", "--yes", "--json")
    assert code == 0, err
    assert "from the wallet first" in out
    collateral, debt = _vault("rsETH")
    assert float(collateral) == 0 and float(debt) == 0
