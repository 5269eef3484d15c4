"""Review cards, the review log and reminder opt-ins (per server and student).

Every function runs on the store's one thread, so a read-modify-write such as `apply_review`
cannot interleave with another in this process; each commits before it returns.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlite_utils import Database

from bot.store.database import utc_now
from skills.review import ReviewCard

_COLUMNS = "question_id, card, due_at, reviews, misses, last_rating, origin"


def _card(row: tuple[Any, ...]) -> ReviewCard:
    question_id, card, due_at, reviews, misses, last_rating, origin = row
    return ReviewCard(question_id, json.loads(card), due_at, reviews, misses, last_rating, origin)


def _save(db: Database, server: str, user: str, card: ReviewCard) -> None:
    now = utc_now()
    db.execute(
        "INSERT INTO review_cards (server, user, question_id, card, due_at, reviews, misses, "
        "last_rating, origin, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(server, user, question_id) DO UPDATE SET card = excluded.card, "
        "due_at = excluded.due_at, reviews = excluded.reviews, misses = excluded.misses, "
        "last_rating = excluded.last_rating, updated_at = excluded.updated_at",
        [
            server,
            user,
            card.question_id,
            json.dumps(card.fsrs),
            card.due,
            card.reviews,
            card.misses,
            card.last_rating,
            card.origin,
            now,
            now,
        ],
    )


def card(db: Database, server: str, user: str, question_id: str) -> ReviewCard | None:
    row = db.execute(
        f"SELECT {_COLUMNS} FROM review_cards WHERE server = ? AND user = ? AND question_id = ?",
        [server, user, question_id],
    ).fetchone()
    return _card(row) if row else None


def apply_review(
    db: Database,
    server: str,
    user: str,
    question_id: str,
    change: Callable[[ReviewCard | None], ReviewCard | None],
    *,
    origin: str,
    credit: float,
    seconds: float | None,
    reviewed_at: float,
) -> ReviewCard | None:
    """Read the card, let `change` compute its next state, and store it with a log row.
    `change` returning None leaves everything as it was (no card is due, or none is made)."""
    with db.conn:
        updated = change(card(db, server, user, question_id))
        if updated is None:
            return None
        _save(db, server, user, updated)
        db.execute(
            "INSERT INTO review_log (server, user, question_id, origin, credit, rating, "
            "seconds, reviewed_at, due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                server,
                user,
                question_id,
                origin,
                credit,
                updated.last_rating,
                seconds,
                reviewed_at,
                updated.due,
            ],
        )
    return updated


def add_cards(db: Database, server: str, user: str, cards: list[ReviewCard]) -> list[str]:
    """Add cards the student asked for; a question that already has a card keeps it."""
    added = []
    with db.conn:
        for new in cards:
            if card(db, server, user, new.question_id) is None:
                _save(db, server, user, new)
                added.append(new.question_id)
    return added


def cards(
    db: Database, server: str, user: str, due_before: float | None = None
) -> list[ReviewCard]:
    """The student's cards, soonest due first; only those due before `due_before` if given."""
    sql = f"SELECT {_COLUMNS} FROM review_cards WHERE server = ? AND user = ?"
    args: list[Any] = [server, user]
    if due_before is not None:
        sql += " AND due_at < ?"
        args.append(due_before)
    rows = db.execute(sql + " ORDER BY due_at, question_id", args).fetchall()
    return [_card(r) for r in rows]


def servers_of(db: Database, user: str) -> list[str]:
    """The classes (servers) where this person has review cards."""
    rows = db.execute(
        "SELECT DISTINCT server FROM review_cards WHERE user = ? ORDER BY server", [user]
    )
    return [r[0] for r in rows.fetchall()]


# --- reminders ---------------------------------------------------------------------------------


def set_reminders(db: Database, server: str, user: str, enabled: bool) -> None:
    with db.conn:
        db.execute(
            "INSERT INTO review_reminders (server, user, enabled, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(server, user) DO UPDATE SET enabled = excluded.enabled, "
            "updated_at = excluded.updated_at",
            [server, user, int(enabled), utc_now()],
        )


def reminders_on(db: Database, server: str, user: str) -> bool:
    row = db.execute(
        "SELECT enabled FROM review_reminders WHERE server = ? AND user = ?", [server, user]
    ).fetchone()
    return bool(row and row[0])


def reminder_candidates(db: Database, due_before: float, today: str) -> list[tuple[str, str, int]]:
    """(server, user, cards due) for everyone who opted in, has cards due before `due_before`
    and has had no reminder on the local date `today`."""
    rows = db.execute(
        "SELECT r.server, r.user, count(*) FROM review_reminders r JOIN review_cards c "
        "ON c.server = r.server AND c.user = r.user "
        "WHERE r.enabled = 1 AND c.due_at < ? "
        "AND (r.last_reminded_on IS NULL OR r.last_reminded_on < ?) "
        "GROUP BY r.server, r.user ORDER BY r.server, r.user",
        [due_before, today],
    )
    return [(server, user, count) for server, user, count in rows.fetchall()]


def claim_reminder(db: Database, server: str, user: str, today: str) -> bool:
    """Record today's reminder for this person; False if they had one today already (or
    opted out since), so a reminder goes out at most once a day, across restarts."""
    with db.conn:
        cursor = db.execute(
            "UPDATE review_reminders SET last_reminded_on = ?, updated_at = ? "
            "WHERE server = ? AND user = ? AND enabled = 1 "
            "AND (last_reminded_on IS NULL OR last_reminded_on < ?)",
            [today, utc_now(), server, user, today],
        )
    return cursor.rowcount == 1
