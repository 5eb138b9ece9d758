"""Reconcile the journal with the chain before a write plans anything.

The one resume mechanism: what the journal says was signed or sent is checked against the node,
and the journal is brought up to date (mined, dropped, reorged, orphaned). Nothing is ever
re-sent from here: a transaction still in the node's pool is left to be mined (it is reported,
and the caller waits for it or refuses to stack another plan on it); a transaction the node does
not have, whose nonce is still free, is recorded as dropped (it never left, or the pool lost it)
and so may be planned again; one whose nonce was taken is recorded as dropped with that reason.

A reorg or a devnet rollback shows as a mined entry whose block now has another hash (or is past
the head): it is recorded as reorged and checked again like an unresolved one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ion_cli.chain.client import node_error, rpc_url_of
from ion_cli.chain.journal import Journal
from ion_cli.chain.journal_db import Entry, PlanRecord

if TYPE_CHECKING:
    from web3 import Web3

    from ion_cli.chain.rpc import Reader

REORG_DEPTH = 64  # blocks: mined entries this close to the head (or past it) are checked again
REORG_WINDOW = 64  # at most this many of them, the latest


@dataclass
class Report:
    """What reconciliation found (the caller tells the user)."""

    pending: list[Entry] = field(default_factory=list)  # in the node's pool, not mined
    mined: list[Entry] = field(default_factory=list)  # resolved as mined by this check
    dropped: list[Entry] = field(default_factory=list)
    reorged: list[Entry] = field(default_factory=list)  # their block is gone (reorg/rollback)
    orphaned: list[Entry] = field(default_factory=list)  # recorded on another chain instance
    unfinished: list[tuple[PlanRecord, int]] = field(default_factory=list)  # plan, steps mined

    def messages(self) -> list[str]:
        lines: list[str] = []
        for e in self.mined:
            lines.append(f"{e.hash} ({e.label()}) was mined in block {e.block_number}")
        for e in self.reorged:
            lines.append(
                f"{e.hash} ({e.label()}) is no longer in the block the journal recorded: "
                f"a reorg or a devnet rollback ({e.note})"
            )
        for e in self.dropped:
            lines.append(f"{e.hash} ({e.label()}) was not mined: {e.note}")
        for e in self.orphaned:
            lines.append(f"{e.hash} ({e.label()}) belongs to an earlier chain: {e.note}")
        for e in self.pending:
            lines.append(f"{e.hash} ({e.label()}) is still pending in the node's pool")
        for plan, done in self.unfinished:
            lines.append(
                f"'{plan.title}' stopped after {done} of {len(plan.calls)} steps: run the same "
                "command again to finish it"
            )
        return lines


def genesis_hash(w3: Web3 | Reader) -> str:
    from ion_cli.chain.node import as_web3

    w3 = as_web3(w3)
    try:
        block = w3.eth.get_block(0)
    except Exception as exc:
        raise node_error(exc, rpc_url_of(w3), "reading the genesis block") from None
    return _hex(block["hash"])


def _hex(value: Any) -> str:
    if isinstance(value, str):
        return value.lower()
    return "0x" + bytes(value).hex()


def reconcile(w3: Web3 | Reader, journal: Journal, address: str, genesis: str) -> Report:
    """Check every unresolved entry (and recent mined ones) against the node; record what is
    found in the journal; return the report. Raises NodeError when the node cannot answer."""
    from ion_cli.chain.node import as_web3, not_found_errors

    w3 = as_web3(w3)

    TransactionNotFound = not_found_errors()  # ours, and web3's for a caller holding a Web3

    report = Report()
    if not journal.exists():
        return report
    try:
        head = int(w3.eth.block_number)
        latest_nonce = int(w3.eth.get_transaction_count(address, "latest"))  # type: ignore[arg-type]
        checked: dict[int, str] = {}  # block number -> its hash now: one read per block
        for entry in journal.recent_mined(genesis, head - REORG_DEPTH, REORG_WINDOW):
            number = entry.block_number or 0
            if number > head:
                reason = f"block {number} is past the head {head}"
            else:
                if number not in checked:
                    checked[number] = _hex(w3.eth.get_block(number)["hash"])
                if checked[number] == (entry.block_hash or "").lower():
                    continue
                reason = f"block {number} now has another hash"
            journal.record_reorged(entry.hash, reason)
            entry.state, entry.note = "reorged", reason
            report.reorged.append(entry)
        reorged = {e.hash for e in report.reorged}
        for entry in journal.unresolved():
            if entry.genesis != genesis:
                note = "the chain was reset since (another genesis block)"
                journal.record_orphaned(entry.hash, note)
                entry.state, entry.note = "orphaned", note
                report.orphaned.append(entry)
                continue
            try:
                receipt = w3.eth.get_transaction_receipt(entry.hash)  # type: ignore[arg-type]
            except TransactionNotFound:
                receipt = None
            if receipt is not None and receipt.get("blockNumber") is not None:
                entry.state = "mined"
                entry.status = int(receipt["status"])
                entry.block_number = int(receipt["blockNumber"])
                entry.block_hash = _hex(receipt["blockHash"])
                journal.record_mined(
                    entry.hash,
                    block_number=entry.block_number,
                    block_hash=entry.block_hash,
                    status=entry.status,
                )
                if entry.hash not in reorged:
                    report.mined.append(entry)
                continue
            try:
                w3.eth.get_transaction(entry.hash)  # type: ignore[arg-type]
                known = True
            except TransactionNotFound:
                known = False
            if known:
                report.pending.append(entry)
                continue
            if latest_nonce > entry.nonce:
                note = f"its nonce {entry.nonce} was used by another transaction"
            else:
                note = "the node does not have it and its nonce is still free"
            journal.record_dropped(entry.hash, note)
            entry.state, entry.note = "dropped", note
            report.dropped.append(entry)
    except Exception as exc:
        from ion_cli.errors import IonError

        if isinstance(exc, IonError):
            raise
        raise node_error(exc, rpc_url_of(w3), "checking the transaction journal") from None
    report.unfinished = unfinished_plans(journal, genesis)
    return report


def unfinished_plans(journal: Journal, genesis: str) -> list[tuple[PlanRecord, int]]:
    """Plans on this chain whose first steps were mined and succeeded but whose later steps
    were never mined (and none is pending or reverted): (plan, steps mined)."""
    found: list[tuple[PlanRecord, int]] = []
    for plan in journal.open_plans(genesis):
        if not plan.calls:
            continue
        steps = journal.plan_entries(plan.plan_id)
        if any(e.state in ("signed", "sent") or e.status == 0 for e in steps):
            continue
        mined = {e.step for e in steps if e.state == "mined" and e.status == 1}
        done = 0
        while done in mined:
            done += 1
        if 0 < done < len(plan.calls):
            found.append((plan, done))
    return found


def complete(journal: Journal, plan: PlanRecord) -> list[Entry] | None:
    """The plan's mined steps in order when every step was mined and succeeded, else None."""
    steps = {e.step: e for e in journal.plan_entries(plan.plan_id) if e.state == "mined"}
    if not plan.calls or any(
        i not in steps or steps[i].status != 1 for i in range(len(plan.calls))
    ):
        return None
    return [steps[i] for i in range(len(plan.calls))]


def unreported(journal: Journal, genesis: str, intent: str) -> PlanRecord | None:
    """The account's latest plan when it is of `intent`, complete, and its result was never
    printed (the command that sent it was killed after its last step was mined): a rerun of
    the same command reports it instead of doing it again. Only plans written by a version
    that records reports count (an older journal's plans were all reported)."""
    plan = journal.last_plan()
    if (
        plan is None
        or plan.reported
        or plan.settled
        or plan.genesis != genesis
        or not plan.summary.get("reports")
        or str(plan.summary.get("intent", "")) != intent
    ):
        return None
    return plan if complete(journal, plan) is not None else None


def applied(journal: Journal, genesis: str, intent: str) -> PlanRecord | None:
    """A complete plan of `intent` on this chain (reported or not): for one-shot writes (a plan
    file is applied once, however often `ion apply` runs)."""
    for plan in reversed(journal.plans_of(intent)):
        if plan.genesis == genesis and not plan.settled and complete(journal, plan) is not None:
            return plan
    return None
