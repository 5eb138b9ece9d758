"""chain.reconcile against a scripted node: mined, pending, dropped (nonce free or taken),
reorged, and entries of another chain instance (a devnet reset), each recorded in the journal."""

from __future__ import annotations

from typing import Any

import pytest

from ion_cli.chain.journal import Journal
from ion_cli.chain.reconcile import reconcile, unfinished_plans

ADDR = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"


class FakeEth:
    def __init__(self) -> None:
        self.block_number = 100
        self.nonce = 0
        self.receipts: dict[str, dict[str, Any]] = {}
        self.pool: set[str] = set()
        self.blocks: dict[int, bytes] = {}

    def get_transaction_count(self, address: str, tag: str) -> int:
        return self.nonce

    def get_transaction_receipt(self, tx_hash: str) -> dict[str, Any]:
        from web3.exceptions import TransactionNotFound

        if tx_hash not in self.receipts:
            raise TransactionNotFound(tx_hash)
        return self.receipts[tx_hash]

    def get_transaction(self, tx_hash: str) -> dict[str, Any]:
        from web3.exceptions import TransactionNotFound

        if tx_hash not in self.pool:
            raise TransactionNotFound(tx_hash)
        return {"hash": tx_hash}

    def get_block(self, number: int) -> dict[str, Any]:
        return {"hash": self.blocks.get(number, b"\x00" * 32)}


class FakeW3:
    def __init__(self) -> None:
        import web3.exceptions  # noqa: F401  (loaded, as a caller holding a Web3 has it)

        self.eth = FakeEth()


def signed(
    journal: Journal, tx_hash: str, nonce: int, *, genesis: str = "0xg", step: int = 0
) -> None:
    journal.record_signed(
        tx_hash=tx_hash, raw=b"\x02", chain_id=31337, genesis=genesis, sender=ADDR,
        plan_id="plan", step=step, steps=3, nonce=nonce,
    )  # fmt: skip


def test_every_outcome_is_found_and_recorded() -> None:
    journal = Journal.for_account(31337, ADDR)
    w3 = FakeW3()
    signed(journal, "0xmined", 0)
    signed(journal, "0xpending", 1, step=1)
    signed(journal, "0xlost", 5)
    signed(journal, "0xtaken", 2)
    signed(journal, "0xold", 0, genesis="0xother")
    signed(journal, "0xreorg", 3)
    journal.record_mined("0xreorg", block_number=90, block_hash="0x" + "11" * 32, status=1)
    w3.eth.nonce = 4
    w3.eth.receipts["0xmined"] = {"blockNumber": 50, "blockHash": b"\x22" * 32, "status": 1}
    w3.eth.blocks[50] = b"\x22" * 32
    w3.eth.blocks[90] = b"\x33" * 32  # another block at the recorded height
    w3.eth.pool.add("0xpending")
    report = reconcile(w3, journal, ADDR, "0xg")  # type: ignore[arg-type]
    assert [e.hash for e in report.mined] == ["0xmined"]
    assert [e.hash for e in report.pending] == ["0xpending"]
    assert sorted(e.hash for e in report.dropped) == ["0xlost", "0xreorg", "0xtaken"]
    assert [e.hash for e in report.orphaned] == ["0xold"]
    assert [e.hash for e in report.reorged] == ["0xreorg"]
    entries = journal.entries()
    assert entries["0xmined"].state == "mined" and entries["0xmined"].block_number == 50
    assert "used by another transaction" in entries["0xtaken"].note
    assert "still free" in entries["0xlost"].note
    assert entries["0xold"].state == "orphaned"
    assert any("reorg" in line for line in report.messages())
    # a second look finds nothing new: everything is recorded
    again = reconcile(w3, journal, ADDR, "0xg")  # type: ignore[arg-type]
    assert not (again.mined or again.dropped or again.reorged or again.orphaned)
    assert [e.hash for e in again.pending] == ["0xpending"]


def test_an_unfinished_plan_is_offered_for_resumption() -> None:
    journal = Journal.for_account(31337, ADDR)
    calls = [{"to": ADDR, "data": "0x", "value": "0"}] * 3
    journal.record_plan(plan_id="plan", title="Deposit 2 weETH", sender=ADDR, chain_id=31337,
                        genesis="0xg", calls=calls, summary={"intent": "k"})  # fmt: skip
    for step in (0, 1):
        signed(journal, f"0x{step}", step, step=step)
        journal.record_mined(f"0x{step}", block_number=1, block_hash="0xb", status=1)
    ((plan, done),) = unfinished_plans(journal, "0xg")
    assert (plan.title, done) == ("Deposit 2 weETH", 2)
    assert unfinished_plans(journal, "0xanother") == []
    signed(journal, "0x2", 2, step=2)
    journal.record_mined("0x2", block_number=2, block_hash="0xb", status=0)  # reverted: not resumed
    assert unfinished_plans(journal, "0xg") == []


@pytest.mark.parametrize("state", ["signed", "sent"])
def test_unknown_transaction_with_a_free_nonce_is_dropped(state: str) -> None:
    journal = Journal.for_account(31337, ADDR)
    signed(journal, "0xa", 7)
    if state == "sent":
        journal.record_sent("0xa")
    w3 = FakeW3()
    w3.eth.nonce = 7
    report = reconcile(w3, journal, ADDR, "0xg")  # type: ignore[arg-type]
    assert [e.hash for e in report.dropped] == ["0xa"]
