"""The adapter contract (LrtAdapter), what the registry checks, and the optional base class."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from ion_cli.adapter_api.context import AdapterContext
from ion_cli.adapter_api.devnet import DevnetRecipe
from ion_cli.adapter_api.facts import (
    ConformanceHooks,
    ContractFiles,
    LeverageFacts,
    MarketFacts,
    YieldFacts,
)
from ion_cli.adapter_api.helpers import devnet_addresses, devnet_validators, require_mainnet
from ion_cli.adapter_api.restaking import RestakingSource, unknown_restaking
from ion_cli.adapter_api.types import MintPlan, TokenAddresses, ValidatorSource, WithdrawalInfo
from ion_cli.plugin_metadata import ENTRY_POINT_GROUP as ENTRY_POINT_GROUP

API_VERSION = 2
# API versions the core loads: v1 adapters through a shim (ion_cli.adapter_api.shim) that
# supplies the facts v2 added as "none" and warns (DeprecationWarning) when it is loaded.
SUPPORTED_VERSIONS: tuple[int, ...] = (1, 2)

# What the registry checks before it accepts an adapter (duck-typed: any object will do).
REQUIRED_ATTRIBUTES_V1: tuple[str, ...] = ("api_version", "symbol", "name", "decimals")
REQUIRED_METHODS: tuple[str, ...] = (
    "addresses",
    "exchange_rate",
    "mint_plan",
    "withdrawal",
    "validators",
)
# v2: every fact about the token the core needs (each may be None: "this token has none").
FACTS_V2: tuple[str, ...] = (
    "leverage",
    "assumed_yield",
    "mainnet_market",
    "contracts",
    "devnet",
    "conformance",
)
REQUIRED_ATTRIBUTES: tuple[str, ...] = REQUIRED_ATTRIBUTES_V1 + FACTS_V2
# Members an adapter may have; the core falls back to "unknown" without them.
OPTIONAL_METHODS: tuple[str, ...] = ("restaking", "mint_cost")


@runtime_checkable
class LrtAdapter(Protocol):
    """The contract of API v2. Attributes may be class attributes; all amounts are wei ints."""

    api_version: int
    symbol: str  # canonical spelling, as the market is named
    name: str  # the protocol
    decimals: int
    leverage: LeverageFacts | None
    assumed_yield: YieldFacts | None
    mainnet_market: MarketFacts | None
    contracts: ContractFiles | None
    devnet: DevnetRecipe | None
    conformance: ConformanceHooks | None

    def addresses(self, ctx: AdapterContext) -> TokenAddresses: ...

    def exchange_rate(self, ctx: AdapterContext) -> int:
        """ETH per token, 1e18-scaled, read on chain."""
        ...

    def mint_plan(self, ctx: AdapterContext, eth_amount: int, recipient: str) -> MintPlan:
        """Calls that turn `eth_amount` wei of ETH into the token, sent by `recipient`."""
        ...

    def withdrawal(self) -> WithdrawalInfo: ...

    def validators(self, ctx: AdapterContext) -> ValidatorSource: ...


def missing_members(obj: object, version: int = API_VERSION) -> list[str]:
    """Names of the declarations of API `version` that `obj` lacks (empty when complete)."""
    attributes = REQUIRED_ATTRIBUTES if version >= 2 else REQUIRED_ATTRIBUTES_V1
    missing = [n for n in attributes if not hasattr(obj, n)]
    missing += [n for n in REQUIRED_METHODS if not callable(getattr(obj, n, None))]
    return missing


# ---- an optional base class for adapters ----


class BaseAdapter:
    """The mechanics every adapter repeats; optional (the registry only checks `LrtAdapter`).

    A subclass sets `symbol`, `name`, `decimals` and `mainnet` (its mainnet TokenAddresses), and
    writes `exchange_rate`, `mint_plan`, `withdrawal` and `mainnet_validators`. It inherits:

    - `api_version = API_VERSION`;
    - `addresses(ctx)`: the deployment file's entry on a devnet, else `mainnet` (mainnet only);
    - `validators(ctx)`: the deployment file's credentials on a devnet, else (mainnet only)
      `mainnet_validators(ctx)`;
    - `restaking(ctx)` (optional, the delegation seam): "unknown" until the subclass says;
    - the facts of API v2 as None ("none": no leverage, no assumed yield, no mainnet market, no
      contracts of its own, no devnet market) until the subclass sets them.
    """

    api_version: int = API_VERSION
    symbol: str
    name: str
    decimals: int
    mainnet: TokenAddresses
    leverage: LeverageFacts | None = None
    assumed_yield: YieldFacts | None = None
    mainnet_market: MarketFacts | None = None
    contracts: ContractFiles | None = None
    devnet: DevnetRecipe | None = None
    conformance: ConformanceHooks | None = None

    def addresses(self, ctx: AdapterContext) -> TokenAddresses:
        if ctx.deployment is not None:
            return devnet_addresses(ctx, self.symbol)
        require_mainnet(ctx, self.symbol)
        return self.mainnet

    def validators(self, ctx: AdapterContext) -> ValidatorSource:
        if ctx.deployment is not None:
            return devnet_validators(ctx, self.symbol)
        require_mainnet(ctx, self.symbol)
        return self.mainnet_validators(ctx)

    def mainnet_validators(self, ctx: AdapterContext) -> ValidatorSource:
        """The validators behind the token on mainnet (ctx is a mainnet context)."""
        raise NotImplementedError(f"{type(self).__name__} does not say its mainnet validators")

    def restaking(self, ctx: AdapterContext) -> RestakingSource:
        """Where the token's restaked ETH sits (optional: the default says it is unknown)."""
        return unknown_restaking(f"{self.symbol}: the adapter does not say", "restaking")
