"""A beacon node API client on httpx: the standard routes, several nodes with failover, retries
with backoff, bounded concurrency, and validator lists of any size.

- Lists of ids go by POST in chunks (`chunk` ids, `concurrency` at a time); a node that answers
  404/405/414 to POST is asked by GET in chunks of 64 (the spec's cap) from then on.
- Connection errors, timeouts, a body cut off mid-response and 5xx answers are retried on the
  same node with exponential backoff, then the next node is tried. A node whose health says
  syncing (206) or not ready (503), or that answers malformed JSON, is skipped at once. Client
  errors (400, an unknown state) are the same on every node and raised at once.
- The answer to a chunk of ids is read whole and decoded with msgspec, its fields checked a
  column at a time (`parse.decode_validators`). The whole set is parsed as a stream (ijson's C
  backend, measured against msgspec and orjson: as fast, at a bounded memory; see the README),
  so the whole set of a mainnet state (a million validators, ~550 MB of JSON) never sits in
  memory.

Nothing here prints: long fetches report through the `progress(done, total)` callback and
warnings through `warn(message)`. httpx and ijson are imported on first use (startup budget).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from ion_cli.beacon import parse
from ion_cli.beacon import scan as stream_scan
from ion_cli.beacon.errors import (
    AllNodesFailed,
    BadValidatorId,
    BeaconError,
    BeaconHttpError,
    BeaconMalformed,
    BeaconSyncing,
    BeaconUnreachable,
    NodesDisagree,
    UnknownState,
    UnknownValidators,
)
from ion_cli.beacon.snapshot import Validator
from ion_cli.errors import UsageError

if TYPE_CHECKING:
    import httpx

T = TypeVar("T")
Progress = Callable[[int, int], None]
Warn = Callable[[str], None]

GET_ID_LIMIT = 64  # ids per GET the spec allows; more answers 414
DEFAULT_CHUNK = 8_192  # ids per POST (4 in flight: the node prepares one while we decode another)
DEFAULT_CONCURRENCY = 4  # requests in flight
_FLAG = re.compile(rb'"(execution_optimistic|finalized)"\s*:\s*(true|false)')
_EDGE = 4096  # bytes kept from the start and the end of a streamed answer (for its flags)


def node_name(url: str) -> str:
    """scheme://host:port of a URL: never its path, query or credentials (providers put API
    keys there), so errors can name the node safely."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "?"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:  # a malformed host or port: name nothing from it
        return "<invalid url>"
    return f"{parts.scheme}://{host}{port}"


