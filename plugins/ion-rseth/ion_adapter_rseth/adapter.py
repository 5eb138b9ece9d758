"""rsETH (Kelp): the rate is LRTOracle.rsETHPrice(), a stored value anyone may refresh.

Mint path: LRTDepositPool.depositETH(minRSETHAmountExpected, referralId) payable. Facts from
shared/docs/lrt-tokens.md; on a devnet every address comes from the deployment file.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ion_cli import adapters as a

# Kelp's placeholder for native ETH in getRsETHAmountToMint(asset, amount).
ETH_TOKEN = "0xEeeeeEeeeEeEeeEeEeEeeEEEeeeeEeeeeeeeEEeE"
# The price can move between planning and sending (updateRSETHPrice); 0.1% keeps a normal refresh
# from reverting the deposit while still bounding what the user gets.
MIN_OUT_BPS = 10
REFERRAL_ID = ""

MAINNET = a.TokenAddresses(
    token="0xA1290d69c65A6Fe4DF752f95823fae25cB99e5A7",
    contracts={
        "lrt_deposit_pool": "0x036676389e48133B63a802f8635AD39E752D375D",
        "lrt_oracle": "0x349A73444b1a310BAe67ef67973022020d70020d",
        "lrt_config": "0x947Cb49334e6571ccBFEF1f1f1178d8469D65ec7",
        "lrt_withdrawal_manager": "0x62De59c08eB5dAE4b7E6F7a8cAd3006d6965ec16",
    },
)

# ---- API v2: the facts about rsETH that the core once hard-coded ----

LEVERAGE = a.LeverageFacts(
    handler="RsEthHandler",
    kind=a.FLASHSWAP_MINT,
    lever="flashswapAndMint",
    delever=None,
)
ASSUMED_YIELD = a.YieldFacts(
    apr=Decimal("0.032"),
    label="assumed (ion's table of typical LRT and stETH APRs; not read from chain)",
)
MAINNET_MARKET = a.MarketFacts(
    base="wstETH",
    pool="0x0000000000E33e35EE6052fae87bfcFac61b1da9",
    gem_join="0x3bC3AC09d1ee05393F2848d82cb420f347954432",
    handler="0x335FBFf118829Aa5ef0ac91196C164538A21a45A",
    reserve_oracle="0x0B9f60091F59cFfA2f28f92E03090C21B70A4a24",
    spot_oracle="0xdb9E3f249a7EDfB49F461D34893b460494deFBE0",
    liquidation="0x00000000009dcfc65Db1b3E209988C7B7846Fe87",
    unsure=frozenset({"handler"}),
)
CONTRACTS = a.ContractFiles(
    package="ion_adapter_rseth",
    token_interface="RsETH",
    interfaces={"lrt_deposit_pool": "LRTDepositPool", "lrt_oracle": "LRTOracle"},
)


def _read_stand_in_rate(devnet: Any, token: Mapping[str, Any]) -> int:
    from ion_cli.testing.conformance import read

    oracle = token["contracts"]["lrt_oracle"]
    return int(read(devnet.w3, oracle, "rsETHPrice", ["uint256"]))


def _set_stand_in_rate(devnet: Any, token: Mapping[str, Any], rate: int) -> None:
    from ion_cli.testing.conformance import admin_send

    admin_send(devnet, token["contracts"]["lrt_oracle"], "setRsETHPrice", rate)


CONFORMANCE = a.ConformanceHooks(read_rate=_read_stand_in_rate, set_rate=_set_stand_in_rate)

DEVNET_RATE = 1_020_000_000_000_000_000  # ETH per rsETH: the stand-in oracle's starting price
RAY = 10**27


class Recipe:
    """How the devnet deploys rsETH: the token, Kelp's LRTOracle and LRTDepositPool (the mint
    path), this plugin's reserve oracle, handler and credential source (the deposit pool's
    NodeDelegators' pods), and the NodeDelegators in the restaking world."""

    market = a.DevnetMarket(
        base="wstETH",
        rate=DEVNET_RATE,
        ltv=8 * RAY // 10,
        liquidation_threshold=83 * RAY // 100,
        target_health=110 * RAY // 100,
        dust_tokens=4,
        validators=a.DevnetValidators(pods=2, prefixes=(0x01,), per_credential=1000),
    )

    def stand_ins(self, world: a.DevnetWorld) -> a.StandIns:
        token = world.deploy("RsEth", world.admin)
        oracle = world.deploy("LRTOracle", world.admin)
        pool = world.deploy("LRTDepositPool", token, oracle, world.admin)
        world.call(token, "RsEth", "setMinter", pool, True)  # the deposit pool mints
        world.call(oracle, "LRTOracle", "setRsETHPrice", DEVNET_RATE)
        return a.StandIns(
            token=token,
            token_contract="RsEth",
            contracts={"lrt_deposit_pool": pool, "lrt_oracle": oracle},
        )

    def reserve_oracle(self, world: a.DevnetWorld, s: a.StandIns) -> tuple[str, tuple[Any, ...]]:
        return "RsEthWstEthReserveOracle", (s.contracts["lrt_oracle"], world.shared("wsteth"))

    def handler(self, world: a.DevnetWorld, s: a.StandIns) -> tuple[str, tuple[Any, ...]]:
        return "RsEthHandler", (*world.flashswap_args(), s.contracts["lrt_deposit_pool"], s.token)

    def credentials(self, world: a.DevnetWorld, s: a.StandIns) -> tuple[str, str]:
        """Kelp's deposit pool enumerates its NodeDelegators, each with its pod, on chain."""
        return world.deploy("KelpCredentials", s.contracts["lrt_deposit_pool"]), "contracts"

    def restaking(self, world: a.RestakingWorld, s: a.StandIns) -> a.DevnetStakers:
        """NodeDelegators in the deposit pool's queue; the validators pay to their pods."""
        dm, epm = world.shared("delegation_manager"), world.shared("eigen_pod_manager")
        stakers = []
        for operator, deposit in (("op-2", 1_000), ("op-3", 500)):
            nd = world.deploy("NodeDelegator", dm, epm)
            stakers.append(a.DevnetStaker(nd, operator, deposit, kind="KelpNodeDelegator"))
        pool = s.contracts["lrt_deposit_pool"]
        nodes = [st.address for st in stakers]
        world.call(pool, "LRTDepositPool", "addNodeDelegatorContractToQueue", nodes)
        return a.DevnetStakers(tuple(stakers), pods_are_credentials=True)


