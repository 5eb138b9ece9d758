"""Fault scenarios (issue #7): `ion` killed at every stage, interrupted, stalled, racing itself,
talking to a node that drops, refuses, truncates or errors, a chain that rolls back. Each checks
the outcome through the chain (nonce, txpool, gem, collateral, debt) and the journal (`audit`),
not through exit codes alone; the run ends with one report line per scenario."""

from __future__ import annotations

import json
import time

import pytest
from faultkit import (
    WAD,
    Chain,
    audit,
    ion,
    journal,
    run_ion,
    start_ion,
    wait_for_replacement,
)

from ion_cli.testing.devnet import DevnetHandle, revert, snapshot
from ion_cli.testing.faultproxy import Fault, FaultProxy

pytestmark = pytest.mark.integration

DEPOSIT = ("deposit", "weETH", "2", "--yes")
BORROW = ("borrow", "weETH", "1", "--yes")


def deposited(chain: Chain) -> None:
    done = ion("deposit", "weETH", "4", "--yes")
    assert done.returncode == 0, done.stderr


# ------------------------------------------------------------- killed at each stage of a deposit


@pytest.mark.parametrize(
    ("stage", "step"),
    [
        ("signed", 1),  # signed, journaled, never broadcast
        ("signed", 2),
        ("sent", 2),  # broadcast, killed before its receipt
        ("mined", 2),  # between steps: 2 mined, 3 never signed
        ("signed", 3),
        ("sent", 3),
    ],
)
def test_kill_during_deposit_then_rerun_finishes_it_once(
    chain: Chain, stage: str, step: int
) -> None:
    base = chain.nonce()
    killed = run_ion(*DEPOSIT, env={"ION_TEST_KILL_AT": f"{stage}:{step}"})
    assert killed.returncode == -9
    assert journal().entries(), "the journal was written before the kill"
    again = ion(*DEPOSIT)
    assert again.returncode == 0, again.stderr
    assert chain.collateral() == 2 * WAD and chain.gem() == 0
    assert chain.txpool() == 0
    report = audit(f"SIGKILL after {stage} step {step} of 3", chain, base)
    assert len(report["mined"]) == 3  # approve, join, deposit: each once
    if (stage, step) == ("sent", 3):  # all three were mined: the rerun sends nothing
        assert "nothing more was sent" in again.stderr
    elif stage in ("sent", "mined"):
        assert "finishing" in again.stderr


@pytest.mark.parametrize("sig", ["INT", "TERM"])
def test_interrupt_after_step_2_prints_and_journals_what_was_sent(chain: Chain, sig: str) -> None:
    base = chain.nonce()
    stopped = run_ion(*DEPOSIT, env={"ION_TEST_KILL_AT": f"mined:2:{sig}"})
    assert stopped.returncode == 130, stopped.stderr
    entries = list(journal().entries().values())
    assert len(entries) == 2
    for entry in entries:
        assert entry.hash in stopped.stderr  # the hashes are printed
    assert chain.gem() == 2 * WAD and chain.collateral() == 0  # tokens wait in the GemJoin
    position = json.loads(ion("position", "weETH", "--json").stdout)
    assert position["gem"] == "2" and position["collateral"] == "0"
    shown = ion("position").stdout
    assert "GemJoin" in shown and "run the same `ion deposit` again" in shown
    again = ion(*DEPOSIT)
    assert again.returncode == 0, again.stderr
    assert "finishing" in again.stderr
    assert chain.collateral() == 2 * WAD and chain.gem() == 0
    audit(f"SIG{sig} after step 2 of 3, rerun", chain, base)


# ------------------------------------------------------------- stalled mining


def test_stalled_borrow_is_not_sent_again_by_a_rerun(chain: Chain) -> None:
    deposited(chain)
    base = chain.nonce()
    chain.automine(False)
    first = ion(*BORROW, "--timeout", "1")
    assert first.returncode == 1 and "not mined" in first.stderr
    second = ion(*BORROW, "--timeout", "1")
    assert second.returncode == 3, second.stderr
    assert "still pending" in second.stderr
    assert chain.txpool() == 1  # one borrow waiting, not two
    chain.mine()
    chain.automine(True)
    third = ion(*BORROW, "--json")
    assert third.returncode == 0, third.stderr
    assert json.loads(third.stdout)["plan"].get("already_done") is True
    assert chain.debt() > 0 and chain.debt() < 2 * WAD  # borrowed once
    audit("stalled borrow, rerun twice", chain, base)


