"""The challenger's finder (ion_cli.zk.challenge_find) over synthetic states and trees: a sound
tree is sound; each kind of lie (ion_cli.testing.feed_lies) is found as the fraud proof it calls
for; any change to the tree or the commitment is never called sound; and every node a finding
points at has a branch that reaches the committed root (the fraud proof can be built)."""

from __future__ import annotations

import json
import random
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ion_cli import consensus_rules as cr
from ion_cli.beacon.snapshot import Validator
from ion_cli.testing import feed_lies
from ion_cli.zk import challenge_tree as ct
from ion_cli.zk import sumtree
from ion_cli.zk.challenge_find import COST, Claim, TruthTable, find
from ion_cli.zk.challenge_tree import ClaimedLeaf

ETH = 10**9
FAR = cr.FAR_FUTURE_EPOCH
LRT_CREDS = ("0x01" + "00" * 11 + "aa" * 20, "0x02" + "00" * 11 + "bb" * 20)
OTHER = "0x01" + "00" * 11 + "ee" * 20
NETWORK = 500_000 * ETH


def state(seed: int, n: int) -> TruthTable:
    """`n` validators at random indices; about two in three with the LRT's credentials; some
    slashed, some short of balance, some exited or withdrawable."""
    rng = random.Random(seed)
    epoch = 200_000
    records = {}
    index = rng.randrange(0, 20)
    for _ in range(n):
        index += rng.randrange(1, 6)
        creds = rng.choice((*LRT_CREDS, LRT_CREDS[0], OTHER))
        slashed = rng.random() < 0.3
        roll = rng.random()
        exit_epoch = FAR if roll < 0.7 else epoch + rng.randrange(-9000, 50)
        withdrawable = FAR if exit_epoch == FAR else exit_epoch + 256
        if slashed:
            exit_epoch = min(exit_epoch, epoch - rng.randrange(0, 4000))
            withdrawable = exit_epoch + 8192
        eb = 32 * ETH
        records[index] = Validator(
            index=index,
            pubkey="0x" + rng.getrandbits(384).to_bytes(48, "big").hex(),
            withdrawal_credentials=creds,
            effective_balance=eb,
            balance=eb - (rng.randrange(0, 2 * ETH) if slashed or roll > 0.8 else 0),
            slashed=slashed,
            activation_eligibility_epoch=100,
            activation_epoch=rng.choice((1_000, epoch + 3)),
            exit_epoch=exit_epoch,
            withdrawable_epoch=withdrawable,
            status="",
        )
    return TruthTable(epoch, frozenset(LRT_CREDS), records, slashings_total=0)


def sound_of(truth: TruthTable) -> sumtree.SumTree:
    return sumtree.build([truth.records[i] for i in truth.members()], truth.epoch)


def sound_pair(truth: TruthTable) -> tuple[ct.ClaimedTree, Claim]:
    tree = ct.from_sound(sound_of(truth))
    return tree, feed_lies.sound_claim(tree, NETWORK, 0)


def foreign_of(truth: TruthTable) -> Validator | None:
    return next((v for v in truth.records.values() if v.withdrawal_credentials == OTHER), None)


def reaches_root(tree: ct.ClaimedTree, claim: Claim, height: int, position: int) -> bool:
    node = tree.node(height, position)
    top = sumtree.root_from_branch(node, position, tree.branch(position, height))
    return "0x" + top.hash.hex() == claim.root and tuple(top.sums) == tuple(claim.sums)


def assert_provable(tree: ct.ClaimedTree, claim: Claim, kind: str, finding: object) -> None:
    """Every node the fraud proof names has a branch the feed would accept."""
    from ion_cli.zk.challenge_find import Finding

    assert isinstance(finding, Finding)
    if kind in ("network_input", "root_sums"):
        return
    height = finding.height if kind == "inner_sums" else 0
    for p in finding.positions:
        assert reaches_root(tree, claim, height, p), (kind, p)


@given(st.integers(0, 10**6), st.integers(1, 40))
def test_a_sound_tree_is_sound(seed: int, n: int) -> None:
    truth = state(seed, n)
    tree, claim = sound_pair(truth)
    verdict = find(claim, tree, truth)
    if truth.members():
        assert verdict.sound, verdict
        assert verdict.checked["members"] == len(truth.members())
    else:
        assert verdict.sound  # an empty set: nothing to leave out (the feed refuses it anyway)


@pytest.mark.parametrize("kind", feed_lies.KINDS)
@given(seed=st.integers(0, 10**6), n=st.integers(3, 40))
def test_each_lie_is_found_as_the_fraud_proof_it_calls_for(kind: str, seed: int, n: int) -> None:
    truth = state(seed, n)
    try:
        lie = feed_lies.make(kind, sound_of(truth), NETWORK, 0, foreign=foreign_of(truth))
    except feed_lies.LieError:
        return
    verdict = find(lie.claim, lie.tree, truth)
    assert not verdict.sound and verdict.unverifiable is None
    assert verdict.finding is not None
    assert verdict.finding.kind == feed_lies.EXPECTED[kind], verdict.finding
    assert_provable(lie.tree, lie.claim, verdict.finding.kind, verdict.finding)


def test_swapped_leaves_are_shown_as_out_of_order_not_as_one_missing() -> None:
    truth = state(7, 20)
    lie = feed_lies.make("swapped", sound_of(truth), NETWORK)
    finding = find(lie.claim, lie.tree, truth).finding
    assert finding is not None and finding.kind == "leaf_order"
    assert "missing_between" in finding.also or "missing_before" in finding.also
    assert COST["leaf_order"] < COST["missing_between"]


