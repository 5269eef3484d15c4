"""Events from the timer thread and the job runner to whichever frontends listen."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)
E = TypeVar("E")


class Listeners(Generic[E]):
    """Frontends subscribe; a listener that fails is logged and the others still hear."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._listeners: list[Callable[[E], None]] = []

    def subscribe(self, listener: Callable[[E], None]) -> None:
        self._listeners.append(listener)

    def emit(self, events: Iterable[E]) -> None:
        for event in events:
            for listener in self._listeners:
                try:
                    listener(event)
                except Exception:  # a broken frontend must not stop the quiz or the job
                    log.exception("%s listener failed", self.name)
