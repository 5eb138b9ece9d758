"""Reads without the signing stack: a small JSON-RPC client on httpx, decoding with eth_abi.

`ion markets` and `ion position` read a few dozen views; importing web3 for them cost more than
the reads (web3's own __init__ imports eth_account, whose dependencies compute constants at
import). A reader sends the contract wrappers' calls (ion_cli.chain.contracts) as `eth_call`s in
one JSON-RPC batch, all at one block, and decodes each answer with the call's ABI entry. A node
that refuses batches is asked one request at a time. Errors are the same one-line `NodeError`s
as ion_cli.chain.client's (URL secrets hidden), so callers cannot tell the two apart.
"""

from __future__ import annotations

import contextlib
import itertools
import re
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ion_cli.chain.client import CONNECT_TIMEOUT, READ_TIMEOUT, RpcError, Unreachable
from ion_cli.errors import IonError, NodeError, RefusedError, UsageError
from ion_cli.redact import display_url, scrub

if TYPE_CHECKING:
    import httpx

    from ion_cli.chain.plan import Call

BlockId = int | str
RETRIES = 2  # a dropped connection is retried (reads only, so a retry is harmless)
BACKOFF = 0.1  # seconds, doubled each retry


def block_param(block: BlockId) -> str:
    return hex(block) if isinstance(block, int) else block


