"""`ion challenge`, `ion oracle finalize` and the pending submissions `ion oracle show` lists.

Judging a submission (`judge`): read its stored facts, its commitment and credential list
(checked against the stored hashes: `ion_cli.zk.challenge_chain`), the beacon state at its
stored state root from the beacon node as SSZ (its root must be that root: no node is
believed), then build the sound tree of the state's validators with the snapshotted
credentials. A commitment equal to the sound one (root, sums, bounds, and the `otherSlashed`
the state's slashings give) is sound: nothing else is needed. Otherwise the submitter's tree
(the file it published, found by its root among `trees`) is searched for the first disagreement
(`ion_cli.zk.challenge_find`) and the cheapest fraud proof built from it
(`ion_cli.zk.challenge_proof`). Without the submitter's tree the submission is known false but
the fraud proof cannot be built (`ChallengeUnprovable`, exit 1).

Challenging (`challenge`) sends the fraud proof through the transaction pipeline (simulate,
preview decoded from the calldata, confirm, send) under the journal; finalizing (`finalize`)
likewise.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ion_cli.chain.plan import Plan
from ion_cli.errors import IonError
from ion_cli.flows.session import Session
from ion_cli.flows.writes import WriteOptions, run_plan

if TYPE_CHECKING:
    from ion_cli.beacon.proofs import StateTree
    from ion_cli.challenge_results import ChallengeResult, FinalizeResult
    from ion_cli.zk.challenge_find import Claim, Verdict
    from ion_cli.zk.challenge_proof import FraudProof
    from ion_cli.zk.challenge_tree import ClaimedTree
    from ion_cli.zk.feed import Submission

Progress = Callable[[str], None]
TREE_MAX_BYTES = 512 << 20
_ROOT_AT_HEAD = re.compile(rb'"root":\s*"(0x[0-9a-fA-F]{64})"')


class ChallengeUnprovable(IonError):
    """The submission is false but no fraud proof can be built here (its tree is missing)."""


class NothingToChallenge(IonError):
    """No pending submission in its window (exit 3: nothing was sent)."""

    exit_code = 3


def default_tree_dir() -> Path:
    """Where published trees are looked for by default (and where `ion prove` users may drop
    the trees others publish)."""
    from ion_cli.paths import data_dir

    return data_dir() / "trees"


@dataclass(frozen=True)
class Judgement:
    market: str
    feed: str
    submission: Submission
    claim: Claim
    sound: bool
    verdict: Verdict | None = None  # from the submitter's tree, when it was needed
    why: str = ""  # for people: why sound / what is false
    proof: FraudProof | None = None
    tree_file: str | None = None
    checked: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "market": self.market,
            "feed": self.feed,
            "submission": self.submission.to_json(),
            "commitment": self.claim.to_json(),
            "sound": self.sound,
            "why": self.why,
            "finding": self.verdict.finding.to_json()
            if self.verdict and self.verdict.finding
            else None,
            "fraud_proof": self.proof.function if self.proof else None,
            "tree_file": self.tree_file,
            "checked": self.checked,
        }


def feed_of(session: Session, market: str) -> str:
    from ion_cli.flows.submit import feed_address

    return feed_address(session, market)


def pending(session: Session, market: str) -> list[dict[str, Any]]:
    """The feed's submissions still pending (in their window or waiting to be finalized), with
    their deadlines: what `ion oracle show` lists."""
    from ion_cli.zk.feed import read_pending

    feed = feed_of(session, market)
    reader = session.reader()
    now = int(reader.block("latest")["timestamp"])
    return [
        {**s.to_json(now), "finalizable": s.finalizable(now)} for s in read_pending(reader, feed)
    ]


def pick_submission(session: Session, feed: str, wanted: int | None) -> Submission:
    """Submission `wanted`, or the newest one still open to challenge."""
    from ion_cli.zk.challenge_chain import read_known_submissions

    reader = session.reader()
    if wanted is not None:
        return read_known_submissions(reader, feed, [wanted])[0]
    now = int(reader.block("latest")["timestamp"])
    open_ = [s for s in read_known_submissions(reader, feed) if s.open(now)]
    if not open_:
        raise NothingToChallenge(f"no submission of {feed} is pending in its challenge window")
    return open_[-1]


# The last states read, by root: a state is its root (checked before it is kept), so a cached
# one is as good as a fresh read; judging several submissions of one block (the watch, a run of
# `ion challenge` in one process) reads the state once. Two: a mainnet state is ~300 MB parsed.
_STATES: dict[str, StateTree] = {}
_STATES_KEPT = 2


def load_state(session: Session, state_root: str, progress: Progress) -> StateTree:
    """The beacon state at `state_root` from the beacon node as SSZ, its root checked."""
    cached = _STATES.get(state_root.lower())
    if cached is not None:
        return cached
    tree = _read_state(session, state_root, progress)
    while len(_STATES) >= _STATES_KEPT:
        del _STATES[next(iter(_STATES))]
    _STATES[state_root.lower()] = tree
    return tree


def _read_state(session: Session, state_root: str, progress: Progress) -> StateTree:
    from ion_cli.beacon import proofs
    from ion_cli.beacon.errors import NotTheState
    from ion_cli.flows.beacon_source import beacon_options
    from ion_cli.flows.validators import open_client

    progress(f"reading the beacon state {state_root[:12]}… as SSZ")
    with open_client(beacon_options(session, None, progress)) as client:
        raw = client.state_ssz(state_root)
    try:
        tree = proofs.state_tree(raw)
    except proofs.ProofError as exc:
        raise NotTheState(f"the node's SSZ state does not parse: {exc}") from None
    got = "0x" + tree.root().hex()
    if got != state_root.lower():
        raise NotTheState(
            f"the node's SSZ state hashes to {got[:14]}…, not the submission's state root "
            f"{state_root[:14]}…"
        )
    return tree


def find_tree(trees: Sequence[Path], root: str) -> tuple[ClaimedTree, Path] | None:
    """The tree file among `trees` (files, or folders searched for *.json) whose nodes hash to
    `root`."""
    from ion_cli.zk import challenge_tree as ct
    from ion_cli.zk.sumtree import SumTreeError

    candidates: list[Path] = []
    for t in trees:
        if t.is_dir():
            candidates += sorted(p for p in t.rglob("*.json") if p.is_file())
        elif t.is_file():
            candidates.append(t)
    for path in candidates:
        try:
            if path.stat().st_size > TREE_MAX_BYTES:
                continue
            with path.open("rb") as f:
                head = f.read(4096)
            if b"ion-sumtree" not in head:
                continue
            named = _ROOT_AT_HEAD.search(head)
            if named is not None and named.group(1).decode().lower() != root.lower():
                continue  # a file names its root first: not this one (no need to rebuild it)
            tree = ct.from_json(json.loads(path.read_text()))
        except (OSError, ValueError, SumTreeError):
            continue
        if "0x" + tree.root.hash.hex() == root.lower():
            return tree, path
    return None


def judge(
    session: Session,
    market: str,
    submission: int | None,
    trees: Sequence[Path],
    progress: Progress,
) -> Judgement:
    from ion_cli.zk import challenge_chain as cc
    from ion_cli.zk import challenge_find as cf
    from ion_cli.zk import challenge_proof as cpf
    from ion_cli.zk import sumtree
    from ion_cli.zk.challenge_state import StateTruth, normalize_credentials

    feed = feed_of(session, market)
    symbol = session.profile.market(market).symbol
    reader = session.reader()
    sub = pick_submission(session, feed, submission)
    claim, credentials = cc.submission_inputs(reader, feed, sub)
    state = load_state(session, sub.state_root, progress)
    if state.slot != sub.slot:
        raise IonError(f"the state is at slot {state.slot}, the submission at {sub.slot}")
    truth = StateTruth(state, normalize_credentials(credentials))
    members = [truth.record(i) for i in truth.members()]
    progress(f"building the sound tree of {len(members)} validators")
    sound = sumtree.build([m for m in members if m is not None], truth.epoch)
    c = sound.commitment()
    other = cf.other_slashed_of(truth.slashings_total, claim)
    checked = {
        "validators": len(members),
        "state_root": sub.state_root,
        "epoch": truth.epoch,
        "sound_root": c.root,
        "other_slashed": other,
    }
    same = (
        c.root == claim.root.lower()
        and tuple(c.sums) == tuple(claim.sums)
        and c.first_index == claim.first_index
        and c.last_index == claim.last_index
        and (other is None or other == claim.other_slashed)
    )
    if same:
        return Judgement(
            symbol,
            feed,
            sub,
            claim,
            sound=True,
            why=f"the commitment is the state's: {len(members)} validators with the "
            "snapshotted credentials, their fields, balances and sums, and the network input",
            checked=checked,
        )
    found = find_tree([*trees, default_tree_dir()], claim.root)
    if found is None:
        raise ChallengeUnprovable(
            f"submission {sub.id} is false (its committed root {claim.root[:14]}… is not the "
            f"state's {c.root[:14]}…), but its tree is not at hand: pass the file its "
            "submitter published with --tree"
        )
    tree, path = found
    verdict = cf.find(claim, tree, truth)
    if verdict.sound or verdict.finding is None:
        why = verdict.unverifiable or "the submitter's tree shows no disagreement"
        raise ChallengeUnprovable(f"submission {sub.id} is false, but {why}")
    proof = cpf.build(sub.id, claim, tree, state, credentials, verdict.finding)
    return Judgement(
        symbol,
        feed,
        sub,
        claim,
        sound=False,
        verdict=verdict,
        why=verdict.finding.detail,
        proof=proof,
        tree_file=str(path),
        checked=checked,
    )


def challenge_call(session: Session, judgement: Judgement) -> Any:
    from ion_cli.chain.contracts import Contract
    from ion_cli.zk.challenge_chain import challenges_address

    assert judgement.proof is not None and judgement.verdict is not None
    finding = judgement.verdict.finding
    assert finding is not None
    target = challenges_address(session.reader(), judgement.feed)
    interface = "RiskFeedChallenges" if target.lower() != judgement.feed.lower() else "RiskFeed"
    return Contract(target, interface=interface).function(judgement.proof.function)(
        *judgement.proof.args,
        description=f"prove submission {judgement.submission.id} false ({finding.kind}): "
        f"{finding.detail}",
    )


def challenge(session: Session, j: Judgement, options: WriteOptions) -> ChallengeResult:
    """Send the fraud proof of a false submission (a sound one: nothing to send)."""
    from ion_cli.challenge_results import ChallengeResult

    if j.sound:
        return ChallengeResult(
            plan=None,
            dry_run=options.dry_run,
            execution=None,
            position=None,
            judgement=j.to_json(),
            sound=True,
        )
    now = int(session.reader().block("latest")["timestamp"])
    if not j.submission.open(now):
        raise NothingToChallenge(
            f"submission {j.submission.id} is false ({j.why}) but it is {j.submission.status}"
            + (" and its window has passed" if j.submission.status == "pending" else "")
            + ": nothing to send"
        )
    call = challenge_call(session, j)
    assert j.verdict is not None and j.verdict.finding is not None
    bond = j.submission.bond_wei
    plan = Plan(
        title=f"Prove the {j.market} submission {j.submission.id} false",
        calls=[call],
        summary={
            "market": j.market,
            "submission": str(j.submission.id),
            "slot": str(j.submission.slot),
            "lie": j.why,
            "fraud proof": f"{j.proof.function if j.proof else ''} ({j.verdict.finding.kind})",
            "bond at stake": f"{bond / 10**18:.6f} ETH",
            "window ends": str(j.submission.deadline),
        },
        json_summary={
            "action": "challenge",
            "market": j.market,
            "submission": j.submission.id,
            "kind": j.verdict.finding.kind,
            "function": j.proof.function if j.proof else None,
            "bond_wei": str(bond),
        },
    )
    result = run_plan(session, plan, options)
    return ChallengeResult(
        plan=plan.to_json(),
        dry_run=options.dry_run,
        execution=result,
        position=None,
        judgement=j.to_json(),
        sound=False,
    )


def finalize(
    session: Session, market: str, submission: int | None, options: WriteOptions
) -> FinalizeResult:
    """`finalize(id)`: the given submission, or every pending one whose window has passed
    (oldest first, in one plan)."""
    from ion_cli.chain.contracts import Contract
    from ion_cli.challenge_results import FinalizeResult
    from ion_cli.zk.challenge_chain import read_known_submissions

    feed = feed_of(session, market)
    symbol = session.profile.market(market).symbol
    reader = session.reader()
    now = int(reader.block("latest")["timestamp"])
    subs = read_known_submissions(reader, feed, None if submission is None else [submission])
    ready = [s for s in subs if s.status == "pending" and now >= s.deadline]
    if submission is not None and not ready:
        s = subs[0]
        if s.status != "pending":
            raise NothingToChallenge(f"submission {s.id} is {s.status}: nothing to finalize")
        raise NothingToChallenge(
            f"submission {s.id}'s challenge window ends in {s.deadline - now} s "
            "(`ion devnet advance` moves the devnet's clock)"
        )
    if not ready:
        raise NothingToChallenge(f"no submission of {feed} is waiting to be finalized")
    feed_c = Contract(feed, interface="RiskFeed")
    calls = [
        feed_c.finalize(s.id, description=f"finalize submission {s.id} (slot {s.slot})")
        for s in ready
    ]
    plan = Plan(
        title=f"Finalize {len(ready)} {symbol} risk submission(s)",
        calls=calls,
        summary={
            "market": symbol,
            "submissions": ", ".join(str(s.id) for s in ready),
            "haircut of the newest": f"{ready[-1].haircut_wad / 10**18:.6f}",
        },
        json_summary={
            "action": "finalize",
            "market": symbol,
            "submissions": [s.id for s in ready],
        },
    )
    result = run_plan(session, plan, options)
    after = [] if options.dry_run else read_known_submissions(reader, feed, [s.id for s in ready])
    return FinalizeResult(
        plan=plan.to_json(),
        dry_run=options.dry_run,
        execution=result,
        position=None,
        feed=feed,
        submissions=[s.to_json(now) for s in after or ready],
    )
