"""The state openings a fraud proof carries (ion_cli.zk.challenge_proof) pass the consensus
specs' branch check against the state root: a validator's record (and the zero node past the
registry's end), a balance chunk, a validator's withdrawal credentials (50 nodes), the slashings
vector from its non-zero chunks; and each finding's arguments open the submitter's tree at the
positions the finder named."""

from __future__ import annotations

from typing import Any

import pytest
from test_beacon_proofs import _random_state  # type: ignore[import-not-found]

from ion_cli.beacon import proofs as P
from ion_cli.beacon.merkle import merkleize
from ion_cli.beacon.slashings import (
    SLASHINGS_DEPTH,
    STATE_FIELD_SLASHINGS,
    slashings_proof,
    slashings_total,
)
from ion_cli.beacon.validator_ssz import validator_root
from ion_cli.testing import feed_lies
from ion_cli.zk import challenge_proof as cp
from ion_cli.zk import challenge_tree as ct
from ion_cli.zk import feed_proofs as F
from ion_cli.zk import sumtree
from ion_cli.zk.challenge_find import Finding


@pytest.fixture(scope="module")
def tree() -> P.StateTree:
    return P.state_tree(_random_state(37, seed=11).encode_bytes())


def _valid(leaf: bytes, branch: list[bytes], gindex: int, root: bytes) -> bool:
    depth = P.gindex_depth(gindex)
    assert len(branch) == depth
    return P.is_valid_merkle_branch(leaf, branch, depth, gindex - (1 << depth), root)


@pytest.mark.parametrize("index", [0, 5, 36])
def test_record_balance_and_credentials_openings(tree: P.StateTree, index: int) -> None:
    root = tree.root()
    value, branch = F.validator_root_and_branch(tree, index)
    assert value == validator_root(tree.validator_bytes(index))
    assert len(branch) == 47 and _valid(value, branch, P.validator_gindex(index), root)
    chunk, branch = F.balance_chunk_and_branch(tree, index)
    assert int.from_bytes(chunk[8 * (index % 4) : 8 * (index % 4) + 8], "little") == (
        tree.balance(index)
    )
    assert len(branch) == 45 and _valid(chunk, branch, P.balance_gindex(index), root)
    creds, branch = F.credentials_and_branch(tree, index)
    assert creds == tree.validator_bytes(index)[48:80]
    assert len(branch) == 50
    assert _valid(creds, branch, P.validator_gindex(index) * 8 + 1, root)
    # A changed credential does not pass.
    assert not _valid(bytes(32), branch, P.validator_gindex(index) * 8 + 1, root)


def test_past_the_registry_the_record_is_the_zero_node(tree: P.StateTree) -> None:
    value, branch = F.validator_root_and_branch(tree, tree.count + 3)
    assert value == bytes(32)
    assert _valid(value, branch, P.validator_gindex(tree.count + 3), tree.root())


def test_the_slashings_vector_from_its_non_zero_chunks(tree: P.StateTree) -> None:
    positions, chunks, branch = slashings_proof(tree)
    assert positions == sorted(set(positions)) and all(any(c) for c in chunks)
    full = bytearray(2048 * 32)
    for p, c in zip(positions, chunks, strict=True):
        full[32 * p : 32 * p + 32] = c
    vector_root = merkleize(bytes(full), SLASHINGS_DEPTH)
    gindex = P.state_field_gindex(STATE_FIELD_SLASHINGS)
    assert len(branch) == 6 and _valid(vector_root, branch, gindex, tree.root())
    state = _random_state(37, seed=11)
    assert slashings_total(tree) == sum(int(x) for x in state.slashings)


def _validators_of(tree: P.StateTree, count: int) -> list[Any]:
    from ion_cli.beacon.anchored import _record

    return [_record(i, tree.validator_bytes(i), tree.balance(i), "") for i in range(count)]


def test_each_kind_opens_the_named_positions(tree: P.StateTree) -> None:
    vs = _validators_of(tree, 10)
    epoch = tree.slot // 32
    sound = sumtree.build(vs, epoch)
    claimed = ct.from_sound(sound)
    claim = feed_lies.sound_claim(claimed, 10**15, 0)
    creds = [bytes.fromhex(v.withdrawal_credentials[2:]) for v in vs]
    for kind, finding in [
        ("leaf_validator", Finding("leaf_validator", "", positions=(3,), index=3)),
        ("leaf_balance", Finding("leaf_balance", "", positions=(3,), index=3)),
        ("leaf_order", Finding("leaf_order", "", positions=(3, 4))),
        ("missing_between", Finding("missing_between", "", positions=(3, 4), index=3)),
        ("inner_sums", Finding("inner_sums", "", positions=(1,), height=2)),
        ("empty_leaf", Finding("empty_leaf", "", positions=(12,))),
        ("network_input", Finding("network_input", "")),
    ]:
        proof = cp.build(7, claim, claimed, tree, creds, finding)
        assert proof.function == cp.FUNCTION[kind]
        assert proof.args[0] == 7 and proof.args[1] == cp.claim_commitment(claim)
        for arg in proof.args[2:]:
            if isinstance(arg, tuple) and len(arg) == 4 and isinstance(arg[0], tuple):
                _leaf, sums, position, steps = arg
                node = sumtree.Node(
                    sumtree.leaf_hash(claimed.leaves[position].validator, sums), sums
                )
                top = sumtree.root_from_branch(
                    node, position, [sumtree.Step(h, s) for h, s in steps]
                )
                assert "0x" + top.hash.hex() == claim.root
    node = cp.node_proof(claimed, 2, 1)
    left, right, sums, position, steps = node
    for child in (left, right):  # inner children: opened by their own children's hashes
        assert sumtree.node_hash(child[2], child[3], child[1]) == child[0]
    assert sumtree.add_sums(left[1], right[1]) == sums
    for p, ch in enumerate(cp.node_proof(claimed, 1, 0)[:2]):  # leaf children: their records
        v = claimed.leaves[p].validator
        assert v is not None and ch[4] == F.leaf_tuple(v)
        assert sumtree.leaf_hash(v, ch[1]) == ch[0]
    lh, rh = left[0], right[0]
    top = sumtree.root_from_branch(
        sumtree.Node(sumtree.node_hash(lh, rh, sums), sums),
        position,
        [sumtree.Step(h, s) for h, s in steps],
    )
    assert "0x" + top.hash.hex() == claim.root
