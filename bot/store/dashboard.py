"""The dashboard's canned queries: read-only SQL that Datasette shows as titled pages.

Every query takes `:server` (the class; empty shows every class). None selects settings or
secrets: those live in the environment, never in the database. Class-wide views aggregate
without names; per-student views (leaderboards, histories, grades) are the instructor's, as
is the whole dashboard, which listens on 127.0.0.1 unless told otherwise."""

from __future__ import annotations

from typing import Any

from bot.store.insights import GRADES_SQL

ANY_SERVER = "(:server = '' OR {column} = :server)"


def _in(column: str) -> str:
    return ANY_SERVER.format(column=column)


CANNED_QUERIES: dict[str, dict[str, Any]] = {
    "unanswered_queue": {
        "title": "Unanswered queue",
        "description": "Questions the bot was not sure about, newest first, with its best "
        "guess at the concept and its confidence.",
        "sql": f"""
SELECT q.server, q.asked_at, q.question, q.concept AS best_guess, q.confidence,
       coalesce(p.name, 'someone') AS asker, q.channel
FROM questions q LEFT JOIN people p ON p.id = q.user
WHERE q.answered = 0 AND {_in("q.server")}
ORDER BY q.asked_at DESC, q.id DESC""",
    },
    "digest_per_concept": {
        "title": "Digest per concept",
        "description": "Per concept: questions asked, questions the bot declined, quiz "
        "answers and their mean credit (accuracy). Weakest first. No names.",
        "sql": f"""
WITH asked AS (
  SELECT server, concept, count(*) AS asked, sum(answered = 0) AS declined
  FROM questions WHERE concept IS NOT NULL GROUP BY server, concept
),
quiz AS (
  SELECT a.server, c.value AS concept, count(*) AS answers, avg(a.credit) AS accuracy
  FROM quiz_answers a, json_each(a.concepts) c GROUP BY a.server, c.value
),
keys AS (SELECT server, concept FROM asked UNION SELECT server, concept FROM quiz)
SELECT k.server, k.concept, coalesce(asked.asked, 0) AS asked,
       coalesce(asked.declined, 0) AS declined, coalesce(quiz.answers, 0) AS quiz_answers,
       round(quiz.accuracy, 3) AS quiz_accuracy
FROM keys k
LEFT JOIN asked ON asked.server = k.server AND asked.concept = k.concept
LEFT JOIN quiz ON quiz.server = k.server AND quiz.concept = k.concept
WHERE {_in("k.server")}
ORDER BY quiz.accuracy IS NULL, quiz.accuracy, asked DESC, k.concept""",
    },
    "quiz_leaderboard": {
        "title": "Quiz leaderboard",
        "description": "Points over every quiz, per student: 100 for a correct answer, 50 "
        "for partial credit.",
        "sql": f"""
SELECT a.server, coalesce(p.name, 'someone') AS student, m.team,
       sum(a.points) AS points, sum(a.credit >= 1) AS correct, count(*) AS answered
FROM quiz_answers a
LEFT JOIN people p ON p.id = a.user
LEFT JOIN members m ON m.server = a.server AND m.user = a.user
WHERE {_in("a.server")}
GROUP BY a.server, a.user ORDER BY a.server, points DESC, correct DESC""",
    },
    "team_leaderboard": {
        "title": "Team leaderboard",
        "description": "Each team's score is the average of its members' quiz points.",
        "sql": f"""
WITH per_member AS (
  SELECT m.server, m.team, m.user, coalesce(sum(a.points), 0) AS points
  FROM members m LEFT JOIN quiz_answers a ON a.server = m.server AND a.user = m.user
  GROUP BY m.server, m.team, m.user
)
SELECT server, 'team' || team AS team, round(avg(points), 1) AS average_points,
       count(*) AS members
FROM per_member WHERE {_in("server")}
GROUP BY server, team ORDER BY server, average_points DESC""",
    },
    "finetune_leaderboard": {
        "title": "Fine-tune leaderboard",
        "description": "Best dev accuracy per team over the succeeded fine-tunes.",
        "sql": f"""
SELECT server, 'team' || team AS team, round(max(dev_accuracy), 4) AS best_dev_accuracy,
       count(*) AS runs
FROM finetune_jobs
WHERE status = 'succeeded' AND team IS NOT NULL AND {_in("server")}
GROUP BY server, team ORDER BY server, best_dev_accuracy DESC""",
    },
    "quiz_history": {
        "title": "Quiz history",
        "description": "Every quiz: where, on which team's concepts, how it ended, how many "
        "answers it got and their mean credit.",
        "sql": f"""
SELECT s.number AS quiz, s.server, s.channel, 'team' || s.team AS concepts_of, s.status,
       s.started_at, s.ended_at, json_array_length(s.question_ids) AS questions,
       count(a.id) AS answers, count(DISTINCT a.user) AS students,
       round(avg(a.credit), 3) AS mean_credit
FROM quiz_sessions s LEFT JOIN quiz_answers a ON a.session_id = s.id
WHERE {_in("s.server")}
GROUP BY s.id ORDER BY s.id DESC""",
    },
    "student_history": {
        "title": "One student's quiz answers",
        "description": "Every graded answer of one student (give their display name or id), "
        "newest first. For the instructor only: individual answers are private.",
        "sql": f"""
SELECT a.server, s.number AS quiz, a.question_id, a.answer, a.credit, a.points,
       a.reason, datetime(a.answered_at, 'unixepoch') AS answered_at
FROM quiz_answers a LEFT JOIN people p ON p.id = a.user
JOIN quiz_sessions s ON s.id = a.session_id
WHERE (a.user = :student OR p.name = :student) AND {_in("a.server")}
ORDER BY a.answered_at DESC""",
    },
    "jobs": {
        "title": "Fine-tune jobs",
        "description": "Every fine-tune: whose, which model and method, its status, progress, "
        "dev accuracy, and why it failed or was cancelled.",
        "sql": f"""
SELECT j.number AS job, j.server, coalesce(p.name, 'someone') AS owner, 'team' || j.team AS team,
       j.status, json_extract(j.config, '$.model') AS model,
       json_extract(j.config, '$.method') AS method, round(j.progress, 2) AS progress,
       round(j.dev_accuracy, 4) AS dev_accuracy, j.created_at, j.started_at, j.ended_at,
       j.reason
FROM finetune_jobs j LEFT JOIN people p ON p.id = j.owner
WHERE {_in("j.server")}
ORDER BY j.id DESC""",
    },
    "mastery_team_concept": {
        "title": "Mastery grid: team x concept",
        "description": "Mean quiz credit per team and concept, over every quiz. No names.",
        "sql": f"""
SELECT a.server, c.value AS concept, 'team' || a.team AS team,
       round(avg(a.credit), 3) AS mastery, count(*) AS answers
FROM quiz_answers a, json_each(a.concepts) c
WHERE a.team IS NOT NULL AND {_in("a.server")}
GROUP BY a.server, c.value, a.team ORDER BY a.server, concept, team""",
    },
    "mastery_jigsaw": {
        "title": "Mastery grids of the jigsaw activities",
        "description": "The team x concept grid stored at the end of each jigsaw activity "
        "(share of quiz credit).",
        "sql": f"""
SELECT j.number AS activity, j.server, j.ended_at, c.key AS concept, 'team' || t.key AS team,
       round(CASE t.type WHEN 'array' THEN t.value ->> '$[0]' ELSE t.value END, 3) AS mastery,
       CASE t.type WHEN 'array' THEN t.value ->> '$[1]' END AS answers
FROM jigsaw_activities j,
     -- a grid stored now keeps [share, answers] per team and concept under "cells"; an
     -- older one kept the bare share per team and concept
     json_each(coalesce(j.mastery -> '$.cells', j.mastery)) c, json_each(c.value) t
WHERE j.mastery IS NOT NULL AND {_in("j.server")}
ORDER BY j.id DESC, concept, team""",
    },
    "mastery_student_concept": {
        "title": "Mastery grid: student x concept",
        "description": "Mean quiz credit per student and concept. For the instructor only: "
        "students see only their own (/progress).",
        "sql": f"""
SELECT a.server, coalesce(p.name, 'someone') AS student, c.value AS concept,
       round(avg(a.credit), 3) AS mastery, count(*) AS answers
FROM quiz_answers a JOIN json_each(a.concepts) c LEFT JOIN people p ON p.id = a.user
WHERE {_in("a.server")}
GROUP BY a.server, a.user, c.value ORDER BY a.server, student, concept""",
    },
    "grades": {
        "title": "Grades",
        "description": "One row per student of a class (give its server; the console's is "
        "'console'): quiz points and answers, review activity and fine-tune results, keyed by "
        "the stable person id. The same rows as `tutor grades export`.",
        "sql": GRADES_SQL,
    },
}

# Internal bookkeeping, hidden from the dashboard's table lists.
HIDDEN_TABLES = ("leases", "_sqlite_migrations")
