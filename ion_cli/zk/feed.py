"""The on-chain side of risk proofs: the RiskFeed contract's parameters, reads and calls.

The devnet deploys one RiskFeed per market (the ReserveOracle's FEED0, QUORUM 1) and one
Halo2Verifier shared by them (see `ion_cli.devnet.deploy`). This module knows what the feed
needs at deployment (`verifier_meta`, `DevnetFeedParams`), how to encode a submission from a
proof's files (with its bond), how to read the final score back (`read_latest`), the bond and
window (`read_terms`), pending submissions (`read_pending`, `read_submissions`), and the calls
of `finalize` and of the fraud proofs (`finalize_call`, `challenge_call`; their arguments:
`ion_cli.zk.feed_proofs`). No printing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ion_cli.beacon.proofs import Header
from ion_cli.errors import IonError
from ion_cli.zk import layout

FEED_ARTIFACT = "RiskFeed"
VERIFIER_ARTIFACT = "Halo2Verifier"
ZERO_ROOT = "0x" + "00" * 32
SECONDS_PER_SLOT = 12

# The devnet's feed parameters: a proven slot may be up to two hours old (a finalized state is
# about 13 minutes behind the head; proving takes seconds); the haircut spans layout's range.
# The bound stays inside EIP-4788's ring: the anchoring block's timestamp is after the proven
# slot began, so it is less than 7,200 s old, and no newer block can have overwritten its entry
# (that takes a block exactly 8,191 s later), however fast or slow the devnet makes blocks.
DEVNET_MAX_SLOT_AGE = 2 * 3600
RING_SECONDS = 8191  # EIP-4788's HISTORY_BUFFER_LENGTH, in timestamps
assert DEVNET_MAX_SLOT_AGE < RING_SECONDS


class VerifierMetaError(IonError):
    """The shipped verifier's metadata (ion_cli/zk/verifier.json) is missing or damaged."""


@dataclass(frozen=True)
class VerifierMeta:
    """What the shipped Halo2Verifier was generated from (ion_cli/zk/verifier.json)."""

    model_hash: str
    settings_hash: str
    vk_hash: str
    srs_hash: str
    ezkl_version: str
    logrows: int | None
    num_instances: int | None


def verifier_meta() -> VerifierMeta:
    try:
        text = (resources.files("ion_cli.zk") / "verifier.json").read_text()
        data = json.loads(text)
        return VerifierMeta(
            model_hash=str(data["model_hash"]),
            settings_hash=str(data["settings_hash"]),
            vk_hash=str(data["vk_hash"]),
            srs_hash=str(data["srs_hash"]),
            ezkl_version=str(data["ezkl_version"]),
            logrows=data.get("logrows"),
            num_instances=data.get("num_instances"),
        )
    except (OSError, ValueError, KeyError) as exc:
        raise VerifierMetaError(
            f"the shipped verifier's metadata is unreadable ({exc}): "
            "run `python -m ion_cli.zk.build_verifier`"
        ) from None


# The bounds of the network-level input T (the network's total active balance, Gwei) a devnet
# feed accepts: T is not one state field (it sums every validator), so it cannot be disputed in
# one step; the feed bounds it instead. A mainnet feed would pin it near the real figure (for
# example 30M-40M ETH); the devnet's network is small (about 0.5M ETH), so its bounds are wide.
DEVNET_MIN_NETWORK_ACTIVE = 32 * 10**9
DEVNET_MAX_NETWORK_ACTIVE = 100_000_000 * 10**9


# The permissionless feed's bond and window on the devnet (issue 23). The window is short so
# that tests and demos move past it with `ion devnet advance` (one epoch, 384 s, is enough);
# a mainnet feed needs hours (see the README: long enough for a challenger to notice, rebuild
# the snapshot and land a transaction under censorship or congestion). The bond covers the
# dearest challenge (measured under 500k gas) at a ceiling gas price, plus the challenger's
# reward, plus a burn that a submitter challenging its own false submission loses.
DEVNET_CHALLENGE_WINDOW = 300
DEVNET_CHALLENGE_GAS = 500_000
DEVNET_GAS_PRICE_CEILING = 100 * 10**9  # 100 gwei
DEVNET_CHALLENGER_REWARD = 10**16  # 0.01 ETH
DEVNET_BURN = 4 * 10**16  # 0.04 ETH