def _mutate(rng: random.Random, tree: ct.ClaimedTree, truth: TruthTable) -> ct.ClaimedTree:
    leaves = list(tree.leaves)
    live = [p for p, leaf in enumerate(leaves) if not leaf.empty]
    inner: dict[tuple[int, int], sumtree.Sums] = {}
    what = rng.randrange(7)
    if not live:
        return tree
    p = rng.choice(live)
    v = leaves[p].validator
    assert v is not None
    if what == 0:  # a field
        name = rng.choice(("slashed", "balance", "effective_balance", "exit_epoch", "pubkey"))
        value: object = {
            "slashed": not v.slashed,
            "balance": v.balance + rng.randrange(1, 10**9),
            "effective_balance": v.effective_balance - ETH,
            "exit_epoch": v.exit_epoch - 1,
            "pubkey": "0x" + "11" * 48,
        }[name]
        w = replace(v, **{name: value})
        leaves[p] = ClaimedLeaf(w, sumtree.leaf_sums(w, truth.epoch))
    elif what == 1:  # own sums
        s = list(leaves[p].sums)
        s[rng.randrange(len(s))] += rng.randrange(1, 10**10)
        leaves[p] = ClaimedLeaf(v, tuple(s))
    elif what == 2:  # drop
        del leaves[p]
    elif what == 3:  # repeat
        leaves.insert(p, leaves[p])
    elif what == 4:  # an empty leaf in the middle
        leaves.insert(p, ct.EMPTY_LEAF)
    elif what == 5 and tree.depth > 0:  # an inner node
        h = rng.randrange(1, tree.depth + 1)
        q = rng.randrange(len(tree.levels[h]))
        s = list(tree.levels[h][q].sums)
        s[rng.randrange(len(s))] += 1
        inner[(h, q)] = tuple(s)
    else:  # a foreign validator
        foreign = foreign_of(truth)
        if foreign is None:
            return tree
        leaves.insert(p, ClaimedLeaf(foreign, sumtree.leaf_sums(foreign, truth.epoch)))
    # Leaves past the last non-empty one are padding, never part of the lie.
    while leaves and leaves[-1].empty:
        leaves.pop()
    return ct.build(leaves, truth.epoch, inner)


@given(st.integers(0, 10**6), st.integers(1, 30), st.integers(0, 10**6))
def test_no_change_to_a_tree_is_called_sound(seed: int, n: int, how: int) -> None:
    truth = state(seed, n)
    if not truth.members():
        return
    sound, claim = sound_pair(truth)
    rng = random.Random(how)
    tree = sound
    for _ in range(rng.randint(1, 3)):
        tree = _mutate(rng, tree, truth)
    lied = feed_lies.sound_claim(tree, NETWORK, 0)
    if rng.random() < 0.2:  # bounds that are not the leaves'
        lied = replace(lied, first_index=lied.first_index + 1)
    verdict = find(lied, tree, truth)
    if tree.root == sound.root and lied == claim:
        assert verdict.sound
        return
    assert not verdict.sound and verdict.finding is not None, verdict
    assert_provable(tree, lied, verdict.finding.kind, verdict.finding)


def test_committed_sums_that_are_not_the_roots() -> None:
    truth = state(3, 12)
    tree, claim = sound_pair(truth)
    lied = replace(claim, sums=(claim.sums[0], *claim.sums[1:-1], claim.sums[-1] + 1))
    finding = find(lied, tree, truth).finding
    assert finding is not None and finding.kind == "root_sums"


def test_a_tree_that_is_not_the_committed_one_is_unverifiable() -> None:
    truth = state(3, 12)
    tree, claim = sound_pair(truth)
    verdict = find(replace(claim, root="0x" + "12" * 32), tree, truth)
    assert not verdict.sound and verdict.finding is None
    assert verdict.unverifiable and "not this submission's tree" in verdict.unverifiable


def test_network_input_against_the_state() -> None:
    truth = state(5, 12)
    tree, claim = sound_pair(truth)
    own = claim.sums[sumtree.SUM_NAMES.index("slashed_effective")]
    # The state's slashings hold the set's own slashed balance and 64 ETH of others'.
    finding = find(claim, tree, replace(truth, slashings_total=own + 64 * ETH)).finding
    assert finding is not None and finding.kind == "network_input"
    assert "64000000000" in finding.detail
    assert find(
        replace(claim, other_slashed=64 * ETH), tree, replace(truth, slashings_total=own + 64 * ETH)
    ).sound
    # Less in the vector than the set's own: zero others (the feed floors it).
    assert find(claim, tree, replace(truth, slashings_total=0)).sound
    assert find(claim, tree, replace(truth, slashings_total=None)).sound  # not checked


@given(st.integers(0, 10**6), st.integers(1, 20))
def test_the_tree_file_round_trips(seed: int, n: int) -> None:
    truth = state(seed, n)
    lie = (
        feed_lies.make("inner_inflated", sound_of(truth), NETWORK)
        if len(truth.members()) > 1
        else None
    )
    tree = lie.tree if lie else sound_pair(truth)[0]
    again = ct.from_json(json.loads(json.dumps(tree.to_json())))
    assert again == tree
    sound = sound_of(truth)
    assert ct.from_json(sound.to_json()) == ct.from_sound(sound)


def test_a_tree_file_whose_nodes_do_not_hash_to_its_root_is_refused() -> None:
    data = sound_pair(state(1, 9))[0].to_json()
    data["inner"][0][0][2] += 1
    with pytest.raises(sumtree.SumTreeError, match="do not hash"):
        ct.from_json(data)
