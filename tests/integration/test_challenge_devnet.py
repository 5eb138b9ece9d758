"""The permissionless feed's client on the devnet (issue 23): a sound submission by an account
on no allowlist is called sound by `ion challenge`, and after the window `ion oracle finalize`
makes it final and the reserve rate follows; each kind of lying submission is found by
`ion challenge`, its fraud proof succeeds on chain, the bond moves (part burnt, the rest to the
challenger) and the rate never moves; on a sound submission every kind of challenge fails on
chain; `ion watch --challenge` challenges a false submission within one cycle.

One devnet state and one anchored block are shared by the module (a module-scoped EVM snapshot,
reverted at the end): the lies are proven once (ezkl, a few seconds each) and submitted at the
block's slot, all pending at once, before anything is finalized.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ion_cli.cli import app
from ion_cli.testing import feed_lies
from ion_cli.testing import lying_submitter as ls
from ion_cli.testing.devnet import KEEPER, DevnetHandle, revert, snapshot
from ion_cli.zk import challenge_tree as ct
from ion_cli.zk import sumtree

pytestmark = pytest.mark.integration

WAD = 10**18
KEEPER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"  # anvil's 1
GAS: dict[str, tuple[str, int]] = {}  # the gas each fraud proof used (printed with -s)


# The --json documents of the commands this module adds, by schema (validated against
# ion_cli/schemas/; ION_SCHEMA_WRITE=1 drafts challenge.json and oracle.finalize.json from them).
DOCS: dict[str, list[Any]] = {}
OWN_SCHEMAS = ("ion.challenge/1", "ion.oracle.finalize/1")


def ion(*args: str, code: int = 0) -> Any:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
    if "--json" not in args:
        return result.stdout
    doc = json.loads(result.stdout)
    if (
        code == 0
        and isinstance(doc, dict)
        and doc.get("schema") in (*OWN_SCHEMAS, "ion.oracle.show/1")
    ):
        DOCS.setdefault(str(doc["schema"]), []).append(doc)
    return doc


@dataclass
class World:
    devnet: DevnetHandle
    feed: str
    challenges: str
    receipt: Path
    trees: Path
    anchor: ls.Anchor
    sound_id: int = 0
    lies: dict[str, ls.Submitted] = field(default_factory=dict)
    made: dict[str, tuple[feed_lies.Lie, Path]] = field(default_factory=dict)  # lie, its proof
    sound_tree: Any = None
    network: tuple[int, int, int] = (0, 0, 0)  # T, otherSlashed, the slashings vector's sum
    base: Path = Path()
    withheld: ls.Submitted | None = None
    rate_before: int = 0
    bond: int = 0


def _feed_call(w: World, name: str, *args: Any) -> Any:
    from ion_cli.chain.contracts import Contract

    return ls.read(w.devnet.w3, Contract(w.feed, interface="RiskFeed").function(name)(*args))


def status_of(w: World, id_: int) -> int:
    return int(_feed_call(w, "submission", id_)[2])


def feed_rate(w: World) -> int:
    return int(_feed_call(w, "getExchangeRate", 0))


@pytest.fixture(scope="module")
def world(
    devnet_session: DevnetHandle, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    base = tmp_path_factory.mktemp("challenge")
    snap = snapshot(devnet_session.w3)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ION_DEVNET_DIR", str(devnet_session.deployment_dir))
        mp.setenv("ION_ZK_CACHE", str(tmp_path_factory.getbasetemp() / "zk-cache"))
        home = base / "home"
        for var, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data")):
            mp.setenv(var, str(home / sub))
        mp.setenv("XDG_STATE_HOME", str(home / "state"))
        mp.setenv("XDG_CACHE_HOME", str(home / "cache"))
        mp.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
        try:
            yield _build(devnet_session, base)
        finally:
            revert(devnet_session.w3, snap)


@pytest.fixture(autouse=True)
def _devnet_env(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's isolated dirs (the suite's autouse fixture) with the module's devnet."""
    monkeypatch.setenv("ION_DEVNET_DIR", str(world.devnet.deployment_dir))


