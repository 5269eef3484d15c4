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
    }
    pk = db.table("questions").insert(row).last_pk
    assert pk is not None
    return int(pk)


def unanswered(db: Database, server: str, limit: int) -> list[dict[str, Any]]:
    """The newest questions the bot declined in this server, with the asker's display name."""
    sql = (
        "SELECT q.id, q.asked_at, q.channel, q.question, coalesce(p.name, 'someone') AS asker "
        "FROM questions q LEFT JOIN people p ON p.id = q.user "
        "WHERE q.server = ? AND q.answered = 0 ORDER BY q.asked_at DESC, q.id DESC LIMIT ?"
    )
    return [dict(r) for r in db.query(sql, [server, limit])]
