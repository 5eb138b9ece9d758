"""Reads the state of a market from chain: the pool, IonLens, the spot and reserve oracles and
the Liquidation contract. Only the pool and lens addresses are needed (the oracles are found
through the lens), so the same code serves the devnet and mainnet's published addresses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ion_cli.errors import NodeError
from ion_cli.networks import MarketAddresses, NetworkProfile

if TYPE_CHECKING:
    from web3 import Web3

RAY = 10**27
SECONDS_PER_YEAR = 31_536_000


@dataclass(frozen=True)
class MarketState:
    """Raw on-chain figures of one market, in the contracts' own units."""

    symbol: str
    base_symbol: str
    ilk_index: int
    pool: str
    collateral_token: str
    base_token: str
    rate: int  # RAY, debt accumulator (pending accrual included)
    total_normalized_debt: int  # WAD
    total_supply: int  # WAD, lender token total (accrued)
    liquidity: int  # WAD, base asset held by the pool
    borrow_rate: int  # RAY per second, including the 1
    reserve_factor: int  # RAY
    debt_ceiling: int  # RAD
    dust: int  # RAD
    supply_cap: int  # WAD
    spot: int  # RAY, LTV * min(price, reserve rate)
    ltv: int  # RAY
    price: int  # WAD, market price (0 when stale)
    reserve_rate: int  # WAD, the reserve (consensus-layer/protocol) exchange rate
    liquidation_threshold: int | None  # RAY; None when the Liquidation address is unknown
    paused: bool
    spot_oracle: str
    reserve_oracle: str
    block: int
    timestamp: int

    @property
    def total_debt_rad(self) -> int:
        return self.total_normalized_debt * self.rate

    @property
    def utilization_ray(self) -> int:
        if self.total_supply == 0:
            return 0
        return self.total_debt_rad // self.total_supply  # RAD / WAD = RAY

    @property
    def borrow_apr_ray(self) -> int:
        return (self.borrow_rate - RAY) * SECONDS_PER_YEAR


def read_market(w3: Web3, profile: NetworkProfile, market: MarketAddresses) -> MarketState:
    from ion_cli.chain.contracts import contract

    pool_address = profile.address(market, "pool")
    lens_address = profile.shared("lens")
    ilk = market.ilk_index
    try:
        pool = contract(w3, "IonPool", pool_address)
        lens = contract(w3, "IonLens", lens_address)
        block = w3.eth.get_block("latest")
        spot_address = lens.functions.spot(pool_address, ilk).call()
        spot_oracle = contract(w3, "SpotOracle", spot_address)
        reserve_address = spot_oracle.functions.RESERVE_ORACLE().call()
        reserve = contract(w3, "IReserveOracle", reserve_address)
        borrow_rate, reserve_factor = pool.functions.getCurrentBorrowRate(ilk).call()
        threshold = None
        if market.liquidation:
            liquidation = contract(w3, "Liquidation", market.liquidation)
            threshold = int(liquidation.functions.LIQUIDATION_THRESHOLD().call())
        return MarketState(
            symbol=market.symbol,
            base_symbol=market.base_symbol,
            ilk_index=ilk,
            pool=pool_address,
            collateral_token=pool.functions.getIlkAddress(ilk).call(),
            base_token=pool.functions.underlying().call(),
            rate=int(pool.functions.rate(ilk).call()),
            total_normalized_debt=int(lens.functions.totalNormalizedDebt(pool_address, ilk).call()),
            total_supply=int(pool.functions.totalSupply().call()),
            liquidity=int(lens.functions.liquidity(pool_address).call()),
            borrow_rate=int(borrow_rate),
            reserve_factor=int(reserve_factor),
            debt_ceiling=int(lens.functions.debtCeiling(pool_address, ilk).call()),
            dust=int(lens.functions.dust(pool_address, ilk).call()),
            supply_cap=int(lens.functions.supplyCap(pool_address).call()),
            spot=int(spot_oracle.functions.getSpot().call()),
            ltv=int(spot_oracle.functions.LTV().call()),
            price=int(spot_oracle.functions.getPrice().call()),
            reserve_rate=int(reserve.functions.currentExchangeRate().call()),
            liquidation_threshold=threshold,
            paused=bool(pool.functions.paused().call()),
            spot_oracle=spot_address,
            reserve_oracle=reserve_address,
            block=int(block["number"]),
            timestamp=int(block["timestamp"]),
        )
    except NodeError:
        raise
    except Exception as exc:  # web3 raises many shapes; the user needs one line
        raise NodeError(
            f"cannot read the {market.symbol} market at {pool_address}: {_short(exc)}"
        ) from exc


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def read_markets(
    w3: Web3, profile: NetworkProfile, markets: list[MarketAddresses]
) -> list[MarketState]:
    return [read_market(w3, profile, m) for m in markets]


def erc20(w3: Web3, address: str) -> Any:
    from ion_cli.chain.contracts import contract

    return contract(w3, "IERC20Metadata", address)
