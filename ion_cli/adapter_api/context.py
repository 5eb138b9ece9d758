"""Where an adapter runs: the chain it may read (calls, logs) and the devnet deployment file."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ion_cli import chain_ids
from ion_cli.errors import IonError

MAINNET_CHAIN_ID = chain_ids.MAINNET


class AdapterError(IonError):
    """An adapter cannot answer on this chain (no addresses, missing deployment entry)."""


class ChainCall(Protocol):
    """Read-only contract call the core provides: `call(to, "f(uint256)(uint256)", [1])`."""

    def __call__(self, to: str, signature: str, args: Sequence[Any] = ()) -> Any: ...


def _offline_call(to: str, signature: str, args: Sequence[Any] = ()) -> Any:
    raise AdapterError(f"no chain connection for {signature} on {to}")


@dataclass(frozen=True)
class LogEntry:
    """One event log: topics and data as 0x hex, as `eth_getLogs` returns them."""

    address: str
    topics: tuple[str, ...]
    data: str
    block_number: int
    log_index: int
    transaction_hash: str = ""


class LogReader(Protocol):
    """Event logs the core provides: `logs(address, [topic0, None, topic2], from_block)`.

    `topics` follows `eth_getLogs` (None = any value at that position); `to_block` None is the
    latest block. The core splits the range into chunks the node accepts and returns every log
    in block order, or raises: never a silently partial list."""

    def __call__(
        self,
        address: str,
        topics: Sequence[str | None] = (),
        from_block: int = 0,
        to_block: int | None = None,
    ) -> Sequence[LogEntry]: ...


def _offline_logs(
    address: str,
    topics: Sequence[str | None] = (),
    from_block: int = 0,
    to_block: int | None = None,
) -> Sequence[LogEntry]:
    raise AdapterError(f"no chain connection to read the logs of {address}")


def event_topic(signature: str) -> str:
    """topic0 of an event: keccak256 of `Name(type,...)` (no names, no `indexed`)."""
    from eth_utils.crypto import keccak

    return "0x" + bytes(keccak(text=signature.replace(" ", ""))).hex()


def topic_address(topic: str) -> str:
    """The address in an indexed `address` topic (the last 20 of its 32 bytes)."""
    body = topic.lower().removeprefix("0x")
    if len(body) != 64:
        raise AdapterError(f"not a 32-byte topic: {topic!r}")
    return "0x" + body[-40:]


@dataclass(frozen=True)
class AdapterContext:
    """Everything an adapter may know about where it runs.

    `deployment` is the parsed devnet deployment file when the network is a local devnet, else
    None (then the adapter answers from its own mainnet facts). `call` reads the chain, `logs`
    reads event logs (added in API v1 without a version change: an adapter that does not use
    it is unaffected).
    """

    chain_id: int
    network: str
    deployment: Mapping[str, Any] | None = None
    call: ChainCall = _offline_call
    logs: LogReader = _offline_logs

    @classmethod
    def offline(cls, chain_id: int = MAINNET_CHAIN_ID, network: str = "mainnet") -> AdapterContext:
        """A context for static facts only (addresses, checks); any chain read raises."""
        return cls(chain_id=chain_id, network=network)
