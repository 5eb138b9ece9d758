"""`ion submit`: hand a risk proof to a market's RiskFeed with its bond; it is then pending.

Order: read the receipt folder (receipt.json + proof.json) -> find the market's risk feed (the
devnet has one per market; mainnet markets do not read one, so a feed must be configured) ->
read the feed's bond and window -> ask the feed, by an eth_call from the sender carrying the
bond, whether it would accept the proof (a rejection is decoded into a sentence and nothing is
sent) -> the transaction pipeline (simulate, preview, confirm, send) with `submit{value: bond}`
-> the receipt records chain id, feed and transaction -> the result carries the pending
submission (id, deadline), the feed's final score (unchanged) and the user's position.

The permissionless feed (issue 23) moves no rate on a submission: anyone may challenge it in
one step until its deadline, and `ion oracle finalize` (anyone, after the deadline) makes it the
final score the reserve oracle reads; the bond comes back then.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ion_cli.chain.plan import Plan
from ion_cli.errors import IonError, RefusedError, UsageError
from ion_cli.flows.figures import WAD, text
from ion_cli.flows.session import Session
from ion_cli.flows.writes import WriteOptions, run_plan
from ion_cli.oracle_results import FeedScore, FeedSubmission, OracleView
from ion_cli.zk import layout
from ion_cli.zk.receipt_keys import nested as _get

if TYPE_CHECKING:
    from ion_cli.chain.rpc import Reader
    from ion_cli.results import SubmitResult, WriteResult

RECEIPT = "receipt.json"
PROOF = "proof.json"


class ProofRejected(IonError):
    """The feed refuses the proof; the message says why in plain words."""


@dataclass(frozen=True)
class ReceiptFolder:
    receipt_path: Path
    data: dict[str, Any]
    proof: bytes
    instances: list[int]
    lrt: str | None
    slot: int
    state_root: str
    block_root: str
    model_hash: str | None


def load_receipt(path: Path) -> ReceiptFolder:
    """A receipt file or its folder; the proof is `proof.json` beside it."""
    from ion_cli.zk.feed import load_proof

    target = path / RECEIPT if path.is_dir() else path
    if not target.is_file():
        raise UsageError(
            f"no receipt at {target} (pass a receipt.json or the folder `ion prove` wrote)"
        )
    try:
        data = json.loads(target.read_text())
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read the receipt {target}: {exc}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{target} is not a receipt (not a JSON object)")
    proof_file = target.parent / PROOF
    if not proof_file.is_file():
        raise UsageError(f"no {PROOF} beside the receipt {target}")
    try:
        proof, instances = load_proof(proof_file)
    except IonError as exc:
        raise UsageError(exc.message) from None
    slot = _get(data, "beacon", "slot")
    state_root = _get(data, "beacon", "state_root")
    block_root = _get(data, "beacon", "block_root") or "0x" + "00" * 32
    if not isinstance(slot, int) or not isinstance(state_root, str):
        raise UsageError(f"the receipt {target} names no beacon slot and state root")
    lrt = data.get("lrt")
    return ReceiptFolder(
        receipt_path=target,
        data=data,
        proof=proof,
        instances=instances,
        lrt=str(lrt) if lrt else None,
        slot=slot,
        state_root=state_root,
        block_root=str(block_root),
        model_hash=_get(data, "model", "sha256"),
    )


# ---- what a rejection means --------------------------------------------------------------------


def _root(value: Any) -> str:
    return "0x" + bytes(value).hex() if isinstance(value, bytes | bytearray) else str(value)


def _restaking_name(index: object) -> str:
    from ion_cli.zk.layout import RESTAKING_NAMES

    i = index if isinstance(index, int) else -1
    return RESTAKING_NAMES[i] if 0 <= i < len(RESTAKING_NAMES) else str(index)


def explain(
    name: str, args: dict[str, Any], bound_to: Callable[[str], str | None] | None = None
) -> str:
    """The RiskFeed's custom errors, in words. `bound_to(model_id)` names the token a model id
    was made for, when it is one of the known tokens with ion's model."""
    a = args
    messages: dict[str, Callable[[], str]] = {
        "InvalidProof": lambda: (
            "the proof does not verify against the feed's verifier (a tampered proof, tampered "
            "public inputs, or a proof made with another verifying key)"
        ),
        "WrongBond": lambda: (
            f"the feed takes a bond of exactly {a.get('bond')} wei with a submission, not "
            f"{a.get('sent')}"
        ),
        "FeedPaused": lambda: (
            "the feed's owner paused it (an emergency stop: no submission or finalization until "
            "it is lifted; challenges and the current rate go on)"
        ),
        "BeaconRootUnavailable": lambda: (
            f"the chain's EIP-4788 contract holds no beacon root for the execution block at "
            f"{a.get('timestamp')} (never fed, or overwritten: older than its ring of 8191)"
        ),
        "HeaderNotAnchored": lambda: (
            f"the chain's beacon root there is {_root(a.get('beaconRoot'))}, not the proven "
            f"block's {_root(a.get('headerRoot'))}: the chain does not know this block"
        ),
        "SlotMismatch": lambda: (
            f"the proof is of slot {a.get('proven')}, the anchored block of slot {a.get('header')}"
        ),
        "WrongInstanceCount": lambda: (
            f"the proof has {a.get('got')} public inputs; the feed's layout has {a.get('expected')}"
        ),
        "MalformedInstance": lambda: (
            f"public input {a.get('index')} is not a value the layout allows (tampered inputs?)"
        ),
        "ScoreOutOfRange": lambda: "the proven score is outside the range the model can produce",
        "WrongModel": lambda: _wrong_model(
            _root(a.get("committed")), _root(a.get("expected")), bound_to
        ),
        "StateRootMismatch": lambda: (
            f"the anchored block's state root ({_root(a.get('submitted'))}) is not the one the "
            f"proof commits to ({_root(a.get('committed'))})"
        ),
        "SlotInFuture": lambda: f"slot {a.get('slot')} lies in the future of this chain's clock",
        "StaleSlot": lambda: (
            f"slot {a.get('slot')} is {a.get('age')} s old, beyond the feed's freshness bound "
            f"of {a.get('maxAge')} s: prove a recent finalized state"
        ),
        "SlotNotNewer": lambda: (
            f"slot {a.get('slot')} is not newer than the last accepted slot {a.get('lastSlot')} "
            "(the feed takes only states newer than its final one)"
        ),
        "AlreadySubmitted": lambda: (
            f"this proof (slot {a.get('slot')}, state root {_root(a.get('stateRoot'))}) was "
            "already accepted, or is pending: a replay"
        ),
        "WrongIlk": lambda: "the feed serves another collateral index",
        "FeaturesMismatch": lambda: (
            f"feature {a.get('index')} computed on chain from the committed snapshot's sums is "
            f"{a.get('fromSums')}, the proof carries {a.get('proven')}: the proof's features "
            "are not those of the committed validators"
        ),
        "NetworkInputOutOfRange": lambda: (
            f"the network's active balance the receipt commits ({a.get('networkActive')} Gwei) "
            f"is outside the feed's bounds [{a.get('min')}, {a.get('max')}]"
        ),
        "EmptyCommitment": lambda: "the committed snapshot holds no validators",
        # the window, finalize and challenges (ion oracle finalize, ion challenge)
        "NoSuchSubmission": lambda: f"the feed has no submission {a.get('id')}",
        "NotPending": lambda: (
            f"submission {a.get('id')} is no longer pending (it is "
            f"{_status(a.get('status'))}): nothing to finalize or challenge"
        ),
        "WindowOpen": lambda: (
            f"submission {a.get('id')}'s challenge window is open until {a.get('deadline')}: "
            "it can be finalized from then"
        ),
        "WindowClosed": lambda: (
            f"submission {a.get('id')}'s challenge window closed at {a.get('deadline')}: too "
            "late to challenge it"
        ),
        "CommitmentMismatch": lambda: (
            f"the commitment given is not the one submission {a.get('id')} stored (its hash is "
            f"{_root(a.get('stored'))}): read it from the submit transaction"
        ),
        "NothingOwed": lambda: f"the feed owes {a.get('account')} nothing",
        "TransferFailed": lambda: f"the feed could not send {a.get('amount')} wei to {a.get('to')}",
        "InvalidBond": lambda: "the feed's bond parameters are invalid (a deployment error)",
        "NotChallenges": lambda: "only the feed's challenges contract may reject a submission",
        "RestakingMismatch": lambda: (
            f"restaking feature {_restaking_name(a.get('index'))} is {a.get('onChain')} on chain "
            f"at the proof's pinned block, the proof says {a.get('proven')}: prove again"
        ),
        "BlockNotPast": lambda: (
            f"the proof's pinned block {a.get('pinnedBlock')} is not before the current block "
            f"{a.get('currentBlock')}: wait a block and submit again"
        ),
        "BlockTooOld": lambda: (
            f"the proof's pinned block {a.get('pinnedBlock')} is {a.get('age')} blocks old (at "
            f"most {a.get('maxAge')}): prove again"
        ),
    }
    make = messages.get(name)
    return make() if make else name


