"""SQLite storage: one connection, owned by one writer thread, WAL, schema as migrations.

sqlite-utils `Database` objects are bound to the thread that created them, so every read and
write goes through `Store.run`, which hands the work to the single store thread. WAL lets other
processes (a second `tutor` command, `sqlite3` by hand) read while the bot writes, and the busy
timeout makes a concurrent writer wait instead of failing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from sqlite_utils import Database

from bot.store.migrations import migrations

T = TypeVar("T")

BUSY_TIMEOUT_MS = 5000


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Store:
    """The bot's database. Thread-safe: every call runs on the store's own thread."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._closed = False
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tutor-store")
        self._db: Database = self._executor.submit(self._open, str(path)).result()

    @staticmethod
    def _open(path: str) -> Database:
        db = Database(path)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if path != ":memory:":
            db.enable_wal()
        db.execute("PRAGMA foreign_keys = ON")
        migrations.apply(db)
        return db

    def run(self, work: Callable[..., T], *args: Any) -> T:
        """Run `work(db, *args)` on the store thread and return its result."""
        return self._executor.submit(work, self._db, *args).result()

    def close(self) -> None:
        """Close the connection; closing twice (a signal and a `finally`) is harmless."""
        if self._closed:
            return
        self._closed = True

        def _close(db: Database) -> None:
            db.conn.close()

        self._executor.submit(_close, self._db).result()
        self._executor.shutdown(wait=True)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
