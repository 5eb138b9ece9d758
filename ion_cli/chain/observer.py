"""What the transaction pipeline tells the world, stage by stage.

The pipeline never prints or prompts: it calls an `Observer`. The CLI renders through one
(`ion_cli.commands._observer`), a script passes its own, a journal writes to disk in `on_signed`
before the transaction leaves the machine. `Observer` is a base class whose hooks do nothing, so
an observer overrides only what it needs; `Observers` fans one pipeline out to several.

An exception raised by a hook stops the plan where it stands: raising in `on_signed` (a journal
that cannot write) means that transaction is never broadcast.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ion_cli.chain.execution import ExecutionResult, StepResult
    from ion_cli.chain.fees import FeeQuote
    from ion_cli.chain.plan import Plan
    from ion_cli.chain.simulate import Simulation
    from ion_cli.errors import IonError


@dataclass(frozen=True)
class Preview:
    """The prepare stage's outcome, before anything is confirmed or signed."""

    plan: Plan
    simulation: Simulation
    fees: FeeQuote
    sender: str
    chain_id: int
    likely_fee: int  # wei, over the simulated steps
    max_fee: int  # wei: gas limits at the max fee per gas


@dataclass(frozen=True)
class SignedTx:
    """One signed transaction, handed to `on_signed` before it is broadcast.

    `raw_tx` is exactly the bytes that will be sent (re-sending them is idempotent: same hash);
    `step_index` counts from 0 within the plan `plan_id`.
    """

    plan_id: str
    plan_title: str
    step_index: int
    step_count: int
    chain_id: int
    sender: str
    nonce: int
    tx_hash: str
    raw_tx: bytes
    to: str
    value: int
    data: bytes
    gas_limit: int
    description: str


class Observer:
    """Hooks of the pipeline's stages, in the order they are called. All do nothing here."""

    def on_warning(self, message: str) -> None:
        """Something the user should know that does not stop the plan (plain text)."""

    def on_preview(self, preview: Preview) -> None:
        """The plan was simulated and priced; next come the dry-run exit or confirmation."""

    def on_dry_run(self, result: ExecutionResult) -> None:
        """--dry-run: the pipeline returns `result` without signing anything."""

    def on_signed(self, signed: SignedTx) -> None:
        """A step is signed and about to be broadcast (raise to stop it being sent)."""

    def is_resend(self, tx_hash: str) -> bool:
        """Whether these exact signed bytes are this account's own re-broadcast of a step it
        signed earlier (a journal knows): then a node's "already known" is no collision."""
        return False

    def on_sent(self, step: StepResult) -> None:
        """The node has the step's transaction (`step.tx_hash`, `step.nonce`)."""

    def on_receipt(self, step: StepResult) -> None:
        """The step is mined (`step.status`: 1 success, 0 reverted), before it is judged."""

    def on_failed(self, result: ExecutionResult, error: IonError) -> None:
        """The plan stopped after the prepare stage; `result` holds every step so far."""

    def on_done(self, result: ExecutionResult) -> None:
        """Every step is mined and succeeded."""


class Observers(Observer):
    """Several observers, called in order for every hook."""

    def __init__(self, observers: Iterable[Observer]) -> None:
        self.observers = list(observers)

    def on_warning(self, message: str) -> None:
        for o in self.observers:
            o.on_warning(message)

    def on_preview(self, preview: Preview) -> None:
        for o in self.observers:
            o.on_preview(preview)

    def on_dry_run(self, result: ExecutionResult) -> None:
        for o in self.observers:
            o.on_dry_run(result)

    def on_signed(self, signed: SignedTx) -> None:
        for o in self.observers:
            o.on_signed(signed)

    def is_resend(self, tx_hash: str) -> bool:
        # duck-typed observers may predate this hook
        return any(getattr(o, "is_resend", lambda _: False)(tx_hash) for o in self.observers)

    def on_sent(self, step: StepResult) -> None:
        for o in self.observers:
            o.on_sent(step)

    def on_receipt(self, step: StepResult) -> None:
        for o in self.observers:
            o.on_receipt(step)

    def on_failed(self, result: ExecutionResult, error: IonError) -> None:
        for o in self.observers:
            o.on_failed(result, error)

    def on_done(self, result: ExecutionResult) -> None:
        for o in self.observers:
            o.on_done(result)


def combine(*observers: Observer | None) -> Observer:
    """One observer for the given ones (None skipped)."""
    present = [o for o in observers if o is not None]
    if not present:
        return Observer()
    return present[0] if len(present) == 1 else Observers(present)
