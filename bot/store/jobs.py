"""Fine-tune jobs: one queue per host (one GPU), each job remembering its server."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from bot.store.database import utc_now
from bot.store.enums import JobStatus

_ACTIVE = (JobStatus.QUEUED.value, JobStatus.RUNNING.value)


def insert_job(
    db: Database,
    *,
    server: str,
    owner: str,
    team: int | None,
    channel: str,
    config: dict[str, Any],
) -> int:
    row = {
        "server": server,
        "owner": owner,
        "team": team,
        "channel": channel,
        "status": JobStatus.QUEUED.value,
        "config": json.dumps(config),
        "created_at": utc_now(),
        "progress": 0.0,
    }
    pk = db.table("finetune_jobs").insert(row).last_pk
    assert pk is not None
    return int(pk)


def active_jobs_of(db: Database, owner: str) -> list[int]:
    rows = db.execute(
        "SELECT id FROM finetune_jobs WHERE owner = ? AND status IN (?, ?)", [owner, *_ACTIVE]
    )
    return [r[0] for r in rows]


def claim_next_job(db: Database, now: str, runner: str) -> dict[str, Any] | None:
    """Mark the oldest queued job running, in one statement, unless a job already runs.

    "One job on the GPU" holds in the database, so a `tutor finetune` in a terminal beside a
    running bot can neither start the same job twice nor run a second job at the same time."""
    cursor = db.execute(
        "UPDATE finetune_jobs SET status = 'running', started_at = ?, runner = ? "
        "WHERE id = (SELECT id FROM finetune_jobs WHERE status = 'queued' ORDER BY id LIMIT 1) "
        "AND NOT EXISTS (SELECT 1 FROM finetune_jobs WHERE status = 'running') "
        "RETURNING id",
        [now, runner],
    )
    row = cursor.fetchone()
    if row is None:
        return None
    return job(db, row[0])


def set_pid(db: Database, job_id: int, pid: int) -> None:
    db.table("finetune_jobs").update(job_id, {"pid": pid})


def set_progress(db: Database, job_id: int, share: float) -> None:
    db.table("finetune_jobs").update(job_id, {"progress": round(share, 4)})


def finish_job(
    db: Database,
    job_id: int,
    status: JobStatus,
    reason: str | None,
    result: dict[str, Any] | None,
) -> None:
    update: dict[str, Any] = {"status": status.value, "ended_at": utc_now(), "reason": reason}
    if result:
        update |= {
            "result": json.dumps(result),
            "dev_accuracy": result.get("dev_accuracy"),
            "progress": 1.0,
            "git_revision": result.get("git_revision"),
            "versions": json.dumps(result.get("versions") or {}),
        }
    db.table("finetune_jobs").update(job_id, update)


def job(db: Database, job_id: int) -> dict[str, Any] | None:
    rows = list(db.table("finetune_jobs").rows_where("id = ?", [job_id]))
    return rows[0] if rows else None


def recent_jobs(db: Database, server: str, limit: int) -> list[dict[str, Any]]:
    return list(
        db.table("finetune_jobs").rows_where(
            "server = ?", [server], order_by="id desc", limit=limit
        )
    )


def queued_ids(db: Database) -> list[int]:
    rows = db.execute("SELECT id FROM finetune_jobs WHERE status = 'queued' ORDER BY id")
    return [r[0] for r in rows]


def succeeded(db: Database, server: str) -> list[dict[str, Any]]:
    """Every succeeded job of this server, best first (for the leaderboards)."""
    return list(
        db.table("finetune_jobs").rows_where(
            "server = ? AND status = 'succeeded' AND dev_accuracy IS NOT NULL",
            [server],
            order_by="dev_accuracy desc, id",
        )
    )


def recent_durations(db: Database, limit: int = 10) -> list[float]:
    """Seconds from start to end of the latest finished jobs (for wait estimates)."""
    rows = db.execute(
        "SELECT (julianday(ended_at) - julianday(started_at)) * 86400 FROM finetune_jobs "
        "WHERE started_at IS NOT NULL AND ended_at IS NOT NULL "
        "AND status IN ('succeeded', 'failed', 'cancelled') ORDER BY id DESC LIMIT ?",
        [limit],
    )
    return [r[0] for r in rows if r[0] is not None and r[0] >= 0]


def request_cancel(db: Database, job_id: int, by: str) -> None:
    """Ask the process running the job to stop it (it checks on every tick)."""
    db.execute("UPDATE finetune_jobs SET cancel_requested = ? WHERE id = ?", [by, job_id])


def cancel_request(db: Database, job_id: int) -> str | None:
    row = db.execute("SELECT cancel_requested FROM finetune_jobs WHERE id = ?", [job_id])
    found = row.fetchone()
    return found[0] if found else None


def fail_orphans(db: Database, alive: set[str], reason: str) -> list[dict[str, Any]]:
    """Running jobs whose runner process is gone (no live lease): failed with `reason`.
    Returns them with the trainer's pid, which the caller stops if it still runs."""
    running = [
        r
        for r in db.table("finetune_jobs").rows_where("status = 'running'")
        if r["runner"] not in alive
    ]
    for row in running:
        db.table("finetune_jobs").update(
            row["id"],
            {"status": JobStatus.FAILED.value, "ended_at": utc_now(), "reason": reason},
        )
    return [{"id": r["id"], "owner": r["owner"], "pid": r["pid"]} for r in running]


def running_job(db: Database) -> int | None:
    row = db.execute("SELECT id FROM finetune_jobs WHERE status = 'running' LIMIT 1").fetchone()
    return row[0] if row else None
