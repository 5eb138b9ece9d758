"""The server's state: the synthetic chain, the devnet node it follows (its clock, its blocks,
the EIP-4788 roots it keeps written), the faults it simulates, the event subscribers, and the
resolution of state and block ids."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientSession, ClientTimeout

from ion_cli import consensus_rules as cr
from ion_cli.beacon import eip4788
from ion_cli.devnet.beacon_chain import Chain
from ion_cli.devnet.beacon_records import ZERO_ROOT, ChainError, Record

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
            root = chain.block_roots(parent)[1] if parent is not None else ZERO_ROOT
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
