"""The devnet's markets: every one is an adapter's (adapter API v2 `devnet` recipes).

A recipe deploys its token's stand-ins through a `RecipeWorld` (the admin's batch, the shared
tokens) with the outside world (`deploy_stand_ins`: before the swap router and quoter, which
index its LRT/wstETH unwind pool, and before the Balancer-style vault, which holds its `pools`); the
deployer later builds the market around them with one sequence for every market
(`deploy.deploy_market`): pool, join, risk feed with the recipe's credential source (else a
registry), the recipe's reserve oracle, spot oracle, Liquidation, the recipe's handler. The dev
account gets the token, the unwind pool both sides, the admin the base asset it lends, and the
deployment file `tokens.SYMBOL` (with the validators the beacon chain gives it) and
`markets.SYMBOL`. Markets come in the recipes' `deploy_order`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ion_cli.devnet import params, validators
from ion_cli.devnet.params import WAD, MarketParams
from ion_cli.devnet.recipe_adapters import recipe_adapters
from ion_cli.devnet.txbatch import DeployError, TxBatch


@dataclass(frozen=True)
class MarketPieces:
    """What one market is built around: its tokens, how its risk feed reads withdrawal
    credentials (a deploy run at that point of the sequence), and its reserve oracle and
    handler (contract, arguments after the common ones)."""

    lrt: str
    base: str
    credentials: Callable[[], tuple[str, str]]
    reserve_oracle: tuple[str, tuple[Any, ...]]
    handler: tuple[str, tuple[Any, ...]]
    unwind_pool: str | None = None


BuildMarket = Callable[[MarketParams, MarketPieces], dict[str, Any]]


class RecipeWorld:
    """The `DevnetWorld` a recipe deploys through (ion_cli.adapter_api.devnet)."""

    def __init__(self, tx: TxBatch, admin: str, dev: str, shared: Mapping[str, str]) -> None:
        self.tx = tx
        self.admin = admin
        self.dev = dev
        self._shared = dict(shared)

    def deploy(self, contract: str, *args: Any, value: int = 0) -> str:
        if value:
            raise DeployError(f"{contract}: the devnet deployer sends no ETH with a deployment")
        return self.tx.deploy(contract, *args)

    def call(self, address: str, contract: str, function: str, *args: Any, value: int = 0) -> None:
        self.tx.call(address, contract, function, *args, value=value)

    def shared(self, name: str) -> str:
        if name not in self._shared:
            known = ", ".join(sorted(self._shared))
            raise DeployError(f"no shared devnet contract {name!r} (known: {known})")
        return self._shared[name]

    def flashswap_args(self) -> tuple[str, str, str]:
        s = self._shared
        return (s["uniswap_wsteth_weth_pool"], s["wsteth"], s["weth"])


class RecipeRestakingWorld(RecipeWorld):
    """The `RestakingWorld` a recipe's `restaking` hook deploys through."""

    def __init__(
        self,
        tx: TxBatch,
        admin: str,
        dev: str,
        shared: Mapping[str, str],
        operators: Mapping[str, str],
    ) -> None:
        super().__init__(tx, admin, dev, shared)
        self._operators = dict(operators)

    def operator(self, key: str) -> str:
        if key not in self._operators:
            raise DeployError(f"no devnet operator {key!r} (known: {', '.join(self._operators)})")
        return self._operators[key]


def restaking_stakers(
    tx: TxBatch,
    shared: Mapping[str, str],
    operators: Mapping[str, str],
    brought: Sequence[BroughtStandIns],
) -> list[tuple[str, Any]]:
    """(symbol, DevnetStakers) of every recipe with a `restaking` hook, deployed now
    (the restaking world's EigenLayer stand-ins are in `shared`)."""
    world = RecipeRestakingWorld(tx, tx.sender, _dev(), shared, operators)
    found = []
    for item in brought:
        hook = getattr(item.adapter.devnet, "restaking", None)
        if hook is not None:
            found.append((str(item.adapter.symbol), hook(world, item.stand_ins)))
    return found


@dataclass(frozen=True)
class BroughtStandIns:
    """A recipe's stand-ins, deployed with the outside world, and its unwind pool."""

    adapter: Any
    stand_ins: Any  # ion_cli.adapter_api.devnet.StandIns
    unwind_pool: str | None


def market_params(adapter: Any, unwind_pool: bool | None = None) -> MarketParams:
    """The market a recipe asks for, in the deployer's terms."""
    m = adapter.devnet.market
    wants_pool = m.base == "wstETH" and bool(m.unwind_pool)
    return MarketParams(
        str(adapter.symbol), m.base, m.ltv, m.liquidation_threshold, m.target_health,
        m.dust_tokens, wants_pool if unwind_pool is None else unwind_pool, rate=m.rate,
    )  # fmt: skip


def devnet_markets() -> dict[str, MarketParams]:
    """Every market the devnet deploys (the installed recipes'), in deployment order."""
    return {str(a.symbol): market_params(a) for a in recipe_adapters()}


