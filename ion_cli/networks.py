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


# Published mainnet addresses (../shared/docs/ion-protocol.md). None = unknown; `unsure` marks
# handler addresses that the deployment files did not settle.
MAINNET = NetworkProfile(
    name="mainnet",
    chain_id=chain_ids.MAINNET,
    rpc_url=None,
    lens="0xe89AF12af000C4f76a57A3aD16ef8277a727DC81",
    whitelist="0x7E317f99aA313669AaCDd8dB3927ff3aCB562dAD",
    markets={
        "weETH": MarketAddresses(
            symbol="weETH",
            base_symbol="wstETH",
            pool="0x0000000000eaEbd95dAfcA37A39fd09745739b78",
            gem_join="0x3f6119B0328C27190bE39597213ea1729f061876",
            handler="0xAB3c6236327FF77159B37f18EF85e8AC58034479",
            unsure=frozenset({"handler"}),
        ),
        "rsETH": MarketAddresses(
            symbol="rsETH",
            base_symbol="wstETH",
            pool="0x0000000000E33e35EE6052fae87bfcFac61b1da9",
            gem_join="0x3bC3AC09d1ee05393F2848d82cb420f347954432",
            handler="0x335FBFf118829Aa5ef0ac91196C164538A21a45A",
            reserve_oracle="0x0B9f60091F59cFfA2f28f92E03090C21B70A4a24",
            spot_oracle="0xdb9E3f249a7EDfB49F461D34893b460494deFBE0",
            liquidation="0x00000000009dcfc65Db1b3E209988C7B7846Fe87",
            unsure=frozenset({"handler"}),
        ),
        "rswETH": MarketAddresses(
            symbol="rswETH",
            base_symbol="wstETH",
            pool="0x00000000007C8105548f9d0eE081987378a6bE93",
            gem_join="0xD696f9EA3299113324B9065ab19b70758256cf16",
            handler="0x5039eEe75BA0cC3Ca41c654864303951798ff0D4",
            reserve_oracle="0xAAa88236D483f08003493adbbf451373992f2f58",
            spot_oracle="0x5A066feC3077a29653eEA14E3B04bad9AE422D70",
            liquidation="0x0000000000471A3b87706d651C7C9e645c5c0d16",
        ),
        "ezETH": MarketAddresses(
            symbol="ezETH",
            base_symbol="WETH",
            pool="0x00000000008a3A77bd91bC738Ed2Efaa262c3763",
            gem_join="0xe3692b2E55Eb2494cA73610c3b027F53815CCD39",
            reserve_oracle="0x3239396B740cD6BBABb42196A03f7B77fA7102C9",
            spot_oracle="0x08fEDD981732c2a0EceCd4c70a41eA3AC454A6FD",
            liquidation="0x0000000000d8858E1A9B373582A691dB992C23CA",
        ),
    },
)

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
        base = MAINNET
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
        base = MAINNET
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
        return MAINNET
    raise UsageError(f"unknown network '{chosen}' (known: {', '.join(network_names(config))})")
