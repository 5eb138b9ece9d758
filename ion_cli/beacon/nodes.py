"""The beacon nodes a client reads: their URLs checked and named safely, one HTTP request and
the judgement of its answer (retry on this node, try the next one, or a definite error), and
the failover loop over the nodes in order (`Nodes.failover`). The typed routes and the
validator lists are `ion_cli.beacon.client`'s.
"""

from __future__ import annotations

import json as jsonlib
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from ion_cli.beacon.errors import (
    AllNodesFailed,
    BadValidatorId,
    BeaconError,
    BeaconHttpError,
    BeaconMalformed,
    BeaconSyncing,
    BeaconUnreachable,
    UnknownState,
)
from ion_cli.errors import UsageError

if TYPE_CHECKING:
    import httpx

T = TypeVar("T")
Warn = Callable[[str], None]


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


class Retry(Exception):
    """Worth another try on the same node (carries the error to raise at the end)."""

    def __init__(self, error: BeaconError) -> None:
        super().__init__(error.message)
        self.error = error


class NextNode(Exception):
    """Not worth retrying on this node; another node may do."""

    def __init__(self, error: BeaconError) -> None:
        super().__init__(error.message)
        self.error = error


class PostRefused(Exception):
    """The node does not take POST for this route (404/405/414)."""


@dataclass
class Node:
    url: str
    name: str
    checked: bool = False  # health probed
    post: bool | None = None  # None: not known yet


class Nodes:
    """The nodes in failover order, the one that answered last first; one shared HTTP client."""

    def __init__(
        self,
        urls: Sequence[str],
        *,
        timeout: float,
        retries: int,
        backoff: float,
        concurrency: int,
        warn: Warn | None,
        transport: Any = None,
    ) -> None:
        if not urls:
            raise UsageError(
                "no beacon node URL: pass `beacon_urls` or set ION_BEACON_URL",
                params=("beacon_urls",),
            )
        self.nodes = [Node(url=check_url(u), name=node_name(u)) for u in urls]
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        self.concurrency = max(1, concurrency)
        self.warn = warn
        self._transport = transport
        self._http: httpx.Client | None = None
        self.lock = threading.Lock()
        self.active = 0

    def client(self) -> httpx.Client:
        with self.lock:
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

    @property
    def source(self) -> str:
        """The node that answered last (scheme://host:port)."""
        return self.nodes[self.active].name

    def order(self) -> list[Node]:
        first = self.active
        return self.nodes[first:] + self.nodes[:first]

    def failover(self, work: Callable[[Node], T], *, nodes: Sequence[Node] | None = None) -> T:
        """Run `work(node)` on the active node, retrying and then failing over."""
        failures: list[BeaconError] = []
        order = list(nodes or self.order())
        for node in order:
            error: BeaconError | None = None
            for attempt in range(self.retries + 1):
                try:
                    if not node.checked:
                        self.probe(node)
                    result = work(node)
                except Retry as exc:
                    error = exc.error
                    if attempt < self.retries:
                        time.sleep(self.backoff * 2**attempt)
                    continue
                except NextNode as exc:
                    error = exc.error
                    break
                with self.lock:
                    self.active = self.nodes.index(node)
                return result
            assert error is not None
            failures.append(error)
            if self.warn is not None and node is not order[-1]:
                self.warn(f"{error.message}; trying the next beacon node")
        if len(failures) == 1:
            raise failures[0]
        reasons = "; ".join(f.message for f in failures)
        raise AllNodesFailed(f"every beacon node failed: {reasons}")

    def probe(self, node: Node) -> None:
        """/eth/v1/node/health: 200 ready, 206 syncing, 503 not ready (then try another)."""
        response = self.send(node, "GET", "/eth/v1/node/health")
        if response.status_code == 206:
            raise NextNode(BeaconSyncing(f"beacon node {node.name} is syncing", node=node.name))
        if response.status_code == 503:
            raise NextNode(
                BeaconSyncing(f"beacon node {node.name} is not ready (503)", node=node.name)
            )
        if response.status_code >= 500:
            raise Retry(self.http_error(node, response))
        node.checked = True  # 200, or a node without the health route (404): judged by answers

    def send(
        self,
        node: Node,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        import httpx

        try:
            return self.client().request(
                method, node.url + path, params=params, json=body, headers=headers
            )
        except httpx.TimeoutException:
            raise Retry(
                BeaconUnreachable(f"beacon node {node.name} timed out", node=node.name)
            ) from None
        except (httpx.RemoteProtocolError, httpx.ReadError):
            raise Retry(
                BeaconUnreachable(
                    f"beacon node {node.name} dropped the connection mid-response", node=node.name
                )
            ) from None
        except httpx.TransportError as exc:
            raise Retry(
                BeaconUnreachable(
                    f"cannot reach beacon node {node.name} ({reason(exc)})", node=node.name
                )
            ) from None

    def http_error(self, node: Node, response: httpx.Response) -> BeaconHttpError:
        message = ""
        try:
            answer = jsonlib.loads(response.content)
            if isinstance(answer, Mapping):
                message = str(answer.get("message", ""))
        except (ValueError, UnicodeDecodeError):
            pass
        text = f"beacon node {node.name} answered HTTP {response.status_code}"
        if message:
            text += f": {' '.join(message.split())[:200]}"
        return BeaconHttpError(text, node=node.name, status=response.status_code)

    def check_status(self, node: Node, response: httpx.Response, what: str) -> None:
        status = response.status_code
        if status == 200:
            return
        if status == 503:
            raise Retry(
                BeaconSyncing(
                    f"beacon node {node.name} is not ready or syncing (503 on {what})",
                    node=node.name,
                )
            )
        if status >= 500:
            raise Retry(self.http_error(node, response))
        if status == 206:
            raise NextNode(BeaconSyncing(f"beacon node {node.name} is syncing", node=node.name))
        error = self.http_error(node, response)
        if status == 404:
            raise UnknownState(f"{what}: not found ({error.message})")
        if status == 400:
            raise BadValidatorId(f"{what}: the node refused the request ({error.message})")
        raise error

    def json(self, node: Node, path: str, params: Mapping[str, Any] | None = None) -> Any:
        response = self.send(node, "GET", path, params=params)
        self.check_status(node, response, path)
        try:
            return jsonlib.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            raise NextNode(
                BeaconMalformed(f"beacon node {node.name} answered malformed JSON", node=node.name)
            ) from None


def dropped(node: Node, detail: str) -> BeaconUnreachable:
    return BeaconUnreachable(
        f"beacon node {node.name} dropped the connection mid-response{detail}", node=node.name
    )


def reason(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    if "refused" in text.lower():
        return "connection refused"
    return text[:120]