def _status(value: Any) -> str:
    from ion_cli.zk.feed import STATUSES

    try:
        return STATUSES[int(value)]
    except (TypeError, ValueError, IndexError):
        return str(value)


def _wrong_model(
    committed: str, expected: str, bound_to: Callable[[str], str | None] | None
) -> str:
    token = bound_to(committed) if bound_to else None
    if token:
        return (
            f"the proof rates the validators behind {token} (its model id {committed} binds "
            f"ion's model to {token}); this feed takes only proofs of its own token (model id "
            f"{expected}): submit it to the {token} market"
        )
    return (
        f"the proof was made with another model or for another token (model id {committed}; "
        f"the feed takes {expected})"
    )


def token_of_model_id(session: Session, model_hash: str | None) -> Callable[[str], str | None]:
    """Which market's token a model id stands for, given the model hash (None if no market's)."""

    def find(committed: str) -> str | None:
        if not model_hash:
            return None
        for market in session.profile.markets.values():
            try:
                if layout.model_id(model_hash, market.symbol) == committed.lower():
                    return market.symbol
            except layout.LayoutError:
                return None
        return None

    return find


def _precheck(
    reader: Reader,
    feed: str,
    sender: str,
    data: bytes,
    bound_to: Callable[[str], str | None] | None = None,
    value: int = 0,
) -> None:
    """eth_call the submission (with its bond) from the sender; a revert becomes
    ProofRejected."""
    from ion_cli.chain.client import node_error
    from ion_cli.chain.revert import decode_exception

    call = {"from": sender, "to": feed, "data": "0x" + data.hex(), "value": hex(value)}
    try:
        reader.request("eth_call", [call, "latest"], "asking the feed about the proof")
    except Exception as exc:
        decoded = decode_exception(exc)
        if decoded is None:
            raise node_error(exc, reader.url, "asking the feed about the proof") from None
        if decoded.name:
            reason = explain(decoded.name, decoded.args, bound_to)
            raise ProofRejected(f"rejected: {reason}") from None
        raise ProofRejected(f"rejected: the feed reverted ({decoded.text})") from None


