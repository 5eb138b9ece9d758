"""Deploy the reference Ion deployment and its stand-in outside world onto an anvil node.

Everything comes from anvil account 9 (the admin), in three phases: the outside world (tokens,
mint contracts, swap venues, funding), the shared protocol contracts, then one market at a time.
The result is the deployment document (see `deployment.py` for the format).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ion_cli.devnet import deployment as dep
from ion_cli.devnet import node, params, recipes, validators
from ion_cli.devnet.params import WAD, MarketParams
from ion_cli.devnet.recipes import MarketPieces, Prepared
from ion_cli.devnet.txbatch import ZERO_ADDRESS, DeployError, TxBatch, create_address
from ion_cli.errors import NodeError

# Balancer's layout: pool address (20 bytes), specialization (2), nonce (10); made up here.
EZETH_BALANCER_POOL_ID = "0x" + "e2e7" * 10 + "0000" + "00000000000000000001"

HANDLERS = {"weETH": "WeEthHandler"}
RESERVE_ORACLES = {
    "weETH": "WeEthWstEthReserveOracle",
    "ezETH": "EzEthWethReserveOracle",
}

Progress = Callable[[str], None]


def _role(name: str) -> bytes:
    from eth_utils.crypto import keccak

    return bytes(keccak(text=name))


@dataclass
class World:
    """Addresses of the outside-world stand-ins."""

    weth: str
    steth: str
    wsteth: str
    eeth: str
    liquidity_pool: str
    weeth: str
    ezeth: str
    restake_manager: str
    renzo_oracle: str
    uniswap_wsteth_weth: str
    weth_flash_pool: str
    balancer_vault: str
    unwind_pools: dict[str, str]
    swap_router: str
    quoter: str
    # the markets adapters bring (their recipes' stand-ins and unwind pools, deployed with the
    # outside world so that the router and quoter index their pools)
    brought: list[Prepared] = field(default_factory=list)

    def token(self, symbol: str) -> str:
        return {
            "WETH": self.weth,
            "wstETH": self.wsteth,
            "weETH": self.weeth,
            "ezETH": self.ezeth,
        }[symbol]


def _tokens(tx: TxBatch, admin: str) -> World:
    weth = tx.deploy("WETH9")
    steth = tx.deploy("StEth", admin)
    wsteth = tx.deploy("WstEth", steth, admin)
    eeth = tx.deploy("EEth", admin)
    liquidity_pool = tx.deploy("EtherFiLiquidityPool", eeth, admin)
    weeth = tx.deploy("WeEth", eeth, liquidity_pool, admin)
    ezeth = tx.deploy("EzEth", admin)
    restake_manager = tx.deploy("RestakeManager", ezeth, admin)
    renzo_oracle = tx.deploy("RenzoOracle", admin)
    # The mint contracts mint their token when users pay ETH in (the tokens came first).
    tx.call(eeth, "EEth", "setLiquidityPool", liquidity_pool)
    tx.call(ezeth, "EzEth", "setMinter", restake_manager, True)
    tx.call(wsteth, "WstEth", "setStEthPerToken", params.STETH_PER_WSTETH)
    # ether.fi's totals: the stake of the weETH validators is out of the pool (its shares go to
    # the admin), then a rebase makes P / S weETH's rate, as ether.fi's oracle does.
    ether_fi = "EtherFiLiquidityPool"
    tx.call(liquidity_pool, ether_fi, "depositOutOfLp", admin, params.weeth_staked_wei())
    tx.call(liquidity_pool, ether_fi, "setRate", params.WEETH_RATE)
    tx.call(restake_manager, "RestakeManager", "setRate", params.EZETH_RATE)

    price = params.STETH_PER_WSTETH  # token1 (WETH) per token0 (wstETH), as on mainnet
    # Venues take their prices at deployment: like mainnet's, they have no price setters.
    uniswap = tx.deploy("DevUniswapV3Pool", wsteth, weth, params.UNISWAP_FEE, price)
    flash = tx.deploy("DevUniswapV3Pool", wsteth, weth, params.UNISWAP_FEE, price)
    unwind = {}
    for market in ("weETH",):
        lrt = {"weETH": weeth}[market]
        rate = params.RESERVE_RATES[market]  # wstETH per LRT
        unwind[market] = tx.deploy("DevUniswapV3Pool", lrt, wsteth, params.UNISWAP_FEE, rate)
    # The router and quoter index one pool per (pair, fee): the wstETH/WETH pool users swap
    # in (the flash pool is the ezETH handler's own) and the LRT/wstETH unwind pools.
    brought = recipes.prepare(
        tx, {"weth": weth, "steth": steth, "wsteth": wsteth}, set(params.MARKETS)
    )
    routed = [uniswap, *unwind.values(), *(b.unwind_pool for b in brought if b.unwind_pool)]
    router = tx.deploy("DevSwapRouter", routed)
    quoter = tx.deploy("DevQuoterV2", routed)
    pool_id = bytes.fromhex(EZETH_BALANCER_POOL_ID[2:])
    spec = (pool_id, ezeth, weth, params.EZETH_RATE, params.BALANCER_FEE_WAD)
    vault = tx.deploy("DevBalancerVault", [spec])
    return World(
        weth=weth,
        steth=steth,
        wsteth=wsteth,
        eeth=eeth,
        liquidity_pool=liquidity_pool,
        weeth=weeth,
        ezeth=ezeth,
        restake_manager=restake_manager,
        renzo_oracle=renzo_oracle,
        uniswap_wsteth_weth=uniswap,
        weth_flash_pool=flash,
        balancer_vault=vault,
        unwind_pools=unwind,
        brought=brought,
        swap_router=router,
        quoter=quoter,
    )


def _fund(tx: TxBatch, world: World, admin: str, dev: str) -> None:
    """Seed the swap venues, the admin's lender deposits and the `dev` account."""
    side, unwind_side = params.SWAP_POOL_SIDE * WAD, params.UNWIND_POOL_SIDE * WAD
    lender, dev_amount = params.LENDER_SEED * WAD, params.DEV_FUNDING * WAD
    weth_markets = sum(1 for m in params.MARKETS.values() if m.base == "WETH")
    wsteth_markets = len(params.MARKETS) - weth_markets
    # WETH has no owner mint: wrap real ETH (the admin's balance was raised for it).
    weth_needed = 3 * side + weth_markets * lender + dev_amount
    tx.call(world.weth, "WETH9", "deposit", value=weth_needed)

    def mint(token: str, contract: str, to: str, amount: int) -> None:
        tx.call(token, contract, "mint", to, amount)

    def send_weth(to: str, amount: int) -> None:
        tx.call(world.weth, "WETH9", "transfer", to, amount)

    for pool in (world.uniswap_wsteth_weth, world.weth_flash_pool):
        mint(world.wsteth, "WstEth", pool, side)
        send_weth(pool, side)
    lrt_contract = {"weETH": "WeEth"}
    for market, pool in world.unwind_pools.items():
        mint(world.token(market), lrt_contract[market], pool, unwind_side)
        mint(world.wsteth, "WstEth", pool, unwind_side)
    # ezETH before its reserve oracle is deployed: the oracle reads TVL / supply.
    mint(world.ezeth, "EzEth", world.balancer_vault, side)
    send_weth(world.balancer_vault, side)
    mint(world.wsteth, "WstEth", admin, wsteth_markets * lender)

    send_weth(dev, dev_amount)
    for symbol, contract in (
        ("wstETH", "WstEth"),
        ("weETH", "WeEth"),
        ("ezETH", "EzEth"),
    ):
        mint(world.token(symbol), contract, dev, dev_amount)


