"""The restaking delegation seam: where a token's restaked ETH sits on EigenLayer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ion_cli.adapter_api.context import AdapterContext, AdapterError
from ion_cli.adapter_api.helpers import require_mainnet

BEACON_CHAIN_ETH_STRATEGY = "0xbeaC0eeEeeeeEEeEeEEEEeeEEeEeeeEeeEEBEaC0"
EIGENLAYER_MAINNET: Mapping[str, str] = {
    # EigenLayer's published mainnet deployment (checked against Layr-Labs/eigenlayer-contracts)
    "allocation_manager": "0x948a420b8CC1d6BFd0B6087C2E7c344a2CD0bc39",
    "delegation_manager": "0x39053D51B77DC0d36036Fc1fCc8Cb819df8Ef37A",
    "eigen_pod_manager": "0x91E677b07F7AF907ec9a428aafA9fc14a0d3A338",
}


@dataclass(frozen=True)
class EigenLayerAddresses:
    """The EigenLayer core contracts on this chain (protocol-level, common to every LRT)."""

    allocation_manager: str
    delegation_manager: str
    eigen_pod_manager: str
    strategy: str = BEACON_CHAIN_ETH_STRATEGY  # native ETH's strategy: what the LRTs restake


def eigenlayer_addresses(ctx: AdapterContext) -> EigenLayerAddresses:
    """The devnet deployment's `restaking` section, or EigenLayer's mainnet addresses."""
    if ctx.deployment is not None:
        section = ctx.deployment.get("restaking")
        if not isinstance(section, Mapping):
            raise AdapterError("the devnet deployment has no restaking section (redeploy it)")
        return EigenLayerAddresses(
            allocation_manager=str(section["allocation_manager"]),
            delegation_manager=str(section["delegation_manager"]),
            eigen_pod_manager=str(section["eigen_pod_manager"]),
            strategy=str(section.get("strategy", BEACON_CHAIN_ETH_STRATEGY)),
        )
    require_mainnet(ctx, "EigenLayer")
    return EigenLayerAddresses(**EIGENLAYER_MAINNET)


@dataclass(frozen=True)
class RestakingStaker:
    """One EigenLayer staker that holds part of the token's restaked ETH (an OperatorDelegator,
    a NodeDelegator, an ether.fi node, a staker proxy). `operator` is whom it delegates to
    (None: not delegated); shares are native-ETH strategy shares (1 share = 1 wei of ETH)."""

    address: str
    kind: str
    operator: str | None
    withdrawable_shares: int
    deposit_shares: int
    pod: str | None = None
    target_bps: int | None = None  # the protocol's own allocation to it, where it keeps one

    def to_json(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "kind": self.kind,
            "operator": self.operator,
            "withdrawable_shares": str(self.withdrawable_shares),
            "deposit_shares": str(self.deposit_shares),
            "pod": self.pod,
            "target_bps": self.target_bps,
        }


@dataclass(frozen=True)
class RestakingSource:
    """Where the token's restaked ETH sits. `complete` is False when the sources did not settle
    an address needed to enumerate (named in `unknown`): then `stakers` is what could be read,
    possibly nothing, and never a guess."""

    stakers: tuple[RestakingStaker, ...]
    method: str
    complete: bool = True
    unknown: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # e.g. a protocol's operator record that EigenLayer's differs from

    def to_json(self) -> dict[str, Any]:
        return {
            "stakers": [s.to_json() for s in self.stakers],
            "method": self.method,
            "complete": self.complete,
            "unknown": list(self.unknown),
            "notes": list(self.notes),
        }


def eigenlayer_stakers(
    ctx: AdapterContext,
    stakers: Sequence[str],
    kind: str,
    *,
    pods: Sequence[str | None] | None = None,
    target_bps: Sequence[int | None] | None = None,
) -> tuple[RestakingStaker, ...]:
    """Each staker's operator (`DelegationManager.delegatedTo`) and native-ETH shares
    (`getWithdrawableShares`), read through `ctx.call`."""
    el = eigenlayer_addresses(ctx)
    out = []
    for i, staker in enumerate(stakers):
        operator = str(ctx.call(el.delegation_manager, "delegatedTo(address)(address)", [staker]))
        withdrawable, deposit = ctx.call(
            el.delegation_manager,
            "getWithdrawableShares(address,address[])(uint256[],uint256[])",
            [staker, [el.strategy]],
        )
        pod = pods[i] if pods is not None else None
        out.append(
            RestakingStaker(
                address=str(staker),
                kind=kind,
                operator=None if int(operator, 16) == 0 else operator,
                withdrawable_shares=int(withdrawable[0]),
                deposit_shares=int(deposit[0]),
                pod=None if pod is None or int(str(pod), 16) == 0 else str(pod),
                target_bps=target_bps[i] if target_bps is not None else None,
            )
        )
    return tuple(out)


def operator_mismatches(
    stakers: Sequence[RestakingStaker], declared: Sequence[str], view: str
) -> tuple[str, ...]:
    """Notes where the protocol's own record (`view`) of a staker's operator differs from
    EigenLayer's `delegatedTo` (which the figures follow)."""
    notes = []
    for staker, operator in zip(stakers, declared, strict=True):
        mine = None if int(str(operator), 16) == 0 else str(operator).lower()
        theirs = staker.operator.lower() if staker.operator else None
        if mine != theirs:
            notes.append(
                f"{staker.address}: {view} says {operator}, EigenLayer's delegatedTo says "
                f"{staker.operator or 'none'} (the figures follow EigenLayer)"
            )
    return tuple(notes)


def unknown_restaking(method: str, *unknown: str) -> RestakingSource:
    """A source the adapter cannot enumerate: say what is missing (never zero, never a guess)."""
    return RestakingSource(stakers=(), method=method, complete=False, unknown=tuple(unknown))
