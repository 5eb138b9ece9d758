"""The `ctx.logs` the core hands adapters (and the pool's event index): eth_getLogs over any
block range, in chunks.

Nodes and providers cap a query (a block span, or a result count such as 10,000 logs) and say
so in an error; the range is then halved and retried, down to one block, so an adapter gets
every log or an error, never a silently partial list.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ion_cli.adapters import LogEntry, LogReader
from ion_cli.errors import NodeError

if TYPE_CHECKING:
    from ion_cli.chain.rpc import Reader

Rpc = Callable[[str, list[Any]], Any]
DEFAULT_SPAN = 10_000
_CAPPED = ("range", "limit", "too many", "exceed", "10000", "max results", "response size")


class _Capped(Exception):
    pass


def _hex(number: int) -> str:
    return hex(number)


def _entry(raw: dict[str, Any]) -> LogEntry:
    return LogEntry(
        address=str(raw["address"]).lower(),
        topics=tuple(str(t).lower() for t in raw.get("topics") or ()),
        data=str(raw.get("data", "0x")),
        block_number=int(str(raw["blockNumber"]), 16),
        log_index=int(str(raw["logIndex"]), 16),
        transaction_hash=str(raw.get("transactionHash", "")),
    )


def chunked_log_reader(
    rpc: Rpc,
    latest_block: Callable[[], int],
    *,
    span: int = DEFAULT_SPAN,
    progress: Callable[[int, int], None] | None = None,
) -> LogReader:
    """A LogReader over `rpc(method, params)` (a JSON-RPC call that raises on an error)."""

    def query(address: str, topics: Sequence[str | None], lo: int, hi: int) -> list[Any]:
        params = {
            "address": address,
            "topics": list(topics),
            "fromBlock": _hex(lo),
            "toBlock": _hex(hi),
        }
        try:
            answer = rpc("eth_getLogs", [params])
        except NodeError:
            raise
        except Exception as exc:
            text = str(exc).lower()
            if any(word in text for word in _CAPPED):
                raise _Capped() from None
            raise NodeError(f"eth_getLogs failed: {' '.join(str(exc).split())[:200]}") from None
        if not isinstance(answer, list):
            raise NodeError("eth_getLogs answered something that is not a list")
        return answer

    def logs(
        address: str,
        topics: Sequence[str | None] = (),
        from_block: int = 0,
        to_block: int | None = None,
    ) -> Sequence[LogEntry]:
        end = latest_block() if to_block is None else to_block
        out: list[LogEntry] = []
        size = max(1, span)
        lo = from_block
        while lo <= end:
            hi = min(end, lo + size - 1)
            try:
                raw = query(address, topics, lo, hi)
            except _Capped:
                if size == 1:
                    raise NodeError(
                        f"eth_getLogs refuses even one block ({lo}) of {address}'s logs"
                    ) from None
                size = max(1, size // 2)
                continue
            out.extend(_entry(r) for r in raw)
            lo = hi + 1
            if progress is not None:
                progress(lo - from_block, end - from_block + 1)
        out.sort(key=lambda e: (e.block_number, e.log_index))
        return out

    return logs


def node_log_reader(
    reader: Reader,
    *,
    head: int | str = "latest",
    action: str = "reading events",
    span: int = DEFAULT_SPAN,
    progress: Callable[[int, int], None] | None = None,
) -> LogReader:
    """`chunked_log_reader` over the run's JSON-RPC reader; an open range ends at `head` (a
    block number, or a tag read once, when the first open range is asked)."""
    from ion_cli.chain.client import RpcError

    def rpc(method: str, params: list[Any]) -> Any:
        try:
            return reader.request(method, params, action)
        except RpcError as exc:  # the message says whether the range was capped
            raise RuntimeError(exc.message) from None

    fixed: list[int] = [head] if isinstance(head, int) else []

    def latest() -> int:
        if not fixed:
            fixed.append(reader.block(head)["number"])
        return fixed[0]

    return chunked_log_reader(rpc, latest, span=span, progress=progress)