# ---- the flow ----------------------------------------------------------------------------------


def feed_address(session: Session, symbol: str) -> str:
    market = session.profile.market(symbol)
    if market.risk_feed:
        return market.risk_feed
    if session.profile.chain_id == 1:
        raise RefusedError(
            f"on mainnet the {market.symbol} market's reserve oracle does not read a risk feed "
            "(Ion's oracles fixed their feeds at deployment): a proof would change no rate. To "
            "submit to a RiskFeed you deployed, set markets."
            f"{market.symbol}.risk_feed in a network profile of the config file"
        )
    if session.is_devnet:
        raise UsageError(
            f"this devnet's {market.symbol} market has no risk feed (deployed before risk "
            "feeds existed): run `ion devnet reset`"
        )
    raise UsageError(
        f"no risk feed is configured for the {market.symbol} market on {session.profile.name}: "
        f"set markets.{market.symbol}.risk_feed in the config file"
    )


def intent(session: Session, path: Path, symbol: str) -> str:
    """Check what needs no account or node (the whole receipt, as `ion verify` does offline,
    its network and token, the market's feed), then name this submission for the journal: the
    market and the proof's hash, so that a rerun of the same `ion submit` finds an interrupted
    or already-mined one."""
    import hashlib

    receipt = check_whole(session, path)
    _check_market(receipt, session.profile.market(symbol).symbol)
    feed_address(session, symbol)
    _check_network(session, receipt)
    digest = hashlib.sha256(receipt.proof).hexdigest()[:16]
    return f"submit {symbol.strip().lower()} {digest}"


