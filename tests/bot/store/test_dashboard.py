"""The dashboard's canned queries, run as SQL against a small database holding a morning and
an evening class: the rows each page shows, in its order; a class's page never shows another
class's data, and the empty server shows every class."""

import datetime as dt
import json
import re
from collections import Counter

import pytest
from sqlite_utils import Database

from bot.store import classes, insights
from bot.store.dashboard import CANNED_QUERIES, HIDDEN_TABLES
from bot.store.migrations import migrations
from skills.jigsaw import MasteryGrid

MORNING, EVENING = "morning", "evening"


def epoch(day: int, minute: int = 0) -> float:
    return dt.datetime(2026, 12, day, 10, minute, tzinfo=dt.UTC).timestamp()


def question(db, server, user, text, asked_at, answered, concept, confidence) -> None:
    db.table("questions").insert(
        {
            "server": server,
            "channel": f"{server}-general",
            "user": user,
            "question": text,
            "asked_at": asked_at,
            "answered": answered,
            "concept": concept,
            "confidence": confidence,
        }
    )


def session(db, server, number, team, questions, status="finished", day=1) -> int:
    row = {
        "server": server,
        "number": number,
        "channel": f"{server}-quiz",
        "team": team,
        "status": status,
        "question_ids": json.dumps(questions),
        "started_at": f"2026-12-{day:02d}T10:00:00+00:00",
        "ended_at": f"2026-12-{day:02d}T10:10:00+00:00",
    }
    return int(db.table("quiz_sessions").insert(row).last_pk)


def answer(db, server, quiz, index, user, team, concepts, credit, when) -> None:
    db.table("quiz_answers").insert(
        {
            "server": server,
            "session_id": quiz,
            "question_index": index,
            "question_id": f"q-{quiz}-{index}",
            "concepts": json.dumps(concepts),
            "user": user,
            "team": team,
            "answer": f"{user}'s answer",
            "credit": credit,
            "points": {1.0: 100, 0.5: 50}.get(credit, 0),
            "reason": "graded",
            "answered_at": when,
        }
    )


def job(db, server, number, owner, team, status, accuracy=None, reason=None) -> None:
    db.table("finetune_jobs").insert(
        {
            "server": server,
            "number": number,
            "owner": owner,
            "team": team,
            "channel": "jobs",
            "status": status,
            "config": json.dumps({"model": "distilbert-base-uncased", "method": "lora"}),
            "created_at": "2026-12-02T09:00:00+00:00",
            "progress": 1.0 if status == "succeeded" else 0.456,
            "dev_accuracy": accuracy,
            "reason": reason,
        }
    )


def activity(db, server, number, mastery: dict | None) -> None:
    db.table("jigsaw_activities").insert(
        {
            "server": server,
            "number": number,
            "channel": f"{server}-class",
            "state": "{}",
            "status": "finished" if mastery else "stopped",
            "started_at": "2026-12-03T10:00:00+00:00",
            "ended_at": "2026-12-03T11:00:00+00:00",
            "mastery": json.dumps(mastery) if mastery else None,
        }
    )