def _reserve_oracle_sources(market: str, world: World) -> tuple[Any, ...]:
    """The reserve oracle's arguments after the common ones: where it reads the rate."""
    return {
        "weETH": (world.weeth, world.wsteth),
        "ezETH": (world.restake_manager, world.ezeth),
    }[market]


def _handler_sources(market: str, world: World) -> tuple[Any, ...]:
    """The handler's arguments after (pool, join, whitelist): its venues and mint path."""
    if market == "ezETH":
        pool_id = bytes.fromhex(EZETH_BALANCER_POOL_ID[2:])
        return (world.weth, world.ezeth, world.weth_flash_pool, world.balancer_vault, pool_id)
    uni = (world.uniswap_wsteth_weth, world.wsteth, world.weth)
    return (*uni, world.liquidity_pool, world.weeth)


def _credential_source(tx: TxBatch, world: World, admin: str, lrt: str) -> tuple[str, str]:
    """The contract the LRT's RiskFeed reads its withdrawal credentials from: the LRT's own
    contracts where they enumerate its pods on chain (Renzo's RestakeManager, Kelp's deposit
    pool), else a registry the admin fills once the credentials are known (ether.fi, Swell)."""
    if lrt == "ezETH":
        return tx.deploy("RenzoCredentials", world.restake_manager), "contracts"
    return tx.deploy("CredentialRegistry", admin), "registry"


