"""Reads the state of a market from chain: the pool, IonLens, the spot and reserve oracles and
the Liquidation contract. Only the pool and lens addresses are needed (the oracles are found
through the lens), so the same code serves the devnet and mainnet's published addresses.
And an account's vaults in those markets, at the block the markets were read at."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ion_cli import units
from ion_cli.errors import IonError, NodeError, UsageError
from ion_cli.networks import MarketAddresses, NetworkProfile

if TYPE_CHECKING:
    from ion_cli.chain.plan import Call
    from ion_cli.chain.rpc import Reader

RAY = units.RAY
SECONDS_PER_YEAR = units.SECONDS_PER_YEAR


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
        return units.debt_value(units.Wad(self.total_normalized_debt), units.Ray(self.rate)).value

    @property
    def utilization_ray(self) -> int:
        return units.utilization(units.Rad(self.total_debt_rad), units.Wad(self.total_supply)).value

    @property
    def borrow_per_second(self) -> units.Ray:
        """The per-second borrow rate without the 1 (getCurrentBorrowRate returns RAY + it)."""
        return units.Ray(self.borrow_rate - RAY)

    @property
    def borrow_apr_ray(self) -> int:
        return self.borrow_per_second.times(SECONDS_PER_YEAR).value

    @property
    def supply_per_second(self) -> units.Ray:
        return units.supply_rate(
            self.borrow_per_second,
            units.Ray(self.utilization_ray),
            units.Ray(self.reserve_factor),
        )


@dataclass(frozen=True)
class VaultState:
    address: str
    collateral: int  # WAD
    normalized_debt: int  # WAD
    supplied: int = 0  # WAD: the address's lender balance in this pool (base asset, accrued)
    # WAD: collateral tokens moved into the GemJoin but not deposited (a deposit stopped between
    # its join and depositCollateral steps): the user's, neither collateral nor in the wallet
    gem: int = 0

    def changed(self, *, collateral: int = 0, normalized_debt: int = 0) -> VaultState:
        return replace(
            self,
            collateral=max(self.collateral + collateral, 0),
            normalized_debt=max(self.normalized_debt + normalized_debt, 0),
        )


def read_vault(
    reader: Reader, profile: NetworkProfile, market: MarketState, address: str
) -> VaultState:
    """The vault and lender balance of `address`, at the block the market was read at."""
    return read_vaults(reader, profile, [market], address)[0]


def read_vaults(
    reader: Reader, profile: NetworkProfile, markets: list[MarketState], address: str
) -> list[VaultState]:
    """The vaults and lender balances of `address` in `markets`, in one batch, at the block the
    markets were read at (they are read at one block)."""
    from ion_cli.chain.contracts import IonLens, IonPool

    if not markets:
        return []
    # The public pool keeps gem only in storage: the lens reads it (as it does on mainnet).
    lens = IonLens(profile.shared("lens"))
    calls = []
    for market in markets:
        pool = IonPool(market.pool)
        calls += [
            pool.vault(market.ilk_index, address),
            pool.balanceOf(address),
            lens.gem(market.pool, market.ilk_index, address),
        ]
    where = ", ".join(m.symbol for m in markets)
    answers = reader.read(calls, markets[0].block, f"reading the {where} vault of {address}")
    vaults = []
    for i in range(len(markets)):
        (collateral, normalized_debt), supplied, gem = answers[3 * i : 3 * i + 3]
        vaults.append(
            VaultState(
                address=address,
                collateral=int(collateral),
                normalized_debt=int(normalized_debt),
                supplied=int(supplied),
                gem=int(gem),
            )
        )
    return vaults


def read_market(source: Any, profile: NetworkProfile, market: MarketAddresses) -> MarketState:
    return read_markets(source, profile, [market])[0]


def read_markets(
    source: Any, profile: NetworkProfile, markets: list[MarketAddresses]
) -> list[MarketState]:
    """Every figure of `markets`, read at one block (a consistent snapshot) in three batched
    JSON-RPC round trips: pool and lens, then the spot oracles they name, then the reserve
    oracles those name. `source` is a `Reader` (or a web3 object, whose endpoint is read)."""
    if not markets:
        return []
    from ion_cli.chain.contracts import IonLens, IonPool, ReserveOracle, SpotOracle
    from ion_cli.chain.rpc import as_reader
    from ion_cli.completion_data import remember_markets

    reader = as_reader(source)
    remember_markets([m.symbol for m in profile.markets.values()])  # for TAB completion
    where = ", ".join(m.symbol for m in markets)
    action = f"reading the {where} market state"
    try:
        lens = IonLens(profile.shared("lens"))
        block = reader.block("latest")
        at = block["number"]
        pools = [IonPool(profile.address(m, "pool")) for m in markets]
        first: list[list[Call]] = []
        for m, pool in zip(markets, pools, strict=True):
            addr, ilk = pool.address, m.ilk_index
            first.append(
                [
                    lens.spot(addr, ilk),
                    pool.getCurrentBorrowRate(ilk),
                    pool.getIlkAddress(ilk),
                    pool.underlying(),
                    pool.rate(ilk),
                    lens.totalNormalizedDebt(addr, ilk),
                    pool.totalSupply(),
                    lens.liquidity(addr),
                    lens.debtCeiling(addr, ilk),
                    lens.dust(addr, ilk),
                    lens.supplyCap(addr),
                    pool.paused(),
                    *_liquidation_terms(m.liquidation),
                ]
            )
        answers = _call_all(reader, first, at, action)
        spots = [SpotOracle(a[0]) for a in answers]
        second = _call_all(
            reader,
            [
                [
                    o.RESERVE_ORACLE(),
                    o.getSpot(),
                    o.LTV(),
                    o.getPrice(),
                    *_identity_calls(m, pool.address, a[2]),
                ]
                for o, m, pool, a in zip(spots, markets, pools, answers, strict=True)
            ],
            at,
            action,
        )
        reserves = [ReserveOracle(b[0]) for b in second]
        third = _call_all(reader, [[r.currentExchangeRate()] for r in reserves], at, action)
    except IonError:
        raise
    except Exception as exc:  # an answer of the wrong shape: one line, no traceback
        raise NodeError(f"the node failed while {action}: {type(exc).__name__}") from None
    for m, pool, a, b in zip(markets, pools, answers, second, strict=True):
        _check_identity(profile, m, pool.address, a[2], b[4:])
    states: list[MarketState] = []
    for m, pool, a, b, c in zip(markets, pools, answers, second, third, strict=True):
        borrow_rate, reserve_factor = a[1]
        known = len(a) > 12
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
                liquidation_threshold=int(a[12]) if known else None,
                target_health=int(a[13]) if known else None,
                base_discount=int(a[14]) if known else None,
                max_discount=int(a[15]) if known else None,
                spot_oracle=spots[len(states)].address,
                reserve_oracle=reserves[len(states)].address,
                spot=int(b[1]),
                ltv=int(b[2]),
                price=int(b[3]),
                reserve_rate=int(c[0]),
                block=at,
                timestamp=block["timestamp"],
            )
        )
    return states


def _identity_calls(market: MarketAddresses, pool: str, collateral: str) -> list[Call]:
    """What proves the profile's addresses are this market's: the collateral token's symbol at
    the pool's ilk index, and the GemJoin's token, pool and ilk index (when its address is
    known)."""
    from ion_cli.chain.contracts import ERC20, GemJoin

    calls = [ERC20(collateral).symbol()]
    if market.gem_join:
        join = GemJoin(market.gem_join)
        calls += [join.GEM(), join.POOL(), join.ILK_INDEX()]
    return calls


def _check_identity(
    profile: NetworkProfile, market: MarketAddresses, pool: str, collateral: str, found: list[Any]
) -> None:
    """Refuse a profile whose addresses belong to another market (exit 2, naming the field):
    figures read from them would be another market's, and a write would go there."""
    where = f"network '{profile.name}', markets.{market.symbol}"
    symbol = str(found[0]) if found else ""
    if symbol.lower() != market.symbol.lower():
        raise UsageError(
            f"{where}.pool: the pool {pool} holds {symbol or 'an unnamed token'} at ilk index "
            f"{market.ilk_index}, not {market.symbol}; the profile's address (or ilk index) is "
            "wrong: nothing was read or sent"
        )
    if len(found) == 4:
        gem, join_pool, ilk = str(found[1]), str(found[2]), int(found[3])
        if (gem.lower(), join_pool.lower(), ilk) != (
            collateral.lower(),
            pool.lower(),
            market.ilk_index,
        ):
            raise UsageError(
                f"{where}.gem_join: the GemJoin {market.gem_join} belongs to pool {join_pool} "
                f"ilk {ilk} (token {gem}), not to this market's pool {pool} ilk "
                f"{market.ilk_index}; the profile's address is wrong: nothing was read or sent"
            )


def _liquidation_terms(address: str | None) -> list[Call]:
    """The Liquidation contract's terms, when its address is known (mainnet weETH's is not)."""
    if not address:
        return []
    from ion_cli.chain.contracts import Liquidation

    f = Liquidation(address)
    return [f.LIQUIDATION_THRESHOLD(), f.TARGET_HEALTH(), f.BASE_DISCOUNT(), f.MAX_DISCOUNT()]


def _call_all(reader: Reader, groups: list[list[Call]], block: int, action: str) -> list[list[Any]]:
    """Run groups of reads at `block` in one JSON-RPC batch (the reader asks one by one when
    the node takes no batches). Returns the answers grouped as asked."""
    flat = [call for group in groups for call in group]
    results = reader.read(flat, block, action)
    out, i = [], 0
    for group in groups:
        out.append(results[i : i + len(group)])
        i += len(group)
    return out
