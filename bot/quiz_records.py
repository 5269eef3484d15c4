"""Quiz sessions and answers in SQLite. These functions run on the store's thread (Store.run)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from sqlite_utils import Database

from bot.store import utc_now
from skills.quiz.bank import Question
from skills.quiz.session import QuizSession, RecordedAnswer


def insert_session(db: Database, session: QuizSession, started_by: str, now: str) -> int:
    session_id = (
        db.table("quiz_sessions")
        .insert(
            {
                "channel": session.channel,
                "team": session.team,
                "status": "running",
                "question_ids": json.dumps([q.id for q in session.questions]),
                "seconds_per_question": session.seconds_per_question,
                "rules": json.dumps(asdict(session.rules)),
                "started_by": started_by,
                "started_at": now,
                "current_index": -1,
            }
        )
        .last_pk
    )
    assert session_id is not None
    return int(session_id)


def insert_answer(
    db: Database, session_id: int, question: Question, answer: RecordedAnswer
) -> None:
    member = list(db.table("members").rows_where("user = ?", [answer.user], limit=1))
    db.table("quiz_answers").insert(
        {
            "session_id": session_id,
            "question_index": answer.question_index,
            "question_id": question.id,
            "concepts": json.dumps(list(question.concepts)),
            "user": answer.user,
            "team": member[0]["team"] if member else None,
            "answer": answer.text[:2000],
            "credit": answer.grade.credit,
            "points": answer.points,
            "reason": answer.grade.reason,
            "answered_at": answer.answered_at,
        }
    )


def set_index(db: Database, session_id: int, index: int) -> None:
    db.table("quiz_sessions").update(session_id, {"current_index": index})


def end_session(db: Database, session_id: int, status: str) -> None:
    db.table("quiz_sessions").update(session_id, {"status": status, "ended_at": utc_now()})


def session_rows(
    db: Database, session_id: int
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    sessions = list(db.table("quiz_sessions").rows_where("id = ?", [session_id]))
    rows = list(db.table("quiz_answers").rows_where("session_id = ?", [session_id], order_by="id"))
    return (sessions[0] if sessions else None), rows


def all_answers(db: Database) -> tuple[list[dict[str, Any]], dict[str, int]]:
    rows = list(db.table("quiz_answers").rows_where(order_by="id"))
    members = {r["user"]: r["team"] for r in db.table("members").rows}
    return rows, members


def mark_interrupted(db: Database, now: str) -> list[dict[str, Any]]:
    running = list(db.table("quiz_sessions").rows_where("status = 'running'"))
    report = []
    for s in running:
        answers = db.execute(
            "SELECT count(*) FROM quiz_answers WHERE session_id = ?", [s["id"]]
        ).fetchone()[0]
        db.table("quiz_sessions").update(s["id"], {"status": "interrupted", "ended_at": now})
        total = len(json.loads(s["question_ids"]))
        report.append(
            {
                "id": s["id"],
                "channel": s["channel"],
                "question": s["current_index"] + 1,
                "questions": total,
                "answers_kept": answers,
            }
        )
    return report