@pytest.fixture
def db(tmp_path):
    """Morning: ana (team 2), bo and cy (team 3), fay answered in no team; cy has no name.
    Evening: ana again (team 1) and dee (team 1). Row ids interleave the two classes, so an
    id is not the class's number."""
    database = Database(tmp_path / "t.db")
    migrations.apply(database)
    for person, name in (("ana", "Ana Lima"), ("bo", "Bo Chen"), ("dee", "Dee Park")):
        classes.remember_person(database, person, name)
    classes.remember_person(database, "fay", "Fay Wu")
    for server, user, team in (
        (MORNING, "ana", 2),
        (MORNING, "bo", 3),
        (MORNING, "cy", 3),
        (EVENING, "ana", 1),
        (EVENING, "dee", 1),
    ):
        classes.join_team(database, server, user, team)
    question(database, MORNING, "ana", "why is my mask all ones?", "2026-12-03", 0, "masks", 0.31)
    question(database, MORNING, "bo", "what is BPE?", "2026-12-02", 1, "bpe", 0.92)
    question(database, MORNING, "cy", "what is a logit?", "2026-12-04", 0, None, 0.12)
    question(database, EVENING, "dee", "what is padding?", "2026-12-05", 0, "masks", 0.4)
    first = session(database, MORNING, 1, 2, ["a", "b"])
    evening = session(database, EVENING, 1, 1, ["c"])
    second = session(database, MORNING, 2, 3, ["d"], status="stopped", day=2)
    session(database, EVENING, 2, None, ["e", "f"], status="interrupted", day=3)  # no answers
    answer(database, MORNING, first, 0, "ana", 2, ["tokens"], 1.0, epoch(1, 1))
    answer(database, MORNING, first, 1, "ana", 2, ["tokens", "bpe"], 0.5, epoch(1, 2))
    answer(database, MORNING, first, 0, "bo", 3, ["tokens"], 0.0, epoch(1, 1))
    answer(database, MORNING, second, 0, "bo", 3, ["masks"], 1.0, epoch(2, 1))
    answer(database, MORNING, second, 0, "cy", 3, ["masks"], 0.5, epoch(2, 2))
    answer(database, MORNING, second, 0, "fay", None, ["masks"], 0.0, epoch(2, 3))
    answer(database, EVENING, evening, 0, "ana", 1, ["tokens"], 0.0, epoch(1, 5))
    answer(database, EVENING, evening, 0, "dee", 1, ["tokens"], 1.0, epoch(1, 6))
    job(database, MORNING, 1, "bo", 3, "succeeded", 0.87654)
    job(database, EVENING, 1, "dee", 1, "succeeded", 0.8)
    job(database, MORNING, 2, "ana", 2, "succeeded", 0.91)
    job(database, MORNING, 3, "bo", 3, "failed", reason="CUDA out of memory")
    job(database, MORNING, 4, "cy", 3, "succeeded", 0.9)
    job(database, MORNING, 5, "ana", None, "succeeded", 0.99)  # in no team
    # The grids as the jigsaw stores them at the end of an activity (MasteryGrid.to_dict).
    morning_grid = MasteryGrid(
        ["tokens", "bpe"],
        (2, 3),
        {"tokens": {2: (0.8, 5), 3: (None, 0)}, "bpe": {2: (0.5, 2), 3: (1.0, 1)}},
        frozenset({"tokens"}),
        unplaced=1,
    )
    activity(database, MORNING, 1, morning_grid.to_dict())
    activity(
        database, EVENING, 1, MasteryGrid(["tokens"], (1,), {"tokens": {1: (0.66667, 3)}}).to_dict()
    )
    activity(database, MORNING, 2, None)  # stopped before its grid
    yield database
    database.close()


def run(db: Database, name: str, server: str, student: str = "Ana Lima") -> list[dict]:
    sql = CANNED_QUERIES[name]["sql"]
    return [dict(r) for r in db.query(sql, {"server": server, "student": student})]


def test_every_query_has_a_title_a_description_and_read_only_sql():
    assert len(CANNED_QUERIES) == 12
    for name, query in CANNED_QUERIES.items():
        assert query["title"] and query["description"], name
        assert re.match(r"\s*(SELECT|WITH)\b", query["sql"]), name
        assert ":server" in query["sql"], name  # every page is per class
        assert not re.search(r"\b(INSERT|UPDATE|DELETE|DROP|ATTACH)\b", query["sql"]), name
    assert HIDDEN_TABLES == ("leases", "_sqlite_migrations")


def test_every_query_runs_on_an_empty_database(tmp_path):
    empty = Database(tmp_path / "empty.db")
    migrations.apply(empty)
    for name in CANNED_QUERIES:
        assert run(empty, name, MORNING) == [], name
        assert run(empty, name, "") == [], name
    empty.close()


def test_the_unanswered_queue_is_the_classs_declined_questions_newest_first(db):
    assert run(db, "unanswered_queue", MORNING) == [
        {
            "server": MORNING,
            "asked_at": "2026-12-04",
            "question": "what is a logit?",
            "best_guess": None,
            "confidence": 0.12,
            "asker": "someone",  # cy has no name yet
            "channel": "morning-general",
        },
        {
            "server": MORNING,
            "asked_at": "2026-12-03",
            "question": "why is my mask all ones?",
            "best_guess": "masks",
            "confidence": 0.31,
            "asker": "Ana Lima",
            "channel": "morning-general",
        },
    ]
    assert [r["question"] for r in run(db, "unanswered_queue", EVENING)] == ["what is padding?"]
    assert [r["asked_at"] for r in run(db, "unanswered_queue", "")] == [
        "2026-12-05",
        "2026-12-04",
        "2026-12-03",
    ]