class RsEthAdapter(a.BaseAdapter):
    symbol = "rsETH"
    name = "Kelp"
    decimals = 18
    mainnet = MAINNET
    leverage = LEVERAGE
    assumed_yield = ASSUMED_YIELD
    mainnet_market = MAINNET_MARKET
    contracts = CONTRACTS
    conformance = CONFORMANCE
    devnet = Recipe()

    def exchange_rate(self, ctx: a.AdapterContext) -> int:
        oracle = self.addresses(ctx).contract("lrt_oracle", self.symbol)
        return int(ctx.call(oracle, "rsETHPrice()(uint256)"))

    def mint_plan(self, ctx: a.AdapterContext, eth_amount: int, recipient: str) -> a.MintPlan:
        a.require_positive_amount(eth_amount, self.symbol)
        pool = self.addresses(ctx).contract("lrt_deposit_pool", self.symbol)
        expected = int(
            ctx.call(
                pool, "getRsETHAmountToMint(address,uint256)(uint256)", [ETH_TOKEN, eth_amount]
            )
        )
        min_out = expected - expected * MIN_OUT_BPS // 10_000
        return a.payable_mint_plan(
            self.symbol,
            eth_amount,
            to=pool,
            data=a.encode_call("depositETH(uint256,string)", [min_out, REFERRAL_ID]),
            description="LRTDepositPool.depositETH: ETH -> rsETH",
            expected_out=expected,
            min_out=min_out,
            notes=(f"reverts if fewer than {min_out} wei of rsETH would be minted",),
        )

    def withdrawal(self) -> a.WithdrawalInfo:
        return a.WithdrawalInfo(
            path=(
                "LRTWithdrawalManager.initiateWithdrawal(asset, amount, referralId) ... "
                "completeWithdrawal(asset, referralId)"
            ),
            delay="about 8 days",
            delay_seconds=8 * 86_400,
            contract=MAINNET.contracts["lrt_withdrawal_manager"],
        )

    def mainnet_validators(self, ctx: a.AdapterContext) -> a.ValidatorSource:
        pool = self.addresses(ctx).contract("lrt_deposit_pool", self.symbol)
        delegators = ctx.call(pool, "getNodeDelegatorQueue()(address[])")
        return a.eigenpod_validators(
            ctx,
            delegators,
            method=(
                "LRTDepositPool.getNodeDelegatorQueue()[i].eigenPod(), credentials 0x01/0x02 + pod"
            ),
        )

    def restaking(self, ctx: a.AdapterContext) -> a.RestakingSource:
        """The NodeDelegators of the deposit pool's queue, each with its pod and operator."""
        pool = self.addresses(ctx).contract("lrt_deposit_pool", self.symbol)
        nodes = [str(n) for n in ctx.call(pool, "getNodeDelegatorQueue()(address[])")]
        pods = [str(ctx.call(n, "eigenPod()(address)")) for n in nodes]
        stakers = a.eigenlayer_stakers(ctx, nodes, "NodeDelegator", pods=pods)
        declared = [str(ctx.call(n, "elOperatorDelegatedTo()(address)")) for n in nodes]
        return a.RestakingSource(
            stakers=stakers,
            notes=a.operator_mismatches(stakers, declared, "NodeDelegator.elOperatorDelegatedTo()"),
            method=(
                "LRTDepositPool.getNodeDelegatorQueue(): eigenPod(); DelegationManager.delegatedTo "
                "(= NodeDelegator.elOperatorDelegatedTo) and getWithdrawableShares (native ETH)"
            ),
        )
