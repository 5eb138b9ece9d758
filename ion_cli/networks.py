"""Network profiles: a chain id and the Ion deployment (per market: pool, join, handler,
oracles, liquidation; plus the shared lens and whitelist), keyed by collateral symbol.

Token facts (addresses, rates, mint paths) belong to the adapters; the collateral and base
token of a market are read from its pool on chain. Profiles: `devnet` (from the running
devnet's deployment file), `mainnet` (published addresses; unknown ones are None and a command
that needs one says so), and custom profiles from the config file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ion_cli import chain_ids
from ion_cli.addresses import is_address
from ion_cli.config import Config
from ion_cli.errors import UsageError

MARKET_FIELDS = (
    "pool",
    "gem_join",
    "handler",
    "reserve_oracle",
    "spot_oracle",
    "liquidation",
    "risk_feed",
)
FIELD_LABELS = {
    "pool": "IonPool",
    "gem_join": "GemJoin",
    "handler": "handler",
    "reserve_oracle": "reserve oracle",
    "spot_oracle": "spot oracle",
    "liquidation": "Liquidation",
    "risk_feed": "risk feed",
    "lens": "IonLens",
    "whitelist": "Whitelist",
}


@dataclass(frozen=True)
class MarketAddresses:
    symbol: str
    base_symbol: str
    ilk_index: int = 0
    pool: str | None = None
    gem_join: str | None = None
    handler: str | None = None
    reserve_oracle: str | None = None
    spot_oracle: str | None = None
    liquidation: str | None = None
    # the zk RiskFeed the reserve oracle reads (the devnet's FEED0); no mainnet market has one
    risk_feed: str | None = None
    # fields whose published address is not certain: shown with a warning, never guessed
    unsure: frozenset[str] = frozenset()


@dataclass(frozen=True)
class NetworkProfile:
    name: str
    chain_id: int
    rpc_url: str | None
    markets: Mapping[str, MarketAddresses]
    lens: str | None = None
    whitelist: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def market(self, symbol: str) -> MarketAddresses:
        """The market whose collateral symbol is `symbol`, case-insensitive."""
        for key, market in self.markets.items():
            if key.lower() == symbol.strip().lower():
                return market
        known = ", ".join(self.markets) or "none"
        raise UsageError(f"unknown market '{symbol}' on {self.name} (markets: {known})")

    def address(self, market: MarketAddresses, field_name: str) -> str:
        value = getattr(market, field_name)
        if not value:
            label = FIELD_LABELS.get(field_name, field_name)
            raise UsageError(
                f"the {market.symbol} market's {label} address is unknown on {self.name}: "
                f"set networks.{self.name}.markets.{market.symbol}.{field_name} in config.toml"
            )
        return str(value)

    def shared(self, field_name: str) -> str:
        value = getattr(self, field_name)
        if not value:
            raise UsageError(f"the {FIELD_LABELS[field_name]} address is unknown on {self.name}")
        return str(value)


# Ion's published protocol-level mainnet addresses (../shared/docs/ion-protocol.md); each
# market's addresses are its adapter's fact (`mainnet_market`, API v2).
MAINNET_LENS = "0xe89AF12af000C4f76a57A3aD16ef8277a727DC81"
MAINNET_WHITELIST = "0x7E317f99aA313669AaCDd8dB3927ff3aCB562dAD"


def mainnet_profile() -> NetworkProfile:
    """Mainnet: the shared contracts, and a market per installed adapter that knows Ion's
    market for its token (None = unknown; `unsure` marks addresses the sources did not settle)."""
    from ion_cli.adapters import MarketFacts
    from ion_cli.plugins_registry import adapters

    markets: dict[str, MarketAddresses] = {}
    for adapter in adapters().values():
        facts = getattr(adapter, "mainnet_market", None)
        if not isinstance(facts, MarketFacts):
            continue
        symbol = str(adapter.symbol)
        markets[symbol] = MarketAddresses(
            symbol=symbol,
            base_symbol=facts.base,
            **{f: getattr(facts, f) for f in MARKET_FIELDS if hasattr(facts, f)},
            unsure=frozenset(facts.unsure),
        )
    return NetworkProfile(
        name="mainnet",
        chain_id=chain_ids.MAINNET,
        rpc_url=None,
        lens=MAINNET_LENS,
        whitelist=MAINNET_WHITELIST,
        markets=markets,
    )


def __getattr__(name: str) -> NetworkProfile:
    # `MAINNET` stays importable; it is built from the installed adapters when first asked for
    if name == "MAINNET":
        return mainnet_profile()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


DEVNET_CHAIN_ID = chain_ids.DEVNET


def devnet_profile(config: Config | None = None) -> NetworkProfile:
    """The profile of the local devnet, read from its deployment file; on a fork
    (`ion devnet up --fork-url`), the forked chain's profile at the local node's URL."""
    from ion_cli import fork_record
    from ion_cli.deployment import load
    from ion_cli.paths import devnet_dir

    forked = fork_record.load(devnet_dir())
    if forked is not None and forked.profile != "devnet":
        return _fork_profile(forked, config)
    return profile_from_deployment("devnet", load().raw)


def _fork_profile(forked: Any, config: Config | None) -> NetworkProfile:
    """The devnet forks another chain: its profile's addresses, the local node's URL."""

    if forked.profile is None:
        raise UsageError(
            f"the devnet is a fork of chain id {forked.chain_id}, which no profile describes: "
            "add [networks.NAME] with that chain_id and the markets' addresses to the config"
        )
    from ion_cli.config import load_config

    networks = (config or load_config()).networks
    if forked.profile in networks:  # a configured network (or [networks.mainnet] amendments)
        base = _custom_profile(forked.profile, networks[forked.profile])
    elif forked.profile == "mainnet":
        base = mainnet_profile()
    else:
        raise UsageError(f"the devnet forks network '{forked.profile}', no longer configured")
    return replace(
        base,
        name="devnet",
        chain_id=forked.chain_id,
        rpc_url=forked.rpc_url or None,
        extra={**base.extra, "fork": forked.to_json()},
    )


def profile_from_deployment(name: str, deployment: Mapping[str, Any]) -> NetworkProfile:
    markets = {
        symbol: MarketAddresses(
            symbol=symbol,
            base_symbol=str(m.get("base", "")),
            ilk_index=int(m.get("ilk_index", 0)),
            **{f: m.get(f) for f in MARKET_FIELDS},
        )
        for symbol, m in deployment.get("markets", {}).items()
    }
    shared = deployment.get("shared", {})
    return NetworkProfile(
        name=name,
        chain_id=int(deployment["chain_id"]),
        rpc_url=deployment.get("rpc_url"),
        markets=markets,
        lens=shared.get("lens"),
        whitelist=shared.get("whitelist"),
        extra={"deployment": deployment},
    )


def _check_profile_types(name: str, raw: object) -> None:
    """Wrong types in a profile are the user's mistake: one clear line, never a traceback."""
    where = f"network '{name}' in the config file"
    if not isinstance(raw, Mapping):
        raise UsageError(f"{where} must be a table ([networks.{name}])")
    chain_id = raw.get("chain_id")
    if chain_id is not None and (isinstance(chain_id, bool) or not isinstance(chain_id, int)):
        raise UsageError(f"{where}: chain_id must be an integer such as 1, not {chain_id!r}")
    for key in ("base", "rpc_url", "lens", "whitelist"):
        if key in raw and not isinstance(raw[key], str):
            raise UsageError(f"{where}: {key} must be a string")
    for key in ("lens", "whitelist"):
        if key in raw and not is_address(raw[key]):
            raise UsageError(f"{where}: {key} is not an address: {raw[key]!r}")
    markets = raw.get("markets", {})
    if not isinstance(markets, Mapping):
        raise UsageError(f"{where}: markets must be a table of markets")
    for symbol, fields in markets.items():
        if not isinstance(fields, Mapping):
            raise UsageError(f"{where}: markets.{symbol} must be a table of addresses")
        for f in MARKET_FIELDS:
            value = fields.get(f)
            if f in fields and not is_address(value):
                raise UsageError(f"{where}: markets.{symbol}.{f} is not an address: {value!r}")