def test_the_digest_per_concept_is_weakest_first_and_names_nobody(db):
    assert run(db, "digest_per_concept", MORNING) == [
        {
            "server": MORNING,
            "concept": "bpe",
            "asked": 1,
            "declined": 0,
            "quiz_answers": 1,
            "quiz_accuracy": 0.5,
        },
        {
            "server": MORNING,
            "concept": "masks",
            "asked": 1,
            "declined": 1,
            "quiz_answers": 3,
            "quiz_accuracy": 0.5,
        },
        {
            "server": MORNING,
            "concept": "tokens",
            "asked": 0,
            "declined": 0,
            "quiz_answers": 3,
            "quiz_accuracy": 0.5,
        },
    ]
    evening = run(db, "digest_per_concept", EVENING)
    assert [(r["concept"], r["asked"], r["quiz_answers"], r["quiz_accuracy"]) for r in evening] == [
        ("tokens", 0, 2, 0.5),
        ("masks", 1, 0, None),  # asked about, never quizzed: last
    ]
    text = str(run(db, "digest_per_concept", ""))
    assert not any(who in text for who in ("ana", "Ana Lima", "bo", "Dee Park"))


def test_the_quiz_leaderboard_sums_each_students_points_in_their_class(db):
    assert run(db, "quiz_leaderboard", MORNING) == [
        {
            "server": MORNING,
            "student": "Ana Lima",
            "team": 2,
            "points": 150,
            "correct": 1,
            "answered": 2,
        },
        {
            "server": MORNING,
            "student": "Bo Chen",
            "team": 3,
            "points": 100,
            "correct": 1,
            "answered": 2,
        },
        {
            "server": MORNING,
            "student": "someone",
            "team": 3,
            "points": 50,
            "correct": 0,
            "answered": 1,
        },
        {
            "server": MORNING,
            "student": "Fay Wu",
            "team": None,
            "points": 0,
            "correct": 0,
            "answered": 1,
        },
    ]
    assert run(db, "quiz_leaderboard", EVENING) == [
        {
            "server": EVENING,
            "student": "Dee Park",
            "team": 1,
            "points": 100,
            "correct": 1,
            "answered": 1,
        },
        # ana's team here is her evening team, and her morning points stay in the morning
        {
            "server": EVENING,
            "student": "Ana Lima",
            "team": 1,
            "points": 0,
            "correct": 0,
            "answered": 1,
        },
    ]


def test_the_team_leaderboard_averages_members_including_those_without_answers(db):
    classes.join_team(db, MORNING, "gus", 3)  # joined, never answered: 0 points
    assert run(db, "team_leaderboard", MORNING) == [
        {"server": MORNING, "team": "team2", "average_points": 150.0, "members": 1},
        {"server": MORNING, "team": "team3", "average_points": 50.0, "members": 3},
    ]
    assert run(db, "team_leaderboard", EVENING) == [
        {"server": EVENING, "team": "team1", "average_points": 50.0, "members": 2}
    ]


def test_the_team_leaderboard_puts_the_best_average_first(db):
    assert run(db, "team_leaderboard", MORNING) == [
        {"server": MORNING, "team": "team2", "average_points": 150.0, "members": 1},
        {"server": MORNING, "team": "team3", "average_points": 75.0, "members": 2},
    ]


def test_the_finetune_leaderboard_is_each_teams_best_succeeded_run(db):
    assert run(db, "finetune_leaderboard", MORNING) == [
        {"server": MORNING, "team": "team2", "best_dev_accuracy": 0.91, "runs": 1},
        {"server": MORNING, "team": "team3", "best_dev_accuracy": 0.9, "runs": 2},
    ]  # the failed run and the run in no team do not count
    assert run(db, "finetune_leaderboard", EVENING) == [
        {"server": EVENING, "team": "team1", "best_dev_accuracy": 0.8, "runs": 1}
    ]


