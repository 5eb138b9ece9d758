"""ezETH (Renzo): no rate getter on the token; the rate is RestakeManager's total TVL per ezETH.

Mint path: RestakeManager.depositETH() payable. Facts from shared/docs/lrt-tokens.md; on a devnet
every address comes from the deployment file.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ion_adapter_ezeth.devnet_recipe import Recipe
from ion_cli import adapters as a

WAD = 10**18

MAINNET = a.TokenAddresses(
    token="0xbf5495Efe5DB9ce00f80364C8B423567e58d2110",
    contracts={
        "restake_manager": "0x74a09653A083691711cF8215a6ab074BB4e99ef5",
        "renzo_oracle": "0x5a12796f7e7EBbbc8a402667d266d2e65A814042",
        "withdraw_queue": None,  # not in our sources
    },
    unsure=("withdraw_queue",),
)

TVLS = "calculateTVLs()(uint256[][],uint256[],uint256)"

# ---- API v2: the facts about ezETH that the core once hard-coded ----

LEVERAGE = a.LeverageFacts(
    handler="EzEthWethHandler",
    kind=a.BALANCER_FLASH,
    lever="flashLeverageWethAndSwap",
    delever="flashDeleverageWethAndSwap",
)
ASSUMED_YIELD = a.YieldFacts(
    apr=Decimal("0.034"),
    label="assumed (ion's table of typical LRT and stETH APRs; not read from chain)",
)
MAINNET_MARKET = a.MarketFacts(
    base="WETH",
    pool="0x00000000008a3A77bd91bC738Ed2Efaa262c3763",
    gem_join="0xe3692b2E55Eb2494cA73610c3b027F53815CCD39",
    reserve_oracle="0x3239396B740cD6BBABb42196A03f7B77fA7102C9",
    spot_oracle="0x08fEDD981732c2a0EceCd4c70a41eA3AC454A6FD",
    liquidation="0x0000000000d8858E1A9B373582A691dB992C23CA",
)
CONTRACTS = a.ContractFiles(
    package="ion_adapter_ezeth",
    token_interface="EzETH",
    interfaces={"restake_manager": "RestakeManager", "renzo_oracle": "RenzoOracle"},
)


def _read_stand_in_rate(devnet: Any, token: Mapping[str, Any]) -> int:
    from ion_cli.testing.conformance import read

    manager = token["contracts"]["restake_manager"]
    tvls = read(devnet.w3, manager, "calculateTVLs", ["uint256[][]", "uint256[]", "uint256"])
    supply = int(read(devnet.w3, token["address"], "totalSupply", ["uint256"]))
    return int(tvls[2]) * WAD // supply


def _set_stand_in_rate(devnet: Any, token: Mapping[str, Any], rate: int) -> None:
    from ion_cli.testing.conformance import admin_send

    admin_send(devnet, token["contracts"]["restake_manager"], "setRate", rate)


CONFORMANCE = a.ConformanceHooks(read_rate=_read_stand_in_rate, set_rate=_set_stand_in_rate)


class EzEthAdapter(a.BaseAdapter):
    symbol = "ezETH"
    name = "Renzo"
    decimals = 18
    mainnet = MAINNET
    leverage = LEVERAGE
    assumed_yield = ASSUMED_YIELD
    mainnet_market = MAINNET_MARKET
    contracts = CONTRACTS
    conformance = CONFORMANCE
    devnet = Recipe()

    def _tvl_and_supply(self, ctx: a.AdapterContext) -> tuple[int, int]:
        addrs = self.addresses(ctx)
        token = addrs.require_token(self.symbol)
        manager = addrs.contract("restake_manager", self.symbol)
        total_tvl = int(ctx.call(manager, TVLS)[2])
        supply = int(ctx.call(token, "totalSupply()(uint256)"))
        return total_tvl, supply

    def exchange_rate(self, ctx: a.AdapterContext) -> int:
        total_tvl, supply = self._tvl_and_supply(ctx)
        if supply == 0:
            return WAD  # an empty protocol mints 1:1, so that is the rate a first deposit gets
        return total_tvl * WAD // supply

    def mint_plan(self, ctx: a.AdapterContext, eth_amount: int, recipient: str) -> a.MintPlan:
        a.require_positive_amount(eth_amount, self.symbol)
        addrs = self.addresses(ctx)
        manager = addrs.contract("restake_manager", self.symbol)
        total_tvl, supply = self._tvl_and_supply(ctx)
        oracle = addrs.contracts.get("renzo_oracle")
        if oracle:
            # Renzo's own preview, the same call depositETH makes to size the mint.
            expected = int(
                ctx.call(
                    oracle,
                    "calculateMintAmount(uint256,uint256,uint256)(uint256)",
                    [total_tvl, eth_amount, supply],
                )
            )
        else:
            expected = eth_amount if supply == 0 else eth_amount * supply // total_tvl
        return a.payable_mint_plan(
            self.symbol,
            eth_amount,
            to=manager,
            data=a.encode_call("depositETH()"),
            description="RestakeManager.depositETH: ETH -> ezETH",
            expected_out=expected,
            notes=("depositETH has no slippage bound: the mint follows the TVL at execution",),
        )

    def withdrawal(self) -> a.WithdrawalInfo:
        return a.WithdrawalInfo(
            path=(
                "WithdrawQueue.withdraw(amount, assetOut) -> claim(index, user) after "
                "coolDownPeriod()"
            ),
            delay="days (unsure: about 7-14)",
            contract=MAINNET.contracts["withdraw_queue"],
            unsure=True,
        )

    def mainnet_validators(self, ctx: a.AdapterContext) -> a.ValidatorSource:
        manager = self.addresses(ctx).contract("restake_manager", self.symbol)
        count = int(ctx.call(manager, "getOperatorDelegatorsLength()(uint256)"))
        delegators = [
            str(ctx.call(manager, "operatorDelegators(uint256)(address)", [i]))
            for i in range(count)
        ]
        return a.eigenpod_validators(
            ctx,
            delegators,
            method="RestakeManager.operatorDelegators(i).eigenPod(), credentials 0x01/0x02 + pod",
        )

    def restaking(self, ctx: a.AdapterContext) -> a.RestakingSource:
        """The OperatorDelegators listed on the RestakeManager, each with its pod, its operator
        and its target share (basis points); the same views on the devnet and on mainnet."""
        manager = self.addresses(ctx).contract("restake_manager", self.symbol)
        count = int(ctx.call(manager, "getOperatorDelegatorsLength()(uint256)"))
        delegators = [
            str(ctx.call(manager, "operatorDelegators(uint256)(address)", [i]))
            for i in range(count)
        ]
        pods = [str(ctx.call(od, "eigenPod()(address)")) for od in delegators]
        bps = [
            int(ctx.call(manager, "operatorDelegatorAllocations(address)(uint256)", [od]))
            for od in delegators
        ]
        stakers = a.eigenlayer_stakers(
            ctx, delegators, "OperatorDelegator", pods=pods, target_bps=bps
        )
        declared = [str(ctx.call(od, "delegateAddress()(address)")) for od in delegators]
        return a.RestakingSource(
            stakers=stakers,
            notes=a.operator_mismatches(stakers, declared, "OperatorDelegator.delegateAddress()"),
            method=(
                "RestakeManager.operatorDelegators(i): eigenPod(), operatorDelegatorAllocations; "
                "DelegationManager.delegatedTo and getWithdrawableShares (native ETH strategy)"
            ),
        )
