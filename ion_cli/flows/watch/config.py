"""What a watch is asked to watch, and the durations its options take."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ion_cli.errors import UsageError

# What `ion watch --once` exits with when an alert fired (the README documents it).
EXIT_ALERT = 6


@dataclass(frozen=True)
class WatchConfig:
    markets: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    lrts: tuple[str, ...] = ()
    min_health: Decimal = Decimal("1.2")
    interval: float = 12.0
    max_proof_age: int | None = 86_400  # seconds; None: not checked
    once: bool = False
    beacon_urls: tuple[str, ...] = ()
    max_cycles: int | None = None  # stop after this many cycles (scripts, benchmarks)
    use_events: bool = True  # follow the beacon node's event stream when it offers one
    restaking: tuple[str, ...] = ()  # LRTs whose EigenLayer operators are watched
    challenge: bool = False  # send the fraud proof of a false pending risk submission
    trees: tuple[str, ...] = ()  # where submitters' published trees are looked for

    @property
    def keeps_vaults(self) -> bool:
        """--market and no --address: the market's vaults that became liquidatable."""
        return bool(self.markets) and not self.addresses


def parse_duration(value: str, what: str) -> float:
    """12, 12s, 5m, 2h, 1d -> seconds."""
    raw = value.strip().lower()
    units = {"s": 1, "m": 60, "h": 3600, "d": 86_400}
    scale = 1
    if raw and raw[-1] in units:
        scale = units[raw[-1]]
        raw = raw[:-1]
    try:
        if not raw.isascii():  # Decimal() takes any Unicode digit
            raise ValueError(raw)
        number = Decimal(raw)
    except Exception:
        raise UsageError(f"{what}: {value!r} is not a duration (12s, 5m, 2h, 1d)") from None
    if not number.is_finite() or number <= 0 or number * scale > 365 * 86_400:
        raise UsageError(f"{what}: {value!r} must be a positive duration of at most a year")
    return float(number * scale)
