"""The `AdapterContext` the core hands an adapter, over the run's one JSON-RPC reader: its
`call` answers at one block, its `logs` reads events in chunks up to that block. One place
builds it, so every flow that asks an adapter gives it the same view of the chain."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ion_cli.adapters import AdapterContext
    from ion_cli.chain.rpc import BlockId, Reader
    from ion_cli.networks import NetworkProfile


def adapter_context(
    reader: Reader,
    profile: NetworkProfile,
    *,
    block: BlockId = "latest",
    action: str = "reading the adapter's views",
    logs_action: str | None = None,
) -> AdapterContext:
    """A context on `profile`'s chain whose calls are `eth_call`s at `block`; with
    `logs_action`, its `logs` reads events up to `block` (else adapters get no log reader)."""
    from ion_cli.adapters import AdapterContext, chain_call_from

    def eth_call(to: str, data: bytes) -> bytes:
        return reader.eth_call(to, data, block, action)

    extra: dict[str, Any] = {}
    if logs_action is not None:
        from ion_cli.chain.logs import node_log_reader

        extra["logs"] = node_log_reader(reader, head=block, action=logs_action)
    return AdapterContext(
        chain_id=profile.chain_id,
        network=profile.name,
        deployment=profile.extra.get("deployment"),
        call=chain_call_from(eth_call),
        **extra,
    )
