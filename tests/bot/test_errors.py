"""One error contract: user mistakes get their message; bugs get an apology with a reference,
their traceback goes to the log, and nothing dies."""

import logging
import re

import pytest

from bot.app.tutor import Tutor
from bot.terminal import cli
from bot.terminal.console import ConsoleSession
from tests.helpers import bomb_pdf, encrypted_pdf, who


def test_a_bug_in_the_console_is_logged_with_a_reference_and_the_console_lives_on(
    tutor, monkeypatch, caplog
):
    session = ConsoleSession(tutor, who("ana"))

    def broken(*args, **kwargs):
        raise ValueError("an internal slip, not the user's")

    monkeypatch.setattr(tutor.demos, "tokenize", broken)
    with caplog.at_level(logging.ERROR):
        reply = session.handle("/tokenize hello")
    assert reply.startswith("Something went wrong on our side (ref ")
    ref = reply.split("(ref ")[1].split(")")[0]
    assert "Traceback" not in reply and "internal slip" not in reply
    assert ref in caplog.text and "an internal slip" in caplog.text  # with its traceback
    assert "Attention masks" in session.handle("what does the attention mask do?")


def test_a_bug_in_a_one_shot_command_exits_3_with_a_reference(
    settings, encoder, monkeypatch, capsys
):
    monkeypatch.setattr(cli, "load_settings", lambda: settings)
    monkeypatch.setattr(cli, "Tutor", lambda s: Tutor(s, encoder=encoder))
    monkeypatch.setattr("bot.app.demos.DemoService.calculate", lambda *a: 1 / 0)
    assert cli.main(["calc", "steps", "10", "2"]) == 3
    err = capsys.readouterr().err
    assert "Something went wrong on our side (ref " in err and "ZeroDivisionError" not in err


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("/calc steps 1e400 10", "too large"),
        ("/calc softmax 1e400 1", "too large"),
        ("/jobs cancel 1e20", "not a whole number"),
        ("/jobs cancel 99999999999999999999999", "not between"),
        ("/quiz team3 --seconds 1e9", "not a whole number"),
        ("/mask the [MASK] --top-k 0", "not between 1 and 50"),
    ],
)
def test_numbers_that_overflow_are_refused_where_they_enter(tutor, line, message):
    assert message in ConsoleSession(tutor, who("ana")).handle(line)


def test_damaged_and_hostile_pdfs_are_refused_clearly(tutor, tmp_path):
    session = ConsoleSession(tutor, who("prof"))
    locked = encrypted_pdf(tmp_path / "locked.pdf")
    aes = encrypted_pdf(tmp_path / "aes.pdf", aes=True)
    bomb = bomb_pdf(tmp_path / "bomb.pdf", 6_000_000)
    reply = session.handle(f"/ingest {locked} {aes} {bomb}")
    assert "locked.pdf: this PDF is password-protected" in reply
    # AES needs the optional `cryptography` package: without it pypdf cannot even try the
    # password, so the message says "encrypted"; with it, "password-protected". Either way the
    # student is told to save an unprotected copy.
    (aes_line,) = [line for line in reply.splitlines() if "aes.pdf:" in line]
    assert "aes.pdf: this PDF is" in aes_line and "unprotected copy" in aes_line
    assert "bomb.pdf: holds more than 5,000,000 characters" in reply
    assert tutor.ask.ask(who("ana"), "what is lora?").answer.answered  # nothing else broke


@pytest.mark.parametrize(
    "bank",
    [
        "questions = [1, 2]",
        'questions = "not a list"',
        "team = 3\n[[questions]]\nid = 7",
        "this is not toml",
    ],
)
def test_broken_question_banks_are_refused_whole(tutor, tmp_path, bank):
    path = tmp_path / "bank.toml"
    path.write_text(bank)
    reply = ConsoleSession(tutor, who("prof")).handle(f"/quiz import {path} --team 3")
    assert reply.startswith(("Nothing imported", "bank.toml: not valid TOML")), reply
    assert len(tutor.bank.questions()) == 45


def test_every_hint_is_worded_by_each_frontend_in_its_own_terms():
    """The application says what went wrong; each frontend says how to fix it, and Discord
    never shows a command line's options or the bot machine's settings."""
    from bot.discord.hints import HINTS as DISCORD
    from bot.errors import Hint, TutorError
    from bot.terminal.hints import HINTS as TERMINAL

    assert set(DISCORD) == set(Hint) == set(TERMINAL)
    for hint in Hint:
        error = TutorError("It went wrong.", hint=hint, name="roberta-base", folder="roberta-base")
        on_discord = error.explained(DISCORD)
        assert on_discord.startswith("It went wrong. ") and len(on_discord) > 20
        assert not re.search(r"--\w|`tutor |TUTOR_|HF_HUB", on_discord), on_discord
        assert error.explained(TERMINAL) != on_discord
    assert TutorError("No hint.").explained(DISCORD) == "No hint."


def test_a_team_mistake_is_worded_for_the_console_and_for_discord(tutor):
    from bot.discord.hints import HINTS as DISCORD
    from bot.errors import JigsawError

    session = ConsoleSession(tutor, who("prof", instructor=True))
    assert "Use --team N" in session.handle("/jigsaw taught attention")
    with pytest.raises(JigsawError) as raised:
        tutor.jigsaw.mark_taught(who("prof"), "attention")
    assert "--team" not in raised.value.explained(DISCORD)