def test_dropped_transaction_is_planned_again(chain: Chain) -> None:
    deposited(chain)
    base = chain.nonce()
    chain.automine(False)
    first = ion(*BORROW, "--timeout", "1")
    assert first.returncode == 1
    entry = list(journal().entries().values())[-1]
    chain.rpc("anvil_dropTransaction", entry.hash)
    chain.automine(True)
    again = ion(*BORROW)
    assert again.returncode == 0, again.stderr
    events = [r["event"] for r in journal().records() if r.get("hash") == entry.hash]
    assert "dropped" in events  # recorded as dropped before the rerun planned again
    assert WAD * 9 // 10 < chain.debt() < 2 * WAD
    audit("borrow dropped from the pool, rerun", chain, base)


def test_speedup_replaces_a_stuck_borrow(chain: Chain) -> None:
    deposited(chain)
    base = chain.nonce()
    chain.automine(False)
    assert ion(*BORROW, "--timeout", "1").returncode == 1
    entry = list(journal().entries().values())[-1]
    process = start_ion("tx", "speedup", entry.hash, "--yes", "--timeout", "60")
    wait_for_replacement(process, entry.hash)
    chain.mine()
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    entries = journal().entries()
    assert entries[entry.hash].state == "replaced"
    assert WAD * 9 // 10 < chain.debt() < 2 * WAD
    chain.automine(True)
    audit("stuck borrow sped up", chain, base)


def test_cancel_replaces_a_stuck_borrow_by_nothing(chain: Chain) -> None:
    deposited(chain)
    base = chain.nonce()
    chain.automine(False)
    assert ion(*BORROW, "--timeout", "1").returncode == 1
    entry = list(journal().entries().values())[-1]
    process = start_ion("tx", "cancel", entry.hash, "--yes", "--timeout", "60")
    wait_for_replacement(process, entry.hash)
    chain.mine()
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert chain.debt() == 0
    chain.automine(True)
    audit("stuck borrow cancelled", chain, base)


# ------------------------------------------------------------- concurrency


def test_two_borrows_at_once_both_complete_one_after_the_other(chain: Chain) -> None:
    deposited(chain)
    base = chain.nonce()
    a, b = start_ion(*BORROW, "--json"), start_ion(*BORROW, "--json")
    outs = [p.communicate(timeout=180) for p in (a, b)]
    assert a.returncode == 0 and b.returncode == 0, outs
    hashes = [json.loads(o)["execution"]["tx_hashes"][0] for o, _ in outs]
    assert hashes[0] != hashes[1]
    assert any("waiting for" in err for _, err in outs)
    assert 2 * WAD * 9 // 10 < chain.debt() < 3 * WAD
    audit("two borrows at once", chain, base)


def test_three_deposits_at_once_never_interleave(chain: Chain) -> None:
    base = chain.nonce()
    procs = [start_ion("deposit", "weETH", "1", "--yes") for _ in range(3)]
    outs = [p.communicate(timeout=240) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    assert chain.collateral() == 3 * WAD and chain.gem() == 0
    report = audit("three deposits at once", chain, base)
    by_plan: dict[str, list[int]] = {}
    for e in sorted(report["mined"], key=lambda e: e.nonce):
        by_plan.setdefault(e.plan_id, []).append(e.nonce)
    for nonces in by_plan.values():  # each plan's nonces are consecutive: no interleaving
        assert nonces == list(range(nonces[0], nonces[0] + len(nonces)))


# ------------------------------------------------------------- a misbehaving node


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        (Fault("drop_after", method="eth_sendRawTransaction", times=1), 0),
        (Fault("truncate", method="eth_sendRawTransaction", times=1), 0),
        (Fault("drop_before", method="eth_sendRawTransaction", times=1), 4),
        (Fault("http_error", method="eth_sendRawTransaction", times=1), 4),
        (Fault("delay", seconds=0.05), 0),
        (Fault("drop_before", method="eth_getTransactionReceipt", times=2), 0),
        (Fault("truncate", method="eth_getTransactionReceipt", times=2), 0),
        (Fault("http_error", method="eth_getTransactionReceipt", times=2, status=502), 0),
    ],
    ids=lambda v: v.kind + ("-" + v.method if v.method else "") if isinstance(v, Fault) else None,
)
def test_node_faults_during_a_borrow(
    chain: Chain, proxy: FaultProxy, fault: Fault, code: int
) -> None:
    deposited(chain)
    base = chain.nonce()
    proxy.add(fault)
    first = ion(*BORROW, "--rpc-url", proxy.url, "--timeout", "20")
    assert first.returncode == code, first.stderr
    assert proxy.sent_raw() == (1 if code == 0 else 0)  # never retried
    proxy.clear()
    if code != 0:
        assert "could not tell" in first.stderr or "refused" in first.stderr
        again = ion(*BORROW, "--rpc-url", proxy.url)
        assert again.returncode == 0, again.stderr
    assert proxy.sent_raw() == 1  # one borrow reached the node, in all
    assert WAD * 9 // 10 < chain.debt() < 2 * WAD  # one borrow
    audit(f"node fault {fault.kind} on {fault.method or 'every call'}", chain, base)


