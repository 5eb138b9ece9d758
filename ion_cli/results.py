"""Typed results of the reads and writes: what the flows return, the API hands to scripts and
the CLI renders. Each has `to_json()` giving the documented `--json` document.

A figure that needs a fact nobody knows (a market's Liquidation address on mainnet, say) is an
`Unknown(reason)`, never `None`: `None` keeps its meaning ("no debt", "not applicable"), and in
JSON an unknown is `{"unknown": "<reason>"}`, never `null`. Pure module: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ion_cli.chain.execution import ExecutionResult
    from ion_cli.oracle_results import FeedScore, FeedSubmission, OracleView


@dataclass(frozen=True)
class Unknown:
    """A figure that cannot be computed because a fact is unknown; `hint` says how to supply it."""

    reason: str
    hint: str = ""

    @classmethod
    def missing_address(cls, network: str, symbol: str, field_name: str, label: str) -> Unknown:
        """The address `field_name` of market `symbol` is not in the profile `network`."""
        return cls(
            reason=f"the {label} address of the {symbol} market is not known on {network}",
            hint=f"set networks.{network}.markets.{symbol}.{field_name} in config.toml",
        )

    @property
    def text(self) -> str:
        """How tables show it: unknown (<reason>; <how to supply it>)."""
        return f"unknown ({self.reason}; {self.hint})" if self.hint else f"unknown ({self.reason})"

    def __str__(self) -> str:
        return self.text

    def to_json(self) -> dict[str, str]:
        return {"unknown": self.reason}


def is_unknown(value: object) -> bool:
    return isinstance(value, Unknown)


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):  # exact, in plain notation (the output contract's figures)
        return format(value, "f")
    to_json = getattr(value, "to_json", None)
    if callable(to_json):
        return _json(to_json())
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return value


class _Document:
    """to_json(): every dataclass field, in order, with Unknowns and nested results converted."""

    def to_json(self) -> dict[str, Any]:
        return {f.name: _json(getattr(self, f.name)) for f in fields(self)}  # type: ignore[arg-type]


# Amounts are exact Decimals in token units, ratios and rates exact Decimals (0.05 is 5%); None
# where the figure does not apply; Unknown where it needs an unknown fact. JSON makes them
# decimal strings (to_json, ion_cli.json_contract).
Figure = Decimal | Unknown | None


class UnknownFigure(ValueError):
    """`known()` of a figure that is Unknown (its reason) or not applicable (None)."""


def known(value: Decimal | Unknown | None) -> Decimal:
    """The figure as a Decimal, for arithmetic and comparisons in scripts
    (`known(position.health) > 2`); an Unknown or None figure raises UnknownFigure."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, Unknown):
        raise UnknownFigure(value.text)
    raise UnknownFigure("the figure does not apply (None)")


def _figures(result: object) -> None:
    """Figures given as exact decimal strings (as the flows shape them) become Decimals."""
    for f in fields(result):  # type: ignore[arg-type]
        value = getattr(result, f.name)
        if isinstance(value, str) and f.type in ("Figure", "Decimal"):
            object.__setattr__(result, f.name, Decimal(value))


@dataclass(frozen=True)
class Market(_Document):
    """One row of `ion markets`."""

    market: str
    collateral: str
    base: str
    pool: str
    collateral_token: str
    base_token: str
    ltv: Figure
    liquidation_threshold: Figure
    reserve_exchange_rate: Figure
    price: Figure
    spot: Figure
    total_supplied: Figure
    total_borrowed: Figure
    utilization: Figure
    borrow_apr: Figure
    borrow_apy: Figure
    supply_apy: Figure
    rate: Figure
    debt_ceiling: Figure
    dust: Figure
    supply_cap: Figure
    available_liquidity: Figure
    paused: bool
    block: int
    lrt_eth_rate: Figure = None
    # The latest zk risk score the market's risk feed accepted (ion_cli.zk.feed.risk_view);
    # None when the market has no risk feed.
    risk: FeedScore | None = None

    def __post_init__(self) -> None:
        _figures(self)