def _build(devnet: DevnetHandle, base: Path) -> World:
    # Slashed validators in the weETH set (the lies hide them), finality past them.
    ion("devnet", "slash", "--lrt", "weETH", "--count", "700", "--yes", "--json")
    ion("devnet", "advance", "--epochs", "3", "--yes")
    ion("devnet", "advance", "--epochs", "3", "--yes")
    receipt = base / "sound"
    ion("prove", "--lrt", "weETH", "--out", str(receipt), "--json")
    market = devnet.deployment.market("weETH")
    feed = str(market.risk_feed)
    w = World(
        devnet=devnet,
        feed=feed,
        challenges="",
        receipt=receipt,
        trees=base / "published",
        anchor=ls.anchor_of(receipt, feed),
    )
    w.challenges = str(_feed_call(w, "CHALLENGES"))
    w.rate_before = feed_rate(w)
    w.bond = int(_feed_call(w, "bond")[0])
    sound_tree = sumtree.check(json.loads((receipt / "sumtree.json").read_text()))
    data = json.loads((receipt / "receipt.json").read_text())
    net = data["commitment"]["network"]
    network_active, other = int(net["active_balance"]), int(net["other_slashed"])
    accounts = devnet.w3.eth.accounts
    # The sound one, by `ion submit` from an account on no allowlist (anvil's account 1).
    key = base / "keeper.key"
    key.write_text(KEEPER_KEY + "\n")
    ion("account", "import", "keeper", "--private-key-file", str(key))
    sent = ion(
        "submit", str(receipt), "--market", "weETH", "--account", "keeper", "--yes", "--json"
    )
    assert sent["pending"]["submitter"].lower() == KEEPER.lower(), sent["pending"]
    w.sound_id = int(sent["pending"]["id"])
    foreign, slashings = _foreign_validator(devnet, data)
    w.sound_tree, w.network, w.base = sound_tree, (network_active, other, slashings), base
    for n, kind in enumerate(feed_lies.KINDS):
        lie = feed_lies.make(
            kind, sound_tree, network_active, other, foreign=foreign, slashings_total=slashings
        )
        proof = ls.prove_features(w.anchor, lie.features_q, base / "lies" / kind)
        w.made[kind] = (lie, proof)
        w.lies[kind] = ls.submit(devnet.w3, w.anchor, lie, proof, accounts[6 + n % 3], w.trees)
    return w


def _foreign_validator(devnet: DevnetHandle, receipt: dict[str, Any]) -> tuple[Any, int]:
    """A validator of the state whose credentials are not weETH's (another LRT's), and the
    sum of the state's slashings vector (the state read as the challenger reads it: kept in
    its per-process cache, so the challenges below do not read it again)."""
    from ion_cli.api import Ion
    from ion_cli.beacon.anchored import _record
    from ion_cli.beacon.slashings import slashings_total
    from ion_cli.flows.challenge import load_state

    tree = load_state(Ion(network="devnet").session, receipt["beacon"]["state_root"], print)
    mine = set(receipt["validator_indices"])
    for i in range(tree.count):
        if i not in mine:
            record = _record(i, tree.validator_bytes(i), tree.balance(i), "")
            return record, slashings_total(tree)
    raise AssertionError("no foreign validator in the devnet state")


def test_a_sound_submission_is_called_sound(world: World) -> None:
    out = ion("challenge", "weETH", str(world.sound_id), "--json")
    assert out["sound"] is True, out
    assert out["judgement"]["submission"]["id"] == world.sound_id
    assert out["plan"] is None


