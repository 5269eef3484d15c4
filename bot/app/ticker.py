"""One background thread that drives every timer (quiz questions, jigsaw phases)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)


class Ticker:
    def __init__(self, callbacks: list[Callable[[], None]], interval: float = 0.25) -> None:
        self._callbacks = callbacks
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="tutor-ticker", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            for callback in self._callbacks:
                try:
                    callback()
                except Exception:  # one failing timer must not stop the others
                    log.exception("timer callback failed")

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=2)


def every(seconds: float, work: Callable[[], object]) -> Callable[[], None]:
    """A ticker callback that runs `work` at most once per `seconds` (first on the first tick)."""
    last = [float("-inf")]

    def maybe() -> None:
        now = time.monotonic()
        if now - last[0] >= seconds:
            last[0] = now
            work()

    return maybe