class Reader:
    """JSON-RPC reads against one node. Cheap to make; the HTTP connection is opened lazily and
    kept alive between requests."""

    def __init__(self, url: str, *, timeout: float = READ_TIMEOUT, transport: Any = None) -> None:
        if not re.match(r"^https?://", url or ""):
            raise UsageError(f"unsupported RPC URL {display_url(url)!s}: use http:// or https://")
        self.url = url
        self.timeout = timeout
        self._client: httpx.Client | None = None
        self._transport = transport  # an httpx transport (tests use httpx.MockTransport)
        self._ids = itertools.count(1)
        self.batches = True  # set False once the node refuses a batch
        self._chain_id: int | None = None

    # ---- transport

    def _http(self) -> httpx.Client:
        if self._client is None:
            import httpx

            # A plain http:// node (the devnet, a local node) never does TLS: no certificate
            # store (about 80 ms per client), and the standard library's HTTP/1.1 instead of
            # httpcore (ion_cli.chain.http11); https:// keeps httpx's transport and verifies.
            plain = self.url.startswith("http://")
            transport = self._transport
            if transport is None and plain:
                from ion_cli.chain.http11 import Http11Transport

                transport = Http11Transport()
            from ion_cli import netdeadline

            self._client = httpx.Client(
                timeout=httpx.Timeout(self.timeout, connect=CONNECT_TIMEOUT),
                headers={"Content-Type": "application/json"},
                transport=netdeadline.transport(transport),
                verify=not plain,
                follow_redirects=False,
            )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _post(self, payload: Any, action: str, retry: bool = True) -> Any:
        """POST one JSON-RPC payload. `retry=False` for a request that must never go twice
        (a send, the devnet's evm_* methods): only a refused connection, which sent nothing,
        is tried again."""
        import httpx

        doing = f" while {action}" if action else ""
        delay = BACKOFF
        for attempt in range(RETRIES + 1):
            try:
                response = self._http().post(self.url, json=payload)
                break
            except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.TimeoutException) as exc:
                if attempt == RETRIES or (not retry and not isinstance(exc, httpx.ConnectError)):
                    raise Unreachable(
                        f"cannot reach the node at {display_url(self.url)}{doing}: "
                        f"{transport_reason(exc)}"
                    ) from None
                time.sleep(delay)
                delay *= 2
            except httpx.HTTPError as exc:
                raise Unreachable(
                    f"cannot reach the node at {display_url(self.url)}{doing}: "
                    f"{transport_reason(exc)}"
                ) from None
        reason = f"HTTP {response.status_code} {response.reason_phrase}".strip()
        if response.status_code >= 400 and not _is_json(response):
            raise Unreachable(f"cannot reach the node at {display_url(self.url)}{doing}: {reason}")
        try:
            answer = response.json()
        except ValueError:
            raise NodeError(
                f"the node at {display_url(self.url)} failed{doing}: the answer is not JSON-RPC"
            ) from None
        if response.status_code >= 400 and not _is_json_rpc(answer):
            # a gateway's or proxy's own error page in JSON: no answer from the node itself
            raise Unreachable(f"cannot reach the node at {display_url(self.url)}{doing}: {reason}")
        return answer

    # ---- JSON-RPC

    def raw(self, method: str, params: Sequence[Any] = (), *, retry: bool = True) -> Any:
        """One request's whole JSON-RPC answer (`result` or `error`), unformatted."""
        payload = {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": [*params]}
        answer = self._post(payload, method, retry)
        if not isinstance(answer, Mapping):
            raise NodeError(
                f"the node at {display_url(self.url)} failed while {method}: "
                "the answer is not JSON-RPC"
            )
        return answer

    def request(
        self, method: str, params: Sequence[Any] = (), action: str = "", *, retry: bool = True
    ) -> Any:
        """One request: its `result`, or an `RpcError` with the node's message (and revert data
        decoded, for an eth_call that reverted)."""
        payload = {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": [*params]}
        answer = self._post(payload, action or method, retry)
        if not isinstance(answer, Mapping):
            raise NodeError(
                f"the node at {display_url(self.url)} failed while {action or method}: "
                "the answer is not JSON-RPC"
            )
        return _result(answer, action or method)

    def batch(self, requests: Sequence[tuple[str, Sequence[Any]]], action: str = "") -> list[Any]:
        """Several requests in one round trip; one by one if the node does not take batches."""
        if not requests:
            return []
        answers = self._batched(requests, action)
        if answers is not None:
            return [_result(a, action) for a in answers]
        return [self.request(m, p, action) for m, p in requests]

    def batch_results(
        self, requests: Sequence[tuple[str, Sequence[Any]]], action: str = ""
    ) -> list[Any]:
        """Like `batch`, but each request's error is returned in its place (an `RpcError`)
        rather than raised, for batches whose parts may fail on their own."""
        answers = self._batched(requests, action)
        out: list[Any] = []
        if answers is not None:
            for answer in answers:
                try:
                    out.append(_result(answer, action))
                except RpcError as exc:
                    out.append(exc)
            return out
        for method, params in requests:
            try:
                out.append(self.request(method, params, action))
            except RpcError as exc:
                out.append(exc)
        return out

    def _batched(
        self, requests: Sequence[tuple[str, Sequence[Any]]], action: str
    ) -> list[Mapping[str, Any]] | None:
        """The requests' answers from one batch, in order; None (and `batches` off once the
        node has refused one) when they are to be sent one by one instead."""
        if not (self.batches and len(requests) > 1):
            return None
        ids = [next(self._ids) for _ in requests]
        payload = [
            {"jsonrpc": "2.0", "id": i, "method": m, "params": [*p]}
            for i, (m, p) in zip(ids, requests, strict=True)
        ]
        try:
            answer = self._post(payload, action)
        except NodeError:
            answer = None  # some gateways close the connection on a batch: try singly
        by_id = _batch_answers(answer, ids)
        if by_id is None:
            self.batches = False
            return None
        return [by_id[i] for i in ids]

    # ---- typed helpers

    def chain_id(self) -> int:
        """The node's chain id, asked once per reader (a node does not change chains under a
        run; a restarted devnet keeps its id)."""
        if self._chain_id is None:
            self._chain_id = int(self.request("eth_chainId", [], "reading the chain id"), 16)
        return self._chain_id

    def block(self, block: BlockId = "latest") -> dict[str, int]:
        """The block's number and timestamp (as ints)."""
        found = self.request(
            "eth_getBlockByNumber", [block_param(block), False], "reading the latest block"
        )
        if not isinstance(found, Mapping):
            raise NodeError(f"the node at {display_url(self.url)} has no block {block}")
        return {"number": int(found["number"], 16), "timestamp": int(found["timestamp"], 16)}

    def eth_call(
        self, to: str, data: bytes, block: BlockId = "latest", action: str = "calling a contract"
    ) -> bytes:
        result = self.request("eth_call", [_call_object(to, data), block_param(block)], action)
        return _hex_bytes(result)

    def read(self, calls: Sequence[Call], block: BlockId = "latest", action: str = "") -> list[Any]:
        """Each call's decoded answer, all at `block`, in one batch."""
        from ion_cli.abi.codec import decode_output

        tag = block_param(block)
        raw = self.batch(
            [("eth_call", [_call_object(c.to, c.data), tag]) for c in calls], action or "reading"
        )
        out = []
        for call, answer in zip(calls, raw, strict=True):
            if call.function is None:
                out.append(_hex_bytes(answer))
                continue
            try:
                out.append(decode_output(call.function, _hex_bytes(answer)))
            except Exception:
                raise NodeError(
                    f"the node at {display_url(self.url)} gave an answer to {call.label} that "
                    "does not decode (is the address right for this network?)"
                ) from None
        return out

    def read_one(self, call: Call, block: BlockId = "latest", action: str = "") -> Any:
        return self.read([call], block, action)[0]


def connect(url: str, expected_chain_id: int | None, network_name: str) -> Reader:
    """A reader on `url`, after checking the node answers and is on the expected chain (the
    same checks and messages as ion_cli.chain.client.connect)."""
    reader = Reader(url)
    chain_id = reader.chain_id()
    if expected_chain_id is not None and chain_id != expected_chain_id:
        raise RefusedError(
            f"the node at {display_url(url)} is on chain id {chain_id}, but network "
            f"'{network_name}' expects {expected_chain_id}: refusing"
        )
    return reader


def as_reader(source: Any) -> Reader:
    """The run's reader: a Reader as given, the one under ion_cli.chain.node.Node, or for a
    caller holding a web3 object (tests, fixtures) one Reader on its endpoint, made once and
    kept on that object: never a new HTTP client per read."""
    if isinstance(source, Reader):
        return source
    reader = getattr(source, "reader", None)  # ion_cli.chain.node.Node: the run's own reader
    if isinstance(reader, Reader):
        return reader
    kept = getattr(source, "_ion_reader", None)
    if isinstance(kept, Reader):
        return kept
    url = str(getattr(getattr(source, "provider", None), "endpoint_uri", "") or "")
    if not url:
        raise IonError(f"internal: nothing to read through (a {type(source).__name__})")
    made = Reader(url)
    # (an object that takes no attributes: the caller keeps `made`)
    with contextlib.suppress(AttributeError):
        source._ion_reader = made
    return made


# ---- helpers


def transport_reason(exc: BaseException) -> str:
    """A short human reason for an httpx failure ("connection refused", "timed out")."""
    import httpx

    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    text = str(exc)
    if "Name or service not known" in text or "nodename nor servname" in text:
        return "host not found"
    match = re.search(r"\[Errno -?\d+\] ([^'\"()]+)", text)
    if match:
        return match.group(1).strip().rstrip(".").lower()
    if isinstance(exc, httpx.ConnectError):
        return "connection refused" if "refused" in text.lower() else "cannot connect"
    first = text.splitlines()[0] if text else type(exc).__name__
    return scrub(first)[:160]


def _is_json(response: httpx.Response) -> bool:
    return "json" in response.headers.get("content-type", "")


def _is_json_rpc(answer: Any) -> bool:
    if isinstance(answer, list):
        return all(isinstance(a, Mapping) and "jsonrpc" in a for a in answer)
    return isinstance(answer, Mapping) and "jsonrpc" in answer


def _call_object(to: str, data: bytes) -> dict[str, str]:
    return {"to": to, "data": "0x" + bytes(data).hex()}


def _hex_bytes(value: Any) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x"):
        raise NodeError(f"the node gave a malformed eth_call answer: {str(value)[:80]!r}")
    return bytes.fromhex(value[2:])


def _batch_answers(answer: Any, ids: Sequence[int]) -> dict[int, Mapping[str, Any]] | None:
    """The batch's answers by id, or None when the node did not take the batch (an error
    object instead of a list, a short list, answers without our ids)."""
    if not isinstance(answer, list) or len(answer) != len(ids):
        return None
    by_id: dict[int, Mapping[str, Any]] = {
        a["id"]: a for a in answer if isinstance(a, Mapping) and isinstance(a.get("id"), int)
    }
    if set(by_id) != set(ids):
        return None
    return by_id


def _result(answer: Mapping[str, Any], action: str) -> Any:
    error = answer.get("error")
    if error is None:
        return answer.get("result")
    code = error.get("code") if isinstance(error, Mapping) else None
    message = str(error.get("message") if isinstance(error, Mapping) else error)
    data = error.get("data") if isinstance(error, Mapping) else None
    text = " ".join(message.split()) or "unknown error"
    reverted = _revert_text(error)
    if reverted:
        text = f"{text}: {reverted}" if reverted not in text else text
    doing = f" while {action}" if action else ""
    raise RpcError(
        f"the node answered an error{doing}: {text}",
        code=code if isinstance(code, int) else None,
        data=data,
    )


def _revert_text(error: Any) -> str:
    from ion_cli.chain.revert import decode_revert, revert_data_from_error

    data = revert_data_from_error(error.get("data") if isinstance(error, Mapping) else None)
    if data is None:
        return ""
    return decode_revert(data).text
