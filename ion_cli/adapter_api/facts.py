"""Adapter API v2: the facts about a token that the core once hard-coded, now the adapter's.

- `leverage`: how Ion's handler for the token levers and unwinds (`LeverageFacts`), or None;
- `assumed_yield`: the token's yield, read or assumed, with the label the preview shows;
- `mainnet_market`: Ion's market for the token on mainnet (`MarketFacts`), or None;
- `contracts`: where the plugin keeps its own contracts (`ContractFiles`: stand-in sources and
  compiled artifacts, handler and reserve-oracle variants, its published interfaces);
- `devnet`: the recipe that deploys the token's stand-ins and market on the devnet
  (`ion_cli.adapter_api.devnet.DevnetRecipe`), or None (no devnet market of its own);
- `conformance`: how the conformance kit reads and moves the devnet stand-in's rate
  (`ConformanceHooks`), or None.

Every fact is plain data (or a callable) so that reading it needs no chain.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ion_cli.adapter_api.context import AdapterContext

# The handler families Ion's contracts come in (protocol facts, not token facts):
# a Uniswap flash swap of the base into WETH, then the LRT minted from ETH by the token's own
# deposit path (no deleverage in the handler: the core unwinds through the swap router) ...
FLASHSWAP_MINT = "flashswap_mint"
# ... or a Balancer flash swap of WETH for the LRT, both ways (leverage and deleverage).
BALANCER_FLASH = "balancer_flash"
HANDLER_KINDS = (FLASHSWAP_MINT, BALANCER_FLASH)


@dataclass(frozen=True)
class LeverageFacts:
    """How the market's handler levers: its published interface, its family and functions."""

    handler: str  # the handler's published interface name
    kind: str  # FLASHSWAP_MINT or BALANCER_FLASH
    lever: str  # the handler's flash-leverage function
    delever: str | None = None  # its flash-deleverage function; None: unwind through the router
    close: str = "repayFullAndWithdraw"  # repays all debt, then withdraws (IonHandlerBase)

    def __post_init__(self) -> None:
        if self.kind not in HANDLER_KINDS:
            raise ValueError(f"unknown handler kind {self.kind!r} (known: {HANDLER_KINDS})")


@dataclass(frozen=True)
class YieldFacts:
    """The token's yield in ETH terms (an APR): assumed, or read by `source` when it can be."""

    apr: Decimal
    label: str  # where the figure comes from, as the preview shows it
    source: Callable[[AdapterContext], Decimal] | None = None


@dataclass(frozen=True)
class MarketFacts:
    """Ion's market for the token on mainnet: published addresses (None: unknown)."""

    base: str  # the base asset's symbol
    pool: str | None = None
    gem_join: str | None = None
    handler: str | None = None
    reserve_oracle: str | None = None
    spot_oracle: str | None = None
    liquidation: str | None = None
    unsure: frozenset[str] = frozenset()  # fields the sources did not settle


@dataclass(frozen=True)
class ContractFiles:
    """A plugin's own contracts, as package data of `package` (the top-level package its entry
    point names), in fixed folders so that the core finds them from metadata alone:
    `contracts/` (.sol sources: stand-ins, handler and reserve-oracle variants), `artifacts/`
    (what `make artifacts` compiles them into) and `abi/` (published interfaces in the format of
    ion_cli/abi/published: signatures, not ABI JSON). `token_interface` names the token's
    published interface and `interfaces` maps the deployment file's `tokens.SYMBOL.contracts`
    keys to theirs (for the selector guard)."""

    package: str
    token_interface: str | None = None
    interfaces: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ConformanceHooks:
    """How the conformance kit (ion_cli.testing.conformance) reads and moves the rate of the
    token's devnet stand-in, independently of the adapter's own `exchange_rate`.

    `read_rate(devnet, token)` and `set_rate(devnet, token, rate)` take the test's devnet handle
    and the deployment file's `tokens.SYMBOL` entry; `ion_cli.testing.conformance` has the
    helpers they need (`read`, `admin_send`)."""

    read_rate: Callable[[Any, Mapping[str, Any]], int]
    set_rate: Callable[[Any, Mapping[str, Any], int], None]