def test_node_down_while_waiting_is_exit_4_not_a_timeout(chain: Chain, proxy: FaultProxy) -> None:
    deposited(chain)
    base = chain.nonce()
    chain.automine(False)
    process = start_ion(*BORROW, "--rpc-url", proxy.url, "--timeout", "3")
    deadline = time.monotonic() + 60
    while chain.txpool() < 1:
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.1)
    proxy.refuse()
    _, err = process.communicate(timeout=60)
    assert process.returncode == 4, err
    assert "unreachable" in err
    proxy.accept()
    chain.mine()
    chain.automine(True)
    again = ion(*BORROW, "--rpc-url", proxy.url, "--json")
    assert again.returncode == 0 and json.loads(again.stdout)["plan"].get("already_done") is True
    assert WAD * 9 // 10 < chain.debt() < 2 * WAD
    audit("node refuses connections while waiting", chain, base)


# ------------------------------------------------------------- reorg / rollback


def test_rollback_after_a_borrow_is_detected_and_nothing_resent(chain: Chain) -> None:
    deposited(chain)
    base = chain.nonce()
    snap = snapshot(chain.w3)
    done = ion(*BORROW)
    assert done.returncode == 0
    entry = list(journal().entries().values())[-1]
    revert(chain.w3, snap)  # the block with the borrow is gone
    listed = ion("tx", "status", entry.hash, "--json")
    assert listed.returncode == 0, listed.stderr
    state = json.loads(listed.stdout)["state"]
    assert state == "dropped"  # reorged, then not found: its nonce is free
    text = "\n".join(json.dumps(r) for r in journal().records())
    assert '"event": "reorged"' in text
    assert chain.debt() == 0 and chain.txpool() == 0  # nothing re-sent behind the user's back
    audit("devnet rollback after a borrow", chain, base)


# ------------------------------------------------------------- stdout closed or full


@pytest.mark.parametrize("sink", ["closed", "full"])
def test_stdout_failure_after_sending_keeps_the_outcome(chain: Chain, sink: str) -> None:
    deposited(chain)
    base = chain.nonce()
    if sink == "full":
        with open("/dev/full", "w") as full:
            done = run_ion(*BORROW, "--json", stdout=full)
        code, err = done.returncode, done.stderr
    else:
        process = start_ion(*BORROW, "--json")
        assert process.stdout is not None
        process.stdout.close()
        _, err = process.communicate(timeout=120)
        code = process.returncode
    assert code == 0, err
    assert "could not be written to stdout" in err
    assert WAD * 9 // 10 < chain.debt() < 2 * WAD
    audit(f"stdout {sink} after sending", chain, base)


def test_write_on_chain_1_default_is_refused(devnet: DevnetHandle) -> None:
    import os
    from pathlib import Path

    config = Path(os.environ["XDG_CONFIG_HOME"]) / "ion" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('default_network = "mainnet"\n')
    done = ion(*BORROW, "--rpc-url", devnet.rpc_url)
    assert done.returncode == 3 and "pass --network" in done.stderr
