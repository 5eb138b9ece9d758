"""What the consensus-layer triggers read: the LRT's validator set at a finalized state, its
AVS slashes over a block range, a feed's final and pending scores (and a pending one judged as
`ion challenge` judges it), and the vault and oracle figures the implied health needs.

Each returns the plain figures the pure modules (`slashing`, `avs`, `pending`, `implied`) take.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ion_cli.errors import IonError, UsageError
from ion_cli.flows.guard.consensus import pending as pd
from ion_cli.flows.guard.consensus.avs import AvsSlash
from ion_cli.flows.guard.consensus.implied import OracleView

if TYPE_CHECKING:
    from ion_cli.adapters import RestakingStaker
    from ion_cli.beacon.client import BeaconClient
    from ion_cli.beacon.snapshot import StateRef, Validator
    from ion_cli.flows.session import Session

REFRESH_EPOCHS = 225  # about a day: look the set up by credentials again (new validators)


class LrtSet:
    """One LRT's validators, found once through its adapter's withdrawal credentials (the
    credential index cache of `ion validators`), then read by index at each state (no full
    scan per epoch); looked up by credentials again every `REFRESH_EPOCHS`."""

    def __init__(self, session: Session, symbol: str) -> None:
        self.session = session
        self.symbol = symbol
        self._credentials: tuple[tuple[str, ...], tuple[str, ...]] | None = None
        self.ids: list[int] = []
        self.looked_up_epoch = -1

    def _token(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        if self._credentials is None:
            from ion_cli.flows.validators import token_validators

            s = self.session
            token = token_validators(self.symbol, s.network, s.rpc_url)
            if not token.credentials and not token.ids:
                raise UsageError(
                    f"{self.symbol}: its adapter cannot enumerate the validators here "
                    f"({token.method})"
                )
            self.symbol = token.symbol
            self._credentials = (token.credentials, token.ids)
        return self._credentials

    def read(self, client: BeaconClient, ref: StateRef) -> tuple[Validator, ...]:
        from ion_cli.beacon.fetch import snapshot_of_credentials

        if self.ids and 0 <= ref.epoch - self.looked_up_epoch < REFRESH_EPOCHS:
            answer = client.validators(ref.state_root, [str(i) for i in self.ids])
            return tuple(answer.validators)
        credentials, ids = self._token()
        snapshot = snapshot_of_credentials(client, credentials, ref.state_root, ids=ids)
        self.ids = [v.index for v in snapshot.validators]
        self.looked_up_epoch = ref.epoch
        return snapshot.validators


def finalized(client: BeaconClient) -> StateRef:
    from ion_cli.beacon.fetch import resolve_state

    return resolve_state(client, "finalized")


def open_beacon(session: Session, urls: Sequence[str] = ()) -> BeaconClient:
    from ion_cli.flows.validators import BeaconOptions, open_client

    return open_client(BeaconOptions(urls=list(urls), network=session.network))


# ---- AVS slashes -------------------------------------------------------------------------------


def avs_slashes(session: Session, symbol: str, lo: int, hi: int) -> list[AvsSlash]:
    """The `OperatorSlashed` events in blocks [lo, hi] of operators the LRT delegates to, with
    what each took from the LRT and what it held just before."""
    from ion_cli.chain.eigenlayer import OPERATOR_SLASHED, decode_slashes, topic
    from ion_cli.flows.restaking import (
        adapter_context,
        eigenlayer_reader,
        lrt_withdrawable_at,
        restaking_source,
    )
    from ion_cli.plugins_registry import load
    from ion_cli.restaking_math import lost_to_slash

    if hi < lo:
        return []
    adapter = load(symbol.lower())
    ctx = adapter_context(session, hi)
    el = eigenlayer_reader(session, ctx)
    logs = ctx.logs(el.el.allocation_manager, [topic(OPERATOR_SLASHED)], lo, hi)
    slashes = decode_slashes(logs, el.strategy)
    if not slashes:
        return []  # (the usual case: the LRT's delegation is read only when there is a slash)
    source = restaking_source(adapter, ctx)
    by_operator: dict[str, list[RestakingStaker]] = {}
    for s in source.stakers:
        if s.operator is not None:
            by_operator.setdefault(s.operator.lower(), []).append(s)
    found: list[AvsSlash] = []
    for slash in slashes:
        mine = by_operator.get(slash.operator.lower())
        if not mine:
            continue
        behind = lrt_withdrawable_at(el, mine, slash.block - 1)
        held = lrt_withdrawable_at(el, source.stakers, slash.block - 1)
        found.append(
            AvsSlash(
                lrt=adapter.symbol,
                operator=slash.operator,
                avs=slash.avs,
                operator_set=slash.id,
                wad_slashed=slash.wad_slashed,
                lost_wei=lost_to_slash(behind, slash.wad_slashed),
                held_wei=held,
                block=slash.block,
                transaction_hash=slash.transaction_hash,
                log_index=slash.log_index,
                description=slash.description,
            )
        )
    return found


def check_restaking(session: Session, symbol: str) -> None:
    """A usage error unless the LRT's restaking can be followed here: its adapter says where
    its restaked ETH sits, and EigenLayer's contracts are known on this network."""
    from ion_cli.flows.restaking import adapter_context, eigenlayer_reader, restaking_source
    from ion_cli.plugins_registry import load

    adapter = load(symbol.lower())
    try:
        ctx = adapter_context(session)
        eigenlayer_reader(session, ctx)
        source = restaking_source(adapter, ctx)
    except IonError as exc:
        raise UsageError(
            f"{adapter.symbol}: its restaking cannot be followed here: {exc.message}"
        ) from None
    if not source.stakers:
        raise UsageError(f"{adapter.symbol}: its adapter names no EigenLayer stakers here")