def check_url(url: str) -> str:
    from ion_cli.inputs import check_url as checked

    try:
        parts = urlsplit(url.strip())
        checked(url, "the beacon node URL")
    except UsageError:
        raise
    except ValueError as exc:
        raise UsageError(f"the beacon node URL is not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"not a beacon node URL (http:// or https://): {node_name(url)!r}")
    return url.strip().rstrip("/")


class _Retry(Exception):
    """Worth another try on the same node (carries the error to raise at the end)."""

    def __init__(self, error: BeaconError) -> None:
        super().__init__(error.message)
        self.error = error


class _NextNode(Exception):
    """Not worth retrying on this node; another node may do."""

    def __init__(self, error: BeaconError) -> None:
        super().__init__(error.message)
        self.error = error


class _PostRefused(Exception):
    """The node does not take POST for this route (404/405/414)."""


@dataclass
class _Node:
    url: str
    name: str
    checked: bool = False  # health probed
    post: bool | None = None  # None: not known yet


@dataclass
class ValidatorsAnswer:
    validators: list[Validator]
    execution_optimistic: bool = False
    finalized: bool = False
    nodes: set[str] = field(default_factory=set)


@dataclass
class _Edges:
    """The first and last bytes of a streamed body (the envelope flags live there)."""

    head: bytearray = field(default_factory=bytearray)
    tail: bytes = b""

    def flags(self) -> parse.Envelope:
        found = {m.group(1): m.group(2) == b"true" for m in _FLAG.finditer(bytes(self.head))}
        for m in _FLAG.finditer(self.tail):
            found.setdefault(m.group(1), m.group(2) == b"true")
        return parse.Envelope(
            execution_optimistic=found.get(b"execution_optimistic", False),
            finalized=found.get(b"finalized", False),
        )


class _Reader:
    """A file-like view of a byte iterator for ijson, remembering the body's edges."""

    def __init__(self, chunks: Iterator[bytes], edges: _Edges) -> None:
        self._chunks = chunks
        self._edges = edges

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # ijson probes the type of the source with read(0)
            return b""
        for chunk in self._chunks:
            if not chunk:
                continue
            if len(self._edges.head) < _EDGE:
                self._edges.head += chunk[: _EDGE - len(self._edges.head)]
            self._edges.tail = (self._edges.tail + chunk)[-_EDGE:]
            return chunk
        return b""


def _edged(chunks: Iterator[bytes], edges: _Edges) -> Iterator[bytes]:
    """The chunks as they come, remembering the body's edges (for the envelope's flags)."""
    for chunk in chunks:
        if not chunk:
            continue
        if len(edges.head) < _EDGE:
            edges.head += chunk[: _EDGE - len(edges.head)]
        edges.tail = (edges.tail + chunk[-_EDGE:])[-_EDGE:]
        yield chunk


class BeaconClient:
    """Reads one or more beacon nodes (failover in the order given)."""

    def __init__(
        self,
        urls: Sequence[str],
        *,
        timeout: float = 30.0,
        retries: int = 2,
        backoff: float = 0.25,
        concurrency: int = DEFAULT_CONCURRENCY,
        chunk: int = DEFAULT_CHUNK,
        progress: Progress | None = None,
        warn: Warn | None = None,
        transport: Any = None,
    ) -> None:
        if not urls:
            raise UsageError("no beacon node URL: pass --beacon-url or set ION_BEACON_URL")
        self.nodes = [_Node(url=check_url(u), name=node_name(u)) for u in urls]
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        self.concurrency = max(1, concurrency)
        self.chunk = max(1, chunk)
        self.progress = progress
        self.warn = warn
        self._transport = transport
        self._http: httpx.Client | None = None
        self._lock = threading.Lock()
        self._active = 0

    # ---- lifecycle ----

    def _client(self) -> httpx.Client:
        with self._lock:
            if self._http is None:
                import httpx

                from ion_cli import netdeadline

                self._http = httpx.Client(
                    timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 10.0)),
                    limits=httpx.Limits(max_connections=self.concurrency * 2 + 2),
                    headers={"Accept": "application/json"},
                    transport=netdeadline.transport(self._transport),
                    follow_redirects=False,
                )
            return self._http

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    def __enter__(self) -> BeaconClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def source(self) -> str:
        """The node that answered last (scheme://host:port)."""
        return self.nodes[self._active].name

    # ---- failover and retries ----

    def _order(self) -> list[_Node]:
        first = self._active
        return self.nodes[first:] + self.nodes[:first]

    def _failover(self, work: Callable[[_Node], T], *, nodes: Sequence[_Node] | None = None) -> T:
        """Run `work(node)` on the active node, retrying and then failing over."""
        failures: list[BeaconError] = []
        order = list(nodes or self._order())
        for node in order:
            error: BeaconError | None = None
            for attempt in range(self.retries + 1):
                try:
                    if not node.checked:
                        self._probe(node)
                    result = work(node)
                except _Retry as exc:
                    error = exc.error
                    if attempt < self.retries:
                        time.sleep(self.backoff * 2**attempt)
                    continue
                except _NextNode as exc:
                    error = exc.error
                    break
                with self._lock:
                    self._active = self.nodes.index(node)
                return result
            assert error is not None
            failures.append(error)
            if self.warn is not None and node is not order[-1]:
                self.warn(f"{error.message}; trying the next beacon node")
        if len(failures) == 1:
            raise failures[0]
        reasons = "; ".join(f.message for f in failures)
        raise AllNodesFailed(f"every beacon node failed: {reasons}")

    def _probe(self, node: _Node) -> None:
        """/eth/v1/node/health: 200 ready, 206 syncing, 503 not ready (then try another)."""
        response = self._send(node, "GET", "/eth/v1/node/health")
        if response.status_code == 206:
            raise _NextNode(BeaconSyncing(f"beacon node {node.name} is syncing", node=node.name))
        if response.status_code == 503:
            raise _NextNode(
                BeaconSyncing(f"beacon node {node.name} is not ready (503)", node=node.name)
            )
        if response.status_code >= 500:
            raise _Retry(self._http_error(node, response))
        node.checked = True  # 200, or a node without the health route (404): judged by answers

    def _send(
        self,
        node: _Node,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        import httpx

        try:
            return self._client().request(
                method, node.url + path, params=params, json=body, headers=headers
            )
        except httpx.TimeoutException:
            raise _Retry(
                BeaconUnreachable(f"beacon node {node.name} timed out", node=node.name)
            ) from None
        except (httpx.RemoteProtocolError, httpx.ReadError):
            raise _Retry(
                BeaconUnreachable(
                    f"beacon node {node.name} dropped the connection mid-response", node=node.name
                )
            ) from None
        except httpx.TransportError as exc:
            raise _Retry(
                BeaconUnreachable(
                    f"cannot reach beacon node {node.name} ({_reason(exc)})", node=node.name
                )
            ) from None

    def _http_error(self, node: _Node, response: httpx.Response) -> BeaconHttpError:
        message = ""
        try:
            answer = json.loads(response.content)
            if isinstance(answer, Mapping):
                message = str(answer.get("message", ""))
        except (ValueError, UnicodeDecodeError):
            pass
        text = f"beacon node {node.name} answered HTTP {response.status_code}"
        if message:
            text += f": {' '.join(message.split())[:200]}"
        return BeaconHttpError(text, node=node.name, status=response.status_code)

    def _check_status(self, node: _Node, response: httpx.Response, what: str) -> None:
        status = response.status_code
        if status == 200:
            return
        if status == 503:
            raise _Retry(
                BeaconSyncing(
                    f"beacon node {node.name} is not ready or syncing (503 on {what})",
                    node=node.name,
                )
            )
        if status >= 500:
            raise _Retry(self._http_error(node, response))
        if status == 206:
            raise _NextNode(BeaconSyncing(f"beacon node {node.name} is syncing", node=node.name))
        error = self._http_error(node, response)
        if status == 404:
            raise UnknownState(f"{what}: not found ({error.message})")
        if status == 400:
            raise BadValidatorId(f"{what}: the node refused the request ({error.message})")
        raise error

    def _json(self, node: _Node, path: str, params: Mapping[str, Any] | None = None) -> Any:
        response = self._send(node, "GET", path, params=params)
        self._check_status(node, response, path)
        try:
            return json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            raise _NextNode(
                BeaconMalformed(f"beacon node {node.name} answered malformed JSON", node=node.name)
            ) from None

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET a small JSON answer with failover."""
        return self._failover(lambda node: self._json(node, path, params))

    # ---- typed routes ----

    def genesis(self) -> parse.Genesis:
        return self._typed("/eth/v1/beacon/genesis", parse.genesis)

    def header(self, block_id: str) -> parse.Header:
        return self._typed(f"/eth/v1/beacon/headers/{block_id}", parse.header)

    def state_root(self, state_id: str) -> tuple[str, parse.Envelope]:
        """`/eth/v1/beacon/states/{state_id}/root`: the state root and the answer's flags."""
        return self._typed(f"/eth/v1/beacon/states/{state_id}/root", parse.state_root)

    def head_slot(self) -> int:
        """The node's head slot (`/eth/v1/node/syncing`)."""
        return self._typed("/eth/v1/node/syncing", parse.head_slot)

    def finality_checkpoints(self, state_id: str = "head") -> dict[str, parse.Checkpoint]:
        return self._typed(f"/eth/v1/beacon/states/{state_id}/finality_checkpoints", parse.finality)

    def state_ssz(self, state_id: str) -> bytes:
        """The whole BeaconState as SSZ (`/eth/v2/debug/beacon/states/{id}`, octet-stream):
        what ion_cli.beacon.proofs checks a node's answers against."""
        path = f"/eth/v2/debug/beacon/states/{state_id}"

        def work(node: _Node) -> bytes:
            response = self._send(node, "GET", path, headers={"Accept": "application/octet-stream"})
            self._check_status(node, response, f"state {state_id} as SSZ")
            return bytes(response.content)

        return self._failover(work)

    def _typed(self, path: str, decode: Callable[[Any], T]) -> T:
        def work(node: _Node) -> T:
            document = self._json(node, path)
            try:
                return decode(document)
            except BeaconMalformed as exc:
                raise _NextNode(
                    BeaconMalformed(f"beacon node {node.name}: {exc.message}", node=node.name)
                ) from None

        return self._failover(work)

    # ---- cross-check ----

    def cross_check(self) -> parse.Checkpoint:
        """The finalized checkpoint every node agrees on; NodesDisagree when they do not."""
        if len(self.nodes) < 2:
            raise UsageError("--cross-check needs two or more beacon nodes (--beacon-url)")
        seen: list[tuple[str, parse.Checkpoint]] = []
        for node in self.nodes:
            checkpoints = self._failover(
                lambda n: parse.finality(
                    self._json(n, "/eth/v1/beacon/states/head/finality_checkpoints")
                ),
                nodes=[node],
            )
            seen.append((node.name, checkpoints["finalized"]))
        first = seen[0][1]
        if any(c != first for _, c in seen[1:]):
            detail = "; ".join(f"{n}: epoch {c.epoch} root {c.root[:10]}…" for n, c in seen)
            raise NodesDisagree(f"the beacon nodes disagree on the finalized checkpoint ({detail})")
        return first

    # ---- validators ----

    def validators(
        self,
        state_id: str,
        ids: Sequence[str] | None = None,
        *,
        require_all: bool = True,
    ) -> ValidatorsAnswer:
        """Validators at `state_id`: those in `ids` (all of them when None), in index order.

        With `require_all`, ids the state does not hold raise UnknownValidators (never a
        silently shorter list)."""
        if ids is None:
            return self._failover(lambda node: self._stream_all(node, state_id, None))
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return ValidatorsAnswer([])
        answer = self._fetch_ids(state_id, wanted)
        if not _exactly_the_indices(answer, wanted):
            self._check_ids(answer, wanted, require_all)
            answer.validators.sort(key=attrgetter("index"))
        return answer

    def scan(self, state_id: str, keep: Callable[[Validator], bool]) -> ValidatorsAnswer:
        """The whole validator set streamed once, each validator parsed in full and kept when
        `keep` accepts it (bounded memory: one validator at a time besides the kept ones)."""
        return self._failover(
            lambda node: self._stream_all(node, state_id, lambda item: keep(parse.validator(item)))
        )

    def scan_credentials(self, state_id: str, keep: stream_scan.Keep) -> ValidatorsAnswer:
        """The whole set streamed once, filtered at the speed of the stream (ion_cli.beacon.scan):
        `keep(indices, credentials)` sees every validator's index and withdrawal credentials a
        batch at a time (only those two fields decoded, checked a column at a time) and answers
        the positions to keep, which are decoded in full. A drop mid-stream restarts."""
        return self._failover(lambda node: self._scan_all(node, state_id, keep))

    def _scan_all(self, node: _Node, state_id: str, keep: stream_scan.Keep) -> ValidatorsAnswer:
        path = f"/eth/v1/beacon/states/{state_id}/validators"
        kept: list[Validator] = []
        seen = 0

        def counted(indices: list[int], credentials: list[str]) -> list[int]:
            nonlocal seen
            seen += len(indices)
            if self.progress is not None:
                self.progress(seen, 0)
            return list(keep(indices, credentials))

        def consume(response: httpx.Response) -> parse.Envelope:
            edges = _Edges()
            for batch in stream_scan.batches(_edged(response.iter_bytes(1 << 16), edges)):
                kept.extend(stream_scan.filter_batch(batch, counted))
            return edges.flags()

        flags = self._request(node, "GET", path, None, None, consume)
        if self.progress is not None:
            self.progress(seen, seen)
        return ValidatorsAnswer(kept, flags.execution_optimistic, flags.finalized, {node.name})

    def _stream_all(
        self, node: _Node, state_id: str, keep: Callable[[Any], bool] | None
    ) -> ValidatorsAnswer:
        path = f"/eth/v1/beacon/states/{state_id}/validators"
        kept: list[Validator] = []
        seen = 0
        every = 50_000

        def sink(item: Any) -> None:
            nonlocal seen
            seen += 1
            if keep is None or keep(item):
                kept.append(parse.validator(item))
            if self.progress is not None and seen % every == 0:
                self.progress(seen, 0)

        flags = self._request(node, "GET", path, None, None, _streamed(sink))
        if self.progress is not None:
            self.progress(seen, seen)
        return ValidatorsAnswer(kept, flags.execution_optimistic, flags.finalized, {node.name})

    def _request(
        self,
        node: _Node,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        body: Any,
        consume: Callable[[httpx.Response], T],
    ) -> T:
        """One validators request; `consume` reads the answer (streamed or whole). Every
        failure becomes a retry, a move to the next node, or the user's error."""
        import httpx
        import ijson

        client = self._client()
        try:
            with client.stream(method, node.url + path, params=params, json=body) as response:
                if response.status_code != 200:
                    response.read()
                    if method == "POST" and response.status_code in (404, 405, 414):
                        raise _PostRefused()
                    if response.status_code == 414:
                        raise BeaconHttpError(
                            f"beacon node {node.name} answered 414 (URI too long)",
                            node=node.name,
                            status=414,
                        )
                    self._check_status(node, response, f"validators at state {_state_of(path)}")
                return consume(response)
        except (_Retry, _NextNode, _PostRefused, UsageError, BeaconHttpError):
            raise
        except BeaconMalformed as exc:
            if exc.message.startswith("truncated"):
                raise _Retry(_dropped(node, " (incomplete JSON)")) from None
            raise _NextNode(
                BeaconMalformed(f"beacon node {node.name}: {exc.message}", node=node.name)
            ) from None
        except ijson.IncompleteJSONError as exc:
            if "premature EOF" not in str(exc):  # garbage, not a body cut short
                raise _NextNode(
                    BeaconMalformed(
                        f"beacon node {node.name} answered malformed JSON", node=node.name
                    )
                ) from None
            raise _Retry(_dropped(node, " (incomplete JSON)")) from None
        except ijson.JSONError:
            raise _NextNode(
                BeaconMalformed(f"beacon node {node.name} answered malformed JSON", node=node.name)
            ) from None
        except httpx.TimeoutException:
            raise _Retry(
                BeaconUnreachable(f"beacon node {node.name} timed out", node=node.name)
            ) from None
        except (httpx.RemoteProtocolError, httpx.ReadError):
            raise _Retry(_dropped(node, "")) from None
        except httpx.TransportError as exc:
            raise _Retry(
                BeaconUnreachable(
                    f"cannot reach beacon node {node.name} ({_reason(exc)})", node=node.name
                )
            ) from None

    def _fetch_chunk(self, node: _Node, state: str, ids: Sequence[str]) -> ValidatorsAnswer:
        """One chunk of ids on `node`: POST, or GET in pieces of 64 when POST is refused."""
        path = f"/eth/v1/beacon/states/{state}/validators"
        if node.post is not False:
            try:
                flags, out = self._request(node, "POST", path, None, {"ids": list(ids)}, _whole)
                node.post = True
                return ValidatorsAnswer(
                    out, flags.execution_optimistic, flags.finalized, {node.name}
                )
            except _PostRefused:
                with self._lock:
                    first, node.post = node.post is not False, False
                if first and self.warn is not None:
                    self.warn(
                        f"beacon node {node.name} takes no POST: asking by GET, 64 ids a time"
                    )
        everything: list[Validator] = []
        optimistic = False
        finalized = True
        limit = GET_ID_LIMIT
        start = 0
        while start < len(ids):
            piece = ids[start : start + limit]
            params = {"id": ",".join(piece)}
            try:
                flags, out = self._request(node, "GET", path, params, None, _whole)
            except BeaconHttpError as exc:
                if exc.status == 414 and limit > 1:
                    limit //= 2  # a node with a lower cap than the spec's
                    continue
                raise
            everything += out
            optimistic = optimistic or flags.execution_optimistic
            finalized = finalized and flags.finalized
            start += len(piece)
        return ValidatorsAnswer(everything, optimistic, finalized, {node.name})

    def _fetch_ids(self, state: str, ids: list[str]) -> ValidatorsAnswer:
        """Every chunk in flight at once (at most `concurrency`), so the node prepares one
        answer while the last is decoded here. A node that refuses POST has each chunk asked
        again by GET (64 ids a time), which it then uses for every later chunk."""
        pieces = [list(piece) for piece in chunks(ids, self.chunk)]
        total = len(ids)
        done = 0
        lock = threading.Lock()

        def one(piece: list[str]) -> ValidatorsAnswer:
            nonlocal done
            result = self._failover(lambda node: self._fetch_chunk(node, state, piece))
            with lock:
                done += len(piece)
                if self.progress is not None:
                    self.progress(done, total)
            return result

        if len(pieces) == 1:
            return one(pieces[0])
        answer = ValidatorsAnswer([], False, True)
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            for part in pool.map(one, pieces):
                answer.validators.extend(part.validators)
                answer.execution_optimistic = (
                    answer.execution_optimistic or part.execution_optimistic
                )
                answer.finalized = answer.finalized and part.finalized
                answer.nodes |= part.nodes
        return answer

    @staticmethod
    def _check_ids(answer: ValidatorsAnswer, wanted: Sequence[str], require_all: bool) -> None:
        """Every validator answered was asked for, once; the ids not answered are unknown."""
        asked_indices = {int(i) for i in wanted if not i.startswith("0x")}
        asked_keys = {i for i in wanted if i.startswith("0x")}
        indices = [v.index for v in answer.validators]
        got_indices = set(indices)
        if len(got_indices) != len(indices):
            raise BeaconMalformed("the beacon node answered the same validator twice")
        unasked = [
            v
            for v in answer.validators
            if v.index not in asked_indices and v.pubkey not in asked_keys
        ]
        if unasked:
            raise BeaconMalformed(
                f"the beacon node answered {len(unasked)} validators that were not asked for "
                "(did a proxy drop the request body?)"
            )
        got_keys = {v.pubkey for v in answer.validators} if asked_keys else set()
        missing = tuple(
            i
            for i in wanted
            if (i in asked_keys and i not in got_keys)
            or (i not in asked_keys and int(i) not in got_indices)
        )
        if missing and require_all:
            shown = ", ".join(m if len(m) < 20 else m[:12] + "…" for m in missing[:5])
            more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            raise UnknownValidators(
                f"{len(missing)} unknown validator id(s) at this state: {shown}{more}", missing
            )


def _exactly_the_indices(answer: ValidatorsAnswer, wanted: Sequence[str]) -> bool:
    """The common case checked in a few C calls: every id asked is an index and the answer
    holds each of them once, in index order (what nodes send), so nothing is missing,
    repeated, unasked or out of order. Anything else goes through `_check_ids` and a sort."""
    if "x" in "".join(wanted):  # a 0x pubkey among them
        return False
    asked = sorted(map(int, wanted))
    return [v.index for v in answer.validators] == asked


def _whole(response: httpx.Response) -> tuple[parse.Envelope, list[Validator]]:
    """A bounded answer (one chunk of ids) read whole and decoded in C (msgspec)."""
    return parse.decode_validators(response.read())


def _streamed(sink: Callable[[Any], None]) -> Callable[[httpx.Response], parse.Envelope]:
    """An answer of any size parsed item by item (ijson); its flags from the body's edges."""

    def consume(response: httpx.Response) -> parse.Envelope:
        import ijson

        edges = _Edges()
        reader = _Reader(response.iter_bytes(1 << 16), edges)
        for item in ijson.items(reader, "data.item"):
            sink(item)
        return edges.flags()

    return consume


def _dropped(node: _Node, detail: str) -> BeaconUnreachable:
    return BeaconUnreachable(
        f"beacon node {node.name} dropped the connection mid-response{detail}", node=node.name
    )


def _state_of(path: str) -> str:
    parts = path.split("/")
    return parts[5] if len(parts) > 5 else "?"


def _reason(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    if "refused" in text.lower():
        return "connection refused"
    return text[:120]


def chunks(items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    """`items` in consecutive slices of at most `size`."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
