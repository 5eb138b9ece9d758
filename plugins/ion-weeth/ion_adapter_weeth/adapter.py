"""weETH (ether.fi): wrapped eETH, whose rate is eETH per weETH (eETH is 1:1 with ETH).

Mint path: ETH -> LiquidityPool.deposit -> eETH -> approve weETH -> weETH.wrap. Facts from
shared/docs/lrt-tokens.md; on a devnet every address comes from the deployment file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from ion_adapter_weeth.devnet_recipe import Recipe
from ion_cli import adapters as a

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"

MAINNET = a.TokenAddresses(
    token="0xCd5fE23C85820F7B72D0926FC9b05b43E359b7ee",
    contracts={
        "eeth": "0x35fA164735182de50811E8e2E824cFb9B6118ac2",
        "liquidity_pool": "0x308861A430be4cce5502d0A12724771Fc6DaF216",
        "withdraw_request_nft": "0x7d5706f6ef3F89B3951E23e557CDFBC3239D4E2c",
        # Emits validatorCreated(pubkeyHash, etherFiNode, pubkey); address not in our sources.
        "staking_manager": None,
        # PubkeyLinked(pubkeyHash, nodeAddress, legacyId, pubkey): the nodes (ether.fi's own
        # repository's mainnet constants)
        "etherfi_nodes_manager": "0x8B71140AD2e5d1E7018d2a7f8a288BD3CD38916F",
    },
    unsure=("staking_manager",),
)

EIGEN_POD_MANAGER = "0x91E677b07F7AF907ec9a428aafA9fc14a0d3A338"
VALIDATOR_CREATED = "validatorCreated(bytes32,address,bytes)"
PUBKEY_LINKED = "PubkeyLinked(bytes32,address,uint256,bytes)"

# eETH is rebasing share accounting: a deposit of x wei may credit x-1 or x-2 wei of eETH.
# Wrapping a little less than deposited keeps the wrap from reverting; the dust stays eETH.
EETH_ROUNDING_WEI = 2

# ---- API v2: the facts about weETH that the core once hard-coded ----

LEVERAGE = a.LeverageFacts(
    handler="WeEthHandler",
    kind=a.FLASHSWAP_MINT,
    lever="flashswapAndMint",
    delever=None,
)
ASSUMED_YIELD = a.YieldFacts(
    apr=Decimal("0.031"),
    label="assumed (ion's table of typical LRT and stETH APRs; not read from chain)",
)
MAINNET_MARKET = a.MarketFacts(
    base="wstETH",
    pool="0x0000000000eaEbd95dAfcA37A39fd09745739b78",
    gem_join="0x3f6119B0328C27190bE39597213ea1729f061876",
    handler="0xAB3c6236327FF77159B37f18EF85e8AC58034479",
    unsure=frozenset({"handler"}),
)
CONTRACTS = a.ContractFiles(
    package="ion_adapter_weeth",
    token_interface="WeETH",
    interfaces={
        "eeth": "EETH",
        "liquidity_pool": "EtherFiLiquidityPool",
        "etherfi_nodes_manager": "EtherFiNodesManager",
    },
)


def _read_stand_in_rate(devnet: Any, token: Mapping[str, Any]) -> int:
    from ion_cli.testing.conformance import read

    return int(read(devnet.w3, token["address"], "getRate", ["uint256"]))


def _set_stand_in_rate(devnet: Any, token: Mapping[str, Any], rate: int) -> None:
    from ion_cli.testing.conformance import admin_send

    # weETH's rate is the ether.fi pool's P / S
    admin_send(devnet, token["contracts"]["liquidity_pool"], "setRate", rate)


CONFORMANCE = a.ConformanceHooks(read_rate=_read_stand_in_rate, set_rate=_set_stand_in_rate)


class WeEthAdapter(a.BaseAdapter):
    symbol = "weETH"
    name = "ether.fi"
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
        return int(ctx.call(token, "getRate()(uint256)"))

    def mint_plan(self, ctx: a.AdapterContext, eth_amount: int, recipient: str) -> a.MintPlan:
        a.require_positive_amount(eth_amount, self.symbol)
        addrs = self.addresses(ctx)
        token = addrs.require_token(self.symbol)
        pool = addrs.contract("liquidity_pool", self.symbol)
        eeth = addrs.contract("eeth", self.symbol)
        # eETH is share accounting on mainnet and on the devnet alike (see EEth.sol): the
        # balance a deposit credits rounds down by a wei or two.
        rounding = EETH_ROUNDING_WEI
        to_wrap = eth_amount - rounding
        if to_wrap <= 0:
            raise a.AdapterError("weETH: amount too small to wrap")
        expected = int(ctx.call(token, "getWeETHByeETH(uint256)(uint256)", [to_wrap]))
        calls = (
            a.PlannedCall(
                to=pool,
                value=eth_amount,
                data=a.encode_call("deposit(address)", [ZERO_ADDRESS]),
                description="LiquidityPool.deposit: ETH -> eETH",
            ),
            a.PlannedCall(
                to=eeth,
                value=0,
                data=a.encode_call("approve(address,uint256)", [token, to_wrap]),
                description="eETH.approve(weETH): let weETH take the eETH",
            ),
            a.PlannedCall(
                to=token,
                value=0,
                data=a.encode_call("wrap(uint256)", [to_wrap]),
                description="weETH.wrap: eETH -> weETH",
            ),
        )
        notes = (f"{rounding} wei of eETH may stay unwrapped (share rounding)",) if rounding else ()
        return a.MintPlan(
            symbol=self.symbol, eth_in=eth_amount, calls=calls, expected_out=expected, notes=notes
        )

    def mint_cost(self, ctx: a.AdapterContext) -> Callable[[int], int]:
        """weETH amount -> the ETH that mints exactly it by deposit() then wrap, searched as
        Ion's public WeEthHandler does, at the pool's totals read now."""
        addrs = self.addresses(ctx)
        pool = addrs.contract("liquidity_pool", self.symbol)
        eeth = addrs.contract("eeth", self.symbol)
        pooled = int(ctx.call(pool, "getTotalPooledEther()(uint256)"))
        shares = int(ctx.call(eeth, "totalShares()(uint256)"))
        return lambda amount: eth_for_exact_weeth(pooled, shares, amount)

    def withdrawal(self) -> a.WithdrawalInfo:
        return a.WithdrawalInfo(
            path=(
                "weETH.unwrap -> LiquidityPool.requestWithdraw(recipient, amount) mints a "
                "WithdrawRequestNFT -> claimWithdraw(tokenId) once finalized; or the instant "
                "route with a fee through the redemption manager"
            ),
            delay="queue (instant with a fee through the redemption manager)",
            contract=MAINNET.contracts["liquidity_pool"],
        )

    def mainnet_validators(self, ctx: a.AdapterContext) -> a.ValidatorSource:
        method = (
            "StakingManager event validatorCreated(bytes32 indexed pubkeyHash, address "
            "indexed etherFiNode, bytes pubkey); credentials 0x01/0x02 + each node's EigenPod "
            "(EigenPodManager.ownerToPod)"
        )
        manager = self.addresses(ctx).contracts.get("staking_manager")
        if not manager:  # the StakingManager's address is not in our sources yet
            return a.ValidatorSource(withdrawal_credentials=(), method=method, complete=False)
        topic = a.event_topic(VALIDATOR_CREATED)
        nodes = dict.fromkeys(a.topic_address(log.topics[2]) for log in ctx.logs(manager, [topic]))
        pods = tuple(
            str(ctx.call(EIGEN_POD_MANAGER, "ownerToPod(address)(address)", [node]))
            for node in nodes
        )
        creds = tuple(c for pod in dict.fromkeys(pods) for c in a.withdrawal_credentials(pod))
        return a.ValidatorSource(withdrawal_credentials=creds, pods=pods, method=method)

    def restaking(self, ctx: a.AdapterContext) -> a.RestakingSource:
        """The ether.fi nodes (from EtherFiNodesManager's PubkeyLinked), each an EigenLayer staker
        with a pod (`getEigenPod`) and an operator."""
        method = (
            "EtherFiNodesManager event PubkeyLinked(bytes32 indexed pubkeyHash, address indexed "
            "nodeAddress, uint256 indexed legacyId, bytes pubkey): each node's getEigenPod(); "
            "DelegationManager.delegatedTo and getWithdrawableShares (native ETH)"
        )
        manager = self.addresses(ctx).contracts.get("etherfi_nodes_manager")
        if not manager:
            return a.unknown_restaking(method, "etherfi_nodes_manager")
        topic = a.event_topic(PUBKEY_LINKED)
        nodes = list(
            dict.fromkeys(a.topic_address(log.topics[2]) for log in ctx.logs(manager, [topic]))
        )
        pods = [str(ctx.call(node, "getEigenPod()(address)")) for node in nodes]
        return a.RestakingSource(
            stakers=a.eigenlayer_stakers(ctx, nodes, "EtherFiNode", pods=pods), method=method
        )


WAD = 10**18


def weeth_for_eth(pooled: int, shares: int, eth: int) -> int:
    """weETH that `eth` mints through LiquidityPool.deposit() and weETH.wrap, from the totals
    before the deposit: shares floor(eth * S / P), worth floor(shares * P' / S') eETH, wrapped
    into floor(amount * S' / P') weETH."""
    minted = eth if pooled == 0 else eth * shares // pooled
    pooled_after, shares_after = pooled + eth, shares + minted
    if shares_after == 0:
        return 0
    eeth = minted * pooled_after // shares_after
    return eeth * shares_after // pooled_after


def eth_for_exact_weeth(pooled: int, shares: int, amount: int) -> int:
    """The ETH Ion's WeEthHandler sends for exactly `amount` weETH: the first of
    wadDivUp(wadMulDown(amount, P), S) + 1 and one wei more that mints exactly `amount`; an
    AdapterError when neither does (the handler reverts NoAmountInFound())."""
    if amount <= 0:
        return 0
    if shares == 0:
        raise a.AdapterError("weETH: the ether.fi pool has no shares yet")
    guess = -(-(amount * pooled // WAD) * WAD // shares) + 1
    for eth in (guess, guess + 1):
        if weeth_for_eth(pooled, shares, eth) == amount:
            return eth
    raise a.AdapterError(
        f"weETH: no ETH amount mints exactly {amount} wei of weETH at the pool's totals (Ion's "
        "WeEthHandler would revert NoAmountInFound()): choose another amount"
    )