# ---- scores ------------------------------------------------------------------------------------


def feed_of(session: Session, market: str) -> str:
    feed = getattr(session.profile.market(market), "risk_feed", None)
    if not feed:
        raise UsageError(f"{market}: this market has no risk feed to read scores from")
    return str(feed)


def scores(session: Session, market: str) -> tuple[pd.Score | None, list[pd.Score]]:
    """The feed's final score (None before the first) and its pending submissions."""
    from ion_cli.chain.contracts import Contract
    from ion_cli.zk.feed import read_latest, read_pending

    feed = feed_of(session, market)
    reader = session.reader()
    latest = read_latest(reader, feed)
    final = None
    if latest.accepted:
        final_id = int(reader.read_one(Contract(feed, interface="RiskFeed").finalId()))
        final = pd.Score(feed, pd.FINAL, final_id, latest.slot, latest.haircut_wad)
    waiting = [
        pd.Score(feed, pd.PENDING, s.id, s.slot, s.haircut_wad) for s in read_pending(reader, feed)
    ]
    return final, waiting


def judge(
    session: Session, market: str, trees: Sequence[Path] = ()
) -> Callable[[pd.Score], tuple[pd.Verdict, str]]:
    """A judge of pending scores: `flows.challenge.judge` (the beacon state at the submission's
    root rebuilt and compared with its commitment). False when it is known false (a fraud proof
    found, or none buildable without the submitter's tree); unjudged when it could not be read
    (asked again next time)."""

    def verdict(score: pd.Score) -> tuple[pd.Verdict, str]:
        from ion_cli.flows import challenge as ch

        try:
            j = ch.judge(session, market, score.submission, list(trees), lambda _: None)
        except ch.ChallengeUnprovable as exc:
            return "false", exc.message
        except IonError as exc:
            return "unjudged", exc.message
        return ("sound", j.why) if j.sound else ("false", j.why)

    return verdict


# ---- the vault and the oracle ------------------------------------------------------------------


def oracle_view(session: Session, market: str) -> OracleView:
    from ion_cli.flows.oracle import market_oracle

    s = market_oracle(session, market)
    return OracleView(s.current_rate, s.protocol_rate, s.feed_rates, s.feeds, s.quorum)


def feed_base_rate(session: Session, feed: str) -> int:
    """The rate the feed applies its haircut to (its RATE_SOURCE's protocol rate)."""
    from ion_cli.chain.contracts import Contract

    reader = session.reader()
    source = reader.read_one(Contract(feed, interface="RiskFeed").RATE_SOURCE(), "latest", "")
    call = Contract(str(source), interface="ReserveOracle").getProtocolExchangeRate()
    return int(reader.read_one(call, "latest", f"reading the rate behind the risk feed {feed}"))
