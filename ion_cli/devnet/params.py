"""The devnet's parameters (ion-protocol.md, Appendices D and E): one place, pure data.

The deployer reads them, and so do the integration tests that predict what the contracts
compute (`MarketParams.reserve_rate` mirrors the oracles' integer arithmetic exactly). Nothing
here names a token: each market's parameters and starting rate are its recipe's (adapter API v2,
`recipes.devnet_markets()`).
"""

from __future__ import annotations

from dataclasses import dataclass

WAD = 10**18
RAY = 10**27
RAD = 10**45

# ---- the shared stand-ins (the LRTs' rates are their recipes', in the plugins) ----
STETH_PER_WSTETH = 1_170_000_000_000_000_000  # stETH per wstETH


# ---- interest (Appendix D, per-second RAY rates without the 1) ----
MIN_BASE_RATE = 1_796_798_806_700_000_000
RATE_AT_KINK = 3_967_964_580_300_000_000
OPTIMAL_UTILIZATION = 9 * RAY // 10
SLOPE_ABOVE_KINK = 64_011_036_758_000_000_000
RESERVE_FACTOR = 0

# ---- oracles and liquidations (Appendix E, "Configured") ----
RESERVE_MAX_CHANGE = 3 * RAY // 100
# Restaking features (RestakingFeatures.sol): AVS losses counted over a day of blocks (mainnet:
# an LRT's oracle reports at least daily), a proof's pinned block at most 256 blocks old. The
# devnet's LRT rates are set by their owner and never read EigenLayer: losses are not in them.
RESTAKING_WINDOW_BLOCKS = 7_200
RESTAKING_MAX_BLOCK_AGE = 256
RESERVE_QUORUM = 1  # FEED0, the risk feed (answers the protocol rate before its first proof)
MAX_PRICE_AGE = 87_000
BASE_DISCOUNT = RAY // 100
MAX_DISCOUNT = 20 * RAY // 100
DEBT_CEILING_TOKENS = 100_000
SUPPLY_CAP_TOKENS = 100_000

# ---- venues and seeding (tokens) ----
UNISWAP_FEE = 100  # hundredths of a bip: 0.01%, the mainnet wstETH/WETH pool's fee
SWAP_POOL_SIDE = 3_000  # each side of the wstETH/WETH and flash pools
UNWIND_POOL_SIDE = 2_000  # each side of the LRT/wstETH pools
LENDER_SEED = 1_000  # base asset the admin supplies to every pool
DEV_FUNDING = 100  # of every token, to the `dev` account
ADMIN_ETH = 1_000_000  # the deployer's balance (anvil_setBalance): pays for all the WETH


def tokens_per_steth() -> int:
    """wstETH.tokensPerStEth() as the stand-in computes it (floor)."""
    return WAD * WAD // STETH_PER_WSTETH


def in_wsteth(eth_rate: int) -> int:
    """An LRT's ETH rate valued in wstETH, as the wstETH-base reserve oracles compute it."""
    return eth_rate * tokens_per_steth() // WAD


@dataclass(frozen=True)
class MarketParams:
    collateral: str
    base: str  # "wstETH" or "WETH"
    ltv: int  # RAY
    liquidation_threshold: int  # RAY
    target_health: int  # RAY
    dust_tokens: int
    unwind_pool: bool  # an LRT/wstETH pool for unwinding (wstETH-base markets)
    rate: int  # ETH per token (WAD): the stand-in's starting rate (its recipe's)

    @property
    def reserve_rate(self) -> int:
        """The reserve oracle's initial rate (WAD, collateral in base); also the market price
        (a WETH market's oracle reads the rate itself: exactly the set rate)."""
        return in_wsteth(self.rate) if self.base == "wstETH" else self.rate

    @property
    def dust(self) -> int:
        return self.dust_tokens * RAD

    @property
    def debt_ceiling(self) -> int:
        return DEBT_CEILING_TOKENS * RAD

    @property
    def supply_cap(self) -> int:
        return SUPPLY_CAP_TOKENS * WAD
