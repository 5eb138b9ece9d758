"""The committed snapshot (ion_cli.zk.sumtree): the Merkle-sum tree's hashing and sums, its
branches, the tree `ion prove` writes for the devnet's weETH validators against the SSZ state,
and `ion verify` catching a changed tree."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from ion_cli.beacon import proofs as P
from ion_cli.beacon.snapshot import Snapshot, StateRef, Validator
from ion_cli.devnet import beacon_chain as bc
from ion_cli.devnet import beacon_records as records
from ion_cli.flows.prove import prove
from ion_cli.flows.risk import SnapshotRequest
from ion_cli.flows.session import Session
from ion_cli.zk import features, sumtree, synthetic
from ion_cli.zk import receipt as rc
from ion_cli.zk.receipt_checks import check as check_receipt

ETH = 10**9


@pytest.mark.parametrize("n", [0, 1, 2, 3, 7, 8, 33])
def test_every_leaf_branch_leads_to_the_root_and_the_sums_add_up(n: int) -> None:
    snap = synthetic.uniform_set(n, slashed=min(n, 2))
    tree = sumtree.build(reversed(snap.validators), snap.state.epoch)  # sorted by the builder
    assert [v.index for v in tree.validators] == sorted(v.index for v in snap.validators)
    assert tree.root.sums == features.sums_of(snap)
    assert tree.root.sums[0] == tree.leaf_count == n
    assert len(tree.levels[0]) == (1 << tree.depth) >= max(n, 1)
    for p in range(len(tree.levels[0])):
        assert sumtree.root_from_branch(tree.levels[0][p], p, tree.branch(p)) == tree.root


def test_the_leaf_hash_is_the_documented_packing() -> None:
    v = synthetic.uniform_set(1).validators[0]
    sums = sumtree.leaf_sums(v, 400_000)
    pre = sumtree.leaf_preimage(v, sums)
    assert len(pre) == 282 and pre[0] == 0
    assert pre[1:9] == v.index.to_bytes(8, "big")
    assert pre[9:41] == sumtree.pubkey_root(v.pubkey)
    assert pre[-160:] == b"".join(s.to_bytes(16, "big") for s in sums)
    left, right = b"\x11" * 32, b"\x22" * 32
    assert sumtree.node_hash(left, right, sums) == sumtree.sha256(
        b"\x01" + left + right + sumtree.pack_sums(sums)
    )


def test_any_change_to_a_leaf_moves_the_root() -> None:
    snap = synthetic.uniform_set(6, slashed=1)
    epoch = snap.state.epoch
    root = sumtree.build(snap.validators, epoch).root
    vs = list(snap.validators)
    for change in ({"slashed": not vs[3].slashed}, {"balance": vs[3].balance + 1}, {"index": 99}):
        other = [*vs[:3], replace(vs[3], **change), *vs[4:]]
        assert sumtree.build(other, epoch).root.hash != root.hash
    assert sumtree.build(vs[:-1], epoch).root != root  # one left out


def test_a_repeated_validator_is_refused() -> None:
    vs = synthetic.uniform_set(3).validators
    with pytest.raises(sumtree.SumTreeError, match="twice"):
        sumtree.build([*vs, vs[1]], 400_000)


def test_features_from_the_root_sums_are_the_features() -> None:
    for seed in range(40):
        s = synthetic.scenario(random.Random(seed))
        tree = sumtree.build(s.snapshot.validators, s.snapshot.state.epoch)
        got = features.from_sums(tree.root.sums, s.network.active_balance, s.network.other_slashed)
        assert got == features.compute(s.snapshot, s.network)


# ---- the devnet's weETH validators against the SSZ state ---------------------------------------


@pytest.fixture(scope="module")
def devnet_weeth(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    chain = bc.new_chain(genesis_time=1_600_000_000)
    head = records.GENESIS_EPOCHS * 32 + 40
    chain.set_blocks([head])
    chosen = chain.choose_for_slashing("weETH", 2, head)
    chain.apply(records.Operation(kind="slash", slot=head, indices=chosen, lrt="weETH"))
    state = chain.ssz().state(head)
    tree = P.state_tree(state.encode_bytes())
    creds = {c.lower() for g in chain.config.groups if g.symbol == "weETH" for c in g.credentials}
    view = chain.view(head)
    validators = []
    for i in chain.layout.indices_of("weETH"):
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
    ref = StateRef(head, "0x" + tree.root().hex(), "0x" + "ab" * 32, True, False)
    snap = Snapshot(state=ref, validators=tuple(validators))
    base = tmp_path_factory.mktemp("sumtree")
    snap_file = base / "snap.json"
    snap_file.write_text(json.dumps(snap.to_json()))
    request = SnapshotRequest(
        symbol="weETH", snapshot_file=snap_file, network_active_balance=chain.base_active_total()
    )
    folder = prove(Session(network="devnet"), request, lambda _: None, out=base / "out").folder
    return {"tree": tree, "creds": creds, "folder": folder, "epoch": head // 32}


def test_the_tree_ion_prove_writes_holds_exactly_the_lrts_validators_in_the_state(
    devnet_weeth: dict[str, Any],
) -> None:
    state: P.StateTree = devnet_weeth["tree"]
    creds = devnet_weeth["creds"]
    expected = []
    for i in range(state.count):  # every validator of the state, not the LRT's index ranges
        raw = state.validator_bytes(i)
        if "0x" + raw[48:80].hex() in creds:
            expected.append((i, raw, state.balance(i)))
    doc = json.loads((devnet_weeth["folder"] / rc.SUMTREE).read_text())
    leaves = doc["leaves"]
    assert [x["index"] for x in leaves] == [i for i, _, _ in expected]
    for leaf, (_i, raw, balance) in zip(leaves, expected, strict=True):
        assert leaf["pubkey"] == "0x" + raw[0:48].hex()
        assert leaf["withdrawal_credentials"] == "0x" + raw[48:80].hex()
        assert leaf["effective_balance"] == int.from_bytes(raw[80:88], "little")
        assert leaf["slashed"] == (raw[88] == 1)
        assert leaf["exit_epoch"] == int.from_bytes(raw[105:113], "little")
        assert leaf["withdrawable_epoch"] == int.from_bytes(raw[113:121], "little")
        assert leaf["balance"] == balance
    epoch = devnet_weeth["epoch"]
    statuses = {
        "slashed" if x["slashed"] else "withdrawn" if x["withdrawable_epoch"] <= epoch else "live"
        for x in leaves
    }
    assert {"slashed", "live"} <= statuses  # slashed and (where drawn) withdrawn ones stay in
    withdrawn = [x for x in leaves if x["withdrawable_epoch"] <= epoch]
    receipt = json.loads((devnet_weeth["folder"] / rc.RECEIPT).read_text())
    c = receipt["commitment"]
    assert c["leaf_count"] == len(leaves) == c["sums"]["leaves"]
    assert c["sums"]["live"] == len(leaves) - len(withdrawn)
    assert c["first_index"] == leaves[0]["index"] and c["last_index"] == leaves[-1]["index"]
    assert c["features_from_sums"] == receipt["features"]["quantized"]
    slashed_eb = sum(x["effective_balance"] for x in leaves if x["slashed"])
    assert c["sums"]["slashed_effective"] == slashed_eb > 0


def test_ion_verify_checks_the_tree(devnet_weeth: dict[str, Any], tmp_path: Path) -> None:
    import shutil

    report = check_receipt(devnet_weeth["folder"], progress=lambda _: None)
    names = {c.name: c.ok for c in report.checks}
    assert names["commitment rebuilds"] and names["features from sums"] and report.ok
    copy = tmp_path / "copy"
    shutil.copytree(devnet_weeth["folder"], copy)
    # a leaf changed, the file's hash updated in the receipt: the tree no longer rebuilds
    doc = json.loads((copy / rc.SUMTREE).read_text())
    doc["leaves"][3]["balance"] += 1
    (copy / rc.SUMTREE).write_text(json.dumps(doc))
    receipt = json.loads((copy / rc.RECEIPT).read_text())
    from ion_cli.zk import ezkl_runner as er

    receipt["commitment"]["sha256"] = er.sha256_file(copy / rc.SUMTREE)
    (copy / rc.RECEIPT).write_text(json.dumps(receipt))
    failed = [c.name for c in check_receipt(copy, progress=lambda _: None).checks if not c.ok]
    assert failed == ["commitment rebuilds"]
    # root sums inflated in the receipt: the features from them no longer match the proof
    receipt["commitment"]["sums"]["slashed_effective"] += 32 * ETH
    (copy / rc.RECEIPT).write_text(json.dumps(receipt))
    failed = [c.name for c in check_receipt(copy, progress=lambda _: None).checks if not c.ok]
    assert "commitment rebuilds" in failed


def test_the_forge_feature_vectors_are_current() -> None:
    """tests/contracts/vectors/features.bin (FeatureMath.t.sol's 1,000 vectors) is what the
    Python features give today: a change to `features.from_sums` must rewrite it."""
    import importlib.util

    path = Path(__file__).parents[1] / "contracts" / "gen_feature_vectors.py"
    spec = importlib.util.spec_from_file_location("gen_feature_vectors", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--check"]) == 0


def test_ion_verify_wants_the_trees_leaves_to_be_the_snapshots_records(
    devnet_weeth: dict[str, Any], tmp_path: Path
) -> None:
    """A tree rebuilt consistently over a changed record (same sums, another pubkey) still
    differs from the snapshot the features were computed from."""
    import shutil

    from ion_cli.zk import ezkl_runner as er
    from ion_cli.zk.snapshot_json import validator_from_json

    copy = tmp_path / "copy"
    shutil.copytree(devnet_weeth["folder"], copy)
    doc = json.loads((copy / rc.SUMTREE).read_text())
    doc["leaves"][3]["pubkey"] = "0x" + "ab" * 48
    epoch = doc["commitment"]["epoch"]
    tree = sumtree.build([validator_from_json(x) for x in doc["leaves"]], epoch)
    doc["commitment"] = tree.commitment().to_json()
    (copy / rc.SUMTREE).write_text(json.dumps(doc))
    receipt = json.loads((copy / rc.RECEIPT).read_text())
    receipt["commitment"].update(tree.commitment().to_json())
    receipt["commitment"]["sha256"] = er.sha256_file(copy / rc.SUMTREE)
    (copy / rc.RECEIPT).write_text(json.dumps(receipt))
    failed = [c.name for c in check_receipt(copy, progress=lambda _: None).checks if not c.ok]
    assert failed == ["commitment leaves"]


def test_the_forge_sumtree_vectors_are_current() -> None:
    """tests/contracts/vectors/sumtree.bin (SumTree.t.sol's tree) is what sumtree builds."""
    import importlib.util

    path = Path(__file__).parents[1] / "contracts" / "gen_sumtree_vectors.py"
    spec = importlib.util.spec_from_file_location("gen_sumtree_vectors", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--check"]) == 0
