"""This process's lease: long-running processes renew it with a heartbeat, and recovery only
touches work whose owner's lease has run out (a crashed bot, a killed `tutor finetune`), never
the live work of another process that shares the database."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid

from bot.app.resources import Resources
from bot.store import leases as rows


class Lease:
    def __init__(self, res: Resources, kind: str) -> None:
        self.res = res
        self.kind = kind
        self.id = f"{kind}-{uuid.uuid4().hex[:12]}"
        self._held = False
        self._renewed = float("-inf")
        self._lock = threading.Lock()

    @property
    def seconds(self) -> float:
        return self.res.settings.lease_seconds

    def hold(self) -> str:
        """Take the lease (or renew it when a heartbeat is due); returns its id."""
        with self._lock:
            now = time.time()
            if not self._held or now - self._renewed >= self.res.settings.heartbeat_seconds:
                self.res.store.write(
                    rows.renew, self.id, os.getpid(), socket.gethostname(), self.kind, now
                )
                self._held, self._renewed = True, now
        return self.id

    def heartbeat(self) -> None:
        if self._held:
            self.hold()

    def alive(self) -> set[str]:
        """Ids of the leases still held, this one included once it is held."""
        return self.res.store.run(rows.alive, time.time() - self.seconds)

    def release(self) -> None:
        with self._lock:
            if self._held:
                self.res.store.write(rows.release, self.id)
                self._held = False
