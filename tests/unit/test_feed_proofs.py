"""The fraud proofs' calldata (ion_cli.zk.feed_proofs) against the sum tree and SSZ helpers they
are built from, and the forge vectors (tests/contracts/gen_challenge_vectors.py) kept fresh."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ion_cli.abi import published
from ion_cli.zk import feed_proofs as F
from ion_cli.zk import sumtree, synthetic

ROOT = Path(__file__).resolve().parents[2]


def _tree() -> sumtree.SumTree:
    return sumtree.build(synthetic.uniform_set(11, slashed=2, epoch=400_000).validators, 400_000)


def test_every_kind_names_a_published_challenge_function() -> None:
    iface = published.interface("RiskFeedChallenges")
    for kind, name in F.FUNCTIONS.items():
        assert iface.functions(name), kind
    assert sorted(F.KINDS.values()) == list(range(1, 12))
    assert F.KINDS.keys() == F.FUNCTIONS.keys()


def test_a_leaf_proof_folds_to_the_committed_root() -> None:
    tree = _tree()
    for p, v in enumerate(tree.validators):
        leaf, sums, position, branch = F.leaf_proof(tree.levels, p, v)
        assert leaf[0] == v.index and position == p and len(branch) == tree.depth
        steps = [sumtree.Step(h, s) for h, s in branch]
        node = sumtree.root_from_branch(sumtree.Node(sumtree.leaf_hash(v, sums), sums), p, steps)
        assert node == tree.root


def _child_sums(child: tuple, leaf_level: bool, validators: tuple) -> tuple[int, ...]:
    """The sums a NodeChild proves, as the contract checks them (hash zero: zero sums)."""
    hash_, sums, left, right, leaf = child
    if hash_ == sumtree.EMPTY_HASH:
        return sumtree.ZERO_SUMS
    if leaf_level:
        v = next(v for v in validators if v.index == leaf[0])
        assert F.leaf_tuple(v) == leaf and sumtree.leaf_hash(v, sums) == hash_
    else:
        assert sumtree.node_hash(left, right, sums) == hash_
    return sums


def test_a_node_proof_opens_its_children_and_folds_from_its_level() -> None:
    tree = _tree()
    for height in range(1, tree.depth + 1):
        for position in range(len(tree.levels[height])):
            left, right, sums, pos, branch = F.node_proof(
                tree.levels, height, position, tree.validators
            )
            leaf_level = height == 1
            ls = _child_sums(left, leaf_level, tree.validators)
            rs = _child_sums(right, leaf_level, tree.validators)
            assert sumtree.add_sums(ls, rs) == sums
            start = sumtree.Node(sumtree.node_hash(left[0], right[0], sums), sums)
            steps = [sumtree.Step(h, s) for h, s in branch]
            assert len(steps) == tree.depth - height
            assert sumtree.root_from_branch(start, pos, steps) == tree.root
    with pytest.raises(ValueError):
        F.node_proof(tree.levels, 0, 0)
    with pytest.raises(ValueError, match="record"):
        F.node_proof(tree.levels, 1, 0)  # leaf children need their records


def test_an_empty_node_proof_is_of_a_zero_hash_and_carries_no_sums() -> None:
    tree = _tree()  # 11 leaves in 16: positions 11..15 are empty
    position, branch = F.empty_node_proof(tree.levels, 0, 11)
    assert position == 11 and len(branch) == tree.depth
    assert tree.levels[0][11].hash == sumtree.EMPTY_HASH
    steps = [sumtree.Step(h, s) for h, s in branch]
    start = sumtree.Node(sumtree.EMPTY_HASH, sumtree.ZERO_SUMS)
    assert sumtree.root_from_branch(start, position, steps) == tree.root


def test_the_honest_other_slashed_is_the_vector_sum_less_the_sets_own() -> None:
    vector = bytearray(2048 * 32)
    vector[8:16] = (64 * 10**9).to_bytes(8, "little")
    vector[32 * 100 : 32 * 100 + 8] = (32 * 10**9).to_bytes(8, "little")
    assert F.slashings_total(bytes(vector)) == 96 * 10**9
    assert F.honest_other_slashed(bytes(vector), 64 * 10**9) == 32 * 10**9
    assert F.honest_other_slashed(bytes(vector), 128 * 10**9) == 0


def test_the_forge_challenge_vectors_are_fresh() -> None:
    script = ROOT / "tests" / "contracts" / "gen_challenge_vectors.py"
    done = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
