"""The guard's freshness checks on fake nodes: by the chains' own clocks (the beacon head's
execution payload against the execution head), the beacon node's sync flags, and a second
execution node's block hash."""

from __future__ import annotations

from typing import Any

import pytest

from ion_cli.beacon.errors import BeaconSyncing
from ion_cli.flows.guard.fresh import check_fresh


class Client:
    source = "http://beacon"

    def __init__(
        self,
        *,
        syncing: bool = False,
        optimistic: bool = False,
        number: int = 100,
        stamp: int = 1200,
        raises: Exception | None = None,
    ) -> None:
        self.syncing, self.optimistic, self.number, self.stamp = syncing, optimistic, number, stamp
        self.raises = raises

    def get(self, path: str) -> Any:
        if self.raises is not None:
            raise self.raises
        if path == "/eth/v1/node/syncing":
            return {
                "data": {
                    "is_syncing": self.syncing,
                    "is_optimistic": self.optimistic,
                    "el_offline": False,
                    "head_slot": "1",
                }
            }
        payload = {"block_number": str(self.number), "timestamp": str(self.stamp)}
        return {
            "execution_optimistic": False,
            "data": {"message": {"body": {"execution_payload": payload}}},
        }


class Node:
    def __init__(self, head: int, stamp: int, fork: str = "a") -> None:
        self.head, self.stamp, self.fork = head, stamp, fork

    def request(self, method: str, params: list[Any], action: str) -> Any:
        tag = params[0]
        number = self.head if tag == "latest" else int(tag, 16)
        if number > self.head:
            return None
        return {
            "number": hex(number),
            "timestamp": hex(self.stamp),
            "hash": f"0x{self.fork}{number:063x}",
        }


def test_a_fresh_view_passes() -> None:
    assert check_fresh(Node(100, 1200), Client(), [Node(101, 1212)]) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("client", "node", "reason"),
    [
        (Client(syncing=True), Node(100, 1200), "beacon_syncing"),
        (Client(optimistic=True), Node(100, 1200), "beacon_optimistic"),
        (Client(raises=BeaconSyncing("syncing")), Node(100, 1200), "beacon_syncing"),
        (Client(number=101), Node(100, 1200), "execution_behind"),  # a block behind
        (Client(number=0, stamp=1212), Node(100, 1200), "execution_behind"),  # by time only
        (None, Node(100, 1200), "beacon_unavailable"),
    ],
)
def test_stale_data_is_named(client: Any, node: Node, reason: str) -> None:
    stale = check_fresh(node, client)  # type: ignore[arg-type]
    assert stale is not None and stale.reason == reason


@pytest.mark.parametrize("other", [Node(100, 1200, fork="b"), Node(97, 1164), Node(99, 1200 - 384)])
def test_another_node_that_disagrees_or_lags_is_refused(other: Node) -> None:
    stale = check_fresh(Node(100, 1200), Client(), [other])  # type: ignore[arg-type, list-item]
    assert stale is not None and stale.reason == "nodes_disagree"
