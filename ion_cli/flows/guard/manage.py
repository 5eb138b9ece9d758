"""The guard use cases other than running: add, list, remove, history (on the store of the
chain identity the session's node is on)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ion_cli.errors import UsageError
from ion_cli.flows.guard.model import Bounds, Guard, GuardSpec
from ion_cli.flows.guard.store import GuardStore
from ion_cli.flows.guard.triggers import trigger_class
from ion_cli.guard_results import HistoryEntry

if TYPE_CHECKING:
    from ion_cli.flows.session import Session


def open_store(session: Session) -> GuardStore:
    """The store of the chain the session's node is on (by identity: chain id, genesis and
    fork block, as the journal)."""
    from ion_cli.chain.identity import chain_identity

    reader = session.reader()
    chain_id = session.profile.chain_id or reader.chain_id()
    identity, _ = chain_identity(reader, chain_id)
    return GuardStore.for_chain(identity)


def add_guard(
    session: Session,
    market: str,
    trigger: str,
    value: str,
    to: str | None,
    bounds: Bounds,
    address: str | None = None,
    dry_run: bool = False,
) -> Guard:
    """Check and store a guard: its market must be installed, its trigger known (the trigger
    class checks its own value and --to); the trigger's `arm` gives its first memory. A dry run
    checks it and stores nothing (the guard returned has id 0)."""
    from ion_cli.flows.installed import require_market

    symbol = require_market(session, market).symbol
    cls = trigger_class(trigger)
    trigger_spec, action = cls.build(value, to)
    owner = session.address_of(address).lower()
    spec = GuardSpec(symbol, owner, trigger_spec, action, bounds)
    with open_store(session) as store:
        # armed before it is stored: a baseline that cannot be read (a node down) adds nothing
        unsaved = Guard(id=0, chain=store.chain, spec=spec, created_at=0)
        memory = cls(unsaved).arm(session)
        if dry_run:
            return unsaved
        with store.transaction():
            guard = store.add(spec)
            if memory:
                store.save_memory(guard.id, memory)
    return guard


def list_guards(session: Session, address: str | None = None) -> list[Guard]:
    owner = session.address_of(address)
    with open_store(session) as store:
        return store.guards(owner)


def remove_guard(
    session: Session, guard_id: int, address: str | None = None, dry_run: bool = False
) -> Guard:
    """Remove the guard (a dry run only finds it)."""
    if guard_id <= 0:
        raise UsageError(f"no guard {guard_id}: guard ids are 1, 2, ... (ion guard list)")
    owner = session.address_of(address)
    with open_store(session) as store:
        guard = store.get(guard_id)
        if dry_run and guard is not None and guard.address == owner.lower():
            return guard
        return store.remove(guard_id, owner)


def guard_history(
    session: Session, guard_id: int | None = None, address: str | None = None
) -> list[HistoryEntry]:
    """What the account's guards did (removed ones too), oldest first; one guard's with
    `guard_id`."""
    owner = session.address_of(address)
    with open_store(session) as store:
        ids = store.account_guard_ids(owner)
        if guard_id is not None:
            if guard_id not in ids:
                raise UsageError(f"no guard {guard_id} of {owner} on this chain (ion guard list)")
            ids = [guard_id]
        return store.history(ids)
