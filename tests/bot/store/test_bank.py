"""Imported quiz questions (course content, global): stored as given, one row per id, a
second import of the same id replacing the first."""

import pytest
from sqlite_utils import Database

from bot.store import bank as rows
from bot.store.migrations import migrations


@pytest.fixture
def db(tmp_path):
    database = Database(tmp_path / "t.db")
    migrations.apply(database)
    yield database
    database.close()


CHOICE = {
    "id": "prof-tokens-1",
    "kind": "choice",
    "concepts": ["tokens"],
    "prompt": "How many tokens is “unbelievable” in WordPiece?",
    "choices": ["1", "3", "5"],
    "answer": 1,
}
NUMERIC = {
    "id": "prof-lora-1",
    "kind": "numeric",
    "concepts": ["lora"],
    "prompt": "Rank 8 LoRA on a 768x768 matrix: how many parameters?",
    "answer": 12288,
    "tolerance": 0,
}


def test_nothing_imported_yet(db):
    assert rows.imported_questions(db) == []


def test_imported_questions_come_back_as_given(db):
    rows.save_questions(db, [(CHOICE["id"], CHOICE), (NUMERIC["id"], NUMERIC)], "prof")
    assert sorted(rows.imported_questions(db), key=lambda q: q["id"]) == [NUMERIC, CHOICE]
    row = db.table("custom_questions").get("prof-tokens-1")
    assert row["added_by"] == "prof" and row["added_at"]


def test_importing_an_id_again_replaces_it(db):
    rows.save_questions(db, [(CHOICE["id"], CHOICE)], "prof")
    fixed = {**CHOICE, "answer": 2}
    rows.save_questions(db, [(CHOICE["id"], fixed)], "ta")
    assert rows.imported_questions(db) == [fixed]
    assert db.table("custom_questions").get("prof-tokens-1")["added_by"] == "ta"


def test_saving_no_questions_keeps_what_is_there(db):
    rows.save_questions(db, [(NUMERIC["id"], NUMERIC)], "prof")
    rows.save_questions(db, [], "prof")
    assert rows.imported_questions(db) == [NUMERIC]
