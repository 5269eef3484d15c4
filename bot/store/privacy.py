"""Forgetting a person, and closing a term: which tables and columns name a person, which
hold a class's activity, and which are course content that stays.

Every table of the schema is classified here; a test fails when a migration adds a table
that is not, so nothing personal can slip past `tutor forget` or `tutor term close`."""

from __future__ import annotations

import sqlite3
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.store.enums import ActivityStatus, JobStatus, QuizStatus


class Forget(StrEnum):
    DELETE = "delete"  # the row is the person's: it goes
    CLEAR = "clear"  # the row is the class's (a quiz, an activity, a question bank entry): the
    # column that names the person becomes NULL
    MASK = "mask"  # a flag that must stay set: its value stops naming anyone


FORGOTTEN = "forgotten"

# table -> column -> what forgetting does. Order matters: answers before their sessions.
PERSON_COLUMNS: dict[str, dict[str, Forget]] = {
    "quiz_answers": {"user": Forget.DELETE},
    "questions": {"user": Forget.DELETE},
    "review_log": {"user": Forget.DELETE},
    "review_cards": {"user": Forget.DELETE},
    "review_reminders": {"user": Forget.DELETE},
    "members": {"user": Forget.DELETE},
    "accommodations": {"user": Forget.DELETE, "set_by": Forget.CLEAR},
    "finetune_jobs": {"owner": Forget.DELETE, "cancel_requested": Forget.MASK},
    "quiz_sessions": {"started_by": Forget.CLEAR},
    "jigsaw_activities": {"started_by": Forget.CLEAR},
    "custom_questions": {"added_by": Forget.CLEAR},
    "instructor_answers": {"author": Forget.CLEAR},
    "people": {"id": Forget.DELETE},
}

# A term's class activity (all of it carries `server`): archived and cleared by term close.
# Children first (quiz_answers refers to quiz_sessions).
CLASS_TABLES = (
    "quiz_answers",
    "quiz_sessions",
    "jigsaw_activities",
    "questions",
    "review_log",
    "review_cards",
    "review_reminders",
    "members",
    "accommodations",  # a student's extra time belongs to this class and this term
    "finetune_jobs",
)
# Kept by term close: course content, the class's set-up, and the bookkeeping of processes.
# (instructor_examples hold resolved questions' wording, with no person: course content now.)
COURSE_TABLES = (
    "documents",
    "document_chunks",
    "custom_questions",
    "instructor_answers",
    "instructor_examples",
    "passage_vectors",
)
SETUP_TABLES = ("team_channels",)  # which channel is team N's: the same channels next term
SYSTEM_TABLES = ("people", "leases", "content_versions", "_sqlite_migrations")


def classified_tables() -> set[str]:
    return set(CLASS_TABLES) | set(COURSE_TABLES) | set(SETUP_TABLES) | set(SYSTEM_TABLES)


def _columns(db: Database) -> dict[str, set[str]]:
    return {name: set(db.table(name).columns_dict) for name in db.table_names()}


def find_people(db: Database, text: str) -> list[tuple[str, str]]:
    """(id, name) of whoever `text` names: a stable id, else a display name (any case)."""
    exact = db.execute("SELECT id, name FROM people WHERE id = ?", [text]).fetchall()
    if exact:
        return [tuple(r) for r in exact]
    named = db.execute(
        "SELECT id, name FROM people WHERE name = ? COLLATE NOCASE ORDER BY id", [text]
    ).fetchall()
    if named:
        return [tuple(r) for r in named]
    if any(traces(db, text).values()):  # activity of someone never named (an old database)
        return [(text, text)]
    return []


def traces(db: Database, person: str) -> dict[str, int]:
    """How many rows of each person column name `person`."""
    found: dict[str, int] = {}
    tables = _columns(db)
    for table, columns in PERSON_COLUMNS.items():
        for column in columns:
            if column in tables.get(table, set()):
                sql = f"SELECT count(*) FROM [{table}] WHERE [{column}] = ?"
                found[f"{table}.{column}"] = db.execute(sql, [person]).fetchone()[0]
    return found


def forget_blockers(db: Database, person: str) -> list[str]:
    """Live work of the person that must end before they can be forgotten."""
    blockers = []
    rows = db.execute(
        "SELECT DISTINCT s.number, s.channel FROM quiz_sessions s JOIN quiz_answers a "
        "ON a.session_id = s.id WHERE a.user = ? AND s.status = ?",
        [person, QuizStatus.RUNNING.value],
    ).fetchall()
    blockers += [f"quiz #{qid} in #{channel} is still running" for qid, channel in rows]
    rows = db.execute(
        "SELECT number FROM finetune_jobs WHERE owner = ? AND status = ?",
        [person, JobStatus.RUNNING.value],
    ).fetchall()
    blockers += [f"fine-tune job #{jid} is running (cancel it first)" for (jid,) in rows]
    return blockers


