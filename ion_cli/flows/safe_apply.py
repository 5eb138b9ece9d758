"""`ion apply BATCH.json`: one owner of a Safe carries out a Transaction Builder batch.

What it does, in order (nothing is sent before the last step):
1. the file: a batch (not an ion plan), its checksum right (unchanged since written), its
   chain the session's, every call with hex data;
2. the Safe (`meta.createdFromSafeAddress`): a Safe on this chain, and the account one of its
   owners (else refused: the batch is for the Safe{Wallet} app, or for another owner);
3. the calls simulated again from the Safe, in order (a plan that no longer works, e.g. a
   deadline passed or a price moved beyond the plan's bound, is refused here, decoded);
4. the Safe transaction (MultiSendCallOnly by delegatecall, at the Safe's current nonce):
   when the approvals already given on chain (`approveHash` by other owners) plus this owner
   reach the threshold, this owner sends `execTransaction` (its own approval is implied by
   being the sender); otherwise it sends its `approveHash`, and the result says how many
   approvals are missing: each owner runs `ion apply BATCH.json`, the last one executes.

Either transaction goes through the pipeline (preview with the decoded inner calls, confirm,
sign, journal) under the account's lock, once per batch and Safe nonce.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ion_cli.chain import safe_batch as sb
from ion_cli.chain import safe_tx as st
from ion_cli.chain.plan import Plan
from ion_cli.errors import RefusedError, UsageError
from ion_cli.flows.session import Session
from ion_cli.flows.writes import WriteOptions
from ion_cli.safe_results import SafeApplyResult, SafeInfo

MAX_BATCH_BYTES = 2_000_000


def read_batch_file(path: Path) -> Any:
    """The parsed JSON of `path` (a UsageError for a missing, huge or malformed file)."""
    from ion_cli.inputs import read_input_text

    raw = read_input_text(path, "plan file", limit=MAX_BATCH_BYTES)
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise UsageError(f"malformed plan file {path}: not JSON ({exc})") from None


def is_batch_file(path: str | Path) -> bool:
    """Whether `path` holds a Safe batch (else it is left to the plan-file reader, whose
    errors say what is wrong with it)."""
    try:
        return sb.is_batch(read_batch_file(Path(path)))
    except UsageError:
        return False


def _preview(calls: list[tuple[str, int, bytes]], names: dict[str, str]) -> dict[str, str]:
    from ion_cli.abi.describe import clean, decode_calldata

    lines: dict[str, str] = {}
    for index, (to, value, data) in enumerate(calls):
        decoded = decode_calldata(data)
        what = decoded.text(names) if decoded is not None else f"raw data 0x{data.hex()}"
        paid = f" with {value} wei" if value else ""
        lines[f"call {index + 1}"] = clean(f"{to}: {what}{paid}")
    return lines


_named = st.named_call


def apply_batch(session: Session, path: Path, options: WriteOptions) -> SafeApplyResult:
    from ion_cli.chain.simulate import simulate
    from ion_cli.flows.tx import guarded_write
    from ion_cli.flows.unsigned import read_safe

    doc = read_batch_file(path)
    calls = sb.parse_batch(doc, str(path))
    reader = session.reader()
    chain_id = reader.chain_id()
    if str(doc.get("chainId")) != str(chain_id):
        raise RefusedError(
            f"{path} is a batch for chain {doc.get('chainId')}, this node is chain {chain_id}"
        )
    safe_text = str(doc["meta"].get("createdFromSafeAddress") or "")
    from ion_cli.addresses import is_address, to_checksum

    if not is_address(safe_text):
        raise UsageError(f"{path}: meta.createdFromSafeAddress is not an address")
    info = read_safe(session, str(to_checksum(safe_text)), f"{path}: the batch's Safe")
    me = str(to_checksum(session.account().address))
    if me.lower() not in {o.lower() for o in info.owners}:
        raise RefusedError(
            f"{me} is not an owner of the Safe {info.address} (owners: "
            f"{', '.join(info.owners)}): import {path} in the Safe{{Wallet}} Transaction "
            "Builder, or apply it with an owner's `account`",
            params=("account",),
        )
    safe_tx = st.batch_tx(info.address, calls, info.nonce)
    tx_hash = safe_tx.hash(chain_id)
    given = reader.read(
        [st.approved_hash_call(info.address, o, tx_hash) for o in info.owners],
        "latest",
        "reading the owners' approvals",
    )
    approved = [o for o, g in zip(info.owners, given, strict=True) if int(g) and o != me]
    execute = len(approved) + 1 >= info.threshold
    if not execute and any(int(g) for o, g in zip(info.owners, given, strict=True) if o == me):
        raise RefusedError(
            f"{me} already approved this Safe transaction (0x{tx_hash.hex()}): "
            f"{len(approved) + 1} of {info.threshold} approvals; the other owners apply it next"
        )
    name = str(doc["meta"].get("name") or path.name)
    summary = {
        "Safe": f"{info.address} ({info.threshold} of {len(info.owners)}, nonce {info.nonce})",
        "Safe transaction": "0x" + tx_hash.hex(),
        **_preview(calls, {}),
        "approvals": f"{len(approved)} on chain + this owner, {info.threshold} needed",
    }
    if execute:
        signers = {o: st.approved_signature(o) for o in approved[: info.threshold - 1]}
        signers[me] = st.approved_signature(me)
        call = safe_tx.exec_call(st.pack_signatures(signers), description=f"execute {name}")
        title = f"Execute the Safe batch '{name}'"
    else:
        call = st.approve_hash_call(info.address, tx_hash)
        title = f"Approve the Safe batch '{name}' ({len(approved) + 1} of {info.threshold})"
    plan = Plan(title=title, calls=[call], summary=summary)

    def run(o: WriteOptions) -> Any:
        from ion_cli.chain.node import as_web3
        from ion_cli.flows.writes import run_plan
        from ion_cli.results import WriteResult

        # the calls again from the Safe, in order: one that no longer works is refused here,
        # decoded (the Safe itself would only say GS013)
        simulate(as_web3(reader), [_named(t, v, d) for t, v, d in calls], info.address)
        result = run_plan(session, plan, o)
        return WriteResult(plan=plan.to_json(), dry_run=o.dry_run, execution=result, position=None)

    written = guarded_write(
        session,
        options,
        # a batch executes once (whatever the nonce); an approval is of one nonce's hash
        intent=(
            f"safe batch {info.address.lower()} {doc['meta']['checksum']} execute"
            if execute
            else f"safe batch {info.address.lower()} 0x{tx_hash.hex()} approve"
        ),
        market="",
        explicit_network=session.network is not None,
        run_flow=run,
        one_shot=True,
    )
    return _result(written, path, info, tx_hash, me, approved, execute)


def _result(
    written: Any,
    path: Path,
    info: SafeInfo,
    tx_hash: bytes,
    me: str,
    approved: list[str],
    execute: bool,
) -> SafeApplyResult:
    from dataclasses import fields

    execution = written.execution
    sent = execution is not None and execution.sent and not written.dry_run
    step = execution.steps[-1] if sent and execution is not None else None
    from ion_cli.results import WriteResult

    shared = {f.name: getattr(written, f.name) for f in fields(WriteResult)}
    return SafeApplyResult(
        **shared,
        batch_file=str(path),
        safe=info,
        safe_tx_hash="0x" + tx_hash.hex(),
        owner=me,
        approvals=len(approved) + (1 if sent else 0),
        threshold=info.threshold,
        executed=bool(sent and execute),
        approved=bool(sent and not execute),
        tx_hash=step.tx_hash if step is not None else None,
        gas_used=step.gas_used if step is not None else None,
        block=step.block_number if step is not None else None,
    )
