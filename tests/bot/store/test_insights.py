"""What a class did, per server: the digest's counts (no names), a student's own progress and
the gradebook, one row per student, from a morning and an evening class sharing a database."""

import datetime as dt
import json

import pytest
from sqlite_utils import Database

from bot.store import classes
from bot.store import insights as rows
from bot.store.migrations import migrations


def epoch(day: int, hour: int = 10) -> float:
    return dt.datetime(2026, 12, day, hour, tzinfo=dt.UTC).timestamp()


def question(db, server, user, text, asked_at, *, answered=False, concept=None, **extra) -> int:
    row = {
        "server": server,
        "user": user,
        "channel": "general",
        "question": text,
        "asked_at": asked_at,
        "answered": int(answered),
        "concept": concept,
        "confidence": 0.5,
        **extra,
    }
    return int(db.table("questions").insert(row).last_pk)


def session(db, server, number) -> int:
    row = {
        "server": server,
        "number": number,
        "channel": "quiz",
        "status": "finished",
        "question_ids": "[]",
        "started_at": "2026-12-01",
    }
    return int(db.table("quiz_sessions").insert(row).last_pk)


def answer(db, server, quiz, index, user, credit, concepts, day, team=None, text="B") -> None:
    db.table("quiz_answers").insert(
        {
            "server": server,
            "session_id": quiz,
            "question_index": index,
            "question_id": f"q{index}",
            "concepts": json.dumps(concepts),
            "user": user,
            "team": team,
            "answer": text,
            "credit": credit,
            "points": {1.0: 100, 0.5: 50}.get(credit, 0),
            "reason": "graded",
            "answered_at": epoch(day),
        }
    )


def card(db, server, user, question_id, due_at, reviews=0, misses=1) -> None:
    db.table("review_cards").insert(
        {
            "server": server,
            "user": user,
            "question_id": question_id,
            "card": "{}",
            "due_at": due_at,
            "reviews": reviews,
            "misses": misses,
            "origin": "quiz",
            "created_at": "2026-12-01",
        }
    )


def reviewed(db, server, user, credit, day, hour=10, origin="review") -> None:
    db.table("review_log").insert(
        {
            "server": server,
            "user": user,
            "question_id": "q0",
            "origin": origin,
            "credit": credit,
            "rating": 3,
            "reviewed_at": epoch(day, hour),
        }
    )


def job(db, server, owner, number, status, accuracy=None, team=None) -> None:
    db.table("finetune_jobs").insert(
        {
            "server": server,
            "number": number,
            "owner": owner,
            "team": team,
            "status": status,
            "config": "{}",
            "created_at": "2026-12-01",
            "dev_accuracy": accuracy,
        }
    )


@pytest.fixture
def db(tmp_path):
    database = Database(tmp_path / "t.db")
    migrations.apply(database)
    yield database
    database.close()


@pytest.fixture
def seeded(db):
    """Morning: ana (team 2) and bo (team 3) are members, cy only answered a quiz, eve only
    asked a question. Evening: ana (team 1, a member of both classes) and dee."""
    for person, name in (("ana", "Ana Lima"), ("bo", "Bo Chen"), ("eve", "alex")):
        classes.remember_person(db, person, name)
    classes.join_team(db, "morning", "ana", 2)
    classes.join_team(db, "morning", "bo", 3)
    classes.join_team(db, "evening", "ana", 1)
    classes.join_team(db, "evening", "dee", 1)
    first, second = session(db, "morning", 1), session(db, "morning", 2)
    evening = session(db, "evening", 1)
    answer(db, "morning", first, 0, "ana", 1.0, ["tokens"], 2, team=2)
    answer(db, "morning", first, 1, "ana", 0.5, ["tokens", "bpe"], 2, team=2, text="sub words")
    answer(db, "morning", second, 0, "ana", 0.0, ["lora"], 3, team=2, text="C")
    answer(db, "morning", first, 0, "bo", 1.0, ["tokens"], 2, team=3)
    answer(db, "morning", second, 0, "cy", 1.0, ["lora"], 3)
    answer(db, "evening", evening, 0, "ana", 1.0, ["tokens"], 2, team=1)
    answer(db, "evening", evening, 0, "dee", 0.0, ["tokens"], 2, team=1)
    card(db, "morning", "ana", "q1", epoch(5), reviews=2, misses=1)
    card(db, "morning", "ana", "q2", epoch(6))
    card(db, "morning", "bo", "q1", epoch(5))
    card(db, "evening", "ana", "q9", epoch(7))
    reviewed(db, "morning", "ana", 1.0, 4, hour=9)
    reviewed(db, "morning", "ana", 0.0, 4, hour=18)
    reviewed(db, "morning", "ana", 1.0, 5)
    reviewed(db, "morning", "ana", 0.0, 3, origin="quiz")  # a quiz miss, not a review
    reviewed(db, "evening", "dee", 1.0, 4)
    job(db, "morning", "bo", 1, "succeeded", 0.87654, team=3)
    job(db, "morning", "bo", 2, "failed")
    job(db, "evening", "ana", 1, "succeeded", 0.95, team=1)
    question(
        db, "morning", "ana", "what is a token?", "2026-12-02T10", answered=True, concept="tokens"
    )
    question(db, "morning", "ana", "why is my mask all ones?", "2026-12-03T10", concept="masks")
    question(db, "morning", "eve", "what is a gizmo?", "2026-12-03T11")
    question(db, "morning", "bo", "best pizza in town?", "2026-12-03T12", off_topic=1)
    question(db, "morning", "ana", "an old question", "2026-11-20T10", concept="tokens")
    question(db, "evening", "dee", "what is a token?", "2026-12-02T10", concept="tokens")
    return db


