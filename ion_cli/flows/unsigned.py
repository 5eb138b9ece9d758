"""Writes for a multisig: the plan a write command builds, simulated from the Safe's address
(the Safe owns the vault), written as a Safe Transaction Builder batch instead of being signed.

The write runs as a dry run on a session whose account is the Safe: every flow reads the
Safe's vault, balances and allowances, and the pipeline simulates every call from the Safe in
one `eth_simulateV1` block (as MultiSendCallOnly will run them, in order, from the Safe's
context). Nothing asks for a key. The calls are then decoded with the published interfaces
(the decoding the preview shows: what is previewed is what the owners sign) into the batch's
`contractMethod`/`contractInputsValues`, and the whole batch becomes one Safe transaction: a
delegatecall to MultiSendCallOnly, atomic (ion_cli.chain.safe_tx).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ion_cli.accounts.signer import ResolvedAccount
from ion_cli.chain import safe_batch as sb
from ion_cli.chain import safe_tx as st
from ion_cli.chain.plan import Call, Plan
from ion_cli.errors import RefusedError, UsageError
from ion_cli.flows.session import Session
from ion_cli.safe_results import SafeBatchResult, SafeInfo

if TYPE_CHECKING:
    from ion_cli.results import WriteResult


class SafeAccount(ResolvedAccount):
    """The Safe as the session's account: its address for every read and simulation; it has
    no key (its owners sign, elsewhere)."""

    def signer(self) -> Any:
        raise RefusedError(
            f"{self.address} is a Safe: its owners sign its transactions (write the batch with "
            "--unsigned and execute it from the Safe)"
        )


@dataclass
class SafeSession(Session):
    """A session acting as the Safe `safe` (the connection and profile shared with the
    session it was made from)."""

    safe: str = ""

    def account(self) -> ResolvedAccount:
        return SafeAccount(name=f"Safe {self.safe}", address=self.safe, storage="safe")

    @classmethod
    def of(cls, session: Session, safe: str) -> SafeSession:
        shared = {f.name: getattr(session, f.name) for f in fields(Session)}
        made = cls(**shared, safe=safe)
        made._reader = session.reader()  # one connection for both
        return made


def check_output_file(path: Path) -> None:
    """The batch file can be written: checked before anything is read from the chain."""
    from ion_cli.atomic import check_output

    check_output(path, "batch file")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"cannot write the batch file {path}: no such directory {parent}")
    if not os.access(parent, os.W_OK):
        raise UsageError(f"cannot write the batch file {path}: {parent} is not writable")


def parse_safe(text: str) -> str:
    from ion_cli.addresses import is_address, to_checksum

    if not is_address(text.strip()):
        raise UsageError(f"--safe: {text!r} is not an address (0x and 40 hex digits)")
    return str(to_checksum(text.strip()))


def read_safe(session: Session, safe: str, what: str = "--safe") -> SafeInfo:
    """The Safe's version, owners, threshold and nonce; a UsageError when `safe` is not a
    contract, or not a Safe (it does not answer getThreshold/getOwners/nonce). `what` names
    where the address came from, for the message."""
    reader = session.reader()
    code = reader.request("eth_getCode", [safe, "latest"], f"reading the code at {safe}")
    if not isinstance(code, str) or code in ("0x", ""):
        hint = "" if what == "--safe" else ": pass --safe ADDRESS, the Safe that owns the vault"
        raise UsageError(f"{what}: {safe} is not a contract on this chain (no code there){hint}")
    try:
        owners, threshold, nonce = reader.read(
            [st.owners_call(safe), st.threshold_call(safe), st.nonce_call(safe)],
            "latest",
            f"reading the Safe {safe}",
        )
    except Exception:
        raise UsageError(
            f"{what}: {safe} is not a Safe (it does not answer getOwners/getThreshold/nonce)"
        ) from None
    try:
        version = str(reader.read_one(st.version_call(safe), "latest", "reading VERSION"))
    except Exception:
        version = ""
    return SafeInfo(
        address=safe,
        version=version,
        owners=[str(o) for o in owners],
        threshold=int(threshold),
        nonce=int(nonce),
    )


def decoded_call(call: Call, interfaces: tuple[str, ...] = ()) -> tuple[Any, Any] | None:
    """(ABI entry, decoded arguments) of a call, as the preview decodes it; None when no
    published interface has its selector."""
    from ion_cli.abi import interface
    from ion_cli.abi.describe import decode_calldata
    from ion_cli.abi.signature import selector

    decoded = decode_calldata(call.data, interfaces)
    if decoded is None:
        return None
    entry = call.function
    if entry is None or selector(entry) != call.data[:4]:
        entry = next(
            (
                e
                for e in interface(decoded.interface).functions(decoded.function)
                if selector(e) == call.data[:4]
            ),
            None,
        )
    return (entry, decoded.args) if entry is not None else None


def batch_of(
    plan: Plan,
    *,
    chain_id: int,
    safe: str,
    created_at_ms: int,
    description: str,
    warn: Callable[[str], None],
) -> dict[str, Any]:
    """The Transaction Builder batch of `plan`'s calls, in order."""
    transactions = []
    for index, call in enumerate(plan.calls):
        found = decoded_call(call)
        if found is None and call.data:
            warn(
                f"call {index + 1} ({call.label}) matches no published interface: the batch "
                "carries its raw data only"
            )
        entry, args = found if found is not None else (None, None)
        transactions.append(sb.batch_transaction(call.to, call.value, call.data, entry, args))
    return sb.new_batch(
        chain_id=chain_id,
        safe=safe,
        name=plan.title,
        description=description,
        transactions=transactions,
        created_at_ms=created_at_ms,
    )


