"""The quiz tables: a second answer to one question is refused by the database itself, with
the store's own error (the application never sees the driver's), and the post noted for the
open question comes back with an interrupted session."""

import pytest

from bot.store import AlreadyAnswered, Store
from bot.store import quizzes as rows
from skills.quiz.bank import load_banks
from skills.quiz.grading import Grade
from skills.quiz.session import QuizSession, RecordedAnswer


def test_a_second_answer_is_refused_and_a_post_is_kept(tmp_path):
    question = load_banks()[0]
    session = QuizSession("class", question.team, [question], 30)
    answer = RecordedAnswer("ana", 0, "B", Grade(1.0, "Right.", "B"), 100, 1.0)
    with Store(tmp_path / "t.db") as store:
        quiz = store.write(rows.insert_session, "console", session, "prof", "2026-12-04", "gone")
        store.write(rows.set_index, quiz, 0)
        store.write(rows.insert_answer, "console", quiz, question, answer)
        with pytest.raises(AlreadyAnswered):
            store.write(rows.insert_answer, "console", quiz, question, answer)
        store.write(rows.note_post, quiz, "message 9")
        (lost,) = store.write(rows.mark_interrupted, "2026-12-04", set())
        assert lost["post"] == "message 9" and lost["answers_kept"] == 1
        assert lost["question"] == 1 and store.run(rows.status_of, quiz) == "interrupted"