@dataclass(frozen=True)
class DevnetFeedParams:
    """The RiskFeed constructor's Config, for one market."""

    verifier: str
    rate_source: str
    ilk_index: int
    model_hash: str
    lrt: str  # the token whose validators its proofs rate: bound into the model id
    genesis_time: int
    max_slot_age: int = DEVNET_MAX_SLOT_AGE
    min_haircut: int = layout.H_MIN_WAD
    max_haircut: int = layout.H_MAX_WAD
    credentials: str = ""  # the LRT's ILrtCredentials source
    min_network_active: int = DEVNET_MIN_NETWORK_ACTIVE
    max_network_active: int = DEVNET_MAX_NETWORK_ACTIVE
    challenge_window: int = DEVNET_CHALLENGE_WINDOW
    challenge_gas: int = DEVNET_CHALLENGE_GAS
    gas_price_ceiling: int = DEVNET_GAS_PRICE_CEILING
    challenger_reward: int = DEVNET_CHALLENGER_REWARD
    burn: int = DEVNET_BURN
    restaking: str = ""  # the LRT's IRestakingFeatures (RestakingFeatures.sol)

    @property
    def bond(self) -> int:
        return self.challenge_gas * self.gas_price_ceiling + self.challenger_reward + self.burn

    def config_tuple(self) -> tuple[Any, ...]:
        return (
            self.verifier,
            self.rate_source,
            self.ilk_index,
            bytes.fromhex(self.model_hash.removeprefix("0x")),
            self.lrt,
            self.genesis_time,
            self.max_slot_age,
            self.min_haircut,
            self.max_haircut,
            self.credentials,
            self.min_network_active,
            self.max_network_active,
            self.challenge_window,
            self.challenge_gas,
            self.gas_price_ceiling,
            self.challenger_reward,
            self.burn,
            self.restaking,
        )


# ---- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LatestScore:
    """The feed's latest accepted proof (None fields before the first)."""

    feed: str
    accepted: bool
    slot: int
    accepted_at: int
    haircut_wad: int
    score_wad: int
    state_root: str
    block_root: str
    submitter: str
    model_hash: str
    genesis_time: int = 0
    commitment_hash: str = "0x" + "00" * 32  # keccak256(abi.encode(SnapshotCommitment))
    credentials_hash: str = "0x" + "00" * 32  # the LRT's credential set at submission

    def age_seconds(self, now: int) -> int | None:
        """Seconds since the proven slot began (what staleness is measured by)."""
        return None if not self.accepted else max(0, now - self.slot_time)

    @property
    def slot_time(self) -> int:
        return self.genesis_time + self.slot * SECONDS_PER_SLOT

    def to_json(self, now: int | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "feed": self.feed,
            "accepted": self.accepted,
            "model_hash": self.model_hash,
        }
        if not self.accepted:
            return data
        data.update(
            {
                "slot": self.slot,
                "slot_time": self.slot_time,
                "accepted_at": self.accepted_at,
                "score": str(self.score_wad),
                "score_fraction": self.score_wad / 10**18,
                "haircut_wad": str(self.haircut_wad),
                "haircut_fraction": self.haircut_wad / 10**18,
                "state_root": self.state_root,
                "block_root": self.block_root,
                "submitter": self.submitter,
                "commitment_hash": self.commitment_hash,
                "credentials_hash": self.credentials_hash,
            }
        )
        if now is not None:
            data["age_seconds"] = self.age_seconds(now)
        return data


def _latest_calls(feed: str) -> list[Any]:
    from ion_cli.chain.contracts import Contract

    c = Contract(feed, interface="RiskFeed")
    return [c.latest(), c.MODEL_HASH(), c.GENESIS_TIME()]


def _latest_from(feed: str, answers: Sequence[Any]) -> LatestScore:
    latest, model_hash, genesis = answers
    slot, accepted_at, haircut, score, state_root, block_root, submitter, commit, creds = latest
    return LatestScore(
        feed=feed,
        accepted=int(accepted_at) != 0,
        slot=int(slot),
        accepted_at=int(accepted_at),
        haircut_wad=int(haircut),
        score_wad=int(score),
        state_root="0x" + bytes(state_root).hex(),
        block_root="0x" + bytes(block_root).hex(),
        submitter=str(submitter),
        model_hash="0x" + bytes(model_hash).hex(),
        genesis_time=int(genesis),
        commitment_hash="0x" + bytes(commit).hex(),
        credentials_hash="0x" + bytes(creds).hex(),
    )


