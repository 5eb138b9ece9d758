"""Adapter API v2: how a token's stand-ins and market are deployed on the devnet.

The core deploys what every market shares (the tokens WETH, stETH and wstETH, the swap venues,
the protocol, the zk risk feed); an adapter's `devnet` recipe deploys the token's own contracts
through the `DevnetWorld` the core hands it, and names the reserve oracle and handler variants
(contracts of the plugin, or the core's token-generic ones) with their token-specific
constructor arguments. The core then deploys the market around them: IonPool, GemJoin, the risk
feed, the reserve oracle (after the core's common arguments), the spot oracle, Liquidation and
the handler (after pool, join and whitelist), funds the `dev` account and the pool, and writes
`tokens.SYMBOL` and `markets.SYMBOL` into the deployment file.

    class Recipe:
        market = DevnetMarket(base="wstETH", rate=1_050_000_000_000_000_000, ...)

        def stand_ins(self, world):
            token = world.deploy("MyToken", world.admin)
            world.call(token, "MyToken", "setRate", self.market.rate)
            return StandIns(token=token, token_contract="MyToken", contracts={})

        def reserve_oracle(self, world, s):
            return "MyReserveOracle", (s.token, world.shared("wsteth"))

        def handler(self, world, s):
            return "MyHandler", (*world.flashswap_args(), s.token)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

WAD = 10**18
RAY = 10**27


@dataclass(frozen=True)
class DevnetValidators:
    """The synthetic validators the devnet's beacon chain gives the token."""

    pods: int = 1
    prefixes: tuple[int, ...] = (0x01,)  # cycled over the pods
    per_credential: int = 100


@dataclass(frozen=True)
class DevnetMarket:
    """The market's risk parameters and the stand-in's starting rate."""

    base: str  # "wstETH" or "WETH" (the core's base assets)
    rate: int  # ETH per token, WAD: the stand-in's starting rate
    ltv: int = 8 * RAY // 10  # RAY
    liquidation_threshold: int = 83 * RAY // 100  # RAY
    target_health: int = 110 * RAY // 100  # RAY
    dust_tokens: int = 1
    validators: DevnetValidators = field(default_factory=DevnetValidators)
    # a wstETH market's LRT/wstETH pool at the starting rate, indexed by the devnet's swap
    # router and quoter: deleverage unwinds through it
    unwind_pool: bool = True
    # where the market comes among the recipes' markets (ties by symbol): the devnet deploys
    # them, and lists them in the deployment file, in this order
    deploy_order: int = 100


@dataclass(frozen=True)
class DevnetPool:
    """A pool of the devnet's Balancer-style vault (`shared("balancer_vault")`) that the token's
    handler swaps through: the token against a shared base token at a fixed price, seeded with
    `seed_tokens` of each side before the market is deployed."""

    pool_id: str  # 0x + 32 bytes (Balancer's layout: pool address 20, specialization 2, nonce 10)
    token: str  # the token's address (from the stand-ins)
    pair: str  # the other side, a shared token: "weth" or "wsteth"
    price: int  # `pair` per token, WAD
    fee: int = WAD // 10_000  # WAD: 0.01 %
    seed_tokens: int = 3_000
    # the deployment file's `shared` key recording the pool id (for people and tools reading it)
    key: str | None = None


@dataclass(frozen=True)
class StandIns:
    """What a recipe deployed: the token (whose contract has an owner `mint(to, amount)`) and the
    contracts around it, as `tokens.SYMBOL.contracts` of the deployment file."""

    token: str
    token_contract: str  # the artifact name of the token (the core mints with it)
    contracts: Mapping[str, str] = field(default_factory=dict)


