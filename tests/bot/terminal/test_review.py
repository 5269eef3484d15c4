"""Reviews in the terminal: `tutor review ... --json` and the console's /review."""

import datetime as dt
import io
import json
import sqlite3
import zipfile
from types import SimpleNamespace

import pytest

from bot.app.tutor import Tutor
from bot.terminal import cli
from bot.terminal.console import ConsoleSession, run_chat
from tests.helpers import close_quiz_question, who, wrong_answer

DAY = 86_400.0


@pytest.fixture
def missed(settings, encoder, clock):
    """ana missed t3-sep (choice) and t3-vocab (numeric) in yesterday's quiz; it is now today."""
    clock.now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC).timestamp()
    tutor = Tutor(settings, encoder=encoder, clock=clock)
    for question_id in ("t3-sep", "t3-vocab"):
        close_quiz_question(tutor, clock, question_id, {"ana": 0.0})
    questions = {q.id: q for q in tutor.bank.questions()}
    tutor.close()
    clock.now += DAY
    return questions


@pytest.fixture
def run_cli(monkeypatch, settings, encoder, clock, capsys):
    monkeypatch.setattr(cli, "load_settings", lambda: settings)
    monkeypatch.setattr(cli, "Tutor", lambda s: Tutor(s, encoder=encoder, clock=clock))

    def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = cli.main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def test_cli_review_serves_due_questions_one_at_a_time_as_json(run_cli, missed):
    sep = missed["t3-sep"]
    right = "ABCDE"[sep.answer]
    code, out, _ = run_cli("review", "--user", "ana", "--json", stdin=f"{right}\n\n12\n")
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["type"] for line in lines] == ["question", "result", "question", "result", "done"]
    first, verdict = lines[0], lines[1]
    assert first["question_id"] == "t3-sep" and first["due_today"] == 2 and first["choices"]
    assert verdict["result"] == "correct" and verdict["card"] is None
    assert verdict["next_due"] > "2026-03-04"  # right after a miss: spaced further out
    wrong = lines[3]
    assert wrong["question_id"] == "t3-vocab" and wrong["result"] == "wrong"
    assert wrong["rating"] == "again" and wrong["next_due"] == "2026-03-04"
    assert wrong["card"]["concept"] == missed["t3-vocab"].concepts[0]
    assert lines[-1] == {"type": "done", "answered": 2, "due_today": 0, "next_due": "2026-03-04"}


def test_cli_review_text_stops_at_end_of_input_and_nothing_due(run_cli, missed):
    code, out, _ = run_cli("review", "--user", "ana", stdin="")
    assert code == 0 and "Review (2 due today" in out and "Answer with a letter." in out
    assert "Stopped with 2 still due today" in out
    code, out, _ = run_cli("review", "--user", "bo")
    assert code == 0 and "Nothing due for review today." in out


def test_cli_status_remind_add_and_export(run_cli, missed, tmp_path):
    code, out, _ = run_cli("review", "status", "--user", "ana", "--json")
    status = json.loads(out)
    assert code == 0 and [i["question_id"] for i in status["due_today"]] == ["t3-sep", "t3-vocab"]
    assert status["reminders"] is False and status["timezone"] == "UTC"
    code, out, _ = run_cli("review", "remind", "on", "--user", "ana", "--json")
    assert code == 0 and json.loads(out) == {"reminders": True}
    code, _, err = run_cli("review", "remind", "maybe", "--user", "ana")
    assert code == 2 and "invalid choice" in err
    code, out, _ = run_cli("review", "add", "t3-cls", "--user", "bo", "--json")
    assert code == 0 and json.loads(out)["id"] == "t3-cls"
    deck = tmp_path / "ana.apkg"
    code, out, _ = run_cli("review", "export", "--user", "ana", "--out", str(deck), "--json")
    assert code == 0 and json.loads(out) == {"path": str(deck), "notes": 2}
    with zipfile.ZipFile(deck) as archive:
        archive.extract("collection.anki2", tmp_path)
    db = sqlite3.connect(tmp_path / "collection.anki2")
    assert db.execute("SELECT count(*) FROM notes").fetchone()[0] == 2
    db.close()
    code, _, err = run_cli("review", "export", "--user", "bo", "--out", str(tmp_path / "b.apkg"))
    assert code == 2 and "no missed quiz questions" in err


def test_console_review_a_plain_line_answers_until_stopped(settings, encoder, clock, missed):
    tutor = Tutor(settings, encoder=encoder, clock=clock)
    try:
        session = ConsoleSession(tutor, who("ana", channel="console"))
        served = session.handle("/review")
        assert "Review (2 due today" in served and "/review stop" in served
        served_id = tutor.reviews.serving(who("ana", channel="console"))
        wrong = wrong_answer(SimpleNamespace(question=missed[served_id]), tutor)
        reply = session.handle(wrong)  # a plain line answers the review question
        assert reply.startswith("Missed.") and "Read the card:" in reply
        assert "Review (1 due today" in reply  # the next question is served at once
        assert "Done for today" not in reply
        assert session.handle("/review stop") == "Review stopped."
        assert "Sources:" in session.handle("what is the [CLS] token for?")  # a question again
        assert tutor.reviews.serving(session.actor) is None
        status = session.handle("/review status")
        assert "Due today (2026-03-03): 1" in status and "Reminders: off" in status
        session.handle("/review")
        reply = session.handle("/review answer 30,522")
        assert reply.startswith("Right.") and "That was the last question due today." in reply
        assert "No review question is open" in session.handle("/review answer 5")
    finally:
        tutor.close()


def test_the_console_shows_reminders_for_its_own_class_only(settings, encoder, clock, missed):
    tutor = Tutor(settings, encoder=encoder, clock=clock)
    try:
        tutor.reviews.set_reminders(who("ana"), True)
        stdout = io.StringIO()
        run_chat(tutor, who("ana", channel="console"), stdin=io.StringIO(""), stdout=stdout)
        clock.now += 9 * 3600  # later that day, past the reminder hour
        tutor.reviews.send_reminders()  # the console's timer may have sent it already
        shown = stdout.getvalue()
        assert "[reminder for ana] You have 2 quiz questions to review today" in shown
        assert shown.count("[reminder for ana]") == 1  # once a day, whoever sent it
    finally:
        tutor.close()