def check_whole(session: Session, path: Path, *, online: bool = False) -> ReceiptFolder:
    """Every check of `ion verify` (offline ones; with `online`, also a recorded submission
    against this session's chain): any failure refuses the submission, naming the check (exit
    1, nothing sent). Returns the receipt folder, read once it passed."""
    from ion_cli.flows.prove import VerificationFailed, verify

    report = verify(path, lambda _: None, session=session if online else None)
    failure = report.first_failure()
    if failure is not None and "model id" in failure.name:
        _explain_other_token(session, load_receipt(path))
    if failure is not None:
        raise VerificationFailed(
            f"refused: the receipt fails `ion verify` at '{failure.name}'"
            + (f": {failure.detail}" if failure.detail else "")
        )
    return load_receipt(path)


def _check_network(session: Session, receipt: ReceiptFolder) -> None:
    """The proof was made for this network (its SRS and feed are this network's)."""
    from ion_cli.flows.network import network_name
    from ion_cli.flows.prove import VerificationFailed

    mine = network_name(session)[0]
    theirs = receipt.data.get("network")
    if theirs != mine:
        raise VerificationFailed(
            f"refused: the receipt fails the check 'network': the proof was made for "
            f"{theirs}, this is {mine}"
        )


def _explain_other_token(session: Session, receipt: ReceiptFolder) -> None:
    """A receipt relabelled to another token: when the proof's model id is ion's model bound
    to a known token, say which (the feed's WrongModel would say the same)."""
    try:
        proven = layout.decode(receipt.instances).inputs.model_id
    except layout.LayoutError:
        return
    token = token_of_model_id(session, receipt.model_hash)(proven)
    if token and token.lower() != str(receipt.lrt or "").lower():
        raise ProofRejected(
            f"rejected: the proof rates the validators behind {token} (its model id {proven}), "
            f"though the receipt says {receipt.lrt}: submit it to the {token} market"
        )


def _check_market(receipt: ReceiptFolder, symbol: str) -> None:
    # A proof of another token's validators is a rejected proof (exit 1, as the feed's own
    # WrongModel would be), said before anything is read from the chain.
    if receipt.lrt and receipt.lrt.lower() != symbol.lower():
        raise ProofRejected(
            f"rejected: the proof rates the validators behind {receipt.lrt}, not {symbol}: "
            f"submit it to the {receipt.lrt} market"
        )