def forget_person(db: Database, person: str) -> dict[str, Any]:
    """Remove the person from every table that names them (see PERSON_COLUMNS); works on
    older copies of the schema too (backups), skipping what they lack. Deleted content is
    overwritten on disk (secure_delete), not only unlinked."""
    tables = _columns(db)
    job_ids = []
    if "owner" in tables.get("finetune_jobs", set()):
        rows = db.execute("SELECT id FROM finetune_jobs WHERE owner = ?", [person])
        job_ids = [r[0] for r in rows]
    db.execute("PRAGMA secure_delete = ON")
    counts: dict[str, int] = {}
    for table, columns in PERSON_COLUMNS.items():
        for column, action in columns.items():
            if column not in tables.get(table, set()):
                continue
            if action is Forget.DELETE:
                sql = f"DELETE FROM [{table}] WHERE [{column}] = ?"
                cursor = db.execute(sql, [person])
            else:
                value = None if action is Forget.CLEAR else FORGOTTEN
                sql = f"UPDATE [{table}] SET [{column}] = ? WHERE [{column}] = ?"
                cursor = db.execute(sql, [value, person])
            if cursor.rowcount:
                counts[f"{table}.{column}"] = cursor.rowcount
    return {"rows": counts, "jobs": job_ids}


def forget_in_copy(path: Path, person: str) -> dict[str, Any]:
    """Forget the person in a database copy (a backup or a term archive), then VACUUM it so
    nothing of them is left in its free pages."""
    connection = sqlite3.connect(path)
    try:
        db = Database(connection)
        with connection:
            found = forget_person(db, person)
        connection.execute("VACUUM")
        return found
    finally:
        connection.close()


def term_blockers(db: Database, server: str) -> list[str]:
    """Live class activity that must end before the term can close."""
    blockers = []
    rows = db.execute(
        "SELECT number, channel FROM quiz_sessions WHERE server = ? AND status = ?",
        [server, QuizStatus.RUNNING.value],
    ).fetchall()
    blockers += [f"quiz #{qid} in #{channel} is running" for qid, channel in rows]
    live = (ActivityStatus.RUNNING.value, ActivityStatus.PAUSED.value)
    rows = db.execute(
        "SELECT number FROM jigsaw_activities WHERE server = ? AND status IN (?, ?)",
        [server, *live],
    ).fetchall()
    blockers += [f"jigsaw activity #{aid} is still on" for (aid,) in rows]
    active = (JobStatus.QUEUED.value, JobStatus.RUNNING.value)
    rows = db.execute(
        "SELECT number, status FROM finetune_jobs WHERE server = ? AND status IN (?, ?)",
        [server, *active],
    ).fetchall()
    blockers += [f"fine-tune job #{jid} is {status}" for jid, status in rows]
    return blockers


def term_activity(db: Database, server: str) -> dict[str, int]:
    """Rows of class activity the server has, per table."""
    return {
        table: db.execute(f"SELECT count(*) FROM [{table}] WHERE server = ?", [server]).fetchone()[
            0
        ]
        for table in CLASS_TABLES
    }


def close_term(db: Database, server: str) -> dict[str, Any]:
    """Clear the server's class activity; then forget the people no table names any more.
    Returns the rows removed per table, the removed job ids and how many people went."""
    jobs = [r[0] for r in db.execute("SELECT id FROM finetune_jobs WHERE server = ?", [server])]
    db.execute("PRAGMA secure_delete = ON")
    removed = {}
    for table in CLASS_TABLES:
        cursor = db.execute(f"DELETE FROM [{table}] WHERE server = ?", [server])
        removed[table] = cursor.rowcount
    named = [
        f"SELECT [{column}] FROM [{table}] WHERE [{column}] IS NOT NULL"
        for table, columns in PERSON_COLUMNS.items()
        if table != "people"
        for column in columns
    ]
    cursor = db.execute(f"DELETE FROM people WHERE id NOT IN ({' UNION '.join(named)})")
    return {"rows": removed, "jobs": jobs, "people": cursor.rowcount}


def checkpoint(db: Database) -> None:
    """Move the write-ahead log into the database file and empty it, so the old pages of
    what was just deleted do not linger in the log (best effort: readers may hold it)."""
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