def test_question_counts_per_concept_of_one_class_since_a_day(seeded):
    counts = sorted(rows.question_counts(seeded, "morning", "2026-12-01"), key=str)
    assert counts == sorted(
        [
            {"concept": None, "asked": 1, "declined": 1},  # matched no concept
            {"concept": "masks", "asked": 1, "declined": 1},
            {"concept": "tokens", "asked": 1, "declined": 0},
        ],
        key=str,
    )
    assert rows.question_counts(seeded, "evening", "2026-12-01") == [
        {"concept": "tokens", "asked": 1, "declined": 1}
    ]
    assert rows.question_counts(seeded, "morning", "2026-12-31") == []
    assert rows.question_counts(seeded, "night", "2026-01-01") == []


def test_off_topic_questions_are_counted_apart(seeded):
    assert rows.off_topic_count(seeded, "morning", "2026-12-01") == 1
    assert rows.off_topic_count(seeded, "morning", "2026-12-04") == 0
    assert rows.off_topic_count(seeded, "evening", "2026-12-01") == 0


def test_graded_answers_since_a_time_name_nobody(seeded):
    found = rows.graded_answers(seeded, "morning", epoch(3))
    assert found == [
        {"question_id": "q0", "concepts": ["lora"], "answer": "C", "credit": 0.0},
        {"question_id": "q0", "concepts": ["lora"], "answer": "B", "credit": 1.0},
    ]
    everything = rows.graded_answers(seeded, "morning", 0.0)
    assert len(everything) == 5 and everything[1]["concepts"] == ["tokens", "bpe"]
    assert {k for r in everything for k in r} == {"question_id", "concepts", "answer", "credit"}
    assert len(rows.graded_answers(seeded, "evening", 0.0)) == 2
    assert rows.graded_answers(seeded, "morning", epoch(31)) == []


def test_answers_flagged_not_what_i_asked_counted_per_concept_and_question(seeded):
    for text, when in (
        ("what is LoRA?", "2026-12-02T10"),
        ("what is LoRA?", "2026-12-03T10"),
        ("what is a head?", "2026-12-03T11"),
        ("what is a gradient?", "2026-11-02T10"),  # before the period
    ):
        question(
            seeded, "morning", "bo", text, when, answered=True, concept="lora", flagged_at=when
        )
    question(
        seeded,
        "evening",
        "dee",
        "what is LoRA?",
        "2026-12-03",
        answered=True,
        concept="lora",
        flagged_at="2026-12-03",
    )
    assert rows.not_what_i_asked(seeded, "morning", "2026-12-01") == [
        {"concept": "lora", "question": "what is LoRA?", "count": 2},
        {"concept": "lora", "question": "what is a head?", "count": 1},
    ]
    assert rows.not_what_i_asked(seeded, "evening", "2026-12-01") == [
        {"concept": "lora", "question": "what is LoRA?", "count": 1}
    ]
    assert rows.not_what_i_asked(seeded, "morning", "2026-12-31") == []