def test_the_quiz_history_shows_the_classs_own_numbers_newest_first(db):
    assert run(db, "quiz_history", MORNING) == [
        {
            "quiz": 2,
            "server": MORNING,
            "channel": "morning-quiz",
            "concepts_of": "team3",
            "status": "stopped",
            "started_at": "2026-12-02T10:00:00+00:00",
            "ended_at": "2026-12-02T10:10:00+00:00",
            "questions": 1,
            "answers": 3,
            "students": 3,
            "mean_credit": 0.5,
        },
        {
            "quiz": 1,
            "server": MORNING,
            "channel": "morning-quiz",
            "concepts_of": "team2",
            "status": "finished",
            "started_at": "2026-12-01T10:00:00+00:00",
            "ended_at": "2026-12-01T10:10:00+00:00",
            "questions": 2,
            "answers": 3,
            "students": 2,
            "mean_credit": 0.5,
        },
    ]
    evening = run(db, "quiz_history", EVENING)
    assert [(r["quiz"], r["status"], r["questions"], r["answers"]) for r in evening] == [
        (2, "interrupted", 2, 0),
        (1, "finished", 1, 2),
    ]
    assert evening[0]["concepts_of"] is None and evening[0]["mean_credit"] is None


def test_one_students_history_by_name_or_id_newest_first(db):
    history = run(db, "student_history", MORNING, "Ana Lima")
    assert history == [
        {
            "server": MORNING,
            "quiz": 1,
            "question_id": "q-1-1",
            "answer": "ana's answer",
            "credit": 0.5,
            "points": 50,
            "reason": "graded",
            "answered_at": "2026-12-01 10:02:00",
        },
        {
            "server": MORNING,
            "quiz": 1,
            "question_id": "q-1-0",
            "answer": "ana's answer",
            "credit": 1.0,
            "points": 100,
            "reason": "graded",
            "answered_at": "2026-12-01 10:01:00",
        },
    ]
    assert run(db, "student_history", MORNING, "ana") == history
    everywhere = run(db, "student_history", "", "ana")
    assert [(r["server"], r["quiz"], r["answered_at"]) for r in everywhere] == [
        (EVENING, 1, "2026-12-01 10:05:00"),
        (MORNING, 1, "2026-12-01 10:02:00"),
        (MORNING, 1, "2026-12-01 10:01:00"),
    ]
    assert run(db, "student_history", EVENING, "Bo Chen") == []
    assert run(db, "student_history", MORNING, "nobody") == []


def test_the_jobs_page_shows_the_classs_job_numbers_newest_first(db):
    morning = run(db, "jobs", MORNING)
    assert [(r["job"], r["owner"], r["team"], r["status"]) for r in morning] == [
        (5, "Ana Lima", None, "succeeded"),
        (4, "someone", "team3", "succeeded"),
        (3, "Bo Chen", "team3", "failed"),
        (2, "Ana Lima", "team2", "succeeded"),
        (1, "Bo Chen", "team3", "succeeded"),
    ]
    failed = morning[2]
    assert (failed["model"], failed["method"]) == ("distilbert-base-uncased", "lora")
    assert (failed["progress"], failed["dev_accuracy"]) == (0.46, None)
    assert failed["reason"] == "CUDA out of memory"
    assert morning[4]["dev_accuracy"] == 0.8765
    assert [(r["job"], r["owner"]) for r in run(db, "jobs", EVENING)] == [(1, "Dee Park")]


def test_the_team_by_concept_grid_leaves_out_answers_from_no_team(db):
    assert run(db, "mastery_team_concept", MORNING) == [
        {"server": MORNING, "concept": "bpe", "team": "team2", "mastery": 0.5, "answers": 1},
        {"server": MORNING, "concept": "masks", "team": "team3", "mastery": 0.75, "answers": 2},
        {"server": MORNING, "concept": "tokens", "team": "team2", "mastery": 0.75, "answers": 2},
        {"server": MORNING, "concept": "tokens", "team": "team3", "mastery": 0.0, "answers": 1},
    ]
    assert run(db, "mastery_team_concept", EVENING) == [
        {"server": EVENING, "concept": "tokens", "team": "team1", "mastery": 0.5, "answers": 2}
    ]


def test_a_grid_stored_before_counts_were_kept_shows_its_cells(db):
    old = {"tokens": {"2": 0.8, "3": None}, "bpe": {"2": 0.5}}  # {concept: {team: share}}
    activity(db, "last-term", 1, old)
    rows = run(db, "mastery_jigsaw", "last-term")
    assert [(r["concept"], r["team"], r["mastery"]) for r in rows] == [
        ("bpe", "team2", 0.5),
        ("tokens", "team2", 0.8),
        ("tokens", "team3", None),  # no answers from team3 on it
    ]
    assert {(r["server"], r["ended_at"]) for r in rows} == {
        ("last-term", "2026-12-03T11:00:00+00:00")
    }


