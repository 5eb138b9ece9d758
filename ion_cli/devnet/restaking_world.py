"""The devnet's restaking world: EigenLayer stand-ins, operators, AVSs and the LRTs' stakers.

Deployed by the admin after the markets (so every earlier address stays where it was). What it
holds, in magnitudes of 1e18 (= 100 % of an operator's stake) and ETH:

    operator sets          members              allocations (current; pending)
    avs-a/0  (3 members)   op-1 op-2 op-3       op-1 0.30   op-2 0.50 (-> 0.40 pending)   op-3 0.40
    avs-a/1  (1 member)    op-1                 op-1 0.10
    avs-b/0  (2 members)   op-1 op-2            op-1 0.20 (-> 0.25 pending)   op-2 0.10
    avs-c/7  (3 members)   op-2 op-3 op-4       op-2 0.20   op-3 0.40 -> 0.30 (slashed)   op-4 0.50

    stakers     each LRT's, from its adapter's recipe (`restaking` hook, in the recipes' order:
                with the shipped plugins ether.fi's nodes, Renzo's OperatorDelegators, Kelp's
                NodeDelegators, Swell's staker proxies); other stakers 1,000 -> op-1,
                500 -> op-2, 700 -> op-3.
    history     avs-c/7 slashed op-3 by 25 % of its allocation (max magnitude 1 -> 0.9); then
                the stakers' own beacon-chain slashing factors (a recipe's `beacon_chain_factor`).
    queued      withdrawals still slashable: what the recipes' stakers queue (`queued_eth`), the
                op-2 outsider 50 ETH (of 550).

Every number here is devnet data, not a claim about mainnet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ion_cli.addresses import to_checksum
from ion_cli.devnet import recipes
from ion_cli.devnet.recipes import BroughtStandIns
from ion_cli.devnet.txbatch import create_address

if TYPE_CHECKING:
    from ion_cli.devnet.txbatch import TxBatch

WAD = 10**18
ETH = 10**18
PCT = WAD // 100  # one percent of an operator's magnitude
BEACON_CHAIN_ETH_STRATEGY = "0xbeaC0eeEeeeeEEeEeEEEEeeEEeEeeeEeeEEBEaC0"
DEALLOCATION_DELAY = 1_200  # blocks (mainnet 100,800: 14 days); the stand-in's constructor
ALLOCATION_DELAY = 600  # blocks: op-1's delay for its pending increase (an operator setting)


def _address(tag: int) -> str:
    return to_checksum("0x" + f"{tag:040x}")


OPERATORS = {f"op-{i}": _address(0xE1000 + i) for i in range(1, 5)}
AVSS = {name: _address(0xA5A000 + i) for i, name in enumerate(("avs-a", "avs-b", "avs-c"), 1)}
OUTSIDERS = [_address(0x5700 + i) for i in range(1, 4)]


@dataclass(frozen=True)
class SetSpec:
    avs: str  # a key of AVSS
    id: int
    members: tuple[str, ...]  # keys of OPERATORS


SETS = (
    SetSpec("avs-a", 0, ("op-1", "op-2", "op-3")),
    SetSpec("avs-a", 1, ("op-1",)),
    SetSpec("avs-b", 0, ("op-1", "op-2")),
    SetSpec("avs-c", 7, ("op-2", "op-3", "op-4")),
)
# operator -> [(avs, set id, magnitude)] allocated at once (no allocation delay yet)
ALLOCATIONS: dict[str, list[tuple[str, int, int]]] = {
    "op-1": [("avs-a", 0, 30 * PCT), ("avs-a", 1, 10 * PCT), ("avs-b", 0, 20 * PCT)],
    "op-2": [("avs-a", 0, 50 * PCT), ("avs-b", 0, 10 * PCT), ("avs-c", 7, 20 * PCT)],
    "op-3": [("avs-a", 0, 40 * PCT), ("avs-c", 7, 40 * PCT)],
    "op-4": [("avs-c", 7, 50 * PCT)],
}  # fmt: skip
HISTORY_SLASH = ("avs-c", 7, "op-3", 25 * PCT)  # avs, set, operator, wadsToSlash
PENDING: list[tuple[str, str, int, int]] = [  # operator, avs, set, new magnitude
    ("op-1", "avs-b", 0, 25 * PCT),  # an increase: effective after ALLOCATION_DELAY
    ("op-2", "avs-a", 0, 40 * PCT),  # a deallocation: after DEALLOCATION_DELAY
]
MIN_WITHDRAWAL_DELAY = 1_200  # blocks a queued withdrawal stays slashable (mainnet 14 days)


def _align_credentials(
    tokens: dict[str, Any], staker_pods: dict[str, str], owners: dict[str, list[str]]
) -> None:
    """The beacon validators of the LRTs whose stakers' pods are their credentials
    (delegators, ether.fi nodes, the recipes' stakers) pay to those pods: the credentials the
    feeds read from the LRTs' contracts (or from the registry filled from these) are the ones
    the devnet's beacon chain uses, and the restaking features follow each pod to its owner and
    operator. The validator count stays that of the token's validator set (spread over the
    pods)."""
    from ion_cli.devnet.validators import devnet_sets

    sets = devnet_sets()
    for symbol, owned in owners.items():
        pods = [staker_pods[s] for s in owned]
        entry = tokens[symbol]
        total = len(entry["withdrawal_credentials"]) * int(entry["validators_per_credential"])
        prefixes = sets[symbol].prefixes
        entry["withdrawal_credentials"] = [
            f"0x{prefix:02x}" + "00" * 11 + pod.lower().removeprefix("0x")
            for pod in pods
            for prefix in prefixes
        ]
        entry["validators_per_credential"] = total // (len(pods) * len(prefixes))


class _Pods:
    """Pods are created by the pod manager: their addresses follow its contract nonce (from 1)."""

    def __init__(self, tx: TxBatch, manager: str) -> None:
        self.tx, self.manager, self.nonce = tx, manager, 1

    def create(self, owner: str) -> str:
        self.tx.call(self.manager, "DevEigenPodManager", "devCreatePod", owner)
        pod = create_address(self.manager, self.nonce)
        self.nonce += 1
        return pod


def deploy(
    tx: TxBatch, admin: str, tokens: dict[str, Any], brought: Sequence[BroughtStandIns] = ()
) -> dict[str, Any]:
    """Deploy the world; returns the deployment document's `restaking` section and adds each
    LRT's delegation contracts to `tokens[symbol]["contracts"]`."""
    strategy = BEACON_CHAIN_ETH_STRATEGY
    dm = tx.deploy("DevDelegationManager", MIN_WITHDRAWAL_DELAY, admin)
    am = tx.deploy("DevAllocationManager", dm, DEALLOCATION_DELAY, admin)
    epm = tx.deploy("DevEigenPodManager", admin)
    tx.call(dm, "DevDelegationManager", "wire", am, epm)
    tx.call(epm, "DevEigenPodManager", "setDelegationManager", dm)
    pods = _Pods(tx, epm)

    for spec in SETS:
        avs = AVSS[spec.avs]
        tx.call(am, "DevAllocationManager", "createOperatorSets", avs, [(spec.id, [strategy])])
    for spec in SETS:
        for member in spec.members:
            register = (AVSS[spec.avs], [spec.id], b"")
            tx.call(
                am, "DevAllocationManager", "registerForOperatorSets", OPERATORS[member], register
            )

    stakers: list[tuple[str, str, int]] = []  # staker, operator key, deposit
    queued: dict[str, int] = {}  # staker -> ETH it queues for withdrawal (after depositing)
    kinds: dict[str, str] = {}  # staker -> the published interface it answers (selector guard)
    factors: dict[str, int] = {}  # staker -> its beacon-chain slashing factor (after history)
    owners: dict[str, list[str]] = {}  # token -> the stakers its pods belong to

    # the stakers the adapters' devnet recipes bring (their `restaking` hooks)
    brought_shared = {"delegation_manager": dm, "eigen_pod_manager": epm}
    for symbol, extra in recipes.restaking_stakers(tx, brought_shared, OPERATORS, brought):
        for s in extra.stakers:
            stakers.append((s.address, s.operator, s.deposit_eth))
            if s.kind:
                kinds[s.address] = s.kind
            if s.queued_eth:
                queued[s.address] = s.queued_eth
            if s.beacon_chain_factor is not None:
                factors[s.address] = s.beacon_chain_factor
        tokens[symbol]["contracts"].update(extra.contracts)
        if extra.pods_are_credentials:
            owners[symbol] = [s.address for s in extra.stakers]

    for outsider, (operator, deposit) in zip(
        OUTSIDERS, (("op-1", 1_000), ("op-2", 550), ("op-3", 700)), strict=True
    ):
        stakers.append((outsider, operator, deposit))
    queued[OUTSIDERS[1]] = 50

    staker_pods = {}
    for staker, operator, deposit in stakers:
        if staker not in OUTSIDERS:
            staker_pods[staker] = pods.create(staker)
        tx.call(dm, "DevDelegationManager", "devDelegate", staker, OPERATORS[operator])
        tx.call(dm, "DevDelegationManager", "devDeposit", staker, strategy, deposit * ETH)
    for staker, amount in queued.items():
        tx.call(dm, "DevDelegationManager", "devQueueWithdrawal", staker, strategy, amount * ETH)

    for operator, allocations in ALLOCATIONS.items():
        params = [((AVSS[avs], set_id), [strategy], [mag]) for avs, set_id, mag in allocations]
        tx.call(am, "DevAllocationManager", "modifyAllocations", OPERATORS[operator], params)

    avs, set_id, operator, wad = HISTORY_SLASH
    slash = (OPERATORS[operator], set_id, [strategy], [wad], "devnet history: a missed task")
    tx.call(am, "DevAllocationManager", "slashOperator", AVSS[avs], slash)
    for staker, factor in factors.items():
        tx.call(epm, "DevEigenPodManager", "devDecreaseBeaconChainSlashingFactor", staker, factor)
    tx.call(am, "DevAllocationManager", "setAllocationDelay", OPERATORS["op-1"], ALLOCATION_DELAY)
    for operator, avs, set_id, magnitude in PENDING:
        params = [((AVSS[avs], set_id), [strategy], [magnitude])]
        tx.call(am, "DevAllocationManager", "modifyAllocations", OPERATORS[operator], params)

    _align_credentials(tokens, staker_pods, owners)
    return {
        "allocation_manager": am,
        "delegation_manager": dm,
        "eigen_pod_manager": epm,
        "strategy": strategy,
        "deallocation_delay": DEALLOCATION_DELAY,
        "min_withdrawal_delay": MIN_WITHDRAWAL_DELAY,
        "operators": dict(OPERATORS),
        "avss": dict(AVSS),
        "operator_sets": [
            {"avs": AVSS[s.avs], "id": s.id, "members": [OPERATORS[m] for m in s.members]}
            for s in SETS
        ],
        "pods": staker_pods,
        "stakers": kinds,
    }
