"""Real SSZ roots of the synthetic beacon chain (remerkleable; server process only).

The base state (every generated validator and balance) is built once as a remerkleable tree
(leaf nodes assembled directly: building 16,000 Validator views one by one takes seconds);
the state at a slot is a cheap copy of it with the slot's fields and the validators that
operations changed set on top, so hashing touches only the changed paths.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from ion_cli import consensus_rules as cr

if TYPE_CHECKING:
    from ion_cli.devnet.beacon_records import Layout, Record, StateView


class Chain(Protocol):
    """What the roots are computed from (`ion_cli.devnet.beacon_chain.Chain` is one): a
    protocol, so the chain imports this module and not the other way round."""

    layout: Layout
    genesis_time: int
    blocks: list[int]

    def base(self, index: int) -> Record: ...

    def view(self, slot: int) -> StateView: ...

    def finality(self, head_slot: int) -> dict[str, int]: ...

    def block_at_or_before(self, slot: int) -> int: ...

    def block_roots(self, block_slot: int) -> tuple[str, str]: ...

    def header(self, block_slot: int, state_root: str | None = None) -> dict[str, Any]: ...


def header_root(header: dict[str, Any]) -> str:
    from ion_cli.beacon import ssz

    return ssz.root_hex(ssz.BeaconBlockHeader.from_obj(header))


def body_root(body: dict[str, Any]) -> str:
    from ion_cli.beacon import ssz

    return ssz.root_hex(ssz.BeaconBlockBody.from_obj(body))


def _u64(value: int) -> Any:
    from remerkleable.tree import RootNode

    return RootNode(value.to_bytes(32, "little"))


class SszState:
    def __init__(self, chain: Chain) -> None:
        import gc

        # Hundreds of thousands of tree nodes, none of them cyclic: the collector would rescan
        # them over and over while they are built (10 s instead of 1 s for 100,000 validators).
        enabled = gc.isenabled()
        gc.disable()
        try:
            self._build(chain)
        finally:
            if enabled:
                gc.enable()
            gc.freeze()  # the base tree lives as long as the server: keep it out of collections

    def _build(self, chain: Chain) -> None:
        from remerkleable.tree import PairNode, RootNode, subtree_fill_to_contents

        from ion_cli.beacon import ssz

        self.chain = chain
        total = chain.layout.total
        self._cache: dict[int, Any] = {}
        zero = RootNode(bytes(32))
        far = _u64(cr.FAR_FUTURE_EPOCH)
        common: dict[int, Any] = {0: zero, cr.FAR_FUTURE_EPOCH: far}

        def u64(value: int) -> Any:
            node = common.get(value)
            if node is None:
                node = _u64(value)
                if len(common) < 4096:
                    common[value] = node
            return node

        creds: dict[bytes, Any] = {}
        leaves = []
        balances = []
        for index in range(total):
            rec = chain.base(index)
            cred = creds.get(rec.credentials)
            if cred is None:
                cred = creds[rec.credentials] = RootNode(rec.credentials)
            pk = rec.pubkey
            fields = [
                PairNode(RootNode(pk[:32]), RootNode(pk[32:] + bytes(16))),
                cred,
                u64(rec.effective_balance),
                zero,  # slashed: false
                u64(rec.activation_eligibility_epoch),
                u64(rec.activation_epoch),
                u64(rec.exit_epoch),
                u64(rec.withdrawable_epoch),
            ]
            leaves.append(subtree_fill_to_contents(fields, 3))
            balances.append(rec.balance)
        validators_type = ssz.BeaconState.fields()["validators"]
        balances_type = ssz.BeaconState.fields()["balances"]
        validators = validators_type(
            backing=PairNode(
                subtree_fill_to_contents(leaves, validators_type.contents_depth()),
                _u64(total),
            )
        )
        chunks = []
        for i in range(0, total, 4):
            part = balances[i : i + 4]
            raw = b"".join(b.to_bytes(8, "little") for b in part).ljust(32, b"\0")
            chunks.append(RootNode(raw))
        balance_list = balances_type(
            backing=PairNode(
                subtree_fill_to_contents(chunks, balances_type.contents_depth()),
                _u64(total),
            )
        )
        self.genesis_validators_root = bytes(validators.hash_tree_root())
        state = ssz.BeaconState(
            genesis_time=chain.genesis_time,
            genesis_validators_root=self.genesis_validators_root,
            fork=ssz.Fork(
                previous_version=bytes.fromhex("05000000"),
                current_version=bytes.fromhex("06000000"),
                epoch=0,
            ),
            validators=validators,
            balances=balance_list,
        )
        state.hash_tree_root()  # hash the base once; copies reuse the cached subtrees
        self.base = state

    def _validator(self, rec: Record) -> Any:
        from ion_cli.beacon import ssz

        return ssz.Validator(
            pubkey=rec.pubkey,
            withdrawal_credentials=rec.credentials,
            effective_balance=rec.effective_balance,
            slashed=rec.slashed,
            activation_eligibility_epoch=rec.activation_eligibility_epoch,
            activation_epoch=rec.activation_epoch,
            exit_epoch=rec.exit_epoch,
            withdrawable_epoch=rec.withdrawable_epoch,
        )

    def state(self, slot: int) -> Any:
        """The BeaconState view at `slot` (roots of earlier blocks must be computable)."""
        from ion_cli.beacon import ssz

        chain = self.chain
        view = chain.view(slot)
        state = self.base.copy()
        state.slot = slot
        for index, rec in sorted(view.overrides.items()):
            state.validators[index] = self._validator(rec)
            state.balances[index] = rec.balance
        for epoch, amount in view.slashings.items():
            position = epoch % cr.EPOCHS_PER_SLASHINGS_VECTOR
            state.slashings[position] = int(state.slashings[position]) + amount
        epochs = chain.finality(slot)

        def checkpoint(epoch: int) -> Any:
            start = epoch * cr.SLOTS_PER_EPOCH
            block = chain.block_at_or_before(start)
            root = chain.block_roots(block)[1] if block < slot else "0x" + "00" * 32
            return ssz.Checkpoint(epoch=epoch, root=bytes.fromhex(root[2:]))

        state.previous_justified_checkpoint = checkpoint(epochs["previous_justified"])
        state.current_justified_checkpoint = checkpoint(epochs["current_justified"])
        state.finalized_checkpoint = checkpoint(epochs["finalized"])
        state.justification_bits = ssz.BeaconState.fields()["justification_bits"](
            True, True, False, False
        )
        # The roots of the blocks (and their states) in the last 8192 slots.
        for block in chain.blocks:
            if block >= slot or slot - block > ssz.SLOTS_PER_HISTORICAL_ROOT:
                continue
            state_root, block_root = chain.block_roots(block)
            state.block_roots[block % ssz.SLOTS_PER_HISTORICAL_ROOT] = bytes.fromhex(block_root[2:])
            state.state_roots[block % ssz.SLOTS_PER_HISTORICAL_ROOT] = bytes.fromhex(state_root[2:])
        last = chain.block_at_or_before(slot)
        if last == slot:  # the post-state of a block holds its header with a zero state root
            header = chain.header(last, state_root="0x" + "00" * 32)
        else:
            header = chain.header(last)
        state.latest_block_header = ssz.BeaconBlockHeader.from_obj(header)
        return state

    def state_root(self, slot: int) -> str:
        from ion_cli.beacon import ssz

        return ssz.root_hex(self.state(slot))
