"""Snapshots: validators read at one beacon state, never two.

`resolve_state` pins the state first (the header of the block asked for: slot, block root and
state root) and every later request names that state root, so a snapshot cannot mix the head
of one moment with the head of the next. `finalized` is the state for anything proven or
submitted; an execution_optimistic answer for it is refused, for any other state it is kept
with a warning and recorded in the StateRef.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from ion_cli.beacon import credindex, parse
from ion_cli.beacon.client import BeaconClient, ValidatorsAnswer
from ion_cli.beacon.errors import BeaconOptimistic, UnknownState
from ion_cli.beacon.snapshot import Snapshot, StateRef, Validator
from ion_cli.consensus_rules import SLOTS_PER_EPOCH

Warn = Callable[[str], None]
REFRESH_CHUNK = 10_000  # indices per request when refreshing above the cached maximum


def resolve_state(client: BeaconClient, state: str = "finalized") -> StateRef:
    """Pin `state` (a name, a slot, or a block/state root) to its slot, state root and block
    root, read before any validator so that every later request can name the state root.

    `finalized`/`justified` are the checkpoint states (the epoch's first slot, as the API's
    state ids mean them, empty slots included); `head` the node's head slot."""
    wanted = parse.state_id(state)
    if wanted in ("finalized", "justified"):
        checkpoints = client.finality_checkpoints("head")
        checkpoint = checkpoints["finalized" if wanted == "finalized" else "current_justified"]
        slot = checkpoint.epoch * SLOTS_PER_EPOCH
        root, flags = client.state_root(str(slot))
        block_root = checkpoint.root
        if int(block_root, 16) == 0:  # the genesis checkpoint names no block
            block_root = client.header("genesis").root
        return StateRef(
            slot=slot,
            state_root=root,
            block_root=block_root,
            finalized=wanted == "finalized" or flags.finalized,
            execution_optimistic=flags.execution_optimistic,
        )
    if wanted == "head":
        slot = client.head_slot()
        root, flags = client.state_root(str(slot))
        block = client.header("head")
        if block.slot > slot:  # the head moved between the two questions: take the newer
            return _from_header(block)
        return StateRef(
            slot=slot,
            state_root=root,
            block_root=block.root,
            finalized=flags.finalized,
            execution_optimistic=flags.execution_optimistic or block.flags.execution_optimistic,
        )
    if wanted.isdigit():
        slot = int(wanted)
        try:
            root, flags = client.state_root(wanted)
        except UnknownState:
            raise UnknownState(f"no state at slot {slot} (after the head, or pruned)") from None
        before = _block_at_or_before(client, slot)
        return StateRef(
            slot=slot,
            state_root=root,
            block_root=before.root if before else "",
            finalized=flags.finalized,
            execution_optimistic=flags.execution_optimistic,
        )
    try:
        return _from_header(client.header(wanted))  # genesis, or a block root
    except UnknownState:
        if not wanted.startswith("0x"):
            raise
    return _state_by_root(client, wanted)


def _from_header(head: parse.Header) -> StateRef:
    return StateRef(
        slot=head.slot,
        state_root=head.state_root,
        block_root=head.root,
        finalized=head.flags.finalized,
        execution_optimistic=head.flags.execution_optimistic,
    )


def _block_at_or_before(client: BeaconClient, slot: int, limit: int = 64) -> parse.Header | None:
    for candidate in range(slot, max(-1, slot - limit), -1):
        try:
            return client.header(str(candidate))
        except UnknownState:
            continue
    return None


STATE_ROOT_WALK = 128  # headers walked back from head to find the block of a state root


def _state_by_root(client: BeaconClient, root: str) -> StateRef:
    """A 0x root that is no block root: the state root of one of the last blocks (walking
    back from head through parent roots), or of the finalized or justified checkpoint."""
    current = client.header("head")
    for _ in range(STATE_ROOT_WALK):
        if current.state_root == root:
            return _from_header(current)
        if current.slot == 0 or int(current.parent_root, 16) == 0:
            break
        try:
            current = client.header(current.parent_root)
        except UnknownState:
            break
    for name in ("finalized", "justified"):
        checkpoint = resolve_state(client, name)
        if checkpoint.state_root == root:
            return checkpoint
    raise UnknownState(
        f"unknown root {root[:12]}…: give a block root, a slot, or the state root of one of the "
        f"last {STATE_ROOT_WALK} blocks or of a checkpoint"
    )


def check_optimistic(state: StateRef, asked: str, optimistic: bool, warn: Warn | None) -> StateRef:
    """Refuse optimistic data for the finalized state; warn for any other."""
    if not (optimistic or state.execution_optimistic):
        return state
    if parse.state_id(asked) == "finalized":
        raise BeaconOptimistic(
            "the beacon node answered execution_optimistic data for the finalized state (its "
            "execution client has not verified it): refusing; use another node"
        )
    if warn is not None:
        warn(
            f"the data at slot {state.slot} is execution_optimistic (not yet verified by the "
            "node's execution client)"
        )
    return replace(state, execution_optimistic=True)


