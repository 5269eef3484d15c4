"""SQLite storage: one connection, owned by one thread, WAL, schema as migrations.

sqlite-utils `Database` objects are bound to the thread that created them, so every read and
write goes through the store's own thread. Several processes share one database file (the bot,
`tutor chat`, a one-shot `tutor ...`), so:

- WAL: readers never wait for a writer.
- Every write is one `BEGIN IMMEDIATE` transaction (`Store.write`): it takes the write lock up
  front, waiting up to the busy timeout, instead of failing at once when a deferred
  transaction tries to upgrade; a busy or locked database is retried a bounded number of times.
- Migrations run under an exclusive file lock, so two processes starting together on a fresh
  data directory do not race.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from sqlite_utils import Database

from bot.errors import TutorError
from bot.store.migrations import migrations

T = TypeVar("T")
log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
WRITE_ATTEMPTS = 4  # each waits up to the busy timeout for the lock


class StoreUnavailable(TutorError):
    """The database cannot be opened or written; the message says what to do."""


BACKUPS = ("tutor-*.db", "manual-*.db")  # daily and `tutor backup` copies in the backups folder


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def latest(db: Database, table: str, where: str, params: list[Any]) -> dict[str, Any] | None:
    """The newest row of `table` matching `where` (by id), or None."""
    rows = list(db.table(table).rows_where(where, params, order_by="id desc", limit=1))
    return rows[0] if rows else None


# Quizzes, activities and fine-tune jobs are shown to a class by a number of its own (its first
# quiz is "Quiz #1" whatever other classes did); the row id stays the database's key.
NUMBERED = ("quiz_sessions", "jigsaw_activities", "finetune_jobs")


def next_number(db: Database, table: str, server: str) -> int:
    """The next class number for a new row of `table` in `server`. Called inside the insert's
    BEGIN IMMEDIATE transaction, so two processes cannot take the same number."""
    assert table in NUMBERED
    (top,) = db.execute(f"SELECT max(number) FROM {table} WHERE server = ?", [server]).fetchone()
    return int(top or 0) + 1


def number_of(db: Database, table: str, row_id: int) -> int:
    """The class number of row `row_id` of `table`."""
    assert table in NUMBERED
    (number,) = db.execute(f"SELECT number FROM {table} WHERE id = ?", [row_id]).fetchone()
    return int(number)


def id_of_number(db: Database, table: str, server: str, number: int) -> int | None:
    """The row id of the class's `number` in `table`, or None (no such number in this class)."""
    assert table in NUMBERED
    row = db.execute(
        f"SELECT id FROM {table} WHERE server = ? AND number = ?", [server, number]
    ).fetchone()
    return int(row[0]) if row else None


def reopen(db: Database, table: str, row_id: int, status: str, owner: str) -> None:
    """Give interrupted live work (a quiz, an activity) back to a running owner."""
    db.table(table).update(row_id, {"status": status, "ended_at": None, "owner": owner})


# What a read or write raises when the database stays locked, is full or cannot be read, after
# the retries: the store's name for it, so the application need not know the driver.
DatabaseUnavailable = sqlite3.OperationalError


class AlreadyAnswered(Exception):
    """A second answer from the same person to the same question: the unique index refused it."""


def _transient(error: sqlite3.OperationalError) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


