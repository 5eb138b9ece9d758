"""Reads the state of a market from chain: the pool, IonLens, the spot and reserve oracles and
the Liquidation contract. Only the pool and lens addresses are needed (the oracles are found
through the lens), so the same code serves the devnet and mainnet's published addresses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ion_cli.chain.client import node_error, rpc_url_of
from ion_cli.errors import IonError
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
    target_health: int | None  # RAY, Liquidation.TARGET_HEALTH (None: unknown, as above)
    base_discount: int | None  # RAY
    max_discount: int | None  # RAY
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
    return read_markets(w3, profile, [market])[0]


def read_markets(
    w3: Web3, profile: NetworkProfile, markets: list[MarketAddresses]
) -> list[MarketState]:
    """Every figure of `markets`, read at one block (a consistent snapshot) in three batched
    JSON-RPC round trips: pool and lens, then the spot oracles they name, then the reserve
    oracles those name."""
    if not markets:
        return []
    from ion_cli.chain.contracts import contract

    lens = contract(w3, "IonLens", profile.shared("lens"))
    try:
        block = w3.eth.get_block("latest")
        at = int(block["number"])
        pools = [contract(w3, "IonPool", profile.address(m, "pool")) for m in markets]
        first = []
        for m, pool in zip(markets, pools, strict=True):
            addr, ilk = pool.address, m.ilk_index
            first.append(
                [
                    lens.functions.spot(addr, ilk),
                    pool.functions.getCurrentBorrowRate(ilk),
                    pool.functions.getIlkAddress(ilk),
                    pool.functions.underlying(),
                    pool.functions.rate(ilk),
                    lens.functions.totalNormalizedDebt(addr, ilk),
                    pool.functions.totalSupply(),
                    lens.functions.liquidity(addr),
                    lens.functions.debtCeiling(addr, ilk),
                    lens.functions.dust(addr, ilk),
                    lens.functions.supplyCap(addr),
                    pool.functions.paused(),
                    *_liquidation_terms(w3, m.liquidation),
                ]
            )
        answers = _call_all(w3, first, at)
        spots = [contract(w3, "SpotOracle", a[0]) for a in answers]
        second = _call_all(
            w3,
            [
                [
                    o.functions.RESERVE_ORACLE(),
                    o.functions.getSpot(),
                    o.functions.LTV(),
                    o.functions.getPrice(),
                ]
                for o in spots
            ],
            at,
        )
        reserves = [contract(w3, "IReserveOracle", b[0]) for b in second]
        third = _call_all(w3, [[r.functions.currentExchangeRate()] for r in reserves], at)
    except IonError:
        raise
    except Exception as exc:  # web3 raises many shapes; the user needs one line, no secrets
        where = ", ".join(m.symbol for m in markets)
        raise node_error(exc, rpc_url_of(w3), f"reading the {where} market state") from None
    states: list[MarketState] = []
    for m, pool, a, b, c in zip(markets, pools, answers, second, third, strict=True):
        borrow_rate, reserve_factor = a[1]
        states.append(
            MarketState(
                symbol=m.symbol,
                base_symbol=m.base_symbol,
                ilk_index=m.ilk_index,
                pool=pool.address,
                collateral_token=a[2],
                base_token=a[3],
                rate=int(a[4]),
                total_normalized_debt=int(a[5]),
                total_supply=int(a[6]),
                liquidity=int(a[7]),
                borrow_rate=int(borrow_rate),
                reserve_factor=int(reserve_factor),
                debt_ceiling=int(a[8]),
                dust=int(a[9]),
                supply_cap=int(a[10]),
                paused=bool(a[11]),
                liquidation_threshold=int(a[12]) if len(a) > 12 else None,
                target_health=int(a[13]) if len(a) > 12 else None,
                base_discount=int(a[14]) if len(a) > 12 else None,
                max_discount=int(a[15]) if len(a) > 12 else None,
                spot_oracle=spots[len(states)].address,
                reserve_oracle=reserves[len(states)].address,
                spot=int(b[1]),
                ltv=int(b[2]),
                price=int(b[3]),
                reserve_rate=int(c[0]),
                block=at,
                timestamp=int(block["timestamp"]),
            )
        )
    return states


def _liquidation_terms(w3: Web3, address: str | None) -> list[Any]:
    """The Liquidation contract's terms, when its address is known (mainnet weETH's is not)."""
    if not address:
        return []
    from ion_cli.chain.contracts import contract

    f = contract(w3, "Liquidation", address).functions
    return [f.LIQUIDATION_THRESHOLD(), f.TARGET_HEALTH(), f.BASE_DISCOUNT(), f.MAX_DISCOUNT()]


def _call_all(w3: Web3, groups: list[list[Any]], block: int) -> list[list[Any]]:
    """Run groups of contract calls at `block` in one JSON-RPC batch; call one by one when the
    node does not take batches. Returns the answers grouped as asked."""
    flat = [call for group in groups for call in group]
    try:
        with w3.batch_requests() as batch:
            for call in flat:
                # Inside the batch, .call() only describes the request (at the pinned block).
                batch.add(call.call(block_identifier=block))
            results = list(batch.execute())
        if len(results) != len(flat):
            raise ValueError("short batch")
    except Exception:
        results = [call.call(block_identifier=block) for call in flat]
    out, i = [], 0
    for group in groups:
        out.append(results[i : i + len(group)])
        i += len(group)
    return out