@pytest.mark.parametrize("kind", feed_lies.KINDS)
def test_each_lie_is_found_and_its_fraud_proof_succeeds(world: World, kind: str) -> None:
    sub = world.lies[kind]
    w3 = world.devnet.w3
    burnt_before = int(_feed_call(world, "burnt"))
    out = ion("challenge", "weETH", str(sub.id), "--tree", str(world.trees), "--yes", "--json")
    assert out["sound"] is False
    finding = out["judgement"]["finding"]
    assert finding["kind"] == feed_lies.EXPECTED[kind], finding
    step = out["execution"]["steps"][0]
    assert step["status"] == "success", out["execution"]
    assert status_of(world, sub.id) == 3  # Rejected
    receipt = w3.eth.get_transaction_receipt(step["tx_hash"])
    GAS[kind] = (out["judgement"]["fraud_proof"], int(receipt["gasUsed"]))
    print(f"challenge gas {kind}: {GAS[kind]}")
    assert receipt["gasUsed"] <= 500_000, receipt["gasUsed"]
    burnt = int(_feed_call(world, "burnt")) - burnt_before
    assert burnt > 0  # part of the bond is burnt
    reward = _rejected_reward(world, receipt)  # the rest to the challenger
    assert reward > 0 and reward + burnt == world.bond
    assert feed_rate(world) == world.rate_before  # the rate never moved on it


def distinct_lie(world: World, n: int) -> tuple[feed_lies.Lie, Path]:
    """A network-input lie of its own commitment (the feed refuses a pending one's replay):
    `otherSlashed` n ETH above the state's, proven anew."""
    from dataclasses import replace

    active, other, slashings = world.network
    lie = feed_lies.make(
        "network_input", world.sound_tree, active, other, slashings_total=slashings
    )
    lie = replace(lie, claim=replace(lie.claim, other_slashed=lie.claim.other_slashed + n * 10**9))
    return lie, ls.prove_features(world.anchor, lie.features_q, world.base / "distinct" / str(n))


