"""ion_cli.beacon.proofs against remerkleable (the state root of a state with every field
filled, branches by a walk over remerkleable's own backing tree) and against the consensus
specs' definitions (is_valid_merkle_branch, multiproofs); and the Solidity test vectors are
the ones the code makes now."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ion_cli.beacon import proofs as P
from ion_cli.beacon import ssz
from ion_cli.beacon.validator_ssz import validator_root

ROOT = Path(__file__).resolve().parents[2]


def _random_state(n: int, seed: int = 7) -> Any:
    """A BeaconState with n validators and every kind of field holding non-zero data."""
    rng = random.Random(seed)

    def b(size: int) -> bytes:
        return rng.randbytes(size)

    state = ssz.BeaconState(
        genesis_time=1_606_824_023,
        genesis_validators_root=b(32),
        slot=rng.randrange(2**40),
        fork=ssz.Fork(previous_version=b(4), current_version=b(4), epoch=9),
        latest_block_header=ssz.BeaconBlockHeader(
            slot=5, proposer_index=3, parent_root=b(32), state_root=b(32), body_root=b(32)
        ),
        eth1_data=ssz.Eth1Data(deposit_root=b(32), deposit_count=77, block_hash=b(32)),
        eth1_deposit_index=12,
        next_withdrawal_index=99,
        earliest_exit_epoch=1234,
    )
    for i in range(0, 8192, 97):
        state.block_roots[i] = b(32)
        state.state_roots[i] = b(32)
        state.randao_mixes[i * 7] = b(32)
        state.slashings[i] = rng.randrange(2**50)
    for _ in range(3):
        state.historical_roots.append(b(32))
        state.eth1_data_votes.append(
            ssz.Eth1Data(deposit_root=b(32), deposit_count=1, block_hash=b(32))
        )
        state.historical_summaries.append(
            ssz.HistoricalSummary(block_summary_root=b(32), state_summary_root=b(32))
        )
        state.pending_partial_withdrawals.append(
            ssz.PendingPartialWithdrawal(validator_index=4, amount=5, withdrawable_epoch=6)
        )
        state.pending_consolidations.append(
            ssz.PendingConsolidation(source_index=1, target_index=2)
        )
        state.pending_deposits.append(
            ssz.PendingDeposit(
                pubkey=b(48), withdrawal_credentials=b(32), amount=32, signature=b(96), slot=3
            )
        )
    for _ in range(n):
        state.validators.append(
            ssz.Validator(
                pubkey=b(48),
                withdrawal_credentials=b(32),
                effective_balance=rng.randrange(2**40),
                slashed=rng.random() < 0.3,
                activation_eligibility_epoch=rng.randrange(2**64),
                activation_epoch=rng.randrange(2**20),
                exit_epoch=2**64 - 1,
                withdrawable_epoch=rng.randrange(2**64),
            )
        )
        state.balances.append(rng.randrange(2**64))
        state.previous_epoch_participation.append(rng.randrange(8))
        state.current_epoch_participation.append(rng.randrange(8))
        state.inactivity_scores.append(rng.randrange(2**20))
    state.current_sync_committee.pubkeys[3] = b(48)
    state.latest_execution_payload_header.extra_data = b(17)
    state.latest_execution_payload_header.base_fee_per_gas = 2**200 + 5
    state.proposer_lookahead[5] = 77
    return state


@pytest.fixture(scope="module")
def state() -> Any:
    return _random_state(203)


@pytest.fixture(scope="module")
def tree(state: Any) -> P.StateTree:
    return P.state_tree(state.encode_bytes())


def _leaf_index(gindex: int) -> int:
    return gindex - (1 << P.gindex_depth(gindex))


def test_the_state_root_is_remerkleables(state: Any, tree: P.StateTree) -> None:
    assert tree.root() == bytes(state.hash_tree_root())
    assert tree.count == 203 and tree.slot == int(state.slot)


@pytest.mark.parametrize("count", [0, 1, 2, 5, 64])
def test_small_registries(count: int) -> None:
    state = _random_state(count, seed=count)
    assert P.state_tree(state.encode_bytes()).root() == bytes(state.hash_tree_root())


def test_validator_and_balance_branches_walk_remerkleables_tree(
    state: Any, tree: P.StateTree
) -> None:
    root = bytes(state.hash_tree_root())
    backing = state.get_backing()
    for i in (0, 1, 2, 3, 100, 202):
        g = P.validator_gindex(i)
        assert g == 75 * 2**41 + i
        leaf = validator_root(tree.validator_bytes(i))
        assert leaf == bytes(state.validators[i].hash_tree_root())
        branch = tree.validator_branch(i)
        assert len(branch) == 47
        # Each sibling is the node remerkleable's own tree holds at that generalized index.
        assert branch == [bytes(backing.getter((g >> k) ^ 1).merkle_root()) for k in range(47)]
        assert P.is_valid_merkle_branch(leaf, branch, 47, _leaf_index(g), root)
        assert not P.is_valid_merkle_branch(leaf, branch, 47, _leaf_index(g) ^ 1, root)
        gb = P.balance_gindex(i)
        chunk = tree.node(gb)
        assert chunk == bytes(backing.getter(gb).merkle_root())
        assert int.from_bytes(chunk[8 * (i % 4) : 8 * (i % 4) + 8], "little") == int(
            state.balances[i]
        )
        assert P.is_valid_merkle_branch(chunk, tree.balance_branch(i), 45, _leaf_index(gb), root)


def test_a_lie_about_a_field_breaks_the_branch(state: Any, tree: P.StateTree) -> None:
    root = tree.root()
    i = 17
    g = P.validator_gindex(i)
    record = ssz.Validator.decode_bytes(tree.validator_bytes(i))
    for field, value in (
        ("slashed", not bool(record.slashed)),
        ("effective_balance", int(record.effective_balance) + 1),
        ("withdrawal_credentials", b"\x01" + bytes(record.withdrawal_credentials)[1:]),
    ):
        lied = record.copy()
        setattr(lied, field, value)
        leaf = bytes(lied.hash_tree_root())
        assert not P.is_valid_merkle_branch(
            leaf, tree.validator_branch(i), 47, _leaf_index(g), root
        )


def test_branches_pass_the_consensus_specs_check(state: Any, tree: P.StateTree) -> None:
    """eth-consensus-specs' own is_valid_merkle_branch and generalized indices (Fulu)."""
    from eth_consensus_specs.fulu import mainnet as spec

    root = spec.Root(tree.root())
    for i in (0, 57, 202):
        g = spec.get_generalized_index(spec.BeaconState, "validators", i)
        assert g == P.validator_gindex(i)
        leaf = spec.Root(validator_root(tree.validator_bytes(i)))
        branch = [spec.Bytes32(x) for x in tree.validator_branch(i)]
        depth = spec.floorlog2(g)
        assert spec.is_valid_merkle_branch(leaf, branch, depth, spec.get_subtree_index(g), root)
        lied = spec.Root(bytes(31) + b"\x01")
        assert not spec.is_valid_merkle_branch(lied, branch, depth, spec.get_subtree_index(g), root)
        gb = spec.get_generalized_index(spec.BeaconState, "balances", i)
        assert gb == P.balance_gindex(i)
        chunk = spec.Bytes32(tree.node(gb))
        bb = [spec.Bytes32(x) for x in tree.balance_branch(i)]
        assert spec.is_valid_merkle_branch(
            chunk, bb, spec.floorlog2(gb), spec.get_subtree_index(gb), root
        )
    gs = spec.get_generalized_index(spec.BeaconState, "slot")
    assert gs == P.state_slot_gindex()
    slot_leaf = spec.Bytes32(tree.slot.to_bytes(32, "little"))
    assert spec.is_valid_merkle_branch(
        slot_leaf,
        [spec.Bytes32(x) for x in tree.branch(gs)],
        spec.floorlog2(gs),
        spec.get_subtree_index(gs),
        root,
    )


