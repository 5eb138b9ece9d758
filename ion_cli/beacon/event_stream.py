"""The beacon node's server-sent event stream (`/eth/v1/events`), as a wake-up signal.

A daemon thread reads the `finalized_checkpoint` and `head` topics and sets `wake` on each event;
a node without the stream (or down) leaves its reader to poll. No event is parsed: who waits
re-reads what it needs through the API.
"""

from __future__ import annotations

import threading


class EventStream:
    """Wakes the loop on the node's `finalized_checkpoint` and `head` events (a daemon thread
    reading the server-sent events); a node without the stream leaves the loop to its polling."""

    def __init__(self, urls: list[str]) -> None:
        self.urls = urls
        self.wake = threading.Event()
        self.stopped = threading.Event()
        self.offered: bool | None = None  # None: not known yet
        self.connected = threading.Event()  # set while a stream is open
        self._thread = threading.Thread(target=self._run, name="ion-watch-events", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import httpx

        while not self.stopped.is_set():
            for url in self.urls:
                if self.stopped.is_set():
                    return
                try:
                    with (
                        httpx.Client(timeout=httpx.Timeout(30.0, connect=5.0)) as client,
                        client.stream(
                            "GET",
                            f"{url.rstrip('/')}/eth/v1/events",
                            params={"topics": "finalized_checkpoint,head"},
                            headers={"Accept": "text/event-stream"},
                        ) as response,
                    ):
                        if response.status_code != 200:
                            self.offered = False
                            continue
                        self.offered = True
                        self.connected.set()
                        for line in response.iter_lines():
                            if self.stopped.is_set():
                                return
                            if line.startswith("event:"):
                                self.wake.set()
                except Exception:
                    pass  # the node is down or the stream broke: the loop polls meanwhile
                self.connected.clear()
            self.stopped.wait(5.0)

    def wait(self, seconds: float) -> None:
        self.wake.wait(seconds)
        self.wake.clear()

    def close(self) -> None:
        self.stopped.set()
        self.wake.set()