def read_latest(source: Any, feed: str, block: int | str = "latest") -> LatestScore:
    """The latest accepted score of the feed at `feed` (a reader or a web3 object)."""
    from ion_cli.chain.rpc import as_reader

    answers = as_reader(source).read(_latest_calls(feed), block, f"reading the risk feed {feed}")
    return _latest_from(feed, answers)


# ---- the permissionless feed: bond, window, pending submissions ------------------------------

STATUSES = ("none", "pending", "final", "rejected", "superseded")  # RiskFeed's Status enum


@dataclass(frozen=True)
class FeedTerms:
    """What a submission costs and how long it waits: the bond (`bond()`: its total and parts,
    wei; a successful challenger receives gas_cover + reward, `burn` stays locked in the feed),
    the challenge window (s), the pause flag and the challenges contract."""

    feed: str
    bond: int
    challenge_gas: int
    gas_price_ceiling: int
    gas_cover: int
    reward: int
    burn: int
    window: int
    paused: bool
    challenges: str

    def to_json(self) -> dict[str, Any]:
        return {
            "feed": self.feed,
            "bond_wei": str(self.bond),
            "bond": {
                "challenge_gas": self.challenge_gas,
                "gas_price_ceiling_wei": str(self.gas_price_ceiling),
                "gas_cover_wei": str(self.gas_cover),
                "reward_wei": str(self.reward),
                "burn_wei": str(self.burn),
            },
            "window_seconds": self.window,
            "paused": self.paused,
            "challenges": self.challenges,
        }


def read_terms(source: Any, feed: str, block: int | str = "latest") -> FeedTerms:
    from ion_cli.chain.contracts import Contract
    from ion_cli.chain.rpc import as_reader

    c = Contract(feed, interface="RiskFeed")
    bond, window, paused, challenges = as_reader(source).read(
        [c.bond(), c.CHALLENGE_WINDOW(), c.paused(), c.CHALLENGES()],
        block,
        f"reading the risk feed {feed}'s bond",
    )
    total, gas, ceiling, cover, reward, burn = (int(x) for x in bond)
    return FeedTerms(
        feed, total, gas, ceiling, cover, reward, burn, int(window), bool(paused), str(challenges)
    )


@dataclass(frozen=True)
class Submission:
    """One bonded submission (`RiskFeed.submission(id)`), with its window's end."""

    id: int
    submitter: str
    slot: int
    status: str  # one of STATUSES
    score_wad: int
    haircut_wad: int
    bond_wei: int
    submitted_at: int
    deadline: int
    state_root: str
    block_root: str
    commitment_hash: str
    credentials_hash: str

    def open(self, now: int) -> bool:
        """Still challengeable (pending, before its deadline)."""
        return self.status == "pending" and now < self.deadline

    def finalizable(self, now: int) -> bool:
        return self.status == "pending" and now >= self.deadline

    def to_json(self, now: int | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "status": self.status,
            "slot": self.slot,
            "submitter": self.submitter,
            "score": str(self.score_wad),
            "score_fraction": self.score_wad / 10**18,
            "haircut_wad": str(self.haircut_wad),
            "haircut_fraction": self.haircut_wad / 10**18,
            "bond_wei": str(self.bond_wei),
            "submitted_at": self.submitted_at,
            "deadline": self.deadline,
            "state_root": self.state_root,
            "block_root": self.block_root,
            "commitment_hash": self.commitment_hash,
            "credentials_hash": self.credentials_hash,
        }
        if now is not None:
            data["seconds_left"] = max(0, self.deadline - now) if self.status == "pending" else 0
        return data


def _hex(value: Any) -> str:
    return "0x" + bytes(value).hex()