def submit(session: Session, path: Path, symbol: str, options: WriteOptions) -> SubmitResult:
    from ion_cli.flows.anchor_submit import anchor_timestamp, receipt_header
    from ion_cli.flows.oracle import market_oracle
    from ion_cli.results import SubmitResult
    from ion_cli.zk.feed import ProofCall, commitment_tuple, read_latest, read_terms, submit_call

    receipt = check_whole(session, path, online=True)
    market = session.profile.market(symbol)
    _check_market(receipt, market.symbol)
    feed = feed_address(session, symbol)
    _check_network(session, receipt)
    # What is previewed, sent and recorded comes from the proof's public instances, never from
    # the receipt's text (which `check_whole` found equal to them).
    try:
        proven = layout.decode(receipt.instances)
    except layout.LayoutError as exc:
        raise ProofRejected(f"rejected: the public inputs do not fit the layout ({exc})") from None
    slot, state_root, score = proven.inputs.slot, proven.inputs.state_root, proven.score
    reader = session.reader()
    me = session.account().address
    latest_before = read_latest(session.reader(), feed)
    terms = read_terms(session.reader(), feed)
    # EIP-4788 anchoring (ion_cli.flows.anchor_submit): the block's header and the execution
    # timestamp whose beacon root is the block's root.
    header = receipt_header(session, receipt.data)
    call = ProofCall(
        proof=receipt.proof,
        instances=receipt.instances,
        anchor_timestamp=anchor_timestamp(session, header, latest_before.genesis_time),
        header=header,
        commitment=commitment_tuple(receipt.data.get("commitment")),
    )
    oracle = market_oracle(session, symbol)
    reads_feed = oracle.reads_feed(feed)
    if not reads_feed:
        options.observer.on_warning(
            f"the {market.symbol} reserve oracle does not read the feed {feed}: the proof will be "
            "recorded there but changes no reserve rate"
        )
    # The feed's own verdict first: a rejection is its reason, in words, and nothing is sent.
    bound_to = token_of_model_id(session, receipt.model_hash)
    _precheck(reader, feed, me, submit_call(feed, call, "", terms.bond).data, bound_to, terms.bond)

    haircut = layout.haircut_wad(score)
    feed_rate_after = layout.risk_adjusted_rate(oracle.protocol_rate, haircut)
    submission = submit_call(
        feed,
        call,
        f"submit the {market.symbol} risk proof for slot {slot} (haircut {text(haircut, WAD)}, "
        f"bond {text(terms.bond, WAD)} ETH)",
        terms.bond,
    )
    summary = {
        "market": market.symbol,
        "slot": str(slot),
        "state root": state_root,
        "score": f"{score / layout.SCORE_ONE:.4f} (clamped to [0, 1])",
        "haircut": text(haircut, WAD) or "0",
        "bond": f"{text(terms.bond, WAD)} ETH (back at finalize; lost if a challenge proves the "
        "proof false)",
        "pending": f"{terms.window} s challenge window; then `ion oracle finalize "
        f"{market.symbol}` makes it final",
        "feed rate once final": f"{text(oracle.protocol_rate, WAD)} -> "
        f"{text(feed_rate_after, WAD)}",
    }
    plan = Plan(
        title=f"Submit a risk proof to the {market.symbol} risk feed",
        calls=[submission],
        summary=summary,
        json_summary={
            "action": "submit",
            "market": market.symbol,
            "feed": feed,
            "slot": slot,
            "state_root": state_root,
            "score": score,
            "haircut_wad": str(haircut),
            "bond_wei": str(terms.bond),
            "window_seconds": terms.window,
            "updates_reserve_rate": False,
        },
    )
    result = run_plan(session, plan, options)
    if options.dry_run:
        return SubmitResult(
            plan=plan.to_json(),
            dry_run=True,
            execution=result,
            position=None,
            feed=feed,
            previous=FeedScore.of(latest_before.to_json()),
            receipt=str(receipt.receipt_path),
        )
    _record_submission(
        receipt, session, feed, result.steps[0].tx_hash, result.steps[0].block_number
    )
    after = market_oracle(session, symbol)
    pending = _pending_of(session, feed, me, slot, state_root, after.now)
    return SubmitResult(
        plan=plan.to_json(),
        dry_run=False,
        execution=result,
        position=_position(session, symbol, me, options),
        accepted=True,
        feed=feed,
        previous=FeedScore.of(latest_before.to_json()),
        latest=FeedScore.of(read_latest(reader, feed).to_json(after.now)),
        oracle=OracleView.of(after.to_json()),
        receipt=str(receipt.receipt_path),
        reserve_rate_updated=False,
        next_update=_pending_message(pending, market.symbol),
        pending=None if pending is None else FeedSubmission.of(pending),
    )


