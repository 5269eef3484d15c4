"""Quiz sessions and answers per class: each class numbers its own quizzes from 1, an
answer is filed under the answering student's team (or the team whose channel it is), and a
session's rows, credits and interruptions are its own."""

import json

import pytest
from sqlite_utils import Database

from bot.store import classes, number_of
from bot.store import quizzes as rows
from bot.store.database import id_of_number
from bot.store.enums import QuizStatus
from bot.store.migrations import migrations
from skills.quiz.bank import Question
from skills.quiz.grading import Grade
from skills.quiz.session import QuizSession, RecordedAnswer

TOKENS = Question("tok-1", 1, "choice", ("tokens", "bpe"), "Which?", ("A", "B"), answer=1)
LORA = Question("lora-1", 4, "numeric", ("lora",), "How many?", answer=12288)


@pytest.fixture
def db(tmp_path):
    database = Database(tmp_path / "t.db")
    migrations.apply(database)
    yield database
    database.close()


def start(db: Database, server: str, channel: str = "quiz", owner: str = "bot-1") -> int:
    session = QuizSession(channel, 1, [TOKENS, LORA], 30.0)
    return rows.insert_session(db, server, session, "prof", "2026-12-04T10:00:00+00:00", owner)


def answer(db, server, quiz, user, index=0, credit=1.0) -> None:
    question = (TOKENS, LORA)[index]
    grade = Grade(credit, "graded", "B")
    recorded = RecordedAnswer(
        user, index, "B" * 3000, grade, int(100 * credit), 1700000000.0 + index
    )
    rows.insert_answer(db, server, quiz, question, recorded)


def test_a_new_session_is_running_with_its_questions_and_rules(db):
    quiz = start(db, "morning")
    session, answers = rows.session_rows(db, quiz)
    assert answers == []
    assert (session["server"], session["number"], session["status"]) == ("morning", 1, "running")
    assert json.loads(session["question_ids"]) == ["tok-1", "lora-1"]
    assert (session["team"], session["seconds_per_question"], session["current_index"]) == (
        1,
        30.0,
        -1,
    )
    assert json.loads(session["rules"])  # the scoring rules it runs under
    assert rows.status_of(db, quiz) == "running"


def test_each_class_numbers_its_own_quizzes(db):
    made = [start(db, s) for s in ("morning", "evening", "evening", "morning", "morning")]
    assert [number_of(db, "quiz_sessions", q) for q in made] == [1, 1, 2, 2, 3]
    assert id_of_number(db, "quiz_sessions", "evening", 2) == made[2]
    assert id_of_number(db, "quiz_sessions", "evening", 3) is None


def test_a_missing_session_has_no_status_and_no_rows(db):
    assert rows.status_of(db, 9) is None
    assert rows.session_rows(db, 9) == (None, [])


def test_an_answer_is_filed_under_the_students_team_or_the_channels_team(db):
    classes.join_team(db, "morning", "ana", 2)
    classes.set_team_channel(db, "morning", 3, "team3-room")
    classes.set_team_channel(db, "evening", 4, "team3-room")  # another class's channel
    in_room = start(db, "morning", channel="team3-room")
    answer(db, "morning", in_room, "ana")  # in team 2, wherever she answers
    answer(db, "morning", in_room, "bo")  # in no team: with team 3 today
    elsewhere = start(db, "morning", channel="general")
    answer(db, "morning", elsewhere, "bo")
    _, answers = rows.session_rows(db, in_room)
    assert [(a["user"], a["team"]) for a in answers] == [("ana", 2), ("bo", 3)]
    assert len(answers[0]["answer"]) == 2000  # a long answer is cut
    assert json.loads(answers[0]["concepts"]) == ["tokens", "bpe"]
    assert rows.session_rows(db, elsewhere)[1][0]["team"] is None


def test_credits_and_answers_are_per_session_and_per_class(db):
    classes.join_team(db, "morning", "ana", 2)
    first = start(db, "morning")
    answer(db, "morning", first, "ana", 0, 1.0)
    answer(db, "morning", first, "ana", 1, 0.5)
    other = start(db, "evening")
    answer(db, "evening", other, "ana", 0, 0.0)
    assert rows.answer_credits(db, first) == [(2, ["tokens", "bpe"], 1.0), (2, ["lora"], 0.5)]
    assert rows.answer_credits(db, other) == [(None, ["tokens", "bpe"], 0.0)]
    assert [a["credit"] for a in rows.server_answers(db, "morning")] == [1.0, 0.5]
    assert [a["session_id"] for a in rows.server_answers(db, "evening")] == [other]
    assert rows.server_answers(db, "night") == []


def test_an_ended_session_keeps_its_status(db):
    quiz = start(db, "morning")
    rows.set_index(db, quiz, 1)
    rows.end_session(db, quiz, QuizStatus.STOPPED)
    session, _ = rows.session_rows(db, quiz)
    assert (session["status"], session["current_index"]) == ("stopped", 1) and session["ended_at"]
    assert rows.mark_interrupted(db, "2026-12-04T11:00:00+00:00", set()) == []  # not running


def test_only_a_dead_owners_session_is_interrupted_and_the_latest_is_reopened(db):
    older = start(db, "morning", owner="dead")
    newer = start(db, "morning", owner="dead")
    alive = start(db, "evening", owner="alive")
    report = rows.mark_interrupted(db, "2026-12-04T11:00:00+00:00", {"alive"})
    assert [(r["id"], r["number"], r["question"], r["questions"]) for r in report] == [
        (older, 1, 0, 2),
        (newer, 2, 0, 2),
    ]
    assert rows.status_of(db, alive) == "running"
    assert rows.interrupted_in(db, "morning", "quiz")["id"] == newer
    assert rows.interrupted_in(db, "morning", "general") is None
    assert rows.interrupted_in(db, "evening", "quiz") is None
    rows.reopen_session(db, newer, "bot-2")
    session, _ = rows.session_rows(db, newer)
    assert (session["status"], session["owner"], session["ended_at"]) == ("running", "bot-2", None)
    assert rows.interrupted_in(db, "morning", "quiz")["id"] == older
