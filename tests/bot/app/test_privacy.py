"""Forgetting a person and closing a term leave no trace of them in any table or column,
checked programmatically over the whole schema (and in backup copies)."""

import json
import sqlite3
from pathlib import Path

import pytest

from bot.errors import NotAllowed, TutorError
from bot.store import bank as bank_rows
from bot.store import classes, jobs, privacy
from bot.store import questions as question_rows
from tests.helpers import close_quiz_question, seed_class, who

ZED, ZED_NAME = "zed-7f3a", "Zebulon Fairweather"
KEEP, KEEP_NAME = "kim-91c2", "Kimberley Oakenshaw"
PROF = who("prof", instructor=True)


def everything_of(tutor, clock, person: str, name: str, server: str = "console") -> None:
    """The person in every table that can name someone: a member who asked, answered a quiz
    (and so has review cards and a log), turned reminders on, started a quiz and a jigsaw
    activity, imported questions, launched a fine-tune and cancelled someone else's."""
    actor = who(person, server=server, name=name)
    tutor.classes.join_team(actor, "team3")
    tutor.classes.accommodate(who("prof", server=server, instructor=True), person, 1.5)
    tutor.reviews.set_reminders(actor, True)
    close_quiz_question(tutor, clock, "t3-sep", {person: 0.0}, server=server)

    def write(db) -> None:
        classes.remember_person(db, person, name)
        question_rows.record_question(
            db,
            server=server,
            channel="class",
            user=person,
            question=f"{name} asks: what is [SEP]?",
            answered=False,
            concept=None,
            confidence=0.1,
        )
        session = (
            db.table("quiz_sessions")
            .insert(
                {
                    "server": server,
                    "channel": "class",
                    "status": "finished",
                    "question_ids": "[]",
                    "started_by": person,
                    "started_at": "2025-01-01T10:00:00+00:00",
                    "current_index": 0,
                }
            )
            .last_pk
        )
        db.table("quiz_answers").insert(
            {
                "server": server,
                "session_id": session,
                "question_index": 0,
                "question_id": "t3-sep",
                "concepts": json.dumps(["special-tokens"]),
                "user": person,
                "team": 3,
                "answer": "B",
                "credit": 1.0,
                "points": 100,
                "answered_at": 1000.0,
            }
        )
        db.table("jigsaw_activities").insert(
            {
                "server": server,
                "channel": "class",
                "state": "{}",
                "status": "finished",
                "started_by": person,
                "started_at": "2025-01-01T10:00:00+00:00",
            }
        )
        number = db.table("custom_questions").count
        raw = {
            "id": f"import-q{number}",
            "kind": "choice",
            "prompt": "What does [SEP] mark?",
            "concepts": ["special-tokens"],
            "choices": ["a boundary", "a blank"],
            "answer": 0,
        }
        bank_rows.save_questions(db, [(raw["id"], raw)], person)
        own = jobs.insert_job(db, server=server, owner=person, team=3, channel="c", config={})
        jobs.finish_job(db, own, jobs.JobStatus.SUCCEEDED, None, {"dev_accuracy": 0.8})
        other = jobs.insert_job(db, server=server, owner="nobody", team=1, channel="c", config={})
        jobs.request_cancel(db, other, person)
        jobs.finish_job(db, other, jobs.JobStatus.CANCELLED, "cancelled", None)

    tutor.store.write(write)


