"""The `tutor` program as a user runs it: the Discord commands beside the terminal's."""

import json
from pathlib import Path

from bot import main as program
from bot.terminal import cli
from tests.bot.discord.test_commands import EXPECTED, names


def test_cli_commands_json_matches_and_readme_lists_every_command(tutor, monkeypatch, capsys):
    monkeypatch.setattr(cli, "Tutor", lambda s: tutor)
    monkeypatch.setattr(tutor, "close", lambda: None)
    assert program.main(["commands", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert names(printed) == EXPECTED
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    missing = [n for n in EXPECTED if f"`/{n}" not in readme]
    assert missing == [], f"README's command table lacks: {missing}"


def test_run_without_token_points_to_chat(tutor, monkeypatch, capsys):
    monkeypatch.setattr(cli, "Tutor", lambda s: tutor)
    monkeypatch.setattr(tutor, "close", lambda: None)
    assert program.main(["run"]) == 2
    err = capsys.readouterr().err
    assert "TUTOR_DISCORD_TOKEN" in err and "tutor chat" in err


def test_the_program_starts_without_importing_torch():
    """`tutor jobs` and friends must not pay torch's import; models load when first used."""
    import subprocess
    import sys

    probe = "import sys, bot.main; print('torch' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"