def _fill_registries(tx: TxBatch, markets: dict[str, Any], tokens: dict[str, Any]) -> None:
    for market in markets.values():
        if market.get("credential_source") != "registry":
            continue
        creds = tokens[market["collateral"]]["withdrawal_credentials"]
        raw = [bytes.fromhex(str(c).removeprefix("0x")) for c in creds]
        tx.call(market["credentials"], "CredentialRegistry", "add", raw)


def _risk_feed(
    tx: TxBatch, shared: dict[str, Any], admin: str, lrt: str, credentials: str, restaking: str
) -> tuple[str, str]:
    """Deploy a market's RiskFeed, reading the protocol rate from the reserve oracle deployed
    right after it (the oracle's feeds are immutable, so the feed comes first, pointed at the
    oracle's precomputed address)."""
    from ion_cli.zk.feed import DevnetFeedParams

    oracle = create_address(tx.sender, tx.nonce + 1)
    config = DevnetFeedParams(
        verifier=shared["risk_verifier"],
        rate_source=oracle,
        ilk_index=0,
        model_hash=shared["risk_model_hash"],
        lrt=lrt,
        genesis_time=shared["beacon_genesis_time"],
        credentials=credentials,
        restaking=restaking,
    )
    return tx.deploy("RiskFeed", config.config_tuple(), admin), oracle


def _market(
    tx: TxBatch, world: World, shared: dict[str, Any], m: MarketParams, admin: str
) -> dict[str, Any]:
    """One of the markets whose stand-ins the core still deploys itself (see `recipes` for the
    markets an adapter's devnet recipe brings)."""
    return deploy_market(
        tx,
        shared,
        m,
        admin,
        MarketPieces(
            lrt=world.token(m.collateral),
            base=world.token(m.base),
            credentials=lambda: _credential_source(tx, world, admin, m.collateral),
            reserve_oracle=(
                RESERVE_ORACLES[m.collateral],
                _reserve_oracle_sources(m.collateral, world),
            ),
            handler=(
                HANDLERS.get(m.collateral, "EzEthWethHandler"),
                _handler_sources(m.collateral, world),
            ),
            unwind_pool=world.unwind_pools.get(m.collateral),
        ),
    )


def deploy_market(
    tx: TxBatch, shared: dict[str, Any], m: MarketParams, admin: str, pieces: MarketPieces
) -> dict[str, Any]:
    """Deploy and configure one market (pool, join, risk feed, oracles, liquidation, handler)
    and seed its pool; the admin must hold the base asset's lender seed."""
    lrt, base = pieces.lrt, pieces.base
    base_contract = "WETH9" if m.base == "WETH" else "WstEth"
    feed = tx.deploy("MarketPriceFeed", m.reserve_rate, admin)
    pool = tx.deploy(
        "IonPool", base, admin, f"Ion {m.collateral}/{m.base}", f"i{m.base}-{m.collateral}",
        admin, shared["interest_rate"], shared["whitelist"],
    )  # fmt: skip
    # GemJoin checks the pool's ilk 0 in its constructor: initialize the ilk first.
    tx.call(pool, "IonPool", "initializeIlk", lrt)
    join = tx.deploy("GemJoin", pool, lrt, 0, admin)
    credentials, credential_source = pieces.credentials()
    # The LRT's restaking features at a pinned block (wired to EigenLayer once it is deployed).
    restaking = tx.deploy(
        "RestakingFeatures", credentials, params.RESTAKING_WINDOW_BLOCKS,
        params.RESTAKING_MAX_BLOCK_AGE, False, admin,
    )  # fmt: skip
    risk_feed, predicted = _risk_feed(tx, shared, admin, m.collateral, credentials, restaking)
    oracle_contract, oracle_args = pieces.reserve_oracle
    feeds = [risk_feed, ZERO_ADDRESS, ZERO_ADDRESS]
    # The risk feed is FEED0 and the only one counted: before its first proof it answers the
    # protocol rate, so the reserve rate is the protocol's until a proof is accepted.
    common = (0, feeds, params.RESERVE_QUORUM, params.RESERVE_MAX_CHANGE)
    reserve = tx.deploy(oracle_contract, *common, *oracle_args)
    if reserve != predicted:
        raise DeployError(f"the reserve oracle landed at {reserve}, not {predicted}")
    spot = tx.deploy("SpotOracle", m.ltv, reserve, feed, params.MAX_PRICE_AGE)
    liquidation = tx.deploy(
        "Liquidation", pool, admin, reserve, m.liquidation_threshold, m.target_health,
        params.BASE_DISCOUNT, params.MAX_DISCOUNT,
    )  # fmt: skip
    handler_contract, handler_args = pieces.handler
    handler = tx.deploy(handler_contract, pool, join, shared["whitelist"], *handler_args)
    tx.call(pool, "IonPool", "updateIlkSpot", 0, spot)
    tx.call(pool, "IonPool", "updateIlkDebtCeiling", 0, m.debt_ceiling)
    tx.call(pool, "IonPool", "updateIlkDust", 0, m.dust)
    tx.call(pool, "IonPool", "updateSupplyCap", m.supply_cap)
    tx.call(pool, "IonPool", "grantRole", _role("GEM_JOIN_ROLE"), join)
    tx.call(pool, "IonPool", "grantRole", _role("LIQUIDATOR_ROLE"), liquidation)
    tx.call(shared["whitelist"], "Whitelist", "approveProtocolWhitelist", handler)
    tx.call(shared["whitelist"], "Whitelist", "approveProtocolWhitelist", liquidation)
    seed = params.LENDER_SEED * WAD
    tx.call(base, base_contract, "approve", pool, seed)
    tx.call(pool, "IonPool", "supply", admin, seed, [])
    return {
        "collateral": m.collateral,
        "base": m.base,
        "collateral_token": lrt,
        "base_token": base,
        "ilk_index": 0,
        "pool": pool,
        "gem_join": join,
        "handler": handler,
        "reserve_oracle": reserve,
        "risk_feed": risk_feed,
        "credentials": credentials,
        "credential_source": credential_source,
        "restaking_features": restaking,
        "spot_oracle": spot,
        "price_feed": feed,
        "liquidation": liquidation,
        "unwind_pool": pieces.unwind_pool,
    }


