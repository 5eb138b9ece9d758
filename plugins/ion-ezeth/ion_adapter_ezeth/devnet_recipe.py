"""How the devnet deploys ezETH (adapter API v2 recipe): Renzo's ezETH, RestakeManager and
RenzoOracle stand-ins, the Balancer-style pool the handler swaps through, this plugin's reserve
oracle, handler and credential source, and Renzo's OperatorDelegators in the restaking world.
The core deploys the rest of the market around them (ion_cli/devnet/recipes.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ion_cli import adapters as a

WAD = 10**18
RAY = 10**27
DEVNET_RATE = 1_010_000_000_000_000_000  # ETH per ezETH: the RestakeManager's starting TVL/supply
# Balancer's layout: pool address (20 bytes), specialization (2), nonce (10); made up here.
BALANCER_POOL_ID = "0x" + "e2e7" * 10 + "0000" + "00000000000000000001"


class Recipe:
    """A WETH market: the handler flash-borrows WETH from the devnet's second wstETH/WETH pool
    and swaps it for ezETH through the Balancer-style vault (no LRT/wstETH unwind pool). The
    risk feed reads the credentials from Renzo's own contracts (the RestakeManager's
    OperatorDelegators' pods)."""

    market = a.DevnetMarket(
        base="WETH",
        rate=DEVNET_RATE,
        ltv=93 * RAY // 100,
        liquidation_threshold=96 * RAY // 100,
        target_health=120 * RAY // 100,
        dust_tokens=4,
        validators=a.DevnetValidators(pods=3, prefixes=(0x01,), per_credential=800),
        unwind_pool=False,
        deploy_order=1,
    )

    def stand_ins(self, world: a.DevnetWorld) -> a.StandIns:
        token = world.deploy("EzEth", world.admin)
        manager = world.deploy("RestakeManager", token, world.admin)
        oracle = world.deploy("RenzoOracle", world.admin)
        world.call(token, "EzEth", "setMinter", manager, True)  # the RestakeManager mints
        world.call(manager, "RestakeManager", "setRate", DEVNET_RATE)
        return a.StandIns(
            token=token,
            token_contract="EzEth",
            contracts={"restake_manager": manager, "renzo_oracle": oracle},
        )

    def pools(self, world: a.DevnetWorld, s: a.StandIns) -> Sequence[a.DevnetPool]:
        """The ezETH/WETH pool at the starting rate (WETH per ezETH)."""
        return (
            a.DevnetPool(
                BALANCER_POOL_ID, s.token, "weth", DEVNET_RATE, key="ezeth_weth_balancer_pool_id"
            ),
        )

    def reserve_oracle(self, world: a.DevnetWorld, s: a.StandIns) -> tuple[str, tuple[Any, ...]]:
        # totalTVL * 1e18 / supply, with the stand-in's TVL rounded up: exactly the set rate
        return "EzEthWethReserveOracle", (s.contracts["restake_manager"], s.token)

    def handler(self, world: a.DevnetWorld, s: a.StandIns) -> tuple[str, tuple[Any, ...]]:
        pool_id = bytes.fromhex(BALANCER_POOL_ID[2:])
        venues = (world.shared("weth_flash_pool"), world.shared("balancer_vault"), pool_id)
        return "EzEthWethHandler", (world.shared("weth"), s.token, *venues)

    def credentials(self, world: a.DevnetWorld, s: a.StandIns) -> tuple[str, str]:
        """Renzo's RestakeManager enumerates its OperatorDelegators, each with its pod."""
        return world.deploy("RenzoCredentials", s.contracts["restake_manager"]), "contracts"

    def restaking(self, world: a.RestakingWorld, s: a.StandIns) -> a.DevnetStakers:
        """Two OperatorDelegators listed on the RestakeManager with allocations in basis points:
        3,100 ETH -> op-1 (60 %; 100 of it queued for withdrawal, still slashable), 2,000 ETH ->
        op-2 (40 %; its pod's beacon-chain slashing factor 0.98)."""
        pod_manager, manager = world.shared("eigen_pod_manager"), s.contracts["restake_manager"]
        stakers = []
        for operator, deposit, bps, queued, factor in (
            ("op-1", 3_100, 6_000, 100, None),
            ("op-2", 2_000, 4_000, 0, 98 * WAD // 100),
        ):
            od = world.deploy("OperatorDelegator", world.operator(operator), pod_manager)
            world.call(manager, "RestakeManager", "addOperatorDelegator", od, bps)
            kind = "RenzoOperatorDelegator"
            staker = a.DevnetStaker(od, operator, deposit, kind, queued, factor)
            stakers.append(staker)
        return a.DevnetStakers(tuple(stakers), pods_are_credentials=True)