def test_watch_challenges_a_false_submission_within_one_cycle(world: World) -> None:
    lie, proof = distinct_lie(world, 1)
    liar = world.devnet.w3.eth.accounts[9]
    sub = ls.submit(world.devnet.w3, world.anchor, lie, proof, liar, world.trees)
    assert status_of(world, sub.id) == 1
    result = CliRunner().invoke(
        app,
        [
            "watch",
            "--market",
            "weETH",
            "--once",
            "--challenge",
            "--tree",
            str(world.trees),
            "--max-proof-age",
            "off",
            "--json",
        ],
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    # (Run on its own, the other lies are still pending too: each is alerted and challenged.)
    false = [e for e in events if e["kind"] == "false_submission" and e["submission"] == sub.id]
    assert len(false) == 1, (result.stdout[-3000:], result.stderr)
    assert false[0]["alert"] is True and false[0]["finding"] == "network_input"
    sent = [e for e in events if e["kind"] == "submission_challenged" and e["submission"] == sub.id]
    assert len(sent) == 1 and sent[0]["ok"] is True, sent
    assert result.exit_code == 6  # an alert fired
    assert status_of(world, sub.id) == 3  # rejected in that one cycle
    # The sound pending one was judged too, and raised nothing.
    assert all(e.get("submission") != world.sound_id for e in events)


def _rejected_reward(w: World, receipt: Any) -> int:
    """The reward of the SubmissionRejected event in a challenge's receipt."""
    from ion_cli.abi import published
    from ion_cli.abi.signature import event_topic

    entry = next(
        e
        for e in published.interface("RiskFeed").of_kind("event")
        if e["name"] == "SubmissionRejected"
    )
    topic = event_topic(entry)
    for log in receipt["logs"]:
        if log["address"].lower() == w.feed.lower() and bytes(log["topics"][0]) == topic:
            data = bytes(log["data"])
            return int.from_bytes(data[:32], "big")
    raise AssertionError("no SubmissionRejected event")


def test_on_a_sound_submission_every_challenge_fails(world: World) -> None:
    from ion_cli.api import Ion
    from ion_cli.zk import challenge_proof as cp
    from ion_cli.zk.challenge_chain import read_known_submissions, submission_inputs
    from ion_cli.zk.challenge_find import Finding

    session = Ion(network="devnet").session
    sub = read_known_submissions(session.reader(), world.feed, [world.sound_id])[0]
    claim, creds = submission_inputs(session.reader(), world.feed, sub)
    tree = ct.from_sound(sumtree.check(json.loads((world.receipt / "sumtree.json").read_text())))
    from ion_cli.flows.challenge import load_state

    state = load_state(session, sub.state_root, lambda _: None)
    count = claim.sums[0]
    members = [v.index for _, v in tree.leaf_validators()]
    outsider = next(i for i in range(state.count) if i not in set(members))
    attempts = [
        Finding("leaf_validator", "", positions=(1,)),
        Finding("leaf_balance", "", positions=(1,)),
        Finding("leaf_sums", "", positions=(1,)),
        Finding("leaf_order", "", positions=(1, 2)),
        Finding("foreign_leaf", "", positions=(1,)),
        Finding("bounds", "", positions=(0,)),
        Finding("leaf_count", "", positions=(count - 1,)),
        Finding("inner_sums", "", positions=(0,), height=1),
        Finding("root_sums", "", positions=(0,), height=tree.depth),
        Finding("network_input", ""),
        Finding("missing_between", "", positions=(1, 2), index=outsider),
    ]
    if count < tree.width:
        attempts.append(Finding("empty_leaf", "", positions=(tree.width - 1,)))
    from ion_cli.chain.contracts import Contract

    for finding in attempts:
        proof = cp.build(sub.id, claim, tree, state, creds, finding)
        call = Contract(world.challenges, interface="RiskFeedChallenges").function(proof.function)(
            *proof.args
        )
        with pytest.raises(Exception) as failed:
            world.devnet.w3.eth.call({"to": call.to, "data": "0x" + call.data.hex()})
        assert "NoFraud" in _error_name(failed.value), (finding.kind, failed.value)
    assert status_of(world, world.sound_id) == 1  # still pending


def test_dry_run_previews_the_fraud_proof_and_sends_nothing(world: World) -> None:
    lie, proof = distinct_lie(world, 3)
    liar = world.devnet.w3.eth.accounts[3]
    sub = ls.submit(world.devnet.w3, world.anchor, lie, proof, liar, world.trees)
    out = ion("challenge", "weETH", str(sub.id), "--tree", str(world.trees), "--dry-run", "--json")
    assert out["dry_run"] is True and out["sound"] is False
    assert out["judgement"]["fraud_proof"] == "challengeNetwork"
    assert out["execution"]["steps"][0]["status"] is None  # simulated only
    assert status_of(world, sub.id) == 1


def test_a_false_submission_whose_tree_is_withheld_is_named_false(world: World) -> None:
    lie, proof = distinct_lie(world, 2)
    sub = ls.submit(
        world.devnet.w3, world.anchor, lie, proof, world.devnet.w3.eth.accounts[4], None
    )
    result = CliRunner().invoke(app, ["challenge", "weETH", str(sub.id), "--yes"])
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert f"submission {sub.id} is false" in result.stderr and "--tree" in result.stderr
    assert status_of(world, sub.id) == 1  # nothing sent


def _attempt(world: World, function: str, *args: Any) -> str:
    """eth_call a challenge; the name of the error it reverts with ("" if it would succeed)."""
    from ion_cli.chain.contracts import Contract

    call = Contract(world.challenges, interface="RiskFeedChallenges").function(function)(*args)
    try:
        world.devnet.w3.eth.call({"to": call.to, "data": "0x" + call.data.hex()})
    except Exception as exc:
        return _error_name(exc) or "reverted"
    return ""


def _sound_inputs(world: World) -> tuple[Any, ct.ClaimedTree]:
    from ion_cli.api import Ion
    from ion_cli.zk.challenge_chain import read_known_submissions, submission_inputs

    reader = Ion(network="devnet").session.reader()
    sub = read_known_submissions(reader, world.feed, [world.sound_id])[0]
    claim, _ = submission_inputs(reader, world.feed, sub)
    tree = ct.from_sound(sumtree.check(json.loads((world.receipt / "sumtree.json").read_text())))
    return claim, tree


def test_made_up_sums_cannot_reject_a_sound_submission(world: World) -> None:
    """Sums no hash binds (a node's children's, kind 6) must not make a sound submission look
    false."""
    from ion_cli.zk import challenge_proof as cp

    claim, tree = _sound_inputs(world)
    c = cp.claim_commitment(claim)
    # kind 6 at the root with children sums that do not add up (the node's own sums are real):
    # each child is opened, so its made-up sums do not give its hash
    left, right, sums, position, steps = cp.node_proof(tree, tree.depth, 0)
    fake_left = (left[0], (left[1][0] + 1, *left[1][1:]), *left[2:])
    made_up = _attempt(
        world, "challengeNodeSums", world.sound_id, c, (fake_left, right, sums, position, steps)
    )
    assert made_up != "" and "NotInCommitment" in made_up, made_up
    honest = _attempt(
        world, "challengeNodeSums", world.sound_id, c, (left, right, sums, position, steps)
    )
    assert "NoFraud" in honest, honest
    # (kind 9's twin, an empty leaf's sums, is no longer in its proof: forge tests an odd
    # leaf count, the devnet's weETH set is even.)
    assert status_of(world, world.sound_id) == 1


def _error_name(exc: BaseException) -> str:
    from ion_cli.testing.devnet import decode_error

    data = getattr(exc, "data", None) or (exc.args[1] if len(exc.args) > 1 else None)
    if isinstance(data, str) and data.startswith("0x") and len(data) >= 10:
        try:
            return decode_error(data)[0]
        except Exception:
            return data
    return str(exc)


def test_after_the_window_finalize_makes_the_sound_one_final(world: World) -> None:
    pending = ion("oracle", "show", "weETH", "--json")["pending_submissions"]
    assert world.sound_id in [p["id"] for p in pending]
    ion("oracle", "finalize", "weETH", str(world.sound_id), code=3)  # window still open
    ion("devnet", "advance", "--epochs", "1", "--yes")
    out = ion("oracle", "finalize", "weETH", str(world.sound_id), "--yes", "--json")
    assert out["submissions"][0]["status"] == "final"
    assert status_of(world, world.sound_id) == 2
    data = json.loads((world.receipt / "receipt.json").read_text())
    haircut = int(data["output"]["haircut_wad"])
    assert haircut > 0
    # Before any final score the feed answered the protocol rate; now it applies the haircut.
    protocol = world.rate_before
    assert feed_rate(world) == protocol * (WAD - haircut) // WAD
    before = ion("oracle", "show", "weETH", "--json")
    ion("oracle", "update", "weETH", "--yes")
    after = ion("oracle", "show", "weETH", "--json")
    assert float(after["current_rate"]) < float(before["current_rate"])  # the reserve rate follows


def test_the_documents_follow_their_schemas() -> None:
    """Runs last: every `ion challenge`, `ion oracle finalize` and `ion oracle show` document
    this module printed validates against its documented schema."""
    import os
    from importlib import resources

    import jsonschema

    assert set(OWN_SCHEMAS) <= set(DOCS), sorted(DOCS)
    if os.environ.get("ION_SCHEMA_WRITE"):
        from json_schema_gen import write  # beside this file

        from ion_cli.command_table import COMMANDS

        titles = {name: entry.help for name, entry in COMMANDS.items()}
        titles["oracle.finalize"] = "Finalize risk submissions whose challenge window passed."
        write({k: v for k, v in DOCS.items() if k in OWN_SCHEMAS}, titles)
    for schema, docs in DOCS.items():
        name = schema.split("/")[0].removeprefix("ion.")
        text = resources.files("ion_cli").joinpath("schemas", f"{name}.json").read_text()
        for doc in docs:
            jsonschema.Draft202012Validator(json.loads(text)).validate(doc)
