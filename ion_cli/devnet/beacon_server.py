"""The devnet's beacon node API: the standard routes over a synthetic chain (aiohttp).

Run as its own process (`ion devnet up` starts it through `ion_cli.devnet.services`):

    python -m ion_cli.devnet.beacon_server --devnet-dir DIR --rpc-url URL [--port 0]
    python -m ion_cli.devnet.beacon_server --validators 1000000      # benchmark set, no anvil

It prints `Listening on 127.0.0.1:PORT` once it accepts connections. The clock is the devnet
chain's (each request reads anvil's latest block time), so `ion devnet advance` moves the head
and finality; with no `--rpc-url` the head stays at the first slot after the anchor.

Standard routes (ethereum/beacon-APIs; uint64s as decimal strings; errors {"code","message"}):
  GET/POST /eth/v1/beacon/states/{state_id}/validators     (GET: at most 64 ids, else 414)
  GET      /eth/v1/beacon/states/{state_id}/validators/{validator_id}
  GET/POST /eth/v1/beacon/states/{state_id}/validator_balances
  GET      /eth/v1/beacon/states/{state_id}/finality_checkpoints, .../root, .../fork
  GET      /eth/v1/beacon/headers[/{block_id}], /eth/v2/beacon/blocks/{block_id},
           /eth/v1/beacon/blocks/{block_id}/root
  GET      /eth/v1/beacon/genesis, /eth/v1/node/{version,health,syncing}, /eth/v1/config/spec
  GET      /eth/v2/debug/beacon/states/{state_id}    (SSZ only, devnet-size sets)
  GET      /eth/v1/events?topics=head,finalized_checkpoint,proposer_slashing,attester_slashing
Devnet-only routes (`ion devnet slash|penalize` and tests use them):
  GET  /ion/v1/devnet/info                         the set: size, per-LRT counts, clock
  POST /ion/v1/devnet/slash     {"lrt", "count"}   slash at a new block one slot later
  POST /ion/v1/devnet/penalize  {"lrt", "gwei"}    lower every active validator's balance
  POST /ion/v1/devnet/faults    {"syncing", "optimistic", "no_post", "malformed", "drop",
                                 "status_code", "delay_ms", "lie", "rewrite_credentials"}
                                 simulate a misbehaving node ("lie": {"index", "field"} in
                                 JSON answers, not in SSZ; "rewrite_credentials": every
                                 validator's, a node that hides a whole set)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, ClientTimeout, web

from ion_cli import consensus_rules as cr
from ion_cli.beacon import eip4788
from ion_cli.devnet import beacon_chain as bc
from ion_cli.devnet.beacon_chain import Chain, ChainError, Operation, Record

ORPHAN_SECONDS = 30.0  # with no answer from its node for this long, the server exits
MAX_GET_IDS = 64
CHUNK_ROWS = 2000
POLL_SECONDS = 0.25
HOST = "127.0.0.1"


@dataclass
class Faults:
    """Misbehaviour on demand, so client tests can meet every error over real HTTP."""

    syncing: bool = False  # health 206, syncing true, state routes 503
    optimistic: bool = False  # execution_optimistic: true in answers
    no_post: bool = False  # POST validators/balances -> 405 (an older node)
    malformed: bool = False  # validators/balances answers cut mid-document
    drop: bool = False  # the connection closes mid-response
    status_code: int = 0  # every /eth route answers this status (e.g. 500)
    delay_ms: int = 0
    rewrite_credentials: bool = False  # a lying node: every validator pays to another address
    # A node that lies in its JSON answers (never in the SSZ state): {"index": i, "field":
    # "slashed" | "balance" | "withdrawal_credentials"}.
    lie: dict[str, Any] = field(default_factory=dict)

    def lied(self, index: int, rec: Record) -> Record:
        if not self.lie or int(self.lie.get("index", -1)) != index:
            return rec
        rec = rec.copy()
        what = self.lie.get("field")
        if what == "slashed":
            rec.slashed = not rec.slashed
        elif what == "balance":
            rec.balance = max(0, rec.balance - 10**9)
        elif what == "withdrawal_credentials":
            rec.credentials = bytes([0x01]) + bytes(11) + bytes.fromhex("ee" * 20)
        return rec

    def update(self, data: dict[str, Any]) -> None:
        for key, value in data.items():
            if key not in vars(self):
                raise ChainError(400, f"unknown fault {key!r}")
            setattr(self, key, type(getattr(self, key))(value))


@dataclass
class Server:
    chain: Chain
    rpc_url: str | None
    fixed_head: int
    faults: Faults = field(default_factory=Faults)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    subscribers: list[asyncio.Queue[tuple[str, dict[str, Any]]]] = field(default_factory=list)
    session: ClientSession | None = None
    last_finalized: int = -1
    # The devnet chain's blocks as last read: (number, hash, timestamp), in order.
    anvil_blocks: list[tuple[int, str, int]] = field(default_factory=list)
    # EIP-4788 entries written: anvil block number -> (its hash, the root written for it).
    fed: dict[int, tuple[str, str]] = field(default_factory=dict)
    # Only the devnet's own server (the one with the devnet dir) feeds the contract: another
    # server following the same node (a test's, maybe with another seed) must not overwrite it.
    feed_roots: bool = False

    # ------------------------------------------------------------ the clock

    async def rpc(self, method: str, params: list[Any]) -> Any:
        if self.rpc_url is None:
            raise ChainError(503, "this beacon server has no devnet node to follow")
        if self.session is None:
            self.session = ClientSession(timeout=ClientTimeout(total=10))
        body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
        try:
            async with self.session.post(self.rpc_url, json=body) as answer:
                data = await answer.json(content_type=None)
        except (TimeoutError, OSError, ValueError) as exc:
            raise ChainError(
                503, f"the devnet node at {self.rpc_url} does not answer: {exc}"
            ) from None
        if "error" in data:
            raise ChainError(503, f"the devnet node answered {method}: {data['error']}")
        return data.get("result")

    async def rpc_batch(self, calls: list[tuple[str, list[Any]]]) -> list[Any]:
        if self.rpc_url is None:
            raise ChainError(503, "this beacon server has no devnet node to follow")
        if self.session is None:
            self.session = ClientSession(timeout=ClientTimeout(total=30))
        body = [
            {"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in enumerate(calls)
        ]
        try:
            async with self.session.post(self.rpc_url, json=body) as answer:
                data = await answer.json(content_type=None)
        except (TimeoutError, OSError, ValueError) as exc:
            raise ChainError(
                503, f"the devnet node at {self.rpc_url} does not answer: {exc}"
            ) from None
        by_id = {item.get("id"): item for item in data} if isinstance(data, list) else {}
        results = []
        for i, (method, _) in enumerate(calls):
            item = by_id.get(i) or {"error": "no answer"}
            if "error" in item:
                raise ChainError(503, f"the devnet node answered {method}: {item['error']}")
            results.append(item.get("result"))
        return results

    async def head(self) -> int:
        """The head slot from the devnet's clock; records blocks and emits events."""
        async with self.lock:
            return await self._head()

    async def _head(self) -> int:
        slot, new_blocks = await self._sync()
        self._announce_all(new_blocks)
        return slot

    async def _sync(self) -> tuple[int, list[int]]:
        """Read the devnet chain's new blocks (all of them again after a revert); the head slot
        is the latest block's. Returns (head slot, new beacon block slots)."""
        if self.rpc_url is None:
            return self.fixed_head, self.chain.observe_head(self.fixed_head)
        calls: list[tuple[str, list[Any]]] = [("eth_getBlockByNumber", ["latest", False])]
        if self.anvil_blocks:
            calls.append(("eth_getBlockByNumber", [hex(self.anvil_blocks[-1][0]), False]))
        answers = await self.rpc_batch(calls)
        latest = answers[0]
        number = int(latest["number"], 16)
        known = self.anvil_blocks
        if known and (answers[1] is None or answers[1]["hash"] != known[-1][1]):
            known = []  # the chain was reverted: read it again
        if known and number < known[-1][0]:
            known = []
        start = known[-1][0] + 1 if known else 0
        fetched: list[tuple[int, str, int]] = []
        for first in range(start, number + 1, 500):
            wanted = range(first, min(first + 500, number + 1))
            blocks = await self.rpc_batch(
                [("eth_getBlockByNumber", [hex(n), False]) for n in wanted]
            )
            fetched += [(int(b["number"], 16), b["hash"], int(b["timestamp"], 16)) for b in blocks]
        self.anvil_blocks = known + fetched
        chain = self.chain
        new = chain.set_blocks(chain.slot_at(ts) for _, _, ts in self.anvil_blocks)
        if not known:
            self.fed.clear()  # a revert also undid the storage written after its snapshot
        await self._feed_beacon_roots()
        return chain.slot_at(int(latest["timestamp"], 16)), new

    async def _feed_beacon_roots(self) -> None:
        """Keep the chain's EIP-4788 contract as a consensus client would: every anvil block's
        timestamp maps to the root of the beacon block before the one holding it (the block at
        the last earlier slot that has one). The contract is installed with its published code;
        entries are storage writes, which mine nothing (block numbers and times stay the
        devnet's). Checks the newest entry first: a revert to a snapshot taken before a write
        undoes it without changing any block, so a missing entry means feeding everything again.
        """
        if not self.anvil_blocks or not self.feed_roots:
            return
        chain = self.chain
        number, block_hash, ts = self.anvil_blocks[-1]
        position, root_slot = eip4788.storage_slots(ts)
        code, stored = await self.rpc_batch(
            [
                ("eth_getCode", [eip4788.ADDRESS, "latest"]),
                ("eth_getStorageAt", [eip4788.ADDRESS, hex(root_slot), "latest"]),
            ]
        )
        calls: list[tuple[str, list[Any]]] = []
        if not code or code == "0x":
            calls.append(("anvil_setCode", [eip4788.ADDRESS, eip4788.CODE]))
            self.fed.clear()
        elif number in self.fed and int(stored or "0x0", 16) != int(self.fed[number][1], 16):
            self.fed.clear()
        for number, block_hash, ts in self.anvil_blocks:
            parent = chain.parent_of(chain.slot_at(ts))
            root = chain.block_roots(parent)[1] if parent is not None else bc.ZERO_ROOT
            if self.fed.get(number) == (block_hash, root):
                continue
            position, root_slot = eip4788.storage_slots(ts)
            calls += [
                ("anvil_setStorageAt", [eip4788.ADDRESS, eip4788.word(position), eip4788.word(ts)]),
                ("anvil_setStorageAt", [eip4788.ADDRESS, eip4788.word(root_slot), root]),
            ]
            self.fed[number] = (block_hash, root)
        try:
            for first in range(0, len(calls), 500):
                await self.rpc_batch(calls[first : first + 500])
        except ChainError:
            self.fed.clear()  # some writes may be missing: write everything next time
            raise

    def _announce_all(self, new_blocks: list[int]) -> None:
        if self.subscribers:
            for block in new_blocks:
                self._announce(block)

    def _announce(self, block: int) -> None:
        chain = self.chain
        state_root, block_root = chain.block_roots(block)
        self.publish(
            "head",
            {
                "slot": str(block),
                "block": block_root,
                "state": state_root,
                "epoch_transition": block % cr.SLOTS_PER_EPOCH == 0,
                "previous_duty_dependent_root": block_root,
                "current_duty_dependent_root": block_root,
                "execution_optimistic": self.faults.optimistic,
            },
        )
        body = chain.body(block)
        for item in body["proposer_slashings"]:
            self.publish("proposer_slashing", item)
        for item in body["attester_slashings"]:
            self.publish("attester_slashing", item)
        finalized = chain.finality(block)["finalized"]
        if finalized != self.last_finalized:
            self.last_finalized = finalized
            start = finalized * cr.SLOTS_PER_EPOCH
            checkpoint_block = chain.block_at_or_before(start)
            self.publish(
                "finalized_checkpoint",
                {
                    "block": chain.block_roots(checkpoint_block)[1],
                    "state": chain.state_root(start),
                    "epoch": str(finalized),
                    "execution_optimistic": self.faults.optimistic,
                },
            )

    def publish(self, topic: str, data: dict[str, Any]) -> None:
        for queue in list(self.subscribers):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait((topic, data))

    # ------------------------------------------------------------ ids

    def finalized_slot(self, head: int) -> int:
        return self.chain.finality(head)["finalized"] * cr.SLOTS_PER_EPOCH

    def resolve_state(self, state_id: str, head: int) -> int:
        if state_id == "head":
            return head
        if state_id == "genesis":
            return 0
        if state_id == "finalized":
            return self.finalized_slot(head)
        if state_id == "justified":
            return self.chain.finality(head)["current_justified"] * cr.SLOTS_PER_EPOCH
        if state_id.isdigit():
            slot = int(state_id)
            if slot > head:
                raise ChainError(404, f"state not found: slot {slot} is after the head ({head})")
            return slot
        if state_id.startswith("0x") and len(state_id) == 66:
            for known in (head, self.finalized_slot(head)):
                self.chain.state_root(known)
            found = self.chain.slot_of_root(state_id)
            if found is None or found > head:
                raise ChainError(404, f"state not found: {state_id}")
            if self.chain.state_root(found) != state_id.lower():  # a block root, not a state
                raise ChainError(404, f"state not found: {state_id}")
            return found
        raise ChainError(400, f"invalid state id: {state_id!r}")

    def resolve_block(self, block_id: str, head: int) -> int:
        chain = self.chain
        if block_id == "head":
            return chain.block_at_or_before(head)
        if block_id == "genesis":
            return 0
        if block_id == "finalized":
            return chain.block_at_or_before(self.finalized_slot(head))
        if block_id == "justified":
            epoch = chain.finality(head)["current_justified"]
            return chain.block_at_or_before(epoch * cr.SLOTS_PER_EPOCH)
        if block_id.isdigit():
            slot = int(block_id)
            if slot > head or slot not in chain.blocks:
                raise ChainError(404, f"block not found: no block at slot {slot}")
            return slot
        if block_id.startswith("0x") and len(block_id) == 66:
            chain.block_roots(chain.block_at_or_before(head))
            known = chain.slot_of_root(block_id)
            if (
                known is None
                or known not in chain.blocks
                or chain.block_roots(known)[1] != block_id.lower()
            ):
                raise ChainError(404, f"block not found: {block_id}")
            return known
        raise ChainError(400, f"invalid block id: {block_id!r}")

    def parse_ids(self, raw: list[str]) -> list[int]:
        """Indices for the ids given (unknown ones are left out, as nodes do)."""
        out: list[int] = []
        total = self.chain.layout.total
        for item in raw:
            item = item.strip()
            if item.isdigit():
                if int(item) < total:
                    out.append(int(item))
            elif item.startswith("0x") and len(item) == 98:
                try:
                    key = bytes.fromhex(item[2:])
                except ValueError:
                    raise ChainError(400, f"invalid validator id: {item!r}") from None
                index = self.chain.index_of_pubkey(key)
                if index is not None:
                    out.append(index)
            else:
                raise ChainError(400, f"invalid validator id: {item!r}")
        return sorted(set(out))  # answers list validators by index, as nodes do

    @staticmethod
    def parse_statuses(raw: list[str]) -> set[str]:
        wanted: set[str] = set()
        for item in raw:
            item = item.strip()
            if item in cr.STATUS_GROUPS:
                wanted.update(cr.STATUS_GROUPS[item])
            elif item in cr.STATUSES:
                wanted.add(item)
            else:
                raise ChainError(400, f"invalid validator status: {item!r}")
        return wanted


