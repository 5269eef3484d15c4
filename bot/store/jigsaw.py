"""Jigsaw activities (per server): their state, and the mastery grid stored at the end."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from bot.store.database import latest, next_number, utc_now
from bot.store.database import reopen as reopen_row
from bot.store.enums import ActivityStatus
from skills.jigsaw import Activity

TABLE = "jigsaw_activities"


def insert(
    db: Database,
    server: str,
    channel: str,
    mapping: dict[int, str],
    activity: Activity,
    by: str,
    owner: str,
) -> int:
    row = {
        "server": server,
        "number": next_number(db, TABLE, server),
        "channel": channel,
        "team_channels": json.dumps(mapping),
        "state": json.dumps(activity.to_dict()),
        "status": activity.status,
        "started_by": by,
        "started_at": utc_now(),
        "owner": owner,
    }
    pk = db.table("jigsaw_activities").insert(row).last_pk
    assert pk is not None
    return int(pk)


def update(
    db: Database,
    activity_id: int,
    activity: Activity,
    quiz_session: int | None,
    saved_at: float | None = None,
) -> None:
    """Save the activity's state; `saved_at` (its clock) lets a resume know the time left."""
    db.table("jigsaw_activities").update(
        activity_id,
        {
            "state": json.dumps({**activity.to_dict(), "saved_at": saved_at}),
            "status": activity.status,
            "quiz_session_id": quiz_session,
        },
    )


def end(
    db: Database,
    activity_id: int,
    status: ActivityStatus,
    grid: dict[str, Any] | None,
    png: str | None,
) -> None:
    mastery = json.dumps(grid) if grid is not None else None
    db.table("jigsaw_activities").update(
        activity_id,
        {"status": status.value, "ended_at": utc_now(), "mastery": mastery, "mastery_png": png},
    )


def mark_interrupted(db: Database, now: str, alive: set[str]) -> list[dict[str, Any]]:
    """Live activities whose owning process is gone (no live lease), now "interrupted"."""
    report = []
    live = (ActivityStatus.RUNNING.value, ActivityStatus.PAUSED.value)
    for row in db.table("jigsaw_activities").rows_where("status IN (?, ?)", live):
        if row["owner"] in alive:
            continue
        activity = Activity.from_dict(json.loads(row["state"]))
        covered, total = activity.progress()
        phase = activity.phase.label if activity.phase else activity.status
        db.table("jigsaw_activities").update(
            row["id"], {"status": ActivityStatus.INTERRUPTED.value, "ended_at": now}
        )
        report.append(
            {
                "id": row["id"],
                "number": row["number"],
                "server": row["server"],
                "channel": row["channel"],
                "phase": phase,
                "covered": covered,
                "total": total,
            }
        )
    return report


def with_grid(db: Database, server: str, number: int | None) -> dict[str, Any] | None:
    """The server's finished activity #`number` with its mastery grid (default: the latest)."""
    where = "server = ? AND mastery IS NOT NULL"
    params: list[Any] = [server]
    if number is not None:
        where += " AND number = ?"
        params.append(number)
    return latest(db, TABLE, where, params)


def interrupted_in(db: Database, server: str, channel: str) -> dict[str, Any] | None:
    where = "server = ? AND channel = ? AND status = ?"
    return latest(db, TABLE, where, [server, channel, ActivityStatus.INTERRUPTED.value])


def reopen(db: Database, activity_id: int, owner: str) -> None:
    reopen_row(db, TABLE, activity_id, ActivityStatus.RUNNING.value, owner)
