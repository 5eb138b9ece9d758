"""ion_cli.beacon.anchored without a node: a snapshot checked against the SSZ state of the
devnet's synthetic chain, the lies a node can tell caught, and the offline state proof."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from ion_cli.beacon import anchored as A
from ion_cli.beacon import proofs as P
from ion_cli.beacon.errors import NotTheState
from ion_cli.beacon.snapshot import Snapshot, StateRef, Validator
from ion_cli.devnet import beacon_chain as bc
from ion_cli.devnet import beacon_records as records


@pytest.fixture(scope="module")
def world() -> dict[str, Any]:
    chain = bc.new_chain(genesis_time=1_600_000_000)
    head = records.GENESIS_EPOCHS * 32 + 40
    chain.set_blocks([head])
    state = chain.ssz().state(head)
    tree = P.state_tree(state.encode_bytes())
    header = P.Header.from_json({**chain.header(head), "state_root": "0x" + tree.root().hex()})
    creds = [c for g in chain.config.groups if g.symbol == "rsETH" for c in g.credentials]
    view = chain.view(head)
    validators = []
    for i in chain.layout.indices_of("rsETH"):
        rec = chain.record(view, i)
        validators.append(
            Validator(
                index=i,
                pubkey="0x" + rec.pubkey.hex(),
                withdrawal_credentials="0x" + rec.credentials.hex(),
                effective_balance=rec.effective_balance,
                balance=rec.balance,
                slashed=rec.slashed,
                activation_eligibility_epoch=rec.activation_eligibility_epoch,
                activation_epoch=rec.activation_epoch,
                exit_epoch=rec.exit_epoch,
                withdrawable_epoch=rec.withdrawable_epoch,
                status=rec.status(head // 32),
            )
        )
    ref = StateRef(head, "0x" + tree.root().hex(), "0x" + header.root().hex(), True, False)
    snapshot = Snapshot(state=ref, validators=tuple(validators))
    return {"tree": tree, "header": header, "creds": creds, "snapshot": snapshot}


def test_an_honest_snapshot_passes_and_its_proof_verifies(world: dict[str, Any]) -> None:
    check = A.check_snapshot(world["snapshot"], world["tree"], world["header"], world["creds"])
    assert check.complete and check.validators == len(world["snapshot"].validators) > 1000
    assert check.active_balance > 0
    indices = [v.index for v in world["snapshot"].validators]
    doc = A.state_proof(world["tree"], world["header"], indices)
    rows = [v.to_json() for v in world["snapshot"].validators]
    header, problems = A.verify_state_proof(doc, rows)
    assert problems == [] and header == world["header"]
    rows[5] = {**rows[5], "slashed": not rows[5]["slashed"]}
    assert A.verify_state_proof(doc, rows)[1]


@pytest.mark.parametrize(
    "lie",
    [
        {"slashed": True},
        {"balance": 1},
        {"effective_balance": 31 * 10**9},
        {"exit_epoch": 5},
    ],
)
def test_a_lie_about_one_record_is_refused(world: dict[str, Any], lie: dict[str, Any]) -> None:
    snap = world["snapshot"]
    lied = list(snap.validators)
    lied[7] = replace(lied[7], **lie)
    with pytest.raises(NotTheState, match=f"validator {lied[7].index}"):
        A.check_snapshot(
            replace(snap, validators=tuple(lied)), world["tree"], world["header"], world["creds"]
        )


def test_a_validator_left_out_or_added_is_refused(world: dict[str, Any]) -> None:
    snap = world["snapshot"]
    with pytest.raises(NotTheState, match="left out 1"):
        A.check_snapshot(
            replace(snap, validators=snap.validators[1:]),
            world["tree"],
            world["header"],
            world["creds"],
        )


def test_a_state_that_is_not_the_headers_is_refused(world: dict[str, Any]) -> None:
    other = replace(world["header"], state_root=bytes(32))
    with pytest.raises(NotTheState, match="not the state root"):
        A.check_snapshot(world["snapshot"], world["tree"], other, world["creds"])


class FakeNode:
    """Headers of blocks at slots 10, 20 and 30 (each the parent of the next), a finalized
    checkpoint naming the block at 20; `lie` makes one header's state root differ from what
    its root commits to."""

    source = "http://fake"

    def __init__(self, lie: bool = False) -> None:
        from ion_cli.beacon import parse

        self.parse = parse
        self.blocks: dict[int, P.Header] = {}
        parent = bytes(32)
        for slot in (10, 20, 30):
            h = P.Header(slot, 3, parent, bytes([slot]) * 32, bytes([slot + 1]) * 32)
            self.blocks[slot] = h
            parent = h.root()
        self.lie = lie

    def _answer(self, h: P.Header) -> Any:
        flags = self.parse.Envelope(execution_optimistic=False, finalized=h.slot <= 20)
        state = h.state_root if not (self.lie and h.slot == 20) else bytes(32)
        return self.parse.Header(
            root="0x" + h.root().hex(),
            slot=h.slot,
            state_root="0x" + state.hex(),
            proposer_index=h.proposer_index,
            parent_root="0x" + h.parent_root.hex(),
            flags=flags,
            body_root="0x" + h.body_root.hex(),
        )

    def header(self, block_id: str) -> Any:
        from ion_cli.beacon.errors import UnknownState

        if block_id == "head":
            return self._answer(self.blocks[30])
        for slot, h in self.blocks.items():
            if block_id in (str(slot), "0x" + h.root().hex()):
                return self._answer(h)
        raise UnknownState(f"no block {block_id}")

    def finality_checkpoints(self, state_id: str = "head") -> Any:
        cp = self.parse.Checkpoint(epoch=0, root="0x" + self.blocks[20].root().hex())
        return {"finalized": cp, "current_justified": cp, "previous_justified": cp}


def test_pin_block_names_the_block_and_why() -> None:
    node: Any = FakeNode()
    pinned = A.pin_block(node, "finalized")
    assert pinned.header == node.blocks[20] and "finalized checkpoint's block" in pinned.why
    assert pinned.state_ref().slot == 20 and pinned.state_ref().finalized
    at = A.pin_block(node, "25")  # an empty slot: the latest block at or before it
    assert at.header.slot == 20 and "at or before slot 25" in at.why
    assert A.pin_block(node, "30").header.slot == 30
    by_state = A.pin_block(node, "0x" + node.blocks[10].state_root.hex())
    assert by_state.header.slot == 10 and "post-state" in by_state.why


def test_pin_block_refuses_a_header_that_is_not_its_root() -> None:
    with pytest.raises(NotTheState, match="hashes to another root"):
        A.pin_block(FakeNode(lie=True), "finalized")  # type: ignore[arg-type]


def test_the_validator_layout_is_the_ssz_containers() -> None:
    """One written layout (ion_cli.beacon.validator_ssz, stdlib) agrees with the SSZ container the
    devnet's state is built from, and decoding inverts encoding."""
    from ion_cli.beacon import validator_ssz as proofs
    from ion_cli.beacon.ssz import Validator

    fields = Validator.fields()
    assert [name for name, _ in proofs.VALIDATOR_FIELDS] == list(fields)
    assert [size for _, size in proofs.VALIDATOR_FIELDS] == [
        t.type_byte_length() for t in fields.values()
    ]
    v = {
        "pubkey": "0x" + "ab" * 48,
        "withdrawal_credentials": "0x01" + "00" * 11 + "ee" * 20,
        "effective_balance": 32 * 10**9,
        "slashed": True,
        "activation_eligibility_epoch": 1,
        "activation_epoch": 2,
        "exit_epoch": 3,
        "withdrawable_epoch": 4,
    }
    raw = proofs.validator_to_bytes(v)
    assert len(raw) == proofs.VALIDATOR_BYTES == 121
    assert proofs.validator_fields(raw) == v
    view = Validator(
        pubkey=bytes.fromhex("ab" * 48),
        withdrawal_credentials=bytes.fromhex("01" + "00" * 11 + "ee" * 20),
        effective_balance=32 * 10**9,
        slashed=True,
        activation_eligibility_epoch=1,
        activation_epoch=2,
        exit_epoch=3,
        withdrawable_epoch=4,
    )
    assert view.encode_bytes() == raw
    assert view.hash_tree_root() == proofs.validator_root(raw) == proofs.validator_roots(raw)
