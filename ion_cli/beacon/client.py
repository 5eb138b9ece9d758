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

import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar

from ion_cli.beacon import parse
from ion_cli.beacon import scan as stream_scan
from ion_cli.beacon.errors import (
    BeaconHttpError,
    BeaconMalformed,
    BeaconUnreachable,
    NodesDisagree,
    UnknownValidators,
)
from ion_cli.beacon.nodes import (
    NextNode,
    Node,
    Nodes,
    PostRefused,
    Retry,
    dropped,
    reason,
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
        self._nodes = Nodes(
            urls,
            timeout=timeout,
            retries=retries,
            backoff=backoff,
            concurrency=concurrency,
            warn=warn,
            transport=transport,
        )
        self.concurrency = max(1, concurrency)
        self.chunk = max(1, chunk)
        self.progress = progress
        self.warn = warn

    def close(self) -> None:
        self._nodes.close()

    def __enter__(self) -> BeaconClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def source(self) -> str:
        """The node that answered last (scheme://host:port)."""
        return self._nodes.source

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET a small JSON answer with failover."""
        return self._nodes.failover(lambda node: self._nodes.json(node, path, params))

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

        def work(node: Node) -> bytes:
            response = self._nodes.send(
                node, "GET", path, headers={"Accept": "application/octet-stream"}
            )
            self._nodes.check_status(node, response, f"state {state_id} as SSZ")
            return bytes(response.content)

        return self._nodes.failover(work)

    def _typed(self, path: str, decode: Callable[[Any], T]) -> T:
        def work(node: Node) -> T:
            document = self._nodes.json(node, path)
            try:
                return decode(document)
            except BeaconMalformed as exc:
                raise NextNode(
                    BeaconMalformed(f"beacon node {node.name}: {exc.message}", node=node.name)
                ) from None

        return self._nodes.failover(work)

    # ---- cross-check ----

    def cross_check(self) -> parse.Checkpoint:
        """The finalized checkpoint every node agrees on; NodesDisagree when they do not."""
        if len(self._nodes.nodes) < 2:
            raise UsageError(
                "`cross_check` needs two or more beacon nodes (`beacon_urls`)",
                params=("cross_check", "beacon_urls"),
            )
        seen: list[tuple[str, parse.Checkpoint]] = []
        for node in self._nodes.nodes:
            checkpoints = self._nodes.failover(
                lambda n: parse.finality(
                    self._nodes.json(n, "/eth/v1/beacon/states/head/finality_checkpoints")
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
            return self._nodes.failover(lambda node: self._stream_all(node, state_id, None))
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
        return self._nodes.failover(
            lambda node: self._stream_all(node, state_id, lambda item: keep(parse.validator(item)))
        )

    def scan_credentials(self, state_id: str, keep: stream_scan.Keep) -> ValidatorsAnswer:
        """The whole set streamed once, filtered at the speed of the stream (ion_cli.beacon.scan):
        `keep(indices, credentials)` sees every validator's index and withdrawal credentials a
        batch at a time (only those two fields decoded, checked a column at a time) and answers
        the positions to keep, which are decoded in full. A drop mid-stream restarts."""
        return self._nodes.failover(lambda node: self._scan_all(node, state_id, keep))

    def _scan_all(self, node: Node, state_id: str, keep: stream_scan.Keep) -> ValidatorsAnswer:
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
        self, node: Node, state_id: str, keep: Callable[[Any], bool] | None
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
        node: Node,
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

        client = self._nodes.client()
        try:
            with client.stream(method, node.url + path, params=params, json=body) as response:
                if response.status_code != 200:
                    response.read()
                    if method == "POST" and response.status_code in (404, 405, 414):
                        raise PostRefused()
                    if response.status_code == 414:
                        raise BeaconHttpError(
                            f"beacon node {node.name} answered 414 (URI too long)",
                            node=node.name,
                            status=414,
                        )
                    self._nodes.check_status(
                        node, response, f"validators at state {_state_of(path)}"
                    )
                return consume(response)
        except (Retry, NextNode, PostRefused, UsageError, BeaconHttpError):
            raise
        except BeaconMalformed as exc:
            if exc.message.startswith("truncated"):
                raise Retry(dropped(node, " (incomplete JSON)")) from None
            raise NextNode(
                BeaconMalformed(f"beacon node {node.name}: {exc.message}", node=node.name)
            ) from None
        except ijson.IncompleteJSONError as exc:
            if "premature EOF" not in str(exc):  # garbage, not a body cut short
                raise NextNode(
                    BeaconMalformed(
                        f"beacon node {node.name} answered malformed JSON", node=node.name
                    )
                ) from None
            raise Retry(dropped(node, " (incomplete JSON)")) from None
        except ijson.JSONError:
            raise NextNode(
                BeaconMalformed(f"beacon node {node.name} answered malformed JSON", node=node.name)
            ) from None
        except httpx.TimeoutException:
            raise Retry(
                BeaconUnreachable(f"beacon node {node.name} timed out", node=node.name)
            ) from None
        except (httpx.RemoteProtocolError, httpx.ReadError):
            raise Retry(dropped(node, "")) from None
        except httpx.TransportError as exc:
            raise Retry(
                BeaconUnreachable(
                    f"cannot reach beacon node {node.name} ({reason(exc)})", node=node.name
                )
            ) from None

    def _fetch_chunk(self, node: Node, state: str, ids: Sequence[str]) -> ValidatorsAnswer:
        """One chunk of ids on `node`: POST, or GET in pieces of 64 when POST is refused."""
        path = f"/eth/v1/beacon/states/{state}/validators"
        if node.post is not False:
            try:
                flags, out = self._request(node, "POST", path, None, {"ids": list(ids)}, _whole)
                node.post = True
                return ValidatorsAnswer(
                    out, flags.execution_optimistic, flags.finalized, {node.name}
                )
            except PostRefused:
                with self._nodes.lock:
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
            result = self._nodes.failover(lambda node: self._fetch_chunk(node, state, piece))
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


def _state_of(path: str) -> str:
    parts = path.split("/")
    return parts[5] if len(parts) > 5 else "?"


def chunks(items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    """`items` in consecutive slices of at most `size`."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
