"""Collisions (issue #7): another client writes from the same account just before `ion`
broadcasts. Its "nonce too low" or "already known" answer is reported as a collision (exit 3,
README), never as this command's success; the journal entry is resolved, and the audit finds
nothing sent twice or lost. The resend path (the same bytes this account signed earlier) is the
one case where "already known" is fine."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from faultkit import Chain, audit, ion, journal

from ion_cli.chain.journal_observer import JournalObserver
from ion_cli.chain.sending import Collision, broadcast
from ion_cli.testing.conformance import DEV_ACCOUNT_KEY
from ion_cli.testing.faultproxy import Fault, FaultProxy

BORROW = ("borrow", "weETH", "1", "--yes")


def deposited() -> None:
    done = ion("deposit", "weETH", "4", "--yes")
    assert done.returncode == 0, done.stderr


def test_another_client_taking_the_nonce_is_a_collision(chain: Chain, proxy: FaultProxy) -> None:
    from eth_account import Account

    deposited()
    base = chain.nonce()
    other: list[str] = []

    def another_client(body: bytes) -> None:
        # a wallet sending from the same key, just before ion's transaction reaches the node
        signed = Account.from_key(DEV_ACCOUNT_KEY).sign_transaction(
            {
                "to": chain.me,
                "value": 0,
                "nonce": chain.nonce("pending"),
                "gas": 21_000,
                "maxFeePerGas": 10**11,
                "maxPriorityFeePerGas": 10**9,
                "chainId": 31337,
                "type": 2,
            }
        )
        other.append(
            chain.rpc("eth_sendRawTransaction", "0x" + bytes(signed.raw_transaction).hex())
        )

    proxy.add(Fault("before", method="eth_sendRawTransaction", times=1, action=another_client))
    raced = ion(*BORROW, "--rpc-url", proxy.url)
    assert raced.returncode == 3, raced.stderr
    assert "collision:" in raced.stderr and f"nonce {base}" in raced.stderr
    assert chain.debt() == 0  # the borrow did not happen
    assert chain.nonce() == base + 1  # the other client's transaction took the nonce
    assert chain.w3.eth.get_transaction(other[0])["nonce"] == base
    entries = [e for e in journal().entries().values() if e.nonce == base]
    assert len(entries) == 1 and entries[0].state == "dropped"
    assert "collision" in entries[0].note
    listed = json.loads(ion("tx", "list", "--json").stdout)["transactions"]
    assert any(r["hash"] == entries[0].hash and r["state"] == "dropped" for r in listed)
    again = ion(*BORROW)  # the rerun borrows once, at the next nonce
    assert again.returncode == 0, again.stderr
    assert chain.debt() > 0
    report = audit("nonce taken by another client, rerun", chain, base + 1)
    assert len(report["mined"]) == 1


def test_bytes_the_node_already_had_are_a_collision_not_success(
    chain: Chain, proxy: FaultProxy
) -> None:
    deposited()
    base = chain.nonce()
    chain.automine(False)

    def replay_first(body: bytes) -> None:
        # another client got ion's signed bytes and sent them first
        answer = chain.w3.provider.make_request(
            "eth_sendRawTransaction", json.loads(body)["params"]
        )
        assert "error" not in answer, answer

    proxy.add(Fault("before", method="eth_sendRawTransaction", times=1, action=replay_first))
    raced = ion(*BORROW, "--rpc-url", proxy.url, "--timeout", "2")
    assert raced.returncode == 3, raced.stderr
    assert "collision:" in raced.stderr and "already had" in raced.stderr
    entry = next(e for e in journal().entries().values() if e.nonce == base)
    assert "collision" in entry.note
    chain.automine(True)
    chain.mine()
    # the bytes were this account's: once mined the journal follows them, nothing is lost
    report = audit("bytes already known to the node", chain, base)
    assert len(report["mined"]) == 1 and chain.debt() > 0
    assert chain.nonce() == base + 1


class _Node:
    """A node whose eth_sendRawTransaction answers an error."""

    def __init__(self, message: str) -> None:
        def refuse(raw: bytes) -> Any:
            raise ValueError({"code": -32003, "message": message})

        self.eth = SimpleNamespace(send_raw_transaction=refuse)


@pytest.mark.parametrize(
    ("message", "said"),
    [
        ("already known", "already had"),
        ("transaction already imported", "already had"),
        ("nonce too low", "already used"),
        ("replacement transaction underpriced", "held by another pending"),
    ],
)
def test_node_answers_that_mean_a_collision(message: str, said: str) -> None:
    with pytest.raises(Collision, match=said) as caught:
        broadcast(_Node(message), b"\x02", "0xab", "step 1 of 1", nonce=7)  # type: ignore[arg-type]
    assert caught.value.exit_code == 3
    assert str(caught.value).startswith("collision:")


def test_already_known_is_fine_for_our_own_resend() -> None:
    broadcast(_Node("already known"), b"\x02", "0xab", "step", nonce=7, resend=True)  # type: ignore[arg-type]
    with pytest.raises(Collision):  # a resend does not excuse a taken nonce
        broadcast(_Node("nonce too low"), b"\x02", "0xab", "step", nonce=7, resend=True)  # type: ignore[arg-type]


def test_the_journal_knows_its_own_resend() -> None:
    observer = JournalObserver(journal(), genesis="0xgen", intent="k")
    signed = SimpleNamespace(
        plan_id="p",
        plan_title="Borrow 1",
        step_index=0,
        step_count=1,
        chain_id=31337,
        sender="0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
        nonce=4,
        tx_hash="0x" + "ab" * 32,
        raw_tx=b"\x02",
        to="0x" + "00" * 20,
        description="borrow",
    )
    observer.on_signed(signed)
    assert not observer.is_resend(signed.tx_hash)  # signed for the first time
    journal().record_dropped(signed.tx_hash, "lost by the pool")
    again = JournalObserver(journal(), genesis="0xgen", intent="k")
    again.on_signed(signed)  # the same bytes signed again after they were dropped
    assert again.is_resend(signed.tx_hash)
