"""Quiz questions instructors imported (course content: global)."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from bot.store.database import utc_now


def imported_questions(db: Database) -> list[dict[str, Any]]:
    return [json.loads(r["data"]) for r in db.table("custom_questions").rows]


def save_questions(db: Database, questions: list[tuple[str, dict[str, Any]]], by: str) -> None:
    rows = [
        {"id": qid, "data": json.dumps(raw), "added_by": by, "added_at": utc_now()}
        for qid, raw in questions
    ]
    db.table("custom_questions").upsert_all(rows, pk="id")
