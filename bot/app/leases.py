"""This process's lease: long-running processes renew it with a heartbeat, and recovery only
touches work whose owner is gone (its lease ran out, or its process on this host no longer
exists: a crashed bot, a killed `tutor finetune`), never the live work of another process that
shares the database."""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import time
import uuid
from typing import Any

import psutil

from bot.config import Settings
from bot.store import Store
from bot.store import leases as rows


class Lease:
    def __init__(self, store: Store, settings: Settings, kind: str) -> None:
        self.store, self.settings = store, settings
        self.kind = kind
        self.id = f"{kind}-{uuid.uuid4().hex[:12]}"
        self._held = False
        self._renewed = float("-inf")
        self._lock = threading.Lock()

    @property
    def seconds(self) -> float:
        return self.settings.lease_seconds

    def hold(self) -> str:
        """Take the lease (or renew it when a heartbeat is due); returns its id."""
        with self._lock:
            now = time.time()
            if not self._held or now - self._renewed >= self.settings.heartbeat_seconds:
                self.store.write(
                    rows.renew, self.id, os.getpid(), socket.gethostname(), self.kind, now
                )
                self._held, self._renewed = True, now
        return self.id

    def heartbeat(self) -> None:
        if self._held:
            self.hold()

    def alive(self) -> set[str]:
        """Ids of the leases still held, this one included once it is held."""
        renewed = self.store.run(rows.renewed_since, time.time() - self.seconds)
        return {lease["id"] for lease in live(renewed)}

    def release(self) -> None:
        with self._lock:
            if self._held:
                self.store.write(rows.release, self.id)
                self._held = False


def live(leases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The leases (renewed recently) whose process still runs. A lease on this host whose
    process is gone (`kill -9`) is dead at once: any command that looks can recover its work,
    without waiting for the lease to run out."""
    here = socket.gethostname()
    return [
        lease
        for lease in leases
        if lease["host"] != here or _running(lease["pid"], lease["started_at"])
    ]


def _running(pid: int, started_at: str | None) -> bool:
    """True if `pid` is still the process that took the lease (pids are reused: a process
    started after the lease is another one)."""
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:  # killed, not yet reaped by its parent
            return False
        created = process.create_time()
    except (psutil.Error, OSError):
        return False
    if not started_at:
        return True
    # started_at is whole seconds; the lease is taken after its process starts.
    return created <= dt.datetime.fromisoformat(started_at).timestamp() + 1
