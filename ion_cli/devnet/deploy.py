"""Deploy the reference Ion deployment and its stand-in outside world onto an anvil node.

Everything comes from anvil account 9 (the admin), in three phases: the outside world (the
shared tokens WETH, stETH and wstETH, the swap venues, every market's token stand-ins from its
adapter's devnet recipe, funding), the shared protocol contracts, then one market at a time
(`recipes.deploy_markets`, in the recipes' order), then the restaking world.
The result is the deployment document (see `deployment.py` for the format).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ion_cli.devnet import deployment as dep
from ion_cli.devnet import node, params, recipes
from ion_cli.devnet.params import WAD, MarketParams
from ion_cli.devnet.recipes import BroughtStandIns, MarketPieces
from ion_cli.devnet.txbatch import ZERO_ADDRESS, DeployError, TxBatch, create_address
from ion_cli.errors import NodeError

Progress = Callable[[str], None]


def _role(name: str) -> bytes:
    from eth_utils.crypto import keccak

    return bytes(keccak(text=name))


@dataclass
class OutsideWorld:
    """Addresses of the shared outside-world stand-ins, and what the recipes brought."""

    weth: str
    steth: str
    wsteth: str
    uniswap_wsteth_weth: str
    weth_flash_pool: str
    balancer_vault: str
    swap_router: str
    quoter: str
    # the markets' stand-ins and unwind pools (their adapters' recipes), deployed with the
    # outside world so that the router and quoter index their pools and the vault holds theirs
    brought: list[BroughtStandIns] = field(default_factory=list)
    vault_pools: list[recipes.VaultPool] = field(default_factory=list)


def _tokens(tx: TxBatch, admin: str) -> OutsideWorld:
    weth = tx.deploy("WETH9")
    steth = tx.deploy("StEth", admin)
    wsteth = tx.deploy("WstEth", steth, admin)
    tx.call(wsteth, "WstEth", "setStEthPerToken", params.STETH_PER_WSTETH)

    price = params.STETH_PER_WSTETH  # token1 (WETH) per token0 (wstETH), as on mainnet
    # Venues take their prices at deployment: like mainnet's, they have no price setters.
    uniswap = tx.deploy("DevUniswapV3Pool", wsteth, weth, params.UNISWAP_FEE, price)
    # a second wstETH/WETH pool, which handlers may flash-borrow from while they swap in the
    # first (a pool cannot be re-entered)
    flash = tx.deploy("DevUniswapV3Pool", wsteth, weth, params.UNISWAP_FEE, price)
    tokens = {"weth": weth, "steth": steth, "wsteth": wsteth}
    brought = recipes.deploy_stand_ins(tx, tokens)
    # The router and quoter index one pool per (pair, fee): the wstETH/WETH pool users swap
    # in and the recipes' LRT/wstETH unwind pools.
    routed = [uniswap, *(b.unwind_pool for b in brought if b.unwind_pool)]
    router = tx.deploy("DevSwapRouter", routed)
    quoter = tx.deploy("DevQuoterV2", routed)
    pools = recipes.vault_pools(tx, tokens, brought)
    vault = tx.deploy("DevBalancerVault", [p.spec(tokens) for p in pools])
    return OutsideWorld(
        weth=weth,
        steth=steth,
        wsteth=wsteth,
        uniswap_wsteth_weth=uniswap,
        weth_flash_pool=flash,
        balancer_vault=vault,
        brought=brought,
        vault_pools=pools,
        swap_router=router,
        quoter=quoter,
    )


def _fund(tx: TxBatch, world: OutsideWorld, dev: str) -> None:
    """Seed the swap venues and the `dev` account (the markets' lender seeds and tokens come
    with each market: `recipes.deploy_markets`)."""
    side, dev_amount = params.SWAP_POOL_SIDE * WAD, params.DEV_FUNDING * WAD
    vault_weth = sum(p.pool.seed_tokens * WAD for p in world.vault_pools if p.pool.pair == "weth")
    # WETH has no owner mint: wrap real ETH (the admin's balance was raised for it).
    tx.call(world.weth, "WETH9", "deposit", value=2 * side + vault_weth + dev_amount)

    def mint_wsteth(to: str, amount: int) -> None:
        tx.call(world.wsteth, "WstEth", "mint", to, amount)

    def send_weth(to: str, amount: int) -> None:
        tx.call(world.weth, "WETH9", "transfer", to, amount)

    for pool in (world.uniswap_wsteth_weth, world.weth_flash_pool):
        mint_wsteth(pool, side)
        send_weth(pool, side)
    # before the markets: a reserve oracle may read its token's supply at construction
    for p in world.vault_pools:
        seed = p.pool.seed_tokens * WAD
        stand = p.brought.stand_ins
        tx.call(stand.token, stand.token_contract, "mint", world.balancer_vault, seed)
        if p.pool.pair == "weth":
            send_weth(world.balancer_vault, seed)
        else:
            mint_wsteth(world.balancer_vault, seed)
    send_weth(dev, dev_amount)
    mint_wsteth(dev, dev_amount)


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


def _token_entries(world: OutsideWorld) -> dict[str, Any]:
    """The shared tokens' entries of the deployment file (the LRTs' come with their markets)."""
    return {
        "wstETH": {"address": world.wsteth, "decimals": 18, "contracts": {"steth": world.steth}},
        "WETH": {"address": world.weth, "decimals": 18, "contracts": {}},
    }


def _shared_section(world: OutsideWorld) -> dict[str, str]:
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


def _pool_ids(world: OutsideWorld) -> dict[str, str]:
    """The vault pools' ids under the keys their recipes name (for people reading the file)."""
    return {p.pool.key: p.pool.pool_id for p in world.vault_pools if p.pool.key}


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
    _fund(tx, world, dev)

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
    markets, brought_tokens = recipes.deploy_markets(
        tx,
        _shared_section(world),
        lambda m, pieces: deploy_market(tx, shared_addresses, m, admin, pieces),
        world.brought,
        say,
    )

    say("deploying the restaking world")
    from ion_cli.devnet import restaking_world

    tokens = {**brought_tokens, **_token_entries(world)}
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
            **_pool_ids(world),
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
