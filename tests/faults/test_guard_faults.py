"""Guards under faults (issue 26): a `guard run` killed after signing its action and before it
was mined, then run again, sends nothing twice (the journal finishes the episode's plan); a
frozen execution head makes it refuse and alert, nothing sent; a failing action alerts and
backs off by the chain's clock, never loops."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from faultkit import Chain, audit, ion, run_ion

from ion_cli.testing.devnet import DevnetHandle, Protocol, module_state
from ion_cli.testing.faultproxy import Fault, FaultProxy

MARKET = "ezETH"


def current_rate(w3: Any, oracle: str) -> int:
    """The reserve oracle's `currentExchangeRate()` (the published interface's view)."""
    selector = bytes(w3.keccak(text="currentExchangeRate()"))[:4]
    return int.from_bytes(bytes(w3.eth.call({"to": oracle, "data": "0x" + selector.hex()})), "big")


def events(done: Any) -> list[dict[str, Any]]:
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def kinds(done: Any) -> list[str]:
    return [e["kind"] for e in events(done) if e["kind"] != "guard_started"]


def health() -> Decimal:
    shown = ion("position", MARKET, "--json")
    return Decimal(json.loads(shown.stdout)["health"])


def fall_to(chain: Chain, target: Decimal) -> None:
    """Lower the market's reserve rate (its oracle's storage word) to put the vault's health at
    about `target`, in a new block."""
    p = Protocol(chain.devnet)
    oracle = p.market(MARKET).reserve_oracle
    rate = current_rate(p.w3, oracle)
    new = int(rate * target / health())
    for slot in range(64):
        if int.from_bytes(chain.w3.eth.get_storage_at(oracle, slot), "big") == rate:
            chain.rpc("anvil_setStorageAt", oracle, hex(slot), "0x" + new.to_bytes(32, "big").hex())
            chain.mine()
            return
    raise AssertionError("currentExchangeRate not found")


@pytest.fixture(scope="module")
def _levered_once(
    devnet_session: DevnetHandle, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """A 3x ezETH vault, made once for the module (each test starts from it, reverted after)."""
    with module_state(devnet_session, tmp_path_factory.mktemp("guard") / "home"):
        assert ion("leverage", MARKET, "--deposit", "10", "--to", "3x", "--yes").returncode == 0
        yield


@pytest.fixture
def guarded(_levered_once: None, chain: Chain) -> Chain:
    """The 3x ezETH vault with a --repay-below guard just under its health, then a fall."""
    start = health()
    added = ion("guard", "add", MARKET, "--repay-below", str(start - Decimal("0.1")), "--to", "1.6")
    assert added.returncode == 0, added.stderr
    fall_to(chain, start - Decimal("0.2"))
    return chain


@pytest.mark.parametrize("kill_at", ["signed", "sent"])
def test_killed_after_signing_before_mining_then_rerun_sends_nothing_twice(
    guarded: Chain, kill_at: str
) -> None:
    chain = guarded
    base = chain.nonce()
    chain.automine(False)  # the action's transaction stays in the pool: not mined
    killed = run_ion("guard", "run", "--once", "--json", env={"ION_TEST_KILL_AT": kill_at})
    assert killed.returncode == -9, killed.stderr
    chain.mine()
    chain.automine(True)
    again = ion("guard", "run", "--once", "--json")
    assert again.returncode == 6, again.stderr
    assert kinds(again) == ["guard_acted"]  # the episode was fired by the killed run
    assert Decimal("1.58") < health() < Decimal("1.62")
    nonce = chain.nonce()
    assert kinds(ion("guard", "run", "--once", "--json")) == []
    assert chain.nonce() == nonce
    audit(f"guard run: SIGKILL at {kill_at}, rerun", chain, base)


def test_a_frozen_head_is_refused_with_an_alert_and_nothing_sent(
    guarded: Chain, proxy: FaultProxy
) -> None:
    chain = guarded
    proxy.add(Fault("freeze_head", block=int(chain.w3.eth.block_number)))
    ion("devnet", "advance", "--epochs", "1")  # the chain (and the beacon node) move on
    base = chain.nonce()
    done = ion("guard", "run", "--once", "--json", "--rpc-url", proxy.url)
    assert done.returncode == 6, done.stderr
    (refused,) = [e for e in events(done) if e["kind"] == "guard_refused"]
    assert refused["alert"] is True and refused["reason"] == "execution_behind"
    assert "behind the beacon head" in refused["message"]
    assert proxy.sent_raw() == 0 and chain.nonce() == base
    proxy.clear()  # the node follows again: the same episode acts, once
    healthy = ion("guard", "run", "--once", "--json", "--rpc-url", proxy.url)
    assert kinds(healthy) == ["guard_acted"], healthy.stdout
    history = json.loads(ion("guard", "history", "--json").stdout)["history"]
    assert [h["kind"] for h in history] == ["guard_refused", "guard_acted"]


def test_a_failing_action_alerts_and_backs_off(chain: Chain) -> None:
    assert ion("leverage", MARKET, "--deposit", "10", "--to", "2x", "--yes").returncode == 0
    # boost to a health inside the safety margin of liquidation: the flow refuses the plan
    added = ion("guard", "add", MARKET, "--boost-above", "1.1", "--to", "1.01")
    assert added.returncode == 0, added.stderr
    base = chain.nonce()
    first = ion("guard", "run", "--once", "--json")
    assert first.returncode == 6
    (failed,) = [e for e in events(first) if e["kind"] == "guard_failed"]
    assert failed["attempts"] == 1 and failed["retry_at"] > 0
    # the same chain time: no retry, no alert, nothing sent (backing off by the chain's clock)
    assert kinds(ion("guard", "run", "--once", "--json")) == []
    assert chain.nonce() == base


@pytest.mark.parametrize("fault", ["syncing", "optimistic"])
def test_a_syncing_or_optimistic_beacon_node_is_refused(guarded: Chain, fault: str) -> None:
    from ion_cli.testing.devnet import set_faults

    url = guarded.devnet.beacon_url
    assert url is not None
    base = guarded.nonce()
    set_faults(url, **{fault: True})
    try:
        done = ion("guard", "run", "--once", "--json")
    finally:
        set_faults(url, reset=True)
    (refused,) = [e for e in events(done) if e["kind"] == "guard_refused"]
    assert refused["reason"] == f"beacon_{fault}" and guarded.nonce() == base


def test_a_cross_check_node_that_lags_is_refused(guarded: Chain, proxy: FaultProxy) -> None:
    proxy.add(Fault("freeze_head", block=int(guarded.w3.eth.block_number)))
    ion("devnet", "advance", "--epochs", "1")  # this node moves on, the other stays behind
    base = guarded.nonce()
    done = ion("guard", "run", "--once", "--json", "--cross-check", proxy.url)
    (refused,) = [e for e in events(done) if e["kind"] == "guard_refused"]
    assert refused["reason"] == "nodes_disagree" and guarded.nonce() == base