def test_own_answers_and_review_cards_are_the_persons_in_that_class(seeded):
    assert rows.own_answers(seeded, "morning", "ana") == [
        {"concepts": ["tokens"], "credit": 1.0},
        {"concepts": ["tokens", "bpe"], "credit": 0.5},
        {"concepts": ["lora"], "credit": 0.0},
    ]
    assert rows.own_answers(seeded, "evening", "ana") == [{"concepts": ["tokens"], "credit": 1.0}]
    assert rows.own_answers(seeded, "morning", "dee") == []
    cards = sorted(rows.own_review_cards(seeded, "morning", "ana"), key=lambda c: c["question_id"])
    assert cards == [
        {"question_id": "q1", "due_at": epoch(5), "reviews": 2, "misses": 1},
        {"question_id": "q2", "due_at": epoch(6), "reviews": 0, "misses": 1},
    ]
    assert [c["question_id"] for c in rows.own_review_cards(seeded, "evening", "ana")] == ["q9"]
    assert rows.own_review_cards(seeded, "morning", "cy") == []


EMPTY = {
    "team": None,
    "quiz_points": 0,
    "quiz_answers": 0,
    "quiz_correct": 0,
    "quiz_mean_credit": None,
    "quizzes_taken": 0,
    "review_cards": 0,
    "review_answers": 0,
    "review_correct": 0,
    "review_days": 0,
    "finetune_runs": 0,
    "finetune_succeeded": 0,
    "finetune_best_dev_accuracy": None,
    "questions_asked": 0,
}


def test_the_gradebook_has_one_row_per_student_of_the_class_by_name(seeded):
    grades = rows.grades(seeded, "morning")
    assert [(g["person_id"], g["display_name"]) for g in grades] == [
        ("cy", "(no name yet)"),
        ("eve", "alex"),  # names sort without regard to case
        ("ana", "Ana Lima"),
        ("bo", "Bo Chen"),
    ]
    cy, eve, ana, bo = (
        {k: v for k, v in g.items() if k not in ("person_id", "display_name")} for g in grades
    )
    assert cy == EMPTY | {
        "quiz_points": 100,
        "quiz_answers": 1,
        "quiz_correct": 1,
        "quiz_mean_credit": 1.0,
        "quizzes_taken": 1,
    }
    assert eve == EMPTY | {"questions_asked": 1}
    assert ana == EMPTY | {
        "team": 2,
        "quiz_points": 150,
        "quiz_answers": 3,
        "quiz_correct": 1,
        "quiz_mean_credit": 0.5,
        "quizzes_taken": 2,
        "review_cards": 2,
        "review_answers": 3,
        "review_correct": 2,
        "review_days": 2,
        "questions_asked": 3,
    }
    assert bo == EMPTY | {
        "team": 3,
        "quiz_points": 100,
        "quiz_answers": 1,
        "quiz_correct": 1,
        "quiz_mean_credit": 1.0,
        "quizzes_taken": 1,
        "review_cards": 1,
        "finetune_runs": 2,
        "finetune_succeeded": 1,
        "finetune_best_dev_accuracy": 0.8765,
        "questions_asked": 1,
    }


def test_the_gradebook_of_the_other_class_has_only_its_own_work(seeded):
    grades = {g["person_id"]: g for g in rows.grades(seeded, "evening")}
    assert list(grades) == ["dee", "ana"]  # "(no name yet)" sorts before names
    ana = grades["ana"]
    assert (ana["team"], ana["quiz_points"], ana["quizzes_taken"]) == (1, 100, 1)
    assert (ana["review_cards"], ana["review_answers"], ana["questions_asked"]) == (1, 0, 0)
    assert (ana["finetune_runs"], ana["finetune_best_dev_accuracy"]) == (1, 0.95)
    dee = grades["dee"]
    assert (dee["team"], dee["quiz_points"], dee["quiz_correct"], dee["quiz_mean_credit"]) == (
        1,
        0,
        0,
        0.0,
    )
    assert (dee["review_answers"], dee["review_correct"], dee["review_days"]) == (1, 1, 1)


def test_an_empty_class_has_an_empty_gradebook(db):
    assert rows.grades(db, "morning") == []
    classes.join_team(db, "morning", "ana", 1)
    assert rows.grades(db, "morning") == [
        {"person_id": "ana", "display_name": "(no name yet)", **EMPTY, "team": 1}
    ]
