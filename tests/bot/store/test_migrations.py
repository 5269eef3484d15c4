"""The schema, from bot/store/migrations.py: a fresh database has every table with its keys,
an older database is migrated in order and keeps its rows, and each migration runs once."""

import sqlite3

import pytest
from sqlite_utils import Database

from bot.store import CONSOLE_SERVER, Store, migrations

TABLES = {  # every table and its primary key
    "questions": ["id"],
    "documents": ["id"],
    "document_chunks": ["id"],
    "members": ["server", "user"],
    "quiz_sessions": ["id"],
    "quiz_answers": ["id"],
    "custom_questions": ["id"],
    "jigsaw_activities": ["id"],
    "team_channels": ["server", "team"],
    "finetune_jobs": ["id"],
    "people": ["id"],
    "leases": ["id"],
    "review_cards": ["server", "user", "question_id"],
    "review_log": ["id"],
    "review_reminders": ["server", "user"],
    "passage_vectors": ["model", "key"],
    "content_versions": ["kind"],
    "instructor_answers": ["id"],
    "instructor_examples": ["id"],
    "accommodations": ["server", "user"],
    "_sqlite_migrations": ["id"],
}
NAMES = [m.name for m in migrations.pending(Database(memory=True))]


def fresh() -> Database:
    db = Database(memory=True)
    migrations.apply(db)
    return db


def before(name: str, path=None) -> Database:
    """A database as it was before migration `name` ran."""
    db = Database(path) if path else Database(memory=True)
    migrations.apply(db, stop_before=name)
    return db


def schema(db: Database) -> set[tuple[str, str]]:
    rows = db.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL").fetchall()
    return {(name, " ".join(sql.split())) for name, sql in rows}


def columns(db: Database, table: str) -> set[str]:
    return {c.name for c in db.table(table).columns}


def test_a_fresh_database_has_every_table_with_its_primary_key():
    db = fresh()
    assert set(db.table_names()) == set(TABLES)
    assert {t: db.table(t).pks for t in TABLES} == TABLES


def test_a_fresh_database_has_the_columns_later_migrations_added():
    db = fresh()
    for table in ("questions", "quiz_sessions", "quiz_answers", "jigsaw_activities"):
        assert "server" in columns(db, table), table
    assert {"flagged_at", "resolved_at", "resolution", "off_topic"} <= columns(db, "questions")
    assert {"owner", "question_post", "number"} <= columns(db, "quiz_sessions")
    assert {"owner", "number"} <= columns(db, "jigsaw_activities")
    assert {
        "server",
        "runner",
        "cancel_requested",
        "git_revision",
        "versions",
        "executor",
        "remote_id",
        "number",
    } <= columns(db, "finetune_jobs")
    assert {"vector"} <= columns(db, "document_chunks")
    assert {"model"} <= columns(db, "documents")


def test_chunks_and_examples_point_at_their_parent_rows():
    db = fresh()
    (chunk_key,) = db.table("document_chunks").foreign_keys
    assert (chunk_key.column, chunk_key.other_table, chunk_key.other_column) == (
        "document_id",
        "documents",
        "id",
    )
    (example_key,) = db.table("instructor_examples").foreign_keys
    assert (example_key.column, example_key.other_table) == ("answer_id", "instructor_answers")


def test_the_migrations_are_numbered_in_the_order_they_run():
    assert len(NAMES) >= 17
    for number, name in enumerate(NAMES, start=1):
        assert name.startswith(f"m{number:03d}_"), name
    assert NAMES[0] == "m001_questions" and NAMES[16] == "m017_class_numbers"


def test_each_migration_is_applied_once_in_order_and_applying_again_changes_nothing():
    db = fresh()
    applied = [r["name"] for r in db.table("_sqlite_migrations").rows_where(order_by="id")]
    assert applied == NAMES
    shape = schema(db)
    db.table("people").insert({"id": "u1", "name": "Ana", "seen_at": "2026-12-01"})
    migrations.apply(db)
    migrations.apply(db)
    assert db.table("_sqlite_migrations").count == len(NAMES)
    assert migrations.pending(db) == []
    assert schema(db) == shape
    assert list(db.table("people").rows) == [{"id": "u1", "name": "Ana", "seen_at": "2026-12-01"}]


@pytest.mark.parametrize("name", NAMES)
def test_a_database_stopped_before_any_migration_ends_up_like_a_fresh_one(name):
    db = before(name)
    assert [m.name for m in migrations.pending(db)] == NAMES[NAMES.index(name) :]
    migrations.apply(db)
    assert schema(db) == schema(fresh())


