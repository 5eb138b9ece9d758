"""Connecting to a node, and turning whatever the node or the HTTP stack throws into one line.

Every failure here is a `NodeError` (exit 4) except a node on the wrong chain, which is refused
(exit 3): signing for chain A while talking to chain B is how funds get lost. URLs are shown with
their path and query hidden, because provider URLs usually embed an API key.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ion_cli.errors import IonError, NodeError, RefusedError
from ion_cli.redact import display_url, scrub

if TYPE_CHECKING:
    from web3 import Web3

CONNECT_TIMEOUT = 5.0  # seconds to open the connection: a dead host should fail fast
READ_TIMEOUT = 30.0  # seconds for an answer: eth_simulateV1 of a flash-loan plan can be slow

# Reads web3 may retry on a dropped connection. Writes (eth_sendRawTransaction) and the devnet's
# evm_*/anvil_* methods are deliberately absent: a retried send may be a send twice, and a retried
# evm_revert reverts to the wrong snapshot.
RETRYABLE_METHODS: tuple[str, ...] = (
    "net_version",
    "web3_clientVersion",
    "eth_chainId",
    "eth_blockNumber",
    "eth_gasPrice",
    "eth_maxPriorityFeePerGas",
    "eth_feeHistory",
    "eth_getBalance",
    "eth_getCode",
    "eth_getStorageAt",
    "eth_getBlockByNumber",
    "eth_getBlockByHash",
    "eth_getTransactionByHash",
    "eth_getTransactionReceipt",
    "eth_getTransactionCount",
    "eth_call",
    "eth_estimateGas",
    "eth_simulateV1",
    "eth_getLogs",
)


class RpcError(NodeError):
    """The node answered a JSON-RPC error; `code` and `data` are kept for callers that care."""

    def __init__(self, message: str, *, code: int | None = None, data: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.data = data


class Unreachable(NodeError):
    """The node could not be talked to at all (no answer, as opposed to an error answer)."""


def connection_reason(exc: BaseException) -> str:
    """A short human reason for a transport failure ("connection refused", "timed out")."""
    text = str(exc)
    if isinstance(exc, Unreachable):
        return text.rsplit(": ", 1)[-1] if ": " in text else text
    requests = sys.modules.get("requests")  # only web3's transport raises its errors
    if (requests is not None and isinstance(exc, requests.Timeout)) or "timed out" in text.lower():
        return "timed out"
    if requests is not None and isinstance(exc, requests.HTTPError) and exc.response is not None:
        return f"HTTP {exc.response.status_code} {exc.response.reason}".strip()
    if (
        "Name or service not known" in text
        or "nodename nor servname" in text
        or ("Failed to resolve" in text)
    ):
        return "host not found"
    match = re.search(r"\[Errno -?\d+\] ([^'\"()]+)", text)
    if match:
        return match.group(1).strip().rstrip(".").lower()
    if isinstance(exc, ValueError):  # requests' JSONDecodeError is a ValueError
        return "the answer is not JSON-RPC"
    first = text.splitlines()[0] if text else type(exc).__name__
    return scrub(first)[:160]


def is_transport_error(exc: BaseException) -> bool:
    """True for failures to talk to the node at all (as opposed to an answer with an error).
    web3's and requests' classes are checked only when loaded: no caller raised them otherwise."""
    kinds: list[type[BaseException]] = [Unreachable, ConnectionError]
    requests = sys.modules.get("requests")
    if requests is not None:
        kinds.append(requests.RequestException)
    web3_exceptions = sys.modules.get("web3.exceptions")
    if web3_exceptions is not None:
        kinds.append(web3_exceptions.ProviderConnectionError)
    return isinstance(exc, tuple(kinds))


def node_error(exc: BaseException, rpc_url: str = "", action: str = "") -> NodeError:
    """Any error from talking to the node, as one line. `action` says what we were doing."""
    web3_exceptions = sys.modules.get("web3.exceptions")  # loaded if a Web3 raised `exc`
    where = f" at {display_url(rpc_url)}" if rpc_url else ""
    doing = f" while {action}" if action else ""
    if isinstance(exc, NodeError):
        return exc
    if web3_exceptions is not None and isinstance(exc, web3_exceptions.Web3RPCError):
        error = (exc.rpc_response or {}).get("error") if exc.rpc_response else None
        code, message, data = _error_parts(error, fallback=str(exc))
        return RpcError(
            f"the node{where} answered an error{doing}: {message}", code=code, data=data
        )
    if is_transport_error(exc):
        return NodeError(f"cannot reach the node{where}{doing}: {connection_reason(exc)}")
    first = (str(exc).splitlines() or [type(exc).__name__])[0]
    return NodeError(f"the node{where} failed{doing}: {scrub(first)[:200]}")


def _error_parts(error: Any, fallback: str) -> tuple[int | None, str, Any]:
    if isinstance(error, Mapping):
        code = error.get("code")
        message = str(error.get("message") or fallback)
        return (
            (code if isinstance(code, int) else None),
            " ".join(message.split()),
            error.get("data"),
        )
    if isinstance(error, str):
        return None, error, None
    return None, fallback, None


def make_provider(rpc_url: str, timeout: float = READ_TIMEOUT) -> Any:
    """An HTTPProvider with bounded timeouts and retries limited to idempotent reads."""
    import requests
    from web3 import HTTPProvider
    from web3.providers.rpc.utils import ExceptionRetryConfiguration

    retry = ExceptionRetryConfiguration(
        errors=(ConnectionError, requests.ConnectionError, requests.Timeout),
        retries=2,
        backoff_factor=0.2,
        method_allowlist=list(RETRYABLE_METHODS),
    )
    return HTTPProvider(
        rpc_url,
        request_kwargs={"timeout": (CONNECT_TIMEOUT, timeout)},
        exception_retry_configuration=retry,
    )


def connect(rpc_url: str, expected_chain_id: int | None, network_name: str) -> Web3:
    """A Web3 on `rpc_url`, after checking the node answers and is on the expected chain."""
    if not re.match(r"^https?://", rpc_url or ""):
        from ion_cli.errors import UsageError

        raise UsageError(f"unsupported RPC URL {display_url(rpc_url)!s}: use http:// or https://")
    from web3 import Web3

    w3 = Web3(make_provider(rpc_url))
    try:
        chain_id = int(w3.eth.chain_id)
    except Exception as exc:
        if is_transport_error(exc):
            raise NodeError(
                f"cannot reach the node at {display_url(rpc_url)}: {connection_reason(exc)}"
            ) from None
        raise node_error(exc, rpc_url, "reading the chain id") from None
    if expected_chain_id is not None and chain_id != expected_chain_id:
        raise RefusedError(
            f"the node at {display_url(rpc_url)} is on chain id {chain_id}, but network "
            f"'{network_name}' expects {expected_chain_id}: refusing"
        )
    return w3


def rpc(w3: Web3, method: str, params: Sequence[Any], action: str = "") -> Any:
    """A raw JSON-RPC request (no web3 result formatting): the `result`, or an `RpcError`."""
    url = str(getattr(w3.provider, "endpoint_uri", "") or "")
    try:
        response = w3.provider.make_request(method, list(params))  # type: ignore[arg-type]
    except Exception as exc:
        raise node_error(exc, url, action or method) from None
    error = response.get("error")
    if error is not None:
        code, message, data = _error_parts(error, fallback="unknown error")
        doing = f" while {action}" if action else f" to {method}"
        raise RpcError(f"the node answered an error{doing}: {message}", code=code, data=data)
    return response.get("result")


def rpc_url_of(w3: Web3) -> str:
    return str(getattr(w3.provider, "endpoint_uri", "") or "")


@contextmanager
def reading(w3: Web3, action: str) -> Iterator[None]:
    """Reads from the node inside this block fail as one NodeError line (URL secrets hidden)
    saying what ion was doing; ion's own errors pass through."""
    try:
        yield
    except IonError:
        raise
    except Exception as exc:
        raise node_error(exc, rpc_url_of(w3), action) from None
