"""The standard beacon API routes (ethereum/beacon-APIs): validators and balances streamed in
chunks, states, headers, blocks, genesis, node, spec and the event stream; and the middleware
that turns errors and simulated faults into the API's error answers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from ion_cli import consensus_rules as cr
from ion_cli.devnet import beacon_records as bc
from ion_cli.devnet.beacon_records import ChainError, Record
from ion_cli.devnet.beacon_server.server import CHUNK_ROWS, MAX_GET_IDS, POLL_SECONDS, Server

_ROW = (
    '{{"index":"{0}","balance":"{1}","status":"{2}","validator":{{"pubkey":"0x{3}",'
    '"withdrawal_credentials":"0x{4}","effective_balance":"{5}","slashed":{6},'
    '"activation_eligibility_epoch":"{7}","activation_epoch":"{8}","exit_epoch":"{9}",'
    '"withdrawable_epoch":"{10}"}}}}'
)


def validator_row(index: int, rec: Record, status: str) -> str:
    return _ROW.format(
        index, rec.balance, status, rec.pubkey.hex(), rec.credentials.hex(),
        rec.effective_balance, "true" if rec.slashed else "false",
        rec.activation_eligibility_epoch, rec.activation_epoch, rec.exit_epoch,
        rec.withdrawable_epoch,
    )  # fmt: skip


LIE_CREDENTIALS = bytes([1]) + bytes(11) + bytes([0xEE]) * 20


def lying_validator_row(index: int, rec: Record, status: str) -> str:
    """A validator row whose withdrawal credentials a lying node rewrote."""
    return _ROW.format(
        index, rec.balance, status, rec.pubkey.hex(), LIE_CREDENTIALS.hex(),
        rec.effective_balance, "true" if rec.slashed else "false",
        rec.activation_eligibility_epoch, rec.activation_epoch, rec.exit_epoch,
        rec.withdrawable_epoch,
    )  # fmt: skip


def balance_row(index: int, rec: Record, _status: str) -> str:
    return f'{{"index":"{index}","balance":"{rec.balance}"}}'


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"code": status, "message": message}, status=status)


@web.middleware
async def errors(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    server: Server = request.app["server"]
    faults = server.faults
    is_standard = request.path.startswith("/eth/")
    try:
        if is_standard and faults.delay_ms:
            await asyncio.sleep(faults.delay_ms / 1000)
        if is_standard and faults.status_code:
            return _error(faults.status_code, f"simulated error {faults.status_code}")
        if is_standard and faults.syncing and "/states/" in request.path:
            return _error(503, "beacon node is currently syncing and not serving requests")
        return await handler(request)
    except ChainError as exc:
        return _error(exc.status, exc.message)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return _error(exc.status, exc.reason)
    except json.JSONDecodeError:
        return _error(400, "invalid JSON body")


def _envelope(server: Server, slot: int, head: int) -> dict[str, Any]:
    return {
        "execution_optimistic": server.faults.optimistic,
        "finalized": slot <= server.finalized_slot(head),
    }


async def _select(
    request: web.Request, server: Server, *, post: bool, bare_list: bool = False
) -> tuple[list[int] | None, set[str]]:
    """The ids and statuses asked for. POST validators takes {"ids", "statuses"}; POST
    validator_balances takes a bare JSON array of ids (`bare_list`), the object form too."""
    if post:
        if server.faults.no_post:
            raise ChainError(405, "method not allowed")
        text = await request.text()
        body = json.loads(text) if text.strip() else {}
        if bare_list and isinstance(body, list):
            body = {"ids": body}
        if not isinstance(body, dict):
            what = "a JSON array of validator ids" if bare_list else "a JSON object"
            raise ChainError(400, f"the body must be {what}")
        ids = body.get("ids") or []
        statuses = body.get("statuses") or []
        if not isinstance(ids, list) or not isinstance(statuses, list):
            raise ChainError(400, "ids and statuses must be lists")
        return (server.parse_ids([str(i) for i in ids]) if ids else None), server.parse_statuses(
            [str(s) for s in statuses]
        )
    raw_ids = [
        part for value in request.query.getall("id", []) for part in value.split(",") if part
    ]
    if len(raw_ids) > MAX_GET_IDS:
        raise ChainError(
            414, f"too many validator ids: {len(raw_ids)} (at most {MAX_GET_IDS}; use POST)"
        )
    raw_statuses = [
        part for value in request.query.getall("status", []) for part in value.split(",") if part
    ]
    return (server.parse_ids(raw_ids) if raw_ids else None), server.parse_statuses(raw_statuses)


async def _stream_rows(
    request: web.Request,
    server: Server,
    row: Callable[[int, Record, str], str],
    *,
    post: bool,
) -> web.StreamResponse:
    head = await server.head()
    slot = server.resolve_state(request.match_info["state_id"], head)
    indices, statuses = await _select(request, server, post=post, bare_list=row is balance_row)
    chain = server.chain
    view = chain.view(slot)
    epoch = slot // cr.SLOTS_PER_EPOCH
    envelope = _envelope(server, slot, head)
    prefix = (
        f'{{"execution_optimistic":{json.dumps(envelope["execution_optimistic"])},'
        f'"finalized":{json.dumps(envelope["finalized"])},"data":['
    )
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    await response.prepare(request)
    await response.write(prefix.encode())
    if server.faults.rewrite_credentials and row is validator_row:
        row = lying_validator_row
    source = indices if indices is not None else range(chain.layout.total)
    batch: list[str] = []
    first = True
    written = 0
    for index in source:
        rec = server.faults.lied(index, chain.record(view, index))
        status = rec.status(epoch)
        if statuses and status not in statuses:
            continue
        batch.append(row(index, rec, status))
        if len(batch) >= CHUNK_ROWS:
            await response.write(((",", "")[first] + ",".join(batch)).encode())
            first = False
            written += len(batch)
            batch = []
            if server.faults.drop:
                assert request.transport is not None
                request.transport.close()
                return response
    if batch:
        await response.write(((",", "")[first] + ",".join(batch)).encode())
    if server.faults.drop:
        assert request.transport is not None
        request.transport.close()
        return response
    if not server.faults.malformed:
        await response.write(b"]}")
    await response.write_eof()
    return response


async def validators_get(request: web.Request) -> web.StreamResponse:
    return await _stream_rows(request, request.app["server"], validator_row, post=False)


async def validators_post(request: web.Request) -> web.StreamResponse:
    return await _stream_rows(request, request.app["server"], validator_row, post=True)


async def balances_get(request: web.Request) -> web.StreamResponse:
    return await _stream_rows(request, request.app["server"], balance_row, post=False)


async def balances_post(request: web.Request) -> web.StreamResponse:
    return await _stream_rows(request, request.app["server"], balance_row, post=True)


async def validator_one(request: web.Request) -> web.Response:
    server: Server = request.app["server"]
    head = await server.head()
    slot = server.resolve_state(request.match_info["state_id"], head)
    raw = request.match_info["validator_id"]
    found = server.parse_ids([raw])
    if not found:
        raise ChainError(404, f"validator not found: {raw}")
    view = server.chain.view(slot)
    rec = server.faults.lied(found[0], server.chain.record(view, found[0]))
    data = json.loads(validator_row(found[0], rec, rec.status(slot // cr.SLOTS_PER_EPOCH)))
    return web.json_response({**_envelope(server, slot, head), "data": data})


def _checkpoint(server: Server, epoch: int) -> dict[str, str]:
    chain = server.chain
    block = chain.block_at_or_before(epoch * cr.SLOTS_PER_EPOCH)
    return {"epoch": str(epoch), "root": chain.block_roots(block)[1]}


async def finality(request: web.Request) -> web.Response:
    server: Server = request.app["server"]
    head = await server.head()
    slot = server.resolve_state(request.match_info["state_id"], head)
    epochs = server.chain.finality(slot)
    data = {name: _checkpoint(server, epoch) for name, epoch in epochs.items()}
    return web.json_response({**_envelope(server, slot, head), "data": data})


async def state_root(request: web.Request) -> web.Response:
    server: Server = request.app["server"]
    head = await server.head()
    slot = server.resolve_state(request.match_info["state_id"], head)
    data = {"root": server.chain.state_root(slot)}
    return web.json_response({**_envelope(server, slot, head), "data": data})


async def state_fork(request: web.Request) -> web.Response:
    server: Server = request.app["server"]
    head = await server.head()
    slot = server.resolve_state(request.match_info["state_id"], head)
    data = {
        "previous_version": bc.ELECTRA_FORK_VERSION,
        "current_version": bc.FULU_FORK_VERSION,
        "epoch": "0",
    }
    return web.json_response({**_envelope(server, slot, head), "data": data})


def _signature(server: Server, slot: int) -> str:
    from ion_cli.devnet.beacon_blocks import signature

    return signature(server.chain.seed, "block", slot)


def _header_data(server: Server, block: int) -> dict[str, Any]:
    chain = server.chain
    state, root = chain.block_roots(block)
    return {
        "root": root,
        "canonical": True,
        "header": {"message": chain.header(block, state), "signature": _signature(server, block)},
    }


async def header(request: web.Request) -> web.Response:
    server: Server = request.app["server"]
    head = await server.head()
    block = server.resolve_block(request.match_info.get("block_id", "head"), head)
    data = _header_data(server, block)
    return web.json_response({**_envelope(server, block, head), "data": data})


async def headers(request: web.Request) -> web.Response:
    server: Server = request.app["server"]
    head = await server.head()
    wanted = request.query.get("slot")
    block = server.resolve_block(wanted if wanted is not None else "head", head)
    data = [_header_data(server, block)]
    return web.json_response({**_envelope(server, block, head), "data": data})


async def block_v2(request: web.Request) -> web.Response:
    server: Server = request.app["server"]
    head = await server.head()
    block = server.resolve_block(request.match_info["block_id"], head)
    chain = server.chain
    state, _ = chain.block_roots(block)
    message = {**chain.header(block, state), "body": chain.body(block)}
    message.pop("body_root")
    data = {"message": message, "signature": _signature(server, block)}
    return web.json_response(
        {"version": "fulu", **_envelope(server, block, head), "data": data},
        headers={"Eth-Consensus-Version": "fulu"},
    )


async def debug_state(request: web.Request) -> web.Response:
    """The whole BeaconState as SSZ (`Accept: application/octet-stream`), for Merkle proofs."""
    server: Server = request.app["server"]
    if "application/octet-stream" not in request.headers.get("Accept", ""):
        raise ChainError(
            406, "this node serves states as SSZ only: Accept: application/octet-stream"
        )
    if not server.chain.config.real_roots:
        raise ChainError(501, "states of this size have synthetic roots and no SSZ form")
    head = await server.head()
    slot = server.resolve_state(request.match_info["state_id"], head)
    body = server.chain.ssz().state(slot).encode_bytes()
    headers = {
        "Eth-Consensus-Version": "fulu",
        "Eth-Execution-Optimistic": "true" if server.faults.optimistic else "false",
        "Eth-Consensus-Finalized": "true" if slot <= server.finalized_slot(head) else "false",
    }
    return web.Response(body=body, content_type="application/octet-stream", headers=headers)


async def block_root(request: web.Request) -> web.Response:
    server: Server = request.app["server"]
    head = await server.head()
    block = server.resolve_block(request.match_info["block_id"], head)
    data = {"root": server.chain.block_roots(block)[1]}
    return web.json_response({**_envelope(server, block, head), "data": data})


async def genesis(request: web.Request) -> web.Response:
    server: Server = request.app["server"]
    chain = server.chain
    if chain.config.real_roots:
        root = "0x" + chain.ssz().genesis_validators_root.hex()
    else:
        root = chain.state_root(0)
    data = {
        "genesis_time": str(chain.genesis_time),
        "genesis_validators_root": root,
        "genesis_fork_version": bc.GENESIS_FORK_VERSION,
    }
    return web.json_response({"data": data})


async def node_version(request: web.Request) -> web.Response:
    return web.json_response({"data": {"version": bc.NODE_VERSION}})


async def node_health(request: web.Request) -> web.Response:
    server: Server = request.app["server"]
    return web.Response(status=206 if server.faults.syncing else 200)


async def node_syncing(request: web.Request) -> web.Response:
    server: Server = request.app["server"]
    head = await server.head()
    syncing = server.faults.syncing
    data = {
        "head_slot": str(head),
        "sync_distance": "1024" if syncing else "0",
        "is_syncing": syncing,
        "is_optimistic": server.faults.optimistic,
        "el_offline": False,
    }
    return web.json_response({"data": data})


async def config_spec(request: web.Request) -> web.Response:
    data = {
        "SECONDS_PER_SLOT": str(cr.SECONDS_PER_SLOT),
        "SLOTS_PER_EPOCH": str(cr.SLOTS_PER_EPOCH),
        "FAR_FUTURE_EPOCH": str(cr.FAR_FUTURE_EPOCH),
        "MIN_SLASHING_PENALTY_QUOTIENT_ELECTRA": str(cr.MIN_SLASHING_PENALTY_QUOTIENT_ELECTRA),
        "EPOCHS_PER_SLASHINGS_VECTOR": str(cr.EPOCHS_PER_SLASHINGS_VECTOR),
        "PROPORTIONAL_SLASHING_MULTIPLIER_BELLATRIX": str(
            cr.PROPORTIONAL_SLASHING_MULTIPLIER_BELLATRIX
        ),
        "CONFIG_NAME": "ion-devnet",
    }
    return web.json_response({"data": data})


EVENT_TOPICS = ("head", "finalized_checkpoint", "proposer_slashing", "attester_slashing")


async def events(request: web.Request) -> web.StreamResponse:
    server: Server = request.app["server"]
    topics = [t for value in request.query.getall("topics", []) for t in value.split(",") if t]
    if not topics:
        raise ChainError(400, "topics is required")
    unknown = [t for t in topics if t not in EVENT_TOPICS]
    if unknown:
        raise ChainError(400, f"unsupported event topic(s): {', '.join(unknown)}")
    queue: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue(maxsize=1024)
    server.subscribers.append(queue)
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
    )
    await response.prepare(request)
    try:
        await server.head()  # fix the starting head before waiting
        while True:
            try:
                topic, data = await asyncio.wait_for(queue.get(), timeout=POLL_SECONDS)
            except TimeoutError:
                await server.head()
                continue
            if topic in topics:
                await response.write(f"event: {topic}\ndata: {json.dumps(data)}\n\n".encode())
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        server.subscribers.remove(queue)
    return response
