"""Quiz sessions and answers (per server)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict
from typing import Any

from sqlite_utils import Database

from bot.store.classes import team_channels, team_of
from bot.store.database import AlreadyAnswered, latest, next_number, reopen, utc_now
from bot.store.enums import QuizStatus
from skills.quiz.bank import Question
from skills.quiz.session import QuizSession, RecordedAnswer


def insert_session(
    db: Database, server: str, session: QuizSession, started_by: str, now: str, owner: str
) -> int:
    session_id = (
        db.table("quiz_sessions")
        .insert(
            {
                "server": server,
                "number": next_number(db, "quiz_sessions", server),
                "channel": session.channel,
                "team": session.team,
                "status": QuizStatus.RUNNING.value,
                "question_ids": json.dumps([q.id for q in session.questions]),
                "seconds_per_question": session.seconds_per_question,
                "rules": json.dumps(asdict(session.rules)),
                "started_by": started_by,
                "started_at": now,
                "current_index": -1,
                "owner": owner,
            }
        )
        .last_pk
    )
    assert session_id is not None
    return int(session_id)


def insert_answer(
    db: Database, server: str, session_id: int, question: Question, answer: RecordedAnswer
) -> None:
    """One row per user and question; the unique index refuses a second (AlreadyAnswered)."""
    row = {
        "server": server,
        "session_id": session_id,
        "question_index": answer.question_index,
        "question_id": question.id,
        "concepts": json.dumps(list(question.concepts)),
        "user": answer.user,
        "team": _team_answering(db, server, session_id, answer.user),
        "answer": answer.text[:2000],
        "credit": answer.grade.credit,
        "points": answer.points,
        "reason": answer.grade.reason,
        "answered_at": answer.answered_at,
    }
    try:
        db.table("quiz_answers").insert(row)
    except sqlite3.IntegrityError as exc:
        raise AlreadyAnswered(answer.user, session_id, answer.question_index) from exc


def _team_answering(db: Database, server: str, session_id: int, user: str) -> int | None:
    """The answering student's team; for a student in no team, the team whose channel the
    quiz runs in (someone answering in team3's channel is with team 3 today)."""
    team = team_of(db, server, user)
    if team is not None:
        return team
    channel = db.table("quiz_sessions").get(session_id)["channel"]
    return next((t for t, ch in team_channels(db, server).items() if ch == channel), None)


def set_index(db: Database, session_id: int, index: int) -> None:
    db.table("quiz_sessions").update(session_id, {"current_index": index})


def note_post(db: Database, session_id: int, post: str) -> None:
    db.table("quiz_sessions").update(session_id, {"question_post": post})


def status_of(db: Database, session_id: int) -> str | None:
    row = db.execute("SELECT status FROM quiz_sessions WHERE id = ?", [session_id]).fetchone()
    return row[0] if row else None


def end_session(db: Database, session_id: int, status: QuizStatus) -> None:
    db.table("quiz_sessions").update(session_id, {"status": status.value, "ended_at": utc_now()})


def session_rows(
    db: Database, session_id: int
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    sessions = list(db.table("quiz_sessions").rows_where("id = ?", [session_id]))
    rows = list(db.table("quiz_answers").rows_where("session_id = ?", [session_id], order_by="id"))
    return (sessions[0] if sessions else None), rows


def server_answers(db: Database, server: str) -> list[dict[str, Any]]:
    return list(db.table("quiz_answers").rows_where("server = ?", [server], order_by="id"))


def answer_credits(db: Database, session_id: int) -> list[tuple[int | None, list[str], float]]:
    """(team, concepts, credit) for every answer of one session: the mastery grid's input."""
    rows = db.table("quiz_answers").rows_where("session_id = ?", [session_id])
    return [(r["team"], json.loads(r["concepts"] or "[]"), r["credit"]) for r in rows]


def mark_interrupted(db: Database, now: str, alive: set[str]) -> list[dict[str, Any]]:
    """Running sessions whose owning process is gone (no live lease), now "interrupted"."""
    running = list(db.table("quiz_sessions").rows_where("status = ?", [QuizStatus.RUNNING.value]))
    report = []
    for s in running:
        if s["owner"] in alive:
            continue
        answers = db.execute(
            "SELECT count(*) FROM quiz_answers WHERE session_id = ?", [s["id"]]
        ).fetchone()[0]
        db.table("quiz_sessions").update(
            s["id"], {"status": QuizStatus.INTERRUPTED.value, "ended_at": now}
        )
        report.append(
            {
                "id": s["id"],
                "number": s["number"],
                "server": s["server"],
                "channel": s["channel"],
                "team": s["team"],
                "question": s["current_index"] + 1,
                "questions": len(json.loads(s["question_ids"])),
                "answers_kept": answers,
                "post": s.get("question_post"),
            }
        )
    return report


def interrupted_in(db: Database, server: str, channel: str) -> dict[str, Any] | None:
    where = "server = ? AND channel = ? AND status = ?"
    return latest(db, "quiz_sessions", where, [server, channel, QuizStatus.INTERRUPTED.value])


def reopen_session(db: Database, session_id: int, owner: str) -> None:
    reopen(db, "quiz_sessions", session_id, QuizStatus.RUNNING.value, owner)
