"""Who is who in a class: people's display names, team membership and team channels.

A person is a stable id (a Discord user id, or a console user name) with the display name
they last acted under; membership and channels belong to a server."""

from __future__ import annotations

from sqlite_utils import Database

from bot.store.database import utc_now
from bot.store.migrations import DIRECT_MESSAGES


def remember_person(db: Database, person_id: str, name: str) -> None:
    db.execute(
        "INSERT INTO people (id, name, seen_at) VALUES (?, ?, ?) "
        "ON CONFLICT(id) DO UPDATE SET name = excluded.name, seen_at = excluded.seen_at",
        [person_id, name, utc_now()],
    )


def names(db: Database, person_ids: list[str]) -> dict[str, str]:
    if not person_ids:
        return {}
    marks = ",".join("?" * len(person_ids))
    rows = db.execute(f"SELECT id, name FROM people WHERE id IN ({marks})", person_ids)
    return dict(rows.fetchall())


def join_team(db: Database, server: str, user: str, team: int) -> None:
    row = {"server": server, "user": user, "team": team, "joined_at": utc_now()}
    db.table("members").upsert(row, pk=("server", "user"))


def team_of(db: Database, server: str, user: str) -> int | None:
    row = db.execute(
        "SELECT team FROM members WHERE server = ? AND user = ?", [server, user]
    ).fetchone()
    return row[0] if row else None


def members(db: Database, server: str) -> dict[str, int]:
    rows = db.execute("SELECT user, team FROM members WHERE server = ?", [server])
    return dict(rows.fetchall())


def set_team_channel(db: Database, server: str, team: int, channel: str) -> None:
    row = {"server": server, "team": team, "channel": channel, "set_at": utc_now()}
    db.table("team_channels").upsert(row, pk=("server", "team"))


def team_channels(db: Database, server: str) -> dict[int, str]:
    rows = db.execute("SELECT team, channel FROM team_channels WHERE server = ?", [server])
    return dict(rows.fetchall())


def seen_in(db: Database, server: str) -> list[str]:
    """Everyone who has acted in this server: asked, answered a quiz, or joined a team."""
    rows = db.execute(
        "SELECT user FROM questions WHERE server = ? UNION "
        "SELECT user FROM quiz_answers WHERE server = ? UNION "
        "SELECT user FROM members WHERE server = ?",
        [server, server, server],
    )
    return sorted(r[0] for r in rows if r[0])


def classes_of(db: Database, user: str) -> list[str]:
    """The servers where this person has acted (asked, answered a quiz, joined a team): their
    classes. Direct messages are nobody's class."""
    rows = db.execute(
        "SELECT server FROM questions WHERE user = ? UNION "
        "SELECT server FROM quiz_answers WHERE user = ? UNION "
        "SELECT server FROM members WHERE user = ?",
        [user, user, user],
    )
    return sorted(r[0] for r in rows if r[0] and r[0] != DIRECT_MESSAGES)


def person_named(db: Database, name: str) -> str | None:
    """The id of the person with this id or display name (case-insensitive), if exactly one."""
    rows = db.execute(
        "SELECT id FROM people WHERE id = ? OR lower(name) = lower(?)", [name, name]
    ).fetchall()
    return rows[0][0] if len(rows) == 1 else None


def set_accommodation(db: Database, server: str, user: str, multiplier: float, by: str) -> None:
    row = {
        "server": server,
        "user": user,
        "multiplier": multiplier,
        "set_by": by,
        "set_at": utc_now(),
    }
    db.table("accommodations").upsert(row, pk=("server", "user"))


def clear_accommodation(db: Database, server: str, user: str) -> None:
    db.execute("DELETE FROM accommodations WHERE server = ? AND user = ?", [server, user])


def accommodations(db: Database, server: str) -> dict[str, float]:
    """Each accommodated student's time multiplier in this server."""
    rows = db.execute("SELECT user, multiplier FROM accommodations WHERE server = ?", [server])
    return dict(rows.fetchall())
