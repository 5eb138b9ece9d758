"""Adapter API v2: what a per-token plugin implements so that ion can use one more LRT.

ion knows no token by name. Each token is an adapter found
through the entry-point group `ion.adapters`; the adapter describes the token (symbol, decimals,
addresses), reads its ETH exchange rate, plans a mint from ETH, describes the withdrawal path and
says which validators back it. Adapters never sign or send: they return plans (`MintPlan`) that
the core previews, simulates, signs and sends, and they read the chain only through the
`ctx.call` and `ctx.logs` functions the core hands them (`ctx.logs` reads event logs over any
block range: the core splits it into chunks a node accepts). This module imports only the
standard library and the project's pure modules, so listing plugins and `ion --help` stay fast.

Writing an adapter (full guide: plugins/README.md)
--------------------------------------------------
    # my_adapter.py, registered in pyproject.toml:
    #   [project.entry-points."ion.adapters"]
    #   mytoken = "my_adapter:adapter"        # the name is the lower-case symbol
    from ion_cli import adapters as a

    class MyToken(a.BaseAdapter):          # optional: any object with the members will do
        symbol = "myETH"
        name = "My Protocol"
        decimals = 18
        mainnet = a.TokenAddresses(token="0x...", contracts={"minter": "0x..."})
        # inherited: api_version, addresses(ctx) and validators(ctx) (devnet file or mainnet)

        def exchange_rate(self, ctx: a.AdapterContext) -> int:
            token = self.addresses(ctx).require_token(self.symbol)
            return int(ctx.call(token, "getRate()(uint256)"))

        def mint_plan(self, ctx, eth_amount: int, recipient: str) -> a.MintPlan: ...
        def withdrawal(self) -> a.WithdrawalInfo: ...
        def mainnet_validators(self, ctx: a.AdapterContext) -> a.ValidatorSource: ...

    adapter = MyToken()

Optional (added in API v1 without a version change): `mint_cost(ctx)` reads the mint's state
once and returns a function `token amount -> ETH` that its mint path takes for at least that
amount, in the protocol's own rounding (Ion's direct-mint handlers ask exactly that); without it
the core prices a mint at ceil(amount * exchange_rate / 1e18).

Without the base class an adapter writes `addresses` and `validators` itself (`devnet_addresses`,
`devnet_validators` and `require_mainnet` help). `require_positive_amount` and `payable_mint_plan`
serve a mint that is one payable call.

Signatures handed to `ctx.call` and `encode_call` use cast's notation: `name(inputs)(outputs)`,
for example `calculateTVLs()(uint256[][],uint256[],uint256)`. A call with one output returns that
value; with several, a tuple.

Optional (added in API v1 without a version change; an adapter without it is reported as
"unknown"): `restaking(ctx) -> RestakingSource`, the delegation seam: the EigenLayer stakers that
hold the token's restaked ETH, the operator each delegates to and their shares
(`eigenlayer_stakers` reads the last two through `ctx.call`).

API v2 (ion_cli.adapter_api.facts, .devnet): every fact about the token that the core once
hard-coded, each None where the token has none (BaseAdapter defaults them to None):
`leverage` (LeverageFacts: the handler's interface, family and functions), `assumed_yield`
(YieldFacts: an APR with its label, or a source that reads it), `mainnet_market` (MarketFacts:
Ion's market on mainnet), `contracts` (ContractFiles: the plugin's own .sol sources, compiled
artifacts and published interfaces, as package data) and `devnet` (a DevnetRecipe: how the
devnet deploys its stand-ins and which handler and reserve-oracle variants its market uses).

Versioning: `API_VERSION` changes only when an existing field or method changes meaning or
signature. v1 adapters still load, through a shim that answers the v2 facts as None, with a
DeprecationWarning; an adapter declaring any other version is reported and skipped.
"""

from __future__ import annotations

