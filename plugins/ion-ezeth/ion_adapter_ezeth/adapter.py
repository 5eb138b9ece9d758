"""ezETH (Renzo): no rate getter on the token; the rate is RestakeManager's total TVL per ezETH.

Mint path: RestakeManager.depositETH() payable. Facts from shared/docs/lrt-tokens.md; on a devnet
every address comes from the deployment file.
"""

from __future__ import annotations

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


class EzEthAdapter(a.BaseAdapter):
    symbol = "ezETH"
    name = "Renzo"
    decimals = 18
    mainnet = MAINNET

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
