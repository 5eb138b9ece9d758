"""The pipeline's observer that keeps the journal: a plan's calls before it starts, each step
signed before it is broadcast, sent, mined or failed; and the kill points the crash tests use.
"""

from __future__ import annotations

import os
from typing import Any

from ion_cli.chain.journal import Journal

# "signed:2" = SIGKILL itself after journaling step 2's signature; "mined:2:TERM" = SIGTERM
# itself once step 2 is mined (stages: signed, sent, mined; steps count from 1); "done" = once
# every step of the command is mined, before its result is recorded as reported and printed
KILL_ENV = "ION_TEST_KILL_AT"
TESTING_ENV = "ION_TESTING"  # the kill hook is honoured only when this is "1"


def kill_point(stage: str, step_index: int) -> None:
    """A test hook: die at a named stage, as a power cut or `kill -9` would. Ignored unless
    ION_TESTING=1 is also set, so a stray variable cannot hurt a real user."""
    wanted = os.environ.get(KILL_ENV)
    if not wanted or os.environ.get(TESTING_ENV) != "1":
        return
    name, _, rest = wanted.partition(":")
    number, _, signal_name = rest.partition(":")
    if name == stage and (not number or number == str(step_index + 1)):
        import signal

        os.kill(os.getpid(), getattr(signal, f"SIG{signal_name or 'KILL'}"))


class JournalObserver:
    """Writes every stage of a plan to the journal; `on_signed` runs before the broadcast, so a
    transaction that may reach the node is always on disk first.

    Duck-typed against `ion_cli.chain.observer.Observer` (combined with the CLI's through
    `observer.combine`): `intent` is the command as typed, so a rerun finds its plan.
    """

    def __init__(self, journal: Journal, *, genesis: str, intent: str) -> None:
        self.journal = journal
        self.genesis = genesis
        self.intent = intent
        self._offset = 0
        self.signed: list[str] = []  # hashes signed through this observer, in order
        self.recorded: list[str] = []  # plan ids recorded through this observer, in order
        self.resumed_from: dict[str, int] = {}  # plan id -> steps already mined before this run
        # hashes this run signed that the journal already had (dropped, reorged, orphaned): the
        # same bytes signed again, so a node that still has them answers "already known"
        self.resent: set[str] = set()

    def on_warning(self, message: str) -> None:
        pass

    def on_preview(self, preview: Any) -> None:
        if preview.plan.plan_id not in self.resumed_from:  # a resumed plan is on file already
            self.record_plan(preview.plan, sender=preview.sender, chain_id=preview.chain_id)

    def on_dry_run(self, result: Any) -> None:
        pass

    def on_signed(self, signed: Any) -> None:
        offset = self._offset = self.resumed_from.get(signed.plan_id, 0)
        earlier = self.journal.find(signed.tx_hash)
        if earlier is not None and earlier.state in ("signed", "sent", "mined"):
            # The same signed bytes are already on file as live: another process (or an
            # earlier run) sent this very transaction. Its receipt is not this command's success.
            from ion_cli.errors import RefusedError

            raise RefusedError(
                f"collision: transaction {signed.tx_hash} ({earlier.label()}) was already "
                f"{earlier.state} by another ion process or an earlier run; nothing was sent "
                "by this one (see `ion tx status`)"
            )
        if earlier is not None:
            self.resent.add(signed.tx_hash)
        self.journal.record_signed(
            tx_hash=signed.tx_hash,
            raw=signed.raw_tx,
            chain_id=signed.chain_id,
            genesis=self.genesis,
            sender=signed.sender,
            plan_id=signed.plan_id,
            step=offset + signed.step_index,
            steps=offset + signed.step_count,
            nonce=signed.nonce,
            to=signed.to,
            method=signed.description,
            description=signed.description,
            title=signed.plan_title,
        )
        self.signed.append(signed.tx_hash)
        kill_point("signed", offset + signed.step_index)

    def is_resend(self, tx_hash: str) -> bool:
        return tx_hash in self.resent

    def on_sent(self, step: Any) -> None:
        self.journal.record_sent(str(step.tx_hash))
        kill_point("sent", self._offset + step.index)

    def on_receipt(self, step: Any) -> None:
        receipt = step.receipt
        block_hash = receipt.get("blockHash") if receipt is not None else None
        if block_hash is not None and not isinstance(block_hash, str):
            block_hash = "0x" + bytes(block_hash).hex()
        self.journal.record_mined(
            str(step.tx_hash),
            block_number=int(step.block_number or 0),
            block_hash=str(block_hash or ""),
            status=int(step.status if step.status is not None else 1),
        )
        kill_point("mined", self._offset + step.index)

    def on_failed(self, result: Any, error: Any) -> None:
        from ion_cli.chain.sending import COLLISION

        message = str(getattr(error, "message", ""))
        if message.startswith(COLLISION) and self.signed:
            # the step signed last never became this command's: resolve its entry now
            last = self.journal.find(self.signed[-1])
            if last is not None and last.state == "signed":
                if "already had" in message:  # the node has these bytes: reconcile follows them
                    self.journal.record_note(last.hash, message)
                else:
                    self.journal.record_dropped(
                        last.hash, f"collision: nonce {last.nonce} was taken by another writer"
                    )
        for step in result.steps:
            if step.tx_hash and step.status is None:
                self.journal.record_note(
                    step.tx_hash, f"the command stopped before its receipt: {error.message}"
                )

    def on_done(self, result: Any) -> None:
        pass

    def record_plan(self, plan: Any, *, sender: str, chain_id: int) -> None:
        """The plan's calls, before the pipeline starts: what a rerun needs to finish it."""
        self.recorded.append(plan.plan_id)
        self.journal.record_plan(
            plan_id=plan.plan_id,
            title=plan.title,
            sender=sender,
            chain_id=chain_id,
            genesis=self.genesis,
            calls=[
                {
                    "to": c.to,
                    "data": "0x" + c.data.hex(),
                    "value": str(c.value),
                    "description": c.description,
                    "kind": c.kind,
                    "method": c.method,
                }
                for c in plan.calls
            ],
            # "reports": this version records `reported` once the command printed the result,
            # so a complete plan without it was cut off before its report (see flows.tx)
            summary={"intent": self.intent, "steps": len(plan.calls), "reports": True},
        )
