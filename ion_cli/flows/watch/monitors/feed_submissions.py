"""Every pending risk submission of a watched market's feed, judged against the beacon state at
its root (`ion_cli.flows.challenge.judge`, once per submission): a false one is an alert that
holds while it is pending (a condition), and with `--challenge` its fraud proof is sent in the
same cycle, under the journal like every write."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ion_cli.errors import IonError
from ion_cli.flows.watch.events import WatchEvent
from ion_cli.flows.watch.monitor import BlockMonitor, register

if TYPE_CHECKING:
    from ion_cli.chain.market_state import MarketState
    from ion_cli.flows.watch.context import WatchContext


@dataclass(frozen=True, kw_only=True)
class FalseSubmission(WatchEvent):
    kind: ClassVar[str] = "false_submission"
    alert: ClassVar[bool] = True

    market: str
    feed: str
    submission: int
    slot: int
    deadline: int
    finding: str | None  # the fraud proof's kind (None: the submitter's tree is not at hand)
    provable: bool


@dataclass(frozen=True, kw_only=True)
class FalseSubmissionClosed(WatchEvent):
    kind: ClassVar[str] = "false_submission_closed"

    market: str
    feed: str
    submission: int
    status: str  # rejected (a challenge landed), or final/superseded (the window passed)


@dataclass(frozen=True, kw_only=True)
class SubmissionChallenged(WatchEvent):
    kind: ClassVar[str] = "submission_challenged"

    market: str
    feed: str
    submission: int
    function: str
    tx_hash: str | None
    ok: bool


@dataclass
class _Seen:
    sound: bool
    why: str
    judgement: Any = None  # flows.challenge.Judgement of a provable false one
    finding: str | None = None
    challenged: bool = False


@register
class FeedSubmissionMonitor(BlockMonitor):
    name: ClassVar[str] = "feed_submissions"
    order: ClassVar[int] = 45

    def __init__(self, watch: WatchContext) -> None:
        super().__init__(watch)
        self._seen: dict[tuple[str, int], _Seen] = {}

    @classmethod
    def wanted(cls, watch: WatchContext) -> bool:
        return bool(watch.markets)

    def describe(self) -> str | None:
        if self.watch.config.challenge:
            return "pending risk submissions (false ones challenged)"
        return "pending risk submissions"

    def reset(self) -> None:
        self._seen.clear()

    def _lrt_watched(self, symbol: str) -> bool:
        lrts = {x.lower() for x in self.watch.lrts}
        return not lrts or symbol.lower() in lrts

    def on_market(self, market: MarketState) -> list[WatchEvent]:
        watch = self.watch
        feed = getattr(watch.session.profile.market(market.symbol), "risk_feed", None)
        if not feed or not self._lrt_watched(market.symbol):
            return []
        from ion_cli.chain.contracts import Contract
        from ion_cli.zk.challenge_chain import read_known_submissions

        reader = watch.session.reader()
        try:
            ids = [
                int(i)
                for i in reader.read_one(
                    Contract(feed, interface="RiskFeed").pendingIds(), market.block, ""
                )
            ]
            pending = read_known_submissions(reader, feed, ids, market.block) if ids else []
            now = int(reader.block(market.block)["timestamp"])
        except IonError:
            return []  # a feed without bonded submissions (an older deployment)
        events: list[WatchEvent] = []
        open_ids = set()
        for sub in pending:
            key = (feed.lower(), sub.id)
            open_ids.add(sub.id)
            seen = self._seen.get(key)
            if seen is None:
                if not sub.open(now):
                    continue  # its window passed before we saw it: nothing left to do
                seen = self._judge(market.symbol, sub.id)
                if seen is None:
                    continue  # could not judge now (node down): next cycle
                self._seen[key] = seen
            if seen.sound:
                continue
            events += watch.condition(
                f"false-submission:{feed.lower()}:{sub.id}",
                True,
                FalseSubmission(
                    message=f"{market.symbol}: risk submission {sub.id} (slot {sub.slot}) is "
                    f"false: {seen.why}",
                    market=market.symbol,
                    feed=feed,
                    submission=sub.id,
                    slot=sub.slot,
                    deadline=sub.deadline,
                    finding=seen.finding,
                    provable=seen.judgement is not None,
                ),
                None,
            )
            challenge = watch.config.challenge and seen.judgement is not None
            if challenge and not seen.challenged and sub.open(now):
                events.append(self._challenge(market.symbol, feed, seen))
        for (f, id_), seen in list(self._seen.items()):
            if f != feed.lower() or id_ in open_ids or seen.sound:
                continue
            status = read_known_submissions(reader, feed, [id_], market.block)[0].status
            events += watch.condition(
                f"false-submission:{f}:{id_}",
                False,
                FalseSubmission(
                    message="",
                    market="",
                    feed="",
                    submission=0,
                    slot=0,
                    deadline=0,
                    finding=None,
                    provable=False,
                ),
                FalseSubmissionClosed(
                    message=f"{market.symbol}: the false risk submission {id_} is {status}",
                    market=market.symbol,
                    feed=feed,
                    submission=id_,
                    status=status,
                ),
            )
            del self._seen[(f, id_)]
        return events

    def _judge(self, market: str, submission: int) -> _Seen | None:
        from ion_cli.flows import challenge as ch

        trees = [Path(t) for t in self.watch.config.trees]
        try:
            j = ch.judge(self.watch.session, market, submission, trees, lambda _: None)
        except ch.ChallengeUnprovable as exc:
            return _Seen(sound=False, why=exc.message)
        except IonError:
            return None
        if j.sound:
            return _Seen(sound=True, why=j.why)
        finding = j.verdict.finding.kind if j.verdict and j.verdict.finding else None
        return _Seen(sound=False, why=j.why, judgement=j, finding=finding)

    def _challenge(self, market: str, feed: str, seen: _Seen) -> WatchEvent:
        from ion_cli.flows import challenge as ch
        from ion_cli.flows.tx import guarded_write
        from ion_cli.flows.writes import WriteOptions

        j = seen.judgement
        session = self.watch.session
        seen.challenged = True
        tx_hash: str | None = None
        ok = False
        try:
            result = guarded_write(
                session,
                WriteOptions(yes=True),
                intent=f"challenge {j.market.lower()} {j.feed.lower()} {j.submission.id}",
                market=market,
                explicit_network=session.network is not None,
                run_flow=lambda o: ch.challenge(session, j, o),
            )
            hashes = result.tx_hashes
            tx_hash = hashes[0] if hashes else None
            ok = True
            message = f"{market}: challenged the false submission {j.submission.id}"
        except IonError as exc:
            message = (
                f"{market}: the challenge of submission {j.submission.id} failed: {exc.message}"
            )
        return SubmissionChallenged(
            message=message,
            market=market,
            feed=feed,
            submission=j.submission.id,
            function=j.proof.function if j.proof else "",
            tx_hash=tx_hash,
            ok=ok,
        )
