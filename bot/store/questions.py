"""Questions students asked, and the queue of those the bot could not answer (per server)."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from bot.store.database import utc_now


def record_question(
    db: Database,
    *,
    server: str,
    channel: str,
    user: str,
    question: str,
    answered: bool,
    concept: str | None,
    confidence: float,
    off_topic: bool = False,
) -> int:
    row = {
        "server": server,
        "asked_at": utc_now(),
        "channel": channel,
        "user": user,
        "question": question,
        "answered": int(answered),
        "concept": concept,
        "confidence": round(confidence, 4),
        "off_topic": 1 if off_topic else None,
    }
    pk = db.table("questions").insert(row).last_pk
    assert pk is not None
    return int(pk)


def unanswered(db: Database, server: str, limit: int) -> list[dict[str, Any]]:
    """The instructor's queue in this server, newest first: questions the bot declined and
    answers a student flagged as not what they asked, not yet resolved; with the asker's
    display name."""
    sql = (
        "SELECT q.id, q.asked_at, q.channel, q.question, q.user, q.concept, q.answered, "
        "q.flagged_at, coalesce(p.name, 'someone') AS asker "
        "FROM questions q LEFT JOIN people p ON p.id = q.user "
        "WHERE q.server = ? AND q.resolved_at IS NULL "
        "AND ((q.answered = 0 AND q.off_topic IS NULL) OR q.flagged_at IS NOT NULL) "
        "ORDER BY q.asked_at DESC, q.id DESC LIMIT ?"
    )
    return [dict(r) for r in db.query(sql, [server, limit])]


def get(db: Database, question_id: int) -> dict[str, Any] | None:
    rows = list(db.table("questions").rows_where("id = ?", [question_id], limit=1))
    return rows[0] if rows else None


def latest(db: Database, server: str, user: str) -> dict[str, Any] | None:
    """The person's most recent question in this server."""
    rows = list(
        db.table("questions").rows_where(
            "server = ? AND user = ?", [server, user], order_by="id DESC", limit=1
        )
    )
    return rows[0] if rows else None


def flag(db: Database, question_id: int) -> None:
    """A student says the answer was not what they asked: back in the queue."""
    db.execute(
        "UPDATE questions SET flagged_at = ?, resolved_at = NULL, resolution = NULL WHERE id = ?",
        [utc_now(), question_id],
    )


def resolve(db: Database, question_ids: list[int], resolution: int) -> None:
    now = utc_now()
    db.conn.executemany(
        "UPDATE questions SET resolved_at = ?, resolution = ? WHERE id = ?",
        [(now, resolution, qid) for qid in question_ids],
    )
