"""What the class did, for the instructor's digest, a student's own progress and the
gradebook (per server). The digest's queries never select a person's id or name."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database


def question_counts(db: Database, server: str, since: str) -> list[dict[str, Any]]:
    """Per concept: how many questions were asked and how many the bot declined. A declined
    question counts under the concept it was told it may be about, or under None when it
    matched none; questions outside the course are counted apart (off_topic_count)."""
    sql = (
        "SELECT concept, count(*) AS asked, sum(answered = 0) AS declined FROM questions "
        "WHERE server = ? AND asked_at >= ? AND off_topic IS NULL GROUP BY concept"
    )
    return [dict(r) for r in db.query(sql, [server, since])]


def off_topic_count(db: Database, server: str, since: str) -> int:
    sql = "SELECT count(*) FROM questions WHERE server = ? AND asked_at >= ? AND off_topic = 1"
    return int(next(iter(db.execute(sql, [server, since]).fetchall()))[0])


def graded_answers(db: Database, server: str, since: float) -> list[dict[str, Any]]:
    """Every graded quiz answer since `since` (epoch seconds): the question, the concepts it
    tests, the text and its credit. No column says who answered."""
    sql = (
        "SELECT question_id, concepts, answer, credit FROM quiz_answers "
        "WHERE server = ? AND answered_at >= ? ORDER BY id"
    )
    rows = [dict(r) for r in db.query(sql, [server, since])]
    for row in rows:
        row["concepts"] = json.loads(row["concepts"] or "[]")
    return rows


def not_what_i_asked(db: Database, server: str, since: str) -> list[dict[str, Any]] | None:
    """Answers students marked "not what I asked", per concept (no names): the concept the
    bot answered with, the question as asked, and how many times it was flagged."""
    sql = (
        "SELECT concept, question, count(*) AS count FROM questions "
        "WHERE server = ? AND flagged_at IS NOT NULL AND flagged_at >= ? "
        "GROUP BY concept, question ORDER BY count DESC, question"
    )
    return [dict(r) for r in db.query(sql, [server, since])]


def own_answers(db: Database, server: str, user: str) -> list[dict[str, Any]]:
    """One person's graded quiz answers (concepts and credit): their own progress."""
    sql = "SELECT concepts, credit FROM quiz_answers WHERE server = ? AND user = ? ORDER BY id"
    return [
        {"concepts": json.loads(r["concepts"] or "[]"), "credit": r["credit"]}
        for r in db.query(sql, [server, user])
    ]


def own_review_cards(db: Database, server: str, user: str) -> list[dict[str, Any]]:
    sql = (
        "SELECT question_id, due_at, reviews, misses FROM review_cards "
        "WHERE server = ? AND user = ?"
    )
    return [dict(r) for r in db.query(sql, [server, user])]


# One row per student of a server: the gradebook. Also a canned query of the dashboard, so
# the CSV and the page always agree. `:server` is the class.
GRADES_SQL = """
WITH students AS (
  SELECT user AS person FROM members WHERE server = :server
  UNION SELECT user FROM quiz_answers WHERE server = :server
  UNION SELECT user FROM review_cards WHERE server = :server
  UNION SELECT user FROM review_log WHERE server = :server
  UNION SELECT owner FROM finetune_jobs WHERE server = :server
  UNION SELECT user FROM questions WHERE server = :server AND user IS NOT NULL
),
quiz AS (
  SELECT user AS person, sum(points) AS points, count(*) AS answers,
         sum(credit >= 1) AS correct, avg(credit) AS mean_credit,
         count(DISTINCT session_id) AS quizzes
  FROM quiz_answers WHERE server = :server GROUP BY user
),
reviewed AS (
  SELECT user AS person, count(*) AS answers, sum(credit >= 1) AS correct,
         count(DISTINCT date(reviewed_at, 'unixepoch')) AS days
  FROM review_log WHERE server = :server AND origin = 'review' GROUP BY user
),
cards AS (
  SELECT user AS person, count(*) AS cards FROM review_cards WHERE server = :server GROUP BY user
),
jobs AS (
  SELECT owner AS person, count(*) AS runs, sum(status = 'succeeded') AS succeeded,
         max(dev_accuracy) AS best
  FROM finetune_jobs WHERE server = :server GROUP BY owner
),
asked AS (
  SELECT user AS person, count(*) AS questions FROM questions WHERE server = :server GROUP BY user
)
SELECT
  s.person AS person_id,
  coalesce(p.name, '(no name yet)') AS display_name,
  m.team AS team,
  coalesce(quiz.points, 0) AS quiz_points,
  coalesce(quiz.answers, 0) AS quiz_answers,
  coalesce(quiz.correct, 0) AS quiz_correct,
  round(quiz.mean_credit, 3) AS quiz_mean_credit,
  coalesce(quiz.quizzes, 0) AS quizzes_taken,
  coalesce(cards.cards, 0) AS review_cards,
  coalesce(reviewed.answers, 0) AS review_answers,
  coalesce(reviewed.correct, 0) AS review_correct,
  coalesce(reviewed.days, 0) AS review_days,
  coalesce(jobs.runs, 0) AS finetune_runs,
  coalesce(jobs.succeeded, 0) AS finetune_succeeded,
  round(jobs.best, 4) AS finetune_best_dev_accuracy,
  coalesce(asked.questions, 0) AS questions_asked
FROM students s
LEFT JOIN people p ON p.id = s.person
LEFT JOIN members m ON m.server = :server AND m.user = s.person
LEFT JOIN quiz ON quiz.person = s.person
LEFT JOIN reviewed ON reviewed.person = s.person
LEFT JOIN cards ON cards.person = s.person
LEFT JOIN jobs ON jobs.person = s.person
LEFT JOIN asked ON asked.person = s.person
ORDER BY display_name COLLATE NOCASE, person_id
"""


def grades(db: Database, server: str) -> list[dict[str, Any]]:
    return [dict(r) for r in db.query(GRADES_SQL, {"server": server})]
