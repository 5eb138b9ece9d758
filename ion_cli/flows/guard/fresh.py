"""Whether the data a guard would act on is fresh and consistent, by the chains' own clocks (a
quiet devnet has no new blocks: the wall clock says nothing about it).

Checked right before an action (every check reads the nodes anew):
- the beacon node is not syncing and not optimistic (`/eth/v1/node/syncing`, and the head
  block's `execution_optimistic`);
- the execution node's head is not behind the execution payload of the beacon head: its number
  is at least the payload's `block_number` and its timestamp at least the payload's `timestamp`
  (a frozen or lagging execution node; the beacon node is read first, so a block mined between
  the two reads cannot make a sound node look behind);
- with `--cross-check URL`, every other execution node has the same block hash at the height
  both have (a node more than `CROSS_CHECK_LAG` blocks or `CROSS_CHECK_LAG_S` seconds of block
  time behind counts as disagreeing: acting on data one of two nodes does not have yet is acting
  on an unconfirmed view).

A failed check is a `Stale` (a reason code and a sentence); the guard refuses and alerts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ion_cli.errors import IonError

if TYPE_CHECKING:
    from ion_cli.beacon.client import BeaconClient
    from ion_cli.chain.rpc import Reader

CROSS_CHECK_LAG = 2  # blocks another execution node may trail before it counts as disagreeing
CROSS_CHECK_LAG_S = 24  # and seconds of block time (two slots)


@dataclass(frozen=True)
class Stale:
    reason: str
    message: str


def check_fresh(
    reader: Reader, client: BeaconClient | None, cross_check: Sequence[Reader] = ()
) -> Stale | None:
    """None when the data is fresh and consistent; else why not (see the module docstring)."""
    if client is None:
        return Stale(
            "beacon_unavailable",
            "no beacon node to check the execution head against (--beacon-url)",
        )
    payload = _beacon_head(client)
    if isinstance(payload, Stale):
        return payload
    head = _head(reader)
    number, stamp = payload
    if head["number"] < number or head["timestamp"] < stamp:
        return Stale(
            "execution_behind",
            f"the execution node's head (block {head['number']}, time {head['timestamp']}) is "
            f"behind the beacon head's execution payload (block {number}, time {stamp})",
        )
    for other in cross_check:
        disagreement = _disagreement(head, reader, other)
        if disagreement is not None:
            return disagreement
    return None


def _beacon_head(client: BeaconClient) -> tuple[int, int] | Stale:
    """The beacon head's execution payload (block number, timestamp), or why not."""
    from ion_cli.beacon.errors import BeaconSyncing

    try:
        syncing = _data(client.get("/eth/v1/node/syncing"))
        if syncing.get("is_syncing") is True:
            return Stale("beacon_syncing", f"the beacon node {client.source} is syncing")
        if syncing.get("is_optimistic") is True or syncing.get("el_offline") is True:
            return Stale(
                "beacon_optimistic",
                f"the beacon node {client.source} is optimistic (its execution client has not "
                "verified the head)",
            )
        block = client.get("/eth/v2/beacon/blocks/head")
    except BeaconSyncing as exc:
        return Stale("beacon_syncing", exc.message)
    except IonError as exc:
        return Stale("beacon_unavailable", f"the beacon node cannot be read: {exc.message}")
    if isinstance(block, dict) and block.get("execution_optimistic") is True:
        return Stale("beacon_optimistic", f"the beacon node {client.source} is optimistic")
    try:
        payload = block["data"]["message"]["body"]["execution_payload"]
        return int(payload["block_number"]), int(payload["timestamp"])
    except (KeyError, TypeError, ValueError):
        return Stale("beacon_unavailable", "the beacon head block has no execution payload")


def _data(document: Any) -> dict[str, Any]:
    data = document.get("data") if isinstance(document, dict) else None
    return data if isinstance(data, dict) else {}


def _head(reader: Reader) -> dict[str, Any]:
    block = reader.request("eth_getBlockByNumber", ["latest", False], "reading the head")
    if not isinstance(block, dict):
        from ion_cli.errors import NodeError

        raise NodeError("the execution node has no latest block")
    return {
        "number": int(block["number"], 16),
        "timestamp": int(block["timestamp"], 16),
        "hash": str(block["hash"]).lower(),
    }


def _disagreement(head: dict[str, Any], reader: Reader, other: Reader) -> Stale | None:
    try:
        theirs = _head(other)
        height = min(head["number"], theirs["number"])
        mine = reader.request("eth_getBlockByNumber", [hex(height), False], "cross-checking")
        found = other.request("eth_getBlockByNumber", [hex(height), False], "cross-checking")
    except IonError as exc:
        return Stale("nodes_disagree", f"the --cross-check node cannot be read: {exc.message}")
    if (
        head["number"] - theirs["number"] > CROSS_CHECK_LAG
        or head["timestamp"] - theirs["timestamp"] > CROSS_CHECK_LAG_S
    ):
        return Stale(
            "nodes_disagree",
            f"the --cross-check node is at block {theirs['number']} (time "
            f"{theirs['timestamp']}), block {head['number']} (time {head['timestamp']}) here",
        )
    a = str((mine or {}).get("hash", "")).lower()
    b = str((found or {}).get("hash", "")).lower()
    if not a or a != b:
        return Stale(
            "nodes_disagree",
            f"the execution nodes disagree on block {height} ({a[:12]}… and {b[:12]}…)",
        )
    return None
