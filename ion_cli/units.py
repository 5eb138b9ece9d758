"""Fixed-point units of the Ion ledger as types, and the protocol's rounding rules.

The pool keeps three scales (Maker's Vat convention):

- ``Wad`` (1e18): token amounts, collateral, normalized debt, lender token balances;
- ``Ray`` (1e27): the debt accumulator ``rate``, ``spot``, the ``supplyFactor``, per-second
  interest rates and every ratio (LTV, liquidation threshold, discounts, health);
- ``Rad`` (1e45): debt values, ``normalizedDebt * rate``, ceilings and dust.

Each unit is a frozen dataclass around an ``int`` of base units (``Wad(1)`` is one wei), so
mypy rejects ``Wad + Ray`` or passing a rate where an amount belongs, and a mixed operation that
slips through at runtime raises ``TypeError``. Only operations whose unit is unambiguous are
operators: ``+``/``-``/comparisons within one unit, scaling by a plain ``int``, and
``Wad * Ray -> Rad`` (exact, the way the pool forms a debt). Everything that rounds is a named
method or function with the direction in its name, mirroring ``WadRayMath.sol``: the protocol
always rounds in its own favour and the CLI must predict each wei.

The plain-int helpers (``ray_mul_down`` etc.) are the same operations for code that keeps raw
ints (``position_math``); they take non-negative ints and never overflow, unlike Solidity, so
callers that need the revert behaviour check bounds themselves (``rpow`` does, see there).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import ClassVar, Self

from ion_cli.amounts import format_amount

WAD = 10**18
RAY = 10**27
RAD = 10**45
UINT256_MAX = 2**256 - 1

SECONDS_PER_YEAR = 31_536_000  # 365 days: the convention behind the protocol's APR figures


# ---- plain-int helpers (1:1 with WadRayMath.sol) -------------------------------------------


def mul_div_down(a: int, b: int, denominator: int) -> int:
    """floor(a * b / denominator), at full precision (OpenZeppelin ``Math.mulDiv``)."""
    return a * b // denominator


def mul_div_up(a: int, b: int, denominator: int) -> int:
    """ceil(a * b / denominator) (``Math.mulDiv(..., Rounding.Ceil)``)."""
    return -(-a * b // denominator)


def ceil_div(a: int, b: int) -> int:
    """ceil(a / b) (``Math.ceilDiv``)."""
    return -(-a // b)


def wad_mul_down(a: int, b: int) -> int:
    return a * b // WAD


def wad_mul_up(a: int, b: int) -> int:
    return -(-a * b // WAD)


def wad_div_down(a: int, b: int) -> int:
    return a * WAD // b


def wad_div_up(a: int, b: int) -> int:
    return -(-a * WAD // b)


def ray_mul_down(a: int, b: int) -> int:
    """floor(a * b / RAY): an amount of any unit scaled by a RAY factor keeps its unit."""
    return a * b // RAY


def ray_mul_up(a: int, b: int) -> int:
    return -(-a * b // RAY)


def ray_div_down(a: int, b: int) -> int:
    """floor(a * RAY / b): an amount of any unit divided by a RAY factor keeps its unit."""
    return a * RAY // b


def ray_div_up(a: int, b: int) -> int:
    return -(-a * RAY // b)


def rpow(x: int, n: int, base: int = RAY) -> int:
    """x**n in fixed point with scale ``base`` by repeated squaring, as ``WadRayMath.rpow``.

    Every intermediate product is rounded half up (``(a * b + base / 2) / base``), as in Maker's
    ``rpow``, rather than floored: that is what the contract does, and reproducing its exact
    rounding (not the mathematically nearer value) is the point, since the pool's ``rate`` is
    built from it. ``x**0 == base``, also for ``x == 0``. Raises ``OverflowError`` where the
    Solidity would revert (an intermediate product above 2**256 - 1), which no sane per-second
    rate reaches.
    """
    if x < 0 or n < 0:
        raise ValueError("rpow takes non-negative x and n")
    half = base // 2
    z = x if n % 2 else base
    n //= 2
    while n:
        square = x * x + half
        if square > UINT256_MAX:
            raise OverflowError("rpow: intermediate product overflows uint256")
        x = square // base
        if n % 2:
            product = z * x + half
            if product > UINT256_MAX:
                raise OverflowError("rpow: intermediate product overflows uint256")
            z = product // base
        n //= 2
    return z


# ---- the unit types ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Fixed:
    """An amount in base units of one fixed-point scale; subclasses set ``DECIMALS``."""

    value: int
    DECIMALS: ClassVar[int] = 0

    def __post_init__(self) -> None:
        # bool is an int subclass and float would silently lose wei: both are bugs here.
        if type(self.value) is not int:
            raise TypeError(f"{type(self).__name__} takes an int of base units, not {self.value!r}")

    @classmethod
    def scale(cls) -> int:
        scale: int = 10**cls.DECIMALS  # int ** int is typed Any for a non-literal exponent
        return scale

    # -- decimal conversions --

    @classmethod
    def from_decimal(cls, number: Decimal | str | int) -> Self:
        """The exact amount for a number in whole units (``Wad.from_decimal("1.5")`` is 1.5e18 wei).

        Raises ``ValueError`` if the number is not finite or has more digits after the point
        than the unit holds: rounding a user's figure silently is never right here.
        """
        try:
            d = Decimal(number) if not isinstance(number, Decimal) else number
        except InvalidOperation as exc:
            raise ValueError(f"not a number: {number!r}") from exc
        if not d.is_finite():
            raise ValueError(f"not a finite number: {number!r}")
        sign, digits, exponent = d.as_tuple()
        assert isinstance(exponent, int)  # finite, checked above
        coefficient = int("".join(map(str, digits)) or "0")
        shift = exponent + cls.DECIMALS
        if shift >= 0:
            base_units = coefficient * 10**shift
        else:
            base_units, rest = divmod(coefficient, 10**-shift)
            if rest:
                raise ValueError(f"{number} has more than {cls.DECIMALS} decimals")
        return cls(-base_units if sign else base_units)

    def to_decimal(self) -> Decimal:
        """The exact value in whole units (a Decimal built from a string, so never rounded)."""
        return Decimal(f"{self.value}E-{self.DECIMALS}")

    def __str__(self) -> str:
        return format_amount(self.value, self.DECIMALS)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.value})"

    def __format__(self, spec: str) -> str:
        return str(self) if not spec else format(self.to_decimal(), spec)

    def to_json(self) -> str:
        """JSON form: the exact decimal string in whole units (``ion_cli.output`` calls this)."""
        return str(self)

    def __int__(self) -> int:
        return self.value

    def __bool__(self) -> bool:
        return self.value != 0

    # -- same-unit arithmetic --

    def _same(self, other: object) -> int:
        if type(other) is not type(self):
            raise TypeError(f"cannot mix {type(self).__name__} with {type(other).__name__}")
        assert isinstance(other, _Fixed)
        return other.value

    def __add__(self, other: Self) -> Self:
        return type(self)(self.value + self._same(other))

    def __sub__(self, other: Self) -> Self:
        return type(self)(self.value - self._same(other))

    def __neg__(self) -> Self:
        return type(self)(-self.value)

    def __abs__(self) -> Self:
        return type(self)(abs(self.value))

    def __lt__(self, other: Self) -> bool:
        return self.value < self._same(other)

    def __le__(self, other: Self) -> bool:
        return self.value <= self._same(other)

    def __gt__(self, other: Self) -> bool:
        return self.value > self._same(other)

    def __ge__(self, other: Self) -> bool:
        return self.value >= self._same(other)

    def times(self, n: int) -> Self:
        """Exact scaling by a plain integer."""
        if type(n) is not int:
            raise TypeError(f"can only scale by an int, not {type(n).__name__}")
        return type(self)(self.value * n)

    # -- scaling by a RAY factor or a WAD factor keeps the unit (WadRayMath semantics) --

    def ray_mul_down(self, factor: Ray) -> Self:
        return type(self)(ray_mul_down(self.value, _ray(factor)))

    def ray_mul_up(self, factor: Ray) -> Self:
        return type(self)(ray_mul_up(self.value, _ray(factor)))

    def ray_div_down(self, factor: Ray) -> Self:
        return type(self)(ray_div_down(self.value, _ray(factor)))

    def ray_div_up(self, factor: Ray) -> Self:
        return type(self)(ray_div_up(self.value, _ray(factor)))

    def wad_mul_down(self, factor: Wad) -> Self:
        return type(self)(wad_mul_down(self.value, _wad(factor)))

    def wad_mul_up(self, factor: Wad) -> Self:
        return type(self)(wad_mul_up(self.value, _wad(factor)))

    def wad_div_down(self, factor: Wad) -> Self:
        return type(self)(wad_div_down(self.value, _wad(factor)))

    def wad_div_up(self, factor: Wad) -> Self:
        return type(self)(wad_div_up(self.value, _wad(factor)))


def _ray(x: Ray) -> int:
    if type(x) is not Ray:
        raise TypeError(f"expected a Ray factor, got {type(x).__name__}")
    return x.value


def _wad(x: Wad) -> int:
    if type(x) is not Wad:
        raise TypeError(f"expected a Wad factor, got {type(x).__name__}")
    return x.value


@dataclass(frozen=True, slots=True, repr=False)
class Wad(_Fixed):
    """1e18 fixed point: token amounts (18 decimals), collateral, normalized debt."""

    DECIMALS: ClassVar[int] = 18

    def to_ray(self) -> Ray:
        return Ray(self.value * 10**9)

    def to_rad(self) -> Rad:
        return Rad(self.value * RAY)

    def __mul__(self, rate: Ray) -> Rad:
        """WAD * RAY = RAD exactly: how the pool turns normalized debt into debt."""
        return Rad(self.value * _ray(rate))


@dataclass(frozen=True, slots=True, repr=False)
class Ray(_Fixed):
    """1e27 fixed point: rate, spot, supply factor, per-second rates and ratios."""

    DECIMALS: ClassVar[int] = 27

    def to_wad_down(self) -> Wad:
        return Wad(self.value // 10**9)

    def to_wad_up(self) -> Wad:
        return Wad(ceil_div(self.value, 10**9))

    def to_rad(self) -> Rad:
        return Rad(self.value * WAD)

    def __mul__(self, amount: Wad) -> Rad:
        return Rad(_wad(amount) * self.value)


@dataclass(frozen=True, slots=True, repr=False)
class Rad(_Fixed):
    """1e45 fixed point: debt values (normalizedDebt * rate), ceilings, dust."""

    DECIMALS: ClassVar[int] = 45

    def to_wad_down(self) -> Wad:
        """What the pool sends when a RAD debt becomes a token amount."""
        return Wad(self.value // RAY)

    def to_wad_up(self) -> Wad:
        """What the pool pulls when a RAD debt becomes a token amount."""
        return Wad(ceil_div(self.value, RAY))

    def to_ray_down(self) -> Ray:
        return Ray(self.value // WAD)

    def to_ray_up(self) -> Ray:
        return Ray(ceil_div(self.value, WAD))


# ---- the protocol's rounding rules (ion-protocol.md, "Rounding the CLI must mirror") --------


def normalized_debt_for_borrow(amount: Wad, rate: Ray) -> Wad:
    """The ``amountOfNormalizedDebt`` to pass to ``borrow`` to receive at least ``amount``.

    ceil(B * RAY / rate): the pool sends floor(nd * rate / RAY) at the rate of the mined block,
    which is at least this rate, so the wallet gets ``amount`` or up to ceil(rate / RAY) wei more,
    and the vault's debt nd * rate is at least B * RAY (a borrow of exactly the dust is never
    dusty). Rounding down instead left, once interest had accrued, ``borrow 1`` at
    0.99999999999999999922 of debt: under a dust of 1, refused.
    """
    return amount.ray_div_up(rate)


def borrow_out(normalized_debt: Wad, rate: Ray) -> Wad:
    """What ``borrow(nd)`` sends: floor(nd * rate / RAY)."""
    return Wad(mul_div_down(normalized_debt.value, _ray(rate), RAY))


def repay_in(normalized_debt: Wad, rate: Ray) -> Wad:
    """What ``repay(nd)`` pulls from the payer: ceil(nd * rate / RAY)."""
    return Wad(mul_div_up(normalized_debt.value, _ray(rate), RAY))


def normalized_debt_for_repay(amount: Wad, rate: Ray) -> Wad:
    """The largest normalized debt whose ``repay_in`` is at most ``amount``: floor(A*RAY/rate)."""
    return amount.ray_div_down(rate)


def debt_value(normalized_debt: Wad, rate: Ray) -> Rad:
    """A vault's debt in RAD, exactly as the pool stores it: nd * rate."""
    return normalized_debt * rate


