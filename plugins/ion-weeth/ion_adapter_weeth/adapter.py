"""weETH (ether.fi): wrapped eETH, whose rate is eETH per weETH (eETH is 1:1 with ETH).

Mint path: ETH -> LiquidityPool.deposit -> eETH -> approve weETH -> weETH.wrap. Facts from
shared/docs/lrt-tokens.md; on a devnet every address comes from the deployment file.
"""

from __future__ import annotations

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

# On mainnet eETH is rebasing share accounting: a deposit of x wei may credit x-1 or x-2 wei of
# eETH. Wrapping a little less than deposited keeps the wrap from reverting; the dust stays eETH.
MAINNET_EETH_ROUNDING_WEI = 2


class WeEthAdapter(a.BaseAdapter):
    symbol = "weETH"
    name = "ether.fi"
    decimals = 18
    mainnet = MAINNET

    def exchange_rate(self, ctx: a.AdapterContext) -> int:
        token = self.addresses(ctx).require_token(self.symbol)
        return int(ctx.call(token, "getRate()(uint256)"))

    def mint_plan(self, ctx: a.AdapterContext, eth_amount: int, recipient: str) -> a.MintPlan:
        a.require_positive_amount(eth_amount, self.symbol)
        addrs = self.addresses(ctx)
        token = addrs.require_token(self.symbol)
        pool = addrs.contract("liquidity_pool", self.symbol)
        eeth = addrs.contract("eeth", self.symbol)
        # The devnet's eETH is exactly 1:1 (see EEth.sol); only mainnet shares round.
        rounding = 0 if ctx.deployment is not None else MAINNET_EETH_ROUNDING_WEI
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