# ---------------------------------------------------------------- JSON rows

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


# ---------------------------------------------------------------- handlers


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
    return server.chain._signature("block", slot)


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


# ---------------------------------------------------------------- devnet-only routes


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


def build_app(server: Server) -> web.Application:
    app = web.Application(middlewares=[errors], client_max_size=64 * 1024 * 1024)
    app["server"] = server
    states = "/eth/v1/beacon/states/{state_id}"
    app.router.add_get(f"{states}/validators", validators_get)
    app.router.add_post(f"{states}/validators", validators_post)
    app.router.add_get(f"{states}/validators/{{validator_id}}", validator_one)
    app.router.add_get(f"{states}/validator_balances", balances_get)
    app.router.add_post(f"{states}/validator_balances", balances_post)
    app.router.add_get(f"{states}/finality_checkpoints", finality)
    app.router.add_get(f"{states}/root", state_root)
    app.router.add_get(f"{states}/fork", state_fork)
    app.router.add_get("/eth/v1/beacon/headers", headers)
    app.router.add_get("/eth/v1/beacon/headers/{block_id}", header)
    app.router.add_get("/eth/v2/beacon/blocks/{block_id}", block_v2)
    app.router.add_get("/eth/v1/beacon/blocks/{block_id}/root", block_root)
    app.router.add_get("/eth/v2/debug/beacon/states/{state_id}", debug_state)
    app.router.add_get("/eth/v1/beacon/genesis", genesis)
    app.router.add_get("/eth/v1/node/version", node_version)
    app.router.add_get("/eth/v1/node/health", node_health)
    app.router.add_get("/eth/v1/node/syncing", node_syncing)
    app.router.add_get("/eth/v1/config/spec", config_spec)
    app.router.add_get("/eth/v1/events", events)
    app.router.add_get("/ion/v1/devnet/info", devnet_info)
    app.router.add_post("/ion/v1/devnet/slash", devnet_slash)
    app.router.add_post("/ion/v1/devnet/penalize", devnet_penalize)
    app.router.add_post("/ion/v1/devnet/faults", devnet_faults)

    async def close_session(_app: web.Application) -> None:
        if server.session is not None:
            await server.session.close()

    app.on_cleanup.append(close_session)
    return app


