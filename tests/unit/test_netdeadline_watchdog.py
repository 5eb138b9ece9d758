"""The network deadline's watchdog: one thread per transport (not a timer thread per request)
that cuts the request in flight when its deadline passes, and only then."""

from __future__ import annotations

import threading
import time

from ion_cli.netdeadline import Watchdog


def test_an_armed_deadline_that_passes_aborts_once() -> None:
    fired = threading.Event()
    calls: list[float] = []

    def abort() -> None:
        calls.append(time.monotonic())
        fired.set()

    dog = Watchdog(abort)
    dog.arm(0.05)
    assert fired.wait(5)
    time.sleep(0.1)
    assert len(calls) == 1


def test_a_disarmed_deadline_never_aborts_and_one_thread_serves_every_request() -> None:
    calls: list[int] = []
    dog = Watchdog(lambda: calls.append(1))
    before = threading.active_count()
    for _ in range(50):
        dog.arm(0.05)
        dog.disarm()
    assert threading.active_count() <= before + 1
    time.sleep(0.15)  # past every deadline armed above
    assert calls == []
    dog.arm(0.02)  # still serves a later request
    deadline = time.monotonic() + 5
    while not calls and time.monotonic() < deadline:
        time.sleep(0.01)
    assert calls == [1]
