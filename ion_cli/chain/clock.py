"""The time the next block will carry: the later of the latest block's timestamp (+1, a block's
time never repeats) and now. A quiet chain, a devnet left alone or an L2 can have a latest block
many minutes old, while the next one is mined at the current time: deadlines count from this,
and a plan is simulated at it, so a deadline that the mined block would miss is caught before
the first step is sent. `now` is one function so that a test can agree it with the node's."""

from __future__ import annotations

import time


def now() -> int:
    return int(time.time())


def next_block_time(latest_timestamp: int) -> int:
    return max(int(latest_timestamp) + 1, now())