def _pending_of(
    session: Session, feed: str, me: str, slot: int, state_root: str, now: int
) -> dict[str, Any] | None:
    """The submission just made (the newest pending one of this sender, slot and state)."""
    from ion_cli.zk.feed import read_pending

    try:
        mine = [
            p
            for p in read_pending(session.reader(), feed)
            if p.submitter.lower() == me.lower()
            and p.slot == slot
            and p.state_root.lower() == state_root.lower()
        ]
    except IonError:
        return None
    return max(mine, key=lambda p: p.id).to_json(now) if mine else None


def _pending_message(pending: dict[str, Any] | None, symbol: str) -> str:
    if pending is None:
        return f"pending for the feed's challenge window: then `ion oracle finalize {symbol}`"
    return (
        f"submission {pending['id']} is pending until {pending['deadline']} (in "
        f"{pending.get('seconds_left', 0)} s; anyone may challenge it until then): then "
        f"`ion oracle finalize {symbol}` makes it final and the reserve oracle follows"
    )


def completed(session: Session, path: Path, symbol: str, done: WriteResult) -> SubmitResult:
    """The result of a submission that an earlier, interrupted run sent (the journal finished
    it or found it mined): the receipt records it, the feed and oracle are read back."""
    from ion_cli.flows.oracle import market_oracle
    from ion_cli.flows.tx import account_journal
    from ion_cli.results import SubmitResult
    from ion_cli.zk.feed import read_latest

    receipt = load_receipt(path)
    feed = feed_address(session, symbol)
    plan_id = str((done.plan or {}).get("plan_id", ""))
    journal = account_journal(session)[0]
    steps = sorted(
        (e for e in journal.plan_entries(plan_id) if e.state == "mined"),
        key=lambda e: e.step,
    )
    first = steps[0] if steps and steps[0].step == 0 else None
    if first is not None and first.status == 1:
        _record_submission(receipt, session, feed, first.hash, first.block_number)
    after = market_oracle(session, symbol)
    latest = read_latest(session.reader(), feed).to_json(after.now)
    return SubmitResult(
        plan=done.plan,
        dry_run=False,
        execution=done.execution,
        position=done.position,
        accepted=first is not None and first.status == 1,
        feed=feed,
        latest=FeedScore.of(latest),
        oracle=OracleView.of(after.to_json()),
        receipt=str(receipt.receipt_path),
        reserve_rate_updated=len(steps) > 1,
    )


def _position(session: Session, symbol: str, me: str, options: WriteOptions) -> Any:
    try:
        from ion_cli.flows.position import positions

        rows = positions(session, symbol, me)
        return rows[0] if rows else None
    except IonError as exc:
        options.observer.on_warning(
            f"submitted, but the position could not be read back: {exc.message}"
        )
        return None


def _record_submission(
    receipt: ReceiptFolder, session: Session, feed: str, tx_hash: str | None, block: int | None
) -> None:
    """The receipt gains `submission` (chain id, feed, transaction), written atomically."""
    data = dict(receipt.data)
    data["submission"] = {
        "network": session.profile.name,
        "chain_id": session.profile.chain_id,
        "feed": feed,
        "tx_hash": tx_hash,
        "block": block,
    }
    target = receipt.receipt_path
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    tmp.replace(target)
