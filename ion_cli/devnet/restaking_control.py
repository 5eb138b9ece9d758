"""`ion devnet avs-slash` and `ion devnet allocate`: rehearse an AVS slashing on the devnet.

The admin acts for the AVS (or the operator) on the AllocationManager stand-in, as an appointee
would on mainnet: `slashOperator` reduces the allocation and the max magnitude and emits
`OperatorSlashed`; `modifyAllocations` queues an allocation change. With `dry_run` nothing is
sent: the result says what would be sent and what it would change (the arithmetic of
`ion_cli.restaking_math`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ion_cli.errors import UsageError

WAD = 10**18


@dataclass(frozen=True)
class World:
    rpc_url: str
    allocation_manager: str
    strategy: str
    operators: dict[str, str]
    avss: dict[str, str]


def _world() -> World:
    from ion_cli.devnet import service
    from ion_cli.devnet.deployment import load

    current = service.require_running()
    assert current.rpc_url is not None
    section = load().raw.get("restaking")
    if not isinstance(section, dict):
        raise UsageError("this devnet has no restaking world (run `ion devnet reset`)")
    return World(
        rpc_url=current.rpc_url,
        allocation_manager=str(section["allocation_manager"]),
        strategy=str(section["strategy"]),
        operators=dict(section["operators"]),
        avss=dict(section["avss"]),
    )


def _resolve(value: str, names: dict[str, str], what: str) -> str:
    """A devnet name (op-1, avs-a) or an address."""
    from ion_cli.addresses import to_checksum

    if value in names:
        return names[value]
    body = value.lower().removeprefix("0x")
    if len(body) == 40 and all(c in "0123456789abcdef" for c in body):
        return to_checksum("0x" + body)
    known = ", ".join(sorted(names))
    raise UsageError(
        f"`{what}`: {value!r} is neither an address nor a devnet name ({known})", params=(what,)
    )


def _call(world: World, signature: str, args: list[Any]) -> Any:
    from ion_cli.adapters import decode_result, encode_call
    from ion_cli.devnet import node

    data = "0x" + encode_call(signature, args).hex()
    raw = node.rpc(world.rpc_url, "eth_call", [{"to": world.allocation_manager, "data": data}])
    return decode_result(signature, bytes.fromhex(str(raw)[2:]))


def _allocation(world: World, operator: str, avs: str, set_id: int) -> tuple[int, int, int]:
    found = _call(
        world,
        "getAllocation(address,(address,uint32),address)((uint64,int128,uint32))",
        [operator, (avs, set_id), world.strategy],
    )
    return int(found[0]), int(found[1]), int(found[2])


def _max(world: World, operator: str) -> int:
    return int(_call(world, "getMaxMagnitude(address,address)(uint64)", [operator, world.strategy]))


def _simulate(world: World, function: str, *args: Any) -> None:
    """eth_call the write as the admin first: a revert is a one-line error, nothing sent."""
    import re

    from ion_cli.devnet import node
    from ion_cli.devnet.deployment import ADMIN_ADDRESS
    from ion_cli.devnet.txbatch import decode_revert, encode_artifact_call
    from ion_cli.errors import NodeError

    data = encode_artifact_call("DevAllocationManager", function, *args)
    call = {"from": ADMIN_ADDRESS, "to": world.allocation_manager, "data": data}
    try:
        node.rpc(world.rpc_url, "eth_call", [call, "latest"])
    except NodeError as exc:
        found = re.search(r"'data': '(0x[0-9a-fA-F]*)'", exc.message)
        reason = decode_revert(found.group(1)) if found else exc.message
        raise UsageError(f"the AllocationManager refuses {function}: {reason}") from None


def _send(world: World, function: str, *args: Any) -> int:
    from ion_cli.devnet.deployment import ADMIN_ADDRESS
    from ion_cli.devnet.txbatch import TxBatch

    tx = TxBatch.start(world.rpc_url, ADMIN_ADDRESS)
    tx.call(world.allocation_manager, "DevAllocationManager", function, *args)
    return tx.finish()


def avs_slash(
    avs: str, set_id: int, operator: str, wad: int, description: str, *, dry_run: bool
) -> dict[str, Any]:
    """Slash `operator` in the operator set (avs, set_id) by `wad` of its allocation to it."""
    if not 0 < wad <= WAD:
        raise UsageError("`wad` must be more than 0 and at most 1", params=("wad",))
    world = _world()
    avs_address = _resolve(avs, world.avss, "avs")
    op = _resolve(operator, world.operators, "operator")
    current = _allocation(world, op, avs_address, set_id)[0]
    max_before = _max(world, op)
    slashed = (current * wad + WAD - 1) // WAD  # EigenLayer rounds the slashed magnitude up
    result: dict[str, Any] = {
        "avs": avs_address,
        "set": set_id,
        "operator": op,
        "wad_to_slash": str(wad),
        "magnitude_before": str(current),
        "max_magnitude_before": str(max_before),
        "slashed_magnitude": str(slashed),
        "wad_slashed": str(slashed * WAD // max_before) if max_before else "0",
        "dry_run": dry_run,
        "block": None,
    }
    if current == 0:
        raise UsageError(f"{op} allocates nothing to {avs_address}/{set_id}: nothing to slash")
    params = (op, set_id, [world.strategy], [wad], description)
    _simulate(world, "slashOperator", avs_address, params)
    if dry_run:
        return result
    result["block"] = _send(world, "slashOperator", avs_address, params)
    result["magnitude_after"] = str(_allocation(world, op, avs_address, set_id)[0])
    result["max_magnitude_after"] = str(_max(world, op))
    return result


def allocate(
    operator: str, avs: str, set_id: int, magnitude: int, *, dry_run: bool
) -> dict[str, Any]:
    """Set `operator`'s allocation to (avs, set_id) to `magnitude` (WAD = all of its stake); an
    increase waits the operator's allocation delay, a decrease the deallocation delay."""
    if not 0 <= magnitude <= WAD:
        raise UsageError("`magnitude` must be between 0 and 1", params=("magnitude",))
    world = _world()
    avs_address = _resolve(avs, world.avss, "avs")
    op = _resolve(operator, world.operators, "operator")
    current, pending, effect = _allocation(world, op, avs_address, set_id)
    result: dict[str, Any] = {
        "operator": op,
        "avs": avs_address,
        "set": set_id,
        "magnitude_before": str(current),
        "pending_before": str(pending),
        "magnitude": str(magnitude),
        "dry_run": dry_run,
        "block": None,
    }
    if pending != 0:
        raise UsageError(f"a change is already pending (effective at block {effect})")
    if magnitude == current:
        raise UsageError("that is the current magnitude")
    params = [((avs_address, set_id), [world.strategy], [magnitude])]
    _simulate(world, "modifyAllocations", op, params)
    if dry_run:
        return result
    result["block"] = _send(world, "modifyAllocations", op, params)
    after = _allocation(world, op, avs_address, set_id)
    result["magnitude_after"] = str(after[0])
    result["pending_after"] = str(after[1])
    result["effect_block"] = after[2] if after[1] else None
    return result
