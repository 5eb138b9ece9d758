"""rswETH (Swell): the token is its own deposit contract; rate rswETHToETHRate() (= getRate()).

Mint path: rswETH.deposit() payable. Facts from shared/docs/lrt-tokens.md; on a devnet every
address comes from the deployment file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

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

# ---- API v2: the facts about rswETH that the core once hard-coded ----

LEVERAGE = a.LeverageFacts(
    handler="RswEthHandler",
    kind=a.FLASHSWAP_MINT,
    lever="flashswapAndMint",
    delever=None,
)
ASSUMED_YIELD = a.YieldFacts(
    apr=Decimal("0.033"),
    label="assumed (ion's table of typical LRT and stETH APRs; not read from chain)",
)
MAINNET_MARKET = a.MarketFacts(
    base="wstETH",
    pool="0x00000000007C8105548f9d0eE081987378a6bE93",
    gem_join="0xD696f9EA3299113324B9065ab19b70758256cf16",
    handler="0x5039eEe75BA0cC3Ca41c654864303951798ff0D4",
    reserve_oracle="0xAAa88236D483f08003493adbbf451373992f2f58",
    spot_oracle="0x5A066feC3077a29653eEA14E3B04bad9AE422D70",
    liquidation="0x0000000000471A3b87706d651C7C9e645c5c0d16",
)
CONTRACTS = a.ContractFiles(
    package="ion_adapter_rsweth",
    token_interface="RswETH",
    interfaces={"eigenlayer_manager": "SwellEigenLayerManager"},
)


def _read_stand_in_rate(devnet: Any, token: Mapping[str, Any]) -> int:
    from ion_cli.testing.conformance import read

    return int(read(devnet.w3, token["address"], "getRate", ["uint256"]))


def _set_stand_in_rate(devnet: Any, token: Mapping[str, Any], rate: int) -> None:
    from ion_cli.testing.conformance import admin_send

    admin_send(devnet, token["address"], "setRate", rate)


CONFORMANCE = a.ConformanceHooks(read_rate=_read_stand_in_rate, set_rate=_set_stand_in_rate)

DEVNET_RATE = 1_040_000_000_000_000_000  # ETH per rswETH: the stand-in's starting rate
RAY = 10**27


class Recipe:
    """How the devnet deploys rswETH: the token (its own deposit contract, the plugin's stand-in),
    this plugin's reserve oracle and handler, and Swell's staker proxies on an EigenLayerManager
    stand-in for the restaking world; the core deploys the rest of the market around them."""

    market = a.DevnetMarket(
        base="wstETH",
        rate=DEVNET_RATE,
        ltv=8 * RAY // 10,
        liquidation_threshold=90 * RAY // 100,
        target_health=120 * RAY // 100,
        dust_tokens=4,
        validators=a.DevnetValidators(pods=2, prefixes=(0x02,), per_credential=1100),
    )

    def stand_ins(self, world: a.DevnetWorld) -> a.StandIns:
        token = world.deploy("RswEth", world.admin)
        world.call(token, "RswEth", "setRate", DEVNET_RATE)
        return a.StandIns(token=token, token_contract="RswEth")

    def reserve_oracle(self, world: a.DevnetWorld, s: a.StandIns) -> tuple[str, tuple[Any, ...]]:
        return "RswEthWstEthReserveOracle", (s.token, world.shared("wsteth"))

    def handler(self, world: a.DevnetWorld, s: a.StandIns) -> tuple[str, tuple[Any, ...]]:
        return "RswEthHandler", (*world.flashswap_args(), s.token)

    def restaking(self, world: a.RestakingWorld, s: a.StandIns) -> a.DevnetStakers:
        """Staker proxies on the EigenLayerManager, by id and per operator."""
        manager = world.deploy("EigenLayerManager", world.admin)
        stakers = []
        for operator, deposit in (("op-4", 600), ("op-1", 200)):
            proxy = world.deploy("SwellStakerProxy", manager)
            world.call(
                manager, "EigenLayerManager", "devAddStakerProxy", proxy, world.operator(operator)
            )
            stakers.append(a.DevnetStaker(proxy, operator, deposit))
        return a.DevnetStakers(tuple(stakers), {"eigenlayer_manager": manager})


class RswEthAdapter(a.BaseAdapter):
    symbol = "rswETH"
    name = "Swell"
    decimals = 18
    mainnet = MAINNET
    leverage = LEVERAGE
    assumed_yield = ASSUMED_YIELD
    mainnet_market = MAINNET_MARKET
    contracts = CONTRACTS
    conformance = CONFORMANCE
    devnet = Recipe()

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