from ion_cli.adapter_api.base import (
    API_VERSION,
    ENTRY_POINT_GROUP,
    FACTS_V2,
    OPTIONAL_METHODS,
    REQUIRED_ATTRIBUTES,
    REQUIRED_ATTRIBUTES_V1,
    REQUIRED_METHODS,
    SUPPORTED_VERSIONS,
    BaseAdapter,
    LrtAdapter,
    missing_members,
)
from ion_cli.adapter_api.context import (
    MAINNET_CHAIN_ID,
    AdapterContext,
    AdapterError,
    ChainCall,
    LogEntry,
    LogReader,
    event_topic,
    topic_address,
)
from ion_cli.adapter_api.devnet import (
    DevnetMarket,
    DevnetPool,
    DevnetRecipe,
    DevnetStaker,
    DevnetStakers,
    DevnetValidators,
    DevnetWorld,
    RestakingWorld,
    StandIns,
)
from ion_cli.adapter_api.facts import (
    BALANCER_FLASH,
    FLASHSWAP_MINT,
    HANDLER_KINDS,
    ConformanceHooks,
    ContractFiles,
    LeverageFacts,
    MarketFacts,
    YieldFacts,
)
from ion_cli.adapter_api.helpers import (
    Signature,
    chain_call_from,
    decode_result,
    deployment_token,
    devnet_addresses,
    devnet_validators,
    eigenpod_validators,
    encode_call,
    parse_signature,
    payable_mint_plan,
    require_mainnet,
    require_positive_amount,
    withdrawal_credentials,
)
from ion_cli.adapter_api.restaking import (
    BEACON_CHAIN_ETH_STRATEGY,
    EIGENLAYER_MAINNET,
    EigenLayerAddresses,
    RestakingSource,
    RestakingStaker,
    eigenlayer_addresses,
    eigenlayer_stakers,
    operator_mismatches,
    unknown_restaking,
)
from ion_cli.adapter_api.types import (
    MintPlan,
    PlannedCall,
    TokenAddresses,
    ValidatorSource,
    WithdrawalInfo,
)

__all__ = [
    "API_VERSION",
    "BALANCER_FLASH",
    "BEACON_CHAIN_ETH_STRATEGY",
    "EIGENLAYER_MAINNET",
    "ENTRY_POINT_GROUP",
    "FACTS_V2",
    "FLASHSWAP_MINT",
    "HANDLER_KINDS",
    "MAINNET_CHAIN_ID",
    "OPTIONAL_METHODS",
    "REQUIRED_ATTRIBUTES",
    "REQUIRED_ATTRIBUTES_V1",
    "REQUIRED_METHODS",
    "SUPPORTED_VERSIONS",
    "AdapterContext",
    "AdapterError",
    "BaseAdapter",
    "ChainCall",
    "ConformanceHooks",
    "ContractFiles",
    "DevnetMarket",
    "DevnetPool",
    "DevnetRecipe",
    "DevnetStaker",
    "DevnetStakers",
    "DevnetValidators",
    "DevnetWorld",
    "EigenLayerAddresses",
    "LeverageFacts",
    "LogEntry",
    "LogReader",
    "LrtAdapter",
    "MarketFacts",
    "MintPlan",
    "PlannedCall",
    "RestakingSource",
    "RestakingStaker",
    "RestakingWorld",
    "Signature",
    "StandIns",
    "TokenAddresses",
    "ValidatorSource",
    "WithdrawalInfo",
    "YieldFacts",
    "chain_call_from",
    "decode_result",
    "deployment_token",
    "devnet_addresses",
    "devnet_validators",
    "eigenlayer_addresses",
    "eigenlayer_stakers",
    "eigenpod_validators",
    "encode_call",
    "event_topic",
    "missing_members",
    "operator_mismatches",
    "parse_signature",
    "payable_mint_plan",
    "require_mainnet",
    "require_positive_amount",
    "topic_address",
    "unknown_restaking",
    "withdrawal_credentials",
]
