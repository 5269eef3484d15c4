"""Leases of the long-running processes (bot, console, job runner) that share a database."""

from __future__ import annotations

from sqlite_utils import Database

from bot.store.database import utc_now


def renew(db: Database, lease_id: str, pid: int, host: str, kind: str, now: float) -> None:
    db.execute(
        "INSERT INTO leases (id, pid, host, kind, started_at, heartbeat) VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(id) DO UPDATE SET heartbeat = excluded.heartbeat",
        [lease_id, pid, host, kind, utc_now(), now],
    )


def release(db: Database, lease_id: str) -> None:
    db.execute("DELETE FROM leases WHERE id = ?", [lease_id])


def alive(db: Database, since: float) -> set[str]:
    """Ids of leases renewed after `since` (the others' owners are taken for dead)."""
    rows = db.execute("SELECT id FROM leases WHERE heartbeat >= ?", [since])
    return {r[0] for r in rows}


def forget_dead(db: Database, before: float) -> None:
    db.execute("DELETE FROM leases WHERE heartbeat < ?", [before])
