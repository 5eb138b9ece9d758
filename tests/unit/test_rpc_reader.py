"""ion_cli.chain.rpc: the JSON-RPC reader (batches, fallback, decoding, errors), on a fake node."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from eth_abi.abi import encode
from eth_utils.address import to_checksum_address

from ion_cli.abi import selector
from ion_cli.chain import rpc
from ion_cli.chain.client import RpcError
from ion_cli.chain.contracts import IonLens, IonPool
from ion_cli.errors import NodeError, RefusedError, UsageError

URL = "http://127.0.0.1:1/secret-key"
POOL = "0x" + "11" * 20
LENS = "0x" + "22" * 20
ORACLE = "0x" + "ab" * 20
DUSTY = selector("VaultCannotBeDusty(uint256,uint256)") + encode(["uint256", "uint256"], [3, 4])


class FakeNode:
    """Answers eth_call by (to, selector); records every HTTP payload."""

    def __init__(self, *, batches: bool = True, refuse: str = "error") -> None:
        self.batches = batches
        self.refuse = refuse
        self.payloads: list[Any] = []
        self.calls: dict[tuple[str, str], Callable[[bytes], Any]] = {}

    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        base = {"jsonrpc": "2.0", "id": request["id"]}
        method, params = request["method"], request["params"]
        if method == "eth_chainId":
            return {**base, "result": "0x7a69"}
        if method == "eth_getBlockByNumber":
            return {**base, "result": {"number": "0x10", "timestamp": "0x64"}}
        if method == "eth_call":
            assert params[1] == "0x10" or params[1] == "latest"
            data = bytes.fromhex(params[0]["data"][2:])
            make = self.calls[(params[0]["to"].lower(), data[:4].hex())]
            out = make(data)
            if isinstance(out, dict):
                return {**base, "error": out}
            return {**base, "result": "0x" + out.hex()}
        return {**base, "error": {"code": -32601, "message": "method not found"}}

    def handler(self, request: httpx.Request) -> httpx.Response:
        payload = json.loads(request.content)
        self.payloads.append(payload)
        if isinstance(payload, list):
            if not self.batches:
                if self.refuse == "http":
                    return httpx.Response(400, text="batch requests are not supported")
                error = {"code": -32600, "message": "batch requests are not supported"}
                return httpx.Response(200, json={"jsonrpc": "2.0", "id": None, "error": error})
            return httpx.Response(200, json=[self.answer(r) for r in reversed(payload)])
        return httpx.Response(200, json=self.answer(payload))

    def reader(self) -> rpc.Reader:
        return rpc.Reader(URL, transport=httpx.MockTransport(self.handler))


def _node(**kw: Any) -> FakeNode:
    node = FakeNode(**kw)
    pool_sel = {
        "rate": IonPool(POOL).rate(0).data[:4].hex(),
        "vault": IonPool(POOL).vault(0, ORACLE).data[:4].hex(),
        "repay": IonPool(POOL).repay(0, ORACLE, ORACLE, 1).data[:4].hex(),
    }
    spot_sel = IonLens(LENS).spot(POOL, 0).data[:4].hex()
    node.calls[(POOL, pool_sel["rate"])] = lambda d: encode(["uint256"], [7 * 10**27])
    node.calls[(POOL, pool_sel["vault"])] = lambda d: encode(["uint256", "uint256"], [5, 6])
    node.calls[(POOL, pool_sel["repay"])] = lambda d: {
        "code": 3,
        "message": "execution reverted",
        "data": "0x" + DUSTY.hex(),
    }
    node.calls[(LENS, spot_sel)] = lambda d: encode(["address"], [ORACLE])
    return node


def _reads() -> list[Any]:
    return [IonPool(POOL).rate(0), IonPool(POOL).vault(0, ORACLE), IonLens(LENS).spot(POOL, 0)]


def test_one_batch_decoded_in_order_at_one_block() -> None:
    node = _node()
    reader = node.reader()
    assert reader.read(_reads(), 16) == [7 * 10**27, (5, 6), to_checksum_address(ORACLE)]
    assert len(node.payloads) == 1 and len(node.payloads[0]) == 3  # one round trip
    assert {r["params"][1] for r in node.payloads[0]} == {"0x10"}


@pytest.mark.parametrize("refuse", ["error", "http"])
def test_falls_back_to_one_by_one_when_batches_are_refused(refuse: str) -> None:
    batched = _node().reader().read(_reads(), 16)
    node = _node(batches=False, refuse=refuse)
    reader = node.reader()
    assert reader.read(_reads(), 16) == batched
    assert reader.batches is False
    assert reader.read(_reads(), 16) == batched  # and does not try a batch again
    assert sum(isinstance(p, list) for p in node.payloads) == 1


def test_revert_is_decoded_in_the_error() -> None:
    reader = _node().reader()
    with pytest.raises(RpcError, match="VaultCannotBeDusty") as info:
        reader.read([IonPool(POOL).repay(0, ORACLE, ORACLE, 1)], 16, "reading x")
    assert "while reading x" in info.value.message
    assert info.value.code == 3


def test_chain_id_block_and_connect() -> None:
    node = _node()
    reader = node.reader()
    assert reader.chain_id() == 31337
    assert reader.block() == {"number": 16, "timestamp": 100}


def test_connect_refuses_the_wrong_chain(monkeypatch: pytest.MonkeyPatch) -> None:
    node = _node()
    original = rpc.Reader.__init__

    def init(self: rpc.Reader, url: str, **kw: Any) -> None:
        original(self, url, transport=httpx.MockTransport(node.handler))

    monkeypatch.setattr(rpc.Reader, "__init__", init)
    assert rpc.connect(URL, 31337, "devnet").chain_id() == 31337
    with pytest.raises(RefusedError, match="expects 1: refusing") as info:
        rpc.connect(URL, 1, "mainnet")
    assert "secret-key" not in info.value.message


def test_unreachable_node_is_one_line_without_secrets() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused")

    reader = rpc.Reader(URL, transport=httpx.MockTransport(refuse))
    with pytest.raises(NodeError, match="cannot reach the node") as info:
        reader.chain_id()
    assert "connection refused" in info.value.message
    assert "secret-key" not in info.value.message


def test_not_json_rpc() -> None:
    reader = rpc.Reader(
        URL, transport=httpx.MockTransport(lambda r: httpx.Response(200, text="hi"))
    )
    with pytest.raises(NodeError, match="not JSON-RPC"):
        reader.chain_id()


def test_only_http_urls() -> None:
    with pytest.raises(UsageError, match="unsupported RPC URL"):
        rpc.Reader("ws://localhost:8545")