def test_multiproof_reaches_the_root(tree: P.StateTree) -> None:
    indices = [3, 4, 5, 150, 201]
    leaves = {P.validator_gindex(i): validator_root(tree.validator_bytes(i)) for i in indices}
    leaves |= {P.balance_gindex(i): tree.node(P.balance_gindex(i)) for i in indices}
    leaves[P.state_slot_gindex()] = tree.slot.to_bytes(32, "little")
    helpers = tree.multiproof(leaves)
    assert len(helpers) < 47 * len(indices)  # shared siblings are sent once
    assert P.multi_root({**helpers, **leaves}) == tree.root()
    lied = dict(leaves)
    lied[P.validator_gindex(150)] = bytes(32)
    assert P.multi_root({**helpers, **lied}) != tree.root()
    missing = dict(helpers)
    missing.pop(next(iter(missing)))
    with pytest.raises(P.ProofError):
        P.multi_root({**missing, **leaves})


def test_header_root_and_branches() -> None:
    h = P.Header(5_000_001, 42, bytes(range(32)), bytes(range(1, 33)), bytes(range(2, 34)))
    view = ssz.BeaconBlockHeader.from_obj(h.to_json())
    assert h.root() == bytes(view.hash_tree_root())
    assert P.is_valid_merkle_branch(h.state_root, h.branch(3), 3, 3, h.root())
    slot_leaf = h.slot.to_bytes(32, "little")
    assert P.is_valid_merkle_branch(slot_leaf, h.branch(0), 3, 0, h.root())
    assert P.Header.from_json(h.to_json()) == h
    assert len(h.encode()) == 112


def test_malformed_states_are_refused() -> None:
    with pytest.raises(P.ProofError):
        P.state_tree(b"\x00" * 100)
    data = _random_state(3).encode_bytes()
    with pytest.raises(P.ProofError):
        P.state_tree(data[:-5])  # the last validator's balance cut


def test_the_solidity_vectors_are_current() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "tests/contracts/gen_ssz_vectors.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