def _snapshot(
    client: BeaconClient,
    state: StateRef,
    asked: str,
    answer: ValidatorsAnswer,
    warn: Warn | None,
    *,
    complete: bool = True,
    notes: Sequence[str] = (),
) -> Snapshot:
    checked = check_optimistic(state, asked, answer.execution_optimistic, warn)
    return Snapshot(
        state=checked,
        validators=tuple(sorted(answer.validators, key=lambda v: v.index)),
        source=", ".join(sorted(answer.nodes)) or client.source,
        complete=complete,
        notes=tuple(notes),
    )


def snapshot_of_ids(
    client: BeaconClient, ids: Sequence[str], state: str = "finalized", warn: Warn | None = None
) -> Snapshot:
    """The validators `ids` (indices or pubkeys) at one state; unknown ids are an error."""
    ref = resolve_state(client, state)
    answer = client.validators(ref.state_root, list(ids))
    return _snapshot(client, ref, state, answer, warn)


@dataclass(frozen=True)
class Found:
    validators: tuple[Validator, ...]
    notes: tuple[str, ...]
    optimistic: bool
    nodes: frozenset[str]


def find_by_credentials(
    client: BeaconClient,
    ref: StateRef,
    credentials: Iterable[str],
    *,
    use_cache: bool = True,
    full_rescan: bool = False,
) -> Found:
    """Validators at `ref` whose withdrawal credentials are in `credentials`.

    With the cache: a full streamed scan when there is no index yet, when it is older than a
    day of epochs or `full_rescan`; otherwise only indices above the cached maximum are read,
    then the matching indices are fetched at `ref` (and their credentials checked again)."""
    wanted = {c.lower() for c in credentials}
    gen = client.genesis()
    index = credindex.load(gen.genesis_validators_root, gen.genesis_time)
    notes: list[str] = []
    if not use_cache or full_rescan or index.needs_full_scan(ref.epoch):
        index.reset()

        def keep(indices: list[int], credentials: list[str]) -> list[int]:
            index.add_many(indices, credentials)
            return [k for k, c in enumerate(credentials) if c in wanted]

        answer = client.scan_credentials(ref.state_root, keep)
        matched = answer.validators
        index.full_scan_epoch = ref.epoch
        index.scanned_epoch = ref.epoch
        if use_cache:
            credindex.save(index)
        notes.append(f"scanned all {index.max_index + 1} validators")
        return Found(
            tuple(matched), tuple(notes), answer.execution_optimistic, frozenset(answer.nodes)
        )

    optimistic = False
    nodes: set[str] = set()
    start = index.max_index + 1
    added = 0
    while True:
        ids = [str(i) for i in range(start, start + REFRESH_CHUNK)]
        answer = client.validators(ref.state_root, ids, require_all=False)
        optimistic = optimistic or answer.execution_optimistic
        nodes |= answer.nodes
        for v in answer.validators:
            index.add(v.withdrawal_credentials, v.index)
        added += len(answer.validators)
        if len(answer.validators) < REFRESH_CHUNK:
            break
        start += REFRESH_CHUNK
    index.scanned_epoch = ref.epoch
    credindex.save(index)
    notes.append(f"credential index from the cache (+{added} new validators)")
    ids = [str(i) for i in index.indices(wanted)]
    answer = client.validators(ref.state_root, ids, require_all=False)
    kept = tuple(v for v in answer.validators if v.withdrawal_credentials in wanted)
    if len(kept) != len(ids):
        notes.append(
            f"{len(ids) - len(kept)} cached validators no longer match (credentials changed): "
            "a full rescan runs within a day of epochs, or at once when a rescan is asked for"
        )
    return Found(
        kept,
        tuple(notes),
        optimistic or answer.execution_optimistic,
        frozenset(nodes | answer.nodes),
    )


def snapshot_of_credentials(
    client: BeaconClient,
    credentials: Iterable[str],
    state: str = "finalized",
    *,
    ids: Iterable[str] = (),
    complete: bool = True,
    notes: Sequence[str] = (),
    warn: Warn | None = None,
    use_cache: bool = True,
    full_rescan: bool = False,
) -> Snapshot:
    """The validators paying to `credentials` plus explicit `ids` (indices or pubkeys)."""
    ref = resolve_state(client, state)
    creds = [c.lower() for c in credentials]
    found = (
        find_by_credentials(client, ref, creds, use_cache=use_cache, full_rescan=full_rescan)
        if creds
        else Found((), (), False, frozenset())
    )
    validators = {v.index: v for v in found.validators}
    have = {str(i) for i in validators} | {v.pubkey for v in validators.values()}
    extra = [i for i in dict.fromkeys(ids) if i not in have]
    optimistic = found.optimistic
    nodes = set(found.nodes)
    if extra:
        answer = client.validators(ref.state_root, extra)
        optimistic = optimistic or answer.execution_optimistic
        nodes |= answer.nodes
        validators.update({v.index: v for v in answer.validators})
    merged = ValidatorsAnswer(list(validators.values()), optimistic, ref.finalized, nodes)
    return _snapshot(
        client, ref, state, merged, warn, complete=complete, notes=(*notes, *found.notes)
    )
