"""Reads of EigenLayer's AllocationManager, DelegationManager and EigenPodManager, through the
published signatures (ion_cli/abi/published), all at one pinned block; and the decoding of
their events (none of the slashing events index their fields: fetch by topic, filter here)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ion_cli.adapters import ChainCall, EigenLayerAddresses, LogEntry

OPERATOR_SET = "(address,uint32)"
ALLOCATION = "(uint64,int128,uint32)"
OPERATOR_SLASHED = "OperatorSlashed(address,(address,uint32),address[],uint256[],string)"
ALLOCATION_UPDATED = "AllocationUpdated(address,(address,uint32),address,uint64,uint32)"
FACTOR_DECREASED = "BeaconChainSlashingFactorDecreased(address,uint64,uint64)"


@dataclass(frozen=True)
class SetAllocation:
    avs: str
    id: int
    current: int
    pending_diff: int
    effect_block: int


@dataclass(frozen=True)
class Slashed:
    """One OperatorSlashed event, for the native-ETH strategy."""

    operator: str
    avs: str
    id: int
    wad_slashed: int
    description: str
    block: int
    log_index: int
    transaction_hash: str


class EigenLayerReader:
    """EigenLayer views for one strategy (native ETH's unless told), through `call`."""

    def __init__(
        self,
        addresses: EigenLayerAddresses,
        call: ChainCall,
        at_block: Callable[[int], ChainCall] | None = None,
    ) -> None:
        self.el = addresses
        self.call = call
        self._at_block = at_block

    def at(self, block: int) -> EigenLayerReader:
        """The same views at a past block (a historical eth_call)."""
        if self._at_block is None:
            from ion_cli.errors import IonError

            raise IonError("this EigenLayer reader cannot read past blocks")
        return EigenLayerReader(self.el, self._at_block(block), self._at_block)

    @property
    def strategy(self) -> str:
        return self.el.strategy

    def allocations(self, operator: str) -> list[SetAllocation]:
        sets, allocations = self.call(
            self.el.allocation_manager,
            f"getStrategyAllocations(address,address)({OPERATOR_SET}[],{ALLOCATION}[])",
            [operator, self.strategy],
        )
        return [
            SetAllocation(str(s[0]), int(s[1]), int(a[0]), int(a[1]), int(a[2]))
            for s, a in zip(sets, allocations, strict=True)
        ]

    def allocation_target(self, operator: str, avs: str, set_id: int) -> int:
        """The allocation's magnitude once any pending change lands (what an update replaces)."""
        found = self.call(
            self.el.allocation_manager,
            "getAllocation(address,(address,uint32),address)((uint64,int128,uint32))",
            [operator, (avs, set_id), self.strategy],
        )
        return int(found[0]) + int(found[1])

    def max_magnitude(self, operator: str) -> int:
        return int(
            self.call(
                self.el.allocation_manager,
                "getMaxMagnitude(address,address)(uint64)",
                [operator, self.strategy],
            )
        )

    def max_magnitude_at(self, operator: str, block: int) -> int:
        found = self.call(
            self.el.allocation_manager,
            "getMaxMagnitudesAtBlock(address,address[],uint32)(uint64[])",
            [operator, [self.strategy], block],
        )
        return int(found[0])

    def encumbered(self, operator: str) -> int:
        return int(
            self.call(
                self.el.allocation_manager,
                "getEncumberedMagnitude(address,address)(uint64)",
                [operator, self.strategy],
            )
        )

    def operator_shares(self, operator: str) -> int:
        found = self.call(
            self.el.delegation_manager,
            "getOperatorShares(address,address[])(uint256[])",
            [operator, [self.strategy]],
        )
        return int(found[0])

    def slashable_in_queue(self, operator: str) -> int:
        return int(
            self.call(
                self.el.delegation_manager,
                "getSlashableSharesInQueue(address,address)(uint256)",
                [operator, self.strategy],
            )
        )

    def queued(self, staker: str) -> list[tuple[int, int]]:
        """The staker's queued withdrawals: (start block, shares of this strategy it would pay
        now, slashing applied)."""
        withdrawals, shares = self.call(
            self.el.delegation_manager,
            "getQueuedWithdrawals(address)((address,address,address,uint256,uint32,address[],"
            "uint256[])[],uint256[][])",
            [staker],
        )
        out = []
        for w, paid in zip(withdrawals, shares, strict=True):
            for strategy, amount in zip(w[5], paid, strict=True):
                if str(strategy).lower() == self.strategy.lower():
                    out.append((int(w[4]), int(amount)))
        return out

    def min_withdrawal_delay(self) -> int:
        return int(self.call(self.el.delegation_manager, "minWithdrawalDelayBlocks()(uint32)"))

    def withdrawable(self, staker: str) -> int:
        withdrawable, _deposit = self.call(
            self.el.delegation_manager,
            "getWithdrawableShares(address,address[])(uint256[],uint256[])",
            [staker, [self.strategy]],
        )
        return int(withdrawable[0])

    def beacon_factor(self, staker: str) -> int:
        return int(
            self.call(
                self.el.eigen_pod_manager,
                "beaconChainSlashingFactor(address)(uint64)",
                [staker],
            )
        )


def topic(signature: str) -> str:
    from ion_cli.adapters import event_topic

    return event_topic(signature)


def _decode(types: Sequence[str], data: str) -> tuple[Any, ...]:
    from eth_abi.abi import decode

    return tuple(decode(list(types), bytes.fromhex(data.removeprefix("0x"))))


def _checksum(address: Any) -> str:
    from ion_cli.addresses import to_checksum

    return to_checksum(str(address))


def decode_slashes(logs: Sequence[LogEntry], strategy: str) -> list[Slashed]:
    """OperatorSlashed events, one per event that slashed `strategy` (others are skipped)."""
    out = []
    for log in logs:
        operator, (avs, set_id), strategies, wads, description = _decode(
            ["address", OPERATOR_SET, "address[]", "uint256[]", "string"], log.data
        )
        for s, wad in zip(strategies, wads, strict=False):
            if str(s).lower() == strategy.lower():
                out.append(
                    Slashed(
                        operator=_checksum(operator),
                        avs=_checksum(avs),
                        id=int(set_id),
                        wad_slashed=int(wad),
                        description=str(description),
                        block=log.block_number,
                        log_index=log.log_index,
                        transaction_hash=log.transaction_hash,
                    )
                )
    return out


def decode_factor_decrease(log: LogEntry) -> tuple[str, int, int]:
    """(staker, previous factor, new factor) of a BeaconChainSlashingFactorDecreased."""
    staker, prev, new = _decode(["address", "uint64", "uint64"], log.data)
    return _checksum(staker), int(prev), int(new)


def decode_allocation_update(log: LogEntry) -> tuple[str, str, int, str, int, int]:
    """(operator, avs, set id, strategy, magnitude, effect block) of an AllocationUpdated."""
    operator, (avs, set_id), strategy, magnitude, effect = _decode(
        ["address", OPERATOR_SET, "address", "uint64", "uint32"], log.data
    )
    return (
        _checksum(operator), _checksum(avs), int(set_id), _checksum(strategy), int(magnitude),
        int(effect),
    )  # fmt: skip
