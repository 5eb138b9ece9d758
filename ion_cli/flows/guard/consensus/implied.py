"""`--deleverage-on-score H`: the vault's health a risk score implies, before the rate moves.

Pure (integers, the contracts' arithmetic). A market's risk feed answers the reserve oracle
`base rate x (1 - haircut)` with the haircut of its FINAL submission (`RiskFeed.getExchangeRate`);
the oracle aims at `min(protocol rate, mean of its counted feeds)` and moves towards it by at most
`MAX_CHANGE` per update. A new score (final, or pending and checked) therefore implies a target
rate: the oracle's, with this feed's answer replaced by `base x (1 - new haircut)`. The vault's
health at that target (`position_math.health`, as `Liquidation` computes it) is where the vault
is heading once the oracle catches up: the figure the trigger compares with H.
"""

from __future__ import annotations

from dataclasses import dataclass

from ion_cli import position_math as pm

WAD = 10**18


@dataclass(frozen=True)
class OracleView:
    """What the implied rate needs from a reserve oracle (`chain.reserve_oracle.OracleStatus`
    has these fields)."""

    current_rate: int  # WAD
    protocol_rate: int  # WAD
    feed_rates: tuple[int, ...]  # WAD, the counted feeds (the first `quorum`)
    feeds: tuple[str, ...]
    quorum: int


def feed_answer(base_rate: int, haircut_wad: int) -> int:
    """What the risk feed answers with `haircut_wad` final (its own rounding)."""
    return base_rate * (WAD - haircut_wad) // WAD


def implied_target(oracle: OracleView, feed: str, feed_rate: int) -> int | None:
    """The oracle's target with `feed` answering `feed_rate`; None when the oracle does not
    count that feed (then the score moves nothing)."""
    counted = [f.lower() for f in oracle.feeds[: oracle.quorum]]
    if feed.lower() not in counted or not oracle.quorum:
        return None
    rates = list(oracle.feed_rates)
    if len(rates) < len(counted):
        return None
    for i, f in enumerate(counted):
        if f == feed.lower():
            rates[i] = feed_rate
    mean = sum(rates[: oracle.quorum]) // oracle.quorum
    return min(oracle.protocol_rate, mean)


@dataclass(frozen=True)
class ImpliedHealth:
    haircut_wad: int
    feed_rate: int  # WAD: what the feed would answer
    target_rate: int  # WAD: the oracle's target then
    current_rate: int  # WAD: the reserve rate now
    health_now: int | None  # RAY (None: no debt)
    health: int | None  # RAY at the target (None: no debt)

    def below(self, level: int) -> bool:
        """The trigger's condition: the implied health under `level` (RAY)."""
        return self.health is not None and self.health < level


def implied_health(
    *,
    collateral: int,
    normalized_debt: int,
    rate: int,
    liquidation_threshold: int,
    oracle: OracleView,
    feed: str,
    base_rate: int,
    haircut_wad: int,
) -> ImpliedHealth | None:
    """The vault's health once the reserve rate reaches what `haircut_wad` implies (None when
    the oracle does not count the feed). The target is never above the current rate's path:
    a score that implies a rise leaves the health as the target gives it (no clamp is modelled,
    the clamp only delays)."""
    answer = feed_answer(base_rate, haircut_wad)
    target = implied_target(oracle, feed, answer)
    if target is None:
        return None
    args = (collateral, normalized_debt, rate)
    return ImpliedHealth(
        haircut_wad=haircut_wad,
        feed_rate=answer,
        target_rate=target,
        current_rate=oracle.current_rate,
        health_now=pm.health(*args, oracle.current_rate, liquidation_threshold),
        health=pm.health(*args, target, liquidation_threshold),
    )