class Store:
    """The bot's database. Thread-safe: every call runs on the store's own thread."""

    def __init__(self, path: Path | str, *, backups: Path | None = None) -> None:
        self.path = Path(path)
        self.backups = backups
        self._closed = False
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tutor-store")
        try:
            self._db: Database = self._executor.submit(self._open, str(path)).result()
        except BaseException:
            self._executor.shutdown(wait=False)
            raise

    def _open(self, path: str) -> Database:
        if path == ":memory:":
            db = Database(path)
            migrations.apply(db)
            return db
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _exclusive(self.path.with_name(self.path.name + ".lock")):
            # Checked under the lock: another process may be creating the file right now.
            if self.path.exists() and self.path.stat().st_size == 0:
                raise StoreUnavailable(
                    self._damaged("it is an empty file, not a tutorbot database")
                )
            db = Database(path)
            try:
                db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                db.enable_wal()
                db.execute("PRAGMA foreign_keys = ON")
                migrations.apply(db)
            except sqlite3.DatabaseError as exc:
                db.conn.close()
                if isinstance(exc, sqlite3.OperationalError) and _transient(exc):
                    raise StoreUnavailable(
                        f"The database {self.path} is locked by another program; try again."
                    ) from exc
                raise StoreUnavailable(self._damaged(str(exc))) from exc
        return db

    def _damaged(self, why: str) -> str:
        found = backups_in(self.backups)
        if found:
            return (
                f"The database {self.path} cannot be used: {why}. Restore the newest backup "
                f"({found[-1]}) with `tutor backup restore`; it keeps the damaged file aside "
                f"as {self.path}.damaged-<time>."
            )
        return (
            f"The database {self.path} cannot be used: {why}. Move it aside "
            f"(mv {self.path} {self.path}.damaged) and start with a fresh database."
        )

    def run(self, work: Callable[..., T], *args: Any) -> T:
        """Run `work(db, *args)` on the store thread: reads, and writes that manage their own
        transaction."""
        if self._closed:
            raise RuntimeError("the store is closed")
        return self._executor.submit(work, self._db, *args).result()

    def write(self, work: Callable[..., T], *args: Any) -> T:
        """Run `work(db, *args)` in one BEGIN IMMEDIATE transaction, retrying while another
        process holds the lock. A write that still fails raises sqlite3.OperationalError
        (e.g. "database or disk is full"), and nothing of it is kept."""
        return self.run(_immediate, work, args)

    def backup(self, destination: Path) -> Path:
        """A consistent copy of the live database (SQLite's online backup API)."""
        return self.run(lambda db: _copy(db.conn, destination))

    def close(self) -> None:
        """Close the connection; closing twice (a signal and a `finally`) is harmless."""
        if self._closed:
            return

        def _close(db: Database) -> None:
            db.conn.close()

        self._executor.submit(_close, self._db).result()
        self._closed = True
        self._executor.shutdown(wait=True)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _immediate(db: Database, work: Callable[..., T], args: tuple[Any, ...]) -> T:
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if not _transient(exc) or attempt == WRITE_ATTEMPTS:
                raise
            log.warning("database busy (attempt %d); retrying", attempt)
            time.sleep(0.05 * attempt)
            continue
        try:
            result = work(db, *args)
            db.conn.commit()
            return result
        except BaseException:
            db.conn.rollback()
            raise
    raise AssertionError("unreachable")


@contextlib.contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """An exclusive lock across processes (released when the process dies, too)."""
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- database files, for backups and restores (no Store needed: the database may be damaged) ---


def backups_in(folder: Path | None) -> list[Path]:
    """The backups in `folder`, oldest first."""
    if folder is None or not folder.is_dir():
        return []
    found = {p for pattern in BACKUPS for p in folder.glob(pattern) if p.is_file()}
    return sorted(found, key=lambda p: (p.stat().st_mtime, p.name))


def problem_with(path: Path) -> str | None:
    """Why the file at `path` is not a usable tutorbot database, or None if it is one."""
    if not path.is_file() or path.stat().st_size == 0:
        return "it is an empty file, not a tutorbot database" if path.is_file() else "no file"
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            checked = db.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        return str(exc)
    if checked != "ok":
        return f"its integrity check failed ({checked})"
    if "quiz_sessions" not in tables:
        return "it is not a tutorbot database"
    return None


def leases_in(path: Path, since: float) -> list[dict[str, Any]]:
    """The leases renewed after `since` in the database at `path`, read without opening a
    Store (which would migrate it or take its lock)."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        db.row_factory = sqlite3.Row
        try:
            rows = db.execute(
                "SELECT id, pid, host, kind, started_at FROM leases WHERE heartbeat >= ?",
                [since],
            )
            return [dict(r) for r in rows]
        except sqlite3.OperationalError:  # a database from before leases: nobody holds one
            return []


def replace_with(database: Path, source: Path, aside: Path | None) -> None:
    """Put a copy of `source` where `database` is, under the migration lock, moving the old
    file (and its WAL, whose pages belong to it alone) to `aside` first."""
    with _exclusive(database.with_name(database.name + ".lock")):
        if aside is not None:
            for suffix in ("", "-wal", "-shm"):
                old = database.with_name(database.name + suffix)
                if old.exists():
                    old.replace(aside.with_name(aside.name + suffix))
        with contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src:
            _copy(src, database)


def _copy(connection: sqlite3.Connection, destination: Path) -> Path:
    """Copy a database through SQLite's backup API; the copy appears whole or not at all."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    target = sqlite3.connect(partial)
    try:
        connection.backup(target)
    finally:
        target.close()
    partial.replace(destination)
    return destination
