"""The instructor's resolutions (course content, global): each keeps its questions with their
vectors as examples, resolves the queued questions it answers, and bumps its own version."""

import numpy as np
import pytest
from sqlite_utils import Database

from bot.store import classes, documents, questions
from bot.store import instructor as rows
from bot.store.migrations import migrations


@pytest.fixture
def db(tmp_path):
    database = Database(tmp_path / "t.db")
    migrations.apply(database)
    yield database
    database.close()


def queued(db: Database, server: str, text: str) -> int:
    return questions.record_question(
        db,
        server=server,
        channel="general",
        user="ana",
        question=text,
        answered=False,
        concept=None,
        confidence=0.1,
    )


def vector(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float64)  # stored as float32 whatever it came as


def test_no_resolutions_yet(db):
    assert rows.all_answers(db) == []
    assert documents.version(db, rows.KIND) == 0


def test_a_card_resolution_keeps_its_examples_and_resolves_the_queue(db):
    one = queued(db, "morning", "what is a head?")
    two = queued(db, "evening", "what's an attention head?")
    left = queued(db, "morning", "what is dropout?")
    classes.remember_person(db, "prof", "Professor Ada")
    answer = rows.add(
        db,
        author="prof",
        model="minilm",
        card="attention-heads",
        answer=None,
        answer_vector=None,
        examples=[("what is a head?", vector(1, 0)), ("what's an attention head?", vector(0, 1))],
        resolves=[one, two],
    )
    (row,) = rows.all_answers(db)
    assert (row["id"], row["card"], row["answer"], row["vector"]) == (
        answer,
        "attention-heads",
        None,
        None,
    )
    assert (row["author"], row["author_name"], row["model"]) == ("prof", "Professor Ada", "minilm")
    assert [(q, np.frombuffer(v, dtype=np.float32).tolist()) for q, v in row["examples"]] == [
        ("what is a head?", [1.0, 0.0]),
        ("what's an attention head?", [0.0, 1.0]),
    ]
    assert questions.get(db, one)["resolution"] == answer
    assert questions.get(db, two)["resolution"] == answer  # resolutions are global
    assert questions.get(db, left)["resolution"] is None
    assert [q["id"] for q in questions.unanswered(db, "morning", 10)] == [left]
    assert documents.version(db, rows.KIND) == 1


def test_a_written_answer_keeps_its_vector_and_an_unknown_author_is_the_instructor(db):
    first = rows.add(
        db,
        author="ta-7",
        model="minilm",
        card=None,
        answer="Padding tokens get mask 0.",
        answer_vector=vector(0.25, 0.5, 0.75),
        examples=[],
        resolves=[],
    )
    second = rows.add(
        db,
        author="ta-7",
        model="minilm",
        card="lora",
        answer=None,
        answer_vector=None,
        examples=[("what rank should LoRA use?", vector(1, 1, 1))],
        resolves=[],
    )
    found = rows.all_answers(db)
    assert [r["id"] for r in found] == [first, second]
    assert found[0]["answer"] == "Padding tokens get mask 0."
    assert np.frombuffer(found[0]["vector"], dtype=np.float32).tolist() == [0.25, 0.5, 0.75]
    assert found[0]["examples"] == [] and found[0]["author_name"] == "the instructor"
    assert [q for q, _ in found[1]["examples"]] == ["what rank should LoRA use?"]
    assert documents.version(db, rows.KIND) == 2
    assert documents.version(db, "documents") == 0  # documents did not change