def test_rows_from_before_classes_keep_their_data_and_belong_to_the_console():
    """m007 adds a server to class activity (and re-keys members and team channels by it):
    what was there belongs to the console's class, unchanged."""
    db = before("m007_servers_and_people")
    db.table("questions").insert(
        {"asked_at": "2026-11-01", "channel": "c", "user": "ana", "question": "q?", "answered": 0}
    )
    db.table("members").insert({"user": "ana", "team": 3, "joined_at": "2026-11-01"})
    db.table("team_channels").insert({"team": 3, "channel": "team-3", "set_at": "2026-11-01"})
    db.table("quiz_sessions").insert(
        {"channel": "c", "status": "finished", "question_ids": "[]", "started_at": "x"}
    )
    migrations.apply(db)
    (question,) = db.table("questions").rows
    assert question["question"] == "q?" and question["server"] == CONSOLE_SERVER
    assert question["flagged_at"] is None and question["off_topic"] is None
    assert list(db.table("members").rows) == [
        {"user": "ana", "team": 3, "joined_at": "2026-11-01", "server": CONSOLE_SERVER}
    ]
    assert [(r["server"], r["team"], r["channel"]) for r in db.table("team_channels").rows] == [
        (CONSOLE_SERVER, 3, "team-3")
    ]
    (quiz,) = db.table("quiz_sessions").rows
    assert (quiz["server"], quiz["number"], quiz["owner"]) == (CONSOLE_SERVER, 1, None)
    # re-keyed by class: the same person can be in a team of another class
    db.table("members").insert({"server": "evening", "user": "ana", "team": 1, "joined_at": "y"})
    assert db.table("members").count == 2
    with pytest.raises(sqlite3.IntegrityError):
        db.table("members").insert({"server": "evening", "user": "ana", "team": 2})


def test_an_older_database_file_is_migrated_when_the_store_opens_it(tmp_path):
    """m010: documents are known by their path, no longer by their text's hash."""
    path = tmp_path / "tutor.db"
    db = before("m010_document_vectors", path)
    doc = {"path": "/a/notes.md", "name": "notes.md", "sha256": "abc", "ingested_at": "x"}
    db.table("documents").insert({**doc, "chunks": 1})
    db.table("document_chunks").insert({"document_id": 1, "position": 1, "text": "alpha"})
    with pytest.raises(sqlite3.IntegrityError):  # one text, one document, before m010
        db.table("documents").insert({**doc, "path": "/b/notes.md"})
    db.close()
    with Store(path) as store:
        assert store.run(migrations.pending) == []
        rows = store.run(lambda db: list(db.table("documents").rows))
        assert [(r["path"], r["sha256"], r["model"]) for r in rows] == [
            ("/a/notes.md", "abc", None)
        ]
        chunks = store.run(lambda db: list(db.table("document_chunks").rows))
        assert [(c["text"], c["vector"]) for c in chunks] == [("alpha", None)]
        # the same text in two folders is two documents now; the same path is one
        store.write(lambda db: db.table("documents").insert({**doc, "path": "/b/notes.md"}))
        with pytest.raises(sqlite3.IntegrityError):
            store.write(lambda db: db.table("documents").insert(doc))
        assert store.run(lambda db: db.table("documents").count) == 2


def test_one_scored_answer_per_person_and_question_and_one_number_per_class():
    db = fresh()
    quiz = {"channel": "c", "status": "running", "question_ids": "[]", "started_at": "x"}
    db.table("quiz_sessions").insert({**quiz, "server": "morning", "number": 1})
    db.table("quiz_sessions").insert({**quiz, "server": "evening", "number": 1})
    with pytest.raises(sqlite3.IntegrityError):
        db.table("quiz_sessions").insert({**quiz, "server": "morning", "number": 1})
    answer = {"session_id": 1, "question_index": 0, "user": "ana", "credit": 1.0, "points": 100}
    db.table("quiz_answers").insert(answer)
    db.table("quiz_answers").insert({**answer, "user": "bo"})
    db.table("quiz_answers").insert({**answer, "question_index": 1})
    with pytest.raises(sqlite3.IntegrityError):
        db.table("quiz_answers").insert({**answer, "credit": 0.0, "points": 0})
    assert db.table("quiz_answers").count == 3


def test_older_rows_get_their_class_numbers_and_new_ones_count_on(tmp_path):
    """m017: quizzes, activities and jobs already stored are numbered per server in the order
    they came; a new one takes the next number of its own server only."""
    from sqlite_utils import Database

    from bot.store import jobs

    db = Database(tmp_path / "old.db")
    migrations.apply(db, stop_before="m017_class_numbers")
    for server in ["one", "two", "one", "one", "two"]:
        job = {"owner": "ana", "status": "failed", "config": "{}", "created_at": "2026-12-01"}
        db.table("finetune_jobs").insert({"server": server, **job})
        quiz = {"channel": "c", "status": "finished", "question_ids": "[]", "started_at": "x"}
        db.table("quiz_sessions").insert({"server": server, **quiz})
    migrations.apply(db)
    numbered = [(r["server"], r["number"]) for r in db.table("finetune_jobs").rows]
    assert numbered == [("one", 1), ("two", 1), ("one", 2), ("one", 3), ("two", 2)]
    assert [r["number"] for r in db.table("quiz_sessions").rows] == [1, 1, 2, 3, 2]
    job = jobs.insert_job(db, server="two", owner="bo", team=None, channel="c", config={})
    assert db.table("finetune_jobs").get(job)["number"] == 3
    assert jobs.numbered_job(db, "one", 3)["id"] == 4
    assert jobs.numbered_job(db, "two", 4) is None
    db.close()
