"""The devnet's deployment file (<devnet_dir>/deployment.json): what was deployed where.

A neutral module (standard library only): the network profiles, the accounts and the adapters
read this file without importing the devnet package, which starts and deploys the devnet.
`ion_cli.devnet.deployment` re-exports it for the devnet's own code.

Other modules (markets, flows, tests) code against this format; keep it stable and extend it
only by adding keys. Every address is a checksummed string. The loader turns a missing or
damaged file into one clear IonError instead of a KeyError deep in a flow.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ion_cli.errors import DevnetNotRunning, UsageError
from ion_cli.paths import devnet_dir

VERSION = 1
FILE_NAME = "deployment.json"

# anvil's well-known development accounts (mnemonic "test test ... junk"). Public test keys,
# printed by every anvil start: not secrets, and worthless on any real network.
DEV_ACCOUNT_ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"  # account 0: the user `dev`
DEV_ACCOUNT_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
ADMIN_ADDRESS = "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720"  # account 9: deployer and admin
ADMIN_KEY = "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6"


class DeploymentFileError(UsageError):
    """The deployment file exists but cannot be used."""


@dataclass(frozen=True)
class SharedContracts:
    whitelist: str
    lens: str
    interest_rate: str
    weth: str
    steth: str
    wsteth: str
    uniswap_wsteth_weth_pool: str
    weth_flash_pool: str
    balancer_vault: str
    # (a market's own venue facts, such as a Balancer pool id, stay in the raw document)
    # SwapRouter02- and QuoterV2-style stand-ins over the devnet's Uniswap-style pools (absent
    # from deployments made before they existed).
    uniswap_swap_router: str | None = None
    uniswap_quoter: str | None = None


@dataclass(frozen=True)
class MarketDeployment:
    name: str
    collateral: str
    base: str
    collateral_token: str
    base_token: str
    ilk_index: int
    pool: str
    gem_join: str
    handler: str
    reserve_oracle: str
    spot_oracle: str
    price_feed: str
    liquidation: str
    unwind_pool: str | None
    risk_feed: str | None = None  # the ReserveOracle's FEED0 (zk risk proofs); absent before


@dataclass(frozen=True)
class ZkDeployment:
    """The risk-proof contracts: the shared Halo2 verifier and what the feeds were built for."""

    verifier: str
    model_hash: str
    beacon_genesis_time: int
    max_slot_age: int


@dataclass(frozen=True)
class TokenDeployment:
    symbol: str
    address: str
    decimals: int = 18
    contracts: Mapping[str, str] = field(default_factory=dict)
    withdrawal_credentials: tuple[str, ...] = ()
    validators_per_credential: int = 0


@dataclass(frozen=True)
class Deployment:
    version: int
    chain_id: int
    rpc_url: str
    block: int
    deployed_at: int
    admin: str
    dev_account: str
    shared: SharedContracts
    markets: Mapping[str, MarketDeployment]
    tokens: Mapping[str, TokenDeployment]
    zk: ZkDeployment | None = None
    raw: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)

    # Read-only mapping access to the raw document (`d["tokens"]["weETH"]["address"]`), for
    # code and tests that walk the JSON rather than the typed fields.
    def __getitem__(self, key: str) -> Any:
        return self.raw[key]

    def __contains__(self, key: object) -> bool:
        return key in self.raw

    def get(self, key: str, default: Any = None) -> Any:
        return self.raw.get(key, default)

    def keys(self) -> Any:
        return self.raw.keys()

    def market(self, name: str) -> MarketDeployment:
        """A market by collateral symbol, case-insensitive (`weeth` finds `weETH`)."""
        for key, market in self.markets.items():
            if key.lower() == name.lower():
                return market
        known = ", ".join(self.markets)
        raise UsageError(f"unknown devnet market {name!r} (known: {known})")

    def token(self, symbol: str) -> TokenDeployment:
        for key, token in self.tokens.items():
            if key.lower() == symbol.lower():
                return token
        raise UsageError(f"unknown devnet token {symbol!r} (known: {', '.join(self.tokens)})")

    def addresses(self) -> list[str]:
        """Every contract address of the deployment (to check that the node still has them)."""
        found = [v for v in vars(self.shared).values() if v is not None]
        for market in self.markets.values():
            found += [
                market.pool,
                market.gem_join,
                market.handler,
                market.reserve_oracle,
                market.spot_oracle,
                market.price_feed,
                market.liquidation,
            ]
            if market.unwind_pool:
                found.append(market.unwind_pool)
            if market.risk_feed:
                found.append(market.risk_feed)
        if self.zk is not None:
            found.append(self.zk.verifier)
        for token in self.tokens.values():
            found.append(token.address)
            found += list(token.contracts.values())
        return list(dict.fromkeys(found))

    def with_rpc_url(self, rpc_url: str) -> Deployment:
        raw = dict(self.raw)
        raw["rpc_url"] = rpc_url
        return parse(raw)

    def to_json(self) -> dict[str, Any]:
        return dict(self.raw)


def path(directory: Path | None = None) -> Path:
    return (directory or devnet_dir()) / FILE_NAME


def _req(data: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise ValueError(f"{where} has no {key!r}")
    return data[key]


def _address(data: Mapping[str, Any], key: str, where: str) -> str:
    value = _req(data, key, where)
    if not (isinstance(value, str) and value.startswith("0x") and len(value) == 42):
        raise ValueError(f"{where}.{key} is not an address: {value!r}")
    return value


def _market(name: str, data: Mapping[str, Any]) -> MarketDeployment:
    where = f"markets.{name}"
    unwind = data.get("unwind_pool")
    risk_feed = data.get("risk_feed")
    return MarketDeployment(
        name=name,
        collateral=str(_req(data, "collateral", where)),
        base=str(_req(data, "base", where)),
        collateral_token=_address(data, "collateral_token", where),
        base_token=_address(data, "base_token", where),
        ilk_index=int(_req(data, "ilk_index", where)),
        pool=_address(data, "pool", where),
        gem_join=_address(data, "gem_join", where),
        handler=_address(data, "handler", where),
        reserve_oracle=_address(data, "reserve_oracle", where),
        spot_oracle=_address(data, "spot_oracle", where),
        price_feed=_address(data, "price_feed", where),
        liquidation=_address(data, "liquidation", where),
        unwind_pool=_address(data, "unwind_pool", where) if unwind is not None else None,
        risk_feed=_address(data, "risk_feed", where) if risk_feed is not None else None,
    )


def _zk(data: Mapping[str, Any] | None) -> ZkDeployment | None:
    if data is None:
        return None
    return ZkDeployment(
        verifier=_address(data, "verifier", "zk"),
        model_hash=str(_req(data, "model_hash", "zk")),
        beacon_genesis_time=int(_req(data, "beacon_genesis_time", "zk")),
        max_slot_age=int(_req(data, "max_slot_age", "zk")),
    )


def _token(symbol: str, data: Mapping[str, Any]) -> TokenDeployment:
    where = f"tokens.{symbol}"
    contracts = data.get("contracts") or {}
    return TokenDeployment(
        symbol=symbol,
        address=_address(data, "address", where),
        decimals=int(data.get("decimals", 18)),
        contracts={k: _address(contracts, k, f"{where}.contracts") for k in contracts},
        withdrawal_credentials=tuple(str(c) for c in data.get("withdrawal_credentials", [])),
        validators_per_credential=int(data.get("validators_per_credential", 0)),
    )


def _table(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = _req(data, key, "document")
    if not isinstance(value, Mapping) or not value:
        raise ValueError(f"{key!r} must be a non-empty object keyed by symbol, not {value!r:.40}")
    for name, item in value.items():
        if not isinstance(item, Mapping):
            raise ValueError(f"{key}.{name} must be an object")
    return value


def parse(data: Mapping[str, Any]) -> Deployment:
    """Build the typed view of a deployment document; ValueError names the first bad field."""
    if not isinstance(data, Mapping):
        raise ValueError("the document is not a JSON object")
    version = int(_req(data, "version", "document"))
    if version != VERSION:
        raise ValueError(f"version {version} is not supported (expected {VERSION})")
    shared_raw = _req(data, "shared", "document")
    optional = {"uniswap_swap_router", "uniswap_quoter"}
    shared = SharedContracts(
        **{
            name: _address(shared_raw, name, "shared")
            for name in SharedContracts.__dataclass_fields__
            if name not in optional or shared_raw.get(name) is not None
        },
    )
    markets = {k: _market(k, v) for k, v in _table(data, "markets").items()}
    tokens = {k: _token(k, v) for k, v in _table(data, "tokens").items()}
    return Deployment(
        version=version,
        chain_id=int(_req(data, "chain_id", "document")),
        rpc_url=str(_req(data, "rpc_url", "document")),
        block=int(_req(data, "block", "document")),
        deployed_at=int(_req(data, "deployed_at", "document")),
        admin=_address(data, "admin", "document"),
        dev_account=_address(data, "dev_account", "document"),
        shared=shared,
        markets=markets,
        tokens=tokens,
        zk=_zk(data.get("zk")),
        raw=dict(data),
    )


def load(directory: Path | None = None) -> Deployment:
    """The deployment of the devnet in `directory` (default: ION_DEVNET_DIR or the data dir)."""
    file = path(directory)
    if not file.exists():
        raise DevnetNotRunning(f"no devnet deployment at {file}: run `ion devnet up`")
    from ion_cli.atomic import check_nesting, read_text_bounded

    text = read_text_bounded(file, "devnet deployment file")
    check_nesting(file, text, "devnet deployment file")
    try:
        data = json.loads(text)
        return parse(data)
    except (OSError, ValueError, TypeError, AttributeError, RecursionError) as exc:
        raise DeploymentFileError(
            f"corrupt devnet deployment file {file} ({exc}): run `ion devnet reset`"
        ) from None


def exists(directory: Path | None = None) -> bool:
    return path(directory).exists()


def save(data: Mapping[str, Any], directory: Path | None = None) -> Path:
    """Validate and write atomically (a crash mid-write must not leave a corrupt file)."""
    parse(data)
    from ion_cli.atomic import write_atomic

    return write_atomic(path(directory), json.dumps(data, indent=2) + "\n")


def remove(directory: Path | None = None) -> None:
    path(directory).unlink(missing_ok=True)