def test_the_jigsaw_grids_are_the_stored_cells_of_finished_activities(db):
    rows = run(db, "mastery_jigsaw", MORNING)
    assert [(r["concept"], r["team"], r["mastery"]) for r in rows] == [
        ("bpe", "team2", 0.5),
        ("bpe", "team3", 1.0),
        ("tokens", "team2", 0.8),
        ("tokens", "team3", None),  # no answers from team3 on it
    ]
    (evening,) = run(db, "mastery_jigsaw", EVENING)
    assert (evening["concept"], evening["team"], evening["mastery"]) == ("tokens", "team1", 0.667)


def test_the_jigsaw_grids_say_the_classs_own_activity_number(db):
    evening = run(db, "mastery_jigsaw", EVENING)
    assert {r["activity"] for r in evening} == {1}  # "activity #1" to the evening class
    assert {r["activity"] for r in run(db, "mastery_jigsaw", MORNING)} == {1}


def test_the_student_by_concept_grid_is_per_student_and_class(db):
    assert run(db, "mastery_student_concept", MORNING) == [
        {"server": MORNING, "student": "Ana Lima", "concept": "bpe", "mastery": 0.5, "answers": 1},
        {
            "server": MORNING,
            "student": "Ana Lima",
            "concept": "tokens",
            "mastery": 0.75,
            "answers": 2,
        },
        {"server": MORNING, "student": "Bo Chen", "concept": "masks", "mastery": 1.0, "answers": 1},
        {
            "server": MORNING,
            "student": "Bo Chen",
            "concept": "tokens",
            "mastery": 0.0,
            "answers": 1,
        },
        {"server": MORNING, "student": "Fay Wu", "concept": "masks", "mastery": 0.0, "answers": 1},
        {"server": MORNING, "student": "someone", "concept": "masks", "mastery": 0.5, "answers": 1},
    ]
    assert run(db, "mastery_student_concept", EVENING) == [
        {
            "server": EVENING,
            "student": "Ana Lima",
            "concept": "tokens",
            "mastery": 0.0,
            "answers": 1,
        },
        {
            "server": EVENING,
            "student": "Dee Park",
            "concept": "tokens",
            "mastery": 1.0,
            "answers": 1,
        },
    ]


def test_the_grades_page_is_the_gradebook_export_of_that_class(db):
    page = run(db, "grades", MORNING)
    assert page == insights.grades(db, MORNING)
    assert [(g["person_id"], g["display_name"], g["team"]) for g in page] == [
        ("cy", "(no name yet)", 3),
        ("ana", "Ana Lima", 2),
        ("bo", "Bo Chen", 3),
        ("fay", "Fay Wu", None),  # answered a quiz in no team: still a student of the class
    ]
    assert [g["quiz_points"] for g in page] == [50, 150, 100, 0]
    assert [g["person_id"] for g in run(db, "grades", EVENING)] == ["ana", "dee"]
    assert run(db, "grades", "") == []  # the gradebook is one class's: give its server


SCOPED = [name for name in CANNED_QUERIES if name != "grades"]


@pytest.mark.parametrize("name", SCOPED)
def test_a_classs_page_never_shows_the_other_classs_rows(db, name):
    morning, evening = run(db, name, MORNING), run(db, name, EVENING)
    assert morning and {r["server"] for r in morning} == {MORNING}, name
    assert evening and {r["server"] for r in evening} == {EVENING}, name
    for leaked in ("Dee Park", "what is padding?"):
        assert leaked not in str(morning), (name, leaked)
    for leaked in ("Bo Chen", "Fay Wu", "what is a logit?"):
        assert leaked not in str(evening), (name, leaked)


@pytest.mark.parametrize("name", SCOPED)
def test_the_empty_server_shows_every_classs_rows(db, name):
    def counted(rows: list[dict]) -> Counter:
        return Counter(json.dumps(r, sort_keys=True) for r in rows)

    assert counted(run(db, name, "")) == counted(run(db, name, MORNING)) + counted(
        run(db, name, EVENING)
    )
    assert run(db, name, "night") == []  # a class with nothing yet