class DevnetWorld(Protocol):
    """What the core hands a recipe: the admin's deployer and the shared world."""

    admin: str
    dev: str

    def deploy(self, contract: str, *args: Any, value: int = 0) -> str:
        """Deploy `contract` (the plugin's artifacts first, then the core's); its address."""
        ...

    def call(self, address: str, contract: str, function: str, *args: Any, value: int = 0) -> None:
        """Send `function(*args)` of `contract`'s ABI to `address` from the admin."""
        ...

    def shared(self, name: str) -> str:
        """A shared contract of the deployment file's `shared` section: `weth`, `steth` and
        `wsteth` in `stand_ins`; also the venues (`uniswap_wsteth_weth_pool`,
        `weth_flash_pool`, `balancer_vault`, ...) in `reserve_oracle` and `handler`."""
        ...

    def flashswap_args(self) -> tuple[str, str, str]:
        """(Uniswap wstETH/WETH pool, wstETH, WETH): what a flash-swap-and-mint handler takes
        after (pool, join, whitelist)."""
        ...


@dataclass(frozen=True)
class DevnetStaker:
    """An EigenLayer staker of the token on the devnet (its pod is created, it delegates to the
    operator and deposits `deposit_eth` native ETH, as the restaking world's other stakers)."""

    address: str
    operator: str  # a key of the restaking world's operators: "op-1" ... "op-4"
    deposit_eth: int
    kind: str | None = None  # the published interface it answers (the selector guard's)
    # ETH of the deposit queued for withdrawal afterwards (still slashable, still its operator's)
    queued_eth: int = 0
    # the staker's beacon-chain slashing factor (WAD), set after the restaking world's history
    # (a pod whose validators lost part of their balance); None: untouched (1)
    beacon_chain_factor: int | None = None


@dataclass(frozen=True)
class DevnetStakers:
    """What a recipe's `restaking` hook deployed: its stakers, in the order their pods are
    created, and the contracts that list them (added to `tokens.SYMBOL.contracts`)."""

    stakers: tuple[DevnetStaker, ...] = ()
    contracts: Mapping[str, str] = field(default_factory=dict)
    # the token's validators pay to these stakers' pods (0x01 credentials, the token's validator
    # count spread over them), as the credentials its contracts list on chain
    pods_are_credentials: bool = False


class RestakingWorld(DevnetWorld, Protocol):
    """The world a recipe's optional `restaking(world, stand_ins)` hook sees: the devnet world
    plus the EigenLayer stand-ins (`shared("delegation_manager")`, `shared("eigen_pod_manager")`)
    and the restaking world's operators."""

    def operator(self, key: str) -> str:
        """The address of operator `key` ("op-1" ... "op-4")."""
        ...


class DevnetRecipe(Protocol):
    market: DevnetMarket

    def stand_ins(self, world: DevnetWorld) -> StandIns: ...

    def reserve_oracle(
        self, world: DevnetWorld, stand_ins: StandIns
    ) -> tuple[str, tuple[Any, ...]]:
        """The reserve oracle's contract and its arguments after the core's common ones
        (ilk index, feeds, quorum, max change)."""
        ...

    def handler(self, world: DevnetWorld, stand_ins: StandIns) -> tuple[str, tuple[Any, ...]]:
        """The handler's contract and its arguments after (pool, gem join, whitelist)."""
        ...


# A recipe may also define `restaking(self, world: RestakingWorld, stand_ins) -> DevnetStakers`:
# the token's EigenLayer stakers, deployed with the devnet's restaking world;
# `pools(self, world, stand_ins) -> Sequence[DevnetPool]`: the Balancer-style pools its handler
# swaps through (the core deploys one vault over every recipe's pools and seeds them); and
# `credentials(self, world, stand_ins) -> (address, source)`: the contract its risk feed reads the
# withdrawal credentials from, "contracts" when the token's own contracts enumerate them (without
# it, a registry the core fills: "registry").
RestakingHook = Callable[[RestakingWorld, StandIns], DevnetStakers]

# Conformance hooks (optional on a recipe): read and move the stand-in's rate on a devnet, as
# the conformance kit (ion_cli.testing.conformance) checks the adapter against them.
ReadRate = Callable[[Any, Mapping[str, Any]], int]  # (devnet handle, tokens.SYMBOL) -> rate
SetRate = Callable[[Any, Mapping[str, Any], int], None]
