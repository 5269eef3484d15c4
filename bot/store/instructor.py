"""The instructor's answers to queued questions (course content: global, not per server):
each points at a card or carries a written answer, and keeps the questions it answers, with
their vectors, as retrieval examples."""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlite_utils import Database

from bot.store import questions
from bot.store.database import utc_now
from bot.store.documents import bump_version

KIND = "instructor"  # its content_versions row


def add(
    db: Database,
    *,
    author: str,
    model: str,
    card: str | None,
    answer: str | None,
    answer_vector: np.ndarray | None,
    examples: list[tuple[str, np.ndarray]],
    resolves: list[int],
) -> int:
    """Store a resolution with its examples, and mark the queued questions it resolves, in
    the caller's transaction."""
    row = {
        "card": card,
        "answer": answer,
        "vector": None if answer_vector is None else _bytes(answer_vector),
        "model": model,
        "author": author,
        "created_at": utc_now(),
    }
    pk = db.table("instructor_answers").insert(row).last_pk
    assert pk is not None
    db.table("instructor_examples").insert_all(
        {"answer_id": pk, "question": text, "vector": _bytes(vector)} for text, vector in examples
    )
    questions.resolve(db, resolves, int(pk))
    bump_version(db, KIND)
    return int(pk)


def _bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def all_answers(db: Database) -> list[dict[str, Any]]:
    """Every resolution with its examples (`examples`: [(question, vector bytes)]) and the
    author's display name."""
    rows = [
        dict(r)
        for r in db.query(
            "SELECT a.*, coalesce(p.name, 'the instructor') AS author_name "
            "FROM instructor_answers a LEFT JOIN people p ON p.id = a.author ORDER BY a.id"
        )
    ]
    examples: dict[int, list[tuple[str, bytes]]] = {}
    for e in db.query("SELECT answer_id, question, vector FROM instructor_examples ORDER BY id"):
        examples.setdefault(e["answer_id"], []).append((e["question"], e["vector"]))
    for row in rows:
        row["examples"] = examples.get(row["id"], [])
    return rows