def deploy_stand_ins(tx: TxBatch, shared: Mapping[str, str]) -> list[BroughtStandIns]:
    """Deploy every recipe's stand-ins (the world it sees holds the shared tokens only) and, for
    a wstETH market that wants one, its LRT/wstETH unwind pool at the starting reserve rate.
    Nothing is deployed when no installed adapter brings a recipe."""
    admin, dev = tx.sender, _dev()
    world = RecipeWorld(tx, admin, dev, shared)
    brought = []
    for adapter in recipe_adapters():
        symbol, recipe = str(adapter.symbol), adapter.devnet
        m = recipe.market
        if m.base not in ("wstETH", "WETH"):
            raise DeployError(f"{symbol}: the devnet lends wstETH or WETH, not {m.base!r}")
        stand = recipe.stand_ins(world)
        pool = None
        if m.base == "wstETH" and m.unwind_pool:
            rate = params.in_wsteth(m.rate)  # wstETH per LRT
            pool = tx.deploy(
                "DevUniswapV3Pool", stand.token, shared["wsteth"], params.UNISWAP_FEE, rate
            )
        brought.append(BroughtStandIns(adapter, stand, pool))
    return brought


@dataclass(frozen=True)
class VaultPool:
    """A recipe's pool in the devnet's Balancer-style vault, and the stand-ins it trades."""

    pool: Any  # ion_cli.adapter_api.devnet.DevnetPool
    brought: BroughtStandIns

    def spec(self, shared: Mapping[str, str]) -> tuple[bytes, str, str, int, int]:
        """DevBalancerVault's constructor entry: (pool id, token, pair token, price, fee)."""
        p = self.pool
        return (
            bytes.fromhex(p.pool_id.removeprefix("0x")),
            p.token,
            shared[p.pair],
            p.price,
            p.fee,
        )


def vault_pools(
    tx: TxBatch, shared: Mapping[str, str], brought: list[BroughtStandIns]
) -> list[VaultPool]:
    """Every brought recipe's Balancer-style pools (its optional `pools` hook)."""
    world = RecipeWorld(tx, tx.sender, _dev(), shared)
    found = []
    for item in brought:
        hook = getattr(item.adapter.devnet, "pools", None)
        for pool in hook(world, item.stand_ins) if hook is not None else ():
            if pool.pair not in ("weth", "wsteth"):
                symbol = item.adapter.symbol
                raise DeployError(
                    f"{symbol}: a vault pool pairs with weth or wsteth, not {pool.pair!r}"
                )
            found.append(VaultPool(pool, item))
    return found


def deploy_markets(
    tx: TxBatch,
    shared: Mapping[str, str],
    build_market: BuildMarket,
    brought: list[BroughtStandIns],
    say: Callable[[str], None],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Fund and build every recipe's market: (markets, tokens) of the deployment file."""
    admin, dev = tx.sender, _dev()
    world = RecipeWorld(tx, admin, dev, shared)
    markets: dict[str, Any] = {}
    tokens: dict[str, Any] = {}
    for item in brought:
        adapter, stand = item.adapter, item.stand_ins
        symbol, recipe = str(adapter.symbol), adapter.devnet
        m = recipe.market
        say(f"deploying the {symbol}/{m.base} market")
        tx.call(stand.token, stand.token_contract, "mint", dev, params.DEV_FUNDING * WAD)
        if item.unwind_pool:
            side = params.UNWIND_POOL_SIDE * WAD
            tx.call(stand.token, stand.token_contract, "mint", item.unwind_pool, side)
            tx.call(shared["wsteth"], "WstEth", "mint", item.unwind_pool, side)
        seed = params.LENDER_SEED * WAD
        if m.base == "WETH":
            tx.call(shared["weth"], "WETH9", "deposit", value=seed)
        else:
            tx.call(shared["wsteth"], "WstEth", "mint", admin, seed)
        pieces = MarketPieces(
            lrt=stand.token,
            base=shared["weth" if m.base == "WETH" else "wsteth"],
            credentials=_credentials(tx, world, recipe, stand),
            reserve_oracle=recipe.reserve_oracle(world, stand),
            handler=recipe.handler(world, stand),
            unwind_pool=item.unwind_pool,
        )
        markets[symbol] = build_market(market_params(adapter, item.unwind_pool is not None), pieces)
        spec = m.validators
        tokens[symbol] = {
            "address": stand.token,
            "decimals": int(adapter.decimals),
            "contracts": dict(stand.contracts),
            "withdrawal_credentials": validators.credentials_of(
                symbol, spec.pods, tuple(spec.prefixes)
            ),
            "validators_per_credential": spec.per_credential,
        }
    return markets, tokens


def _credentials(
    tx: TxBatch, world: RecipeWorld, recipe: Any, stand: Any
) -> Callable[[], tuple[str, str]]:
    """The recipe's credential source, else a registry the core fills."""
    hook = getattr(recipe, "credentials", None)
    if hook is None:
        return lambda: (tx.deploy("CredentialRegistry", world.admin), "registry")
    return lambda: tuple(hook(world, stand))


def _dev() -> str:
    from ion_cli.devnet import deployment as dep

    return dep.DEV_ACCOUNT_ADDRESS
