"""Leases of the long-running processes (bot, console, job runner) that share a database."""

from __future__ import annotations

from typing import Any

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


def renewed_since(db: Database, since: float) -> list[dict[str, Any]]:
    """Leases renewed after `since` (the others' owners are taken for dead), with the process
    that holds each, so the caller can tell a live process from a killed one on its own host."""
    return list(
        db.query("SELECT id, pid, host, kind, started_at FROM leases WHERE heartbeat >= ?", [since])
    )


def forget_dead(db: Database, before: float) -> None:
    db.execute("DELETE FROM leases WHERE heartbeat < ?", [before])
