"""An in-memory beacon API for unit tests of the client's logic (httpx.MockTransport). The
integration tests use the real local server over HTTP instead."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx

FAR = str(2**64 - 1)
HEAD_ROOT = "0x" + "11" * 32
HEAD_STATE = "0x" + "22" * 32
FIN_ROOT = "0x" + "33" * 32
FIN_STATE = "0x" + "44" * 32


def cred(n: int, prefix: str = "01") -> str:
    return "0x" + prefix + "00" * 11 + f"{n:040x}"


def item(
    i: int, credential: str, balance: int = 32_000_000_000, slashed: bool = False
) -> dict[str, Any]:
    return {
        "index": str(i),
        "balance": str(balance),
        "status": "active_slashed" if slashed else "active_ongoing",
        "validator": {
            "pubkey": "0x" + f"{i:096x}",
            "withdrawal_credentials": credential,
            "effective_balance": "32000000000",
            "slashed": slashed,
            "activation_eligibility_epoch": "0",
            "activation_epoch": "0",
            "exit_epoch": FAR,
            "withdrawable_epoch": FAR,
        },
    }


@dataclass
class FakeBeacon:
    validators: list[dict[str, Any]]
    post: bool = True
    get_limit: int = 64
    health: int = 200
    optimistic: bool = False
    finalized_root: str = FIN_ROOT
    fail_first: int = 0  # answer 500 to this many data requests first
    malformed: bool = False
    requests: list[tuple[str, str, int]] = field(default_factory=list)  # method, path, n ids

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/eth/v1/node/health":
            return httpx.Response(self.health)
        if self.fail_first > 0:
            self.fail_first -= 1
            return httpx.Response(500, json={"code": 500, "message": "internal"})
        if self.malformed:
            return httpx.Response(200, content=b"<html>oops")
        if path == "/eth/v1/beacon/genesis":
            return self._ok(
                {
                    "genesis_time": "1606824023",
                    "genesis_validators_root": "0x" + "ab" * 32,
                    "genesis_fork_version": "0x00000000",
                }
            )
        if path.startswith("/eth/v1/beacon/headers/"):
            block = path.rsplit("/", 1)[1]
            if block in ("head", "6400", HEAD_ROOT):
                return self._header(HEAD_ROOT, 6400, HEAD_STATE, finalized=False)
            if block in ("finalized", "6336", self.finalized_root):
                return self._header(self.finalized_root, 6336, FIN_STATE, finalized=True)
            return httpx.Response(404, json={"code": 404, "message": "not found"})
        if path == "/eth/v1/node/syncing":
            return httpx.Response(200, json={"data": {"head_slot": "6400", "is_syncing": False}})
        if path.endswith("/root") and "/states/" in path:
            state = path.split("/")[5]
            if state in ("head", "6400"):
                return self._ok({"root": HEAD_STATE}, finalized=False)
            if state in ("finalized", "6336"):
                return self._ok({"root": FIN_STATE})
            return httpx.Response(404, json={"code": 404, "message": "state not found"})
        if path.endswith("/finality_checkpoints"):
            cp = {"epoch": "198", "root": self.finalized_root}
            return self._ok({"previous_justified": cp, "current_justified": cp, "finalized": cp})
        if path.endswith("/validators"):
            if request.method == "POST":
                if not self.post:
                    return httpx.Response(405, json={"code": 405, "message": "no"})
                ids = json.loads(request.content).get("ids") or []
            else:
                raw = request.url.params.get("id")
                ids = raw.split(",") if raw else []
                if len(ids) > self.get_limit:
                    return httpx.Response(414, json={"code": 414, "message": "too many"})
            self.requests.append((request.method, path, len(ids)))
            if ids:
                wanted = set(ids)
                data = [
                    v
                    for v in self.validators
                    if v["index"] in wanted or v["validator"]["pubkey"] in wanted
                ]
            else:
                data = self.validators
            return self._ok(data)
        return httpx.Response(404, json={"code": 404, "message": "no route"})

    def _ok(self, data: Any, finalized: bool = True) -> httpx.Response:
        return httpx.Response(
            200,
            json={"execution_optimistic": self.optimistic, "finalized": finalized, "data": data},
        )

    def _header(self, root: str, slot: int, state: str, finalized: bool) -> httpx.Response:
        message = {
            "slot": str(slot),
            "proposer_index": "1",
            "parent_root": "0x" + "00" * 32,
            "state_root": state,
            "body_root": "0x" + "00" * 32,
        }
        return httpx.Response(
            200,
            json={
                "execution_optimistic": self.optimistic,
                "finalized": finalized,
                "data": {
                    "root": root,
                    "canonical": True,
                    "header": {"message": message, "signature": "0x" + "00" * 96},
                },
            },
        )


class Routed:
    """One transport for several fake nodes, by host."""

    def __init__(self, nodes: dict[str, Any]) -> None:
        self.nodes = nodes

    def __call__(self, request: httpx.Request) -> httpx.Response:
        node = self.nodes[request.url.host]
        if isinstance(node, Exception):
            raise node
        return node(request)  # type: ignore[no-any-return]


def transport(handler: Any) -> httpx.MockTransport:
    return httpx.MockTransport(handler)
