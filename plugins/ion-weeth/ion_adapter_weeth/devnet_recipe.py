"""How the devnet deploys weETH (adapter API v2 recipe): ether.fi's eETH, LiquidityPool and weETH
stand-ins, this plugin's reserve oracle and handler, and ether.fi's nodes in the restaking world.
The core deploys the rest of the market around them (ion_cli/devnet/recipes.py)."""

from __future__ import annotations

from typing import Any

from ion_cli import adapters as a

WAD = 10**18
RAY = 10**27
DEVNET_RATE = 1_030_000_000_000_000_000  # ETH per weETH: the ether.fi pool's starting P / S
VALIDATORS = a.DevnetValidators(pods=4, prefixes=(0x01, 0x02), per_credential=800)


def staked_wei(validators: a.DevnetValidators = VALIDATORS) -> int:
    """The ETH staked by the weETH validators the beacon server serves (32 ETH each), booked
    out of the ether.fi pool so that its totals (and weETH's rate P / S) start realistic."""
    return validators.pods * validators.per_credential * 32 * WAD


class Recipe:
    """eETH is share accounting over the LiquidityPool's totals; weETH wraps it. The pool books
    the validators' stake out of the pool (its shares go to the admin), then a rebase makes P / S
    the rate, as ether.fi's oracle does. The credentials are a registry the core fills (ether.fi's
    nodes are found from events, not enumerated on chain)."""

    market = a.DevnetMarket(
        base="wstETH",
        rate=DEVNET_RATE,
        ltv=8 * RAY // 10,
        liquidation_threshold=83 * RAY // 100,
        target_health=110 * RAY // 100,
        dust_tokens=1,
        validators=VALIDATORS,
        deploy_order=0,
    )

    def stand_ins(self, world: a.DevnetWorld) -> a.StandIns:
        eeth = world.deploy("EEth", world.admin)
        pool = world.deploy("EtherFiLiquidityPool", eeth, world.admin)
        token = world.deploy("WeEth", eeth, pool, world.admin)
        world.call(eeth, "EEth", "setLiquidityPool", pool)
        world.call(pool, "EtherFiLiquidityPool", "depositOutOfLp", world.admin, staked_wei())
        world.call(pool, "EtherFiLiquidityPool", "setRate", DEVNET_RATE)
        return a.StandIns(
            token=token, token_contract="WeEth", contracts={"eeth": eeth, "liquidity_pool": pool}
        )

    def reserve_oracle(self, world: a.DevnetWorld, s: a.StandIns) -> tuple[str, tuple[Any, ...]]:
        return "WeEthWstEthReserveOracle", (s.token, world.shared("wsteth"))

    def handler(self, world: a.DevnetWorld, s: a.StandIns) -> tuple[str, tuple[Any, ...]]:
        return "WeEthHandler", (*world.flashswap_args(), s.contracts["liquidity_pool"], s.token)

    def restaking(self, world: a.RestakingWorld, s: a.StandIns) -> a.DevnetStakers:
        """ether.fi's nodes, linked to validator pubkeys on the nodes manager; the validators
        pay to the nodes' pods."""
        pod_manager = world.shared("eigen_pod_manager")
        manager = world.deploy("EtherFiNodesManager", world.admin)
        stakers = []
        for i, (operator, deposit) in enumerate((("op-3", 800), ("op-4", 400))):
            node = world.deploy("EtherFiNode", pod_manager)
            pubkey = bytes([0xEF, i]) * 24
            world.call(manager, "EtherFiNodesManager", "linkPubkeyToNode", pubkey, node, i)
            stakers.append(a.DevnetStaker(node, operator, deposit, kind="EtherFiNode"))
        return a.DevnetStakers(
            tuple(stakers), {"etherfi_nodes_manager": manager}, pods_are_credentials=True
        )