def supply_mint(amount: Wad, supply_factor: Ray) -> Wad:
    """Normalized lender tokens minted by ``supply(amount)``: amount.rayDivDown(supplyFactor)."""
    return amount.ray_div_down(supply_factor)


def withdraw_burn(amount: Wad, supply_factor: Ray) -> Wad:
    """Normalized lender tokens burnt by ``withdraw(amount)``: amount.rayDivUp(supplyFactor)."""
    return amount.ray_div_up(supply_factor)


def lender_balance(normalized_balance: Wad, supply_factor: Ray) -> Wad:
    """``balanceOf``: the normalized balance times the supply factor, rounded down."""
    return normalized_balance.ray_mul_down(supply_factor)


def accrue(rate: Ray, per_second_rate: Ray, dt: int) -> Ray:
    """The debt accumulator after ``dt`` seconds at ``per_second_rate`` (RAY, without the 1).

    rate + rayMulUp(rate, rpow(RAY + r, dt) - RAY), as the pool's accrual: the increase rounds
    up, so debt never grows slower than the formula.
    """
    if dt < 0:
        raise ValueError("dt must be non-negative")
    growth = rpow(RAY + _ray(per_second_rate), dt) - RAY
    return Ray(rate.value + ray_mul_up(rate.value, growth))