def traces_anywhere(path: Path, *needles: str) -> list[str]:
    """Every table.column whose value contains one of `needles`, over the whole schema."""
    found = []
    connection = sqlite3.connect(path)
    try:
        tables = [
            r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        for table in tables:
            columns = [r[1] for r in connection.execute(f"PRAGMA table_info([{table}])")]
            for column in columns:
                for (value,) in connection.execute(f"SELECT [{column}] FROM [{table}]"):
                    if value is not None and any(n in str(value) for n in needles):
                        found.append(f"{table}.{column}")
    finally:
        connection.close()
    return sorted(set(found))


@pytest.fixture
def tutor(settings, encoder, clock):
    from bot.app.tutor import Tutor

    tutor = Tutor(settings, encoder=encoder, clock=clock)
    yield tutor
    tutor.close()


def test_every_table_of_the_schema_is_classified(tutor):
    """A new migration's table must be sorted into class activity, course content, set-up or
    system; and every column named like a person must be covered by forget."""
    tables = set(tutor.store.run(lambda db: db.table_names()))
    assert tables == privacy.classified_tables(), "classify new tables in bot/store/privacy.py"
    person_like = {"user", "owner", "started_by", "added_by", "cancel_requested", "by", "person"}
    columns = tutor.store.run(lambda db: {t: set(db.table(t).columns_dict) for t in tables})
    process_owned = {"quiz_sessions.owner", "jigsaw_activities.owner"}  # lease ids, not people
    uncovered = [
        f"{table}.{column}"
        for table, names in columns.items()
        for column in names & person_like
        if column not in privacy.PERSON_COLUMNS.get(table, {})
        and f"{table}.{column}" not in process_owned
    ]
    assert uncovered == []


def test_forget_leaves_no_trace_in_any_table_or_backup(tutor, clock, settings):
    everything_of(tutor, clock, ZED, ZED_NAME)
    everything_of(tutor, clock, KEEP, KEEP_NAME)
    folder = settings.data_dir / "finetune" / "job-1"
    folder.mkdir(parents=True)
    (folder / "loss.png").write_bytes(b"png")
    backup = tutor.backups.make()
    database = settings.database_path
    before = traces_anywhere(database, ZED, ZED_NAME)
    assert {
        "people.id",
        "quiz_answers.user",
        "review_log.user",
        "finetune_jobs.owner",
        "accommodations.user",
    } <= set(before)

    shown = tutor.privacy.forget(PROF, ZED_NAME)  # by display name; only shows
    assert not shown.done and shown.rows["quiz_answers.user"] == 1
    assert shown.rows["accommodations.user"] == 1  # what would go includes their extra time
    assert traces_anywhere(database, ZED, ZED_NAME) == before

    report = tutor.privacy.forget(PROF, ZED, confirm=True)
    assert report.done and report.backups == [str(backup)]
    assert report.job_folders == [str(folder)] and not folder.exists()
    assert traces_anywhere(database, ZED, ZED_NAME) == []
    assert traces_anywhere(backup, ZED, ZED_NAME) == []
    # The other student is untouched; the shared rows stay, without the forgotten name.
    assert len(traces_anywhere(database, KEEP)) >= 10
    counts = tutor.store.run(
        lambda db: {t: db.table(t).count for t in ("quiz_sessions", "custom_questions")}
    )
    assert counts == {"quiz_sessions": 2, "custom_questions": 2}
    with pytest.raises(TutorError, match="Nobody called"):
        tutor.privacy.forget(PROF, ZED)


def test_forget_is_the_instructors_and_waits_for_live_work(tutor, clock):
    everything_of(tutor, clock, ZED, ZED_NAME)
    with pytest.raises(NotAllowed):
        tutor.privacy.forget(who("ana"), ZED, confirm=True)
    tutor.store.write(
        lambda db: db.execute("UPDATE finetune_jobs SET status = 'running' WHERE owner = ?", [ZED])
    )
    with pytest.raises(TutorError, match="is running"):
        tutor.privacy.forget(PROF, ZED, confirm=True)
    tutor.store.write(lambda db: classes.remember_person(db, "zed-other", ZED_NAME))
    with pytest.raises(TutorError, match="Several people"):
        tutor.privacy.forget(PROF, ZED_NAME)


def test_term_close_archives_and_clears_the_class_but_keeps_course_content(tutor, clock, settings):
    everything_of(tutor, clock, ZED, ZED_NAME)  # only in this class
    everything_of(tutor, clock, KEEP, KEEP_NAME, server="guild-2")  # another class
    seed_class(tutor)
    tutor.classes.set_team_channel(PROF, "team1", "t1")
    with pytest.raises(NotAllowed):
        tutor.privacy.close_term(who("ana"), confirm=True)
    shown = tutor.privacy.close_term(PROF)
    assert not shown.done and shown.rows["quiz_answers"] == 15

    report = tutor.privacy.close_term(PROF, confirm=True)
    assert report.done and report.archive and report.archive.exists()
    # The seeded four go with the term; zed stays known only as the importer of course content.
    assert report.rows["quiz_answers"] == 15 and report.people == 4
    database = settings.database_path
    assert traces_anywhere(database, ZED, ZED_NAME) == [
        "custom_questions.added_by",
        "people.id",
        "people.name",
    ]
    assert traces_anywhere(database, "u-ana", "Anastasia Quux") == []
    left = tutor.store.run(
        lambda db: {
            t: db.execute(f"SELECT count(*) FROM [{t}] WHERE server = 'console'").fetchone()[0]
            for t in privacy.CLASS_TABLES
        }
    )
    assert set(left.values()) == {0}
    # The archive holds the whole term; the other class and course content are untouched.
    assert "quiz_answers.user" in traces_anywhere(report.archive, "u-ana")
    assert len(traces_anywhere(database, KEEP, KEEP_NAME)) >= 10
    kept = tutor.store.run(
        lambda db: (db.table("custom_questions").count, db.table("team_channels").count)
    )
    assert kept == (2, 1)
    assert tutor.insights.grades(PROF) == []
    assert tutor.quizzes.leaderboard("console").users == []
