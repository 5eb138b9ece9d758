"""Finish, never repeat (issue 16): `ion` killed after the last step of its plan was mined, but
before it printed the result. A rerun of the same command finds the complete, unreported plan in
the journal, reports it and sends nothing (the account's nonce does not move); a deliberate
identical command after a reported one runs normally. For every plan shape: one step (borrow),
several (deposit), a loop leverage, an unwind (deleverage --close); submit is in
test_zk_fault_scenarios.py. Kill points: `mined:<last>` (SIGKILL right after the last receipt is
journaled) and `done` (after the whole command's steps, before its result is recorded as
reported)."""

from __future__ import annotations

import json

import pytest
from faultkit import WAD, Chain, audit, ion, journal, run_ion

pytestmark = pytest.mark.integration

BORROW = ("borrow", "weETH", "1", "--yes")
DEPOSIT = ("deposit", "weETH", "2", "--yes")
LOOP = ("leverage", "weETH", "--deposit", "10", "--to", "3x", "--mode", "loop", "--yes")
CLOSE = ("deleverage", "weETH", "--close", "--yes")


def _killed_then_reported(chain: Chain, command: tuple[str, ...], kill_at: str) -> None:
    killed = run_ion(*command, env={"ION_TEST_KILL_AT": kill_at})
    assert killed.returncode == -9, killed.stderr
    nonce = chain.nonce()
    again = ion(*command, "--json")
    assert again.returncode == 0, again.stderr
    assert "nothing more was sent" in again.stderr
    assert json.loads(again.stdout)["plan"]["already_done"] is True
    assert chain.nonce() == nonce  # the rerun sent nothing


@pytest.mark.parametrize("kill_at", ["mined:1", "done"])
def test_one_step_borrow_killed_after_mining_is_reported_not_repeated(
    chain: Chain, kill_at: str
) -> None:
    assert ion("deposit", "weETH", "4", "--yes").returncode == 0
    base = chain.nonce()
    _killed_then_reported(chain, BORROW, kill_at)
    assert WAD * 9 // 10 < chain.debt() < 2 * WAD  # borrowed once
    audit(f"borrow: SIGKILL at {kill_at} (last), rerun", chain, base)
    deliberate = ion(*BORROW)  # reported now: the same command again is a new borrow
    assert deliberate.returncode == 0, deliberate.stderr
    assert "nothing more was sent" not in deliberate.stderr
    assert 2 * WAD * 9 // 10 < chain.debt() < 3 * WAD


@pytest.mark.parametrize("kill_at", ["mined:3", "done"])
def test_three_step_deposit_killed_after_mining_is_reported_not_repeated(
    chain: Chain, kill_at: str
) -> None:
    base = chain.nonce()
    _killed_then_reported(chain, DEPOSIT, kill_at)
    assert chain.collateral() == 2 * WAD and chain.gem() == 0
    report = audit(f"deposit: SIGKILL at {kill_at} (last), rerun", chain, base)
    assert len(report["mined"]) == 3
    assert ion(*DEPOSIT).returncode == 0
    assert chain.collateral() == 4 * WAD


def test_interrupted_after_the_last_step_says_there_is_nothing_to_finish(chain: Chain) -> None:
    stopped = run_ion(*DEPOSIT, env={"ION_TEST_KILL_AT": "mined:3:TERM"})
    assert stopped.returncode == 130, stopped.stderr
    assert "nothing to finish" in stopped.stderr
    assert "run the same command again" not in stopped.stderr
    nonce = chain.nonce()
    again = ion(*DEPOSIT)
    assert again.returncode == 0 and "nothing more was sent" in again.stderr, again.stderr
    assert chain.nonce() == nonce and chain.collateral() == 2 * WAD


def test_loop_leverage_killed_after_its_last_step_is_not_repeated(chain: Chain) -> None:
    base = chain.nonce()
    _killed_then_reported(chain, LOOP, "done")
    collateral = chain.collateral()
    assert 25 * WAD < collateral < 35 * WAD  # 10 deposited, levered to 3x once
    report = audit("loop leverage: SIGKILL after the last step, rerun", chain, base)
    assert len(report["mined"]) == chain.nonce() - base


def test_unwind_killed_after_its_last_step_is_not_repeated(chain: Chain) -> None:
    levered = ion("leverage", "weETH", "--deposit", "10", "--to", "3x", "--yes")
    assert levered.returncode == 0, levered.stderr
    base = chain.nonce()
    _killed_then_reported(chain, CLOSE, "done")
    assert chain.debt() == 0 and chain.collateral() == 0
    audit("unwind (close): SIGKILL after the last step, rerun", chain, base)
    assert all(e.state == "mined" for e in journal().entries().values())