# ---- interest conventions (Appendix D) ------------------------------------------------------


def apr(per_second_rate: Ray) -> Decimal:
    """Simple annual rate of a per-second RAY rate: r * 31,536,000, as a fraction (0.0567)."""
    return Ray(per_second_rate.value * SECONDS_PER_YEAR).to_decimal()


def apy(per_second_rate: Ray) -> Decimal:
    """Compounded annual growth, (1 + r)**year - 1, as the pool's rpow computes it."""
    return Ray(rpow(RAY + _ray(per_second_rate), SECONDS_PER_YEAR) - RAY).to_decimal()


def per_second_rate_from_apr(annual: Decimal | str) -> Ray:
    """The per-second RAY rate of a simple annual rate (a fraction), rounded down."""
    exact = Fraction(Decimal(annual))
    return Ray(exact.numerator * RAY // (exact.denominator * SECONDS_PER_YEAR))


def utilization(total_debt: Rad, total_supply: Wad) -> Ray:
    """Utilization as the interest-rate module sees it: debt (RAD) / supply (WAD) = RAY, floor.

    Zero supply counts as zero utilization (nothing is lent, the curve's minimum applies).
    """
    if total_supply.value == 0:
        return Ray(0)
    return Ray(total_debt.value // total_supply.value)


def supply_rate(borrow_rate: Ray, used: Ray, reserve_factor: Ray) -> Ray:
    """The lenders' per-second rate: the borrowers' interest spread over the supply, less the
    reserve share (r_borrow * utilization * (1 - reserve factor)), rounded down like the pool."""
    return Ray(_ray(borrow_rate) * _ray(used) // RAY * (RAY - _ray(reserve_factor)) // RAY)


@dataclass(frozen=True, slots=True)
class InterestRateCurve:
    """The kinked borrow-rate curve (per-second RAY rates, without the 1); mainnet by default.

    Below the kink the rate runs linearly from ``minimum_base_rate`` at 0% utilization to
    ``rate_at_kink`` at ``optimal_utilization``; above it ``slope_above_kink`` is added linearly
    from the kink to 100% (and keeps growing past 100%, as the formula does). Divisions floor,
    like the contract's integer arithmetic.
    """

    minimum_base_rate: Ray = Ray(1_796_798_806_700_000_000)  # ~5.67% APR
    rate_at_kink: Ray = Ray(3_967_964_580_300_000_000)  # ~12.5% APR
    optimal_utilization: Ray = Ray(9 * 10**26)  # 90%
    slope_above_kink: Ray = Ray(64_011_036_758_000_000_000)  # ~202% APR
    reserve_factor: Ray = Ray(0)

    def per_second_rate(self, used: Ray) -> Ray:
        """The borrow rate for a utilization (RAY fraction)."""
        u, kink = used.value, self.optimal_utilization.value
        lo, at_kink = self.minimum_base_rate.value, self.rate_at_kink.value
        if u <= kink:
            return Ray(lo + (at_kink - lo) * u // kink)
        return Ray(at_kink + self.slope_above_kink.value * (u - kink) // (RAY - kink))


MAINNET_CURVE = InterestRateCurve()
