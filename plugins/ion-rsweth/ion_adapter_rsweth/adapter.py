"""rswETH (Swell): the token is its own deposit contract; rate rswETHToETHRate() (= getRate()).

Mint path: rswETH.deposit() payable. Facts from shared/docs/lrt-tokens.md; on a devnet every
address comes from the deployment file.
"""

from __future__ import annotations

from collections.abc import Callable

from ion_cli import adapters as a

WAD = 10**18

MAINNET = a.TokenAddresses(
    token="0xFAe103DC9cf190eD75350761e95403b7b8aFa6c0",
    contracts={
        "withdrawal_nft": None,  # createWithdrawRequest/finalizeWithdrawal; not in our sources
        "node_operator_registry": None,  # the rswETH PoR registry; not in our sources
        "eigenlayer_manager": None,  # Swell's EigenLayerManager: not confirmed in our sources
    },
    unsure=("withdrawal_nft", "node_operator_registry", "eigenlayer_manager"),
)


class RswEthAdapter(a.BaseAdapter):
    symbol = "rswETH"
    name = "Swell"
    decimals = 18
    mainnet = MAINNET

    def exchange_rate(self, ctx: a.AdapterContext) -> int:
        token = self.addresses(ctx).require_token(self.symbol)
        return int(ctx.call(token, "rswETHToETHRate()(uint256)"))

    def mint_plan(self, ctx: a.AdapterContext, eth_amount: int, recipient: str) -> a.MintPlan:
        a.require_positive_amount(eth_amount, self.symbol)
        token = self.addresses(ctx).require_token(self.symbol)
        rate = self.exchange_rate(ctx)
        # deposit() mints msg.value * ethToRswETHRate() / 1e18, rounded down, where the inverse
        # rate floor(1e36 / rate) is itself rounded down first (Swell's UD60x18 arithmetic).
        expected = eth_amount * (WAD * WAD // rate) // WAD
        return a.payable_mint_plan(
            self.symbol,
            eth_amount,
            to=token,
            data=a.encode_call("deposit()"),
            description="rswETH.deposit: ETH -> rswETH",
            expected_out=expected,
            notes=("deposit() has no slippage bound: the mint follows the rate at execution",),
        )

    def mint_cost(self, ctx: a.AdapterContext) -> Callable[[int], int]:
        """rswETH amount -> wadDivUp(amount, ethToRswETHRate()): the ETH whose deposit mints at
        least that much (deposit mints floor(value * ethToRswETHRate / 1e18)), as Ion's public
        handler asks."""
        token = self.addresses(ctx).require_token(self.symbol)
        inverse = int(ctx.call(token, "ethToRswETHRate()(uint256)"))
        if inverse <= 0:
            raise a.AdapterError("rswETH: ethToRswETHRate() is zero")
        return lambda amount: -(-amount * WAD // inverse)

    def withdrawal(self) -> a.WithdrawalInfo:
        return a.WithdrawalInfo(
            path="withdrawal NFT: createWithdrawRequest(amount) ... finalizeWithdrawal(tokenId)",
            delay="queue",
            contract=MAINNET.contracts["withdrawal_nft"],
            unsure=True,
        )

    def mainnet_validators(self, ctx: a.AdapterContext) -> a.ValidatorSource:
        # One EigenPod per staker proxy, listed by the registry whose address we do not know.
        return a.ValidatorSource(
            withdrawal_credentials=(),
            method=(
                "rswETH NodeOperatorRegistry (address unsure): getPoRAddressListLength(), "
                "getPoRAddressList(start, end); one EigenPod per staker proxy"
            ),
            complete=False,
        )

    def restaking(self, ctx: a.AdapterContext) -> a.RestakingSource:
        """Swell's staker proxies (EigenLayerManager.stakerProxyAddresses(id), ids up to
        stakeId()), each with its pod (EigenPodManager.ownerToPod) and operator."""
        method = (
            "EigenLayerManager.stakeId(), stakerProxyAddresses(id); EigenPodManager.ownerToPod; "
            "DelegationManager.delegatedTo and getWithdrawableShares (native ETH)"
        )
        manager = self.addresses(ctx).contracts.get("eigenlayer_manager")
        if not manager:
            return a.unknown_restaking(method, "eigenlayer_manager")
        last = int(ctx.call(manager, "stakeId()(uint256)"))
        proxies = []
        for staker_id in range(1, last + 1):  # ids count from 1 (createStakerAndPod: ++stakeId)
            proxy = str(ctx.call(manager, "stakerProxyAddresses(uint256)(address)", [staker_id]))
            if int(proxy, 16) != 0:
                proxies.append(proxy)
        pod_manager = a.eigenlayer_addresses(ctx).eigen_pod_manager
        pods = [str(ctx.call(pod_manager, "ownerToPod(address)(address)", [p])) for p in proxies]
        return a.RestakingSource(
            stakers=a.eigenlayer_stakers(ctx, proxies, "staker proxy", pods=pods), method=method
        )