def _zk_shared(tx: TxBatch, rpc_url: str) -> dict[str, Any]:
    """The Halo2 verifier every market's RiskFeed calls, and what the feeds are built for."""
    from ion_cli.zk.feed import DEVNET_MAX_SLOT_AGE, verifier_meta

    meta = verifier_meta()
    try:
        genesis = beacon_genesis_time(rpc_url)
    except NodeError:
        if not isinstance(tx, _AddressesOnly):
            raise
        genesis = 0  # addresses only, no node to ask: the feeds hold the real GENESIS_TIME
    return {
        "verifier": tx.deploy("Halo2Verifier"),
        "model_hash": meta.model_hash,
        "vk_hash": meta.vk_hash,
        "beacon_genesis_time": genesis,
        "max_slot_age": DEVNET_MAX_SLOT_AGE,
    }


def beacon_genesis_time(rpc_url: str) -> int:
    """The genesis time of the devnet's beacon chain, which the feeds' slot checks count from:
    the synthetic chain's genesis lies a fixed span before the devnet's first block (the beacon
    server computes it from block 0 the same way)."""
    from ion_cli.devnet.beacon_chain import genesis_time_for

    block = node.rpc(rpc_url, "eth_getBlockByNumber", ["0x0", False])
    first = int(block["timestamp"], 16)
    return int(genesis_time_for(first))


def _token_entries(world: World) -> dict[str, Any]:
    def lrt(address: str, contracts: dict[str, str], symbol: str) -> dict[str, Any]:
        spec = validators.VALIDATOR_SETS[symbol]
        return {
            "address": address,
            "decimals": 18,
            "contracts": contracts,
            "withdrawal_credentials": validators.withdrawal_credentials(symbol),
            "validators_per_credential": spec.validators_per_credential,
        }

    return {
        "weETH": lrt(
            world.weeth, {"eeth": world.eeth, "liquidity_pool": world.liquidity_pool}, "weETH"
        ),
        "ezETH": lrt(
            world.ezeth,
            {"restake_manager": world.restake_manager, "renzo_oracle": world.renzo_oracle},
            "ezETH",
        ),
        "wstETH": {"address": world.wsteth, "decimals": 18, "contracts": {"steth": world.steth}},
        "WETH": {"address": world.weth, "decimals": 18, "contracts": {}},
    }


def _shared_section(world: World) -> dict[str, str]:
    """The shared outside world as the deployment file's `shared` section names it."""
    return {
        "weth": world.weth,
        "steth": world.steth,
        "wsteth": world.wsteth,
        "uniswap_wsteth_weth_pool": world.uniswap_wsteth_weth,
        "weth_flash_pool": world.weth_flash_pool,
        "balancer_vault": world.balancer_vault,
        "uniswap_swap_router": world.swap_router,
        "uniswap_quoter": world.quoter,
    }


