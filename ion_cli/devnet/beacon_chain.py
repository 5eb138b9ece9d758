"""The devnet's synthetic beacon chain: a validator set, a clock, blocks, slashings, penalties.

Everything is a deterministic function of a seed, the LRT credentials (from the deployment file,
or the built-in devnet credentials) and a short list of operations (slash, penalize) recorded at
slots, so the state file (`beacon-state.json` in the devnet dir, written atomically) stays small
and a restarted server serves the same roots.

- Validators are generated on the fly from their index (no arrays: a million cost no memory):
  the set is laid out in batches (operators deposit in batches), LRT batches shuffled among
  unrelated ones; each LRT credential gets `validators_per_credential` validators. Unrelated
  validators carry 0x00, 0x01 and 0x02 credentials. A pubkey encodes its index (recoverable),
  so a pubkey lookup needs no table either.
- The clock is the devnet chain's: `slot = (latest anvil block time - genesis_time) // 12`.
  Genesis lies GENESIS_EPOCHS epochs before the devnet's first block, so the set has a history
  (activations spread over it, some exits). Finality trails the head by two epochs.
- Blocks exist at slot 0 and at every slot that holds a block of the devnet chain (the slots
  between are empty, as missed slots are on a real chain), so two servers following one devnet
  serve the same roots and checkpoints. A history that changes (an `evm_revert`) drops the
  roots after the fork and the operations whose block is gone, like a reorg.
- Operations follow `ion_cli.consensus_rules` (Electra): a slashing takes effective_balance/4096
  at once, exits the validator, sets its withdrawable epoch 8192 epochs out and takes the
  correlation penalty when the state passes the mid-point epoch; the proposer of the including
  block gets the whistleblower reward. A penalty lowers balances; effective balances follow the
  hysteresis rule.
- Roots: for devnet-size sets (`real_roots`) the state root is the SSZ hash_tree_root of a Fulu
  BeaconState built from the synthetic data (see `ion_cli.beacon.ssz`), block roots are the
  roots of real headers and bodies. Large benchmark sets get synthetic state roots.
"""

from __future__ import annotations

import bisect
import hashlib
import heapq
import json
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ion_cli import consensus_rules as cr
from ion_cli.devnet.beacon_records import (
    DEFAULT_UNRELATED,
    FAR,
    GENESIS_EPOCHS,
    MIN_VALIDATOR_WITHDRAWABILITY_DELAY,
    REAL_ROOTS_LIMIT,
    SECONDS_PER_EPOCH,
    VERSION,
    ZERO_ROOT,
    ChainError,
    Layout,
    LrtGroup,
    Operation,
    Record,
    StateView,
)

# ---------------------------------------------------------------- the chain


@dataclass
class ChainConfig:
    seed: str
    genesis_time: int
    groups: tuple[LrtGroup, ...]
    total: int
    real_roots: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "genesis_time": self.genesis_time,
            "total": self.total,
            "groups": [
                {"symbol": g.symbol, "credentials": list(g.credentials), "per": g.per_credential}
                for g in self.groups
            ],
        }


def default_groups() -> tuple[LrtGroup, ...]:
    """The devnet's LRT credentials without a deployment file (benchmarks, unit tests)."""
    from ion_cli.devnet import validators

    return tuple(
        LrtGroup(
            symbol=symbol,
            credentials=tuple(validators.withdrawal_credentials(symbol)),
            per_credential=spec.per_credential,
        )
        for symbol, spec in validators.devnet_sets().items()
    )


def groups_from_deployment(document: dict[str, Any]) -> tuple[LrtGroup, ...]:
    groups = []
    for symbol, token in (document.get("tokens") or {}).items():
        creds = tuple(str(c) for c in token.get("withdrawal_credentials") or ())
        per = int(token.get("validators_per_credential") or 0)
        if creds and per > 0:
            groups.append(LrtGroup(symbol=symbol, credentials=creds, per_credential=per))
    return tuple(groups)