def describe(plan: Plan, info: SafeInfo, safe_tx: st.SafeTx) -> str:
    how = (
        f"{len(plan.calls)} calls executed atomically through MultiSendCallOnly "
        f"({st.MULTI_SEND_CALL_ONLY}, delegatecall)"
        if safe_tx.operation == st.DELEGATECALL
        else "one call"
    )
    return (
        f"{plan.title}. Written by ion for the Safe {info.address} ({info.threshold} of "
        f"{len(info.owners)} owners): {how}; simulated from the Safe at its nonce "
        f"{info.nonce}."
    )


def to_batch_result(
    session: Session,
    info: SafeInfo,
    written: WriteResult,
    path: Path,
    *,
    write_file: bool,
    warn: Callable[[str], None],
) -> SafeBatchResult:
    """Turn the dry run of a write (made on a `SafeSession`) into the batch file and its
    result."""
    import json
    import time

    from ion_cli.atomic import write_output

    execution = written.execution
    plan = execution.plan if execution is not None else None
    if execution is None or plan is None:
        raise RefusedError("the write built no plan: nothing to write for the Safe")
    if execution.simulation != "eth_simulateV1":
        warn(
            "the node could not simulate the whole batch (no eth_simulateV1): only its first "
            "call was checked; simulate it in the Safe app before signing"
        )
    chain_id = execution.chain_id
    calls = [(c.to, c.value, c.data) for c in plan.calls]
    safe_tx = st.batch_tx(info.address, calls, info.nonce)
    execution_gas: int | None = None
    if execution.simulation == "eth_simulateV1":  # the node simulates: the whole Safe tx too
        from ion_cli.chain.safe_sim import simulate_execution

        execution_gas = simulate_execution(session.reader(), safe_tx, info.owners[0])
    batch = batch_of(
        plan,
        chain_id=chain_id,
        safe=info.address,
        created_at_ms=int(time.time() * 1000),
        description=describe(plan, info, safe_tx),
        warn=warn,
    )
    if write_file:
        write_output(path, json.dumps(batch, indent=2) + "\n", "batch file")
    gas = sum(s.simulated_gas_used or 0 for s in execution.steps)
    from ion_cli.results import WriteResult

    # the write's own fields (a subclass's extra ones, e.g. a submit's, are not the batch's)
    shared = {f.name: getattr(written, f.name) for f in fields(WriteResult)}
    return SafeBatchResult(
        **shared,
        batch_file=str(path) if write_file else None,
        safe=info,
        chain_id=chain_id,
        transactions=len(plan.calls),
        checksum=str(batch["meta"]["checksum"]),
        operation="delegatecall" if safe_tx.operation == st.DELEGATECALL else "call",
        safe_tx_to=safe_tx.to,
        safe_tx_data="0x" + safe_tx.data.hex(),
        safe_tx_hash="0x" + safe_tx.hash(chain_id).hex(),
        simulated_gas=gas,
        execution_gas=execution_gas,
    )
