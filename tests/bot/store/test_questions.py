"""Questions students asked, and the instructor's queue per server: what the bot declined
and what a student flagged, never an off-topic question, never a resolved one, newest first."""

import pytest
from sqlite_utils import Database

from bot.store import classes
from bot.store import questions as rows
from bot.store.migrations import migrations


@pytest.fixture
def db(tmp_path):
    database = Database(tmp_path / "t.db")
    migrations.apply(database)
    yield database
    database.close()


def ask(db: Database, server: str, user: str, text: str, *, answered=False, **kw) -> int:
    return rows.record_question(
        db,
        server=server,
        channel=kw.pop("channel", "general"),
        user=user,
        question=text,
        answered=answered,
        concept=kw.pop("concept", None),
        confidence=kw.pop("confidence", 0.2),
        **kw,
    )


def at(db: Database, question_id: int, when: str) -> None:
    db.table("questions").update(question_id, {"asked_at": when})


def test_a_recorded_question_is_stored_as_asked(db):
    qid = ask(db, "morning", "ana", "what is a token?", answered=True, concept="tokens")
    row = rows.get(db, qid)
    assert (row["server"], row["channel"], row["user"]) == ("morning", "general", "ana")
    assert (row["question"], row["answered"], row["concept"]) == ("what is a token?", 1, "tokens")
    assert row["off_topic"] is None and row["asked_at"]
    assert row["flagged_at"] is None and row["resolved_at"] is None


def test_confidence_is_rounded_and_off_topic_is_one_or_null(db):
    qid = ask(db, "morning", "ana", "best pizza?", confidence=0.123456789, off_topic=True)
    row = rows.get(db, qid)
    assert row["confidence"] == 0.1235 and row["off_topic"] == 1 and row["answered"] == 0


def test_a_missing_question_is_none(db):
    assert rows.get(db, 1) is None
    assert rows.latest(db, "morning", "ana") is None


def test_the_queue_holds_declined_and_flagged_questions_of_its_server_only(db):
    classes.remember_person(db, "ana", "Ana Lima")
    declined = ask(db, "morning", "ana", "why is my mask all ones?", concept="attention-masks")
    answered = ask(db, "morning", "bo", "what is BPE?", answered=True, concept="bpe")
    ask(db, "morning", "bo", "best pizza in town?", off_topic=True)  # not the instructor's
    flagged = ask(db, "morning", "bo", "what is LoRA's rank?", answered=True, concept="lora")
    rows.flag(db, flagged)
    ask(db, "evening", "cy", "what is a logit?")  # another class's queue
    for qid, when in ((declined, "2026-12-01"), (answered, "2026-12-02"), (flagged, "2026-12-03")):
        at(db, qid, when)
    queue = rows.unanswered(db, "morning", 10)
    assert [q["id"] for q in queue] == [flagged, declined]  # newest first
    assert [q["asker"] for q in queue] == ["someone", "Ana Lima"]  # bo has no name yet
    assert queue[0]["flagged_at"] is not None and queue[0]["answered"] == 1
    assert queue[1]["concept"] == "attention-masks" and queue[1]["flagged_at"] is None
    assert set(queue[0]) == {
        "id",
        "asked_at",
        "channel",
        "question",
        "user",
        "concept",
        "answered",
        "flagged_at",
        "asker",
    }
    assert [q["question"] for q in rows.unanswered(db, "evening", 10)] == ["what is a logit?"]
    assert rows.unanswered(db, "night", 10) == []


def test_the_queue_is_cut_at_its_limit_and_ties_go_to_the_later_question(db):
    made = [ask(db, "morning", "ana", f"question {n}") for n in range(5)]
    for qid in made:
        at(db, qid, "2026-12-01T10:00:00+00:00")  # asked in the same second
    assert [q["id"] for q in rows.unanswered(db, "morning", 3)] == made[::-1][:3]
    assert rows.unanswered(db, "morning", 0) == []


def test_resolved_questions_leave_the_queue_and_a_flag_brings_one_back(db):
    one = ask(db, "morning", "ana", "what is a head?")
    two = ask(db, "morning", "bo", "what's an attention head?")
    three = ask(db, "morning", "cy", "what is dropout?")
    rows.resolve(db, [one, two], 7)
    assert [q["id"] for q in rows.unanswered(db, "morning", 10)] == [three]
    row = rows.get(db, one)
    assert row["resolution"] == 7 and row["resolved_at"]
    rows.flag(db, one)  # the resolution's answer was not what ana asked
    row = rows.get(db, one)
    assert row["resolution"] is None and row["resolved_at"] is None and row["flagged_at"]
    assert sorted(q["id"] for q in rows.unanswered(db, "morning", 10)) == [one, three]
    assert rows.get(db, two)["resolution"] == 7  # the other resolved question stays resolved


def test_resolving_nothing_changes_nothing(db):
    qid = ask(db, "morning", "ana", "what is a head?")
    rows.resolve(db, [], 1)
    assert rows.get(db, qid)["resolved_at"] is None


def test_latest_is_the_persons_newest_question_in_that_server(db):
    ask(db, "morning", "ana", "first")
    second = ask(db, "morning", "ana", "second")
    ask(db, "evening", "ana", "in the other class")
    ask(db, "morning", "bo", "bo's")
    assert rows.latest(db, "morning", "ana")["id"] == second
    assert rows.latest(db, "evening", "ana")["question"] == "in the other class"
    assert rows.latest(db, "evening", "bo") is None