def _submission_from(id_: int, raw: Any, window: int) -> Submission:
    submitter, slot, status, score, haircut, bond, at, state, block, commit, creds = raw
    return Submission(
        id=id_,
        submitter=str(submitter),
        slot=int(slot),
        status=STATUSES[int(status)] if int(status) < len(STATUSES) else str(status),
        score_wad=int(score),
        haircut_wad=int(haircut),
        bond_wei=int(bond),
        submitted_at=int(at),
        deadline=int(at) + window,
        state_root=_hex(state),
        block_root=_hex(block),
        commitment_hash=_hex(commit),
        credentials_hash=_hex(creds),
    )


def read_submissions(
    source: Any, feed: str, ids: Sequence[int], block: int | str = "latest"
) -> list[Submission]:
    """Submissions `ids` of the feed, read at one block (one batched round trip)."""
    from ion_cli.chain.contracts import Contract
    from ion_cli.chain.rpc import as_reader

    c = Contract(feed, interface="RiskFeed")
    calls = [c.CHALLENGE_WINDOW(), *(c.submission(i) for i in ids)]
    window, *raws = as_reader(source).read(calls, block, f"reading submissions of {feed}")
    return [_submission_from(i, raw, int(window)) for i, raw in zip(ids, raws, strict=True)]


def read_pending(source: Any, feed: str, block: int | str = "latest") -> list[Submission]:
    """Every pending submission of the feed, ordered by slot (those whose window has passed but
    that nobody finalized yet included: `Submission.finalizable`)."""
    from ion_cli.chain.contracts import Contract
    from ion_cli.chain.rpc import as_reader

    c = Contract(feed, interface="RiskFeed")
    (ids,) = as_reader(source).read(
        [c.pendingIds()], block, f"reading pending submissions of {feed}"
    )
    return read_submissions(source, feed, [int(i) for i in ids], block) if ids else []


def finalize_call(feed: str, submission_id: int, description: str = "") -> Any:
    """The plan `Call` of `RiskFeed.finalize(id)` (anyone may send it once the window passed)."""
    from ion_cli.chain.contracts import Contract

    return Contract(feed, interface="RiskFeed").finalize(
        submission_id, description=description or f"finalize risk submission {submission_id}"
    )


def challenge_call(
    challenges: str, kind: str, submission_id: int, commitment: Sequence[Any], *args: Any,
    description: str = "",
) -> Any:  # fmt: skip
    """The plan `Call` of one fraud proof (`kind` a key of `feed_proofs.FUNCTIONS`; `args` the
    challenge's own arguments after the id and the commitment, as `feed_proofs` builds them)."""
    from ion_cli.chain.contracts import Contract
    from ion_cli.zk.feed_proofs import FUNCTIONS

    if kind not in FUNCTIONS:
        raise IonError(f"no fraud proof of kind {kind!r} (kinds: {', '.join(FUNCTIONS)})")
    fn = Contract(challenges, interface="RiskFeedChallenges").function(FUNCTIONS[kind])
    return fn(
        submission_id,
        tuple(commitment),
        *args,
        description=description or f"challenge risk submission {submission_id} ({kind})",
    )


CREDENTIAL_SOURCES = {
    "contracts": "enumerated on chain from the LRT's own contracts (its delegators' EigenPods)",
    "registry": "an owner-kept registry (the LRT's contracts cannot enumerate its credentials "
    "on chain): trusted to list every credential",
}


def read_credentials(source: Any, feed: str, block: int | str = "latest") -> dict[str, Any]:
    """The LRT's withdrawal credentials as the feed would snapshot them with a submission now,
    and where they come from."""
    from ion_cli.chain.contracts import Contract
    from ion_cli.chain.rpc import as_reader

    c = Contract(feed, interface="RiskFeed")
    kind, creds = as_reader(source).read(
        [c.credentialSource(), c.credentialSet()], block, f"reading the credentials of {feed}"
    )
    listed = ["0x" + bytes(x).hex() for x in creds]
    return {
        "source": str(kind),
        "how": CREDENTIAL_SOURCES.get(str(kind), str(kind)),
        "count": len(listed),
        "credentials": listed,
    }


def risk_view(
    source: Any, feed: str | None, now: int, block: int | str = "latest"
) -> dict[str, Any] | None:
    """The latest accepted risk score of a market's feed, for `ion markets` and `ion position`
    (None when the market has no risk feed; `accepted` false before the first proof)."""
    if not feed:
        return None
    try:
        return read_latest(source, feed, block).to_json(now)
    except IonError as exc:  # a misconfigured feed must not break the market or position view
        return {"feed": feed, "accepted": False, "error": exc.message}