# ---------------------------------------------------------------- start-up


def _rpc_sync(url: str, method: str, params: list[Any]) -> Any:
    from ion_cli.devnet import node

    return node.rpc(url, method, params)


def make_chain(args: argparse.Namespace) -> tuple[Chain, int]:
    """The chain (loaded from the devnet dir's state file, or new) and the fixed head slot."""
    directory: Path | None = Path(args.devnet_dir) if args.devnet_dir else None
    state_file = directory / bc.STATE_FILE if directory is not None else None
    real_roots = None if not args.synthetic_roots else False
    if state_file is not None and state_file.exists():
        try:
            chain = Chain.load(state_file, real_roots=real_roots)
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(
                f"corrupt beacon state file {state_file} ({exc}): run `ion devnet reset`"
            ) from None
    else:
        if args.rpc_url:
            first = _rpc_sync(args.rpc_url, "eth_getBlockByNumber", ["0x0", False])
            first_time = int(first["timestamp"], 16)
        else:
            first_time = args.genesis_time + bc.GENESIS_EPOCHS * bc.SECONDS_PER_EPOCH
        groups = None
        deployment = None
        if directory is not None and (directory / "deployment.json").exists():
            deployment = directory / "deployment.json"
        elif getattr(args, "deployment", None):
            deployment = Path(args.deployment)  # the LRTs' credentials only, state in memory
        if deployment is not None:
            document = json.loads(deployment.read_text())
            groups = bc.groups_from_deployment(document) or None
        chain = bc.new_chain(
            seed=args.seed,
            genesis_time=bc.genesis_time_for(first_time),
            groups=groups,
            total=args.validators,
            state_file=state_file,
            real_roots=real_roots,
        )
    fixed = (bc.GENESIS_EPOCHS + 1) * cr.SLOTS_PER_EPOCH + 7
    return chain, fixed


