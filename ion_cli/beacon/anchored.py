"""Anchored snapshots: the beacon block whose post-state is rated, and the node's answers
checked against that state's root.

`pin_block` picks the block (the finalized checkpoint's block, the head, the latest block at or
before a slot, a block root, or the block whose post-state a state root names) and recomputes
its root from the header (a node cannot name one block and serve another's header).
`check_snapshot` takes the whole BeaconState as SSZ, requires its hash_tree_root to be the
header's state root, and compares every validator the node listed (all fields and the balance)
with the state's record, and the state's validators with the token's credentials with the list
(one left out is caught too). `state_proof` writes the Merkle multiproof that lets anyone
re-check the listed validators offline (`verify_state_proof`), without the state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ion_cli.beacon import parse
from ion_cli.beacon import proofs as P
from ion_cli.beacon import validator_ssz as V
from ion_cli.beacon.errors import NotTheState, UnknownState
from ion_cli.beacon.snapshot import Snapshot, StateRef, Validator
from ion_cli.consensus_rules import SLOTS_PER_EPOCH

if TYPE_CHECKING:
    from ion_cli.beacon.client import BeaconClient

PROOF_FORMAT = "ion-state-proof/1"
PARENT_WALK = 256  # blocks walked back from the head to find a slot's or a state root's block


@dataclass(frozen=True)
class PinnedBlock:
    """The block whose post-state is rated, and why that one."""

    header: P.Header
    why: str
    finalized: bool
    execution_optimistic: bool

    @property
    def root(self) -> str:
        return "0x" + self.header.root().hex()

    @property
    def state_root(self) -> str:
        return "0x" + self.header.state_root.hex()

    def state_ref(self) -> StateRef:
        return StateRef(
            slot=self.header.slot,
            state_root=self.state_root,
            block_root=self.root,
            finalized=self.finalized,
            execution_optimistic=self.execution_optimistic,
        )

    def to_json(self) -> dict[str, Any]:
        return {"header": self.header.to_json(), "block_root": self.root, "why": self.why}


def _checked(h: parse.Header, node: str) -> P.Header:
    """The header as SSZ, its root recomputed: it must be the root the node named."""
    header = P.Header.from_json(
        {
            "slot": h.slot,
            "proposer_index": h.proposer_index,
            "parent_root": h.parent_root,
            "state_root": h.state_root,
            "body_root": h.body_root,
        }
    )
    if "0x" + header.root().hex() != h.root.lower():
        raise NotTheState(
            f"beacon node {node}: the header of block {h.root[:12]}… hashes to another root "
            f"(0x{header.root().hex()[:10]}…): refusing its data"
        )
    return header


def _walk_back(client: BeaconClient, until: Any) -> parse.Header | None:
    """From the head through parent roots (at most PARENT_WALK blocks) to the first header
    for which `until(header)` holds."""
    current = client.header("head")
    for _ in range(PARENT_WALK):
        if until(current):
            return current
        if current.slot == 0 or int(current.parent_root, 16) == 0:
            return None
        current = client.header(current.parent_root)
    return None


def pin_block(client: BeaconClient, state: str = "finalized") -> PinnedBlock:
    """The block whose post-state `state` means (see the module docstring)."""
    wanted = parse.state_id(state)
    why: str
    if wanted in ("finalized", "justified"):
        checkpoints = client.finality_checkpoints("head")
        checkpoint = checkpoints["finalized" if wanted == "finalized" else "current_justified"]
        h = client.header(checkpoint.root if int(checkpoint.root, 16) else "genesis")
        why = (
            f"the {wanted} checkpoint's block (epoch {checkpoint.epoch}): a header names its own "
            "post-state, not the epoch-boundary state"
        )
        finalized = wanted == "finalized" or h.flags.finalized
    elif wanted in ("head", "genesis"):
        h = client.header(wanted)
        why = f"the {wanted} block"
        finalized = h.flags.finalized
    elif wanted.isdigit():
        slot = int(wanted)
        try:
            h = client.header(wanted)
        except UnknownState:
            found = _walk_back(client, lambda x: x.slot <= slot)
            if found is None:
                raise UnknownState(
                    f"no block at or before slot {slot} within {PARENT_WALK} blocks of the head"
                ) from None
            h = found
        why = f"the latest block at or before slot {slot} (slot {h.slot})"
        finalized = h.flags.finalized
    else:
        try:
            h = client.header(wanted)
            why = f"the block {wanted}"
        except UnknownState:
            found = _walk_back(client, lambda x: x.state_root == wanted)
            if found is None:
                raise UnknownState(
                    f"no block within {PARENT_WALK} of the head has the state root {wanted[:12]}…"
                ) from None
            h = found
            why = f"the block whose post-state is {wanted[:12]}…"
        finalized = h.flags.finalized
    header = _checked(h, client.source)
    return PinnedBlock(header, why, finalized, h.flags.execution_optimistic)


# ---- checking a snapshot against the state ----------------------------------------------------


def _record(index: int, raw: bytes, balance: int, status: str) -> Validator:
    return Validator(index=index, balance=balance, status=status, **V.validator_fields(raw))


FIELDS = (
    "pubkey",
    "withdrawal_credentials",
    "effective_balance",
    "balance",
    "slashed",
    "activation_eligibility_epoch",
    "activation_epoch",
    "exit_epoch",
    "withdrawable_epoch",
)


def differences(node: Validator, state: Validator) -> list[str]:
    return [f for f in FIELDS if getattr(node, f) != getattr(state, f)]


@dataclass(frozen=True)
class StateCheck:
    """What checking a snapshot against the SSZ state established."""

    state_root: str
    validators: int  # records compared field by field
    complete: bool  # the state's validators with the credentials are exactly the listed ones
    active_balance: int  # the state's total active effective balance at its epoch (Gwei)
    slashings_total: int = 0  # the sum of the state's slashings vector (Gwei)

    def to_json(self) -> dict[str, Any]:
        return {
            "state_root_of_ssz_state": self.state_root,
            "validators_compared": self.validators,
            "set_complete_against_state": self.complete,
            "active_balance_gwei": self.active_balance,
            "slashings_total_gwei": self.slashings_total,
        }


def check_snapshot(
    snapshot: Snapshot,
    tree: P.StateTree,
    header: P.Header,
    credentials: Iterable[str],
    ids: Sequence[int] = (),
) -> StateCheck:
    """Refuse (NotTheState) unless the SSZ state is the header's and the snapshot lists exactly
    the state's validators with `credentials` (plus `ids`), each as the state has it."""
    root = tree.root()
    if root != header.state_root:
        raise NotTheState(
            f"the node's SSZ state hashes to 0x{root.hex()[:12]}…, not the state root "
            f"0x{header.state_root.hex()[:12]}… its block header names"
        )
    if tree.slot != header.slot:
        raise NotTheState(f"the SSZ state is at slot {tree.slot}, the header at {header.slot}")
    wanted = {bytes.fromhex(c.removeprefix("0x")) for c in credentials}
    registry = memoryview(tree.registry)
    size = V.VALIDATOR_BYTES
    cred = V.VALIDATOR_SPANS["withdrawal_credentials"]
    expected = {
        i
        for i in range(tree.count)
        if registry[i * size + cred.start : i * size + cred.stop].tobytes() in wanted
    }
    expected |= {i for i in ids if 0 <= i < tree.count}
    listed = {v.index for v in snapshot.validators}
    if listed != expected:
        missing = sorted(expected - listed)
        extra = sorted(listed - expected)
        detail = []
        if missing:
            detail.append(f"left out {len(missing)} (first: {missing[0]})")
        if extra:
            detail.append(f"added {len(extra)} (first: {extra[0]})")
        raise NotTheState(
            "the node's list of the token's validators is not the state's: "
            + "; ".join(detail)
            + " (their withdrawal credentials differ from the state's)"
        )
    for v in snapshot.validators:
        state = _record(v.index, tree.validator_bytes(v.index), tree.balance(v.index), v.status)
        wrong = differences(v, state)
        if wrong:
            raise NotTheState(
                f"validator {v.index}: the node's {', '.join(wrong)} "
                f"{'differs' if len(wrong) == 1 else 'differ'} from the state whose root its "
                f"header names (state 0x{root.hex()[:12]}…)"
            )
    epoch = header.slot // SLOTS_PER_EPOCH
    active = 0
    for i in range(tree.count):
        activation = V.validator_u64(registry, i, "activation_epoch")
        if activation <= epoch < V.validator_u64(registry, i, "exit_epoch"):
            active += V.validator_u64(registry, i, "effective_balance")
    raw = bytes(tree.slashings)
    slashed = sum(int.from_bytes(raw[i : i + 8], "little") for i in range(0, len(raw), 8))
    return StateCheck("0x" + root.hex(), len(listed), True, active, slashed)


