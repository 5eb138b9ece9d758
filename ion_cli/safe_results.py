"""What a write for a Safe returns: the write's dry run (plan, simulation, projected position)
and the batch written for the Safe's owners (ion_cli.flows.unsigned); and what `ion apply` of a
batch returns."""

from __future__ import annotations

from dataclasses import dataclass, field

from ion_cli.results import WriteResult, _Document


@dataclass(frozen=True)
class SafeInfo(_Document):
    """A Safe as read from the chain."""

    address: str
    version: str
    owners: list[str] = field(default_factory=list)
    threshold: int = 0
    nonce: int = 0


@dataclass(frozen=True)
class SafeBatchResult(WriteResult):
    """A write planned for a Safe: `batch_file` (None on --dry-run, which writes nothing) holds
    the Transaction Builder batch; `safe_tx_*` is the one Safe transaction it becomes (to
    MultiSendCallOnly by delegatecall when it has several calls), `safe_tx_hash` what the
    owners sign at the Safe's current nonce (it changes if another Safe transaction runs
    first); `simulated_gas` the calls' gas in the simulation, `execution_gas` the gas of the
    whole execTransaction simulated as one owner executing it (each further owner's signature
    adds a few thousand; None where the node cannot simulate it)."""

    batch_file: str | None = None
    safe: SafeInfo | None = None
    chain_id: int = 0
    transactions: int = 0
    checksum: str = ""
    operation: str = "delegatecall"
    safe_tx_to: str = ""
    safe_tx_data: str = ""
    safe_tx_hash: str = ""
    simulated_gas: int = 0
    execution_gas: int | None = None


@dataclass(frozen=True)
class SafeApplyResult(WriteResult):
    """`ion apply` of a batch by one owner (the write: plan, execution): `executed` when the
    Safe ran it (`tx_hash`, `gas_used`, `block` of the execTransaction), `approved` when this
    owner's approveHash was sent instead (`approvals` of `threshold` given now); neither on a
    dry run or when the journal says it was done already."""

    batch_file: str = ""
    safe: SafeInfo | None = None
    safe_tx_hash: str = ""
    owner: str = ""
    approvals: int = 0
    threshold: int = 0
    executed: bool = False
    approved: bool = False
    tx_hash: str | None = None
    gas_used: int | None = None
    block: int | None = None
