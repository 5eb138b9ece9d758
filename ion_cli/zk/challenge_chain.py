"""What the feed holds of its bonded submissions, read back: the stored facts of each
(`Submission`), the commitment and credential list it was submitted with (from its logs and its
transaction), and the calls that finalize or challenge one. No printing.

The feed stores hashes only (the commitment's keccak256, the credential set's); the full
commitment is read from the submission's transaction input (`submit`'s last argument) or its
event and checked against the stored hash, the credential list from `SnapshotCommitted` and
checked against its stored hash: a challenger never trusts either source beyond the hash.
"""

from __future__ import annotations

from typing import Any

from ion_cli.errors import IonError
from ion_cli.zk.challenge_find import Claim
from ion_cli.zk.feed import Submission

FEED = "RiskFeed"


class SubmissionNotFound(IonError):
    """No such submission on the feed (exit 2: a bad argument)."""

    exit_code = 2


def _hex(value: Any) -> str:
    return "0x" + bytes(value).hex()


def read_known_submissions(
    reader: Any, feed: str, ids: list[int] | None = None, block: int | str = "latest"
) -> list[Submission]:
    """The submissions `ids` (all, oldest first, when None), read at one block; an id the feed
    does not have is a usage error."""
    from ion_cli.chain.contracts import Contract
    from ion_cli.zk import feed as zf

    count = int(reader.read_one(Contract(feed, interface=FEED).submissionCount(), block, ""))
    wanted = list(range(1, count + 1)) if ids is None else ids
    for i in wanted:
        if not 1 <= i <= count:
            raise SubmissionNotFound(f"the feed {feed} has no submission {i} (it has {count})")
    return zf.read_submissions(reader, feed, wanted, block) if wanted else []


def challenges_address(reader: Any, feed: str) -> str:
    """Where the challenge functions live (a contract beside the feed, or the feed itself)."""
    from ion_cli.chain.contracts import Contract

    try:
        return str(reader.read_one(Contract(feed, interface=FEED).CHALLENGES(), "latest", ""))
    except IonError:
        return feed


# ---- the commitment and the credential list of a submission -----------------------------------


def _logs(reader: Any, address: str, topics: list[str | None]) -> list[dict[str, Any]]:
    answer = reader.request(
        "eth_getLogs",
        [{"address": address, "topics": topics, "fromBlock": "0x0", "toBlock": "latest"}],
    )
    if not isinstance(answer, list):
        raise IonError("eth_getLogs answered something that is not a list")
    return answer


def _topic(interface: str, event: str) -> str:
    from ion_cli.abi import published
    from ion_cli.abi.signature import event_topic

    entries = [e for e in published.interface(interface).of_kind("event") if e["name"] == event]
    if not entries:
        raise IonError(f"{interface} publishes no event {event}")
    return "0x" + event_topic(entries[0]).hex()


def _event_entry(interface: str, event: str) -> Any:
    from ion_cli.abi import published

    return next(e for e in published.interface(interface).of_kind("event") if e["name"] == event)


def _decode_event_data(entry: Any, data: str) -> list[Any]:
    from ion_cli.abi.codec import decode_output

    data_params = [p for p in entry["inputs"] if not p.get("indexed")]
    fake = {"type": "function", "name": entry["name"], "inputs": [], "outputs": data_params}
    decoded = decode_output(fake, bytes.fromhex(data.removeprefix("0x")))
    return list(decoded) if isinstance(decoded, tuple | list) else [decoded]


def commitment_hash(claim: Claim) -> str:
    """keccak256(abi.encode(SnapshotCommitment)), as the feed stores it."""
    from ion_cli.abi.codec import encode_args
    from ion_cli.keccak import keccak256
    from ion_cli.zk.challenge_proof import claim_commitment

    commitment_type = (
        "(bytes32,(uint128,uint128,uint128,uint128,uint128,uint128,uint128,uint128,uint128,"
        "uint128),uint64,uint64,uint128,uint128)"
    )
    return "0x" + keccak256(encode_args([commitment_type], [claim_commitment(claim)])).hex()


def credentials_hash(credentials: list[bytes]) -> str:
    """keccak256(abi.encodePacked(bytes32[])): the feed's `Credentials.hashOf`."""
    from ion_cli.keccak import keccak256

    return "0x" + keccak256(b"".join(credentials)).hex()


def _claim_of(value: Any) -> Claim:
    root, sums, first, last, network_active, other_slashed = value
    return Claim(
        root=_hex(root),
        sums=tuple(int(x) for x in sums),
        first_index=int(first),
        last_index=int(last),
        network_active=int(network_active),
        other_slashed=int(other_slashed),
    )


def submission_inputs(reader: Any, feed: str, sub: Submission) -> tuple[Claim, list[bytes]]:
    """The commitment and the credential list submission `sub` was made with, each checked
    against the hash the feed stored."""
    id_topic = "0x" + sub.id.to_bytes(32, "big").hex()
    committed = _logs(reader, feed, [_topic(FEED, "SnapshotCommitted"), id_topic])
    if not committed:
        raise IonError(f"no SnapshotCommitted event of submission {sub.id} on {feed}")
    log = committed[0]
    entry = _event_entry(FEED, "SnapshotCommitted")
    fields = dict(
        zip(
            [p["name"] for p in entry["inputs"] if not p.get("indexed")],
            _decode_event_data(entry, str(log["data"])),
            strict=True,
        )
    )
    credentials = [bytes(c) for c in fields["credentials"]]
    if credentials_hash(credentials) != sub.credentials_hash:
        raise IonError(
            f"submission {sub.id}'s credential list does not hash to the stored credentials hash"
        )
    if "commitment" in fields:
        claim = _claim_of(fields["commitment"])
    else:
        claim = _claim_from_transaction(reader, str(log["transactionHash"]))
    if commitment_hash(claim) != sub.commitment_hash:
        raise IonError(
            f"submission {sub.id}'s commitment (from its transaction) does not hash to the "
            "stored commitment hash"
        )
    return claim, credentials


def _claim_from_transaction(reader: Any, tx_hash: str) -> Claim:
    """`submit`'s commitment argument, decoded from the transaction's input."""
    from ion_cli.abi import published
    from ion_cli.abi.codec import decode_output
    from ion_cli.abi.signature import selector

    tx = reader.request("eth_getTransactionByHash", [tx_hash])
    data = bytes.fromhex(str((tx or {}).get("input", "0x")).removeprefix("0x"))
    entry = published.interface(FEED).function("submit")
    if data[:4] != selector(entry):
        raise IonError(
            f"the submission's transaction {tx_hash} is not a direct call of submit: its "
            "commitment cannot be read from it"
        )
    fake = {"type": "function", "name": "submit", "inputs": [], "outputs": entry["inputs"]}
    args = decode_output(fake, data[4:])
    return _claim_of(args[-1])