@dataclass(frozen=True)
class LiquidationOutcome(_Document):
    """What `liquidate` would do to a vault now: `outcome` ("partial", "full", "dust",
    "confiscate"...), the health, discount and price it goes by (fractions and base asset per
    collateral token), the normalized debt it removes, the collateral it seizes (`gem_out`)
    and what the keeper repays (`repay_amount`, base asset)."""

    outcome: str
    health: Decimal
    discount: Decimal
    price: Decimal
    normalized_debt_removed: Decimal
    gem_out: Decimal
    repay_amount: Decimal

    @classmethod
    def of(cls, doc: dict[str, Any]) -> LiquidationOutcome:
        return cls(
            outcome=str(doc["outcome"]),
            **{f.name: Decimal(str(doc[f.name])) for f in fields(cls) if f.name != "outcome"},
        )


@dataclass(frozen=True)
class Position(_Document):
    """A borrower's vault in one market (with the address's lender balance there), as
    `ion position` shows it. `health` is None without debt, Unknown when the market's
    liquidation terms are unknown."""

    market: str
    base: str
    address: str
    collateral: Figure
    normalized_debt: Figure
    debt: Figure
    collateral_value: Figure
    health: Figure
    health_spot: Figure
    leverage: Figure
    ltv: Figure
    max_ltv: Figure
    liquidation_threshold: Figure
    reserve_exchange_rate: Figure
    market_price: Figure
    liquidation_exchange_rate: Figure
    drop_to_liquidation: Figure
    min_safe_price: Figure
    price_drop_to_borrow_limit: Figure
    max_borrow: Figure
    max_withdraw: Figure
    max_borrow_safe: Figure
    max_withdraw_safe: Figure
    safety_margin: Decimal
    dusty: bool
    liquidatable: bool | Unknown
    liquidation: LiquidationOutcome | Unknown | None
    supplied: Figure
    block: int
    # collateral in the GemJoin, not deposited (a deposit stopped half-way); "0" normally
    gem: Figure = Decimal(0)
    risk: FeedScore | None = None  # as Market.risk

    def __post_init__(self) -> None:
        _figures(self)


@dataclass(frozen=True)
class LenderPosition(_Document):
    """An address's supply in one market (after `ion supply` or `ion redeem`)."""

    market: str
    address: str
    base: str
    supplied: Figure
    normalized_balance: Figure
    supply_factor: Figure
    wallet_base_balance: Figure

    def __post_init__(self) -> None:
        _figures(self)


@dataclass(frozen=True)
class ErrorInfo(_Document):
    """Why a write failed, in the failure document (`kind` is the exception's class name)."""

    message: str
    exit_code: int
    kind: str


@dataclass(frozen=True)
class WriteResult(_Document):
    """What a write returns: the plan, what was sent, the resulting position (read back after
    the transactions are mined; None if that read failed, or on failure), and the error when
    the write failed (the CLI prints this document with --json on failure too)."""

    plan: dict[str, Any] | None
    dry_run: bool
    execution: ExecutionResult | None
    position: Position | LenderPosition | None
    error: ErrorInfo | None = None
    # plans run after the first one by the same write (a close's sweep of leftover collateral)
    followups: list[ExecutionResult] = field(default_factory=list)

    @property
    def projected_position(self) -> Position | None:
        """A vault write's position after the plan, as previewed (dry runs show it)."""
        summary = (self.plan or {}).get("summary") or {}
        projected = summary.get("projected_position")
        return projected if isinstance(projected, Position) else None

    @property
    def tx_hashes(self) -> list[str]:
        first = [] if self.execution is None else self.execution.tx_hashes
        return first + [h for f in self.followups for h in f.tx_hashes]


@dataclass(frozen=True)
class SubmitResult(WriteResult):
    """What `ion submit` returns: the write (plan, execution, position) and the feed's side.

    `accepted` is None on a dry run; `previous` and `latest` are the feed's accepted score
    before and after (ion_cli.zk.feed.Latest as JSON); `oracle` the reserve oracle after;
    `receipt` the receipt file that now records the submission; `next_update` says when the
    reserve rate may move when the cooldown kept this submission from updating it."""

    accepted: bool | None = None
    feed: str = ""
    previous: FeedScore | None = None
    latest: FeedScore | None = None
    oracle: OracleView | None = None
    receipt: str = ""
    reserve_rate_updated: bool | None = None
    next_update: str | None = None
    pending: FeedSubmission | None = None  # the submission, pending in its challenge window


@dataclass(frozen=True)
class OracleUpdateResult(WriteResult):
    """What `ion oracle update` returns: the write and the oracle before and after (after is
    None on a dry run), each as `ion oracle show --json` gives it."""

    before: OracleView | None = None
    after: OracleView | None = None
