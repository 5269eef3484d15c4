"""`tutor digest`, `tutor progress`, `tutor grades export`, `tutor forget` and `tutor term
close` on the command line, and the console's /digest and /progress."""

import csv
import json

import pytest

from bot.app.tutor import Tutor
from bot.terminal.console import ConsoleSession
from tests.helpers import SEED_PEOPLE, seed_class, who


@pytest.fixture
def seeded(settings, encoder):
    tutor = Tutor(settings, encoder=encoder)
    seed_class(tutor)
    tutor.close()


def test_digest_json_and_text(run_cli, seeded, tmp_path):
    code, out, err = run_cli("digest", "--since", "all", "--json", "--as-instructor")
    assert code == 0, err
    digest = json.loads(out)
    assert digest["quiz_answers"] == 14 and len(digest["revisit"]) == 3
    assert digest["not_what_i_asked_recorded"] is True
    code, out, _ = run_cli(
        "digest", "--since", "all", "--chart", str(tmp_path / "d.png"), "--as-instructor"
    )
    assert code == 0 and "Revisit first:" in out and (tmp_path / "d.png").exists()
    assert "4 x “A) Attend to this token”" in out
    assert not any(name in out for name in SEED_PEOPLE.values())
    code, _, err = run_cli("digest")
    assert code == 2 and "instructor" in err
    code, _, err = run_cli("digest", "--since", "soon", "--as-instructor")
    assert code == 2 and "--since" in err


def test_progress_is_your_own(run_cli, seeded):
    code, out, _ = run_cli("progress", "--user", "u-ben")
    assert code == 0 and "Attention masks and padding" in out and "only you" in out
    code, out, _ = run_cli("progress", "--user", "u-ben", "--json")
    assert json.loads(out)["concepts"][0]["mastery"] == 0.0


def test_grades_export_writes_the_csv(run_cli, seeded, tmp_path):
    out_file = tmp_path / "grades.csv"
    code, out, err = run_cli("grades", "export", "--out", str(out_file), "--as-instructor")
    assert code == 0, err
    assert "Wrote 4 students" in out
    with out_file.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["display_name"] for r in rows] == sorted(SEED_PEOPLE.values())
    code, _, err = run_cli("grades", "export", "--out", str(out_file))
    assert code == 2 and "instructor" in err


def test_forget_shows_first_then_removes(run_cli, seeded):
    code, out, _ = run_cli("forget", "Anastasia Quux", "--as-instructor")
    assert code == 0 and "Add --yes" in out and "quiz_answers.user 4" in out
    code, out, _ = run_cli("forget", "u-ana", "--as-instructor", "--yes", "--json")
    report = json.loads(out)
    assert report["done"] and report["rows"]["quiz_answers.user"] == 4
    code, _, err = run_cli("forget", "u-ana", "--as-instructor", "--yes")
    assert code == 2 and "Nobody" in err


def test_term_close_shows_first_then_archives_and_clears(run_cli, seeded, settings):
    code, out, _ = run_cli("term", "close", "--as-instructor")
    assert code == 0 and "Add --yes" in out
    code, out, _ = run_cli("term", "close", "--as-instructor", "--yes")
    assert code == 0 and "Term closed" in out
    assert list(settings.backups_dir.glob("term-console-*.db"))
    code, out, _ = run_cli("quiz", "leaderboard", "--json")
    assert json.loads(out)["users"] == []


def test_console_digest_and_progress(settings, encoder, seeded):
    tutor = Tutor(settings, encoder=encoder)
    try:
        console = ConsoleSession(tutor, who("u-cy", name="Cyrille Vantablack"))
        assert "Your progress, Cyrille Vantablack" in console.handle("/progress")
        assert "Only the instructor" in console.handle("/digest --since all")
        teacher = ConsoleSession(tutor, who("prof", instructor=True))
        assert "Revisit first:" in teacher.handle("/digest --since all")
    finally:
        tutor.close()


def test_tutor_help_lists_the_new_commands(run_cli):
    code, out, _ = run_cli("--help")  # a "%" in a command's help used to crash it
    assert code == 0
    for name in ("digest", "progress", "grades", "forget", "term"):
        assert name in out