def _custom_profile(name: str, raw: Mapping[str, Any]) -> NetworkProfile:
    _check_profile_types(name, raw)
    # [networks.mainnet] (or devnet) without a base amends the built-in profile of that name:
    # that is where a missing mainnet address is supplied
    base_name = raw.get("base", name if name in ("mainnet", "devnet") else None)
    if base_name == "mainnet":
        base = mainnet_profile()
    elif base_name == "devnet":
        base = devnet_profile()
    elif base_name is None:
        base = NetworkProfile(name=name, chain_id=0, rpc_url=None, markets={})
    else:
        raise UsageError(f"network '{name}': unknown base profile '{base_name}'")
    if "chain_id" not in raw and base_name is None:
        raise UsageError(f"network '{name}' in the config file needs a chain_id")
    markets = dict(base.markets)
    for symbol, fields in raw.get("markets", {}).items():
        current = markets.get(symbol) or MarketAddresses(
            symbol=symbol, base_symbol=str(fields.get("base", ""))
        )
        updates = {f: fields[f] for f in MARKET_FIELDS if f in fields}
        unsure = current.unsure - set(updates)
        markets[symbol] = replace(current, unsure=unsure, **updates)
    return NetworkProfile(
        name=name,
        chain_id=int(raw.get("chain_id", base.chain_id)),
        rpc_url=raw.get("rpc_url", base.rpc_url),
        markets=markets,
        lens=raw.get("lens", base.lens),
        whitelist=raw.get("whitelist", base.whitelist),
        extra=base.extra,
    )


def network_names(config: Config) -> list[str]:
    return [
        "devnet",
        "mainnet",
        *sorted(n for n in config.networks if n not in ("devnet", "mainnet")),
    ]


def resolve_network(name: str | None, config: Config) -> NetworkProfile:
    """The profile named on the command line, else the config's default, else `devnet`:
    nothing goes to mainnet unless the user asks for it. `config` is read once by the caller."""
    chosen = name or config.default_network or "devnet"
    if chosen in config.networks:
        return _custom_profile(chosen, config.networks[chosen])
    if chosen == "devnet":
        return devnet_profile(config)
    if chosen == "mainnet":
        return mainnet_profile()
    raise UsageError(f"unknown network '{chosen}' (known: {', '.join(network_names(config))})")
