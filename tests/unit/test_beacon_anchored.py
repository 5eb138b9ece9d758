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


@pytest.fixture(scope="module")
def world() -> dict[str, Any]:
    chain = bc.new_chain(genesis_time=1_600_000_000)
    head = bc.GENESIS_EPOCHS * 32 + 40
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
