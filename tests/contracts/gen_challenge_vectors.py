"""Write tests/contracts/vectors/challenges.bin: one-step fraud proofs (RiskFeedChallenges) of
sound and lying submissions about a real beacon state, for RiskFeedChallenges.t.sol.

The state is a post-state of the devnet's synthetic beacon chain (Fulu BeaconState, 15,800
validators, two weETH validators slashed and one of another LRT); the submissions commit
the weETH validators' Merkle-sum tree (ion_cli.zk.sumtree) as it is, or with one lie each (the
issue's list: a slashed flag cleared, a balance raised, a slashed validator left out inside the
range and before the first leaf, a foreign validator put in, a leaf's own sums wrong, an inner
node's sums inflated, two leaves swapped, a wrong network-level input; and a leaf beyond the
count, an empty node below it, a wrong bound). Each case carries its commitment and the
calldata of one challenge (submission id 1) and whether it must succeed.

    .venv/bin/python tests/contracts/gen_challenge_vectors.py          # rewrite the file
    .venv/bin/python tests/contracts/gen_challenge_vectors.py --check  # exit 1 if it is stale

Besides, made-up openings of SOUND trees (children sums that the children's hashes do not bind,
an empty leaf given sums that its sibling makes up for): challenges that must revert with the
opening's error (the bytes4 `expected`), never reject the submission.

The file is abi.encode((uint64,uint64,bytes32,bytes32,bytes32) header, bytes32[] credentials,
Case[] cases, Refused[] refused), Case = (string name, uint8 kind, bool fraud, Commitment
commitment, bytes data), Refused = (string name, uint8 kind, Commitment commitment, bytes data,
bytes4 expected).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

OUT = Path(__file__).parent / "vectors" / "challenges.bin"
SUMS = "(" + ",".join(["uint128"] * 10) + ")"
COMMITMENT = f"(bytes32,{SUMS},uint64,uint64,uint128,uint128)"
CASE = f"(string,uint8,bool,{COMMITMENT},bytes)"
REFUSED = f"(string,uint8,{COMMITMENT},bytes,bytes4)"
HEADER = "(uint64,uint64,bytes32,bytes32,bytes32)"
NETWORK_ACTIVE = 500_000 * 10**9
ETH = 10**9


@dataclass(frozen=True)
class Node:
    hash: bytes
    sums: tuple[int, ...]


def _levels(leaves: list[Node]) -> list[list[Node]]:
    """Levels over `leaves` as given (any order, any sums), padded with empty nodes."""
    from ion_cli.zk import sumtree

    width = 1
    while width < len(leaves):
        width *= 2
    level = leaves + [Node(sumtree.EMPTY_HASH, sumtree.ZERO_SUMS)] * (width - len(leaves))
    out = [level]
    while len(out[-1]) > 1:
        below = out[-1]
        up = []
        for i in range(0, len(below), 2):
            s = sumtree.add_sums(below[i].sums, below[i + 1].sums)
            up.append(Node(sumtree.node_hash(below[i].hash, below[i + 1].hash, s), s))
        out.append(up)
    return out


def _leaf(v: Any, epoch: int, sums: tuple[int, ...] | None = None) -> Node:
    from ion_cli.zk import sumtree

    s = sums if sums is not None else sumtree.leaf_sums(v, epoch)
    return Node(sumtree.leaf_hash(v, s), s)


def _reroot(levels: list[list[Node]], height: int, position: int, node: Node) -> None:
    """Put `node` at (height, position) and rehash every ancestor honestly."""
    from ion_cli.zk import sumtree

    levels[height][position] = node
    p = position
    for h in range(height + 1, len(levels)):
        p //= 2
        left, right = levels[h - 1][2 * p], levels[h - 1][2 * p + 1]
        s = sumtree.add_sums(left.sums, right.sums)
        levels[h][p] = Node(sumtree.node_hash(left.hash, right.hash, s), s)


def _vectors() -> dict[str, Any]:
    from eth_utils import keccak

    from ion_cli.abi.codec import encode_entry
    from ion_cli.beacon import proofs as P
    from ion_cli.beacon.snapshot import Validator
    from ion_cli.devnet import beacon_chain as bc
    from ion_cli.devnet import validators as dv
    from ion_cli.devnet.artifacts import load_artifact
    from ion_cli.zk import feed_proofs as F
    from ion_cli.zk import sumtree

    chain = bc.new_chain(genesis_time=1_600_000_000)
    head = bc.GENESIS_EPOCHS * 32 + 40
    chain.set_blocks([head - 3, head])
    chosen = chain.choose_for_slashing("weETH", 2, head)
    chain.apply(bc.Operation(kind="slash", slot=head, indices=chosen, lrt="weETH"))
    # a slashing outside the set: the honest otherSlashed is not zero
    other_lrt = next(s for s in chain.lrt_symbols() if s != "weETH")
    outside = chain.choose_for_slashing(other_lrt, 1, head)
    chain.apply(bc.Operation(kind="slash", slot=head, indices=outside, lrt=other_lrt))
    ssz_state = chain.ssz().state(head)
    state = P.state_tree(ssz_state.encode_bytes())
    slashings = bytes(ssz_state.slashings.encode_bytes())
    epoch = state.slot // 32
    header = P.Header.from_json({**chain.header(head), "state_root": "0x" + state.root().hex()})
    creds = dv.withdrawal_credentials("weETH")
    listed = {bytes.fromhex(c[2:]) for c in creds}

    def validator(i: int, **changes: Any) -> Validator:
        raw = state.validator_bytes(i)

        def u64(lo: int) -> int:
            return int.from_bytes(raw[lo : lo + 8], "little")

        v = Validator(
            index=i,
            pubkey="0x" + raw[0:48].hex(),
            withdrawal_credentials="0x" + raw[48:80].hex(),
            effective_balance=u64(80),
            balance=state.balance(i),
            slashed=bool(raw[88]),
            activation_eligibility_epoch=u64(89),
            activation_epoch=u64(97),
            exit_epoch=u64(105),
            withdrawable_epoch=u64(113),
            status="",
        )
        return replace(v, **changes)

    members = [i for i in range(state.count) if state.validator_bytes(i)[48:80] in listed]
    honest = [validator(i) for i in members]
    slashed = [p for p, v in enumerate(honest) if v.slashed]
    assert len(slashed) == 2 and slashed[0] == 0, slashed  # the two chosen: leaves 0 and 1
    assert (
        F.honest_other_slashed(slashings, sum(v.effective_balance for v in honest if v.slashed)) > 0
    )
    foreign = next(i for i in range(members[5], members[-1]) if i not in set(members))
    entries = {e["name"]: e for e in load_artifact("RiskFeedChallenges").abi if "name" in e}

    def call(kind: str, *args: Any) -> bytes:
        return encode_entry(entries[F.FUNCTIONS[kind]], (1, *args))

    def commit(levels: list[list[Node]], vs: list[Validator], other: int | None = None) -> Any:
        root = levels[-1][0]
        own = root.sums[4]
        o = F.honest_other_slashed(slashings, own) if other is None else other
        return F.commitment_of(root, vs[0].index, vs[-1].index, NETWORK_ACTIVE, o)

    cases: list[tuple[str, str, bool, Any, bytes]] = []

    def add(name: str, kind: str, fraud: bool, c: Any, data: bytes) -> None:
        cases.append((name, kind, fraud, c, data))

    # ---- the sound submission: every kind fails
    lv = _levels([_leaf(v, epoch) for v in honest])
    c0 = commit(lv, honest)
    count = len(honest)
    p = slashed[1]
    root_v, root_b = F.validator_root_and_branch(state, honest[p].index)
    chunk, chunk_b = F.balance_chunk_and_branch(state, honest[p].index)
    add(
        "sound validator",
        "validator",
        False,
        c0,
        call("validator", c0, F.leaf_proof(lv, p, honest[p]), root_v, root_b),
    )
    add(
        "sound balance",
        "balance",
        False,
        c0,
        call("balance", c0, F.leaf_proof(lv, p, honest[p]), chunk, chunk_b),
    )
    add(
        "sound leaf sums",
        "leaf_sums",
        False,
        c0,
        call("leaf_sums", c0, F.leaf_proof(lv, p, honest[p])),
    )
    gap = next(k for k in range(count - 1) if honest[k + 1].index - honest[k].index > 1)
    outsider = honest[gap].index + 1
    wc, wc_b = F.credentials_and_branch(state, outsider)
    add(
        "sound missing (an outsider in a gap)",
        "missing",
        False,
        c0,
        call(
            "missing",
            c0,
            [bytes.fromhex(c[2:]) for c in creds],
            outsider,
            wc,
            wc_b,
            [F.leaf_proof(lv, gap, honest[gap]), F.leaf_proof(lv, gap + 1, honest[gap + 1])],
        ),
    )
    add(
        "sound foreign",
        "foreign",
        False,
        c0,
        call("foreign", c0, F.leaf_proof(lv, 3, honest[3]), [bytes.fromhex(c[2:]) for c in creds]),
    )
    add(
        "sound node sums (root)",
        "node_sums",
        False,
        c0,
        call("node_sums", c0, F.node_proof(lv, len(lv) - 1, 0, honest)),
    )
    add(
        "sound node sums (height 2)",
        "node_sums",
        False,
        c0,
        call("node_sums", c0, F.node_proof(lv, 2, 1, honest)),
    )
    add(
        "sound order",
        "order",
        False,
        c0,
        call("order", c0, F.leaf_proof(lv, 4, honest[4]), F.leaf_proof(lv, 5, honest[5])),
    )
    add(
        "sound leaf count",
        "leaf_count",
        False,
        c0,
        call("leaf_count", c0, F.leaf_proof(lv, count - 1, honest[-1])),
    )
    if count < len(lv[0]):
        add(
            "sound empty node",
            "empty_node",
            False,
            c0,
            call("empty_node", c0, F.empty_node_proof(lv, 0, count)),
        )
    add(
        "sound node sums (height 1: two leaves opened)",
        "node_sums",
        False,
        c0,
        call("node_sums", c0, F.node_proof(lv, 1, 1, honest)),
    )
    # an odd leaf count: the last leaf's sibling is the empty leaf that pads the tree
    odd = honest if count % 2 == 1 else honest[:-1]
    lvo = _levels([_leaf(v, epoch) for v in odd])
    co = commit(lvo, odd)
    assert len(odd) < len(lvo[0])
    add(
        "sound empty node beside the last leaf (odd count)",
        "empty_node",
        False,
        co,
        call("empty_node", co, F.empty_node_proof(lvo, 0, len(odd))),
    )
    add(
        "sound node sums over the last leaf and an empty one (odd count)",
        "node_sums",
        False,
        co,
        call("node_sums", co, F.node_proof(lvo, 1, len(odd) // 2, odd)),
    )
    add("sound bounds", "bounds", False, c0, call("bounds", c0, F.leaf_proof(lv, 0, honest[0])))
    slash_proof = F.slashings_proof(state, slashings)
    add("sound network", "network", False, c0, call("network", c0, slash_proof))

    # ---- lies: each caught by its challenge
    cleared = list(honest)
    cleared[p] = replace(cleared[p], slashed=False)
    lv1 = _levels([_leaf(v, epoch) for v in cleared])
    c1 = commit(lv1, cleared)
    add(
        "slashed flag cleared",
        "validator",
        True,
        c1,
        call("validator", c1, F.leaf_proof(lv1, p, cleared[p]), root_v, root_b),
    )

    raised = list(honest)
    raised[p] = replace(raised[p], balance=raised[p].balance + 5 * ETH)
    lv2 = _levels([_leaf(v, epoch) for v in raised])
    c2 = commit(lv2, raised)
    add(
        "balance raised",
        "balance",
        True,
        c2,
        call("balance", c2, F.leaf_proof(lv2, p, raised[p]), chunk, chunk_b),
    )

    inside = honest[:p] + honest[p + 1 :]  # the slashed leaf 1 left out: between leaves 0 and 1
    lv3 = _levels([_leaf(v, epoch) for v in inside])
    c3 = commit(lv3, inside)
    wc3, wc3_b = F.credentials_and_branch(state, honest[p].index)
    add(
        "slashed validator left out (inside)",
        "missing",
        True,
        c3,
        call(
            "missing",
            c3,
            [bytes.fromhex(c[2:]) for c in creds],
            honest[p].index,
            wc3,
            wc3_b,
            [F.leaf_proof(lv3, p - 1, inside[p - 1]), F.leaf_proof(lv3, p, inside[p])],
        ),
    )

    below = honest[1:]  # the slashed leaf 0 left out: before the first leaf
    lv4 = _levels([_leaf(v, epoch) for v in below])
    c4 = commit(lv4, below)
    wc4, wc4_b = F.credentials_and_branch(state, honest[0].index)
    add(
        "slashed validator left out (before the first)",
        "missing",
        True,
        c4,
        call(
            "missing",
            c4,
            [bytes.fromhex(c[2:]) for c in creds],
            honest[0].index,
            wc4,
            wc4_b,
            [F.leaf_proof(lv4, 0, below[0])],
        ),
    )

    put_in = sorted([*honest, validator(foreign)], key=lambda v: v.index)
    q = next(k for k, v in enumerate(put_in) if v.index == foreign)
    lv5 = _levels([_leaf(v, epoch) for v in put_in])
    c5 = commit(lv5, put_in)
    add(
        "foreign validator put in",
        "foreign",
        True,
        c5,
        call("foreign", c5, F.leaf_proof(lv5, q, put_in[q]), [bytes.fromhex(c[2:]) for c in creds]),
    )

    wrong = list(sumtree.leaf_sums(honest[p], epoch))
    wrong[4] = wrong[5] = 0  # slashed and pending effective balance dropped from its sums
    leaves6 = [_leaf(v, epoch) for v in honest]
    leaves6[p] = _leaf(honest[p], epoch, tuple(wrong))
    lv6 = _levels(leaves6)
    c6 = commit(lv6, honest)
    add(
        "a leaf's own sums wrong",
        "leaf_sums",
        True,
        c6,
        call("leaf_sums", c6, F.leaf_proof(lv6, p, honest[p])),
    )

    lv7 = _levels([_leaf(v, epoch) for v in honest])
    n = lv7[2][1]
    inflated = list(n.sums)
    inflated[3] += 100 * ETH  # live balance
    inflated[4] = 0  # slashed effective hidden
    left, right = lv7[1][2], lv7[1][3]
    _reroot(
        lv7, 2, 1, Node(sumtree.node_hash(left.hash, right.hash, tuple(inflated)), tuple(inflated))
    )
    c7 = commit(lv7, honest)
    add(
        "sums inflated at an inner node",
        "node_sums",
        True,
        c7,
        call("node_sums", c7, F.node_proof(lv7, 2, 1, honest)),
    )

    swapped = list(honest)
    swapped[4], swapped[5] = swapped[5], swapped[4]
    lv8 = _levels([_leaf(v, epoch) for v in swapped])
    c8 = commit(lv8, swapped)
    add(
        "two leaves swapped",
        "order",
        True,
        c8,
        call("order", c8, F.leaf_proof(lv8, 4, swapped[4]), F.leaf_proof(lv8, 5, swapped[5])),
    )

    c9 = commit(lv, honest, other=c0[5] + 32 * ETH)  # slashings outside the set made up
    add("wrong network-level input", "network", True, c9, call("network", c9, slash_proof))

    if count < len(lv[0]):
        leaves10 = [_leaf(v, epoch) for v in honest] + [
            _leaf(validator(foreign), epoch, sumtree.ZERO_SUMS)
        ]
        lv10 = _levels(leaves10)
        c10 = commit(lv10, honest)
        add(
            "a leaf beyond the count",
            "leaf_count",
            True,
            c10,
            call("leaf_count", c10, F.leaf_proof(lv10, count, validator(foreign))),
        )

    leaves11 = [_leaf(v, epoch) for v in honest]
    leaves11[6] = Node(sumtree.EMPTY_HASH, sumtree.ZERO_SUMS)
    lv11 = _levels(leaves11)
    c11 = commit(lv11, honest)
    add(
        "an empty node below the count",
        "empty_node",
        True,
        c11,
        call("empty_node", c11, F.empty_node_proof(lv11, 0, 6)),
    )

    c12 = F.commitment_of(lv[-1][0], honest[0].index + 1, honest[-1].index, NETWORK_ACTIVE, c0[5])
    add(
        "a wrong first index",
        "bounds",
        True,
        c12,
        call("bounds", c12, F.leaf_proof(lv, 0, honest[0])),
    )

    # ---- made-up openings of sound trees: refused with the opening's error, never a rejection
    not_in = keccak(text="NotInCommitment(bytes32,bytes32)")[:4]

    def refuse(name: str, kind: str, c: Any, args: Any) -> None:
        refused.append((name, F.KINDS[kind], c, call(kind, c, args), not_in))

    def shifted(sums: tuple[int, ...], field: int, by: int) -> tuple[int, ...]:
        out = list(sums)
        out[field] += by
        return tuple(out)

    def with_child(proof: Any, side: int, sums: tuple[int, ...]) -> Any:
        child = list(proof[side])
        child[1] = sums
        return (*proof[:side], tuple(child), *proof[side + 1 :])

    refused: list[tuple[str, int, Any, bytes, bytes]] = []
    top = F.node_proof(lv, len(lv) - 1, 0, honest)
    refuse(
        "made-up children sums at the root (left one more leaf)",
        "node_sums",
        c0,
        with_child(top, 0, shifted(top[0][1], 0, 1)),
    )
    pair = F.node_proof(lv, 1, 0, honest)
    refuse(
        "made-up sums of a leaf child (slashed effective dropped)",
        "node_sums",
        c0,
        with_child(pair, 0, shifted(pair[0][1], 4, -pair[0][1][4])),
    )
    last = len(odd) - 1
    x = 1  # the last leaf's one leaf moved to the empty leaf beside it
    tail = F.node_proof(lvo, 1, last // 2, odd)
    tail = with_child(tail, 0, shifted(tail[0][1], 0, -x))
    refuse(
        "an empty child given sums its sibling makes up for (odd count)",
        "node_sums",
        co,
        with_child(tail, 1, shifted(sumtree.ZERO_SUMS, 0, x)),
    )
    empty = F.empty_node_proof(lvo, 0, len(odd))
    sib_hash, sib_sums = empty[1][0]
    refuse(
        "an empty leaf's sibling short of the sums the empty leaf cannot have (odd count)",
        "empty_node",
        co,
        (empty[0], [(sib_hash, shifted(sib_sums, 0, -x)), *empty[1][1:]]),
    )

    h = header
    return {
        "header": (h.slot, h.proposer_index, h.parent_root, h.state_root, h.body_root),
        "credentials": [bytes.fromhex(c[2:]) for c in creds],
        "cases": [(name, F.KINDS[kind], fraud, c, data) for name, kind, fraud, c, data in cases],
        "refused": refused,
    }


def render() -> bytes:
    from eth_abi import encode

    v = _vectors()
    return bytes(
        encode(
            [HEADER, "bytes32[]", f"{CASE}[]", f"{REFUSED}[]"],
            [v["header"], v["credentials"], v["cases"], v["refused"]],
        )
    )


def main(argv: list[str]) -> int:
    data = render()
    if "--check" in argv:
        if not OUT.is_file() or OUT.read_bytes() != data:
            print(f"{OUT} is stale: run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    OUT.write_bytes(data)
    print(f"wrote {OUT} ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
