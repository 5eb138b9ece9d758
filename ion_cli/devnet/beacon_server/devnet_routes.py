"""The devnet-only routes (`/ion/v1/devnet/...`): the set's info, slashing and penalizing at a
new block, and the faults a test switches on."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from ion_cli import consensus_rules as cr
from ion_cli.devnet.beacon_records import ChainError, Operation
from ion_cli.devnet.beacon_server.server import Faults, Server


async def _body(request: web.Request) -> dict[str, Any]:
    text = await request.text()
    data = json.loads(text) if text.strip() else {}
    if not isinstance(data, dict):
        raise ChainError(400, "the body must be a JSON object")
    return data


def _lrt(server: Server, value: Any) -> str:
    for symbol in server.chain.lrt_symbols():
        if symbol.lower() == str(value).lower():
            return symbol
    known = ", ".join(server.chain.lrt_symbols())
    raise ChainError(400, f"unknown LRT {value!r} (known: {known})")


async def _next_block(server: Server) -> tuple[int, list[int]]:
    """Move the devnet one slot on (anvil time + 12 s, one block): operations need a block of
    their own. Returns (its slot, the new block slots, not announced yet)."""
    before = await server._head()
    await server.rpc("evm_increaseTime", [hex(cr.SECONDS_PER_SLOT)])
    await server.rpc("evm_mine", [])
    slot, new = await server._sync()
    if slot <= before or slot not in server.chain.blocks:
        raise ChainError(500, "the devnet clock did not move to a new slot")
    return slot, new


MAX_SLASH_COUNT = 100_000  # validators per slash: more than any devnet LRT has
MAX_PENALTY_GWEI = 2048 * 10**9  # Gwei per validator: Electra's maximum effective balance


def _bounded(value: Any, name: str, maximum: int) -> int:
    """A whole number in [1, maximum] from a JSON body (a bool, a float or 2**64 is refused)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise ChainError(400, f"{name} must be a whole number from 1 to {maximum:,}")
    return value


async def devnet_slash(request: web.Request) -> web.Response:
    server: Server = request.app["server"]
    body = await _body(request)
    symbol = _lrt(server, body.get("lrt"))
    count = _bounded(body.get("count", 1), "count", MAX_SLASH_COUNT)
    async with server.lock:
        # refused before the block is mined: a refusal changes nothing (it used to mine first)
        head = await server._head()
        available = server.chain.choose_for_slashing(symbol, count, head)
        if len(available) < count:
            raise ChainError(
                409, f"{symbol} has only {len(available)} active unslashed validators left"
            )
        if body.get("dry_run"):
            return web.json_response(
                {"lrt": symbol, "slot": head, "dry_run": True, "would_slash": available}
            )
        slot, new_blocks = await _next_block(server)
        chain = server.chain
        chosen = chain.choose_for_slashing(symbol, count, slot)
        if len(chosen) < count:
            raise ChainError(
                409, f"{symbol} has only {len(chosen)} active unslashed validators left"
            )
        before = chain.view(slot)
        balances = {i: chain.record(before, i).balance for i in chosen}
        chain.apply(Operation(kind="slash", slot=slot, indices=chosen, lrt=symbol))
        server._announce_all(new_blocks)
        after = chain.view(slot)
    epoch = slot // cr.SLOTS_PER_EPOCH
    rows = []
    for index in chosen:
        rec = chain.record(after, index)
        rows.append(
            {
                "index": index,
                "balance_before": balances[index],
                "balance": rec.balance,
                "initial_penalty": balances[index] - rec.balance,
                "exit_epoch": rec.exit_epoch,
                "withdrawable_epoch": rec.withdrawable_epoch,
                "correlation_penalty_epoch": cr.correlation_penalty_epoch(rec.withdrawable_epoch),
                "status": rec.status(epoch),
            }
        )
    return web.json_response(
        {
            "lrt": symbol,
            "slot": slot,
            "epoch": epoch,
            "block_root": chain.block_roots(slot)[1],
            "validators": rows,
        }
    )


async def devnet_penalize(request: web.Request) -> web.Response:
    server: Server = request.app["server"]
    body = await _body(request)
    symbol = _lrt(server, body.get("lrt"))
    gwei = _bounded(body.get("gwei", 0), "gwei", MAX_PENALTY_GWEI)
    async with server.lock:
        if body.get("dry_run"):
            head = await server._head()
            indices = server.chain.active_of(symbol, head)
            view = server.chain.view(head)
            total = sum(server.chain.record(view, i).balance for i in indices)
            return web.json_response(
                {
                    "lrt": symbol,
                    "slot": head,
                    "dry_run": True,
                    "validators": len(indices),
                    "gwei_each": gwei,
                    "balance_before": total,
                }
            )
        slot, new_blocks = await _next_block(server)
        chain = server.chain
        indices = chain.active_of(symbol, slot)
        before = chain.view(slot)
        total_before = sum(chain.record(before, i).balance for i in indices)
        chain.apply(Operation(kind="penalize", slot=slot, indices=indices, gwei=gwei, lrt=symbol))
        server._announce_all(new_blocks)
        after = chain.view(slot)
        total_after = sum(chain.record(after, i).balance for i in indices)
    return web.json_response(
        {
            "lrt": symbol,
            "slot": slot,
            "epoch": slot // cr.SLOTS_PER_EPOCH,
            "validators": len(indices),
            "gwei_each": gwei,
            "balance_before": total_before,
            "balance": total_after,
        }
    )


async def devnet_faults(request: web.Request) -> web.Response:
    server: Server = request.app["server"]
    body = await _body(request)
    if body.get("reset"):
        server.faults = Faults()
        body.pop("reset")
    server.faults.update(body)
    return web.json_response({"faults": vars(server.faults)})


async def devnet_info(request: web.Request) -> web.Response:
    server: Server = request.app["server"]
    head = await server.head()
    chain = server.chain
    lrts = {}
    for group in chain.config.groups:
        runs = chain.layout.lrt_runs(group.symbol)
        lrts[group.symbol] = {
            "validators": sum(end - start for start, end in runs),
            "credentials": list(group.credentials),
        }
    return web.json_response(
        {
            "validators": chain.layout.total,
            "lrts": lrts,
            "genesis_time": chain.genesis_time,
            "head_slot": head,
            "finalized_epoch": chain.finality(head)["finalized"],
            "real_roots": chain.config.real_roots,
            "operations": [o.to_json() for o in chain.operations],
            "rpc_url": server.rpc_url,
        }
    )