def risk_views(
    source: Any, feeds: Sequence[str | None], now: int, block: int | str = "latest"
) -> list[dict[str, Any] | None]:
    """`risk_view` of several markets' feeds (all read at one block) in one batched round trip;
    should one feed fail, each is read on its own so that only that one shows its error."""
    from ion_cli.chain.rpc import as_reader

    wanted = list(dict.fromkeys(f for f in feeds if f))
    if not wanted:
        return [None for _ in feeds]
    calls = [call for feed in wanted for call in _latest_calls(feed)]
    try:
        answers = as_reader(source).read(calls, block, "reading the risk feeds")
        views: dict[str, dict[str, Any] | None] = {
            feed: _latest_from(feed, answers[3 * i : 3 * i + 3]).to_json(now)
            for i, feed in enumerate(wanted)
        }
    except IonError:
        views = {feed: risk_view(source, feed, now, block) for feed in wanted}
    return [views[f] if f else None for f in feeds]


# ---- a proof's files -------------------------------------------------------------------------


@dataclass(frozen=True)
class ProofCall:
    """What `RiskFeed.submit(proof, instances, anchorTimestamp, header, commitment)` takes:
    the proof and its instances (from a proof's files), the execution timestamp whose EIP-4788
    beacon root is the proven block's root, and that block's header."""

    proof: bytes
    instances: list[int]
    anchor_timestamp: int
    header: Header
    commitment: tuple[Any, ...]  # SnapshotCommitment, as `commitment_tuple` builds it

    @property
    def state_root(self) -> str:
        return "0x" + self.header.state_root.hex()

    @property
    def block_root(self) -> str:
        return "0x" + self.header.root().hex()

    @property
    def decoded(self) -> layout.Decoded:
        return layout.decode(self.instances)


def load_proof(path: Path) -> tuple[bytes, list[int]]:
    """The proof bytes and public instances of an ezkl proof JSON."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise IonError(f"cannot read the proof {path}: {exc}") from None
    hex_proof = data.get("hex_proof")
    if isinstance(hex_proof, str) and hex_proof.startswith("0x"):
        proof = bytes.fromhex(hex_proof[2:])
    elif isinstance(data.get("proof"), list):
        proof = bytes(int(b) for b in data["proof"])
    else:
        raise IonError(f"{path} holds no proof bytes (neither hex_proof nor proof)")
    columns = data.get("instances")
    if not isinstance(columns, list) or not columns:
        raise IonError(f"{path} holds no public instances")
    try:
        instances = [layout.felt_from_ezkl_hex(x) for column in columns for x in column]
    except layout.LayoutError as exc:
        raise IonError(f"{path}: a public instance is malformed ({exc})") from None
    return proof, instances


def submit_call(feed: str, call: ProofCall, description: str, bond: int = 0) -> Any:
    """The plan `Call` of `RiskFeed.submit` for a proof's files, carrying the feed's bond
    (`FeedTerms.bond`: the feed refuses any other value)."""
    from ion_cli.chain.contracts import Contract

    h = call.header
    return Contract(feed, interface="RiskFeed").submit(
        call.proof,
        call.instances,
        call.anchor_timestamp,
        (h.slot, h.proposer_index, h.parent_root, h.state_root, h.body_root),
        call.commitment,
        value=bond,
        description=description,
    )


def commitment_tuple(section: Any) -> tuple[Any, ...]:
    """The RiskFeed's SnapshotCommitment from a receipt's `commitment` section: the tree's root,
    its root sums, the first and last index and the network-level inputs."""
    from ion_cli.zk import sumtree

    if not isinstance(section, dict):
        raise IonError(
            "the receipt has no committed snapshot (made by an older ion): prove it again"
        )
    try:
        c = sumtree.Commitment.from_json(section)
        net = section["network"]
        network_active = int(net["active_balance"])
        other_slashed = int(net["other_slashed"])
    except (sumtree.SumTreeError, KeyError, TypeError, ValueError) as exc:
        raise IonError(f"the receipt's commitment is malformed ({exc})") from None
    from ion_cli.zk.feed_proofs import commitment

    return commitment(c.root, c.sums, c.first_index, c.last_index, network_active, other_slashed)
