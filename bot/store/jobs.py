"""Fine-tune jobs: one queue per database, each job remembering its server and where it ran."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from bot.store.database import id_of_number, next_number, utc_now
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
        "number": next_number(db, "finetune_jobs", server),
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


def active_jobs_of(db: Database, owner: str) -> list[dict[str, Any]]:
    """The owner's queued or running jobs, in any class."""
    return list(
        db.table("finetune_jobs").rows_where(
            "owner = ? AND status IN (?, ?)", [owner, *_ACTIVE], order_by="id"
        )
    )


def claim_next_job(db: Database, now: str, runner: str, limit: int = 1) -> dict[str, Any] | None:
    """Mark the oldest queued job running, in one statement, unless `limit` jobs already run.

    "At most `limit` jobs at once" holds in the database, so a `tutor finetune` in a terminal
    beside a running bot can neither start the same job twice nor run one job too many."""
    cursor = db.execute(
        "UPDATE finetune_jobs SET status = 'running', started_at = ?, runner = ? "
        "WHERE id = (SELECT id FROM finetune_jobs WHERE status = 'queued' ORDER BY id LIMIT 1) "
        "AND (SELECT COUNT(*) FROM finetune_jobs WHERE status = 'running') < ? "
        "RETURNING id",
        [now, runner, limit],
    )
    row = cursor.fetchone()
    if row is None:
        return None
    return job(db, row[0])


def set_runner(
    db: Database, job_id: int, executor: str, pid: int | None, remote_id: str | None
) -> None:
    """Where the job runs: what recovery needs to stop it if its runner dies."""
    db.table("finetune_jobs").update(
        job_id, {"executor": executor, "pid": pid, "remote_id": remote_id}
    )


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


def numbered_job(db: Database, server: str, number: int) -> dict[str, Any] | None:
    """The class's job #`number` (None: this class has no such job)."""
    job_id = id_of_number(db, "finetune_jobs", server, number)
    return job(db, job_id) if job_id is not None else None


def recent_jobs(db: Database, server: str, limit: int) -> list[dict[str, Any]]:
    return list(
        db.table("finetune_jobs").rows_where(
            "server = ?", [server], order_by="id desc", limit=limit
        )
    )


def queued_ids(db: Database) -> list[int]:
    rows = db.execute("SELECT id FROM finetune_jobs WHERE status = 'queued' ORDER BY id")
    return [r[0] for r in rows]


def queued_presets(db: Database) -> list[tuple[int, str | None]]:
    """(id, preset) of each queued job, first in line first."""
    rows = db.execute(
        "SELECT id, json_extract(config, '$.preset') FROM finetune_jobs "
        "WHERE status = 'queued' ORDER BY id"
    )
    return [(r[0], r[1]) for r in rows]


def running_presets(db: Database) -> list[tuple[str | None, str]]:
    """(preset, started_at) of each running job."""
    rows = db.execute(
        "SELECT json_extract(config, '$.preset'), started_at FROM finetune_jobs "
        "WHERE status = 'running' AND started_at IS NOT NULL"
    )
    return [(r[0], r[1]) for r in rows]


def succeeded(db: Database, server: str) -> list[dict[str, Any]]:
    """Every succeeded job of this server, best first (for the leaderboards)."""
    return list(
        db.table("finetune_jobs").rows_where(
            "server = ? AND status = 'succeeded' AND dev_accuracy IS NOT NULL",
            [server],
            order_by="dev_accuracy desc, id",
        )
    )


def recent_durations(db: Database, preset: str, default: str, limit: int = 10) -> list[float]:
    """Seconds from start to end of the latest jobs of `preset` that succeeded (for wait
    estimates; a cancelled or failed job says nothing of how long one takes). Jobs from
    before presets count as `default`."""
    rows = db.execute(
        "SELECT (julianday(ended_at) - julianday(started_at)) * 86400 FROM finetune_jobs "
        "WHERE started_at IS NOT NULL AND ended_at IS NOT NULL AND status = 'succeeded' "
        "AND COALESCE(NULLIF(json_extract(config, '$.preset'), ''), ?) = ? "
        "ORDER BY id DESC LIMIT ?",
        [default, preset, limit],
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
    keep = ("id", "number", "owner", "pid", "executor", "remote_id")
    return [{key: r.get(key) for key in keep} for r in running]
