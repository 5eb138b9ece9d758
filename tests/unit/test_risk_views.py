"""The risk scores of `ion markets`/`ion position`: every feed in one batch, one bad feed alone."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ion_cli.chain.plan import Call
from ion_cli.chain.rpc import Reader
from ion_cli.errors import NodeError
from ion_cli.zk.feed import risk_views

GOOD = "0x" + "11" * 20
BAD = "0x" + "22" * 20
ROOT = b"\x01" * 32


class FakeReader(Reader):
    """Answers RiskFeed.latest/MODEL_HASH/GENESIS_TIME; any batch naming BAD fails."""

    def __init__(self) -> None:
        self.batches: list[int] = []

    def read(self, calls: Sequence[Call], block: Any = "latest", action: str = "") -> list[Any]:
        self.batches.append(len(calls))
        if any(c.to.lower() == BAD for c in calls):
            raise NodeError("execution reverted")
        answers: list[Any] = []
        for _ in range(0, len(calls), 3):
            latest = (100, 1_000, 10**16, 2 * 10**16, ROOT, ROOT, GOOD, ROOT, ROOT)
            answers += [latest, b"\x02" * 32, 1_606_824_023]
        return answers


def test_all_feeds_in_one_batch_in_market_order() -> None:
    reader = FakeReader()
    views = risk_views(reader, [GOOD, None, GOOD], now=1_606_824_023 + 2_000, block=5)
    assert reader.batches == [3]  # one round trip, the repeated feed read once
    assert views[1] is None
    assert views[0] == views[2] and views[0] is not None and views[0]["accepted"] is True


def test_one_failing_feed_shows_its_error_and_the_others_their_score() -> None:
    reader = FakeReader()
    views = risk_views(reader, [GOOD, BAD], now=1_606_824_023 + 2_000, block=5)
    assert reader.batches == [6, 3, 3]  # the batch, then each on its own
    assert views[0] is not None and views[0]["accepted"] is True
    assert views[1] == {"feed": BAD, "accepted": False, "error": "execution reverted"}


def test_no_feed_reads_nothing() -> None:
    reader = FakeReader()
    assert risk_views(reader, [None, None], now=0) == [None, None]
    assert reader.batches == []
