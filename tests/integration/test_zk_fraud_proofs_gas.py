"""The permissionless feed's fraud proofs on the devnet, as transactions: gas within the issue's
bounds (each challenge <= 500k, finalize <= 100k), with real proofs, the devnet's beacon server's
state and the bindings of ion_cli.zk.feed / ion_cli.zk.feed_proofs.

A sound weETH proof from the beacon server is submitted and finalized; two lying ones (a
slashed validator's flag cleared; a slashed validator left out) are submitted from a snapshot
file of the same state and each rejected by its one-step challenge, the bond split (reward to the
challenger, burn locked in the feed), the rate unmoved. The figures go to the README.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from ion_cli.cli import app
from ion_cli.testing.devnet import DevnetHandle, Protocol, warp

pytestmark = pytest.mark.integration

CHALLENGE_GAS_BOUND = 500_000
FINALIZE_GAS_BOUND = 100_000


def ion(*args: str) -> Any:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    return json.loads(result.stdout) if "--json" in args else result.stdout


def _state(devnet: DevnetHandle, state_root: str) -> Any:
    from ion_cli.beacon import proofs

    assert devnet.beacon_url is not None
    answer = httpx.get(
        f"{devnet.beacon_url}/eth/v2/debug/beacon/states/{state_root}",
        headers={"Accept": "application/octet-stream"},
        timeout=120,
    )
    answer.raise_for_status()
    return proofs.state_tree(answer.content)


def _lie(folder: Path, out: Path, edit: Any) -> Path:
    """A proof of the honest snapshot with one edit (same state, same anchored block)."""
    snap = json.loads((folder / "snapshot.json").read_text())
    snap["validators"] = edit(snap["validators"])
    path = out.with_suffix(".json")
    path.write_text(json.dumps(snap))
    ion("prove", "--lrt", "weETH", "--snapshot", str(path), "--out", str(out), "--json")
    return out


def _tree(folder: Path) -> Any:
    from ion_cli.zk import sumtree

    return sumtree.check(json.loads((folder / "sumtree.json").read_text()))


SUBMIT_GAS: list[int] = []


def _submit(folder: Path) -> tuple[int, tuple[Any, ...]]:
    from ion_cli.zk.feed import commitment_tuple

    result = ion("submit", str(folder), "--market", "weETH", "--yes", "--json")
    SUBMIT_GAS.append(int(result["execution"]["steps"][0]["gas_used"]))
    receipt = json.loads((folder / "receipt.json").read_text())
    return int(result["pending"]["id"]), commitment_tuple(receipt["commitment"])


def test_challenges_and_finalize_on_the_devnet_within_their_gas_bounds(
    devnet: DevnetHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ion_cli.zk import feed_proofs as F
    from ion_cli.zk.feed import read_terms

    monkeypatch.setenv("ION_ZK_CACHE", str(tmp_path / "zk-cache"))
    protocol = Protocol(devnet)
    market = protocol.market("weETH")
    feed = market.risk_feed
    assert feed is not None
    terms = read_terms(protocol.w3, feed)
    ion("devnet", "slash", "--lrt", "weETH", "--count", "3", "--yes", "--json")
    ion("devnet", "advance", "--epochs", "3", "--yes")
    honest = tmp_path / "honest"
    ion("prove", "--lrt", "weETH", "--out", str(honest), "--json")
    receipt = json.loads((honest / "receipt.json").read_text())
    state = _state(devnet, receipt["beacon"]["state_root"])
    tree = _tree(honest)
    slashed = [p for p, v in enumerate(tree.validators) if v.slashed]
    assert len(slashed) >= 2
    p = slashed[1]
    target = tree.validators[p]

    def cleared(vs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [dict(v, slashed=False) if v["index"] == target.index else v for v in vs]

    def left_out(vs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [v for v in vs if v["index"] != target.index]

    lie1 = _lie(honest, tmp_path / "cleared", cleared)
    lie2 = _lie(honest, tmp_path / "left-out", left_out)
    rate0 = protocol.call(feed, "RiskFeed", "getExchangeRate", 0)
    gas: dict[str, int] = {}

    # A slashed flag cleared: the leaf's container root is not validators[i]'s.
    sid, commitment = _submit(lie1)
    t1 = _tree(lie1)
    leaf = t1.validators[p]
    assert leaf == replace(target, slashed=False)
    root, branch = F.validator_root_and_branch(state, target.index)
    before = protocol.w3.eth.get_balance(protocol.dev)
    challenges = terms.challenges
    r = protocol.send(
        protocol.dev, challenges, "RiskFeedChallenges", "challengeValidator",
        sid, commitment, F.leaf_proof(t1.levels, p, leaf), root, branch,
    )  # fmt: skip
    gas["validator"] = int(r["gasUsed"])
    paid = (
        protocol.w3.eth.get_balance(protocol.dev)
        - before
        + int(r["gasUsed"]) * int(r["effectiveGasPrice"])
    )
    assert paid == terms.gas_cover + terms.reward
    assert protocol.call(feed, "RiskFeed", "burnt") == terms.burn

    # A slashed validator left out: its credentials in the state, its neighbours in the tree.
    sid, commitment = _submit(lie2)
    t2 = _tree(lie2)
    creds = list(protocol.call(feed, "RiskFeed", "credentialSet"))
    wc, wc_branch = F.credentials_and_branch(state, target.index)
    neighbours = [
        F.leaf_proof(t2.levels, p - 1, t2.validators[p - 1]),
        F.leaf_proof(t2.levels, p, t2.validators[p]),
    ]
    r = protocol.send(
        protocol.dev, challenges, "RiskFeedChallenges", "challengeMissing",
        sid, commitment, creds, target.index, wc, wc_branch, neighbours,
    )  # fmt: skip
    gas["missing"] = int(r["gasUsed"])
    assert protocol.call(feed, "RiskFeed", "getExchangeRate", 0) == rate0  # never moved

    # The sound one: every challenge of it fails; it becomes final after the window.
    sid, commitment = _submit(honest)
    name, _ = protocol.revert_of(
        protocol.dev, challenges, "RiskFeedChallenges", "challengeValidator",
        sid, commitment, F.leaf_proof(tree.levels, p, target), root, branch,
    )  # fmt: skip
    assert name == "NoFraud"
    warp(protocol.w3, terms.window)
    r = protocol.send(protocol.dev, feed, "RiskFeed", "finalize", sid)
    gas["finalize"] = int(r["gasUsed"])
    assert protocol.call(feed, "RiskFeed", "finalId") == sid

    gas["submit_first"] = SUBMIT_GAS[0]
    gas["submit_later"] = SUBMIT_GAS[-1]
    print(json.dumps({"gas": gas, "tree_depth": tree.depth, "leaves": tree.leaf_count}))
    assert gas["validator"] <= CHALLENGE_GAS_BOUND, gas
    assert gas["missing"] <= CHALLENGE_GAS_BOUND, gas
    assert gas["finalize"] <= FINALIZE_GAS_BOUND, gas