# ---- the offline proof ------------------------------------------------------------------------


def state_proof(tree: P.StateTree, header: P.Header, indices: Sequence[int]) -> dict[str, Any]:
    """A multiproof of the listed validators (records and balances) and the state's slot to
    the state root, with the header it hangs from (JSON)."""
    leaves = [P.validator_gindex(i) for i in indices]
    chunks = {P.balance_gindex(i): tree.node(P.balance_gindex(i)) for i in indices}
    helpers = tree.multiproof([*leaves, *chunks, P.state_slot_gindex()])
    return {
        "format": PROOF_FORMAT,
        "header": header.to_json(),
        "block_root": "0x" + header.root().hex(),
        "state_root": "0x" + header.state_root.hex(),
        "validator_indices": list(indices),
        "balance_chunks": {str(g): "0x" + c.hex() for g, c in sorted(chunks.items())},
        "helpers": {str(g): "0x" + n.hex() for g, n in sorted(helpers.items())},
    }


def verify_state_proof(
    doc: Mapping[str, Any], validators: Sequence[Mapping[str, Any]]
) -> tuple[P.Header, list[str]]:
    """Re-check offline that `validators` (snapshot JSON records) are the state's under the
    proof's header: returns the header and the problems found (none: proven)."""
    problems: list[str] = []
    if doc.get("format") != PROOF_FORMAT:
        raise P.ProofError(f"not an {PROOF_FORMAT} document")
    header = P.Header.from_json(doc["header"])
    if "0x" + header.root().hex() != str(doc.get("block_root", "")).lower():
        problems.append("the header does not hash to the block root")
    nodes: dict[int, bytes] = {}
    try:
        for g, value in doc["helpers"].items():
            nodes[int(g)] = bytes.fromhex(str(value).removeprefix("0x"))
        chunks = {
            int(g): bytes.fromhex(str(v).removeprefix("0x"))
            for g, v in doc["balance_chunks"].items()
        }
    except (KeyError, ValueError, AttributeError) as exc:
        raise P.ProofError(f"malformed state proof: {exc}") from None
    nodes.update(chunks)
    nodes[P.state_slot_gindex()] = header.slot.to_bytes(32, "little")
    for v in validators:
        index = int(v["index"])
        try:
            nodes[P.validator_gindex(index)] = V.validator_root(V.validator_to_bytes(v))
        except (KeyError, P.ProofError) as exc:
            problems.append(f"validator {index}: unreadable record ({exc})")
            continue
        chunk = chunks.get(P.balance_gindex(index))
        at = 8 * (index % 4)
        if chunk is None or int.from_bytes(chunk[at : at + 8], "little") != int(v["balance"]):
            problems.append(f"validator {index}: the balance is not the proven one")
    if [int(v["index"]) for v in validators] != [int(i) for i in doc["validator_indices"]]:
        problems.append("the proof covers other validators than the snapshot lists")
    try:
        root = P.multi_root(nodes)
    except P.ProofError as exc:
        problems.append(str(exc))
        return header, problems
    if root != header.state_root:
        problems.append(
            "the snapshot's validators do not hash to the header's state root (a record, a "
            "balance or the slot differs from the proven state)"
        )
    return header, problems