class Chain:
    """The synthetic chain. Not thread-safe: the server calls it from its one event loop."""

    def __init__(
        self,
        config: ChainConfig,
        operations: Iterable[Operation] = (),
        blocks: Iterable[int] = (0,),
        state_file: Path | None = None,
    ) -> None:
        self.config = config
        self.seed = config.seed.encode()
        self.layout = Layout(config.seed, config.groups, config.total)
        self.genesis_time = config.genesis_time
        self.operations: list[Operation] = sorted(operations, key=lambda o: o.slot)
        self.blocks: list[int] = sorted(set(blocks) | {0})
        self.state_file = state_file
        self.version = 0  # bumps whenever operations or blocks change (caches key on it)
        self._views: OrderedDict[tuple[int, int], StateView] = OrderedDict()
        self._roots: dict[int, tuple[str, str]] = {}  # block slot -> (state root, block root)
        self._state_roots: OrderedDict[tuple[int, int], str] = OrderedDict()
        self._by_root: dict[str, int] = {}
        self._base_active_total: int | None = None
        self._ssz: Any = None  # ion_cli.devnet.beacon_ssz.SszState, built on first use
        self.anchor_epoch = GENESIS_EPOCHS
        self._pubkey_hasher = hashlib.blake2b(digest_size=40, key=self.seed[:64])

    # ------------------------------------------------------------ persistence

    def to_json(self) -> dict[str, Any]:
        # Blocks are not saved: they follow from the devnet chain the server reads.
        return {
            "version": VERSION,
            "config": self.config.to_json(),
            "operations": [o.to_json() for o in self.operations],
        }

    def save(self) -> None:
        if self.state_file is None:
            return
        from ion_cli.atomic import write_atomic

        write_atomic(self.state_file, json.dumps(self.to_json()) + "\n")

    @classmethod
    def load(cls, state_file: Path, real_roots: bool | None = None) -> Chain:
        """The chain a state file describes (`real_roots` None: real up to REAL_ROOTS_LIMIT)."""
        from ion_cli.atomic import CorruptFileError

        try:
            data = json.loads(state_file.read_text())
        except ValueError:
            raise CorruptFileError(
                state_file, "the devnet beacon chain's state file is not JSON"
            ) from None
        if not isinstance(data, dict):
            raise CorruptFileError(state_file, "the devnet beacon chain's state file is no object")
        if int(data.get("version", 0)) != VERSION:
            raise ValueError(f"{state_file}: unsupported version {data.get('version')}")
        raw = data["config"]
        total = int(raw["total"])
        config = ChainConfig(
            seed=str(raw["seed"]),
            genesis_time=int(raw["genesis_time"]),
            total=int(raw["total"]),
            groups=tuple(
                LrtGroup(
                    symbol=g["symbol"],
                    credentials=tuple(g["credentials"]),
                    per_credential=int(g["per"]),
                )
                for g in raw["groups"]
            ),
            real_roots=real_roots if real_roots is not None else total <= REAL_ROOTS_LIMIT,
        )
        ops = [Operation.from_json(o) for o in data.get("operations", [])]
        return cls(config, ops, state_file=state_file)

    # ------------------------------------------------------------ clock

    def slot_at(self, timestamp: int) -> int:
        return max(0, (timestamp - self.genesis_time) // cr.SECONDS_PER_SLOT)

    def set_blocks(self, slots: Iterable[int]) -> list[int]:
        """The block slots: slot 0 (genesis) and one per slot that holds a devnet block, so every
        server following the same devnet has the same chain. A changed history (an `evm_revert`,
        like a reorg) drops the roots after the fork and the operations that lost their block.
        Returns the slots that are new."""
        new = sorted(set(slots) | {0})
        if new == self.blocks:
            return []
        old = self.blocks
        fork = 0
        while fork < min(len(new), len(old)) and new[fork] == old[fork]:
            fork += 1
        boundary = min(old[fork] if fork < len(old) else FAR, new[fork] if fork < len(new) else FAR)
        known = set(old)
        added = [b for b in new if b not in known]
        self.blocks = new
        for slot in [s for s in self._roots if s >= boundary]:  # their parents changed
            state_root, block_root = self._roots.pop(slot)
            self._by_root.pop(state_root, None)
            self._by_root.pop(block_root, None)
        present = set(new)
        kept = [o for o in self.operations if o.slot in present]
        if len(kept) != len(self.operations):
            self.operations = kept
            self._changed()
        else:
            self.version += 1
        return added

    def observe_head(self, head_slot: int) -> list[int]:
        """Without a devnet to follow: the head slot gets a block. Returns the new slots."""
        return self.set_blocks([*self.blocks, head_slot])

    def _changed(self) -> None:
        self.version += 1
        self.save()

    def finality(self, head_slot: int) -> dict[str, int]:
        """Epochs of the checkpoints for a state at `head_slot` (finality two epochs behind)."""
        epoch = head_slot // cr.SLOTS_PER_EPOCH
        return {
            "previous_justified": max(0, epoch - 2),
            "current_justified": max(0, epoch - 1),
            "finalized": max(0, epoch - 2),
        }

    def block_at_or_before(self, slot: int) -> int:
        return self.blocks[bisect.bisect_right(self.blocks, slot) - 1]

    def parent_of(self, block_slot: int) -> int | None:
        i = bisect.bisect_left(self.blocks, block_slot)
        return self.blocks[i - 1] if i > 0 else None

    # ------------------------------------------------------------ validators

    def base(self, index: int) -> Record:
        """The validator as generated (before any operation)."""
        pubkey = self.pubkey(index)
        r = int.from_bytes(pubkey[:8], "little")
        creds = self.layout.credential(index)
        total = self.layout.total
        anchor = self.anchor_epoch
        if creds[0] == cr.COMPOUNDING_WITHDRAWAL_PREFIX:
            effective = (32 + (r >> 32) % 33) * cr.EFFECTIVE_BALANCE_INCREMENT
        else:
            effective = cr.MIN_ACTIVATION_BALANCE
        balance = effective + r % 40_000_000
        if index >= total - total // 200:  # the newest deposits wait in the activation queue
            return Record(pubkey, creds, effective, False, anchor - 1, FAR, FAR, FAR, balance)
        activation = index * (anchor - 300) // max(total, 1)
        eligibility = max(0, activation - 5)
        if (r >> 16) % 1000 < 5:  # a few exited long ago and were withdrawn
            exit_epoch = activation + (anchor - activation) // 2
            return Record(
                pubkey, creds, 0, False, eligibility, activation, exit_epoch,
                exit_epoch + MIN_VALIDATOR_WITHDRAWABILITY_DELAY, 0,
            )  # fmt: skip
        return Record(pubkey, creds, effective, False, eligibility, activation, FAR, FAR, balance)

    def pubkey(self, index: int) -> bytes:
        hasher = self._pubkey_hasher.copy()
        hasher.update(index.to_bytes(8, "little"))
        head = hasher.digest()
        mask = int.from_bytes(hashlib.blake2b(head, digest_size=8).digest(), "little")
        return head + (index ^ mask).to_bytes(8, "little")

    def index_of_pubkey(self, pubkey: bytes) -> int | None:
        if len(pubkey) != 48:
            return None
        mask = int.from_bytes(hashlib.blake2b(pubkey[:40], digest_size=8).digest(), "little")
        index = int.from_bytes(pubkey[40:], "little") ^ mask
        if index < self.layout.total and self.pubkey(index) == pubkey:
            return index
        return None

    def record(self, view: StateView, index: int) -> Record:
        found = view.overrides.get(index)
        return found if found is not None else self.base(index)

    def proposer(self, slot: int) -> int:
        """A deterministic proposer among the unrelated active validators."""
        total = self.layout.total
        start = (
            int.from_bytes(
                hashlib.sha256(self.seed + slot.to_bytes(8, "little")).digest()[:8], "little"
            )
            % total
        )
        for step in range(total):
            index = (start + step * 7919) % total
            if self.layout.lrt(index) is None and self.base(index).active(self.anchor_epoch):
                return index
        return start

    def base_active_total(self) -> int:
        """Total effective balance of the generated set's active validators (from the anchor)."""
        if self._base_active_total is None:
            anchor = self.anchor_epoch
            self._base_active_total = sum(
                rec.effective_balance
                for rec in (self.base(i) for i in range(self.layout.total))
                if rec.active(anchor)
            )
        return self._base_active_total

    # ------------------------------------------------------------ states

    def view(self, slot: int) -> StateView:
        key = (slot, self.version)
        found = self._views.get(key)
        if found is not None:
            self._views.move_to_end(key)
            return found
        built = self._replay(slot)
        self._views[key] = built
        if len(self._views) > 64:
            self._views.popitem(last=False)
        return built

    def _replay(self, slot: int) -> StateView:
        """Apply the operations up to `slot`, and the correlation penalties whose epoch the
        state has passed, in time order."""
        view = StateView(slot=slot, overrides={}, slashings={})
        epoch = slot // cr.SLOTS_PER_EPOCH
        due: list[tuple[int, int]] = []  # (penalty epoch, index)

        def settle(before_epoch: int) -> None:
            while due and due[0][0] < before_epoch:
                penalty_epoch, index = heapq.heappop(due)
                self._correlation(view, index, penalty_epoch)

        for op in self.operations:
            if op.slot > slot:
                break
            op_epoch = op.slot // cr.SLOTS_PER_EPOCH
            settle(op_epoch)
            if op.kind == "slash":
                proposer = self.proposer(op.slot)
                for index in op.indices:
                    rec = self._own(view, index)
                    if rec.slashed or not rec.active(op_epoch):
                        continue
                    self._slash(view, rec, op_epoch)
                    reward = cr.whistleblower_reward(rec.effective_balance)
                    self._own(view, proposer).balance += reward
                    heapq.heappush(
                        due, (cr.correlation_penalty_epoch(rec.withdrawable_epoch), index)
                    )
            elif op.kind == "penalize":
                for index in op.indices:
                    rec = self._own(view, index)
                    rec.balance = max(0, rec.balance - op.gwei)
                    rec.effective_balance = cr.effective_balance_after(
                        rec.balance, rec.effective_balance, rec.credentials
                    )
        settle(epoch)
        return view

    def _own(self, view: StateView, index: int) -> Record:
        rec = view.overrides.get(index)
        if rec is None:
            rec = self.base(index)
            view.overrides[index] = rec
        return rec

    def _slash(self, view: StateView, rec: Record, epoch: int) -> None:
        if rec.exit_epoch == FAR:
            rec.exit_epoch = cr.exit_epoch_after(epoch)
            rec.withdrawable_epoch = rec.exit_epoch + MIN_VALIDATOR_WITHDRAWABILITY_DELAY
        rec.slashed = True
        rec.withdrawable_epoch = cr.slashed_withdrawable_epoch(epoch, rec.withdrawable_epoch)
        view.slashings[epoch] = view.slashings.get(epoch, 0) + rec.effective_balance
        rec.balance = max(0, rec.balance - cr.initial_slashing_penalty(rec.effective_balance))

    def _correlation(self, view: StateView, index: int, epoch: int) -> None:
        window = sum(
            amount
            for at, amount in view.slashings.items()
            if epoch - cr.EPOCHS_PER_SLASHINGS_VECTOR < at <= epoch
        )
        rec = self._own(view, index)
        penalty = cr.correlation_penalty(
            rec.effective_balance, window, self.active_total(view, epoch)
        )
        rec.balance = max(0, rec.balance - penalty)

    def active_total(self, view: StateView, epoch: int) -> int:
        """Total active effective balance at `epoch` (epoch at or after the anchor)."""
        total = self.base_active_total()
        anchor = max(epoch, self.anchor_epoch)
        for index, rec in view.overrides.items():
            base = self.base(index)
            if base.active(anchor):
                total -= base.effective_balance
            if rec.active(epoch):
                total += rec.effective_balance
        return max(total, cr.EFFECTIVE_BALANCE_INCREMENT)

    # ------------------------------------------------------------ operations

    def choose_for_slashing(self, symbol: str, count: int, slot: int) -> list[int]:
        """The first `count` active, unslashed validators of an LRT (lowest indices first)."""
        view = self.view(slot)
        epoch = slot // cr.SLOTS_PER_EPOCH
        chosen: list[int] = []
        for index in self.layout.indices_of(symbol):
            rec = self.record(view, index)
            if not rec.slashed and rec.active(epoch) and rec.exit_epoch == FAR:
                chosen.append(index)
                if len(chosen) == count:
                    break
        return chosen

    def active_of(self, symbol: str, slot: int) -> list[int]:
        view = self.view(slot)
        epoch = slot // cr.SLOTS_PER_EPOCH
        return [i for i in self.layout.indices_of(symbol) if self.record(view, i).active(epoch)]

    def apply(self, op: Operation) -> None:
        """Record an operation at a new head slot (the caller created that block already)."""
        if self.operations and op.slot < self.operations[-1].slot:
            raise ChainError(409, "an operation cannot precede the last one")
        self.operations.append(op)
        for slot in [s for s in self._roots if s >= op.slot]:
            state_root, block_root = self._roots.pop(slot)
            self._by_root.pop(state_root, None)
            self._by_root.pop(block_root, None)
        self._changed()

    def lrt_symbols(self) -> list[str]:
        return [g.symbol for g in self.config.groups]

    # ------------------------------------------------------------ roots

    def ssz(self) -> Any:
        if self._ssz is None:
            from ion_cli.devnet.beacon_ssz import SszState

            self._ssz = SszState(self)
        return self._ssz

    def state_root(self, slot: int) -> str:
        key = (slot, self.version)
        found = self._state_roots.get(key)
        if found is not None:
            return found
        on_block = slot in self.blocks
        root = self.block_roots(slot)[0] if on_block else self._compute_state_root(slot)
        self._state_roots[key] = root
        self._by_root[root] = slot
        if len(self._state_roots) > 256:
            self._state_roots.popitem(last=False)
        return root

    def _compute_state_root(self, slot: int) -> str:
        if not self.config.real_roots:
            digest = hashlib.sha256(
                b"ion-devnet-state" + self.seed + slot.to_bytes(8, "little")
                + len([o for o in self.operations if o.slot <= slot]).to_bytes(8, "little")
            ).digest()  # fmt: skip
            return "0x" + digest.hex()
        return str(self.ssz().state_root(slot))

    def block_roots(self, block_slot: int) -> tuple[str, str]:
        """(state root, block root) of the block at `block_slot`, computing parents first."""
        found = self._roots.get(block_slot)
        if found is not None:
            return found
        position = bisect.bisect_left(self.blocks, block_slot)
        if position >= len(self.blocks) or self.blocks[position] != block_slot:
            raise ChainError(404, f"no block at slot {block_slot}")
        for slot in self.blocks[: position + 1]:  # iterate, not recurse: chains can be long
            if slot in self._roots:
                continue
            state_root = self._compute_state_root(slot)
            header = self.header(slot, state_root)
            from ion_cli.devnet.beacon_ssz import header_root

            block_root = header_root(header)
            self._roots[slot] = (state_root, block_root)
            self._by_root[state_root] = slot
            self._by_root[block_root] = slot
        return self._roots[block_slot]

    def header(self, block_slot: int, state_root: str | None = None) -> dict[str, Any]:
        """The header message of the block at `block_slot` (JSON form, uint64s as strings)."""
        parent = self.parent_of(block_slot)
        if state_root is None:
            state_root = self.block_roots(block_slot)[0]
        from ion_cli.devnet.beacon_ssz import body_root

        return {
            "slot": str(block_slot),
            "proposer_index": str(self.proposer(block_slot)),
            "parent_root": self.block_roots(parent)[1] if parent is not None else ZERO_ROOT,
            "state_root": state_root,
            "body_root": body_root(self.body(block_slot)),
        }

    def slot_of_root(self, root: str) -> int | None:
        return self._by_root.get(root.lower())

    # ------------------------------------------------------------ block bodies

    def operations_at(self, slot: int) -> list[Operation]:
        return [o for o in self.operations if o.slot == slot]

    def body(self, block_slot: int) -> dict[str, Any]:
        """The block body in the API's JSON form; slashings from the operations at that slot."""
        from ion_cli.devnet.beacon_blocks import body

        return body(self.seed, self.genesis_time, block_slot, self.operations_at(block_slot))


def new_chain(
    *,
    seed: str = "ion-devnet",
    genesis_time: int,
    groups: Sequence[LrtGroup] | None = None,
    total: int | None = None,
    state_file: Path | None = None,
    real_roots: bool | None = None,
) -> Chain:
    """A fresh chain: LRT groups (default: the devnet's) among unrelated validators."""
    groups = tuple(groups) if groups is not None else default_groups()
    lrt_total = sum(len(g.credentials) * g.per_credential for g in groups)
    size = total if total is not None else lrt_total + DEFAULT_UNRELATED
    roots = real_roots if real_roots is not None else size <= REAL_ROOTS_LIMIT
    config = ChainConfig(
        seed=seed, genesis_time=genesis_time, groups=groups, total=size, real_roots=roots
    )
    chain = Chain(config, state_file=state_file)
    chain.save()
    return chain


def genesis_time_for(first_timestamp: int) -> int:
    """The beacon genesis for a devnet whose clock starts at `first_timestamp`."""
    return first_timestamp - GENESIS_EPOCHS * SECONDS_PER_EPOCH - SECONDS_PER_EPOCH // 2