def deploy(rpc_url: str, progress: Progress | None = None) -> dict[str, Any]:
    """Deploy everything onto the node at `rpc_url`; returns the deployment document."""
    chain_id = int(node.rpc(rpc_url, "eth_chainId"), 16)
    # The WETH the venues and lenders need is real wrapped ETH: more than anvil's default 10,000.
    node.rpc(rpc_url, "anvil_setBalance", [dep.ADMIN_ADDRESS, hex(params.ADMIN_ETH * WAD)])
    tx = TxBatch.start(rpc_url, dep.ADMIN_ADDRESS)
    return _deploy_with(tx, rpc_url, chain_id, progress)


class _AddressesOnly(TxBatch):
    """A batch that sends nothing: it only numbers the admin's transactions from nonce 0."""

    def flush(self) -> None:
        self.queued.clear()

    def finish(self, timeout: float = 60.0) -> int:
        self.queued.clear()
        return 0


def expected_document(rpc_url: str, chain_id: int, block: int) -> dict[str, Any]:
    """The document `deploy` writes on a fresh devnet, computed without sending anything: the
    admin deploys from nonce 0 in a fixed order, so every devnet has these addresses (a fork of
    a devnet finds its deployment here; check `has_code` before trusting it)."""
    tx = _AddressesOnly(rpc_url=rpc_url, sender=dep.ADMIN_ADDRESS, nonce=0)
    document = _deploy_with(tx, rpc_url, chain_id, None)
    document["block"] = block
    return document


def _deploy_with(
    tx: TxBatch, rpc_url: str, chain_id: int, progress: Progress | None
) -> dict[str, Any]:
    say = progress or (lambda _message: None)
    admin, dev = dep.ADMIN_ADDRESS, dep.DEV_ACCOUNT_ADDRESS

    say("deploying tokens and swap venues")
    world = _tokens(tx, admin)
    _fund(tx, world, admin, dev)

    say("deploying the protocol")
    whitelist = tx.deploy("Whitelist", [b"\x00" * 32], b"\x00" * 32)
    lens = tx.deploy("IonLens")
    interest_rate = tx.deploy(
        "InterestRate", params.MIN_BASE_RATE, params.RATE_AT_KINK, params.OPTIMAL_UTILIZATION,
        params.SLOPE_ABOVE_KINK, params.RESERVE_FACTOR,
    )  # fmt: skip
    zk = _zk_shared(tx, rpc_url)
    shared_addresses: dict[str, Any] = {
        "whitelist": whitelist,
        "interest_rate": interest_rate,
        "risk_verifier": zk["verifier"],
        "risk_model_hash": zk["model_hash"],
        "beacon_genesis_time": zk["beacon_genesis_time"],
    }
    markets = {}
    for name, market in params.MARKETS.items():
        say(f"deploying the {name}/{market.base} market")
        markets[name] = _market(tx, world, shared_addresses, market, admin)

    brought, brought_tokens = recipes.deploy_markets(
        tx,
        _shared_section(world),
        lambda m, pieces: deploy_market(tx, shared_addresses, m, admin, pieces),
        world.brought,
        say,
    )
    markets.update(brought)

    say("deploying the restaking world")
    from ion_cli.devnet import restaking_world

    tokens = {**_token_entries(world), **brought_tokens}
    restaking = restaking_world.deploy(tx, admin, tokens, world.brought)
    _fill_registries(tx, markets, tokens)
    for deployed in markets.values():
        tx.call(
            deployed["restaking_features"], "RestakingFeatures", "wire",
            restaking["delegation_manager"], restaking["allocation_manager"], restaking["strategy"],
        )  # fmt: skip

    say("waiting for the last transactions")
    block = tx.finish()
    document: dict[str, Any] = {
        "version": dep.VERSION,
        "chain_id": chain_id,
        "rpc_url": rpc_url,
        "block": block,
        "deployed_at": int(time.time()),
        "admin": admin,
        "dev_account": dev,
        "shared": {
            "whitelist": whitelist,
            "lens": lens,
            "interest_rate": interest_rate,
            **_shared_section(world),
            "ezeth_weth_balancer_pool_id": EZETH_BALANCER_POOL_ID,
        },
        "markets": markets,
        "tokens": tokens,
        "zk": zk,
        "restaking": restaking,
    }
    dep.parse(document)  # the format other modules read: fail here, not in their code
    return document


def has_code(rpc_url: str, addresses: list[str]) -> bool:
    """True when every address holds code on the node (a deployment still there)."""
    if not addresses:
        return False
    codes = node.rpc_batch(rpc_url, [("eth_getCode", [a, "latest"]) for a in addresses])
    return all(isinstance(c, str) and len(c) > 2 for c in codes)


__all__ = ["DeployError", "deploy", "expected_document", "has_code"]