async def serve(args: argparse.Namespace) -> None:
    import gc

    # Streaming a million rows allocates short-lived objects by the million: collect young
    # generations less often (none of them form cycles).
    gc.set_threshold(50_000, 20, 100)
    chain, fixed = make_chain(args)
    if chain.config.real_roots:
        chain.ssz()  # build the tree before accepting requests
    server = Server(
        chain=chain,
        rpc_url=args.rpc_url,
        fixed_head=fixed,
        feed_roots=bool(args.rpc_url and args.devnet_dir),
    )
    if args.rpc_url:
        # Read the devnet's blocks (and write their EIP-4788 entries) before saying we are
        # ready: `ion devnet up` returns with every existing block anchored.
        with contextlib.suppress(ChainError):
            await server.head()
    app = build_app(server)
    runner = web.AppRunner(app, access_log=None, handle_signals=True)
    await runner.setup()
    site = web.TCPSite(runner, args.host, args.port, reuse_address=True)
    await site.start()
    server_obj = getattr(site, "_server", None)
    sockets = getattr(server_obj, "sockets", None) or []
    port = sockets[0].getsockname()[1] if sockets else args.port
    print(f"Listening on {args.host}:{port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    import signal

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    watchdog = asyncio.create_task(_watch_node(server, stop)) if args.rpc_url else None
    follower = asyncio.create_task(_follow_node(server, stop)) if server.feed_roots else None
    try:
        await stop.wait()
    finally:
        for task in (watchdog, follower):
            if task is not None:
                task.cancel()
        await runner.cleanup()


async def _follow_node(server: Server, stop: asyncio.Event) -> None:
    """Read the devnet's new blocks every POLL_SECONDS even when nobody asks: the EIP-4788
    entries of blocks mined by automine or `ion devnet advance` are written within that time."""
    last = ""
    while not stop.is_set():
        await asyncio.sleep(POLL_SECONDS)
        try:
            await server.head()
        except ChainError as exc:  # the node is away (the watchdog handles that) or refused
            if exc.message != last:
                print(f"following the devnet node: {exc.message}", flush=True)
            last = exc.message


async def _watch_node(server: Server, stop: asyncio.Event) -> None:
    """Exit when the devnet node is gone for good (a killed anvil must not leave us behind)."""
    silent_since: float | None = None
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        await asyncio.sleep(2.0)
        try:
            await server.rpc("eth_chainId", [])
            silent_since = None
        except ChainError:
            silent_since = silent_since or loop.time()
            if loop.time() - silent_since >= ORPHAN_SECONDS:
                print("the devnet node stopped answering: exiting", flush=True)
                stop.set()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ion_cli.devnet.beacon_server")
    parser.add_argument("--devnet-dir", help="devnet dir: deployment.json in, beacon-state.json")
    parser.add_argument("--rpc-url", help="the devnet's anvil (the chain's clock)")
    parser.add_argument(
        "--deployment", help="a devnet's deployment.json: its LRTs' credentials (no state file)"
    )
    parser.add_argument("--host", default=HOST)
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--validators", type=int, default=None, help="total set size")
    parser.add_argument("--seed", default="ion-devnet")
    parser.add_argument("--genesis-time", type=int, default=1_606_824_023)
    parser.add_argument("--synthetic-roots", action="store_true", help="skip SSZ state roots")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:
        pass
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
