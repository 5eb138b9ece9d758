"""The whole Safe transaction simulated as its owners will execute it: `execTransaction` from
one owner (its own approval implied by sending it), the Safe's threshold overridden to 1 for
the simulation (the other owners' signatures do not exist yet), at the next block's time.

This runs what the batch file encodes end to end (the MultiSend packing, the delegatecall, the
Safe's checks and its GS013 when an inner call fails) and measures the execution's gas; the
calls one by one are simulated before it (ion_cli.chain.simulate), which decodes an inner
failure the Safe would report only as GS013.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ion_cli.chain import safe_tx as st
from ion_cli.errors import TransactionReverted

if TYPE_CHECKING:
    from ion_cli.chain.rpc import Reader

# Safe 1.4.1's storage: singleton (0), modules (1), owners (2), ownerCount (3), threshold (4).
THRESHOLD_SLOT = 4


def simulate_execution(reader: Reader, safe_tx: st.SafeTx, owner: str) -> int:
    """Gas `execTransaction` of `safe_tx` uses when `owner` sends it; TransactionReverted with
    the Safe's reason when it would fail."""
    from ion_cli.chain.clock import next_block_time
    from ion_cli.chain.revert import decode_revert

    latest = reader.block("latest")
    call = safe_tx.exec_call(st.approved_signature(owner))
    slot = "0x" + THRESHOLD_SLOT.to_bytes(32, "big").hex()
    payload = {
        "blockStateCalls": [
            {
                "blockOverrides": {
                    "number": hex(latest["number"] + 1),
                    "time": hex(next_block_time(latest["timestamp"])),
                },
                "stateOverrides": {
                    safe_tx.safe: {"stateDiff": {slot: "0x" + (1).to_bytes(32, "big").hex()}}
                },
                "calls": [{"from": owner, "to": safe_tx.safe, "data": "0x" + call.data.hex()}],
            }
        ],
        "validation": False,
    }
    blocks = reader.request("eth_simulateV1", [payload, "latest"], "simulating the Safe batch")
    results = [c for b in blocks or [] for c in (b.get("calls") or [])]
    if len(results) != 1:
        raise TransactionReverted("the node did not simulate the Safe transaction")
    result = results[0]
    if int(str(result.get("status", "0x0")), 16) != 1:
        data = str(result.get("returnData") or "0x")
        reason = decode_revert(bytes.fromhex(data[2:])).text if len(data) > 2 else "reverted"
        raise TransactionReverted(
            f"the batch fails when the Safe executes it (execTransaction: {reason})"
        )
    return int(str(result.get("gasUsed", "0x0")), 16)
