"""Tokens a half-finished deposit left in the GemJoin (gem): `ion position` shows them with the
exact commands, `ion withdraw MARKET --gem` returns them to the wallet and `ion deposit MARKET
--finish` deposits them as collateral; either way the stopped deposit is settled in the journal
(a rerun of it does not try to deposit tokens that are no longer there)."""

from __future__ import annotations

import json

import pytest
from faultkit import WAD, Chain, audit, ion, journal, run_ion

from ion_cli.testing.devnet import Protocol

DEPOSIT = ("deposit", "weETH", "2", "--yes")


def wallet(chain: Chain) -> int:
    token = chain.devnet.deployment.market("weETH").collateral_token
    return int(Protocol(chain.devnet).call(token, "DevToken", "balanceOf", chain.me))


def half_deposit(chain: Chain) -> int:
    """A deposit killed between its join (step 2) and depositCollateral (step 3)."""
    before = wallet(chain)
    killed = run_ion(*DEPOSIT, env={"ION_TEST_KILL_AT": "signed:3"})
    assert killed.returncode == -9
    chain.rpc("anvil_dropAllTransactions")  # step 3 was signed, never sent
    assert chain.gem() == 2 * WAD and chain.collateral() == 0
    assert wallet(chain) == before - 2 * WAD
    return before


def test_position_names_the_commands_that_finish_or_return_the_gem(chain: Chain) -> None:
    half_deposit(chain)
    shown = ion("position", "weETH").stdout
    assert "GemJoin" in shown
    flat = " ".join(shown.split())
    assert "`ion deposit weETH --finish`" in flat
    assert "`ion withdraw weETH --gem`" in flat
    assert json.loads(ion("position", "weETH", "--json").stdout)["gem"] == "2"


def test_withdraw_gem_returns_the_tokens_to_the_wallet(chain: Chain) -> None:
    base = chain.nonce()
    before = half_deposit(chain)
    gem = chain.gem()
    in_wallet = wallet(chain)
    preview = ion("withdraw", "weETH", "--gem", "--dry-run")
    assert preview.returncode == 0, preview.stderr
    assert chain.gem() == gem  # a preview sends nothing
    done = ion("withdraw", "weETH", "--gem", "--yes", "--json")
    assert done.returncode == 0, done.stderr
    assert wallet(chain) == in_wallet + gem == before
    assert chain.gem() == 0 and chain.collateral() == 0
    assert json.loads(done.stdout)["position"]["gem"] == "0"
    # the stopped deposit is settled: rerunning it deposits anew, from step 1
    assert any(p.settled for p in journal().plans().values())
    again = ion(*DEPOSIT)
    assert again.returncode == 0, again.stderr
    assert "finishing" not in again.stderr
    assert chain.collateral() == 2 * WAD and chain.gem() == 0
    audit("gem returned by withdraw --gem, then rerun", chain, base)


def test_deposit_finish_puts_the_gem_into_the_vault(chain: Chain) -> None:
    base = chain.nonce()
    before = half_deposit(chain)
    done = ion("deposit", "weETH", "--finish", "--yes")
    assert done.returncode == 0, done.stderr
    assert chain.collateral() == 2 * WAD and chain.gem() == 0
    assert wallet(chain) == before - 2 * WAD
    again = ion(*DEPOSIT)  # a new deposit, not a finish of the settled one
    assert again.returncode == 0, again.stderr
    assert chain.collateral() == 4 * WAD and chain.gem() == 0
    audit("gem deposited by deposit --finish", chain, base)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("deposit", "weETH", "--finish"), "no tokens"),
        (("withdraw", "weETH", "--gem"), "no tokens"),
        (("deposit", "weETH", "1", "--finish"), "give no AMOUNT"),
        (("withdraw", "weETH", "1", "--gem"), "give no AMOUNT"),
        (("deposit", "weETH"), "AMOUNT"),
    ],
)
def test_gem_commands_refuse_without_gem_or_with_an_amount(
    chain: Chain, args: tuple[str, ...], said: str
) -> None:
    nonce = chain.nonce()
    done = ion(*args, "--yes")
    assert done.returncode == 2, done.stderr
    assert said in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert chain.nonce() == nonce
